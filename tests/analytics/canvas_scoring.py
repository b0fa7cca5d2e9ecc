"""Scores a batch of canvas questions: the share of functions right, of params right, the misses and refusal misses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from core.analytics.matcher import match_question

Case = tuple[str, str | None, dict[str, Any]]
ParamsRight = Callable[[str, dict[str, Any], dict[str, Any]], bool]


def literal_params_right(_function: str, got: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Every expected param is in the choice with exactly the expected value."""
    return {k: got.get(k) for k in expected} == expected


def score_batch(cases: Sequence[Case], customers: Sequence[str], *, today: date, workers: Sequence[str],
                params_right: ParamsRight = literal_params_right) -> tuple[float, float, list[str], list[str]]:
    """(functions right, params right, misses, refusal misses) of the matcher over the cases."""
    functions = params = with_params = 0
    misses: list[str] = []
    refusal_misses: list[str] = []
    for question, function, expected in cases:
        choice = match_question(question, customers, today=today, worker_names=workers)
        if choice.function == function:
            functions += 1
        else:
            misses.append(f"{question!r}: {choice.function} (wanted {function})")
            if function is None or choice.function is None:
                refusal_misses.append(question)
        if function is not None and expected:
            with_params += 1
            if choice.function == function and params_right(function, choice.params, expected):
                params += 1
            else:
                misses.append(f"{question!r}: params {choice.params} (wanted {expected})")
    return functions / len(cases), params / with_params, misses, refusal_misses
