"""Sign-in throttling in the database: backoff per client, lockout, a global pause, proxies trusted only when told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.app.signin import GLOBAL_LIMIT, LOCKOUT_AFTER, WINDOW, client_address, record_signin, signin_refusal, wait_after

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _fail(session, client: str, times: int, at: datetime = NOW) -> None:
    for _ in range(times):
        record_signin(session, client, False, at)


def test_a_fresh_client_may_try(session) -> None:
    assert signin_refusal(session, "10.0.0.1", NOW) is None


def test_after_a_failure_the_client_waits_and_then_may_try_again(session) -> None:
    _fail(session, "10.0.0.1", 3)
    refusal = signin_refusal(session, "10.0.0.1", NOW + timedelta(seconds=1))
    assert refusal is not None and 0 < refusal.seconds <= wait_after(3)
    assert signin_refusal(session, "10.0.0.1", NOW + timedelta(seconds=wait_after(3) + 0.1)) is None
    assert signin_refusal(session, "10.0.0.2", NOW + timedelta(seconds=1)) is None  # another address is not slowed


def test_many_failures_lock_the_client_out_until_the_window_forgets_them(session) -> None:
    _fail(session, "10.0.0.1", LOCKOUT_AFTER)
    later = NOW + timedelta(minutes=5)
    refusal = signin_refusal(session, "10.0.0.1", later)
    assert refusal is not None and "Too many failed sign-ins" in refusal.message
    assert signin_refusal(session, "10.0.0.1", NOW + WINDOW + timedelta(seconds=1)) is None


def test_a_success_forgives_earlier_failures(session) -> None:
    _fail(session, "10.0.0.1", 4)
    record_signin(session, "10.0.0.1", True, NOW + timedelta(minutes=1))
    assert signin_refusal(session, "10.0.0.1", NOW + timedelta(minutes=1, seconds=1)) is None


def test_failures_from_many_addresses_pause_everyone(session) -> None:
    for n in range(GLOBAL_LIMIT):
        record_signin(session, f"10.1.{n // 250}.{n % 250}", False, NOW - timedelta(seconds=60))
    assert signin_refusal(session, "10.9.9.9", NOW - timedelta(seconds=30)) is not None
    assert signin_refusal(session, "10.9.9.9", NOW + timedelta(minutes=1)) is None


def test_failures_are_logged_without_the_password(session, caplog) -> None:
    with caplog.at_level("WARNING", logger="hoss.signin"):
        record_signin(session, "10.0.0.1", False, NOW)
    assert [r.getMessage() for r in caplog.records] == ["failed console sign-in from 10.0.0.1"]


def test_x_forwarded_for_counts_only_behind_a_trusted_proxy() -> None:
    assert client_address("127.0.0.1", "203.0.113.7, 10.0.0.1", trust_forwarded=False) == "127.0.0.1"
    assert client_address("127.0.0.1", "203.0.113.7, 10.0.0.1", trust_forwarded=True) == "203.0.113.7"
    assert client_address(None, None, trust_forwarded=True) == "unknown"
