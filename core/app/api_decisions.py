"""HTTP routes of SPEC §14: proposals from outside, Slack button clicks, email decision links."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from core.app.http import ApiError, json_body, ok, read_body
from core.approvals import links, notify
from core.approvals.payloads import OUTSIDE_TYPES, PayloadInvalid, validate_payload
from core.approvals.proposals import draft_proposal
from core.approvals.slack import handle_interaction
from core.config.context import AppContext
from db.models import ActionProposal
from db.statuses import Urgency

MAX_SLACK_BODY = 64_000


class ProposalBody(BaseModel):
    """Body of POST /api/proposals."""

    model_config = ConfigDict(extra="forbid")
    action_type: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    reasoning: str = Field("", max_length=5000)
    urgency: Urgency = "medium"
    payload: dict[str, Any]
    dedupe_key: str | None = Field(None, min_length=1, max_length=200)


async def _create(request: Request, ctx: AppContext) -> JSONResponse:
    body: ProposalBody = await json_body(request, ProposalBody)
    try:
        payload = validate_payload(body.action_type, body.payload, OUTSIDE_TYPES)
    except PayloadInvalid as exc:
        raise ApiError(422, str(exc), details=exc.details) from None
    actor = request.state.actor
    # Without a key, the same request twice is the same proposal: the key is a digest of what it asks.
    digest = hashlib.sha256(repr((body.action_type, body.title, sorted(payload.items()))).encode()).hexdigest()[:32]
    key = f"api:{actor.label}:{body.dedupe_key or digest}"

    def work() -> dict[str, Any]:
        with ctx.sessions() as session:
            pid, created = draft_proposal(session, actor, vertical="ops", action_type=body.action_type,
                                          title=body.title, reasoning=body.reasoning, payload=payload,
                                          dedupe_key=key, urgency=body.urgency)
            session.commit()
            if created:
                notify.announce_new(session, ctx.settings)  # posted now, not at the executor's next pass
            p = session.get(ActionProposal, pid)
            assert p is not None
            return {"id": pid, "created": created, "status": p.status, "action_type": p.action_type,
                    "urgency": p.urgency}

    result = await run_in_threadpool(work)
    return ok(result, status=201 if result["created"] else 200)


async def _slack_actions(request: Request, ctx: AppContext) -> JSONResponse:
    raw = await read_body(request, MAX_SLACK_BODY)
    headers = {k.lower(): v for k, v in request.headers.items()}
    answer = await run_in_threadpool(handle_interaction, ctx, raw, headers)
    return JSONResponse(answer.body, status_code=answer.status)


async def _link_get(request: Request, ctx: AppContext) -> Response:
    token = request.path_params["token"][:2000]

    def work() -> tuple[int, str]:
        with ctx.sessions() as session:
            return links.confirmation_page(session, ctx.settings, token)

    status, html = await run_in_threadpool(work)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


async def _link_post(request: Request, ctx: AppContext) -> Response:
    token = request.path_params["token"][:2000]

    def work() -> tuple[int, str]:
        with ctx.sessions() as session:
            status, html, _ = links.confirm(session, ctx.settings, token)
            return status, html

    status, html = await run_in_threadpool(work)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def routes(route: Any) -> list[Any]:
    """The decisions routes; Slack and the links carry their own signatures instead of the bearer token."""
    return [
        route("/api/proposals", _create, "POST"),
        route("/api/slack/actions", _slack_actions, "POST", auth=False),
        route("/api/links/{token}", _link_get, "GET", auth=False),
        route("/api/links/{token}", _link_post, "POST", auth=False),
    ]


__all__ = ["routes"]
