"""The give-a-task form (SPEC §20), one for the Workforce page (to that worker) and the Customers page (to a chosen
worker or the Ops prompt): both call core.workforce.intake.give_task, which applies the plan's cap."""

from __future__ import annotations

import streamlit as st

from core.config.store import parse_cents
from core.errors import HossError
from core.workforce.intake import DEFAULT_REWARD_CENTS, give_task, give_task_choices
from ui.context import app_context, current_actor
from ui.permits import permit

OPS_PROMPT = "The Ops prompt (no worker)"


def give_task_form(key: str, *, worker: str | None = None, customer_id: int | None = None) -> None:
    """A form giving one task: to `worker` (Workforce) or for `customer_id` (Customers), the other one chosen."""
    if message := st.session_state.pop(f"give_task_flash_{key}", None):
        (st.success if message[0] else st.error)(message[1])
    with app_context().sessions() as session:
        customers, workers = give_task_choices(session)
    if not customers:
        st.text("No customers yet: a task is always for a customer.")
        return
    may = permit("add_task")
    with st.form(f"give_task_{key}", clear_on_submit=True):
        if customer_id is None:
            names = {cid: company for cid, company in customers}
            chosen_customer = st.selectbox("For customer", list(names), format_func=lambda c: f"{names[c]} (#{c})")
        else:
            chosen_customer = customer_id
        if worker is None:
            chosen_worker = st.selectbox("Worker", [OPS_PROMPT, *workers])
        else:
            chosen_worker = worker
        description = st.text_area("What to do", max_chars=4000)
        reward = st.text_input("Reward (what it earns, in dollars)", value=f"{DEFAULT_REWARD_CENTS / 100:.2f}")
        st.caption("Over the customer's monthly cap the task is held, not dropped, and an upgrade is proposed.")
        if st.form_submit_button("Give the task", type="primary", disabled=may.disabled, help=may.help):
            agent = None if chosen_worker == OPS_PROMPT else chosen_worker
            try:
                cents = parse_cents(reward, field="Reward")
                cents = DEFAULT_REWARD_CENTS if cents is None else cents
                with app_context().sessions() as session:
                    given = give_task(session, customer_id=int(chosen_customer), description=description,
                                      actor=current_actor(), agent=agent, reward_cents=cents)
                    session.commit()
                st.session_state[f"give_task_flash_{key}"] = (True, given.message)
            except HossError as exc:
                st.session_state[f"give_task_flash_{key}"] = (False, f"Not given: {exc}")
            st.rerun()
    if may.help:
        st.caption(may.help)
