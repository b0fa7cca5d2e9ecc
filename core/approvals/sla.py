"""SLAs per action type (SPEC §14): a pending proposal past `sla_minutes` is expired or rejected as its policy
says (never one for the other); past `escalate_after_minutes` its approvers are told again, and after twice
that the owners. The executor job runs `apply_slas` each pass; every move and notice is audited.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.approvals import slack
from core.approvals.notify import email_approvers
from core.approvals.policies import Policy, list_policies
from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.transitions import transition_proposal
from db.models import ActionProposal

SLA = Actor.system("sla")
_TIMEOUT_STATUS = {"expire": "expired", "reject": "rejected"}


def _time_out(session: Session, settings: Settings, policy: Policy) -> list[str]:
    assert policy.sla_minutes is not None
    ids = session.execute(
        select(ActionProposal.id).where(
            ActionProposal.status == "pending", ActionProposal.action_type == policy.action_type,
            ActionProposal.created_at < func.now() - timedelta(minutes=policy.sla_minutes))
        .order_by(ActionProposal.id).with_for_update(skip_locked=True)
    ).scalars().all()
    to_status = _TIMEOUT_STATUS[policy.on_timeout]
    done = []
    for pid in ids:
        transition_proposal(session, pid, to_status, SLA,
                            values={"decided_at": func.now(), "decided_by": SLA.label},
                            metadata={"reason": f"no decision within the SLA of {policy.sla_minutes} min",
                                      "on_timeout": policy.on_timeout})
        slack.update_message(session, settings, pid, f"{to_status}: no decision within {policy.sla_minutes} min")
        done.append(f"proposal {pid} {to_status} (SLA {policy.sla_minutes} min)")
    return done


def _escalate(session: Session, settings: Settings, policy: Policy) -> list[str]:
    assert policy.escalate_after_minutes is not None
    step = timedelta(minutes=policy.escalate_after_minutes)
    rows = session.execute(
        select(ActionProposal).where(
            ActionProposal.status == "pending", ActionProposal.action_type == policy.action_type,
            ActionProposal.escalations < 2,
            ActionProposal.created_at < func.now() - step * (ActionProposal.escalations + 1))
        .order_by(ActionProposal.id).with_for_update(skip_locked=True)
    ).scalars().all()
    done = []
    for p in rows:
        level = p.escalations + 1
        if level == 1:
            who, roles = "the approvers", policy.approvers
            if slack.configured(settings):
                slack.post_proposal(session, settings, p.id,
                                    text=f"Reminder: proposal #{p.id} still waits for a decision: {p.title}")
        else:
            who, roles = "the owner", ("owner",)
        emailed = email_approvers(session, settings, p, roles,
                                  reason=f"Escalation: this proposal has waited {level * policy.escalate_after_minutes} min.")
        session.execute(update(ActionProposal).where(ActionProposal.id == p.id).values(escalations=level))
        record_audit(session, SLA, "proposal", p.id, None, None,
                     {"escalation": level, "to": who, "emailed": emailed})
        done.append(f"proposal {p.id} escalated to {who}")
    return done


def apply_slas(session: Session, settings: Settings) -> list[str]:
    """Time out and escalate pending proposals per their policies; one line per thing done. Commits."""
    done: list[str] = []
    for policy in list_policies(session):
        if policy.sla_minutes is not None:
            done += _time_out(session, settings, policy)
        if policy.escalate_after_minutes is not None:
            done += _escalate(session, settings, policy)
    session.commit()
    return done
