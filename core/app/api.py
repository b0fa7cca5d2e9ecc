"""The HTTP API of SPEC §8 and §16: Starlette routes served by `web` and by `api` (the webhook is in stripe_webhook).

Every route but /healthz (and the webhook, which has its signature) needs a bearer token, /metrics included: an
operator's own (`operator token NAME`), or HOSS_API_TOKEN, the integration identity (SPEC §19: it reads and
proposes, never decides); with no token anywhere the API refuses (503) instead of standing open. Errors are JSON: 401/403/404/409/422/503/504 (core.errors' kinds), and 500 without internals.
"""

from __future__ import annotations

import dataclasses
import hmac
import importlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from core.agents.registry import OPERATOR_RUNNABLE
from core.agents.runner import run_named_agent
from core.app.http import MAX_OFFSET, ApiError, error_response, json_body, ok, path_id, query_int
from core.app.metrics import metrics_endpoint
from core.app.stripe_webhook import webhook_routes
from core.approvals.acting import mark_invoice_paid
from core.approvals.credentials import operator_by_token, tokens_in_use
from core.approvals.operators import INTEGRATION, operator_active
from core.approvals.proposals import decide
from core.approvals.queries import MAX_PAGE, list_pending, list_proposals
from core.audit import Actor
from core.config.context import AppContext
from core.config.settings import Settings, parse_token_map
from core.console.control_room import mark_lead_responded
from core.errors import Forbidden, IllegalTransition, InvalidInput, NotFound, QueryTimeout
from core.transitions import ProposalDecision
from db.statuses import PROPOSAL_STATUSES

log = logging.getLogger("hoss.api")

RUNNABLE = tuple(a.name for a in OPERATOR_RUNNABLE)

ContextProvider = Callable[[], AppContext]


class DecideBody(BaseModel):
    """Body of POST /api/proposals/{id}/decide."""

    model_config = ConfigDict(extra="forbid")
    decision: ProposalDecision
    # Who the caller says it acts for: kept in the decision note only; the actor is the token's operator.
    actor: str | None = Field(None, min_length=1, max_length=100)
    note: str | None = Field(None, max_length=2000)
    payload: dict[str, Any] | None = None  # an edited payload (approve only)


def api_tokens(settings: Settings) -> dict[str, Actor]:
    """The bearer tokens set in the environment: HOSS_API_TOKEN is the integration identity (core.approvals.operators
    .INTEGRATION); HOSS_API_TOKENS name operators, who must exist and be active when the token is used."""
    tokens = {token: Actor.user(name) for token, name in parse_token_map(settings.secret("hoss_api_tokens") or "").items()}
    if single := settings.secret("hoss_api_token"):
        tokens[single] = INTEGRATION
    return tokens


def authenticate(session: Session, settings: Settings, authorization: str) -> Actor:
    """Whose the bearer token is: an operator's own (`operator token NAME`), an operator named in HOSS_API_TOKENS,
    or the integration identity (HOSS_API_TOKEN); 401 otherwise, 503 while no token exists at all."""
    tokens = api_tokens(settings)
    scheme, _, given = authorization.partition(" ")
    given = given.strip()
    given_bytes = given.encode("utf-8", "replace")
    # Compare against every token (constant time each) so timing does not tell which one matched.
    matches = [actor for token, actor in tokens.items() if hmac.compare_digest(given_bytes, token.encode())]
    if scheme.lower() == "bearer" and matches:
        actor = matches[0]
        if actor.type == "user" and operator_active(session, actor.id) is None:
            raise ApiError(401, f"the token names {actor.id!r}, who is not an active operator")
        return actor
    if scheme.lower() == "bearer" and (operator := operator_by_token(session, given)) is not None:
        return Actor.user(operator.name)
    if not tokens and not tokens_in_use(session):
        raise ApiError(503, "HOSS_API_TOKEN not set")
    raise ApiError(401, "missing or wrong bearer token")


def _token_actor(request: Request, ctx: AppContext) -> Actor:
    """The actor of a request's bearer token (see `authenticate`), in a session of its own; 401/503."""
    with ctx.sessions() as session:
        return authenticate(session, ctx.settings, request.headers.get("authorization", ""))


Handler = Callable[[Request, AppContext], Awaitable[Response]]


def _endpoint(provider: ContextProvider, handler: Handler, *, auth: bool = True) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            ctx = await run_in_threadpool(provider)
            if auth:
                request.state.actor = await run_in_threadpool(_token_actor, request, ctx)
            return await handler(request, ctx)
        except ApiError as exc:
            return error_response(exc.status, exc.message, **exc.extra)
        except Forbidden as exc:  # the permission table refused the caller's role (core.approvals.acting)
            return error_response(403, str(exc))
        except NotFound as exc:
            return error_response(404, str(exc))
        except IllegalTransition as exc:
            return error_response(409, str(exc))
        except InvalidInput as exc:  # a refused edited payload carries `details`: each field and why
            return error_response(422, str(exc), **({"details": exc.details} if hasattr(exc, "details") else {}))
        except QueryTimeout as exc:
            return error_response(504, str(exc))
        except Exception:
            log.exception("API %s %s failed", request.method, request.url.path)
            return error_response(500, "internal error; see the server log")

    return endpoint


async def _healthz(request: Request, ctx: AppContext) -> JSONResponse:
    def check() -> None:
        with ctx.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(check)
    except Exception:
        return error_response(503, "database unreachable")
    return ok({"status": "ok"})


