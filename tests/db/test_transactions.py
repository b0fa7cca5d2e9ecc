"""db.engine.transaction_for: one real transaction, on an Ops slot's pinned autocommit connection or the pool's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.config.context import AppContext
from db.engine import transaction_for

_NOW = text("SELECT now()")
_COUNT = text("SELECT count(*) FROM settings WHERE key = 'tx.test'")
_INSERT = text("INSERT INTO settings (key, value) VALUES ('tx.test', '1'::jsonb)")


@pytest.fixture
def pinned(ctx: AppContext) -> Iterator[Session]:
    """A session pinned to one autocommit connection, set up as OpsPool._pinned_session does it."""
    conn = ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    conn.exec_driver_sql("SET synchronous_commit = off")  # leaves SQLAlchemy's autobegun marker behind
    with Session(bind=conn) as session:
        yield session
    conn.close()


def test_a_pinned_connection_runs_the_block_as_one_transaction(pinned: Session) -> None:
    with transaction_for(pinned) as tx:
        assert tx.get_bind() is pinned.get_bind()  # no second connection from the pool
        assert tx.execute(_NOW).scalar_one() == tx.execute(_NOW).scalar_one()  # now() is the transaction's
        tx.commit()


def test_a_pinned_connection_is_autocommit_again_after_the_block(pinned: Session) -> None:
    with transaction_for(pinned) as tx:
        tx.commit()
    assert pinned.get_bind().get_execution_options()["isolation_level"] == "AUTOCOMMIT"
    assert pinned.execute(_NOW).scalar_one() != pinned.execute(_NOW).scalar_one()


def test_a_rolled_back_block_on_a_pinned_connection_writes_nothing(pinned: Session, session: Session) -> None:
    with transaction_for(pinned) as tx:
        tx.execute(_INSERT)
        tx.rollback()
    assert session.execute(_COUNT).scalar_one() == 0


def test_a_block_left_by_an_error_restores_autocommit_and_keeps_nothing(pinned: Session, session: Session) -> None:
    with pytest.raises(RuntimeError), transaction_for(pinned) as tx:
        tx.execute(_INSERT)
        raise RuntimeError("the completion failed")
    assert pinned.get_bind().get_execution_options()["isolation_level"] == "AUTOCOMMIT"
    assert session.execute(_COUNT).scalar_one() == 0


def test_an_engine_session_gets_its_own_transaction_on_a_pool_connection(ctx: AppContext, session: Session) -> None:
    with transaction_for(session) as tx:
        tx.execute(_INSERT)
        tx.commit()
    assert session.execute(_COUNT).scalar_one() == 1
