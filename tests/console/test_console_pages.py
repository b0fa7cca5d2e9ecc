"""The Agents and Audit pages through AppTest against a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.audit import Actor, record_audit
from core.audit.chain import UNKEYED_NOTE
from tests.console.test_hostile_text import rendered_markup
from tests.console_support import run_page, use_database


@pytest.fixture(autouse=True)
def _db(monkeypatch, db_url):
    yield from use_database(monkeypatch, db_url)


def test_agents_page_seeds_and_shows_the_registry(session) -> None:
    at = run_page("pages/agents.py")
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert any(label.startswith("bizdev") for label in labels) and len(labels) == 7
    assert not at.toggle  # the expanders are lazy: a closed agent's form is not built
    assert session.execute(text("SELECT count(*) FROM agents WHERE kind = 'system'")).scalar_one() == 7


def test_agents_run_history_shows_the_runs_of_the_agent_picked(session) -> None:
    from core.agents.runs import start_run

    for agent in ("bizdev", "billing", "bizdev"):
        start_run(session, agent, "manual")
    session.commit()
    at = run_page("pages/agents.py")
    assert sorted(at.dataframe[0].value["agent"]) == ["billing", "bizdev", "bizdev"]
    at.button_group(key="runs_agent").set_value("bizdev").run()
    assert not at.exception and list(at.dataframe[0].value["agent"]) == ["bizdev", "bizdev"]


def test_disabling_an_agent_from_the_page_records_the_signed_in_operator(session) -> None:
    at = run_page("pages/agents.py", operator="ann", state={"agent_box_billing": True})
    toggle = next(t for t in at.toggle if t.label == "Enabled")
    toggle.set_value(False)
    at.button[[b.label for b in at.button].index("Save")].click()  # the first form is "billing" (by name)
    at.run()
    assert not at.exception
    row = session.execute(text("SELECT actor_id, entity_id, to_status FROM audit_log WHERE entity = 'agent'")).one()
    assert tuple(row) == ("ann", "billing", "disabled")


def test_a_bad_interval_is_refused_on_the_page_and_nothing_changes(session) -> None:
    at = run_page("pages/agents.py", state={"agent_box_billing": True})
    at.number_input[0].set_value(2)
    at.button[[b.label for b in at.button].index("Save")].click()
    at.run()
    assert [e.value for e in at.error] == ["Not saved."]
    assert any("interval must be between" in t.value for t in at.text)
    assert session.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 0


def test_money_settings_save_in_cents(session) -> None:
    at = run_page("pages/agents.py", operator="ann", state={"agents_tab": "Settings"})
    fields = {t.label: t for t in at.text_input}
    fields["Daily LLM budget ($)"].set_value("12.50")
    fields["Cash balance for runway ($)"].set_value("$40,000")
    at.button[[b.label for b in at.button].index("Save settings")].click()
    at.run()
    got = dict(session.execute(text("SELECT key, value FROM settings")).all())
    assert got == {"ops.daily_budget_cents": 1250, "cash_balance_cents": 4_000_000}


def test_bad_money_input_says_why_and_saves_nothing(session) -> None:
    at = run_page("pages/agents.py", state={"agents_tab": "Settings"})
    fields = {t.label: t for t in at.text_input}
    fields["Cash balance for runway ($)"].set_value("lots")
    at.button[[b.label for b in at.button].index("Save settings")].click()
    at.run()
    assert any("amount in dollars" in t.value for t in at.text)
    assert session.execute(text("SELECT count(*) FROM settings")).scalar_one() == 0


def test_run_history_shows_runs_with_duration_items_and_error(session) -> None:
    session.execute(text(
        "INSERT INTO agent_runs (agent, status, items, summary, error, started_at, finished_at) VALUES "
        "('billing', 'failed', 2, 'boom', 'ValueError: bad', now() - interval '3 seconds', now())"
    ))
    session.commit()
    at = run_page("pages/agents.py")
    df = at.dataframe[0].value
    assert list(df["agent"]) == ["billing"] and list(df["error"]) == ["ValueError: bad"]
    assert df["duration_s"].iloc[0] == pytest.approx(3, abs=0.1) and df["items"].iloc[0] == 2


def _audit_rows(session, n: int) -> None:
    for i in range(n):
        record_audit(session, Actor.user("ann") if i % 2 else Actor.agent("ops"), "task", i, "pending", "running")
    session.commit()


def test_audit_page_shows_newest_first_and_pages_in_sql(session) -> None:
    _audit_rows(session, 60)
    at = run_page("pages/audit.py")
    first = list(at.dataframe[0].value["id"])
    assert len(first) == 50 and first == sorted(first, reverse=True)
    at.button(key="audit_older").click().run()
    second = list(at.dataframe[0].value["id"])
    assert len(second) == 10 and max(second) < min(first)


def test_audit_page_filters_by_actor(session) -> None:
    _audit_rows(session, 10)
    at = run_page("pages/audit.py")
    at.button_group(key="audit_actor_type").set_value("agent").run()
    assert set(at.dataframe[0].value["actor_id"]) == {"ops"} and len(at.dataframe[0].value) == 5


def test_audit_page_filters_by_entity(session) -> None:
    _audit_rows(session, 4)
    record_audit(session, Actor.user("ann"), "lead", 7, "new", "contacted")
    session.commit()
    at = run_page("pages/audit.py")
    at.button_group(key="audit_entity").set_value("lead").run()
    assert list(at.dataframe[0].value["entity"]) == ["lead"]


def test_audit_page_filters_by_entity_and_actor_id_from_its_search_box(session) -> None:
    _audit_rows(session, 6)
    at = run_page("pages/audit.py")
    at.text_input(key="audit_actor_id").input("ann").run()
    at.text_input(key="audit_entity_id").input("3").run()
    assert [(r.actor_id, r.entity_id) for r in at.dataframe[0].value.itertuples()] == [("ann", "3")]
    labels = [body for kind, body, _ in rendered_markup(at) if kind == "popover label"]
    assert "Entity id: 3 · Actor id: ann" in labels  # the closed box still says what it filters by


def test_audit_page_when_today_leaves_out_older_rows_and_between_dates_asks_for_them(session) -> None:
    _audit_rows(session, 3)
    session.execute(text("INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, ts) "
                         "VALUES ('user', 'ann', 'lead', '9', 'new', 'contacted', now() - interval '3 days')"))
    session.commit()
    at = run_page("pages/audit.py")
    assert len(at.dataframe[0].value) == 4 and not at.date_input
    at.button_group(key="audit_when").set_value("today").run()
    assert len(at.dataframe[0].value) == 3
    at.button_group(key="audit_when").set_value("between dates").run()
    assert [d.label for d in at.date_input] == ["From (UTC)", "To (UTC, inclusive)"]


def test_verify_chain_button_reports_an_intact_chain(session) -> None:
    _audit_rows(session, 3)
    at = run_page("pages/audit.py")
    at.button(key="audit_verify").click().run()
    assert [s.value for s in at.success] == ["Chain intact: 3 row(s) checked."]


def test_verify_chain_button_says_what_an_unkeyed_chain_cannot_see(session) -> None:
    _audit_rows(session, 3)
    at = run_page("pages/audit.py")
    at.button(key="audit_verify").click().run()
    assert [i.value for i in at.info] == [UNKEYED_NOTE]
    assert [c.value for c in at.caption][-1].endswith("3 anchor(s), witness not sealed with a key.")


def test_verify_chain_button_reports_deleted_tail_rows(session, owner_session) -> None:
    _audit_rows(session, 8)
    ids = session.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars().all()
    session.rollback()
    owner_session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    owner_session.execute(text("DELETE FROM audit_log WHERE id >= :i"), {"i": ids[-5]})
    owner_session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    owner_session.commit()
    at = run_page("pages/audit.py")
    at.button(key="audit_verify").click().run()
    assert [e.value for e in at.error] == [
        f"Chain broken at row {ids[-5]} (deleted from the end: anchored when written, now missing); 3 row(s) checked."]


def test_verify_chain_button_reports_the_first_broken_link(session, owner_session) -> None:
    _audit_rows(session, 3)
    first = session.execute(text("SELECT min(id) FROM audit_log")).scalar_one()
    session.rollback()
    owner_session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    owner_session.execute(text("UPDATE audit_log SET actor_id = 'mallory' WHERE id = :i"), {"i": first})
    owner_session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    owner_session.commit()
    at = run_page("pages/audit.py")
    at.button(key="audit_verify").click().run()
    assert [e.value for e in at.error] == [f"Chain broken at row {first} (content changed); 3 row(s) checked."]


def _events(session, n: int, status: str) -> None:
    session.execute(text("INSERT INTO events (source, type, dedupe_key, status) "
                         "SELECT 'stripe', 'invoice.paid', :s || g, :s FROM generate_series(1, :n) g"),
                    {"s": status, "n": n})
    session.commit()


def test_events_page_filters_by_status_and_pages_with_previous_and_next(session) -> None:
    _events(session, 55, "processed")
    _events(session, 3, "failed")
    at = run_page("pages/events.py")
    assert len(at.dataframe[0].value) == 50 and at.button(key="events_prev").disabled
    at.button(key="events_next").click().run()
    assert len(at.dataframe[0].value) == 8 and at.button(key="events_next").disabled
    at.button_group(key="events_status").set_value("failed").run()  # a new filter starts on page 1
    assert list(at.dataframe[0].value["status"]) == ["failed"] * 3


def test_audit_export_is_a_download_of_the_filtered_rows_in_its_popover(session) -> None:
    _audit_rows(session, 4)
    at = run_page("pages/audit.py")
    [export] = [e for e in at.get("download_button") if e.proto.label == "Download audit_log.csv"]
    assert not at.exception and export.proto.id.endswith("audit_export")
    labels = [body for kind, body, _ in rendered_markup(at) if kind == "popover label"]
    assert "Export CSV…" in labels
