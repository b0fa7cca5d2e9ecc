"""The golden set of each role template (SPEC §20): reviewed cases in core/workforce/golden/<role>.json, read once.

A case is a task, the customer it is for and the checks its answer must pass (core.workforce.checks); the set's
rubric is what the LLM judge scores each answer against when a key is set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.errors import InvalidInput
from core.workforce.roles import role_template

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


@dataclass(frozen=True)
class GoldenCase:
    """One case: its id, the task text, the customer (company, plan, notes) and its checks (a mapping)."""

    id: str
    task: str
    company: str
    plan: str
    notes: str
    checks: dict[str, Any]


@dataclass(frozen=True)
class GoldenSet:
    """A role's cases and the rubric its judge scores against."""

    role: str
    rubric: str
    cases: tuple[GoldenCase, ...]


@lru_cache(maxsize=16)
def golden_set(role: str) -> GoldenSet:
    """The golden set of `role` (InvalidInput for an unknown role, naming the known ones)."""
    role_template(role)  # an unknown role is told by the catalogue's own message
    data = json.loads((GOLDEN_DIR / f"{role}.json").read_text(encoding="utf-8"))
    cases = tuple(GoldenCase(c["id"], c["task"], c["customer"]["company"], c["customer"]["plan"],
                             c["customer"]["notes"], c["checks"]) for c in data["cases"])
    return GoldenSet(data["role"], data["rubric"], cases)


def pick_cases(role: str, limit: int | None) -> tuple[GoldenCase, ...]:
    """The first `limit` cases of `role`'s set (all with None); InvalidInput for a limit below one."""
    cases = golden_set(role).cases
    if limit is None:
        return cases
    if limit < 1:
        raise InvalidInput(f"--cases must be at least 1 (the {role} set has {len(cases)})")
    return cases[:limit]
