"""The blind batch of 2026-12-07 is scored as a whole: ≥ 95 % functions, ≥ 90 % parameters, every refusal right.

Parameters are compared after validation by the function's params model (a stated default counts), and a period
is right when it resolves to the same window as the one expected.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.analytics import WHITELIST, resolve_window
from tests.analytics.canvas_blind import BLIND, CUSTOMERS, TODAY, WORKERS
from tests.analytics.canvas_scoring import score_batch

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
    return score_batch(BLIND, CUSTOMERS, today=TODAY, workers=WORKERS, params_right=_params_right)


def test_the_blind_batch_is_big_enough() -> None:
    assert len(BLIND) >= 60 and sum(f is None for _, f, _ in BLIND) >= 10


def test_the_blind_batch_scores_over_the_bar() -> None:
    functions, params, misses, refusal_misses = _score()
    assert not refusal_misses, refusal_misses
    assert functions >= 0.95 and params >= 0.90, (functions, params, misses)
