"""One status authority: the table of allowed moves covers every status of every entity the schema defines."""

from __future__ import annotations

from typing import Literal, get_args, get_origin

import pytest

from core.analytics import params as analytics_params
from core.approvals import links, proposals
from core.errors import HossError, IllegalTransition, InvalidInput, NotFound, QueryTimeout
from core.transitions import (
    ALLOWED,
    MODELS,
    ONE_CLICK_DECISIONS,
    PROPOSAL_DECISIONS,
    REVIEW_DECISIONS,
    STATUSES,
    can_transition,
)
from db import statuses
from db.models import Base


def _is_literal(tp: object) -> bool:
    return get_origin(tp) is Literal


def test_every_entity_with_a_status_is_in_the_transition_table():
    with_status = {table.name for table in Base.metadata.tables.values() if "status" in table.columns}
    assert {MODELS[entity].__tablename__ for entity in ALLOWED} == with_status
    assert set(ALLOWED) == set(STATUSES) == set(MODELS)


def test_each_status_column_checks_exactly_its_entity_statuses():
    for entity, model in MODELS.items():
        table = model.__table__
        checks = [str(c.sqltext) for c in table.constraints if c.name == f"ck_{table.name}_status"]
        assert checks == ["status IN (" + ", ".join(f"'{s}'" for s in STATUSES[entity]) + ")"], entity


@pytest.mark.parametrize("entity", sorted(ALLOWED))
def test_allowed_moves_start_and_end_in_the_entity_statuses(entity):
    assert set(ALLOWED[entity]) == set(STATUSES[entity])
    assert set().union(*ALLOWED[entity].values()) <= set(STATUSES[entity])


def test_status_lists_derive_from_their_literal_types():
    derived = {name: tp for name, tp in vars(statuses)["__annotations__"].items()}
    lists = {name for name, value in vars(statuses).items() if name.isupper() and isinstance(value, tuple)}
    assert lists - set(derived) == {"SEEDED_PLANS"}  # plans are rows the operator adds, not a type
    for name, annotation in derived.items():
        (literal, _ellipsis) = get_args(annotation)
        assert _is_literal(literal) and getattr(statuses, name) == get_args(literal), name


def test_decision_lists_derive_from_their_literal_types():
    assert ONE_CLICK_DECISIONS == ("approve", "reject")
    assert PROPOSAL_DECISIONS == ("approve", "reject", "revise")
    assert REVIEW_DECISIONS == ("approve", "revise", "discard")
    assert proposals.DECISIONS == PROPOSAL_DECISIONS and links.LINK_DECISIONS == ONE_CLICK_DECISIONS


def test_the_canvas_invoice_filter_is_the_invoice_statuses_and_two_more():
    assert set(analytics_params.INVOICE_FILTERS) == set(statuses.INVOICE_STATUSES) | {"invoiced", "unpaid"}
    assert analytics_params.INVOICE_FILTERS[0] == "invoiced"  # the default, first in the canvas's picker


def test_a_move_from_an_end_status_is_refused():
    assert not can_transition("task", "done", "pending")
    assert not can_transition("proposal", "executed", "approved")


def test_domain_errors_share_one_base_class():
    for kind in (NotFound, IllegalTransition, InvalidInput, QueryTimeout):
        assert issubclass(kind, HossError)
    assert issubclass(NotFound, LookupError) and issubclass(InvalidInput, ValueError)
