"""Hostile text (<script>, <img onerror>, Markdown links) in every table renders as text on every page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from tests.console_support import ROOT, registered_pages, run_page, use_database
from ui.safe import md_escape

PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](http://evil.test)")
EVIL = " ".join(PAYLOADS)
# Elements whose text Streamlit renders as Markdown (and, with unsafe_allow_html, HTML).
MARKDOWN_TYPES = {"markdown", "caption", "title", "header", "subheader", "latex", "error", "warning", "info",
                  "success", "toast", "exception"}


def seed_hostile(session) -> None:
    """One row in every table the console shows, each text column carrying the payloads."""
    p = {"e": EVIL, "j": json.dumps({"note": EVIL, "to": EVIL, "subject": EVIL, "body": EVIL})}
    for sql in (
        "INSERT INTO leads (company, contact_name, email, notes, status) VALUES (:e, :e, :e, :e, 'responded')",
        "INSERT INTO customers (company, contact_email, notes) VALUES (:e, :e, :e)",
        "INSERT INTO tasks (customer_id, description, result_summary, last_error, status, mode, model)"
        " SELECT id, :e, :e, :e, 'done', 'mock', :e FROM customers",
        "INSERT INTO tasks (customer_id, description) SELECT id, :e FROM customers",
        "INSERT INTO invoices (customer_id, amount_cents, notes, checkout_url) SELECT id, 1234, :e, :e FROM customers",
        "INSERT INTO events (source, type, payload, dedupe_key, error) VALUES ('stripe', :e, CAST(:j AS jsonb), :e, :e)",
        "INSERT INTO action_proposals (vertical, action_type, title, reasoning, payload, dedupe_key, urgency)"
        " VALUES ('money', 'email', :e, :e, CAST(:j AS jsonb), 'hostile-1', 'critical')",
        "INSERT INTO executions (proposal_id, idempotency_key, status, error, result)"
        " SELECT id, 'hostile-exec', 'failed', :e, CAST(:j AS jsonb) FROM action_proposals",
        "INSERT INTO agent_runs (agent, status, summary, error, finished_at) VALUES ('ops', 'failed', :e, :e, now())",
        "INSERT INTO agents (name, description, execution_method, capabilities)"
        " VALUES (:e, :e, :e, CAST(:j AS jsonb))",
        "INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)"
        " VALUES ('user', :e, :e, :e, :e, :e, CAST(:j AS jsonb))",
        "INSERT INTO ledger_entries (direction, amount_cents, counterparty, category, source, ref, description)"
        " VALUES ('out', 500, :e, 'software', 'manual', :e, :e)",
        "INSERT INTO settings (key, value) VALUES ('hostile.note', CAST(:j AS jsonb))",
    ):
        session.execute(text(sql), p)
    session.commit()


def _walk(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def rendered_markup(at: AppTest) -> list[tuple[str, str, bool]]:
    """(element type, text Streamlit treats as Markdown, allows HTML) for every element and label on the page."""
    out = []
    for node in _walk(at._tree):
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if kind in MARKDOWN_TYPES:
            body = getattr(proto, "body", None) or getattr(node, "value", "")
            out.append((kind, str(body), bool(getattr(proto, "allow_html", False))))
        elif kind == "html":  # st.html is HTML by definition: any text in it must arrive escaped
            out.append((kind, str(proto.body), True))
        label = (getattr(node, "label", None) or getattr(proto, "label", None)
                 or getattr(getattr(proto, "popover", None), "label", None))  # a popover's label is Markdown too
        if isinstance(label, str) and label:
            out.append((f"{kind} label", label, False))
    return out


@pytest.fixture
def hostile_db(monkeypatch, db_url, session):
    seed_hostile(session)
    yield from use_database(monkeypatch, db_url)


@pytest.mark.parametrize("page", registered_pages())
def test_hostile_text_renders_as_text_on_every_page(hostile_db, page: str) -> None:
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    for kind, body, allow_html in rendered_markup(at):
        for payload in PAYLOADS:
            assert payload not in body, f"{page}: raw {payload!r} inside a {kind}"
        assert not (allow_html and any(p in body for p in ("<script", "onerror", "evil.test"))), f"{page}: {kind}"


def test_the_agents_page_shows_the_hostile_registry_row_escaped(hostile_db) -> None:
    at = run_page("pages/agents.py", state={f"agent_box_{EVIL}": True})  # its expander is lazy: open it
    assert "agent with an unusual name · enabled" in [e.label for e in at.expander]
    assert f"name: {EVIL}" in [t.value for t in at.text]


def test_the_sidebar_guide_escapes_streamed_text(hostile_db) -> None:
    def script() -> None:
        import streamlit as st

        from ui.guide import _escaped

        st.write_stream(_escaped(iter(["<script>alert(1)</script> ", "[click](http://evil.test)"])))

    at = AppTest.from_function(script).run()
    assert all(p not in body for _, body, _ in rendered_markup(at) for p in PAYLOADS)


def test_no_page_or_ui_module_allows_unsafe_html() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("pages", "ui")
        for path in (ROOT / folder).glob("**/*.py")
        if re.search(r"unsafe_allow_html\s*=\s*True", path.read_text())
    ]
    assert offenders == []
    assert not re.search(r"unsafe_allow_html\s*=\s*True", (ROOT / "streamlit_app.py").read_text())


def test_the_detector_catches_raw_markdown_and_labels() -> None:
    def script() -> None:
        import streamlit as st

        st.markdown("<img src=x onerror=alert(1)>")
        with st.expander("[click](http://evil.test)"):
            st.text("inside")

    found = " ".join(body for _, body, _ in rendered_markup(AppTest.from_function(script).run()))
    assert PAYLOADS[1] in found and PAYLOADS[2] in found


@pytest.mark.parametrize("raw", PAYLOADS)
def test_md_escape_leaves_no_markup(raw: str) -> None:
    escaped = md_escape(raw)
    assert raw not in escaped and escaped.replace("\\", "").replace("\u2060", "") == raw
    assert "://" not in escaped
