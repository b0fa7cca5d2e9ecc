"""Customers (SPEC §13): each customer on its plan this month, one customer in detail, the plans and budgets."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.approvals.acting import set_max_cost_share_pct, set_roi_hourly_rate_cents
from core.config.store import get_max_cost_share_pct, get_roi_hourly_rate_cents, parse_cents
from core.console.customers import budget_lines, customer_detail, customer_lines
from core.errors import HossError, InvalidInput
from core.money.cents import amount_text, dollars, to_dollars
from core.plans.budgets import set_customer_budget
from core.plans.catalogue import PlanRow, change_customer_plan, create_plan, list_plans, update_plan
from core.plans.portal import propose_billing_portal
from ui.context import app_context, current_actor
from ui.give_task import give_task_form
from ui.memory import memory_section
from ui.permits import permit
from ui.safe import md_escape
from ui.tables import readable_table, selection_key

ctx = app_context()
MONEY = st.column_config.NumberColumn(format="$%.2f")

st.title("Customers")
st.caption("Every customer's month (UTC) on its plan: tasks used against the plan's cap, held tasks (over the cap, "
           "never dropped), LLM spend, earned (rewards of done tasks), gross margin (earned − LLM cost) and ROI "
           "(net value: the workers' human minutes saved at the hourly rate, minus LLM cost).")


def _say(message: str, ok: bool = True) -> None:
    st.session_state["customers_message"] = (ok, message)


def _act(fn) -> None:  # noqa: ANN001 - a callable doing one audited change in a session
    try:
        with ctx.sessions() as session:
            message = fn(session)
            session.commit()
        _say(message)
    except HossError as exc:
        _say(str(exc), ok=False)


def _int_or_blank(raw: str, field: str) -> int | None:
    raw = (raw or "").strip()
    if raw == "":
        return None
    if not raw.isdigit():
        raise InvalidInput(f"{field} must be a whole number, or blank")
    return int(raw)


def _customer_actions(chosen: int, head: dict[str, Any], plans: tuple[PlanRow, ...]) -> None:
    """The billing portal link, the plan change and the monthly LLM budget of one customer (each audited)."""
    may = permit("change_plan")
    if may.help:
        st.caption(may.help)
    a1, a2, a3 = st.columns(3)
    no_stripe = None if head["stripe_customer_id"] else ("Not possible yet: this customer has no Stripe customer; "
                                                          "it arrives with its first subscription.")
    a1.button("Send billing portal link", key="customers_portal",
              disabled=may.disabled or no_stripe is not None,
              help=may.help or no_stripe or "Drafts an email in the Inbox; Stripe makes the portal URL when it is sent.",
              on_click=_act, args=(lambda s: f"Proposal {propose_billing_portal(s, chosen, current_actor())} "
                                   "(billing portal email) is in the Inbox.",))
    if no_stripe and not may.disabled:
        a1.caption(no_stripe)
    plan_names = [p.name for p in plans]
    new_plan = a2.selectbox("Plan", plan_names, index=plan_names.index(head["plan"]) if head["plan"] in plan_names
                            else 0, key="customers_new_plan")

    def _change_plan(session) -> str:  # noqa: ANN001
        released = change_customer_plan(session, chosen, str(new_plan), current_actor(), source="operator")
        return f"Plan set to {new_plan}; {len(released)} held task(s) released."

    a2.button("Change plan", key="customers_change_plan", on_click=_act, args=(_change_plan,),
              disabled=may.disabled or new_plan == head["plan"], help=may.help)
    budget_text = a3.text_input("Monthly LLM budget ($, blank = none)", value=amount_text(head["monthly_budget_cents"]),
                                key=f"customers_budget_{chosen}")

    def _set_budget(session) -> str:  # noqa: ANN001
        cents = parse_cents(budget_text, field="Monthly LLM budget")
        set_customer_budget(session, chosen, cents, current_actor())
        return f"Monthly LLM budget set to {dollars(cents) if cents is not None else 'none'}."

    a3.button("Save budget", key="customers_save_budget", on_click=_act, args=(_set_budget,), disabled=may.disabled,
              help=may.help)


with ctx.sessions() as session:
    lines = customer_lines(session)
    plans = list_plans(session)  # the detail's plan choice and the Plans section
    session.rollback()

said = st.session_state.pop("customers_message", None)
if said:
    (st.success if said[0] else st.error)(md_escape(said[1]))

ids = [c.customer_id for c in lines]
table = st.dataframe(
    pd.DataFrame([{
        "id": c.customer_id, "customer": c.company, "plan": c.plan, "usage": c.usage_fraction,
        "used": f"{c.used} / {'∞' if c.cap is None else c.cap}", "held": c.held,
        "spend": to_dollars(c.spend_cents), "projected spend": to_dollars(c.projected_spend_cents),
        "LLM budget": to_dollars(c.budget_cents), "earned": to_dollars(c.earned_cents),
        "margin": to_dollars(c.margin_cents), "ROI (net value)": to_dollars(c.net_value_cents),
        "subscription": c.subscription_status or "",
    } for c in lines], columns=["id", "customer", "plan", "usage", "used", "held", "spend", "projected spend",
                                "LLM budget", "earned", "margin", "ROI (net value)", "subscription"]),
    hide_index=True, width="stretch", key=selection_key("customers_table", ids),
    on_select="rerun", selection_mode="single-row",
    column_config={"usage": st.column_config.ProgressColumn("usage this month", min_value=0.0, max_value=1.0,
                                                            format="percent"),
                   "spend": MONEY, "projected spend": MONEY, "LLM budget": MONEY, "earned": MONEY, "margin": MONEY,
                   "ROI (net value)": MONEY},
)

# The row clicked, else ?customer=ID (the control room's "open" link). A row, not a select box, and no detail until
# one is chosen: a cold load carries one table and no select box (their frontend bundles, issue 16).
clicked = [ids[i] for i in table.selection.rows if i < len(ids)]
linked = str(st.query_params.get("customer", ""))
chosen = clicked[0] if clicked else int(linked) if linked.isascii() and linked.isdigit() and int(linked) in ids else None
if chosen is None:
    if lines:
        st.caption("Click a customer's row to see its tasks, invoices and plan history, and to change its plan or "
                   "budget.")
else:
    st.subheader("Customer detail")
    with ctx.sessions() as session:
        detail = customer_detail(session, chosen)
    head = detail.head
    st.text(f"#{chosen} {head['company']} · {head['contact_email'] or 'no contact email'} · plan {head['plan']} · "
            f"subscription {head['subscription_status'] or 'none'} · Stripe customer "
            f"{head['stripe_customer_id'] or 'none'}")
    # Lazy, like Plans and Budgets below: the changes a customer rarely needs are built only when opened (their
    # selectbox, text input and buttons cost every first load of the page, issue 16).
    actions = st.expander("Change plan or budget, send the billing portal", key="customers_actions_box",
                          on_change="rerun")
    if actions.open:
        with actions:
            _customer_actions(chosen, head, plans)
    # Lazy tabs: only the open tab's table is sent (a closed tab cost the first render as much as an open one).
    t1, t2, t3, t4, t5 = st.tabs(["Tasks", "Invoices", "Plan history", "What we have learned", "Give a task"],
                                 key="customers_detail_tab", on_change="rerun")
    tz = ctx.settings.hoss_timezone
    if t1.open:
        with t1:
            readable_table([{**t, "view": f"task?task={t['id']}"} for t in detail.tasks],
                           ("id", "view", "description", "status", "agent", "reward_cents", "cost_cents",
                            "held_reason", "last_error", "created_at", "completed_at"),
                           money=("reward_cents", "cost_cents"), timezone=tz,
                           column_config={"view": st.column_config.LinkColumn("view", display_text="open")})
    if t2.open:
        with t2:
            readable_table(detail.invoices, ("id", "amount_cents", "status", "link_created", "created_at", "sent_at",
                                             "paid_at"), money=("amount_cents",), timezone=tz)
    if t3.open:
        with t3:
            readable_table([h.__dict__ for h in detail.history], ("changed_at", "from_plan", "to_plan", "source",
                                                                 "stripe_event_id", "subscription_status"), timezone=tz)
    if t4.open:
        with t4:
            memory_section(chosen)
    if t5.open:
        with t5:
            give_task_form(f"customer_{chosen}", customer_id=chosen)

def plans_section() -> None:
    """The plans: their caps and prices, an edit form and an add form (all audited)."""
    # The cap column is text throughout: Arrow cannot hold numbers beside "unlimited" (it logged a traceback).
    st.dataframe(pd.DataFrame([{"plan": p.name, "monthly task cap": "unlimited" if p.monthly_task_cap is None
                                else str(p.monthly_task_cap), "price / month": to_dollars(p.monthly_price_cents),
                                "Stripe price id": p.stripe_price_id or "", "customers": p.customers} for p in plans],
                              columns=["plan", "monthly task cap", "price / month", "Stripe price id", "customers"]),
                 hide_index=True, width="stretch", column_config={"price / month": MONEY})
    with st.form("customers_plan_form"):
        st.caption("Edit a plan (audited). A larger cap releases held tasks at once; a subscription's price id is "
                   "how Stripe webhooks name the plan.")
        by_name = {p.name: p for p in plans}
        f1, f2, f3, f4 = st.columns(4)
        edit = f1.selectbox("Plan", list(by_name), key="customers_edit_plan")
        current = by_name[edit]
        cap_text = f2.text_input("Monthly task cap (blank = unlimited)", value="" if current.monthly_task_cap is None
                                 else str(current.monthly_task_cap))
        price_text = f3.text_input("Price per month ($)", value=amount_text(current.monthly_price_cents))
        price_id = f4.text_input("Stripe price id", value=current.stripe_price_id or "")
        editing = permit("change_plan")
        if st.form_submit_button("Save plan", disabled=editing.disabled, help=editing.help):
            def _save(session) -> str:  # noqa: ANN001
                released = update_plan(session, edit, monthly_task_cap=_int_or_blank(cap_text, "Monthly task cap"),
                                       monthly_price_cents=parse_cents(price_text, field="Price") or 0,
                                       stripe_price_id=price_id, actor=current_actor())
                return f"Plan {edit} saved; {released} held task(s) released."
            _act(_save)
            st.rerun()
    with st.form("customers_new_plan_form"):
        st.caption("Add a plan")
        n1, n2, n3, n4 = st.columns(4)
        name = n1.text_input("Name (lowercase)")
        new_cap = n2.text_input("Monthly task cap (blank = unlimited)")
        new_price = n3.text_input("Price per month ($)")
        new_price_id = n4.text_input("Stripe price id")
        adding = permit("change_plan")
        if st.form_submit_button("Add plan", disabled=adding.disabled, help=adding.help):
            def _add(session) -> str:  # noqa: ANN001
                create_plan(session, name, monthly_task_cap=_int_or_blank(new_cap, "Monthly task cap"),
                            monthly_price_cents=parse_cents(new_price, field="Price") or 0,
                            stripe_price_id=new_price_id, actor=current_actor())
                return f"Plan {name} added."
            _act(_add)
            st.rerun()


def budgets_section() -> None:
    """Every monthly LLM cap with its month so far and projection; the cost-share ceiling and the ROI rate."""
    with ctx.sessions() as session:
        caps = budget_lines(session)
        share_pct = get_max_cost_share_pct(session, ctx.settings)
        hourly = get_roi_hourly_rate_cents(session)
        session.rollback()
    st.caption("Monthly LLM caps per customer and per worker: a call that could cross a cap waits for next month or "
               "a higher cap; the Inbox gets one review at 80 % and one at 100 % of each cap a month.")
    st.dataframe(pd.DataFrame([{"scope": b.scope, "who": b.name, "cap": to_dollars(b.cap_cents),
                                "spent this month": to_dollars(b.spent_cents),
                                "projected month end": to_dollars(b.projected_cents), "used %": b.used_pct}
                               for b in caps],
                              columns=["scope", "who", "cap", "spent this month", "projected month end", "used %"]),
                 hide_index=True, width="stretch",
                 column_config={"cap": MONEY, "spent this month": MONEY, "projected month end": MONEY})
    with st.form("customers_settings_form"):
        s1, s2 = st.columns(2)
        pct_text = s1.text_input("Max LLM cost per task, % of its reward (blank = none)",
                                 value="" if share_pct is None else str(share_pct))
        rate_text = s2.text_input("ROI hourly rate ($ per hour of a person's time)", value=amount_text(hourly))
        saving = permit("change_settings")
        if st.form_submit_button("Save settings", disabled=saving.disabled, help=saving.help):
            def _settings(session) -> str:  # noqa: ANN001
                set_max_cost_share_pct(session, _int_or_blank(pct_text, "Max LLM cost share"), current_actor())
                set_roi_hourly_rate_cents(session, parse_cents(rate_text, field="ROI hourly rate"), current_actor())
                return "Budget settings saved."
            _act(_settings)
            st.rerun()


# Lazy: plans and budgets are read and sent only when opened (their tables and forms cost every first load).
for title, key, section in (("Plans", "customers_plans_box", plans_section),
                            ("Budgets", "customers_budgets_box", budgets_section)):
    box = st.expander(title, key=key, on_change="rerun")
    if box.open:
        with box:
            section()
