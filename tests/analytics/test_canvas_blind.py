"""The blind batch of 2026-12-07 is scored as a whole: ≥ 95 % functions, ≥ 90 % parameters, every refusal right.

Parameters are compared after validation by the function's params model (a stated default counts), and a period
is right when it resolves to the same window as the one expected.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.analytics import WHITELIST, resolve_window
from core.analytics.matcher import match_question
from tests.analytics.canvas_blind import BLIND, CUSTOMERS, TODAY, WORKERS

NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC)
_PERIOD_KEYS = {"start", "end", "period"}


def _window(function: str, params: dict[str, Any]) -> tuple[Any, Any]:
    window = resolve_window(WHITELIST[function].params_model.model_validate(params), now=NOW)
    return window.start.date(), window.end.date()


def _params_right(function: str, got: dict[str, Any], expected: dict[str, Any]) -> bool:
    model = WHITELIST[function].params_model
    mine, theirs = model.model_validate(got).model_dump(), model.model_validate(expected).model_dump()
    if {k: mine[k] for k in expected} == {k: theirs[k] for k in expected}:
        return True
    rest = [k for k in expected if k not in _PERIOD_KEYS]
    return (bool(_PERIOD_KEYS & set(expected)) and {k: mine[k] for k in rest} == {k: theirs[k] for k in rest}
            and _window(function, got) == _window(function, expected))


def _score() -> tuple[float, float, list[str], list[str]]:
    functions = params = with_params = 0
    misses: list[str] = []
    refusal_misses: list[str] = []
    for question, function, expected in BLIND:
        choice = match_question(question, CUSTOMERS, today=TODAY, worker_names=WORKERS)
        if choice.function == function:
            functions += 1
        else:
            misses.append(f"{question!r}: {choice.function} (wanted {function})")
            if function is None or choice.function is None:
                refusal_misses.append(question)
        if function is not None and expected:
            with_params += 1
            if choice.function == function and _params_right(function, choice.params, expected):
                params += 1
            else:
                misses.append(f"{question!r}: params {choice.params} (wanted {expected})")
    return functions / len(BLIND), params / with_params, misses, refusal_misses


def test_the_blind_batch_is_big_enough() -> None:
    assert len(BLIND) >= 60 and sum(f is None for _, f, _ in BLIND) >= 10


def test_the_blind_batch_scores_over_the_bar() -> None:
    functions, params, misses, refusal_misses = _score()
    assert not refusal_misses, refusal_misses
    assert functions >= 0.95 and params >= 0.90, (functions, params, misses)
