"""The lease heartbeat of a process's claims, and the worker identity that guards them."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from core.ops.claims import Claim, renew_leases

log = logging.getLogger("hoss.agents.ops")


def new_worker_id(prefix: str = "ops") -> str:
    """A worker identity unique to this process and call: host:pid:prefix-nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{prefix}-{uuid.uuid4().hex[:6]}"


class LeaseKeeper:
    """Renews the leases of every in-flight claim of this process every lease/3 seconds, from its own thread."""

    def __init__(self, sessions: Callable[[], Session], lease_seconds: float) -> None:
        self._sessions, self.lease_seconds = sessions, lease_seconds
        self._claims: dict[int, Claim] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LeaseKeeper:
        self._thread = threading.Thread(target=self._loop, name="ops-lease-keeper", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def hold(self, claim: Claim) -> None:
        with self._lock:
            self._claims[claim.task_id] = claim

    def drop(self, claim: Claim) -> None:
        with self._lock:
            self._claims.pop(claim.task_id, None)

    def held(self) -> list[Claim]:
        """The claims in flight right now."""
        with self._lock:
            return list(self._claims.values())

    def _loop(self) -> None:
        interval = max(self.lease_seconds / 3, 0.05)
        while not self._stop.wait(interval):
            claims = self.held()
            if not claims:
                continue
            try:
                with self._sessions() as session:
                    renew_leases(session, claims, self.lease_seconds)
            except Exception as exc:  # a missed renewal is retried next tick; the lease has slack for it
                log.warning("lease renewal failed (%s); retrying in %.1fs", type(exc).__name__, interval)
