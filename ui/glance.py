"""The control room's glance (SPEC §17): the 30-day money chart in Altair, whose every field is a number, a date or
a fixed label, and the funnel and queue as bars."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.console.glance import MONEY_SERIES, Glance
from core.money.words import MONEY_WORDS
from core.present.words import status_text
from ui.figures import Bars


def money_chart(rows: list[dict]) -> alt.Chart:
    """Earned, collected, LLM cost and net per day, in dollars; tooltips name the day, the series and the amount."""
    df = pd.DataFrame(rows, columns=["day", "series", "label", "cents"])
    df["dollars"] = df["cents"] / 100.0
    df["day"] = pd.to_datetime(df["day"])
    order = list(dict.fromkeys(df["label"]))
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("day:T", title=None),
        y=alt.Y("dollars:Q", title="$ per day", axis=alt.Axis(format=",.2~f")),  # 0, 0.4, 1,234.5: never 0.000000
        color=alt.Color("label:N", title=None, sort=order),
        tooltip=[alt.Tooltip("day:T", title="Day"), alt.Tooltip("label:N", title="Figure"),
                 alt.Tooltip("dollars:Q", title="Amount ($)", format=",.2f")],
    ).properties(height=220)


# Which of SPEC §17's words each of the chart's series is (its "Net" is net profit per day).
SERIES_WORDS = {"earned": "earned", "collected": "collected", "llm_cost": "LLM cost", "net": "net profit"}


def money_note() -> str:
    """The line under the money chart: each series' label and what it means, in SPEC §17's words."""
    return " · ".join(f"{label}: {MONEY_WORDS[SERIES_WORDS[key]]}" for key, label in MONEY_SERIES) + ". Days in UTC."


def funnel_and_queue(g: Glance) -> list[Bars]:
    """The lead funnel and the task queue as the two bar charts the control room shows beside its money chart."""
    return [Bars("Lead funnel", [(r["stage"], r["count"]) for r in g.funnel]),
            Bars("Task queue", [(status_text(r["status"]), r["count"]) for r in g.queue])]
