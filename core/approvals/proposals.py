"""Action proposals: every outside side effect starts as one of these, waiting for an approval.

Lifecycle: pending → approved → executing → executed | failed; pending → rejected; pending → expired;
pending → superseded (revised: version 2, its text drafted by core.approvals.revise, replaces it). Approving
writes the decision, its audit row and the queued execution (the outbox row) in one transaction. `decide` is
the one way a person decides, from every channel (console, CLI, API, Slack, email links): it checks the
decider's role and the two-person rule.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.approvals import sql
from core.approvals.operators import person_of, role_of
from core.approvals.payloads import REVISABLE, validate_payload
from core.approvals.permissions import refusal
from core.approvals.policies import Policy, get_policy
from core.approvals.revise import DRAFTER, MAX_NOTE, TEXT_FIELDS, recent_notes, redraft
from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.errors import InvalidInput, NotFound
from core.tracing import spans
from core.transitions import ONE_CLICK_DECISIONS, PROPOSAL_DECISIONS, transition_proposal
from db.models import ActionProposal, Approval, Execution

DECISIONS = PROPOSAL_DECISIONS
_AFTER_APPROVAL = ("approved", "executing", "executed", "failed")


class PayloadError(InvalidInput):
    """An edited payload that cannot be executed (not a JSON object)."""


@dataclass(frozen=True)
class Decision:
    """The answer to one approve/reject: whether it took effect, the proposal's status now, and why."""

    proposal_id: int
    ok: bool
    status: str
    message: str
    execution_id: int | None = None
    forbidden: bool = False  # refused for the decider's role (the API answers 403)
    new_proposal_id: int | None = None  # a revise: version 2


def execution_key(proposal_id: int) -> str:
    """The idempotency key of a proposal's execution: one proposal, one execution, however often approved."""
    return f"proposal-{proposal_id}-v1"


def draft_proposal(
    session: Session,
    actor: Actor,
    *,
    vertical: str,
    action_type: str,
    title: str,
    reasoning: str,
    payload: dict[str, Any],
    dedupe_key: str,
    urgency: str = "medium",
    event_id: int | None = None,
    supersedes_id: int | None = None,
) -> tuple[int, bool]:
    """Insert a `pending` proposal and its audit row unless one with `dedupe_key` exists; (id, created). No commit.

    When the action type's policy allows it, the proposal is approved at once by the policy
    (actor_type `policy`) in the same transaction, so an approval record exists either way.
    """
    policy = get_policy(session, action_type)  # read before the audit row takes the chain's lock (held to commit)
    new_id = session.execute(sql.INSERT_PROPOSAL, {
        "vertical": vertical, "action_type": action_type, "title": title, "reasoning": reasoning,
        "payload": payload, "dedupe_key": dedupe_key, "urgency": urgency, "event_id": event_id,
        "supersedes_id": supersedes_id, "actor_type": actor.type, "actor_id": actor.id,
        "metadata": {"action_type": action_type, "vertical": vertical, "title": title,
                     **({"supersedes_id": supersedes_id} if supersedes_id else {})}}).scalar_one_or_none()
    if new_id is None:
        return session.execute(sql.PROPOSAL_ID_BY_DEDUPE_KEY, {"dedupe_key": dedupe_key}).scalar_one(), False
    if policy.allows_auto(payload):
        approve_proposal(session, new_id, Actor.policy(f"policy.{action_type}"),
                         note=f"approved by policy ({policy.describe()})")
    return new_id, True


