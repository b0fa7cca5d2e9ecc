"""The client-side limiter, driven by an injected clock (no sleeping, no timing)."""

from __future__ import annotations

import pytest

from core.llm import pricing
from core.llm.ratelimit import RateLimiter, estimate_tokens


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_rpm_admits_that_many_calls_then_says_how_long_to_wait(clock):
    limiter = RateLimiter(rpm=3, clock=clock)
    for _ in range(3):
        assert limiter.try_reserve(10)[0] is not None
        clock.now += 5
    reservation, wait = limiter.try_reserve(10)
    assert reservation is None and wait == pytest.approx(45.0)  # the first call leaves the window at 1060


def test_rpm_admits_again_once_the_oldest_call_leaves_the_window(clock):
    limiter = RateLimiter(rpm=2, clock=clock)
    limiter.try_reserve(1)
    limiter.try_reserve(1)
    clock.now += 60
    assert limiter.try_reserve(1)[0] is not None


def test_tpm_counts_the_estimate_before_the_call(clock):
    limiter = RateLimiter(tpm=1000, clock=clock)
    assert limiter.try_reserve(700)[0] is not None
    assert limiter.try_reserve(400)[0] is None


def test_tpm_is_corrected_from_the_real_usage(clock):
    limiter = RateLimiter(tpm=1000, clock=clock)
    reservation, _ = limiter.try_reserve(700)
    limiter.settle(reservation, 200)
    assert limiter.try_reserve(700)[0] is not None


def test_missing_usage_keeps_the_estimate(clock):
    limiter = RateLimiter(tpm=1000, clock=clock)
    reservation, _ = limiter.try_reserve(700)
    limiter.settle(reservation, None)
    assert limiter.try_reserve(400)[0] is None


def test_a_call_larger_than_the_budget_runs_alone(clock):
    limiter = RateLimiter(tpm=100, clock=clock)
    assert limiter.try_reserve(500)[0] is not None
    assert limiter.try_reserve(1)[0] is None


def test_acquire_keeps_every_minute_under_the_caps(clock):
    limiter = RateLimiter(rpm=10, tpm=5000, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(100):
        limiter.acquire(400)
        times.append(clock.now)
    worst_requests = max(sum(1 for t in times if start <= t < start + 60) for start in times)
    assert worst_requests <= 10 and max(sum(400 for t in times if s <= t < s + 60) for s in times) <= 5000


def test_pause_holds_every_call(clock):
    limiter = RateLimiter(rpm=100, clock=clock)
    limiter.pause(7)
    reservation, wait = limiter.try_reserve(1)
    assert reservation is None and wait == pytest.approx(7)


def test_acquire_gives_up_when_told_to_stop(clock):
    limiter = RateLimiter(rpm=1, clock=clock, sleep=clock.sleep)
    limiter.acquire(1)
    assert limiter.acquire(1, should_stop=lambda: True) is None


def test_no_caps_means_disabled():
    assert not RateLimiter().enabled and RateLimiter(rpm=5).enabled


def test_estimate_includes_the_output_allowance():
    assert estimate_tokens("x" * 400, 600) >= 700


def test_cost_rounds_up_to_whole_cents():
    assert pricing.cost_cents("gpt-4o-mini", 1, 0) == 1
    assert pricing.cost_cents("gpt-4o-mini", 0, 0) == 0
    assert pricing.cost_cents("gpt-4o", 1_000_000, 1_000_000) == 1250


def test_dated_model_names_use_their_family_price():
    assert pricing.price_for("gpt-4o-mini-2024-07-18") == pricing.PRICES_CENTS_PER_MTOK["gpt-4o-mini"]
    assert pricing.price_for("gpt-4.1-mini") == pricing.PRICES_CENTS_PER_MTOK["gpt-4.1-mini"]


def test_unknown_model_is_priced_conservatively():
    assert pricing.price_for("some-new-model") == pricing.UNKNOWN_MODEL_PRICE


def test_flat_fallback_bounds_a_full_call_on_any_listed_model():
    worst = max(pricing.cost_cents(m, 1500, 600) for m in pricing.PRICES_CENTS_PER_MTOK)
    assert pricing.cost_cents("gpt-4o-mini", None, None) == pricing.FLAT_FALLBACK_CENTS >= worst
