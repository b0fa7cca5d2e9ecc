"""The deterministic checks of a golden case (SPEC §20): each failure is one sentence an operator reads.

They look at a run's artifacts by step name: every `json` step's artifact must satisfy its schema, the
deliverable's length and mentions are checked, the bookkeeper's stated totals must equal the sums of its lines,
a QA reviewer must find the planted defect and fail the work, and named fields of a json step must hold.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from core.money.cents import dollars
from core.workforce.golden_sets import GoldenCase
from core.workforce.template import RoleTemplate

_AMOUNT = r"(-?)\s*\$\s*(-?)([\d,]+\.\d{2})"
_TOTAL_IN = re.compile(r"total\s+(?:in|money in|income|received|revenue)\b[^\n$]{0,40}?" + _AMOUNT, re.IGNORECASE)
_TOTAL_OUT = re.compile(r"total\s+(?:out|money out|spend|spent|paid|expenses|costs)\b[^\n$]{0,40}?" + _AMOUNT,
                        re.IGNORECASE)
_NET = re.compile(r"\bnet\b[^\n$]{0,40}?" + _AMOUNT, re.IGNORECASE)


def _mentions(text: str, term: str) -> bool:
    """`term` is one or more alternatives separated by | (regular expressions), matched case-insensitively."""
    return re.search(term, text, re.IGNORECASE) is not None


def _cents(match: re.Match[str]) -> int:
    sign = -1 if match.group(1) or match.group(2) else 1
    return sign * int(match.group(3).replace(",", "").replace(".", ""))


def check_answer(template: RoleTemplate, case: GoldenCase, artifacts: dict[str, str]) -> list[str]:
    """Every check of `case` the artifacts (step name → artifact) fail, in words; [] when the answer passes."""
    failures: list[str] = []
    parsed: dict[str, Any] = {}
    for step in template.steps:
        if step.name not in artifacts:
            failures.append(f"step {step.name} produced nothing")
            continue
        if step.schema is not None:
            try:
                parsed[step.name] = step.schema.model_validate(json.loads(artifacts[step.name])).model_dump()
            except (ValueError, ValidationError):
                failures.append(f"step {step.name}'s answer does not match its schema")
    deliverable = artifacts.get(template.steps[template.deliverable_index].name, "")
    checks = case.checks
    words = len(deliverable.split())
    if "min_words" in checks and words < checks["min_words"]:
        failures.append(f"too short: {words} words, at least {checks['min_words']} expected")
    if "max_words" in checks and words > checks["max_words"]:
        failures.append(f"too long: {words} words, at most {checks['max_words']} expected")
    for term in checks.get("must_mention", ()):
        if not _mentions(deliverable, term):
            failures.append(f"does not mention {term.replace('|', ' or ')}")
    for term in checks.get("must_not_mention", ()):
        if _mentions(deliverable, term):
            failures.append(f"mentions {term.replace('|', ' or ')}, which it must not")
    if "totals" in checks:
        failures += _totals(checks["totals"], deliverable, parsed.get("categorise"))
    if "planted_defect" in checks:
        failures += _planted_defect(checks["planted_defect"], parsed.get("inspect"), deliverable)
    for field in checks.get("fields", ()):
        value = (parsed.get(field["step"]) or {}).get(field["name"])
        if value not in field["one_of"]:
            expected = " or ".join(str(v).lower() for v in field["one_of"])
            failures.append(f"{field['step']} says {field['name'].replace('_', ' ')} is {str(value).lower()}, "
                            f"expected {expected}")
    return failures


def _totals(expected: dict[str, int], note: str, categorised: dict[str, Any] | None) -> list[str]:
    """The note states total in, total out and the net, each equal to the case's lines; so do the categorised lines."""
    failures = []
    want = {"total in": expected["in_cents"], "total out": expected["out_cents"],
            "net": expected["in_cents"] - expected["out_cents"]}
    for label, pattern in (("total in", _TOTAL_IN), ("total out", _TOTAL_OUT), ("net", _NET)):
        found = pattern.search(note)
        if found is None:
            failures.append(f"the note states no {label} in dollars")
        elif _cents(found) != want[label]:
            failures.append(f"the note's {label} is {dollars(_cents(found))}, the lines add up to "
                            f"{dollars(want[label])}: the totals do not reconcile")
    if categorised is not None:
        sums = {d: sum(abs(line["amount_cents"]) for line in categorised["lines"] if line["direction"] == d)
                for d in ("in", "out")}
        for direction, key in (("in", "in_cents"), ("out", "out_cents")):
            if sums[direction] != expected[key]:
                failures.append(f"the categorised lines put {dollars(sums[direction])} {direction}, the task's "
                                f"lines {dollars(expected[key])}")
    return failures


def _planted_defect(terms: list[str], findings: dict[str, Any] | None, verdict: str) -> list[str]:
    """The inspection lists a defect naming the planted one, and the verdict's first line fails the work."""
    failures = []
    defects = " ".join((findings or {}).get("defects", ()))
    if not any(_mentions(defects, term) for term in terms):
        failures.append("the planted defect was not found")
    first_line = verdict.strip().splitlines()[0] if verdict.strip() else ""
    if not _mentions(first_line, r"\bfail"):
        failures.append("the verdict does not fail the work that has the planted defect")
    return failures
