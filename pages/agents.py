"""Agents: the registry (spec, enabled, interval), Run now, run history, and the money/approval settings."""

from __future__ import annotations

import re

import streamlit as st

from core.agents.registry import (
    AGENT_NAMES,
    InvalidAgentUpdate,
    UnknownRegistryAgent,
    ensure_agent_registry,
    list_agents,
    update_agent,
)
from core.agents.runner import run_named_agent
from core.approvals.acting import set_cash_balance, set_daily_budget_cents
from core.config.store import InvalidSettingValue, get_cash_balance, get_daily_budget_cents, parse_cents
from core.console.runs import agent_run_page
from core.errors import Forbidden
from core.money.cents import amount_text
from ui.context import app_context, current_actor
from ui.decisions import operators_section
from ui.google import render_google_section
from ui.live import live_fragment
from ui.permits import permit
from ui.policies import render_policy_settings
from ui.safe import md_escape

_PLAIN_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")

ctx = app_context()
st.title("Agents")
st.caption("The registry, manual runs and settings. The scheduler reads enabled and interval on every tick.")

with ctx.sessions() as session:
    agents = list_agents(session)
    if not set(AGENT_NAMES) <= {a.name for a in agents}:  # first start, or a built-in agent is missing
        ensure_agent_registry(session, ctx.settings)
        session.commit()
        agents = list_agents(session)


def _run(name: str) -> None:
    try:
        result = run_named_agent(ctx, name, trigger="manual", actor=current_actor())
        st.session_state["agents_last_run"] = (name, result.status, result.summary, result.run_id, result.lines)
    except Forbidden as exc:  # the table refused the operator's role: its sentence, not the error's class
        st.session_state["agents_last_run"] = (name, "not started", str(exc), None, ())
    except Exception as exc:  # a run that cannot start is shown, not a crashed page
        st.session_state["agents_last_run"] = (name, "not started", f"{type(exc).__name__}: {exc}", None, ())


last = st.session_state.get("agents_last_run")
if last:
    name, status, summary, run_id, lines = last
    box = st.container(border=True, key="agents_last_run_box")
    (box.success if status in ("succeeded", "skipped") else box.error)(
        f"Last manual run: {md_escape(name)} — {md_escape(status)}"
    )
    box.text(f"{summary}" + (f" (run {run_id})" if run_id else ""))
    if lines:
        box.code("\n".join(lines), language=None)

running, configuring = permit("run_agent"), permit("change_settings")
if running.help:
    st.caption(running.help)
for spec in agents:
    # Labels render as Markdown, so only a plain identifier goes in one; any other name is shown as text inside.
    shown = spec.name.replace("_", " ") if _PLAIN_NAME.fullmatch(spec.name) else "agent with an unusual name"
    # Lazy: a closed agent's form and schema are not built or sent (each cost the first render as if open).
    box = st.expander(f"{shown} · {'enabled' if spec.enabled else 'disabled'}", key=f"agent_box_{spec.name}",
                      on_change="rerun")
    if not box.open:
        continue
    with box:
        left, right = st.columns([3, 2])
        with left:
            if shown != spec.name.replace("_", " "):
                st.text(f"name: {spec.name}")
            st.text(spec.description)
            st.text(f"version {spec.version} · runs via {spec.execution_method}")
            st.text("capabilities: " + ", ".join(spec.capabilities))
            st.caption("Input schema")
            st.json(spec.input_schema, expanded=False)
        with right:
            with st.form(f"agent_edit_{spec.name}"):
                enabled = st.toggle("Enabled", value=spec.enabled)
                interval = st.number_input("Interval (seconds)", min_value=1, step=1,
                                           value=int(spec.interval_seconds or 60))
                if st.form_submit_button("Save", disabled=configuring.disabled, help=configuring.help):
                    try:
                        with ctx.sessions.begin() as s:
                            update_agent(s, spec.name, enabled=enabled, interval_seconds=int(interval),
                                         actor=current_actor())
                        st.rerun()
                    except (InvalidAgentUpdate, UnknownRegistryAgent, Forbidden) as exc:
                        st.error("Not saved.")
                        st.text(str(exc))
            if spec.name in AGENT_NAMES:
                st.button(f"Run {shown} now", key=f"run_{spec.name}", on_click=_run, args=(spec.name,),
                          type="primary", disabled=running.disabled, help=running.help)

# Lazy tabs: only the open tab's queries run and only its elements are sent (each section's forms, radios and
# tables cost the first render of the page as if shown).
history_tab, settings_tab, policies_tab, google_tab = st.tabs(
    ["Run history", "Settings", "Approval policies", "Google Workspace"], key="agents_tab", on_change="rerun")


@live_fragment(5)
def run_history(agent_filter: str) -> None:
    """Newest runs first; refreshes itself every few seconds while the page is open."""
    cursor = st.session_state.setdefault("runs_cursor", [None])
    with ctx.sessions() as s:
        page = agent_run_page(s, agent=None if agent_filter == "(all)" else agent_filter,
                              limit=25, before_id=cursor[-1])
    st.dataframe(list(page.rows), hide_index=True, width="stretch",
                 column_config={"duration_s": st.column_config.NumberColumn("duration (s)", format="%.3f")})
    c1, c2, _ = st.columns([1, 1, 6])
    if c1.button("Newer", disabled=len(cursor) == 1, key="runs_newer"):
        cursor.pop()
        st.rerun(scope="fragment")
    if c2.button("Older", disabled=page.next_before_id is None, key="runs_older"):
        cursor.append(page.next_before_id)
        st.rerun(scope="fragment")


def money_settings() -> None:
    """The daily LLM budget and the cash balance for runway, in dollars."""
    with ctx.sessions() as session:
        budget_now, cash_now = get_daily_budget_cents(session, ctx.settings), get_cash_balance(session)
    with st.form("money_settings"):
        st.caption("Amounts in dollars. A blank daily budget falls back to OPS_DAILY_BUDGET_CENTS (none when unset).")
        budget = st.text_input("Daily LLM budget ($)", value=amount_text(budget_now))
        cash = st.text_input("Cash balance for runway ($)", value=amount_text(cash_now))
        saving = permit("change_settings")
        if st.form_submit_button("Save settings", disabled=saving.disabled, help=saving.help):
            try:
                budget_cents = parse_cents(budget, field="Daily LLM budget")
                cash_cents = parse_cents(cash, field="Cash balance")
                with ctx.sessions.begin() as s:
                    set_daily_budget_cents(s, budget_cents, current_actor())
                    set_cash_balance(s, cash_cents, current_actor())
                st.success("Settings saved.")
            except (InvalidSettingValue, Forbidden) as exc:
                st.error("Not saved.")
                st.text(str(exc))


if history_tab.open:
    with history_tab:
        # Pills, not a select box: every agent in view at one click, and no select box bundle on a cold load.
        run_history(st.pills("Agent", ["(all)"] + sorted({a.name for a in agents} | set(AGENT_NAMES)),
                             default="(all)", required=True, key="runs_agent",
                             format_func=lambda n: "All" if n == "(all)" else n.replace("_", " ")))
if settings_tab.open:
    with settings_tab:
        money_settings()
if policies_tab.open:
    with policies_tab:
        render_policy_settings(ctx)
        operators_section(ctx)
if google_tab.open:
    with google_tab:
        render_google_section(ctx)
