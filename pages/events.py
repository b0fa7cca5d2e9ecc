"""Events & ledger: the Stripe events and what they made; the cash balance; the bank CSV import."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.approvals.acting import import_bank_csv, set_cash_balance
from core.config.store import InvalidSettingValue, get_cash_balance
from core.errors import Forbidden
from core.events.processor import list_events
from core.money.cents import cents_from_dollars, dollars, to_dollars
from core.money.ledger import preview_bank_csv
from db.statuses import EVENT_STATUSES
from ui.context import app_context, current_actor
from ui.permits import permit
from ui.tables import page_for_filter, pager
from ui.text_popover import text_popover

PAGE_SIZE = 50
ctx = app_context()
st.title("Events & ledger")


def _age(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


# Lazy tabs: only the open tab runs and renders (a closed tab cost the first render as much as an open one).
events_tab, ledger_tab = st.tabs(["Events", "Ledger"], key="events_tab", on_change="rerun")

if events_tab.open:
    with events_tab:
        # Every status in view at one click, and Previous/Next as on the other paged tables.
        left, mid = st.columns([2, 1], vertical_alignment="bottom")
        status = left.segmented_control("Status", ["all", *EVENT_STATUSES], default="all", required=True,
                                        key="events_status")
        with mid:  # the type in a popover, not a text input in view (its bundle on every cold load, issue 16)
            type_ = text_popover("events_type_box", "Search by type", {"events_type": "Type"},
                                 placeholders={"events_type": "e.g. invoice.payment_failed"})["events_type"]
        page_no = page_for_filter("events", (status, type_))
        with ctx.sessions() as session:
            page = list_events(session, status=None if status == "all" else status, type_=type_ or None,
                               limit=PAGE_SIZE, offset=(int(page_no) - 1) * PAGE_SIZE)
        of = "" if page.more else f" of {max(1, -(-page.total // PAGE_SIZE))}"
        st.caption(f"{'more than ' if page.more else ''}{page.total:,} event(s); page {page_no}{of}. "
                   "Proposal ids refer to the Inbox.")
        st.dataframe(
            pd.DataFrame(
                [{"id": r.id, "type": r.type, "status": r.status, "age": _age(r.age_seconds), "attempts": r.attempts,
                  "error": r.error or "", "proposals": [f"#{p}" for p in r.proposal_ids]} for r in page.rows],
                columns=["id", "type", "status", "age", "attempts", "error", "proposals"],
            ),
            hide_index=True,
            column_config={"proposals": st.column_config.ListColumn("proposals")},
        )
        pager("events", page_no, page_no * PAGE_SIZE < page.total)

if ledger_tab.open:
    with ledger_tab:
        st.subheader("Cash balance")
        with ctx.sessions() as session:
            current = get_cash_balance(session)
        st.text(f"Current: {'not set' if current is None else dollars(current)} (runway is computed from it)")
        money = permit("change_settings")
        if money.help:
            st.caption(money.help)
        with st.form("cash"):
            amount = st.number_input("Cash balance ($)", value=to_dollars(current or 0), step=100.0, format="%.2f")
            if st.form_submit_button("Save cash balance", disabled=money.disabled, help=money.help):
                cents = cents_from_dollars(amount)
                try:
                    with ctx.sessions.begin() as session:
                        set_cash_balance(session, cents, current_actor())
                    st.success(f"Cash balance set to {dollars(cents)}.")
                except (InvalidSettingValue, Forbidden) as exc:
                    st.error(str(exc))

        st.subheader("Import bank transactions")
        st.caption("CSV with columns date (YYYY-MM-DD), description, amount (negative = money out). "
                   "Lines already imported are skipped; any bad line stops the whole import.")
        upload = st.file_uploader("Bank CSV", type=["csv"])
        if upload is not None:
            try:
                content = upload.getvalue().decode("utf-8-sig")
            except UnicodeDecodeError:
                st.error("The file is not UTF-8 text; export it as CSV (UTF-8) and try again.")
                content = None
            if content is not None:
                preview = preview_bank_csv(content)
                if preview.errors:
                    st.error(f"{len(preview.errors)} bad line(s); nothing will be imported until they are fixed:")
                    st.code("\n".join(preview.errors), language=None)
                st.dataframe(
                    pd.DataFrame(
                        [{"line": r.line, "date": r.occurred_on.isoformat(), "description": r.description,
                          "direction": r.direction, "amount": dollars(r.amount_cents), "category": r.category}
                         for r in preview.rows],
                        columns=["line", "date", "description", "direction", "amount", "category"],
                    ),
                    hide_index=True,
                )
                if st.button("Import", disabled=money.disabled or bool(preview.errors) or not preview.rows,
                             help=money.help):
                    try:
                        with ctx.sessions() as session:
                            result = import_bank_csv(session, content, current_actor())
                    except Forbidden as exc:
                        st.error(str(exc))
                        st.stop()
                    if result.errors:
                        st.error("Nothing imported:")
                        st.code("\n".join(result.errors), language=None)
                    else:
                        st.success(f"Imported {result.imported} transaction(s); skipped {result.duplicates} duplicate(s).")
