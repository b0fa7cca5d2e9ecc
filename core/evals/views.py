"""Read models of the evals (SPEC §20): each worker's last eval and recent runs, and two versions side by side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.evals import sql
from core.money.cents import dollars
from core.workforce.versions import Instructions


@dataclass(frozen=True)
class EvalFigures:
    """One stored eval run's figures: pass rate and cost per case."""

    run_id: int
    version: int | None
    cases: int
    passed: int
    cost_cents: int
    mode: str
    judge: str
    finished_at: datetime | None

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0

    @property
    def cost_per_case_cents(self) -> int:
        return round(self.cost_cents / self.cases) if self.cases else 0

    def summary(self) -> str:
        """`80% of 10 cases`, saying when the answers were the mock's (no key: no LLM was called)."""
        return f"{self.pass_rate:.0%} of {self.cases} cases" + (", mock answers" if self.mode == "mock" else "")


def _figures(r) -> EvalFigures:  # noqa: ANN001 - a result Row
    return EvalFigures(r.id, r.version, r.cases, r.passed, int(r.cost_cents), r.mode, r.judge, r.finished_at)


def worker_evals(session: Session, *, per_worker: int = 5) -> dict[str, list[EvalFigures]]:
    """Each evaluated worker's newest eval runs, newest first (the first is its last eval). Read-only."""
    out: dict[str, list[EvalFigures]] = {}
    for r in session.execute(sql.RECENT_BY_WORKER, {"per_worker": per_worker}).all():
        out.setdefault(r.agent, []).append(_figures(r))
    session.rollback()
    return out


def recent_evals(session: Session, worker: str, *, limit: int = 5) -> list[EvalFigures]:
    """A worker's recent eval runs, newest first (its recent performance). Read-only."""
    rows = session.execute(sql.RECENT_RUNS, {"agent": worker, "limit": limit}).all()
    session.rollback()
    return [_figures(r) for r in rows]


def recent_words(runs: list[EvalFigures]) -> str:
    """The recent pass rates oldest to newest: `60% → 80% → 90%`; a dash when there are none."""
    return " → ".join(f"{r.pass_rate:.0%}" for r in reversed(runs)) or "–"


@dataclass(frozen=True)
class VersionFigures:
    """One version of a worker's instructions with its last eval and, once used, its done work's review rates."""

    instructions: Instructions
    eval: EvalFigures | None
    done: int
    revision_rate: float | None
    approved_as_is_rate: float | None

    def rows(self) -> dict[str, str]:
        """The version as a column of the side-by-side table, in words and dollars."""
        e, i = self.eval, self.instructions

        def pct(v: float | None) -> str:
            return "not used yet" if v is None else f"{v:.0%}"

        return {"version": str(i.version), "tone": i.tone, "model": i.model,
                "step prompts": ", ".join(n for n, _ in i.step_prompts) or "the template's",
                "eval pass rate": "not evaluated" if e is None else e.summary(),
                "eval cost per case": "–" if e is None else dollars(e.cost_per_case_cents),
                "tasks done": str(self.done), "revision rate": pct(self.revision_rate),
                "approved as is": pct(self.approved_as_is_rate)}


def version_figures(session: Session, worker: str, versions: list[Instructions]) -> list[VersionFigures]:
    """Each of `versions` with its newest eval and its done work's revision and approved-as-is rates. Read-only."""
    work = {r.version: r for r in session.execute(sql.VERSION_WORK, {"agent": worker}).all()}
    out = []
    for v in versions:
        row = session.execute(sql.LAST_RUN_OF_VERSION, {"agent": worker, "version": v.version}).first()
        w = work.get(v.version)
        out.append(VersionFigures(v, None if row is None else _figures(row), w.done if w else 0,
                                  (w.revised / w.done) if w and w.done else None,
                                  (w.as_is / w.reviewed) if w and w.reviewed else None))
    session.rollback()
    return out
