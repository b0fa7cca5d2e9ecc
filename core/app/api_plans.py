"""HTTP routes of the plans (SPEC §13): plans, this month's usage, a customer's plan change and portal link."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from core.app.http import json_body, ok, path_id
from core.config.context import AppContext
from core.plans.catalogue import change_customer_plan, list_plans
from core.plans.portal import propose_billing_portal
from core.plans.roi import plan_usage_rows


class PlanBody(BaseModel):
    """`{"plan": "pro"}`."""

    model_config = ConfigDict(extra="forbid")
    plan: str = Field(min_length=1, max_length=40)


async def _plans(request: Request, ctx: AppContext) -> JSONResponse:
    def work() -> list[dict[str, Any]]:
        with ctx.sessions() as session:
            return [dataclasses.asdict(p) for p in list_plans(session)]

    return ok({"plans": await run_in_threadpool(work)})


async def _usage(request: Request, ctx: AppContext) -> JSONResponse:
    def work() -> list[dict[str, Any]]:
        with ctx.sessions() as session:
            return plan_usage_rows(session)

    return ok({"customers": await run_in_threadpool(work)})


async def _set_plan(request: Request, ctx: AppContext) -> JSONResponse:
    customer_id = path_id(request, "id", "customer")
    body: PlanBody = await json_body(request, PlanBody)

    def work() -> tuple[int, ...]:
        with ctx.sessions() as session:
            released = change_customer_plan(session, customer_id, body.plan, request.state.actor, source="operator")
            session.commit()
            return released

    released = await run_in_threadpool(work)
    return ok({"customer_id": customer_id, "plan": body.plan, "released_task_ids": list(released)})


async def _portal(request: Request, ctx: AppContext) -> JSONResponse:
    customer_id = path_id(request, "id", "customer")

    def work() -> int:
        with ctx.sessions() as session:
            proposal_id = propose_billing_portal(session, customer_id, request.state.actor)
            session.commit()
            return proposal_id

    return ok({"customer_id": customer_id, "proposal_id": await run_in_threadpool(work)}, status=201)


def routes(route) -> list:  # noqa: ANN001 - core.app.api's route maker
    """GET /api/plans, GET /api/customers/usage, POST /api/customers/{id}/plan, POST /api/customers/{id}/billing_portal."""
    return [
        route("/api/plans", _plans, "GET"),
        route("/api/customers/usage", _usage, "GET"),
        route("/api/customers/{id}/plan", _set_plan, "POST"),
        route("/api/customers/{id}/billing_portal", _portal, "POST"),
    ]
