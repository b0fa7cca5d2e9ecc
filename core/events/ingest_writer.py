"""The webhook's writer: Stripe events stored by group commit on the server's event loop, over connections of its own.

Each batch is one `INSERT ... SELECT FROM unnest ... ON CONFLICT DO NOTHING RETURNING` on an autocommit psycopg
connection: the statement is its own transaction, and psycopg returns only after the server's ReadyForQuery,
which Postgres sends after the commit (with synchronous_commit, after its WAL is flushed). So one round trip
stores and commits, and no outcome exists before the commit. Up to `writers` batches are in flight, one per
connection, so Postgres flushes their commits together while the next batch fills (no thread hop, no ORM
session). A batch that fails is retried event by event, so one unstorable event fails alone; a connection whose
statement failed is closed and the next batch opens a fresh one, so an unreachable database answers at once.

The connections belong to the loop they were opened on. A keeper task on that loop closes them when the loop ends
(asyncio.run cancels every remaining task at shutdown: uvicorn's, after its requests finished, or a test server's),
and each busy one as its batch ends, so none is left to the garbage collector (a ResourceWarning, and a connection
the database holds until it notices). No lifespan has to be wired into each app that serves the route.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import Any

import psycopg

from core.events import sql
from core.events.group_commit import GroupCommit
from core.events.webhooks import StoredEvent

log = logging.getLogger("hoss.webhooks")

APPLICATION_NAME = "hoss-ingest"  # how its connections show in pg_stat_activity
_CONNECT_TIMEOUT_SECONDS = 10


class EventWriter:
    """Group commit of Stripe events into one database; `store` from one event loop at a time."""

    def __init__(self, url: str, *, window_s: float, max_batch: int, writers: int) -> None:
        self._url = url  # a libpq URL (db.engine.libpq_url)
        self._batcher: GroupCommit[StoredEvent] = GroupCommit(
            self._write, window_s=window_s, max_batch=max_batch, writers=writers)
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._keeper: asyncio.Task[None] | None = None  # held here: a task only the loop references may be collected
        self._closing = False

    @property
    def batches(self) -> int:
        """Batches written so far (what a test or a benchmark reads)."""
        return self._batcher.batches

    async def store(self, event: dict[str, Any]) -> StoredEvent:
        """Store `event` once per Stripe id; its outcome once its batch committed, else raises why it was not stored."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (a restarted server): the old loop's keeper closed its connections
            self._loop, self._idle, self._closing = loop, [], False
            self._keeper = loop.create_task(self._keep())
        return await self._batcher.submit(event)

    async def _keep(self) -> None:
        try:
            await asyncio.get_running_loop().create_future()  # never resolves: cancelled at the loop's end
        finally:
            self._closing = True
            idle, self._idle = self._idle, []
            for conn in idle:
                await conn.close()

    async def _write(self, events: Sequence[dict[str, Any]]) -> list[StoredEvent | Exception]:
        try:
            return await self._insert(events)
        except Exception:  # retried one by one below, each keeping its own error
            log.info("a batch of %d Stripe events failed; storing them one by one", len(events))
        outcomes: list[StoredEvent | Exception] = []
        for event in events:
            try:
                outcomes.extend(await self._insert([event]))
            except Exception as exc:  # this event's request answers its error; nothing was stored
                outcomes.append(exc)
        return outcomes

    async def _insert(self, events: Sequence[dict[str, Any]]) -> list[StoredEvent]:
        """One statement, one transaction: the batch's outcomes in order, after its commit; raises when not stored."""
        conn = self._idle.pop() if self._idle else await psycopg.AsyncConnection.connect(
            self._url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_SECONDS, application_name=APPLICATION_NAME)
        try:
            cursor = await conn.execute(sql.STORE_EVENTS, {"events": json.dumps(list(events))})
            rows = await cursor.fetchall()
        except BaseException:
            await conn.close()  # broken, cancelled mid-statement or refused: a fresh connection is cheaper than doubt
            raise
        if self._closing:
            await conn.close()
        else:
            self._idle.append(conn)
        new_ids = {key: row_id for row_id, key in rows}
        outcomes = []
        for event in events:  # the first of an id in the batch is the one inserted; later ones are its repeats
            new_id = new_ids.pop(event["id"], None)
            outcomes.append(StoredEvent(new_id, new_id is None))
        return outcomes
