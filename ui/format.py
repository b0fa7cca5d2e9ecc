"""Formatting for display: money from integer cents, tables from core pages."""

from __future__ import annotations

from typing import Any

import pandas as pd

from core.money.cents import to_dollars


def frame(rows: list[dict[str, Any]], columns: tuple[str, ...], *, money: tuple[str, ...] = ()) -> pd.DataFrame:
    """A DataFrame of one page of rows; `money` columns (cents) become dollar figures."""
    df = pd.DataFrame(rows, columns=list(columns))
    for col in money:
        if col in df:
            df[col.removesuffix("_cents")] = df.pop(col).map(to_dollars)
    return df
