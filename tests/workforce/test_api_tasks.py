"""POST /api/tasks and POST /api/tasks/{id}/review over real HTTP: token, 201, 404 unknown ids, 422 bad bodies."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from starlette.applications import Starlette

from core.app.api import api_routes
from core.approvals.operators import add_operator
from core.audit import Actor
from core.config.context import AppContext
from tests.standins.http import serve_asgi
from tests.workforce.conftest import make_customer

AUTH = {"Authorization": "Bearer tok-123-0123456789abcdef"}


@pytest.fixture
def api(ctx: AppContext) -> Iterator[httpx.Client]:
    with ctx.sessions() as session:  # an owner operator's token: it adds and reviews tasks (SPEC §19)
        add_operator(session, "olga", "owner", Actor.system("test"))
        session.commit()
    with_token = AppContext(ctx.settings.model_copy(update={"hoss_api_tokens": SecretStr("tok-123-0123456789abcdef=olga")}), ctx.engine,
                            ctx.sessions)
    with serve_asgi(Starlette(routes=api_routes(lambda: with_token))) as base, \
            httpx.Client(base_url=base, timeout=10) as client:
        yield client


def _count(session) -> int:
    session.rollback()
    return session.execute(text("SELECT count(*) FROM tasks")).scalar()


def test_post_task_adds_it_for_the_worker(api, session):
    cid = make_customer(session)
    r = api.post("/api/tasks", json={"customer_id": cid, "description": "Market map", "agent": "Rhea",
                                     "reward_cents": 900}, headers=AUTH)
    row = session.execute(text("SELECT agent, reward_cents, status FROM tasks")).one()
    assert r.status_code == 201 and r.json()["status"] == "pending"
    assert tuple(row) == ("Rhea", 900, "pending")


def test_post_task_needs_the_token(api, session):
    cid = make_customer(session)
    assert api.post("/api/tasks", json={"customer_id": cid, "description": "x"}).status_code == 401
    assert _count(session) == 0


@pytest.mark.parametrize("body", [{}, {"customer_id": "1", "description": "x"}, {"customer_id": 1},
                                  {"customer_id": 1, "description": "x", "reward_cents": -1},
                                  {"customer_id": 1, "description": "x", "extra": True},
                                  {"customer_id": 1, "description": "   "}, [1, 2]])
def test_post_task_with_a_bad_body_is_422_and_stores_nothing(api, session, body):
    make_customer(session)
    assert api.post("/api/tasks", json=body, headers=AUTH).status_code == 422
    assert _count(session) == 0


@pytest.mark.parametrize("extra", [{"customer_id": 999999}, {"agent": "Nobody"}])
def test_post_task_for_an_unknown_customer_or_worker_is_404(api, session, extra):
    cid = make_customer(session)
    r = api.post("/api/tasks", json={"customer_id": cid, "description": "x", **extra}, headers=AUTH)
    assert r.status_code == 404 and _count(session) == 0


def test_review_of_a_task_not_waiting_for_review_is_409(api, session):
    cid = make_customer(session)
    task_id = api.post("/api/tasks", json={"customer_id": cid, "description": "x"}, headers=AUTH).json()["id"]
    r = api.post(f"/api/tasks/{task_id}/review", json={"decision": "approve"}, headers=AUTH)
    assert r.status_code == 409 and "not waiting for review" in r.json()["error"]
    assert api.post("/api/tasks/99999/review", json={"decision": "approve"}, headers=AUTH).status_code == 404
    assert api.post(f"/api/tasks/{task_id}/review", json={"decision": "maybe"}, headers=AUTH).status_code == 422


def test_twenty_concurrent_posts_for_a_customer_with_three_slots_make_exactly_three_pending(api, session):
    from concurrent.futures import ThreadPoolExecutor

    from tests.plans.plans_data import set_cap

    set_cap(session, "starter", 3)
    cid = session.execute(text("INSERT INTO customers (company, contact_email, plan) "
                               "VALUES ('Fresh Co', 'a@fresh.test', 'starter') RETURNING id")).scalar_one()
    session.commit()
    body = {"customer_id": cid, "description": "One more report"}
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(lambda _: api.post("/api/tasks", json=body, headers=AUTH).status_code, range(20)))
    session.rollback()
    statuses = session.execute(text("SELECT status, count(*) FROM tasks WHERE customer_id = :c GROUP BY status"),
                               {"c": cid}).all()
    assert codes == [201] * 20
    assert dict(statuses) == {"pending": 3, "held": 17}
    upgrades = session.execute(text("SELECT count(*) FROM action_proposals WHERE title LIKE 'Upgrade%'")).scalar()
    assert upgrades == 1


def _waiting_for_review(ctx, api, session) -> int:
    from core.ops.pool import OpsPool
    from core.workforce.hiring import hire

    hire(session, "research-analyst", "Ada", Actor.system("test"), review=True)
    session.commit()
    cid = make_customer(session)
    task_id = api.post("/api/tasks", json={"customer_id": cid, "description": "x", "agent": "Ada"},
                       headers=AUTH).json()["id"]
    OpsPool(ctx.sessions, ctx.settings, max_workers=1).run_until_idle()  # mock mode: straight to review
    return task_id


def _lessons(session) -> int:
    session.rollback()
    return session.execute(text("SELECT count(*) FROM customer_lessons")).scalar()


def test_a_review_note_with_remember_false_leaves_no_lesson(ctx, api, session):
    task_id = _waiting_for_review(ctx, api, session)
    r = api.post(f"/api/tasks/{task_id}/review", json={"decision": "revise", "note": "shorter", "remember": False},
                 headers=AUTH)
    assert r.status_code == 200 and _lessons(session) == 0


def test_a_review_note_is_remembered_by_default(ctx, api, session):
    task_id = _waiting_for_review(ctx, api, session)
    r = api.post(f"/api/tasks/{task_id}/review", json={"decision": "revise", "note": "shorter"}, headers=AUTH)
    assert r.status_code == 200 and _lessons(session) == 1


def test_a_remember_that_is_not_a_boolean_is_422(ctx, api, session):
    task_id = _waiting_for_review(ctx, api, session)
    r = api.post(f"/api/tasks/{task_id}/review", json={"decision": "revise", "note": "x", "remember": "yes"},
                 headers=AUTH)
    assert r.status_code == 422 and "remember" in r.text and _lessons(session) == 0
