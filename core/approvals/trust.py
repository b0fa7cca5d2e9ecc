"""The trust ledger (SPEC §14): per action type, how the operator's decisions went, and the two suggestions.

Counts over a window: proposed, approved as-is, approved after an edit (mean edit distance), revised,
rejected, timed out, execution failures, and p50/p90 seconds from first opening a card to its decision
(`opened_at`: the card first shown in the console, a Slack button first used, an email link first opened).
With ≥ 20 human decisions, ≥ 95 % approved as-is and no rejection, an internal `policy_change` proposal
suggests `auto_below`; with approved-as-is under 50 % (and a policy that is not manual), it suggests `manual`.
The operator still decides: approving the proposal changes the policy (audited).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.approvals import sql
from core.approvals.policies import get_policy
from core.approvals.proposals import draft_proposal
from core.audit import Actor
from core.money.cents import dollars

WINDOW_DAYS = 30
MIN_DECISIONS = 20
AUTO_SHARE, MANUAL_SHARE = 0.95, 0.50
TRUST = Actor.system("trust")


@dataclass(frozen=True)
class TrustRow:
    """One action type's line of the ledger."""

    action_type: str
    proposed: int
    approved_as_is: int
    approved_edited: int
    mean_edit_distance: float | None
    revised: int
    rejected: int
    timed_out: int
    failures: int
    p50_seconds: float | None
    p90_seconds: float | None
    max_amount_cents: int | None

    @property
    def decisions(self) -> int:
        """Decisions people made: approvals (as-is or edited), revisions and rejections."""
        return self.approved_as_is + self.approved_edited + self.revised + self.rejected

    @property
    def as_is_share(self) -> float | None:
        """Share of decisions approved without an edit, or None without decisions."""
        return self.approved_as_is / self.decisions if self.decisions else None


def trust_ledger(session: Session, days: int = WINDOW_DAYS) -> list[TrustRow]:
    """The ledger over the last `days` days, one row per action type (internal policy changes left out)."""
    rows = session.execute(sql.TRUST_LEDGER, {"days": days}).all()
    return [TrustRow(r.action_type, r.proposed, r.approved_as_is, r.approved_edited,
                     None if r.mean_edit_distance is None else float(r.mean_edit_distance), r.revised, r.rejected,
                     r.timed_out, r.failures, r.p50_s, r.p90_s,
                     None if r.max_amount_cents is None else int(r.max_amount_cents)) for r in rows]


def mark_opened(session: Session, proposal_ids: Iterable[int]) -> None:
    """Record the first time these cards were shown (the trust ledger's clock starts there). No commit."""
    ids = list(proposal_ids)
    if ids:
        session.execute(sql.MARK_OPENED, {"ids": ids})


def suggestion(session: Session, row: TrustRow) -> dict | None:
    """The policy change the ledger suggests for `row` (payload of a `policy_change` proposal), or None."""
    share = row.as_is_share
    if share is None:
        return None
    policy = get_policy(session, row.action_type)
    if row.decisions >= MIN_DECISIONS and share >= AUTO_SHARE and row.rejected == 0 and policy.mode == "manual":
        limit = (row.max_amount_cents or 0) + 1  # everything approved so far would have passed
        return {"action_type": row.action_type, "mode": "auto_below", "limit_cents": limit,
                "why": f"{row.approved_as_is} of {row.decisions} decisions approved as-is, none rejected"}
    if share < MANUAL_SHARE and policy.mode != "manual":
        return {"action_type": row.action_type, "mode": "manual",
                "why": f"only {row.approved_as_is} of {row.decisions} decisions approved as-is"}
    return None


def suggest_policy_changes(session: Session, days: int = WINDOW_DAYS) -> list[int]:
    """Draft a `policy_change` proposal for each suggestion not proposed before for this policy; new ids. No commit."""
    made = []
    for row in trust_ledger(session, days):
        payload = suggestion(session, row)
        if payload is None:
            continue
        current = get_policy(session, row.action_type).describe()
        target = "manual" if payload["mode"] == "manual" else f"auto below {dollars(payload['limit_cents'])}"
        pid, created = draft_proposal(
            session, TRUST, vertical="ops", action_type="policy_change",
            title=f"Policy for {row.action_type}: {current} → {target}",
            reasoning=f"Trust ledger over {days} days: {payload['why']}.", payload=payload,
            dedupe_key=f"trust:{row.action_type}:{current}:{target}",
        )
        if created:
            made.append(pid)
    return made
