"""Revise: a note makes version 2 (supersedes_id → v1, v1 superseded), by the LLM with the note in its prompt
or by the template, which follows what it can and says so; later drafts get the last notes."""

from __future__ import annotations

import json
import random

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.bizdev import demo_lead, draft_email
from core.app.cli import main
from core.approvals.proposals import decide
from core.approvals.revise import recent_notes
from core.audit import Actor
from core.config.settings import Settings
from tests.inbox_data import audit_rows, checkout_proposal, email_proposal, make_invoice, make_lead, slack_proposal
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI

ANA = Actor.user("ana")


def _rows(session: Session) -> list[tuple]:
    return [tuple(r) for r in session.execute(
        text("SELECT id, status, supersedes_id, payload FROM action_proposals ORDER BY id")).all()]


def test_revise_with_the_llm_makes_v2_linked_and_v1_superseded(session: Session, settings: Settings) -> None:
    fake = FakeOpenAI(reply=json.dumps({"subject": "Shorter", "body": "Hi Dana, short version."}))
    pid = email_proposal(session, make_lead(session))
    session.commit()
    with serve_asgi(fake.app()) as base:
        llm = settings.model_copy(update={"openai_api_key": SecretStr("sk-test"), "openai_base_url": f"{base}/v1"})
        result = decide(session, pid, "revise", ANA, note="Make it much shorter", settings=llm)
        session.commit()
    assert result.ok and result.new_proposal_id
    (v1_id, v1_status, _, _), (v2_id, v2_status, supersedes, payload) = _rows(session)
    assert (v1_status, v2_status, supersedes, v2_id) == ("superseded", "pending", v1_id, result.new_proposal_id)
    assert payload["body"] == "Hi Dana, short version." and payload["to"] == "dana@northwind.test"
    prompt = fake.requests[0]["messages"][1]["content"]
    assert "Make it much shorter" in prompt
    trace = [r.metadata for r in audit_rows(session, "proposal", v2_id) if "prompt" in r.metadata][0]
    assert "Make it much shorter" in trace["prompt"]


def test_template_path_follows_what_it_can_and_says_so(session: Session, settings: Settings) -> None:
    pid = slack_proposal(session)
    session.commit()
    decide(session, pid, "revise", ANA, note="add: Cash is fine for now.\nsound calmer", settings=settings)
    session.commit()
    v2 = session.execute(text("SELECT payload, reasoning, title FROM action_proposals WHERE supersedes_id = :i"),
                         {"i": pid}).one()
    assert v2.payload["text"].endswith("Cash is fine for now.")
    assert "template" in v2.reasoning and "sound calmer" in v2.reasoning and v2.title.endswith("(v2)")


def test_revise_needs_a_note_and_a_drafted_message(session: Session, settings: Settings) -> None:
    pid = email_proposal(session, make_lead(session))
    cid, iid = make_invoice(session)
    checkout = checkout_proposal(session, iid, cid)
    assert not decide(session, pid, "revise", ANA, note=" ", settings=settings).ok
    assert not decide(session, checkout, "revise", ANA, note="cheaper", settings=settings).ok
    assert [r[1] for r in _rows(session)] == ["pending", "pending"]


def test_cli_revise_and_the_notes_feed_later_drafts(db_url: str, session: Session, settings: Settings,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pid = email_proposal(session, make_lead(session))
    session.commit()
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["decide", str(pid), "revise", "--note", "Mention the free pilot"]) == 0
    assert recent_notes(session, "email") == ["Mention the free pilot"]
    fake = FakeOpenAI(reply="Subject: Hi\nHello there.")
    with serve_asgi(fake.app()) as base:
        llm = settings.model_copy(update={"openai_api_key": SecretStr("sk-test"), "openai_base_url": f"{base}/v1"})
        draft_email(llm, demo_lead(random.Random(1)), recent_notes(session, "email"))
    assert "Mention the free pilot" in fake.requests[0]["messages"][1]["content"]


def test_a_delivery_revised_with_a_note_makes_v2_that_the_deliver_executor_still_accepts(
        session: Session, settings: Settings) -> None:
    from core.approvals.executors.deliver import parse
    from core.workforce.finish import draft_follow_ups, read_done_task
    from tests.workforce.conftest import make_customer

    cid = make_customer(session)
    task_id = session.execute(text("INSERT INTO tasks (customer_id, description, status, result_summary) "
                                   "VALUES (:c, 'Market map', 'done', 'The map.') RETURNING id"), {"c": cid}).scalar()
    session.execute(text("INSERT INTO agents (name, kind, role, description, execution_method) "
                         "VALUES ('Ada', 'worker', 'research-analyst', 'x', 'core.ops.runner')"))
    session.execute(text("UPDATE tasks SET agent = 'Ada' WHERE id = :t"), {"t": task_id})
    pid = draft_follow_ups(session, read_done_task(session, task_id)[0])
    session.commit()
    result = decide(session, pid, "revise", ANA, note="add: Pricing tiers follow next week.", settings=settings)
    session.commit()
    v2 = session.execute(text("SELECT action_type, payload FROM action_proposals WHERE supersedes_id = :i"),
                         {"i": pid}).one()
    assert result.ok and v2.action_type == "deliver"
    assert "Pricing tiers follow next week." in v2.payload["body"] and parse(v2.payload).task_id == task_id
