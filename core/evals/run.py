"""Running a role's golden set (SPEC §20) through the one task runner, unpersisted: no task, no invoice, no
delivery, no figure of customer work; each case's real cost is stored with its result and booked in the ledger as
LLM spend, and the daily budget (which counts it) is checked before every call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor, record_audit
from core.config.settings import Settings
from core.errors import InvalidInput
from core.evals import sql
from core.evals.judge import PASS_SCORE, JudgeScore, judge_workflow
from core.money.cents import dollars
from core.money.ledger import record_ledger_entry
from core.ops.claims import Claim
from core.ops.runner import TaskRunner
from core.ops.workflows import workflow_for
from core.workforce.checks import check_answer
from core.workforce.golden_sets import GoldenCase, golden_set, pick_cases
from core.workforce.hiring import get_worker
from core.workforce.roles import role_template
from core.workforce.template import RoleTemplate
from core.workforce.versions import Instructions, current_instructions, get_version


@dataclass(frozen=True)
class CaseResult:
    """One case's outcome: passed, the failed checks in words, the judge's score (None: skipped), its cost."""

    case_id: str
    passed: bool
    failures: tuple[str, ...]
    judge_score: int | None
    judge_note: str | None
    cost_cents: int
    input_tokens: int
    output_tokens: int
    deliverable: str


@dataclass(frozen=True)
class EvalReport:
    """A stored eval run: whose instructions (a worker's version, or the template's), each case, the totals."""

    run_id: int
    role: str
    worker: str | None
    version: int | None
    mode: str
    model: str
    judge: str  # "scored" or "skipped" (no key: mock mode)
    results: tuple[CaseResult, ...]
    stopped: str | None = None

    @property
    def cases(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0

    @property
    def cost_cents(self) -> int:
        return sum(r.cost_cents for r in self.results)

    def as_json(self) -> dict:
        """The run as the CLI's --json prints it."""
        return {"run_id": self.run_id, "role": self.role, "worker": self.worker, "version": self.version,
                "mode": self.mode, "model": self.model, "judge": self.judge, "cases": self.cases,
                "passed": self.passed, "pass_rate": round(self.pass_rate, 4), "cost_cents": self.cost_cents,
                "stopped": self.stopped,
                "results": [{"case": r.case_id, "passed": r.passed, "failures": list(r.failures),
                             "judge_score": r.judge_score, "judge_note": r.judge_note, "cost_cents": r.cost_cents}
                            for r in self.results]}

    def lines(self) -> list[str]:
        """The run in words: who, pass rate, cost, the judge, then each failed case and why."""
        who = f"{self.worker} (version {self.version})" if self.worker else f"the {self.role} template"
        head = (f"Eval {self.run_id} of {who}: {self.passed} of {self.cases} cases passed ({self.pass_rate:.0%}), "
                f"cost {dollars(self.cost_cents)}, mode {self.mode}, model {self.model}; the judge "
                f"{'scored each case' if self.judge == 'scored' else 'was skipped (no OpenAI key)'}.")
        out = [head] + ([f"Stopped early: {self.stopped}."] if self.stopped else [])
        for r in self.results:
            if not r.passed:
                why = "; ".join(r.failures) or f"the judge scored it {r.judge_score} of 5: {r.judge_note}"
                out.append(f"  failed {r.case_id}: {why}")
        return out


def _claim(role: str, case: GoldenCase, who: str, ins: Instructions | None, default_model: str) -> Claim:
    """The case as a claim the runner's workflow is built from, exactly as a task's (task id 0: no task exists)."""
    template = role_template(role)
    return Claim(0, 0, case.task, 0, 0, "eval", case.company, case.plan, case.notes, agent=who, role=role,
                 tone=ins.tone if ins else template.default_tone, model=ins.model if ins else default_model,
                 version=ins.version if ins else None, step_prompts=ins.step_prompts if ins else ())


