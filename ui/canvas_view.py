"""Canvas presentation helpers without Streamlit: result frames, the noir Altair chart, selection filtering."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import altair as alt
import pandas as pd

from core.analytics import ChartSpec
from core.analytics.labels import column
from core.money.cents import to_dollars

ACCENT = "#E8B931"
BACKGROUND = "#0B0B0D"
TEXT = "#E6E6E6"
GRID = "#2A2A30"
BRUSH = "brush"
PICK = "pick"
_PALETTE = [ACCENT, "#8C8C96", "#C9822B", "#5E8C6A", "#7A6FB0", "#B05E5E", "#4F7FA8", "#D9D9D9"]


def result_frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Rows as a DataFrame; timestamps become UTC datetimes so charts and filters treat them as time."""
    df = pd.DataFrame(rows, columns=columns)
    for col in df.columns:
        if len(df) and isinstance(df[col].iloc[0], datetime):
            df[col] = pd.to_datetime(df[col], utc=True)
    return df


def money_columns(df: pd.DataFrame) -> list[str]:
    """Integer-cents columns (named *_cents)."""
    return [c for c in df.columns if c.endswith("_cents")]


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The table shown on the page: columns in words, cents as dollars, times as dates (the CSV keeps cents)."""
    out = df.copy()
    for col in money_columns(out):
        out[col] = to_dollars(out[col].astype("Float64"))
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            whole_days = bool((out[col].dt.floor("D") == out[col]).all())
            out[col] = out[col].dt.strftime("%Y-%m-%d" if whole_days else "%Y-%m-%d %H:%M UTC")
    return out.rename(columns={c: column(c) for c in df.columns})


def dollar_columns(df: pd.DataFrame) -> list[str]:
    """The columns `display_frame` turned into dollars."""
    return [c for c in df.columns if c.endswith(" ($)")]


def _y_field(spec: ChartSpec) -> tuple[str, str]:
    if spec.y.endswith("_cents"):
        return spec.y.removesuffix("_cents") + "_dollars", column(spec.y)
    return spec.y, column(spec.y)


def build_chart(df: pd.DataFrame, spec: ChartSpec) -> alt.Chart:
    """The noir chart: an x-interval brush on time series, a clickable point selection on bars."""
    data = df.copy()
    y_field, y_title = _y_field(spec)
    if y_field != spec.y:
        data[y_field] = to_dollars(data[spec.y].astype("Float64"))
    x_type = "T" if spec.temporal else "N"
    mark = {"bar": alt.Chart(data).mark_bar(color=ACCENT),
            "line": alt.Chart(data).mark_line(color=ACCENT, point=alt.OverlayMarkDef(color=ACCENT)),
            "area": alt.Chart(data).mark_area(color=ACCENT, opacity=0.8)}[spec.kind]
    axis = alt.Axis(format="%Y-%m-%d", labelAngle=0) if spec.temporal else alt.Axis(labelAngle=-30)
    x = alt.X(f"{spec.x}:{x_type}", title=column(spec.x), axis=axis,
              sort=None if not spec.temporal else "ascending")
    encoding: dict[str, Any] = {"x": x, "y": alt.Y(f"{y_field}:Q", title=y_title, stack=spec.kind != "line"),
                                "tooltip": [alt.Tooltip(c) for c in data.columns[:8]]}
    if spec.color:
        encoding["color"] = alt.Color(f"{spec.color}:N", scale=alt.Scale(range=_PALETTE))
    if spec.temporal:
        selection = alt.selection_interval(name=BRUSH, encodings=["x"])
    else:
        selection = alt.selection_point(name=PICK, fields=[spec.x])
        encoding["opacity"] = alt.condition(selection, alt.value(1.0), alt.value(0.35))
    chart = mark.encode(**encoding).add_params(selection).properties(height=320)
    return noir(chart)


def noir(chart: alt.Chart) -> alt.Chart:
    """Dark ground, light text, quiet grid: the console's noir theme for Altair."""
    return (chart.configure(background=BACKGROUND)
            .configure_view(stroke=None)
            .configure_axis(labelColor=TEXT, titleColor=TEXT, gridColor=GRID, domainColor=GRID, tickColor=GRID,
                            labelFont="monospace")
            .configure_legend(labelColor=TEXT, titleColor=TEXT)
            .configure_title(color=TEXT))


def filter_by_selection(df: pd.DataFrame, spec: ChartSpec | None, selection: dict[str, Any] | None) -> pd.DataFrame:
    """The rows the chart selection covers (all rows when nothing is selected)."""
    if spec is None or not selection or df.empty:
        return df
    if spec.temporal:
        brush = selection.get(BRUSH) or {}
        bounds = brush.get(spec.x)
        if not bounds or len(bounds) != 2:
            return df
        lo, hi = sorted(_as_time(b) for b in bounds)
        col = pd.to_datetime(df[spec.x], utc=True)
        return df[(col >= lo) & (col <= hi)]
    picked = selection.get(PICK) or []
    values = {p.get(spec.x) for p in picked if isinstance(p, dict) and spec.x in p}
    return df[df[spec.x].isin(values)] if values else df


def _as_time(value: Any) -> pd.Timestamp:
    if isinstance(value, (int, float)):
        return pd.Timestamp(datetime.fromtimestamp(value / 1000, tz=UTC))
    return pd.Timestamp(value).tz_localize(UTC) if pd.Timestamp(value).tzinfo is None else pd.Timestamp(value)
