"""Figures drawn as one HTML block each (for st.html): the control room's headline numbers and its count bars.

Thirteen st.metric elements and two small Altair charts cost the control room's first paint about a third of a
hello-world page in headless Chromium (issue 16, docs/decisions.md); one HTML element per block shows the same
figures for a fraction of that. Every label and value is escaped here, so text from the database could never
become markup, and st.html sanitises what it is given once more in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Class names carry a prefix so the block's style cannot reach any Streamlit element.
_GRID_STYLE = (
    "<style>.hoss-figures{display:grid;grid-template-columns:repeat(var(--cols),minmax(0,1fr));gap:.25rem 1.5rem;"
    "margin-bottom:.75rem}@media (max-width:720px){.hoss-figures{grid-template-columns:repeat(2,minmax(0,1fr))}}"
    ".hoss-figures .lbl{font-size:.875rem;opacity:.85}"
    ".hoss-figures .lbl[title]{cursor:help;text-decoration:underline dotted;text-underline-offset:3px}"
    ".hoss-figures .val{font-size:clamp(1.25rem,2.4vw,2rem);line-height:1.3;font-variant-numeric:tabular-nums;"
    "white-space:nowrap;overflow:hidden;text-overflow:ellipsis}</style>"
)
_BARS_STYLE = (
    "<style>.hoss-bars{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem 2.5rem}"
    ".hoss-bars h4{font-size:1rem;font-weight:600;margin:0 0 .4rem;padding:0}"
    ".hoss-bars .row{display:grid;grid-template-columns:8rem 1fr 6rem;gap:.6rem;align-items:center;"
    "font-size:.875rem;line-height:1.9}.hoss-bars .track{height:.8rem;background:rgba(128,128,128,.15)}"
    ".hoss-bars .fill{height:100%}.hoss-bars .n{text-align:right;font-variant-numeric:tabular-nums}</style>"
)
# Each block carries the notes' style itself, so either block reads the same shown alone.
_NOTE_STYLE = "<style>.hoss-note{font-size:.8rem;opacity:.7;margin:.25rem 0}</style>"


_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}")


@dataclass(frozen=True)
class Figure:
    """One headline number: its label, its value as shown, and what it means (a hover tooltip)."""

    label: str
    value: str
    help: str = ""


@dataclass(frozen=True)
class Bars:
    """A small bar chart of counts: its title and (label, count) rows in the order shown."""

    title: str
    rows: Sequence[tuple[str, int]]


def figure_grid(rows: Sequence[Sequence[Figure]], notes: Sequence[str] = ()) -> str:
    """HTML for rows of headline figures (each row its own columns), then one line per note (escaped text)."""
    grids = []
    for row in rows:
        cells = []
        for f in row:
            tip = f' title="{escape(f.help)}"' if f.help else ""
            cells.append(f'<div><div class="lbl"{tip}>{escape(f.label)}</div>'
                         f'<div class="val" title="{escape(f.value)}">{escape(f.value)}</div></div>')
        grids.append(f'<div class="hoss-figures" style="--cols:{max(len(row), 1)}">{"".join(cells)}</div>')
    return _GRID_STYLE + "".join(grids) + _notes(notes)


def bar_width(count: int, top: int) -> float:
    """A bar's length as a percentage of the longest; a zero row draws nothing and no row divides by zero."""
    return round(100.0 * count / top, 1) if top > 0 and count > 0 else 0.0


def count_bars(charts: Sequence[Bars], color: str, note: str = "") -> str:
    """HTML for side-by-side bar charts of counts, each bar `color` (a hex colour, else grey) with its count."""
    fill = color if _HEX_COLOR.fullmatch(color) else "#888888"
    blocks = []
    for chart in charts:
        top = max((n for _, n in chart.rows), default=0)
        rows = "".join(
            f'<div class="row"><span>{escape(label)}</span><div class="track"><div class="fill" '
            f'style="width:{bar_width(n, top)}%;background:{fill}"></div></div><span class="n">{n:,}</span></div>'
            for label, n in chart.rows)
        blocks.append(f"<div><h4>{escape(chart.title)}</h4>{rows}</div>")
    return f'{_BARS_STYLE}{_notes([note] if note else [])}<div class="hoss-bars">{"".join(blocks)}</div>'


def _notes(notes: Sequence[str]) -> str:
    """One small line of escaped text per note, with its style; nothing for no notes."""
    return _NOTE_STYLE + "".join(f'<p class="hoss-note">{escape(n)}</p>' for n in notes) if notes else ""
