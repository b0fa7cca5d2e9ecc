"""Cents become text in one place, exactly."""

import pytest

from core.money.cents import dollars


@pytest.mark.parametrize(("cents", "text"), [(0, "$0.00"), (5, "$0.05"), (123456, "$1,234.56"), (-5, "-$0.05"),
                                             (None, "—")])
def test_dollars_formats_integer_cents(cents: int | None, text: str) -> None:
    assert dollars(cents) == text
