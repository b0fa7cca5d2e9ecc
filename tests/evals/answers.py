"""Answers for the golden cases: a well-made one built from each case's checks (what the stand-in OpenAI server
answers in the eval tests) and deliberately bad ones (what the checks must catch)."""

from __future__ import annotations

import json
import re

from core.money.cents import dollars
from core.workforce.catalogue import ROLES
from core.workforce.golden_sets import GoldenCase, golden_set
from tests.workforce.conftest import valid_reply

_FILLER = "Each sentence says one concrete thing for this reader."


def literal(term: str) -> str:
    """A plain phrase the check's pattern matches: its first alternative without the pattern syntax."""
    first = term.split("|")[0]
    return re.sub(r"\\b", "", first).replace("\\$", "$").replace(" ?", " ").replace("[- ]", " ").replace("\\", "")


def good_deliverable(case: GoldenCase) -> str:
    checks = case.checks
    lines = []
    if "planted_defect" in checks:
        lines.append(f"Fail: {literal(checks['planted_defect'][0])} is wrong; fix it before this goes out.")
    if "totals" in checks:
        t = checks["totals"]
        lines += [f"Total in: {dollars(t['in_cents'])}", f"Total out: {dollars(t['out_cents'])}",
                  f"Net: {dollars(t['in_cents'] - t['out_cents'])}"]
    lines += [f"We cover {literal(term)} here." for term in checks.get("must_mention", ())]
    text = "\n".join(lines)
    while len(text.split()) < checks.get("min_words", 0):
        text += " " + _FILLER
    return text


def good_json(role: str, step: str, case: GoldenCase) -> dict:
    example = dict(next(s for s in ROLES[role].steps if s.name == step).example or {})
    checks = case.checks
    if step == "categorise":
        t = checks["totals"]
        example = {"lines": [{"description": "receipts", "amount_cents": t["in_cents"], "category": "revenue",
                              "direction": "in"},
                             {"description": "payments", "amount_cents": t["out_cents"], "category": "other",
                              "direction": "out"}], "unclear": []}
    if step == "inspect":
        example = {"checked": ["figures"], "defects": [f"{literal(checks['planted_defect'][0])} is wrong"],
                   "severity": "major"}
    for field in checks.get("fields", ()):
        if field["step"] == step:
            example[field["name"]] = field["one_of"][0]
    return example


def good_artifacts(role: str, case: GoldenCase) -> dict[str, str]:
    """Every step's artifact of a well-made answer to `case`."""
    template = ROLES[role]
    out = {}
    for step in template.steps:
        if step.schema is not None:
            out[step.name] = json.dumps(good_json(role, step.name, case))
        else:
            out[step.name] = good_deliverable(case)
    return out


def case_in(prompt: str) -> tuple[str, GoldenCase] | None:
    """The golden case a prompt is for (its task text is in it)."""
    for role in ROLES:
        for case in golden_set(role).cases:
            if f"Task: {case.task}" in prompt:
                return role, case
    return None


def stand_in_reply(body: dict) -> str:
    """The stand-in's answer: the judge gets a score, a golden case's step its well-made artifact."""
    prompt = body["messages"][-1]["content"]
    if "--- Deliverable to score ---" in prompt:
        return json.dumps({"score": 4, "reason": "Uses the customer's facts."})
    found = case_in(prompt)
    first = prompt.split("\n", 1)[0]
    step = first.split(": ", 1)[1] if first.startswith("Step ") else ""
    if found is None:  # a task's step, not a golden case: the workforce tests' valid answer
        return valid_reply(body)
    role, case = found
    return good_artifacts(role, case)[step]
