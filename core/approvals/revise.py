"""Revise instead of reject (SPEC §14): for a drafted message the operator asks for changes with a note, and
version 2 is drafted with it (`supersedes_id` → version 1, which ends `superseded`). This module drafts version
2's text; the move itself is `revise_proposal` in core.approvals.proposals, beside approve and reject.

The redraft goes through the LLM when a key is set (the note and the last notes of the action type in the
prompt, which is kept in v2's audit row as its trace); otherwise, or when the LLM fails, the template path
follows the instructions it can (`subject: …`, `add: …`, `remove: …`) and says in v2's reasoning what it did
and what it left to the operator. The last five notes of an action type also feed later drafts of that type
(`recent_notes`, read by the drafting agents).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import Actor
from core.config.settings import Settings
from core.llm.text import LLMTextError, complete_text
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
