"""The one permission table (SPEC §19): role × action, refused with one line naming what is not allowed."""

from __future__ import annotations

import pytest

from core.approvals.permissions import ACTIONS, ALLOWED, ROLES, allowed, refusal, require
from core.errors import Forbidden
from db.statuses import OPERATOR_ROLES


def test_every_operator_role_and_the_integration_identity_have_a_row():
    assert set(ALLOWED) == set(ROLES) == {*OPERATOR_ROLES, "integration"}


def test_a_viewer_may_take_no_action():
    assert not any(allowed("viewer", a) for a in ACTIONS)


def test_the_owner_may_take_every_action():
    assert all(allowed("owner", a) for a in ACTIONS)


def test_the_integration_token_never_decides_or_reviews():
    assert not allowed("integration", "decide_proposal") and not allowed("integration", "review_task")
    assert allowed("integration", "add_task")


def test_an_approver_decides_but_does_not_manage_operators_or_policies():
    assert allowed("approver", "decide_proposal")
    assert not allowed("approver", "manage_operators") and not allowed("approver", "change_policy")


def test_a_refusal_is_one_sentence_in_words():
    reason = refusal("viewer", "run_agent")
    assert reason == "A viewer cannot run agents; an owner can change your role."
    with pytest.raises(Forbidden, match="cannot run agents"):
        require("viewer", "run_agent")


def test_an_unknown_role_may_take_nothing():
    assert refusal("mallory", "decide_proposal") is not None
