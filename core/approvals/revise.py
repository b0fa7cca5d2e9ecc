"""Revise instead of reject (SPEC §14): for a drafted message the operator asks for changes with a note, and
version 2 is drafted with it (`supersedes_id` → version 1, which ends `superseded`).

The redraft goes through the LLM when a key is set (the note and the last notes of the action type in the
prompt, which is kept in v2's audit row as its trace); otherwise, or when the LLM fails, the template path
follows the instructions it can (`subject: …`, `add: …`, `remove: …`) and says in v2's reasoning what it did
and what it left to the operator. The last five notes of an action type also feed later drafts of that type
(`recent_notes`, read by the drafting agents).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.approvals.payloads import REVISABLE
from core.approvals.policies import get_policy
from core.approvals.proposals import Decision, _lock, _not_pending, _refusal, draft_proposal
from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.errors import NotFound
from core.llm.text import LLMTextError, complete_text
from core.transitions import transition_proposal
from db.models import ActionProposal

TEXT_FIELDS = ("subject", "body", "text")
NOTES_KEPT = 5
MAX_NOTE = 2000
DRAFTER = Actor.system("reviser")

REVISE_SYSTEM_PROMPT = (
    "You revise a drafted message so it follows the operator's note. Keep everything the note does not ask to "
    "change. Answer with a JSON object holding exactly the fields you were given (e.g. subject and body), "
    "plain text values, no markdown."
)


@dataclass(frozen=True)
class Redraft:
    """Version 2's text fields, how they were made, and the prompt (None on the template path)."""

    fields: dict[str, str]
    how: str
    prompt: str | None


def recent_notes(session: Session, action_type: str, limit: int = NOTES_KEPT) -> list[str]:
    """The operator's latest revise notes on `action_type`, newest first (for drafting prompts)."""
    return list(session.execute(
        select(ActionProposal.decision_note).where(
            ActionProposal.action_type == action_type, ActionProposal.status == "superseded",
            ActionProposal.decision_note.isnot(None))
        .order_by(ActionProposal.decided_at.desc(), ActionProposal.id.desc()).limit(limit)
    ).scalars().all())


def notes_for_prompt(notes: list[str]) -> str:
    """The notes as a paragraph for a drafting prompt ('' without notes)."""
    if not notes:
        return ""
    return "The operator asked for these changes to earlier drafts of this kind; follow them:\n" + "\n".join(
        f"- {n}" for n in notes)


def _template(fields: dict[str, str], note: str) -> Redraft:
    """Follow `subject: X`, `add: X`, `remove: X` lines of the note; say what was and was not done."""
    out, done, left = dict(fields), [], []
    for line in filter(None, (raw.strip() for raw in note.splitlines())):
        verb, sep, arg = line.partition(":")
        verb, arg = verb.strip().lower(), arg.strip()
        text_field = "body" if "body" in out else "text" if "text" in out else None
        if sep and verb == "subject" and "subject" in out and arg:
            out["subject"] = arg
            done.append(line)
        elif sep and verb == "add" and text_field and arg:
            out[text_field] = out[text_field].rstrip() + "\n\n" + arg
            done.append(line)
        elif sep and verb == "remove" and text_field and arg and arg in out[text_field]:
            out[text_field] = out[text_field].replace(arg, "").strip()
            done.append(line)
        else:
            left.append(line)
    how = "the template (no LLM)"
    if done:
        how += f" followed: {'; '.join(done)}"
    if left:
        how += f"; it cannot rewrite prose, so this is left for you to apply by editing: {'; '.join(left)}"
    return Redraft(out, how, None)


