"""Telling the approving operators a proposal waits (SPEC §14): a Slack post and approval emails with links.

New proposals are announced once by the executor job (`announce_new`), after the transaction that made them
committed, so no agent's transaction waits on Slack or SMTP. A notification to the operators' own workspace is
not an outside side effect of a proposal (it needs no approval); each one is audited.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.approvals import slack
from core.approvals.executors import email as email_executor
from core.approvals.executors.base import PermanentError, TransientError
from core.approvals.links import link_url, links_enabled, make_token
from core.approvals.operators import emails_of
from core.approvals.policies import get_policy
from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.transitions import ONE_CLICK_DECISIONS
from db.models import ActionProposal

log = logging.getLogger("hoss.notify")

NOTIFIER = Actor.system("notify")


def email_approvers(session: Session, settings: Settings, p: ActionProposal, roles: Iterable[str], *,
                    reason: str) -> list[str]:
    """Send each active operator of `roles` with an email an approval email with signed links; their names."""
    if not links_enabled(settings):
        return []
    ttl = settings.proposal_expiry_hours * 3600
    sent = []
    for name, address in emails_of(session, tuple(roles)):
        links = {d: link_url(settings, make_token(settings, p.id, d, name, ttl_seconds=ttl)) for d in ONE_CLICK_DECISIONS}
        body = (f"{reason}\n\n#{p.id} {p.title}\nUrgency: {p.urgency} · {p.action_type}\nWhy: {p.reasoning}\n\n"
                f"What would go out:\n{json.dumps(p.payload, indent=2, ensure_ascii=False, default=str)}\n\n"
                f"Approve: {links['approve']}\nReject: {links['reject']}\n\n"
                "Each link opens a confirmation page first; it works once and expires.\n")
        payload = {"to": address, "subject": f"[HossAgent] Decision needed: #{p.id} {p.title}"[:200], "body": body}
        try:
            email_executor.execute(settings, payload, idempotency_key=f"approval-{p.id}-{name}-{p.escalations}")
        except (PermanentError, TransientError) as exc:
            log.warning("approval email for proposal %s to %s failed: %s", p.id, name, str(exc)[:200])
            continue
        sent.append(name)
    if sent:
        record_audit(session, NOTIFIER, "proposal", p.id, None, None, {"notified": "email", "operators": sent,
                                                                      "reason": reason})
    return sent


def announce(session: Session, settings: Settings, p: ActionProposal) -> None:
    """Post one pending proposal to Slack and email its approvers when its urgency calls for it. No commit."""
    if p.status != "pending" or not slack.wants_notice(settings, p.urgency):
        return
    if slack.configured(settings) and not p.slack_ts:
        slack.post_proposal(session, settings, p.id)
    email_approvers(session, settings, p, get_policy(session, p.action_type).approvers,
                    reason="A proposal waits for your decision.")


def announce_new(session: Session, settings: Settings, *, limit: int = 100) -> list[int]:
    """Announce every proposal not yet announced (and mark it so, whatever its urgency); their ids. Commits."""
    rows = session.execute(
        select(ActionProposal).where(ActionProposal.notified_at.is_(None)).order_by(ActionProposal.id)
        .limit(limit).with_for_update(skip_locked=True)
    ).scalars().all()
    for p in rows:
        announce(session, settings, p)
        session.execute(update(ActionProposal).where(ActionProposal.id == p.id).values(notified_at=func.now()))
    session.commit()
    return [p.id for p in rows]


# What a posted message says once its proposal has moved on, per status (the decider is named where there is one).
_SHOWN = {
    "approved": "Approved by {who}.", "rejected": "Rejected by {who}.", "expired": "Expired: no decision in time.",
    "executing": "Approved by {who}; being carried out.", "executed": "Approved by {who}; carried out.",
    "failed": "Approved by {who}; carrying it out failed (see the Failures page).",
    "superseded": "Replaced by a revised draft after {who} asked for changes.",
}


def shown_outcome(p: ActionProposal) -> str:
    """The line a proposal's Slack message shows for its current status."""
    return f"#{p.id} " + _SHOWN.get(p.status, "{status}.").format(who=p.decided_by or "the policy", status=p.status)


def sync_slack_outcomes(session: Session, settings: Settings, *, limit: int = 100) -> list[int]:
    """Update every posted Slack message whose proposal has moved on since (decided in the console, by an email
    link or by the policy; carried out; expired), once per status; their ids. Best effort, like the announcements:
    a failed update is logged and not retried, so a Slack outage never keeps the executor busy. Commits."""
    rows = session.execute(
        select(ActionProposal).where(ActionProposal.slack_ts.is_not(None),
                                     ActionProposal.slack_shown_status.is_distinct_from(ActionProposal.status))
        .order_by(ActionProposal.id).limit(limit).with_for_update(skip_locked=True)
    ).scalars().all()
    for p in rows:
        if not slack.update_message(session, settings, p.id, shown_outcome(p)):
            session.execute(update(ActionProposal).where(ActionProposal.id == p.id)
                            .values(slack_shown_status=ActionProposal.status))
    session.commit()
    return [p.id for p in rows]
