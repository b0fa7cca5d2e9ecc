"""Issue 31's held-back batch is scored as a whole: ≥ 95 % functions, ≥ 90 % parameters, every refusal right."""

from __future__ import annotations

from tests.analytics.canvas_holdback import CUSTOMERS, HOLDBACK, TODAY, WORKERS
from tests.analytics.canvas_scoring import score_batch


def _score() -> tuple[float, float, list[str], list[str]]:
    return score_batch(HOLDBACK, CUSTOMERS, today=TODAY, workers=WORKERS)


def test_the_holdback_batch_is_big_enough() -> None:
    assert len(HOLDBACK) >= 40 and sum(f is None for _, f, _ in HOLDBACK) >= 6


def test_the_holdback_batch_scores_over_the_bar() -> None:
    functions, params, misses, refusal_misses = _score()
    assert not refusal_misses, refusal_misses
    assert functions >= 0.95 and params >= 0.90, (functions, params, misses)
