"""Each role's golden set: at least ten reviewed cases, and checks that pass a well-made answer and fail bad ones."""

from __future__ import annotations

import json

import pytest

from core.workforce.catalogue import ROLES
from core.workforce.checks import check_answer
from core.workforce.golden_sets import golden_set
from tests.evals.answers import good_artifacts

ALL_CASES = [(role, case) for role in ROLES for case in golden_set(role).cases]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_ships_a_golden_set_of_at_least_ten_distinct_cases(role):
    cases = golden_set(role).cases
    assert len(cases) >= 10 and len({c.task for c in cases}) == len(cases)
    assert golden_set(role).rubric.startswith("Score 1-5")


@pytest.mark.parametrize(("role", "case"), ALL_CASES, ids=[c.id for _, c in ALL_CASES])
def test_a_well_made_answer_passes_every_check_of_the_case(role, case):
    assert check_answer(ROLES[role], case, good_artifacts(role, case)) == []


@pytest.mark.parametrize(("role", "case"), ALL_CASES, ids=[c.id for _, c in ALL_CASES])
def test_an_off_brief_deliverable_fails_the_case(role, case):
    artifacts = good_artifacts(role, case)
    template = ROLES[role]
    artifacts[template.steps[template.deliverable_index].name] = "Thanks, lorem ipsum."
    assert check_answer(template, case, artifacts)


def test_the_bookkeepers_check_fails_on_totals_that_do_not_reconcile():
    case = golden_set("bookkeeper").cases[0]
    artifacts = good_artifacts("bookkeeper", case)
    wrong = case.checks["totals"]["in_cents"] + 100
    artifacts["reconcile"] = artifacts["reconcile"].replace(
        artifacts["reconcile"].split("\n")[0], f"Total in: ${wrong // 100:,}.{wrong % 100:02d}")
    failures = check_answer(ROLES["bookkeeper"], case, artifacts)
    assert any("do not reconcile" in f and "total in" in f for f in failures)


def test_the_bookkeepers_check_fails_when_the_categorised_lines_do_not_add_up():
    case = golden_set("bookkeeper").cases[1]
    artifacts = good_artifacts("bookkeeper", case)
    lines = json.loads(artifacts["categorise"])
    lines["lines"][1]["amount_cents"] += 1
    artifacts["categorise"] = json.dumps(lines)
    assert any("categorised lines" in f for f in check_answer(ROLES["bookkeeper"], case, artifacts))


def test_the_qa_check_fails_when_the_planted_defect_is_not_found():
    case = golden_set("qa-reviewer").cases[0]
    artifacts = good_artifacts("qa-reviewer", case)
    artifacts["inspect"] = json.dumps({"checked": ["tone"], "defects": [], "severity": "none"})
    artifacts["verdict"] = "Pass: looks good to me, ship it."
    failures = check_answer(ROLES["qa-reviewer"], case, artifacts)
    assert "the planted defect was not found" in failures
    assert "the verdict does not fail the work that has the planted defect" in failures


def test_the_triage_check_fails_on_the_wrong_urgency():
    case = golden_set("support-triage").cases[0]  # an outage: critical
    artifacts = good_artifacts("support-triage", case)
    triage = json.loads(artifacts["classify"])
    triage["urgency"] = "low"
    artifacts["classify"] = json.dumps(triage)
    assert "classify says urgency is low, expected critical" in check_answer(ROLES["support-triage"], case, artifacts)


def test_a_json_step_that_breaks_its_schema_fails_the_case():
    case = golden_set("copywriter").cases[0]
    artifacts = good_artifacts("copywriter", case)
    artifacts["brief"] = json.dumps({"audience": "shops"})
    assert "step brief's answer does not match its schema" in check_answer(ROLES["copywriter"], case, artifacts)


def test_a_deliverable_over_the_length_bound_fails_the_case():
    case = golden_set("support-triage").cases[1]
    artifacts = good_artifacts("support-triage", case)
    artifacts["reply"] += " word" * 400
    assert any(f.startswith("too long:") for f in check_answer(ROLES["support-triage"], case, artifacts))
