"""`GET /api/google/callback`: where Google sends the browser back after consent (SPEC §15).

No bearer token: the browser arrives from Google, so the one-time `state` (core.integrations.connection) is the
authentication. A missing, wrong, expired or used state answers 400 and stores nothing.
"""

from __future__ import annotations

import html
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from core.app.http import ApiError
from core.config.context import AppContext
from core.integrations.connection import StateRefused, complete_connect
from core.integrations.google import CALLBACK_PATH, GoogleError

log = logging.getLogger("hoss.google")


async def _callback(request: Request, ctx: AppContext) -> Response:
    params = request.query_params
    state, code, refused = params.get("state"), params.get("code"), params.get("error")

    def work() -> str:
        with ctx.sessions() as session:
            try:
                if refused:  # the operator said no at Google: use up nothing, store nothing
                    raise StateRefused(f"Google consent was not given ({refused[:60]})")
                email = complete_connect(session, ctx.settings, state, code)
                session.commit()
                return email
            except Exception:
                session.rollback()
                raise

    try:
        email = await run_in_threadpool(work)
    except StateRefused as exc:
        log.warning("Google callback refused: %s", exc)
        raise ApiError(400, str(exc)) from None
    except GoogleError as exc:
        log.warning("Google callback: %s", exc)
        raise ApiError(503 if exc.transient else 502, str(exc)) from None
    log.info("Google connected as %s", email)
    return HTMLResponse(f"<!doctype html><title>Google connected</title><p>Google connected as "
                        f"{html.escape(email)}. You can close this tab and return to the console.</p>")


def routes(route) -> list:  # noqa: ANN001 - core.app.api's RouteMaker
    """The callback route, unauthenticated by bearer token (the state authenticates it)."""
    return [route(CALLBACK_PATH, _callback, "GET", auth=False)]