def redraft(settings: Settings, action_type: str, fields: dict[str, str], note: str, notes: list[str]) -> Redraft:
    """Version 2's text fields from version 1's and the note: the LLM when configured, else the template."""
    prompt = (f"The {action_type} draft:\n{json.dumps(fields, indent=2, ensure_ascii=False)}\n\n"
              f"The operator's note: {note}\n\n{notes_for_prompt(notes)}").strip()
    if settings.llm_mode != "openai":
        return _template(fields, note)
    try:
        reply = complete_text(settings, REVISE_SYSTEM_PROMPT, prompt, max_tokens=800)
        start, end = reply.find("{"), reply.rfind("}")
        parsed = json.loads(reply[start:end + 1]) if start >= 0 else None
    except (LLMTextError, ValueError) as exc:
        fallback = _template(fields, note)
        return Redraft(fallback.fields, f"{fallback.how} (the LLM failed: {str(exc)[:100]})", prompt)
    if not isinstance(parsed, dict):
        fallback = _template(fields, note)
        return Redraft(fallback.fields, f"{fallback.how} (the LLM's answer was not the fields)", prompt)
    out = {k: str(parsed[k]) if isinstance(parsed.get(k), str) and parsed[k].strip() else v for k, v in fields.items()}
    return Redraft(out, "the LLM with your note", prompt)


def revise_proposal(session: Session, settings: Settings | None, proposal_id: int, actor: Actor, note: str, *,
                    role: str | None = None) -> Decision:
    """Supersede a pending drafted message with version 2 made from `note`; Decision.new_proposal_id is v2. No commit.

    The caller's open transaction is rolled back before the redraft (no lock is held across an LLM call), so
    call it with nothing else uncommitted; v1 is then locked and must still be pending.
    """
    note = (note or "").strip()[:MAX_NOTE]
    current = session.get(ActionProposal, proposal_id)
    if current is None:
        raise NotFound(f"proposal {proposal_id} not found")
    if not note:
        return Decision(proposal_id, False, current.status, "revise needs a note saying what to change")
    if current.action_type not in REVISABLE:
        return Decision(proposal_id, False, current.status,
                        f"{current.action_type} proposals are not drafted messages; approve, edit or reject it")
    if settings is None:
        raise ValueError("revise needs the settings (the redraft may call the LLM)")
    fields = {k: v for k, v in (current.payload or {}).items() if k in TEXT_FIELDS and isinstance(v, str)}
    notes = recent_notes(session, current.action_type)
    session.rollback()  # no transaction stays open across the LLM call
    draft = redraft(settings, current.action_type, fields, note, notes)
    v1 = _lock(session, proposal_id)
    if v1.status != "pending":
        return _not_pending(v1, "revised")
    if refusal := _refusal(session, v1, actor, role, get_policy(session, v1.action_type), "revise"):
        return refusal
    transition_proposal(session, proposal_id, "superseded", actor,
                        values={"decided_at": func.now(), "decided_by": actor.label, "decision_note": note},
                        metadata={"note": note})
    version = _version(session, v1) + 1
    payload: dict[str, Any] = {**(v1.payload or {}), **draft.fields}
    v2, _ = draft_proposal(
        session, DRAFTER, vertical=v1.vertical, action_type=v1.action_type,
        title=f"{v1.title.removesuffix(f' (v{version - 1})')} (v{version})",
        reasoning=f"{v1.reasoning}\nVersion {version}, revised by {draft.how}. Note from {actor.label}: {note}".strip(),
        payload=payload, dedupe_key=f"{v1.dedupe_key}#v{version}", urgency=v1.urgency, event_id=v1.event_id,
        supersedes_id=v1.id,
    )
    record_audit(session, DRAFTER, "proposal", v2, None, None,
                 {"revision_of": v1.id, "note": note, "how": draft.how, "prompt": draft.prompt})
    session.expire(v1)
    return Decision(proposal_id, True, "superseded",
                    f"proposal {proposal_id} superseded by version {version}: proposal {v2}", new_proposal_id=v2)


def _version(session: Session, p: ActionProposal) -> int:
    """How many versions stand before and including `p` (1 for an original)."""
    count, current = 1, p.supersedes_id
    while current is not None and count < 100:
        current = session.execute(select(ActionProposal.supersedes_id).where(ActionProposal.id == current)).scalar_one()
        count += 1
    return count
