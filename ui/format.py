"""Formatting for display: tables from core pages, read through core.present (the one owner of how a fact reads)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from core.money.cents import to_dollars
from core.present.words import EMPTY, money, status_text, status_word, value_text

__all__ = ["EMPTY", "frame", "money", "status_text", "status_word", "value_text"]


def frame(rows: list[dict[str, Any]], columns: tuple[str, ...], *, money: tuple[str, ...] = ()) -> pd.DataFrame:
    """A DataFrame of one page of rows; `money` columns (cents) become dollar figures; a missing text is '—'."""
    df = pd.DataFrame(rows, columns=list(columns))
    for col in money:
        if col in df:
            df[col.removesuffix("_cents")] = df.pop(col).map(to_dollars)
    for col in df.columns:
        if df[col].dtype == object and col != "status":
            df[col] = df[col].map(lambda v: EMPTY if v is None else (v if isinstance(v, str) else value_text(v)))
    return df
