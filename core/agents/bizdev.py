"""BizDev agent (SPEC §3): makes 1–2 demo leads per run and drafts an outbound email for each as a proposal."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.agents.runs import AgentResult, agent_run
from core.approvals.proposals import draft_proposal
from core.approvals.revise import notes_for_prompt, recent_notes
from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.llm.text import LLMTextError, complete_text
from db.models import Lead

AGENT = "bizdev"
ACTOR = Actor.agent(AGENT)
LEAD_SOURCE = "demo"
EMAIL_MAX_TOKENS = 300
# A fresh email is drawn this many times before a lead slot is given up (emails are unique in the schema).
_EMAIL_ATTEMPTS = 20

_COMPANY_STEMS = (
    "Northwind", "Bluebird", "Cedar Point", "Harbor", "Summit", "Lumen", "Atlas", "Pioneer", "Redwood",
    "Meridian", "Copperline", "Evergreen", "Granite", "Beacon", "Silverline", "Oakridge", "Brightwater",
    "Foxglove", "Ironbridge", "Juniper", "Kestrel", "Larkspur", "Maple Street", "Riverbend",
)
_COMPANY_KINDS = (
    "Logistics", "Analytics", "Dental Group", "Legal", "Bakery", "Fitness", "Consulting", "Realty", "Labs",
    "Outfitters", "Health", "Marketing", "Insurance", "Architects", "Coffee Roasters", "Software",
)
_FIRST_NAMES = (
    "Alex", "Priya", "Jordan", "Maria", "Chen", "Fatima", "Liam", "Sofia", "Noah", "Amara", "Diego", "Hana",
    "Ethan", "Zoe", "Omar", "Grace", "Mateo", "Ines", "Samuel", "Yuki",
)
_LAST_NAMES = (
    "Carter", "Patel", "Nguyen", "Garcia", "Kim", "Okafor", "Schmidt", "Rossi", "Johnson", "Haddad",
    "Silva", "Tanaka", "Murphy", "Novak", "Larsen", "Mendes", "Cohen", "Brooks",
)
_TLDS = (".com", ".com", ".com", ".io", ".co")

EMAIL_SYSTEM_PROMPT = (
    "You write short, friendly B2B outbound emails. Answer with a first line 'Subject: ...' and then the body: "
    "3 to 5 plain sentences, no markdown, signed 'HossAgent'."
)


@dataclass(frozen=True)
class DemoLead:
    """A realistic made-up lead: company, contact and an email at a plausible domain."""

    company: str
    contact_name: str
    email: str


@dataclass(frozen=True)
class DraftEmail:
    """An outbound email and how it was drafted (`openai` or `mock`); `fallback` says why the template was used."""

    subject: str
    body: str
    mode: str
    fallback: str | None = None


def demo_lead(rng: random.Random) -> DemoLead:
    """Draw one demo lead from `rng` (deterministic for a seeded rng)."""
    stem, kind = rng.choice(_COMPANY_STEMS), rng.choice(_COMPANY_KINDS)
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    domain = "".join(ch for ch in f"{stem}{kind.split()[0]}".lower() if ch.isalnum()) + rng.choice(_TLDS)
    local = rng.choice((f"{first}.{last}", f"{first}", f"{first[0]}{last}")).lower()
    return DemoLead(company=f"{stem} {kind}", contact_name=f"{first} {last}", email=f"{local}@{domain}")


def template_email(lead: DemoLead) -> tuple[str, str]:
    """The deterministic (subject, body) used in mock mode and when the LLM fails."""
    first = lead.contact_name.split()[0] if lead.contact_name else "there"
    subject = f"Quick idea for your team at {lead.company}"
    body = (
        f"Hi {first},\n\n"
        f"I'm reaching out from HossAgent, an autonomous AI worker that takes on research tasks for teams like "
        f"{lead.company}. It digs into your market, competitors and customers and hands back a clear written "
        f"report. Every task comes with its cost and profit reported, so you always know what the work is worth. "
        f"Would a short call next week make sense to see whether it fits your team?\n\n"
        f"Best,\nHossAgent"
    )
    return subject, body


def draft_email(settings: Settings, lead: DemoLead, notes: Sequence[str] = ()) -> DraftEmail:
    """Draft the outbound email: through OpenAI when a key is set (template on any LLM error), else the template.

    `notes` are the operator's latest revise notes on emails (core.approvals.revise), given to the LLM.
    """
    subject, body = template_email(lead)
    if settings.llm_mode != "openai":
        return DraftEmail(subject, body, "mock")
    user = (
        f"Write an outbound email to {lead.contact_name} at {lead.company}. Pitch HossAgent: an autonomous AI "
        f"worker that does research for their team and reports the cost and profit of every task."
    )
    if notes:
        user += "\n\n" + notes_for_prompt(list(notes))
    try:
        text = complete_text(settings, EMAIL_SYSTEM_PROMPT, user, max_tokens=EMAIL_MAX_TOKENS)
    except LLMTextError as exc:
        return DraftEmail(subject, body, "mock", fallback=str(exc))
    llm_subject, llm_body = _split_subject(text)
    return DraftEmail(llm_subject or subject, llm_body, "openai")


def _split_subject(text: str) -> tuple[str | None, str]:
    """Take a leading 'Subject: ...' line off the reply, if there is one."""
    first, _, rest = text.partition("\n")
    if first.lower().startswith("subject:") and rest.strip():
        return first.split(":", 1)[1].strip() or None, rest.strip()
    return None, text.strip()


def _email_taken(session: Session, email: str) -> bool:
    return session.execute(select(Lead.id).where(Lead.email == email)).first() is not None


def _fresh_lead(session: Session, rng: random.Random) -> DemoLead | None:
    """A demo lead whose email is not in the database yet, or None after a few tries."""
    for _ in range(_EMAIL_ATTEMPTS):
        lead = demo_lead(rng)
        if not _email_taken(session, lead.email):
            return lead
    return None


def _create_lead_and_proposal(
    session: Session, settings: Settings, lead: DemoLead, email: DraftEmail, run_id: int
) -> tuple[int, int] | None:
    """Insert the lead, its audit row and its email proposal; None if the email was taken meanwhile. No commit."""
    lead_id = session.execute(
        insert(Lead)
        .values(company=lead.company, contact_name=lead.contact_name, email=lead.email, source=LEAD_SOURCE,
                notes=f"Demo lead from BizDev run {run_id}")
        .on_conflict_do_nothing(index_elements=["email"])
        .returning(Lead.id)
    ).scalar_one_or_none()
    if lead_id is None:
        return None
    record_audit(session, ACTOR, "lead", lead_id, None, "new",
                 {"company": lead.company, "source": LEAD_SOURCE, "run_id": run_id})
    reasoning = (
        f"New lead {lead.company} ({lead.contact_name}) has not been contacted; an intro email starts the "
        f"conversation. Drafted by {'OpenAI' if email.mode == 'openai' else 'the template'}."
    )
    if email.fallback:
        reasoning += f" The LLM draft failed ({email.fallback}), so the template was used."
    proposal_id, _ = draft_proposal(
        session, ACTOR, vertical="bizdev", action_type="email",
        title=f"Intro email to {lead.contact_name} at {lead.company}",
        reasoning=reasoning,
        payload={"to": lead.email, "subject": email.subject, "body": email.body, "lead_id": lead_id,
                 "from": settings.bizdev_email_from},
        dedupe_key=f"bizdev:email:lead:{lead_id}",
        urgency="low",
    )
    return lead_id, proposal_id


def run_bizdev_agent(
    session: Session, settings: Settings, *, trigger: str = "manual", seed: int | None = None,
    count: int | None = None, actor: Actor | None = None,
) -> AgentResult:
    """Make `count` (default 1–2) demo leads, each with a pending `email` proposal; one transaction per lead."""
    rng = random.Random(seed)
    with agent_run(session, AGENT, trigger, actor, heartbeat_seconds=settings.hoss_heartbeat_seconds) as run:
        wanted = count if count is not None else rng.randint(1, 2)
        notes = recent_notes(session, "email")
        for _ in range(wanted):
            lead = _fresh_lead(session, rng)
            session.rollback()  # no transaction stays open across the LLM call
            if lead is None:
                run.note("Could not find an unused demo email; skipped one lead.")
                continue
            email = draft_email(settings, lead, notes)
            created = _create_lead_and_proposal(session, settings, lead, email, run.run_id)
            if created is None:
                session.rollback()
                run.note(f"Email {lead.email} was taken by a concurrent run; skipped.")
                continue
            session.commit()
            lead_id, proposal_id = created
            mode = email.mode if not email.fallback else f"mock (OpenAI failed: {email.fallback}; used template)"
            run.did(f"Lead {lead_id} {lead.company} <{lead.email}>: email proposal {proposal_id} drafted, mode={mode}")
        run.summary = f"{run.items} lead(s) created with email proposals"
    return run.result()
