"""The agents registry the scheduler reads, and the run history the console shows."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.registry import agent_schedule, ensure_agent_registry
from core.agents.runs import agent_run
from core.config.context import AppContext
from core.console.control_room import list_agent_runs
from core.ops.claims import seconds_until_work as seconds_until_ops_work
from core.ops.claims import work_due as ops_work_due


def test_registry_is_seeded_with_intervals_from_settings(session: Session, ctx: AppContext) -> None:
    settings = ctx.settings.model_copy(update={"sched_bizdev_interval_minutes": 7, "sched_ops_interval_seconds": 45})
    assert ensure_agent_registry(session, settings) == 7
    rows = dict(session.execute(text("SELECT name, interval_seconds FROM agents")).all())
    assert rows["bizdev"] == 420
    assert rows["ops_batch"] == 45
    assert rows["ops"] is None
    spec = session.execute(
        text("SELECT description, version, capabilities, input_schema, execution_method FROM agents WHERE name = 'ops'")
    ).one()
    assert spec.execution_method == "core.agents.ops.run_ops_agent"
    assert spec.input_schema["properties"]["task_id"]["type"] == "integer"
    assert spec.description and spec.version == "1" and "tasks" in spec.capabilities


def test_reseeding_keeps_the_operators_edits(session: Session, ctx: AppContext) -> None:
    ensure_agent_registry(session, ctx.settings)
    session.execute(text("UPDATE agents SET enabled = false, interval_seconds = 99 WHERE name = 'billing'"))
    session.commit()
    assert ensure_agent_registry(session, ctx.settings) == 0
    schedule = agent_schedule(session, "billing")
    assert schedule is not None and (schedule.enabled, schedule.interval_seconds) == (False, 99)


def test_run_history_shows_trigger_duration_items_status_and_error(session: Session) -> None:
    with agent_run(session, "billing", "schedule") as run:
        run.did("invoice 1 drafted")
        run.did("invoice 2 drafted")
    with agent_run(session, "bizdev", "manual"):
        raise ValueError("no leads today")

    newest, older = list_agent_runs(session, page_size=10).rows
    assert (newest["agent"], newest["trigger"], newest["status"], newest["error"]) == (
        "bizdev", "manual", "failed", "ValueError: no leads today",
    )
    assert (older["agent"], older["trigger"], older["status"], older["items"], older["error"]) == (
        "billing", "schedule", "succeeded", 2, None,
    )
    assert older["duration_s"] is not None and older["duration_s"] >= 0
    assert [r["agent"] for r in list_agent_runs(session, agent="billing", page_size=10).rows] == ["billing"]
    assert len(list_agent_runs(session, page_size=1).rows) == 1


def _task(session: Session, **values: object) -> None:
    cid = session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()
    cols = ", ".join(["customer_id", "description", *values])
    params = ", ".join([":customer_id", ":description", *(f":{k}" for k in values)])
    session.execute(
        text(f"INSERT INTO tasks ({cols}) VALUES ({params})"),  # column names from this test's own keywords
        {"customer_id": cid, "description": "t", **values},
    )


def test_no_ops_work_is_due_on_an_empty_table(session: Session) -> None:
    assert not ops_work_due(session)
    assert seconds_until_ops_work(session) is None


def test_a_backed_off_task_is_not_due_yet_but_its_time_is_known(session: Session) -> None:
    _task(session)
    session.execute(text("UPDATE tasks SET run_after = now() + interval '90 seconds'"))
    assert not ops_work_due(session)
    assert 0 < (seconds_until_ops_work(session) or 0) <= 90


def test_a_running_task_with_a_lapsed_lease_is_due(session: Session) -> None:
    _task(session)
    session.execute(
        text("UPDATE tasks SET status = 'running', claimed_by = 'dead', lease_expires_at = now() - interval '1 second'")
    )
    assert ops_work_due(session)


def test_a_changed_sched_setting_reaches_a_registry_row_the_operator_did_not_edit(session: Session, ctx: AppContext) -> None:
    ensure_agent_registry(session, ctx.settings)
    ensure_agent_registry(session, ctx.settings.model_copy(update={"sched_onboarding_interval_minutes": 2}))
    schedule = agent_schedule(session, "onboarding")
    assert schedule is not None and schedule.interval_seconds == 120