def run_eval(session: Session, settings: Settings, role: str | None, actor: Actor, *, worker: str | None = None,
             version: int | None = None, cases: int | None = None, gate: float | None = None,
             runner: TaskRunner | None = None) -> EvalReport:
    """Run `role`'s golden set (or the worker's role's, on its current or a named version), store and audit it.

    InvalidInput for a role that is not the worker's, a gate outside 0-1; Forbidden without `run_eval`.
    """
    check(session, actor, "run_eval")
    if gate is not None and not 0 <= gate <= 1:
        raise InvalidInput(f"--gate is a pass rate between 0 and 1 (got {gate})")
    ins = None
    if worker is not None:
        hired = get_worker(session, worker)
        if role is not None and role != hired.role:
            raise InvalidInput(f"{worker} is a {hired.role}, not a {role}")
        role = hired.role
        ins = get_version(session, worker, version) if version is not None else current_instructions(session, worker)
    if role is None:
        raise InvalidInput("name a role or a worker to evaluate")
    template, chosen = role_template(role), pick_cases(role, cases)
    rubric = golden_set(role).rubric
    runner = runner or TaskRunner(settings)
    mode = "mock" if runner.client is None else "openai"
    model = ins.model if ins else template.default_model
    who = worker or f"the house {template.title.lower()}"
    run_id = session.execute(sql.START_RUN, {
        "role": role, "agent": worker, "version": ins.version if ins else None, "mode": mode, "model": model,
        "judge": "scored" if mode == "openai" else "skipped", "gate": gate, "started_by": actor.id}).scalar_one()
    session.commit()
    results: list[CaseResult] = []
    stopped = None
    for case in chosen:
        result, stopped = _run_case(session, runner, template, rubric, case,
                                    _claim(role, case, who, ins, model), settings.openai_model)
        if result is None:
            break
        _store(session, run_id, role, result)
        results.append(result)
        if stopped:
            break
    report = EvalReport(run_id, role, worker, ins.version if ins else None, mode, model,
                        "scored" if mode == "openai" else "skipped", tuple(results), stopped)
    session.execute(sql.FINISH_RUN, {"id": run_id, "cases": report.cases, "passed": report.passed,
                                     "cost_cents": report.cost_cents, "stopped": stopped})
    record_audit(session, actor, "eval_run", run_id, None, None, {
        "action": "eval", "role": role, "worker": worker, "version": report.version, "cases": report.cases,
        "passed": report.passed, "cost_cents": report.cost_cents, "mode": mode, "gate": gate, "stopped": stopped})
    session.commit()
    return report


def _run_case(session: Session, runner: TaskRunner, template: RoleTemplate, rubric: str, case: GoldenCase,
              claim: Claim, judge_model: str) -> tuple[CaseResult | None, str | None]:
    """One case through the runner, its checks, and its judge when a key is set; (result, why the run stops)."""
    workflow = workflow_for(claim, judge_model)
    run = runner.run_unpersisted(session, workflow)
    if run.stopped and run.cost_cents == 0:  # stopped before its first call: not a case of this run
        return None, run.stopped
    cost, tokens_in, tokens_out = run.cost_cents, run.input_tokens, run.output_tokens
    deliverable = dict(run.artifacts).get(template.steps[template.deliverable_index].name, "")
    failures = [run.error or run.stopped] if (run.error or run.stopped) else check_answer(
        template, case, dict(run.artifacts))
    score = note = None
    stopped = run.stopped
    if run.mode == "openai" and not failures:
        verdict = runner.run_unpersisted(session, judge_workflow(rubric, case, deliverable, judge_model))
        cost, tokens_in, tokens_out = (cost + verdict.cost_cents, tokens_in + verdict.input_tokens,
                                       tokens_out + verdict.output_tokens)
        if verdict.artifacts:
            judged = JudgeScore.model_validate_json(verdict.artifacts[0][1])
            score, note = judged.score, judged.reason
            if score < PASS_SCORE:
                failures.append(f"the judge scored it {score} of 5: {note}")
        else:
            note = f"the judge could not score it ({verdict.error or verdict.stopped})"
            stopped = stopped or verdict.stopped
    return CaseResult(case.id, not failures, tuple(failures), score, note, cost, tokens_in, tokens_out,
                      deliverable), stopped


def _store(session: Session, run_id: int, role: str, r: CaseResult) -> None:
    """The case's result and its LLM spend in the ledger, in one transaction."""
    session.execute(sql.ADD_RESULT, {
        "run_id": run_id, "case_id": r.case_id, "passed": r.passed, "failures": json.dumps(list(r.failures)),
        "judge_score": r.judge_score, "judge_note": r.judge_note, "cost_cents": r.cost_cents,
        "input_tokens": r.input_tokens, "output_tokens": r.output_tokens, "deliverable": r.deliverable})
    if r.cost_cents > 0:
        record_ledger_entry(session, occurred_at=datetime.now(timezone.utc), direction="out",
                            amount_cents=r.cost_cents, counterparty="OpenAI", category="llm", source="llm_usage",
                            ref=f"eval:{run_id}:{r.case_id}", description=f"eval of {role}: case {r.case_id}")
    session.commit()
