"""Hiring from templates, working hours, pause/fire, the roster a fresh database starts with, and the CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, time, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from core.errors import InvalidInput
from core.workforce.catalogue import ROLES
from core.workforce.hiring import hire, list_workers, next_on_duty, on_duty, parse_hours, set_worker_status
from core.workforce.intake import add_task_checked
from tests.workforce.conftest import OPERATOR, make_customer

ROOT = Path(__file__).resolve().parents[2]


def test_every_template_is_a_real_workflow():
    assert {"research-analyst", "copywriter", "sdr", "support-triage", "bookkeeper", "qa-reviewer"} <= set(ROLES)
    for t in ROLES.values():
        assert 2 <= len(t.steps) <= 5 and t.human_minutes > 0 and "deliver" in t.permissions
        assert len(t.steps) < 3 or t.revise_index > 0
    assert ROLES["research-analyst"].step_names() == ("plan", "research", "synthesize", "self-check")


def test_a_fresh_database_has_three_workers(session):
    assert sorted(w.role for w in list_workers(session)) == ["copywriter", "research-analyst", "sdr"]


def test_hire_stores_the_template_defaults_and_is_audited(session):
    w = hire(session, "copywriter", "Cleo", OPERATOR, hours=parse_hours("mon-fri 09:00-17:00 Europe/Berlin"))
    session.commit()
    audit = session.execute(text("SELECT to_status, metadata->>'role' FROM audit_log WHERE entity = 'agent'")).one()
    assert (w.tone, w.review_required, w.hours_text) == (ROLES["copywriter"].default_tone, True,
                                                         "mon-fri 09:00-17:00 Europe/Berlin")
    assert tuple(audit) == ("active", "copywriter")


def test_hours_are_read_in_the_workers_zone():
    hours = parse_hours("mon-fri 09:00-17:00 Europe/Berlin")
    assert (hours.days, hours.start, hours.end) == ((1, 2, 3, 4, 5), time(9), time(17))
    assert on_duty(hours, datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc))  # Tuesday 09:30 in Berlin
    assert not on_duty(hours, datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc))
    assert not on_duty(hours, datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc))  # Saturday


# A night shift "mon-fri 22:00-06:00 UTC" starts on Monday to Friday evenings and ends the next morning.
NIGHT_INSTANTS = [
    (datetime(2026, 11, 30, 23, 0, tzinfo=timezone.utc), True),   # Monday 23:00: Monday's shift
    (datetime(2026, 12, 1, 5, 59, tzinfo=timezone.utc), True),    # Tuesday 05:59: still Monday's shift
    (datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc), False),    # Tuesday 06:00: the shift has ended
    (datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc), False),   # Tuesday noon
    (datetime(2026, 12, 5, 3, 0, tzinfo=timezone.utc), True),     # Saturday 03:00: Friday's shift
    (datetime(2026, 12, 5, 23, 0, tzinfo=timezone.utc), False),   # Saturday 23:00: no Saturday shift
    (datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc), False),   # Monday 03:00: no Sunday shift
]


@pytest.mark.parametrize(("at", "expected"), NIGHT_INSTANTS)
def test_a_night_shift_runs_past_midnight_into_the_next_day(at, expected):
    hours = parse_hours("mon-fri 22:00-06:00 UTC")
    assert hours.describe() == "mon-fri 22:00-06:00 UTC"
    assert on_duty(hours, at) is expected


def test_the_claims_sql_and_the_pages_agree_on_a_night_shift(session):
    hire(session, "sdr", "Nox", OPERATOR, hours=parse_hours("mon-fri 22:00-06:00 UTC"))
    session.commit()
    for at, expected in NIGHT_INSTANTS:
        assert session.execute(text("SELECT worker_on_duty_at('Nox', :at)"), {"at": at}).scalar() is expected, at


@pytest.mark.parametrize("bad", ["mon-fri 9-5 Europe/Berlin", "mon-fri 09:00-17:00 Mars/Base", "noday 09:00-10:00 UTC",
                                 "mon 09:00-09:00 UTC"])
def test_unreadable_hours_are_refused(bad):
    with pytest.raises(InvalidInput):
        parse_hours(bad)


def test_a_taken_name_is_refused(session):
    with pytest.raises(InvalidInput, match="taken"):
        hire(session, "sdr", "Rhea", OPERATOR)


def test_pause_and_fire_are_audited_and_fired_is_for_good(session):
    set_worker_status(session, "Sasha", "paused", OPERATOR)
    set_worker_status(session, "Sasha", "fired", OPERATOR)
    session.commit()
    moves = session.execute(text("SELECT from_status, to_status FROM audit_log WHERE entity = 'agent' "
                                 "ORDER BY id")).all()
    assert [tuple(m) for m in moves] == [("active", "paused"), ("paused", "fired")]
    with pytest.raises(InvalidInput):
        set_worker_status(session, "Sasha", "active", OPERATOR)


def _pending_for(session, agent: str, n: int) -> list[int]:
    cid = make_customer(session)
    return [add_task_checked(session, customer_id=cid, description=f"Outreach {i}", reward_cents=100, agent=agent,
                             actor=OPERATOR)[0] for i in range(n)]


def _agents_of(session, ids: list[int]) -> set[str]:
    return set(session.execute(text("SELECT agent FROM tasks WHERE id = ANY(:ids)"), {"ids": ids}).scalars())


def test_firing_hands_pending_tasks_to_the_least_loaded_worker_of_the_same_role_audited(session):
    hire(session, "sdr", "Tove", OPERATOR)
    hire(session, "sdr", "Ulla", OPERATOR)
    _pending_for(session, "Tove", 1)
    ids = _pending_for(session, "Sasha", 2)
    set_worker_status(session, "Sasha", "fired", OPERATOR)
    session.commit()
    assert _agents_of(session, ids) == {"Ulla"}  # Tove already has a task of her own
    rows = session.execute(text("SELECT entity_id, metadata->>'to_agent' FROM audit_log WHERE entity = 'task' "
                                "AND metadata->>'action' = 'reassign' ORDER BY entity_id")).all()
    assert [tuple(r) for r in rows] == [(str(i), "Ulla") for i in ids]


def test_firing_with_pending_tasks_and_no_one_to_take_them_is_refused_and_changes_nothing(session):
    ids = _pending_for(session, "Sasha", 2)
    session.commit()
    with pytest.raises(InvalidInput, match="2 pending task"):
        set_worker_status(session, "Sasha", "fired", OPERATOR)
    session.rollback()
    assert _agents_of(session, ids) == {"Sasha"} and next(w for w in list_workers(session)
                                                          if w.name == "Sasha").status == "active"


def test_firing_can_name_the_worker_who_takes_over_even_of_another_role(session):
    ids = _pending_for(session, "Sasha", 1)
    set_worker_status(session, "Sasha", "fired", OPERATOR, hand_to="Corin")
    session.commit()
    assert _agents_of(session, ids) == {"Corin"}
    with pytest.raises(InvalidInput, match="cannot take over"):
        set_worker_status(session, "Rhea", "fired", OPERATOR, hand_to="Sasha")  # Sasha was fired


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url}
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("args", [("hire", "wizard", "--name", "X"), ("hire", "sdr", "--name", "Rhea"),
                                  ("hire", "sdr", "--name", "X", "--hours", "weekdays"),
                                  ("hire", "sdr", "--name", "X", "--hours", "mon-fri 09:00-17:00 Nowhere/Town")])
def test_cli_bad_hire_is_one_line_and_exit_2(db_url, args):
    out = _cli(db_url, *args)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and out.stderr.startswith("error:")


def test_cli_fire_with_stranded_tasks_is_one_line_and_exit_2(db_url, session):
    _pending_for(session, "Sasha", 1)
    session.commit()
    out = _cli(db_url, "worker", "fire", "Sasha")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "pending task" in out.stderr
    assert _cli(db_url, "worker", "fire", "Sasha", "--to", "Corin").returncode == 0


def test_cli_pause_with_a_worker_to_hand_to_is_one_line_and_exit_2(db_url):
    out = _cli(db_url, "worker", "pause", "Rhea", "--to", "Corin")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "only firing" in out.stderr


def test_next_on_duty_is_the_start_of_the_next_shift():
    hours = parse_hours("mon-fri 09:00-17:00 Europe/Berlin")
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
    assert next_on_duty(hours, saturday) == datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)  # Monday 09:00 CET
    monday = datetime(2026, 12, 7, 10, 7, tzinfo=timezone.utc)
    assert next_on_duty(hours, monday) == monday and next_on_duty(None, saturday) == saturday
