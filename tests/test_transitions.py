"""One status authority: the table of allowed moves covers every status of every entity the schema defines."""

from __future__ import annotations

import pytest

from core.errors import HossError, IllegalTransition, InvalidInput, NotFound, QueryTimeout
from core.transitions import ALLOWED, MODELS, can_transition
from db.statuses import (
    CUSTOMER_STATUSES,
    EVENT_STATUSES,
    EXECUTION_STATUSES,
    INVOICE_STATUSES,
    LEAD_STATUSES,
    PROPOSAL_STATUSES,
    TASK_STATUSES,
)

SCHEMA_STATUSES = {
    "lead": LEAD_STATUSES, "customer": CUSTOMER_STATUSES, "task": TASK_STATUSES, "invoice": INVOICE_STATUSES,
    "proposal": PROPOSAL_STATUSES, "execution": EXECUTION_STATUSES, "event": EVENT_STATUSES,
}


def test_allowed_names_every_entity_with_a_status_and_nothing_else():
    assert set(ALLOWED) == set(SCHEMA_STATUSES) == set(MODELS)


@pytest.mark.parametrize("entity", sorted(SCHEMA_STATUSES))
def test_allowed_moves_start_and_end_in_the_schema_statuses(entity):
    statuses = set(SCHEMA_STATUSES[entity])
    assert set(ALLOWED[entity]) == statuses
    assert set().union(*ALLOWED[entity].values()) <= statuses


def test_a_move_from_an_end_status_is_refused():
    assert not can_transition("task", "done", "pending")
    assert not can_transition("proposal", "executed", "approved")


def test_domain_errors_share_one_base_class():
    for kind in (NotFound, IllegalTransition, InvalidInput, QueryTimeout):
        assert issubclass(kind, HossError)
    assert issubclass(NotFound, LookupError) and issubclass(InvalidInput, ValueError)