async def _run_agent(request: Request, ctx: AppContext) -> JSONResponse:
    name = request.path_params["name"]
    if name not in RUNNABLE:
        raise ApiError(404, f"unknown agent {name!r}; choose one of: {', '.join(RUNNABLE)}")
    result = await run_in_threadpool(run_named_agent, ctx, name, trigger="api", actor=request.state.actor)
    return ok({**dataclasses.asdict(result), "ok": result.ok})


async def _lead_responded(request: Request, ctx: AppContext) -> JSONResponse:
    lead_id = path_id(request, "id", "lead")

    def work() -> dict[str, Any]:
        with ctx.sessions() as session:
            changed = mark_lead_responded(session, lead_id, request.state.actor)
            session.commit()
            return {"lead_id": lead_id, "status": "responded", "changed": changed}

    return ok(await run_in_threadpool(work))


async def _invoice_paid(request: Request, ctx: AppContext) -> JSONResponse:
    invoice_id = path_id(request, "id", "invoice")

    def work() -> dict[str, Any]:
        with ctx.sessions() as session:
            changed = mark_invoice_paid(session, invoice_id, request.state.actor)
            session.commit()
            return {"invoice_id": invoice_id, "status": "paid", "changed": changed}

    return ok(await run_in_threadpool(work))


async def _proposals(request: Request, ctx: AppContext) -> JSONResponse:
    status = request.query_params.get("status", "pending")
    if status not in PROPOSAL_STATUSES:
        raise ApiError(422, f"status must be one of: {', '.join(PROPOSAL_STATUSES)}")
    limit = query_int(request, "limit", 50, low=1, high=MAX_PAGE)
    offset = query_int(request, "offset", 0, low=0, high=MAX_OFFSET)

    def work() -> list[dict[str, Any]]:
        with ctx.sessions() as session:
            rows = (list_pending(session, limit=limit, offset=offset) if status == "pending"
                    else list_proposals(session, statuses=[status], limit=limit, offset=offset))
            return [dataclasses.asdict(r) for r in rows]

    return ok({"status": status, "proposals": await run_in_threadpool(work)})


async def _decide(request: Request, ctx: AppContext) -> JSONResponse:
    proposal_id = path_id(request, "id", "proposal")
    body: DecideBody = await json_body(request, DecideBody)
    if body.payload is not None and body.decision != "approve":
        raise ApiError(422, "an edited payload goes with approve only")
    if body.decision == "revise" and not (body.note or "").strip():
        raise ApiError(422, "revise needs a note saying what to change")

    def work() -> Any:
        with ctx.sessions() as session:
            decision = decide(session, proposal_id, body.decision, request.state.actor, note=_note(body),
                              edited_payload=body.payload, settings=ctx.settings)
            session.commit()
            return decision

    decision = await run_in_threadpool(work)
    if decision.forbidden:
        return error_response(403, decision.message, proposal_id=proposal_id, status=decision.status)
    if not decision.ok:
        return error_response(409, decision.message, proposal_id=proposal_id, status=decision.status)
    return ok(dataclasses.asdict(decision))


def _note(body: DecideBody) -> str | None:
    """The decision note, with the body's `actor` kept as words (it names no one with authority)."""
    if body.actor is None:
        return body.note
    return f"{body.note + ' ' if body.note else ''}(sent on behalf of {body.actor!r})"


# Each concept's own routes: a module with `routes(route) -> list[Route]`, `route` being the maker below
# (bearer-token auth, errors as JSON). Listed here so `api_routes` stays the one place every route is bound.
ROUTE_MODULES: tuple[str, ...] = (
    "core.app.api_workforce", "core.app.api_plans", "core.app.api_decisions", "core.app.api_google",
)

RouteMaker = Callable[..., Route]


def api_routes(ctx_provider: ContextProvider) -> list[BaseRoute]:
    """Every §8 route, the Stripe webhook included, bound to a context provider so any process can serve them."""
    def route(path: str, handler: Handler, method: str, *, auth: bool = True) -> Route:
        return Route(path, _endpoint(ctx_provider, handler, auth=auth), methods=[method])

    extra = [r for name in ROUTE_MODULES for r in importlib.import_module(name).routes(route)]

    return [
        route("/healthz", _healthz, "GET", auth=False),
        route("/api/run/{name}", _run_agent, "POST"),
        route("/api/leads/{id}/responded", _lead_responded, "POST"),
        route("/api/invoices/{id}/mark_paid", _invoice_paid, "POST"),
        route("/api/proposals", _proposals, "GET"),
        route("/api/proposals/{id}/decide", _decide, "POST"),
        route("/metrics", metrics_endpoint, "GET"),
        *webhook_routes(ctx_provider),  # authenticated by its Stripe signature, not the bearer token
        *extra,
    ]


# Paths a framework serves that must not answer the public: Streamlit's own /_stcore/metrics (session and cache
# figures; Streamlit 1.67 serves it unauthenticated, has no option to turn it off, and refuses user routes
# under /_stcore/). Matched on the decoded path the router sees, with repeated and trailing slashes folded.
GUARDED_SUFFIXES = ("/_stcore/metrics",)


class TokenGuard:
    """ASGI middleware: a request for a guarded path is answered 401/503 unless it carries the API bearer token."""

    def __init__(self, app: ASGIApp, provider: ContextProvider) -> None:
        self.app, self.provider = app, provider

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _guarded(scope.get("path", "")):
            try:
                await run_in_threadpool(_token_actor, Request(scope), await run_in_threadpool(self.provider))
            except ApiError as exc:
                await error_response(exc.status, exc.message)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _guarded(path: str) -> bool:
    folded = "/" + "/".join(part for part in path.split("/") if part)
    return folded.endswith(GUARDED_SUFFIXES)
