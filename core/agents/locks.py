"""Per-agent advisory locks: a manual run and a scheduled run of the same agent never overlap."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

log = logging.getLogger("hoss.locks")

# First key of the two-key advisory lock space, so agent locks never collide with the migration lock
# (a one-key lock) or with any other HossAgent lock namespace.
_AGENT_LOCK_NAMESPACE = 0x4A47  # "JG": agent runs
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:ns, :key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:ns, :key)")


def agent_lock_key(name: str) -> int:
    """The stable signed 32-bit second key of `name` (crc32, the same on every machine and Python)."""
    value = zlib.crc32(name.encode("utf-8"))
    return value - (1 << 32) if value >= (1 << 31) else value


@contextmanager
def agent_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Try to take the agent's session-level advisory lock on a dedicated connection; yield whether it was taken.

    The connection is held (idle, outside any transaction) for the whole block, so the lock lives exactly as
    long as the run: a crashed process or a restarted database releases it with the session.
    """
    conn = engine.connect()
    params = {"ns": _AGENT_LOCK_NAMESPACE, "key": agent_lock_key(name)}
    held = False
    try:
        held = bool(conn.execute(_TRY_LOCK, params).scalar_one())
        conn.commit()  # end the transaction; the session-level lock stays
        yield held
    finally:
        if held:
            try:
                conn.execute(_UNLOCK, params)
                conn.commit()
            except Exception:  # the session is gone (database restart): so is the lock
                log.warning("could not release the %s lock cleanly; discarding its connection", name)
                conn.invalidate()
        conn.close()