def _lock(session: Session, proposal_id: int) -> ActionProposal:
    row = session.execute(
        select(ActionProposal).where(ActionProposal.id == proposal_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"proposal {proposal_id} not found")
    return row


def _not_pending(proposal: ActionProposal, wanted: str) -> Decision:
    if proposal.status in _AFTER_APPROVAL:
        message = f"proposal {proposal.id} is already approved (now {proposal.status}); nothing was done"
    else:
        message = f"proposal {proposal.id} is already {proposal.status}; it cannot be {wanted}"
    return Decision(proposal.id, False, proposal.status, message)


def approve_proposal(
    session: Session,
    proposal_id: int,
    actor: Actor,
    *,
    note: str | None = None,
    edited_payload: dict[str, Any] | None = None,
    role: str | None = None,
) -> Decision:
    """Approve a pending proposal and queue its one execution, in the caller's transaction (no commit).

    The row is locked first, so of two simultaneous approvals one wins and the other gets
    `ok=False` with "already approved". An edited payload replaces the proposal's payload; the audit
    row keeps both. The decider's role (`role`, else looked up) must be one the policy lets approve; when
    the policy wants two operators, the first approval is recorded and the proposal stays `pending`
    (ok=True) until a different operator approves. Raises NotFound, PayloadError for a non-object payload, and
    PayloadInvalid (its `details` name the fields) for an edit its action type's model refuses: every channel's
    edit is checked here, before anything is written.
    """
    if edited_payload is not None and not isinstance(edited_payload, dict):
        raise PayloadError("the edited payload must be a JSON object")
    proposal = _lock(session, proposal_id)
    if proposal.status != "pending":
        return _not_pending(proposal, "approved")
    policy = get_policy(session, proposal.action_type)
    if refusal := _refusal(session, proposal, actor, role, policy, "approve"):
        return refusal
    edited = _checked_edit(proposal, edited_payload)
    required = max(policy.required_approvals(proposal.payload), policy.required_approvals(edited or {}))
    if required > 1:
        waiting = _record_approval(session, proposal, actor, required, edited, note)
        if waiting is not None:
            return waiting
    else:
        session.execute(insert(Approval).values(proposal_id=proposal_id, operator=actor.label)
                        .on_conflict_do_nothing())
    metadata: dict[str, Any] = {"action_type": proposal.action_type}
    values: dict[str, Any] = {"decided_at": func.now(), "decided_by": actor.label, "decision_note": note}
    if note:
        metadata["note"] = note
    if edited is not None:
        metadata["original_payload"] = proposal.payload
        metadata["edited_payload"] = edited
        values["payload"] = edited
        values["edit_distance"] = edit_distance(proposal.payload, edited)
    if required > 1:
        metadata["approvals"] = required
    transition_proposal(session, proposal_id, "approved", actor, values=values, metadata=metadata)
    key = execution_key(proposal_id)
    # The proposal's row lock makes this the only insert of its key; the unique index is the database's guard.
    execution_id = session.execute(
        insert(Execution).values(proposal_id=proposal_id, idempotency_key=key).returning(Execution.id)
    ).scalar_one()
    session.expire(proposal)
    return Decision(proposal_id, True, "approved", f"proposal {proposal_id} approved; execution queued", execution_id)


def _checked_edit(proposal: ActionProposal, edited_payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """The edit as the action type's model reads it, None when there is none (or it changes nothing)."""
    if edited_payload is None or edited_payload == proposal.payload:
        return None
    checked = validate_payload(proposal.action_type, edited_payload)
    return None if checked == proposal.payload else checked


def _refusal(session: Session, proposal: ActionProposal, actor: Actor, role: str | None, policy: Policy,
             wanted: str) -> Decision | None:
    """A refused Decision when the decider's role may not decide this action type, else None."""
    role = role or role_of(session, actor)
    if policy.may_approve(role):
        return None
    if reason := refusal(role, "decide_proposal"):  # the permission table first: its sentence, nothing changed
        return Decision(proposal.id, False, proposal.status, f"{reason} Nothing changed.", forbidden=True)
    return Decision(proposal.id, False, proposal.status,
                    f"{actor.label} ({role}) may not {wanted} {proposal.action_type} proposals; nothing changed",
                    forbidden=True)


def _record_approval(session: Session, proposal: ActionProposal, actor: Actor, required: int,
                     edited: dict[str, Any] | None, note: str | None) -> Decision | None:
    """Record one approval of a proposal needing `required`; a Decision while it must wait, None once enough.

    Approvals are counted by person (core.approvals.operators.person_of): distinct operators only, never the
    integration token or a system actor, and the shell and the one-person sign-in are the same owner.
    """
    person = person_of(actor)
    if person is None:
        return Decision(proposal.id, False, "pending", f"proposal {proposal.id} needs {required} different "
                        f"operators; {actor.label} is not a person, so nothing was recorded")
    earlier = session.execute(select(Approval.operator).where(Approval.proposal_id == proposal.id)).scalars().all()
    if person in earlier:
        return Decision(proposal.id, False, "pending", f"proposal {proposal.id}: {actor.label} already approved it; "
                        f"it needs {required} different operators")
    if edited is not None and earlier:
        # The first approver saw another payload: an edit now would go out with one approval of what it says.
        return Decision(proposal.id, False, "pending", f"proposal {proposal.id} already has an approval of its "
                        "payload as it is; approve it unedited or reject it")
    session.execute(insert(Approval).values(proposal_id=proposal.id, operator=person))
    count = len(earlier) + 1
    if count >= required:
        return None
    if edited is not None:
        session.execute(update(ActionProposal).where(ActionProposal.id == proposal.id).values(
            payload=edited, edit_distance=edit_distance(proposal.payload, edited)))
    record_audit(session, actor, "proposal", proposal.id, "pending", "pending",
                 {"approval": count, "required": required, **({"note": note} if note else {}),
                  **({"original_payload": proposal.payload, "edited_payload": edited} if edited else {})})
    session.expire(proposal)
    return Decision(proposal.id, True, "pending", f"proposal {proposal.id}: approval {count} of {required} recorded "
                    f"({actor.label}); it waits for a different operator")


def approval_count(session: Session, proposal_id: int) -> int:
    """How many different operators have approved the proposal."""
    return session.execute(select(func.count()).select_from(Approval)
                           .where(Approval.proposal_id == proposal_id)).scalar_one()


def edit_distance(before: dict[str, Any], after: dict[str, Any]) -> int:
    """Characters changed between two payloads' JSON text (inserted, deleted or replaced; a diff, not Levenshtein)."""
    a = json.dumps(before, sort_keys=True, ensure_ascii=False)
    b = json.dumps(after, sort_keys=True, ensure_ascii=False)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def reject_proposal(session: Session, proposal_id: int, actor: Actor, *, note: str | None = None,
                    role: str | None = None) -> Decision:
    """Reject a pending proposal (no execution is ever queued for it), if the decider's role may. No commit."""
    proposal = _lock(session, proposal_id)
    if proposal.status != "pending":
        return _not_pending(proposal, "rejected")
    if refusal := _refusal(session, proposal, actor, role, get_policy(session, proposal.action_type), "reject"):
        return refusal
    transition_proposal(
        session, proposal_id, "rejected", actor,
        values={"decided_at": func.now(), "decided_by": actor.label, "decision_note": note},
        metadata={"note": note} if note else {"action_type": proposal.action_type},
    )
    session.expire(proposal)
    return Decision(proposal_id, True, "rejected", f"proposal {proposal_id} rejected")


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


def decide(
    session: Session,
    proposal_id: int,
    decision: str,
    actor: Actor,
    *,
    note: str | None = None,
    edited_payload: dict[str, Any] | None = None,
    role: str | None = None,
    settings: Any = None,
) -> Decision:
    """Approve, reject or revise one proposal by name of the decision; the one decide path of every channel.

    `role` is the decider's role when the channel established it (Slack's operator row); otherwise it is
    looked up (core.approvals.operators.role_of). `revise` needs a note and the settings (the redraft may
    call the LLM). No commit. InvalidInput for a note over MAX_NOTE characters.
    """
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidInput(f"a decision note is at most {MAX_NOTE} characters")
    if decision not in DECISIONS:
        raise ValueError(f"decision must be approve, reject or revise (got {decision!r})")
    with spans.decision(proposal_id, decision, actor.label) as span:
        if decision == "approve":
            result = approve_proposal(session, proposal_id, actor, note=note, edited_payload=edited_payload,
                                      role=role)
        elif decision == "reject":
            result = reject_proposal(session, proposal_id, actor, note=note, role=role)
        else:
            result = revise_proposal(session, settings, proposal_id, actor, note or "", role=role)
        if span.is_recording():
            _trace_outcome(session, span, result)
        return result


def _trace_outcome(session: Session, span: Any, result: Decision) -> None:
    """The decision span's outcome: the proposal's action type and status, and whether the decision took effect."""
    proposal = session.get(ActionProposal, result.proposal_id)  # locked by the decision: no second query
    if proposal is not None:
        span.set_attribute("hoss.proposal.action_type", proposal.action_type)
        if proposal.event_id is not None:  # drafted by an event: its processing span names this proposal
            span.set_attribute("hoss.event.id", proposal.event_id)
    span.set_attribute("hoss.decision.outcome", result.status)
    span.set_attribute("hoss.decision.took_effect", result.ok)
    span.set_attribute("hoss.decision.forbidden", result.forbidden)


def decide_many(
    session: Session, ids: Iterable[int], decision: str, actor: Actor, note: str | None = None,
    role: str | None = None,
) -> list[Decision]:
    """Approve or reject several proposals in one transaction; one result per id, a bad id spoils none. No commit."""
    if decision not in ONE_CLICK_DECISIONS:
        raise ValueError(f"decision must be approve or reject (got {decision!r})")
    wanted = list(dict.fromkeys(ids))  # keep order, drop repeats
    by_id: dict[int, Decision] = {}
    for proposal_id in sorted(wanted):  # lock in id order, so two overlapping batches cannot deadlock
        try:
            with session.begin_nested():
                by_id[proposal_id] = decide(session, proposal_id, decision, actor, note=note, role=role)
        except NotFound as exc:
            by_id[proposal_id] = Decision(proposal_id, False, "missing", str(exc))
    return [by_id[proposal_id] for proposal_id in wanted]


def expire_stale_proposals(
    session: Session, max_age: timedelta, actor: Actor | None = None, *, limit: int = 500
) -> list[int]:
    """Move pending proposals older than `max_age` to `expired` (never `rejected`); return their ids. No commit."""
    actor = actor or Actor.system("expiry")
    ids = session.execute(
        select(ActionProposal.id)
        .where(ActionProposal.status == "pending", ActionProposal.created_at < func.now() - max_age)
        .order_by(ActionProposal.created_at, ActionProposal.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # a proposal being decided right now is left to that decision
    ).scalars().all()
    hours = max_age.total_seconds() / 3600
    for proposal_id in ids:
        transition_proposal(session, proposal_id, "expired", actor,
                            values={"decided_at": func.now(), "decided_by": actor.label},
                            metadata={"reason": f"pending for more than {hours:g} hours"})
    return list(ids)
