"""A client-side limiter shared by a process's Ops workers: requests and tokens per sliding minute."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60.0


@dataclass
class Reservation:
    """One admitted call: when it was admitted and how many tokens it is counted for (corrected after)."""

    at: float
    tokens: int


class RateLimiter:
    """Keeps calls under `rpm` requests and `tpm` tokens in any trailing 60 s (None = no cap on that axis).

    Tokens are counted on an estimate before the call and corrected with `settle` from the real usage.
    `clock` and `sleep` are injectable so tests drive time without sleeping.
    """

    def __init__(
        self,
        rpm: int | None = None,
        tpm: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rpm, self.tpm = rpm, tpm
        self._clock, self._sleep = clock, sleep
        self._window: deque[Reservation] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.rpm or self.tpm)

    def try_reserve(self, tokens: int) -> tuple[Reservation | None, float]:
        """Admit a call now and return (reservation, 0), or (None, seconds to wait before trying again)."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            wait = max(self._paused_until - now, 0.0, self._wait_for_request(now), self._wait_for_tokens(now, tokens))
            if wait > 0:
                return None, wait
            reservation = Reservation(now, max(tokens, 0))
            self._window.append(reservation)
            return reservation, 0.0

    def acquire(self, tokens: int, *, should_stop: Callable[[], bool] = lambda: False) -> Reservation | None:
        """Block until a call with ~`tokens` tokens is admitted; None if `should_stop()` turns true first."""
        while True:
            reservation, wait = self.try_reserve(tokens)
            if reservation is not None:
                return reservation
            if should_stop():
                return None
            self._sleep(min(wait, 1.0))

    def settle(self, reservation: Reservation, actual_tokens: int | None) -> None:
        """Replace the estimate with the tokens the response reported (no change when it reported none)."""
        if actual_tokens is not None:
            with self._lock:
                reservation.tokens = max(actual_tokens, 0)

    def pause(self, seconds: float) -> None:
        """Admit nothing for `seconds` (the server said 429 / Retry-After): one throttled call slows everyone."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))

    def _expire(self, now: float) -> None:
        while self._window and self._window[0].at <= now - WINDOW_SECONDS:
            self._window.popleft()

    def _wait_for_request(self, now: float) -> float:
        if not self.rpm or len(self._window) < self.rpm:
            return 0.0
        # The call that must leave the window before one more fits.
        return self._window[len(self._window) - self.rpm].at + WINDOW_SECONDS - now

    def _wait_for_tokens(self, now: float, tokens: int) -> float:
        if not self.tpm or not self._window:
            return 0.0  # an empty window admits even a call larger than the whole budget (else it never runs)
        used = sum(r.tokens for r in self._window)
        excess = used + tokens - self.tpm
        if excess <= 0:
            return 0.0
        freed = 0
        for r in self._window:
            freed += r.tokens
            if freed >= excess:
                return r.at + WINDOW_SECONDS - now
        return self._window[-1].at + WINDOW_SECONDS - now


_shared: dict[tuple[int | None, int | None], RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(rpm: int | None, tpm: int | None) -> RateLimiter:
    """The one limiter of this process for these caps, shared by every pool and single run."""
    with _shared_lock:
        limiter = _shared.get((rpm, tpm))
        if limiter is None:
            limiter = _shared[(rpm, tpm)] = RateLimiter(rpm, tpm)
        return limiter


def estimate_tokens(prompt: str, max_output_tokens: int) -> int:
    """A pre-call token estimate: ~4 characters per prompt token plus the whole output allowance."""
    return len(prompt) // 4 + 16 + max_output_tokens
