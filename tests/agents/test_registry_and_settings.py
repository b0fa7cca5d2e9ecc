"""The agent registry and the operator-editable money settings."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.agents.registry import (
    InvalidAgentUpdate,
    UnknownRegistryAgent,
    ensure_agent_registry,
    list_agents,
    update_agent,
)
from core.audit import Actor
from core.config.store import (
    InvalidSettingValue,
    get_cash_balance,
    get_daily_budget_cents,
    parse_cents,
    set_cash_balance,
    set_daily_budget_cents,
)


def test_registry_seeds_the_seven_agents_with_intervals_from_settings(session, settings) -> None:
    assert ensure_agent_registry(session, settings) == 7
    specs = {a.name: a for a in list_agents(session)}
    assert set(specs) == {"bizdev", "onboarding", "ops", "ops_batch", "billing", "events", "executor"}
    assert specs["bizdev"].interval_seconds == 30 * 60
    assert specs["ops_batch"].interval_seconds == 120
    assert specs["ops"].interval_seconds is None  # one task on demand; the pool is what runs on a schedule
    assert specs["ops"].capabilities and specs["ops"].execution_method


def test_seeding_twice_adds_nothing_and_keeps_edits(session, settings) -> None:
    ensure_agent_registry(session, settings)
    update_agent(session, "bizdev", interval_seconds=90, actor=Actor.user("ann"))
    assert ensure_agent_registry(session, settings) == 0
    assert {a.name: a for a in list_agents(session)}["bizdev"].interval_seconds == 90


def test_disabling_an_agent_writes_an_agent_audit_row(session, settings) -> None:
    ensure_agent_registry(session, settings)
    spec = update_agent(session, "billing", enabled=False, actor=Actor.user("ann"))
    session.commit()
    assert spec.enabled is False
    row = session.execute(text(
        "SELECT actor_type, actor_id, entity_id, from_status, to_status FROM audit_log WHERE entity = 'agent'"
    )).one()
    assert tuple(row) == ("user", "ann", "billing", "enabled", "disabled")


def test_an_unchanged_update_writes_no_audit_row(session, settings) -> None:
    ensure_agent_registry(session, settings)
    update_agent(session, "ops", enabled=True, actor=Actor.user("ann"))
    assert session.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 0


@pytest.mark.parametrize("bad", [0, -5, 4, 10**9, 1.5, True])
def test_an_out_of_range_interval_is_refused_with_a_message(session, settings, bad) -> None:
    ensure_agent_registry(session, settings)
    with pytest.raises(InvalidAgentUpdate, match="interval"):
        update_agent(session, "ops", interval_seconds=bad, actor=Actor.user("ann"))


def test_updating_an_unknown_agent_says_so(session) -> None:
    with pytest.raises(UnknownRegistryAgent, match="nope"):
        update_agent(session, "nope", enabled=False, actor=Actor.user("ann"))


def test_money_settings_round_trip_in_cents_with_audit(session, settings) -> None:
    set_daily_budget_cents(session, 500, Actor.user("ann"))
    set_cash_balance(session, 12_345_600, Actor.user("ann"))
    session.commit()
    assert (get_daily_budget_cents(session, settings), get_cash_balance(session)) == (500, 12_345_600)
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'setting'")).scalar_one() == 2


def test_budget_falls_back_to_the_environment_setting(session, settings) -> None:
    assert get_daily_budget_cents(session, settings.model_copy(update={"ops_daily_budget_cents": 700})) == 700


@pytest.mark.parametrize(("typed", "cents"), [("25", 2500), ("$1,200.5", 120050), ("0.07", 7), ("", None)])
def test_dollar_amounts_parse_to_cents(typed, cents) -> None:
    assert parse_cents(typed, field="x") == cents


@pytest.mark.parametrize("typed", ["-5", "abc", "1.234", "1e5"])
def test_bad_dollar_amounts_are_refused_with_a_message(typed) -> None:
    with pytest.raises(InvalidSettingValue, match="amount in dollars"):
        parse_cents(typed, field="x")
