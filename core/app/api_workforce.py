"""The workforce's routes (SPEC §12): add a task, read one with its steps, and the review decision."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from core.app.http import json_body, ok, path_id
from core.config.context import AppContext
from core.transitions import ReviewDecision
from core.workforce.intake import DEFAULT_REWARD_CENTS, MAX_DESCRIPTION_CHARS, add_task_checked
from core.workforce.review import MAX_NOTE_CHARS, review_task
from core.workforce.views import task_detail, task_json
from db.ids import Id


class TaskBody(BaseModel):
    """Body of POST /api/tasks."""

    model_config = ConfigDict(extra="forbid", strict=True)
    customer_id: Id
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    agent: str | None = Field(None, min_length=1, max_length=40)
    reward_cents: int = Field(DEFAULT_REWARD_CENTS, ge=0, le=10**12)


class ReviewBody(BaseModel):
    """Body of POST /api/tasks/{id}/review."""

    model_config = ConfigDict(extra="forbid")
    decision: ReviewDecision
    note: str | None = Field(None, max_length=MAX_NOTE_CHARS)
    remember: bool = Field(True, strict=True)  # the note becomes a lesson for the task's customer


async def _add_task(request: Request, ctx: AppContext) -> JSONResponse:
    body: TaskBody = await json_body(request, TaskBody)

    def work() -> dict[str, Any]:
        with ctx.sessions() as session:
            task_id, status = add_task_checked(session, customer_id=body.customer_id, description=body.description,
                                               reward_cents=body.reward_cents, agent=body.agent,
                                               actor=request.state.actor)
            session.commit()
            return {"id": task_id, "status": status, "agent": body.agent}

    return ok(await run_in_threadpool(work), status=201)


async def _show_task(request: Request, ctx: AppContext) -> JSONResponse:
    task_id = path_id(request, "id", "task")

    def work() -> dict[str, Any]:
        with ctx.sessions() as session:
            return task_json(task_detail(session, task_id))

    return ok(await run_in_threadpool(work))


async def _review(request: Request, ctx: AppContext) -> JSONResponse:
    task_id = path_id(request, "id", "task")
    body: ReviewBody = await json_body(request, ReviewBody)

    def work() -> dict[str, Any]:
        with ctx.sessions() as session:
            outcome = review_task(session, task_id, body.decision, request.state.actor, note=body.note,
                                  remember=body.remember)
            session.commit()
            return {"id": task_id, "status": outcome.status, "message": outcome.message,
                    "proposal_id": outcome.proposal_id}

    return ok(await run_in_threadpool(work))


def routes(route) -> list:  # noqa: ANN001 - core.app.api's route maker
    return [
        route("/api/tasks", _add_task, "POST"),
        route("/api/tasks/{id}", _show_task, "GET"),
        route("/api/tasks/{id}/review", _review, "POST"),
    ]
