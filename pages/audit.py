"""Audit: the append-only log, filtered and paginated in SQL, exported as CSV, with a chain verification."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import streamlit as st

from core.audit.chain import verify_audit_chain
from core.audit.seal import AuditKey
from core.audit.view import MAX_EXPORT_ROWS, AuditFilter, BadFilter, audit_csv, audit_entities, audit_page
from core.audit.witness import witness_path
from db.statuses import ACTOR_TYPES
from ui.context import app_context
from ui.text_popover import text_popover

PAGE_SIZE = 50
ANY = "(any)"

ctx = app_context()
st.title("Audit log")
st.caption("Every status change, decision and setting edit, newest first. Rows are hash-chained by the database, "
           "each new head is anchored outside the log, and Verify chain keeps a witness of the head outside the database "
           "(sealed with HOSS_SECRET_KEY when it is set).")

with ctx.sessions() as session:
    entities = audit_entities(session)

# Pills and a segmented control, not select boxes: every option in view at one click.
entity = st.pills("Entity", [ANY, *entities], default=ANY, required=True, key="audit_entity")
c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
actor_type = c1.segmented_control("Actor type", [ANY, *ACTOR_TYPES], default=ANY, required=True,
                                  key="audit_actor_type")
with c2:  # the ids in a popover, not text inputs in view (their frontend bundle on every cold load, issue 16)
    ids = text_popover("audit_ids_box", "Search by entity or actor id",
                       {"audit_entity_id": "Entity id", "audit_actor_id": "Actor id"})
entity_id, actor_id = ids["audit_entity_id"], ids["audit_actor_id"]
# Whole UTC days, so a filter reads the same on every rerun (a moving "now" would restart the paging each time).
# The date inputs show only for a range.
WHEN_DAYS = {"any time": None, "today": 1, "last 7 days": 7, "last 30 days": 30}
BETWEEN = "between dates"
when = st.segmented_control("When (UTC)", [*WHEN_DAYS, BETWEEN], default="any time", required=True, key="audit_when")
since_day = until_day = None
if when == BETWEEN:
    d1, d2, _ = st.columns([1, 1, 2])
    since_day = d1.date_input("From (UTC)", value=None, key="audit_since")
    until_day = d2.date_input("To (UTC, inclusive)", value=None, key="audit_until")
elif WHEN_DAYS[when]:
    since_day = datetime.now(UTC).date() - timedelta(days=WHEN_DAYS[when] - 1)

filt = AuditFilter(
    entity=None if entity == ANY else entity,
    entity_id=entity_id or None,
    actor_type=None if actor_type == ANY else actor_type,
    actor_id=actor_id or None,
    since=datetime.combine(since_day, time.min, UTC) if since_day else None,
    until=datetime.combine(until_day, time.min, UTC) + timedelta(days=1) if until_day else None,
)

# A new filter starts again at the newest page.
if st.session_state.get("audit_filter") != filt:
    st.session_state["audit_filter"] = filt
    st.session_state["audit_cursor"] = [None]
cursor: list[int | None] = st.session_state["audit_cursor"]

try:
    with ctx.sessions() as session:
        page = audit_page(session, filt, limit=PAGE_SIZE, before_id=cursor[-1])
except BadFilter as exc:
    st.error("That filter cannot be applied.")
    st.text(str(exc))
    st.stop()

rows = [{**r, "metadata": json.dumps(r["metadata"], sort_keys=True, ensure_ascii=False),
         "row_hash": (r["row_hash"] or "")[:16]} for r in page.rows]
for r in rows:
    r.pop("prev_hash")
st.dataframe(rows, hide_index=True, width="stretch")
st.caption(f"Page {len(cursor)} · {len(rows)} row(s)")
b1, b2, b3, b4 = st.columns([1, 1, 2, 2])
if b1.button("Newer", disabled=len(cursor) == 1, key="audit_newer"):
    cursor.pop()
    st.rerun()
if b2.button("Older", disabled=page.next_before_id is None, key="audit_older"):
    cursor.append(page.next_before_id)
    st.rerun()


def _export() -> str:
    with ctx.sessions() as s:
        return audit_csv(s, filt)


# In a popover: the download button is a bundle of its own, and a popover's contents load only when opened.
with b3.popover("Export CSV…", key="audit_export_box"):
    st.caption(f"Every row this filter matches on all pages, newest first (at most {MAX_EXPORT_ROWS:,}).")
    st.download_button("Download audit_log.csv", data=_export, file_name="audit_log.csv", mime="text/csv",
                       key="audit_export", on_click="ignore")
if b4.button("Verify chain", key="audit_verify"):
    with ctx.sessions() as session:
        report = verify_audit_chain(session, key=AuditKey.from_secret(ctx.settings.secret("hoss_secret_key")),
                                    witness=witness_path(ctx.settings.hoss_data_dir,
                                                         ctx.settings.hoss_audit_witness_file))
    if report.ok:
        st.success(f"Chain intact: {report.checked} row(s) checked.")
        if report.head_id is not None:
            sealed = "witness sealed with HOSS_SECRET_KEY" if report.keyed else "witness not sealed with a key"
            st.caption(f"Head: row {report.head_id}, {report.anchors} anchor(s), {sealed}.")
    elif report.first_broken_id is None:
        st.error("The chain cannot be verified.")
        st.text(report.reason)
    else:
        st.error(f"Chain broken at row {report.first_broken_id} ({report.reason}); {report.checked} row(s) checked.")
        st.caption("Rows or anchors were changed or removed outside the application (the app itself cannot "
                   "update or delete either), or the witness kept outside the database no longer matches.")
    for note in report.notes:
        st.info(note)
