"""The database refuses a status change outside core.transitions.ALLOWED (SPEC §18): the triggers of migration
status_move_triggers, generated from the table, probed pair by pair so the two cannot drift."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.transitions import (
    ALLOWED,
    GUARDED,
    MODELS,
    STATUSES,
    can_transition,
    move_check_body,
    move_check_name,
    move_check_sql,
    task_move_check_sql,
)
from db.migrate import alembic_config

_keys = itertools.count()

# One row of each guarded table in a given status (plain INSERTs: the triggers watch UPDATEs only).
_INSERT = {
    "task": "INSERT INTO tasks (customer_id, description, reward_cents, status) VALUES (:c, 'probe', 1, :s) RETURNING id",
    "invoice": "INSERT INTO invoices (customer_id, amount_cents, status) VALUES (:c, 100, :s) RETURNING id",
    "proposal": "INSERT INTO action_proposals (vertical, action_type, title, dedupe_key, status) "
                "VALUES ('ops', 'email', 'probe', :k, :s) RETURNING id",
    "execution": "INSERT INTO executions (proposal_id, idempotency_key, status) VALUES (:p, :k, :s) RETURNING id",
}


def _customer(session: Session) -> int:
    return session.execute(text("INSERT INTO customers (company) VALUES ('Probe Co') RETURNING id")).scalar_one()


def _insert(session: Session, entity: str, status: str, customer_id: int, proposal_id: int) -> int:
    return session.execute(text(_INSERT[entity]), {"c": customer_id, "p": proposal_id, "s": status,
                                                   "k": f"probe-{next(_keys)}"}).scalar_one()


def _set_status(session: Session, entity: str, row_id: int, status: str) -> None:
    session.execute(text(f"UPDATE {MODELS[entity].__tablename__} SET status = :s WHERE id = :i"),
                    {"s": status, "i": row_id})


def _pending_task(session: Session) -> int:
    return _insert(session, "task", "pending", _customer(session), 0)


def test_the_database_refuses_a_pending_task_set_to_done(session):
    task_id = _pending_task(session)
    with pytest.raises(IntegrityError) as refused:
        session.execute(text("UPDATE tasks SET status = 'done' WHERE id = :i"), {"i": task_id})
    assert f"task {task_id}: pending → done is not an allowed move" in str(refused.value)
    diag = refused.value.orig.diag
    assert (diag.sqlstate, diag.constraint_name, diag.table_name) == ("23514", "tasks_status_move", "tasks")


def test_the_database_refuses_an_unknown_task_status(session):
    task_id = _pending_task(session)
    session.commit()
    for status in ("pending", "running", "needs_review"):
        if status != "pending":
            _set_status(session, "task", task_id, status)
        with pytest.raises(IntegrityError, match=f"{status} → invoiced is not an allowed"), session.begin_nested():
            _set_status(session, "task", task_id, "invoiced")


def test_the_database_lets_a_task_walk_its_allowed_moves(session):
    task_id = _pending_task(session)
    for status in ("running", "needs_review", "pending", "running", "running", "done"):
        _set_status(session, "task", task_id, status)
    session.commit()
    assert session.execute(text("SELECT status FROM tasks WHERE id = :i"), {"i": task_id}).scalar_one() == "done"


def test_a_same_status_update_is_not_a_move_and_is_not_checked(session):
    task_id = _insert(session, "task", "done", _customer(session), 0)
    _set_status(session, "task", task_id, "done")  # not in ALLOWED (done → done), yet no move happened
    session.execute(text("UPDATE tasks SET lease_expires_at = now() WHERE id = :i"), {"i": task_id})


@pytest.mark.parametrize("entity", GUARDED)
def test_the_trigger_allows_exactly_the_transition_table(session, entity):
    customer_id = _customer(session)
    proposal_id = _insert(session, "proposal", "approved", customer_id, 0)
    allowed, statuses = set(), STATUSES[entity]
    for source, target in itertools.product(statuses, statuses):
        if source == target:
            continue
        with session.begin_nested() as probe:
            row_id = _insert(session, entity, source, customer_id, proposal_id)
            try:
                with session.begin_nested():
                    _set_status(session, entity, row_id, target)
                allowed.add((source, target))
            except IntegrityError as exc:
                assert exc.orig.diag.constraint_name == move_check_name(entity)
                assert f"{source} → {target} is not an allowed move" in str(exc)
            probe.rollback()
    assert allowed == {(a, b) for a, b in itertools.product(statuses, statuses) if a != b and can_transition(entity, a, b)}


@pytest.mark.parametrize("entity", GUARDED)
def test_the_installed_move_check_is_the_one_generated_from_the_table(session, entity):
    source = session.execute(text("SELECT prosrc FROM pg_proc WHERE proname = :n"),
                             {"n": move_check_name(entity)}).scalar_one()
    assert source == move_check_body(entity)


@pytest.mark.parametrize("entity", GUARDED)
def test_the_newest_migration_defining_a_move_check_carries_the_generated_text(entity):
    from alembic.script import ScriptDirectory

    definition = f"CREATE OR REPLACE FUNCTION {move_check_name(entity)}()"
    for revision in ScriptDirectory.from_config(alembic_config()).walk_revisions():  # head first
        migration = Path(revision.path).read_text()
        if definition in migration:
            assert move_check_sql(entity) in migration, (
                f"{revision.revision} is stale: ALLOWED[{entity!r}] changed; write a migration with move_check_sql")
            return
    pytest.fail(f"no migration defines {definition}")


def test_the_task_check_is_named_by_spec_and_fires_only_on_a_status_change(session):
    assert task_move_check_sql() == move_check_sql("task") and "task" in GUARDED
    definition = session.execute(text("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'tasks_status_move'"
                                      )).scalar_one()
    assert "BEFORE UPDATE OF status ON public.tasks FOR EACH ROW" in definition
    assert "WHEN ((old.status IS DISTINCT FROM new.status))" in definition
    assert set(ALLOWED["task"]) >= {"pending", "running", "done"}


def test_the_database_lets_a_task_in_review_be_discarded_and_never_moves_it_again(session):
    task_id = _pending_task(session)
    for status in ("running", "needs_review", "discarded"):
        _set_status(session, "task", task_id, status)
    session.commit()
    for status in ("pending", "failed", "running"):
        with pytest.raises(IntegrityError, match=f"discarded → {status} is not an allowed"), session.begin_nested():
            _set_status(session, "task", task_id, status)


def test_the_database_refuses_a_running_or_failed_task_set_to_discarded(session):
    for source in ("running", "failed"):
        task_id = _insert(session, "task", source, _customer(session), 0)
        with pytest.raises(IntegrityError, match=f"{source} → discarded is not an allowed"), session.begin_nested():
            _set_status(session, "task", task_id, "discarded")
