"""The plans' HTTP routes: usage, a plan change that releases held tasks, the portal proposal; bad input is 4xx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from core.app.api import api_routes
from core.approvals.operators import add_operator
from core.audit import Actor
from core.config.context import AppContext
from tests.plans.plans_data import add, make_customer, set_cap
from tests.standins.http import serve_asgi

AUTH = {"Authorization": "Bearer plans-token-0123456789"}


@pytest.fixture
def api(ctx: AppContext) -> Iterator[httpx.Client]:
    with ctx.sessions() as session:  # the token is an owner operator's: plans are the owner's to change (SPEC §19)
        add_operator(session, "olga", "owner", Actor.system("test"))
        session.commit()
    with_token = AppContext(ctx.settings.model_copy(update={"hoss_api_tokens": SecretStr("plans-token-0123456789=olga")}),
                            ctx.engine, ctx.sessions)
    with serve_asgi(Starlette(routes=api_routes(lambda: with_token))) as base, \
            httpx.Client(base_url=base, timeout=10, headers=AUTH) as client:
        yield client


def test_plan_change_over_the_api_releases_held_tasks_and_usage_shows_it(api: httpx.Client, session: Session) -> None:
    set_cap(session, "starter", 1)
    cid = make_customer(session, stripe_customer_id="cus_acme")
    add(session, cid, 2)
    [row] = api.get("/api/customers/usage").json()["customers"]
    assert (row["used"], row["held"]) == (1, 1)
    answer = api.post(f"/api/customers/{cid}/plan", json={"plan": "pro"})
    assert answer.status_code == 200 and len(answer.json()["released_task_ids"]) == 1
    assert api.post(f"/api/customers/{cid}/billing_portal").status_code == 201
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM tasks WHERE status = 'held'")).scalar_one() == 0


@pytest.mark.parametrize(("path", "body", "status"), [
    ("/api/customers/999/plan", {"plan": "pro"}, 404),
    ("/api/customers/1/plan", {"plan": ""}, 422),
    ("/api/customers/1/plan", {"plan": "pro", "extra": 1}, 422),
    ("/api/customers/x/plan", {"plan": "pro"}, 404),
])
def test_bad_plan_requests_are_4xx_and_change_nothing(api: httpx.Client, session: Session, path: str, body: dict,
                                                      status: int) -> None:
    make_customer(session)
    session.commit()
    assert api.post(path, json=body).status_code == status
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM plan_changes")).scalar_one() == 0
