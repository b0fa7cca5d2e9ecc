"""BizDev: demo leads, each with a pending email proposal drafted by the template or over real HTTP by OpenAI."""

from __future__ import annotations

import random
import re

from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.bizdev import demo_lead, run_bizdev_agent
from core.config.settings import Settings
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI


def _leads(session: Session) -> list:
    return session.execute(text("SELECT id, company, contact_name, email, source, status FROM leads ORDER BY id")).all()


def _proposal_for(session: Session, lead_id: int):
    return session.execute(
        text("SELECT id, status, vertical, action_type, payload, dedupe_key FROM action_proposals "
             "WHERE payload->>'lead_id' = :lid"),
        {"lid": str(lead_id)},
    ).one()


def _openai_settings(settings: Settings, base: str) -> Settings:
    return settings.model_copy(update={"openai_api_key": SecretStr("sk-test"), "openai_base_url": base + "/v1"})


def test_mock_run_makes_one_or_two_leads_each_with_a_pending_email_proposal(session: Session, settings: Settings) -> None:
    result = run_bizdev_agent(session, settings, seed=3)
    leads = _leads(session)
    assert result.status == "succeeded" and 1 <= result.items <= 2
    assert len(leads) == result.items
    for lead in leads:
        assert lead.status == "new" and lead.source == "demo" and "@" in lead.email
        prop = _proposal_for(session, lead.id)
        assert (prop.status, prop.vertical, prop.action_type) == ("pending", "bizdev", "email")
        assert prop.payload["to"] == lead.email and prop.payload["from"] is None
        assert prop.dedupe_key == f"bizdev:email:lead:{lead.id}"
    assert len(result.lines) == len(leads) and all("mode=mock" in line for line in result.lines)


def test_mock_email_uses_the_template_subject_and_a_three_to_five_sentence_body(session: Session, settings: Settings) -> None:
    run_bizdev_agent(session, settings, seed=11, count=1)
    lead = _leads(session)[0]
    payload = _proposal_for(session, lead.id).payload
    assert payload["subject"] == f"Quick idea for your team at {lead.company}"
    pitch = payload["body"].split("\n\n")[1]
    assert 3 <= len(re.findall(r"[.?!](?:\s|$)", pitch)) <= 5
    assert "HossAgent" in pitch and "cost and profit" in pitch


def test_same_seed_draws_the_same_leads(session: Session, settings: Settings) -> None:
    run_bizdev_agent(session, settings, seed=42, count=2)
    rng = random.Random(42)
    expected = [demo_lead(rng) for _ in range(2)]
    got = [(r.company, r.contact_name, r.email) for r in _leads(session)]
    assert got == [(d.company, d.contact_name, d.email) for d in expected]


def test_a_repeated_seed_skips_taken_emails_instead_of_failing(session: Session, settings: Settings) -> None:
    first = run_bizdev_agent(session, settings, seed=42, count=2)
    second = run_bizdev_agent(session, settings, seed=42, count=2)
    emails = [r.email for r in _leads(session)]
    assert first.status == second.status == "succeeded" and second.items == 2
    assert len(emails) == 4 == len(set(emails))


def test_lead_creation_and_proposal_are_audited_and_the_run_recorded(session: Session, settings: Settings) -> None:
    result = run_bizdev_agent(session, settings, seed=5, count=1)
    lead = _leads(session)[0]
    prop = _proposal_for(session, lead.id)
    audit = session.execute(text("SELECT entity, entity_id, from_status, to_status FROM audit_log ORDER BY id")).all()
    assert [tuple(a) for a in audit] == [("lead", str(lead.id), None, "new"), ("proposal", str(prop.id), None, "pending")]
    run = session.execute(text("SELECT agent, status, items, finished_at FROM agent_runs WHERE id = :i"),
                          {"i": result.run_id}).one()
    assert (run.agent, run.status, run.items) == ("bizdev", "succeeded", 1) and run.finished_at is not None


def test_from_address_comes_from_settings(session: Session, settings: Settings) -> None:
    run_bizdev_agent(session, settings.model_copy(update={"bizdev_email_from": "hello@hoss.example"}), count=1)
    assert _proposal_for(session, _leads(session)[0].id).payload["from"] == "hello@hoss.example"


def test_openai_path_sends_model_and_token_limit_and_uses_the_reply_as_body(session: Session, settings: Settings) -> None:
    fake = FakeOpenAI(reply="Hi there. HossAgent researches for you. It reports cost and profit. Shall we talk?")
    with serve_asgi(fake.app()) as base:
        result = run_bizdev_agent(session, _openai_settings(settings, base), seed=8, count=1)
    lead = _leads(session)[0]
    payload = _proposal_for(session, lead.id).payload
    assert fake.calls == 1
    assert fake.requests[0]["model"] == settings.openai_model and fake.requests[0]["max_tokens"] == 300
    assert lead.company in fake.requests[0]["messages"][-1]["content"]
    assert payload["body"] == fake.reply
    assert payload["subject"] == f"Quick idea for your team at {lead.company}"
    assert "mode=openai" in result.lines[0]


def test_openai_subject_line_becomes_the_subject(session: Session, settings: Settings) -> None:
    fake = FakeOpenAI(reply="Subject: Research on autopilot\nHi Sam. We do research. We report costs.")
    with serve_asgi(fake.app()) as base:
        run_bizdev_agent(session, _openai_settings(settings, base), seed=9, count=1)
    payload = _proposal_for(session, _leads(session)[0].id).payload
    assert (payload["subject"], payload["body"]) == ("Research on autopilot", "Hi Sam. We do research. We report costs.")


def test_llm_error_falls_back_to_the_template_and_says_so(session: Session, settings: Settings) -> None:
    fake = FakeOpenAI(fail_with=500, fail_times=10)
    with serve_asgi(fake.app()) as base:
        result = run_bizdev_agent(session, _openai_settings(settings, base), seed=9, count=1)
    lead = _leads(session)[0]
    prop = _proposal_for(session, lead.id)
    assert result.status == "succeeded" and fake.calls >= 1
    assert prop.payload["subject"] == f"Quick idea for your team at {lead.company}"
    assert "OpenAI failed: OpenAI answered HTTP 500; used template" in result.lines[0]
    assert "sk-test" not in result.lines[0]
