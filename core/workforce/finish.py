"""The one finisher (SPEC §18): the only move of a task to `done`, and what a done task proposes.

`finish_task` moves a task to done — a claimed run that finished unreviewed (under its claim's guard, its
outcome and LLM spend recorded in the same statement) or a task approved in review — and drafts what follows in
the same transaction: a hired worker's deliverable as its one `deliver` proposal (SPEC §12), and the customer's
Google Sheet row when it keeps one (§15). The Ops prompt's result is the operator's (invoiced, never sent), so
only a worker's task delivers. `submit_for_review` records a finished run that waits for review instead. The
done-task read model (`DoneTask`) lives here beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timezone

from sqlalchemy import func
from sqlalchemy.orm import Session

from core.approvals.executors.sheets_append import task_marker
from core.approvals.google_delivery import delivery_action_type
from core.approvals.payloads import DeliverPayload, SheetsAppendPayload
from core.approvals.proposals import draft_proposal
from core.audit import Actor
from core.errors import NotFound
from core.money.cents import to_dollars
from core.transitions import transition_task
from core.workforce import sql

SHEET_RANGE = "Sheet1"  # the first tab of a new Google Sheet; rows go after its table
SHEET_COLUMNS = ("date", "task", "worker", "cost", "earned", "task id")
_SHEET_ACTOR = Actor.system("google-delivery")


@dataclass(frozen=True)
class DoneTask:
    """A done task as its proposals see it: what it made, for whom, at what cost, and where it is delivered."""

    id: int
    agent: str | None
    description: str
    summary: str
    customer_id: int
    company: str
    contact_email: str | None
    delivery: str | None
    sheet_id: str | None
    cost_cents: int
    reward_cents: int
    done_on: date | None


@dataclass(frozen=True)
class StepCall:
    """One answered LLM call of a step, as its step row records it."""

    prompt: str
    response: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_cents: int
    latency_ms: int


@dataclass(frozen=True)
class FinalCall:
    """The last step's final call: recorded on its step row (done, with `artifact`) by the run's completion."""

    step_id: int
    call: StepCall
    artifact: str


@dataclass(frozen=True)
class RunResult:
    """A claimed run that finished: its claim's guard (worker, attempt), its result, its totals over all steps,
    and what decides its follow-ups (its worker, its customer's sheet)."""

    task_id: int
    worker: str
    attempt: int
    revision: int
    summary: str
    model: str
    mode: str
    input_tokens: int
    output_tokens: int
    cost_cents: int
    profit_cents: int
    steps: int
    agent: str | None = None
    sheet_id: str | None = None
    final_call: FinalCall | None = None  # None when the last step was done before this run


def read_done_task(session: Session, task_id: int) -> tuple[DoneTask, str]:
    """The task and its customer as a DoneTask, and its status; NotFound if unknown. Its `done_on` is its completion
    day when done, else today (the day a completion in this transaction falls on)."""
    row = session.execute(sql.DONE_TASK_FACTS, {"task_id": task_id}).first()
    if row is None:
        raise NotFound(f"task {task_id} not found")
    if row.status != "done":
        done_on = row.today
    else:
        done_on = row.completed_at.astimezone(timezone.utc).date() if row.completed_at else None
    return DoneTask(row.id, row.agent, row.description, row.result_summary or "", row.customer_id, row.company,
                    row.contact_email, row.delivery, row.sheet_id, row.cost_cents, row.reward_cents,
                    done_on), row.status


@dataclass(frozen=True)
class Finished:
    """A task that is done now, and its delivery proposal (None: the Ops prompt's task delivers nothing)."""

    task_id: int
    delivery_id: int | None


def finish_task(session: Session, task_id: int, by: Actor | RunResult, *,
                metadata: dict | None = None) -> Finished | None:
    """Move the task to `done` and draft what follows, in the caller's transaction (no commit).

    `by` a RunResult: the claimed run that finished it, running → done under the claim's guard with its outcome;
    None when the claim was no longer ours (the caller rolls back the drafted proposals). `by` an Actor: the
    operator approving it in review, needs_review → done (IllegalTransition otherwise), audited with `metadata`.
    """
    if isinstance(by, Actor):
        transition_task(session, task_id, "done", by, values={"completed_at": func.now()}, metadata=metadata)
        return Finished(task_id, draft_follow_ups(session, read_done_task(session, task_id)[0]))
    delivery = None
    if has_follow_ups(by):
        # Reads and proposals first, the completion last: the first audit row takes the audit chain's lock and the
        # completion's rollup rows are locks every Ops slot's claim and completion wait for, so both are held for
        # the last statement and the commit only.
        task = replace(read_done_task(session, task_id)[0], summary=by.summary, cost_cents=by.cost_cents)
        delivery = draft_follow_ups(session, task)
    return Finished(task_id, delivery) if record_run(session, by, "done") else None


def has_follow_ups(run: RunResult) -> bool:
    """Whether finishing this run drafts anything (then its move and its proposals need one transaction; else the
    completion is one atomic statement)."""
    return _proposes(run.agent, run.sheet_id)


def _proposes(agent: str | None, sheet_id: str | None) -> bool:
    # What draft_follow_ups drafts for: a worker's deliverable goes to the customer; a sheet gets its row.
    return agent is not None or bool(sheet_id)


def submit_for_review(session: Session, run: RunResult) -> bool:
    """Record a finished run that waits for review (running → needs_review, nothing proposed); False if stale."""
    return record_run(session, run, "needs_review")


def record_run(session: Session, run: RunResult, to_status: str) -> bool:
    """The run's completion statement (status, outcome, LLM spend booked once, audit row, the last step's final
    call); False if stale."""
    final = run.final_call
    call = final.call if final else None
    row = session.execute(sql.COMPLETE_RUN, {
        "step_id": final.step_id if final else None, "artifact": final.artifact if final else None,
        "prompt": call.prompt if call else None, "response": call.response if call else None,
        "step_model": call.model if call else None, "step_input_tokens": call.input_tokens if call else 0,
        "step_output_tokens": call.output_tokens if call else 0, "step_cost": call.cost_cents if call else 0,
        "latency_ms": call.latency_ms if call else 0,
        "id": run.task_id, "worker": run.worker, "attempt": run.attempt, "to_status": to_status,
        "summary": run.summary, "model": run.model, "mode": run.mode, "input_tokens": run.input_tokens,
        "output_tokens": run.output_tokens, "cost": run.cost_cents, "profit": run.profit_cents,
        "ref": f"task:{run.task_id}:revision:{run.revision}:attempt:{run.attempt}",
        "description": f"{run.model}: " + (f"{run.steps}-step workflow, " if run.steps > 1 else "")
                       + f"{run.input_tokens} in / {run.output_tokens} out tokens",
        "steps": run.steps, "revision": run.revision}).first()
    return row is not None


def draft_follow_ups(session: Session, task: DoneTask) -> int | None:
    """What a done task proposes: a worker's deliverable (its one `deliver` proposal) and the customer's sheet row
    (when it keeps a sheet); the delivery's id, or None for the Ops prompt's task. Deduplicated per task. No commit."""
    if task.sheet_id:
        _draft_sheet_row(session, task)
    return None if task.agent is None else _draft_delivery(session, task)


def sheet_row(task: DoneTask) -> list:
    """The task's row: date done, task, worker, cost and earned in dollars, and its marker (see sheets_append)."""
    done = task.done_on.isoformat() if task.done_on else ""
    return [done, task.description[:500], task.agent or "Ops pool", to_dollars(task.cost_cents),
            to_dollars(task.reward_cents), task_marker(task.id)]


def _draft_sheet_row(session: Session, task: DoneTask) -> int:
    payload = SheetsAppendPayload(spreadsheet_id=task.sheet_id or "", range=SHEET_RANGE, values=sheet_row(task),
                                  task_id=task.id)
    proposal_id, _ = draft_proposal(
        session, _SHEET_ACTOR, vertical="ops", action_type="sheets_append",
        title=f"Log task {task.id} to {task.company}'s Google Sheet"[:200],
        reasoning=f"Task {task.id} is done; {task.company} keeps a sheet with one row per finished task "
                  f"({', '.join(SHEET_COLUMNS)}).",
        payload=payload.model_dump(), dedupe_key=f"sheets_append:task-{task.id}", urgency="low",
    )
    return proposal_id


def _draft_delivery(session: Session, task: DoneTask) -> int:
    worker = task.agent or "ops"
    payload = DeliverPayload(
        task_id=task.id, customer_id=task.customer_id, channel=delivery_action_type({"delivery": task.delivery}),
        to=task.contact_email or "", subject=f"{task.description[:200]} — for {task.company[:80]}",
        body=f"{task.summary}\n\n— {worker}, HossAgent (task {task.id})",
    ).model_dump()
    to = payload["to"] or "(no contact email on file)"
    proposal_id, _ = draft_proposal(
        session, Actor.agent(worker), vertical="ops", action_type="deliver",
        title=f"Deliver task {task.id} to {task.company[:80]} ({to})",
        reasoning=(f"{worker} finished task {task.id} ({task.description[:200]}). Approving sends the body below "
                   f"to {to} by {payload['channel']}, exactly as shown."),
        payload=payload, dedupe_key=f"task:{task.id}:deliver",
    )
    return proposal_id
