"""The Agents page's Google section: Connect / Disconnect (SPEC §15) and each customer's delivery settings."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import streamlit as st

from core.approvals.acting import disconnect, start_connect
from core.approvals.google_delivery import list_customer_delivery, set_customer_delivery
from core.config.context import AppContext
from core.errors import HossError
from core.integrations.connection import STATE_TTL, google_status
from db.statuses import DELIVERY_MODES
from ui.context import current_actor
from ui.permits import permit

_DELIVERY_LABELS = {"email": "email (SMTP / SendGrid)", "gmail_draft": "Gmail draft (the founder sends it)"}


def _connect(ctx: AppContext) -> None:
    with ctx.sessions() as session:
        try:
            st.session_state["google_consent_url"] = start_connect(session, ctx.settings, current_actor())
            session.commit()
        except HossError as exc:
            st.session_state["google_message"] = str(exc)


def _disconnect(ctx: AppContext) -> None:
    with ctx.sessions() as session:
        try:
            revoked = disconnect(session, ctx.settings, current_actor())
            session.commit()
        except HossError as exc:
            st.session_state["google_message"] = str(exc)
            return
    st.session_state.pop("google_consent_url", None)
    st.session_state["google_message"] = "Google disconnected" + (
        "; the grant is revoked at Google." if revoked else "; Google did not confirm the revocation.")


def render_google_section(ctx: AppContext) -> None:
    """Connection status with Connect (disabled with the reason when not configured) or Disconnect."""
    with ctx.sessions() as session:
        status = google_status(session, ctx.settings)
    if message := st.session_state.pop("google_message", None):
        st.info(message)
    may = permit("connect_google")
    if may.help:
        st.caption(may.help)
    if status.connected:
        shown = status.email or "an account this key cannot read"
        since = status.connected_at.astimezone(ZoneInfo(ctx.settings.hoss_timezone)) if status.connected_at else None
        st.text(f"Connected as {shown}" + (f" since {since:%Y-%m-%d %H:%M %Z}" if since else "")
                + " (scopes: Gmail compose, Sheets).")
        if status.problem:
            st.warning(status.problem)
        st.button("Disconnect Google", key="google_disconnect", on_click=_disconnect, args=(ctx,),
                  disabled=may.disabled, help=may.help)
    else:
        st.text("Not connected. Connecting lets approved deliveries wait as Gmail drafts and done tasks add "
                "a row to the customer's sheet.")
    if status.blocker:
        st.button("Connect Google", key="google_connect", disabled=True)
        st.caption(status.blocker)
    elif not status.connected or status.problem:
        label = "Connect Google again" if status.connected else "Connect Google"
        st.button(label, key="google_connect", on_click=_connect, args=(ctx,), disabled=may.disabled, help=may.help)
        if url := st.session_state.get("google_consent_url"):
            st.link_button("Continue to Google's consent page", url)
            st.caption(f"The link is good once, for {int(STATE_TTL.total_seconds() // 60)} minutes.")
    _render_customer_delivery(ctx)


def _render_customer_delivery(ctx: AppContext) -> None:
    with ctx.sessions() as session:
        customers = list_customer_delivery(session)
    st.markdown("**Customer delivery**")
    if not customers:
        st.caption("No customers yet.")
        return
    names = {cid: f"{company} (#{cid})" for cid, company, _, _ in customers}
    chosen = st.selectbox("Customer", list(names), format_func=names.get, key="google_customer")
    _, _, delivery, sheet_id = next(c for c in customers if c[0] == chosen)
    with st.form(f"google_delivery_{chosen}"):
        mode = st.radio("Deliver finished work by", DELIVERY_MODES, index=DELIVERY_MODES.index(delivery),
                        format_func=_DELIVERY_LABELS.get, horizontal=True)
        sheet = st.text_input("Google Sheet (URL or id; blank: no sheet)", value=sheet_id or "")
        st.caption("With a sheet, each done task proposes one row: date, task, worker, cost, earned, task id.")
        delivering = permit("change_plan")
        if st.form_submit_button("Save delivery", disabled=delivering.disabled, help=delivering.help):
            with ctx.sessions() as session:
                try:
                    set_customer_delivery(session, chosen, mode, sheet, current_actor())
                    session.commit()
                    st.success("Delivery saved.")
                except HossError as exc:
                    st.error("Not saved.")
                    st.text(str(exc))
