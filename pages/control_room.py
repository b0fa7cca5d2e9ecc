"""Control room: headline metrics, Run buttons, and the pipeline's tables (SPEC §5.1)."""

import streamlit as st

from core.agents.registry import OPERATOR_RUNNABLE
from core.agents.runner import run_named_agent
from core.app.demo import seed_demo
from core.approvals.acting import check
from core.console import control_room as cr
from core.console.glance import at_a_glance
from core.errors import Forbidden
from core.money.cents import dollars
from core.money.words import meaning
from core.ops.budget import pool_state
from core.ops.claims import retry_failed_task
from db.statuses import INVOICE_STATUSES, LEAD_STATUSES, TASK_STATUSES
from ui.context import app_context, current_actor
from ui.figures import Figure, count_bars, figure_grid
from ui.format import status_text
from ui.glance import funnel_and_queue, money_chart, money_note
from ui.live import live_fragment
from ui.permits import permit
from ui.tables import paged_table

ctx = app_context()
TZ = ctx.settings.hoss_timezone  # tables show times in the operator's zone

st.title("Control room")


@live_fragment(5)
def _status_options(statuses: tuple[str, ...]) -> tuple[str, ...]:
    """A status filter's options in words, "All" first."""
    return ("All", *(status_text(s) for s in statuses))


def _picked(word: str, statuses: tuple[str, ...]) -> str:
    """The status a filter's word names ("all" for "All")."""
    return next((s for s in statuses if status_text(s) == word), "all")


def metrics_panel() -> None:
    with ctx.sessions() as session:
        m = cr.headline_metrics(session)
    st.session_state["db_empty"] = m.empty
    with ctx.sessions() as session:
        pool = pool_state(session, ctx.settings)
    budget = dollars(pool.budget_cents) if pool.budget_cents is not None else "no cap"
    notes = [f"Ops pool: {pool.running} task(s) in flight across all workers · {pool.pending} pending · "
             f"{pool.failed} failed · {pool.done_today} done today · LLM spend today "
             f"{dollars(pool.spend_today_cents)} (daily budget {budget})"]
    if pool.failed:
        notes.append(f"{pool.failed} failed task(s): open the Tasks tab and filter by failed to see why and retry.")
    # SPEC §17's words, one meaning each: earned, invoiced, collected, gross margin, net profit. One HTML block,
    # not thirteen st.metric elements: the same figures for a fraction of the first paint (ui.figures). Four
    # money figures a row, so none is cut off.
    st.html(figure_grid([[
        Figure("Leads", f"{m.leads:,}"),
        Figure("Customers", f"{m.customers:,}"),
        Figure("Pending tasks", f"{m.tasks_by_status['pending']:,}"),
        Figure("Running tasks", f"{m.tasks_by_status['running']:,}"),
        Figure("Done tasks", f"{m.tasks_by_status['done']:,}"),
    ], [
        Figure("Earned", dollars(m.earned_cents), meaning("earned")),
        Figure("LLM cost", dollars(m.llm_cost_cents), meaning("LLM cost")),
        Figure("Gross margin", dollars(m.gross_margin_cents), meaning("gross margin")),
        Figure("Invoiced", dollars(m.invoiced_cents), meaning("invoiced")),
    ], [
        Figure("Collected", dollars(m.collected_cents), meaning("collected")),
        Figure("Net profit", dollars(m.net_profit_cents), meaning("net profit")),
        Figure("Unpaid invoices", f"{m.unpaid_invoices:,}", "Draft and sent invoices not yet paid."),
        Figure("Unpaid amount", dollars(m.unpaid_cents), "What the draft and sent invoices ask for."),
    ]], notes))
    if pool.budget_exhausted:
        st.warning("The daily LLM budget is spent: the Ops pool makes no new LLM calls today. "
                   "A proposal to raise it is waiting in the Inbox.")


metrics_panel()


def glance_panel() -> None:
    """Money over the last 30 days, the lead funnel and the queue (SPEC §17), one read model each."""
    with ctx.sessions() as session:
        g = at_a_glance(session)
    st.subheader("Last 30 days")
    st.altair_chart(money_chart(g.money), width="stretch")
    # The funnel and the queue are a handful of counts: bars drawn as HTML, not two more vega views (ui.figures).
    st.html(count_bars(funnel_and_queue(g), color=st.get_option("theme.primaryColor") or "",
                       note=money_note()))


