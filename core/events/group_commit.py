"""Group commit: many concurrent requests' items written in one transaction, each answered once its batch committed.

A request awaits `GroupCommit.submit(item)`. When no batch is committing, its item is written at once; while one
is, the first item of the next batch opens a window of `window_s`, items arriving meanwhile join it (at most
`max_batch`) - classic group commit. The batch goes to `write`, a coroutine function awaited on the loop (so it
must not block it). At most `writers` batches commit at once, so the next fills meanwhile. `write(items)` returns
one outcome per item, in order: a value, or an exception instance meaning that item was not stored; an exception
raised by `write` itself fails the whole batch. Nothing resolves before `write` returned, so nothing is acknowledged before its commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")

BatchWriter = Callable[[Sequence[Any]], Awaitable[Sequence[Any]]]  # one outcome per item, in order


class GroupCommit(Generic[T]):
    """A batcher bound to the event loop it is first used on; `submit` from that loop only."""

    def __init__(self, write: BatchWriter, *, window_s: float, max_batch: int, writers: int = 2) -> None:
        if max_batch < 1 or writers < 1 or window_s < 0:
            raise ValueError("max_batch and writers must be at least 1 and window_s not negative")
        self._write, self._window, self._max, self._writers = write, window_s, max_batch, writers
        self._pending: list[tuple[Any, asyncio.Future[T]]] = []
        self._collector: asyncio.Task[None] | None = None
        self._full: asyncio.Event | None = None
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight = 0  # batches being written now
        self.batches = 0  # batches written so far (what a test or a benchmark reads)

    async def submit(self, item: Any) -> T:
        """Queue `item`, wait for its batch's commit; its outcome, or raises what `write` said about it."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (a restarted server): start afresh on it
            self._loop, self._pending, self._collector = loop, [], None
            self._full, self._slots = asyncio.Event(), asyncio.Semaphore(self._writers)
            self._in_flight = 0
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((item, future))
        if self._collector is None:
            self._collector = loop.create_task(self._collect())
        elif len(self._pending) >= self._max and self._full is not None:
            self._full.set()
        return await future

    async def _collect(self) -> None:
        assert self._full is not None and self._slots is not None
        if self._window and self._in_flight and len(self._pending) < self._max:
            try:
                await asyncio.wait_for(self._full.wait(), self._window)
            except asyncio.TimeoutError:
                pass
        async with self._slots:  # items arriving while every writer is busy join this batch
            self._full.clear()
            batch, self._pending = self._pending[: self._max], self._pending[self._max:]
            self._collector = None
            if self._pending:  # more than one batch's worth waited: the next batch starts collecting now
                self._collector = asyncio.get_running_loop().create_task(self._collect())
            self._in_flight += 1
            try:
                items = [item for item, _ in batch]
                outcomes: Sequence[Any] = await self._write(items)
                if len(outcomes) != len(batch):
                    raise RuntimeError(f"batch writer returned {len(outcomes)} outcomes for {len(batch)} items")
            except Exception as exc:  # every waiter hears the failure; none is acknowledged
                outcomes = [exc] * len(batch)
            finally:
                self._in_flight -= 1
            self.batches += 1
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # its request went away; the item is stored or not, a retry is deduplicated
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