if st.session_state.get("db_empty"):
    st.info("No customers or tasks yet. Load 90 days of demo data to see the console at work.")
    seeding = permit("change_settings")
    if st.button("Load demo data", type="primary", disabled=seeding.disabled, help=seeding.help):
        try:
            with st.spinner("Seeding demo data…"), ctx.sessions() as session:
                check(session, current_actor(), "change_settings")
                counts = seed_demo(session)
        except Forbidden as exc:
            st.error(str(exc))
        else:
            st.session_state["db_empty"] = False
            st.toast("Demo data loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
            st.rerun()

st.subheader("Run an agent")
running = permit("run_agent")
for col, agent in zip(st.columns(len(OPERATOR_RUNNABLE)), OPERATOR_RUNNABLE, strict=True):
    if col.button(agent.label, key=f"run_{agent.name}", width="stretch", disabled=running.disabled,
                  help=running.help):
        try:
            with st.spinner(f"{agent.label}…"):
                st.session_state["last_run"] = run_named_agent(ctx, agent.name, trigger="manual",
                                                               actor=current_actor())
        except Forbidden as exc:
            st.error(str(exc))
if running.help:
    st.caption(running.help)
if result := st.session_state.get("last_run"):
    box = st.success if result.status == "succeeded" else st.info if result.status == "skipped" else st.error
    box(f"{result.agent.replace('_', ' ')}: {status_text(result.status).lower()} — {result.summary} "
        f"(run {result.run_id})")
    if result.lines:
        st.code("\n".join(result.lines), language=None)
st.caption(
    "Agents also run on a background schedule (`python -m core scheduler`, started by `make run`). "
    "Outbound email is real only when SMTP or SendGrid is configured; otherwise sends are dry runs "
    "that record what would have gone out."
)

# Lazy tabs: only the open tab's queries run and only its charts or table are sent (each closed tab's dataframe
# cost the page's first render as much as an open one; docs/decisions.md). A closed tab's filters start afresh.
# The page opens on the charts; the tables are one click away.
glance_tab, leads_tab, customers_tab, tasks_tab, invoices_tab, runs_tab = st.tabs(
    ["At a glance", "Leads", "Customers", "Tasks", "Invoices", "Agent runs"], key="control_room_tab",
    on_change="rerun")

if glance_tab.open:
    with glance_tab:
        glance_panel()

if leads_tab.open:
    with leads_tab:
        f1, f2 = st.columns([1, 2])
        lead_status = _picked(f1.selectbox("Status", _status_options(LEAD_STATUSES), key="lead_status"), LEAD_STATUSES)
        lead_search = f2.text_input("Search company or email", key="lead_search")
        with ctx.sessions() as session:
            page = paged_table("leads", lambda p: cr.list_leads(session, status=lead_status, search=lead_search, page=p),
                               timezone=TZ)
        markable = [r for r in page.rows if r["status"] in ("new", "contacted")]
        if markable:
            c1, c2 = st.columns([3, 1])
            chosen = c1.selectbox("Lead that replied", markable, format_func=lambda r: f"#{r['id']} {r['company']}",
                                  key="lead_to_mark")
            marking = permit("add_task")
            if c2.button("Mark responded", key="mark_responded", disabled=marking.disabled, help=marking.help):
                try:
                    with ctx.sessions.begin() as session:
                        cr.mark_lead_responded(session, chosen["id"], current_actor())
                except Forbidden as exc:
                    st.error(str(exc))
                else:
                    st.toast(f"Lead #{chosen['id']} marked responded; Onboarding will pick it up.")
                    st.rerun()

if customers_tab.open:
    with customers_tab:
        with ctx.sessions() as session:
            paged_table("customers", lambda p: cr.list_customers(session, page=p), timezone=TZ,
                        column_config={"view": st.column_config.LinkColumn("view", display_text="open")})

if tasks_tab.open:
    with tasks_tab:
        task_status = _picked(st.selectbox("Status", _status_options(TASK_STATUSES), key="task_status"), TASK_STATUSES)
        with ctx.sessions() as session:
            tasks_page = paged_table("tasks", lambda p: cr.list_tasks(session, status=task_status, page=p), timezone=TZ,
                                     money=("reward_cents", "cost_cents", "profit_cents"),
                                     column_config={"view": st.column_config.LinkColumn("view", display_text="open")})
        failed = [r for r in tasks_page.rows if r["status"] == "failed"]
        if failed:
            c1, c2 = st.columns([3, 1])
            to_retry = c1.selectbox("Failed task", failed, key="task_to_retry",
                                    format_func=lambda r: f"#{r['id']} {r['customer']}: {(r['last_error'] or '')[:80]}")
            retrying = permit("run_agent")
            if c2.button("Retry task", key="retry_task", disabled=retrying.disabled, help=retrying.help):
                try:
                    with ctx.sessions() as session:
                        retry_failed_task(session, to_retry["id"], current_actor())
                except Forbidden as exc:
                    st.error(str(exc))
                else:
                    st.toast(f"Task #{to_retry['id']} is pending again; the Ops pool will pick it up.")
                    st.rerun()

if invoices_tab.open:
    with invoices_tab:
        invoice_status = _picked(st.selectbox("Status", _status_options(INVOICE_STATUSES), key="invoice_status"),
                                 INVOICE_STATUSES)
        with ctx.sessions() as session:
            paged_table("invoices", lambda p: cr.list_invoices(session, status=invoice_status, page=p),
                        money=("amount_cents",), timezone=TZ,
                        column_config={"link_created": st.column_config.CheckboxColumn("link created")})

if runs_tab.open:
    with runs_tab:
        with ctx.sessions() as session:
            paged_table("runs", lambda p: cr.list_agent_runs(session, page=p), timezone=TZ,
                        column_config={"duration_s": st.column_config.NumberColumn("duration (s)", format="%.1f")})
