"""Subscriptions through the verified webhook set a customer's plan; any order and any repeat end the same."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from core.agents.events import run_event_processor
from core.app.stripe_webhook import webhook_routes
from core.config.context import AppContext
from core.config.settings import Settings
from core.events.webhooks import store_stripe_event
from tests.plans.plans_data import add, make_customer, set_cap, set_prices, statuses
from tests.standins.http import serve_asgi
from tests.standins.stripe_events import BASE_CREATED, post_signed, subscription

SECRET = "whsec_plans"


def _customer(session: Session) -> tuple[str, str | None, str | None, str | None]:
    return tuple(session.execute(text(
        "SELECT plan, stripe_customer_id, subscription_status, last_subscription_event_id FROM customers")).one())


def _events(session: Session) -> list[tuple[str, str | None]]:
    return [tuple(r) for r in session.execute(text("SELECT status, error FROM events ORDER BY id"))]


@pytest.fixture
def hook(ctx: AppContext) -> Iterator[str]:
    wctx = AppContext(settings=ctx.settings.model_copy(update={"stripe_webhook_secret": SecretStr(SECRET)}),
                      engine=ctx.engine, sessions=ctx.sessions)
    with serve_asgi(Starlette(routes=webhook_routes(lambda: wctx))) as base:
        yield base


def test_signed_update_to_pro_releases_held_tasks_and_an_older_starter_update_changes_nothing(
    hook: str, session: Session, settings: Settings
) -> None:
    set_prices(session)
    set_cap(session, "starter", 3)
    cid = make_customer(session)
    add(session, cid, 5)
    with httpx.Client(timeout=10) as client:
        newer = subscription("customer.subscription.updated", "sub_1", price="price_pro", customer_id=cid,
                             created=BASE_CREATED + 60)
        assert post_signed(client, hook, SECRET, newer).status_code == 200
        run_event_processor(session, settings)
        assert _customer(session)[:3] == ("pro", "cus_acme", "active")
        assert statuses(session, cid) == ["pending"] * 5
        older = subscription("customer.subscription.updated", "sub_1", price="price_starter", customer_id=cid,
                             created=BASE_CREATED)
        assert post_signed(client, hook, SECRET, older).status_code == 200
        run_event_processor(session, settings)
    assert _customer(session)[0] == "pro"
    assert session.execute(text("SELECT plan_changed_at IS NOT NULL FROM customers")).scalar_one()
    assert [r[0] for r in _events(session)] == ["processed", "processed"]


_SET = (
    subscription("customer.subscription.created", "sub_1", price="price_starter", created=BASE_CREATED),
    subscription("customer.subscription.updated", "sub_1", price="price_pro", created=BASE_CREATED + 10),
    subscription("customer.subscription.updated", "sub_1", price="price_enterprise", created=BASE_CREATED + 20),
    subscription("customer.subscription.updated", "sub_1", price="price_pro", created=BASE_CREATED + 30,
                 status="past_due"),
)


def _orders() -> list[tuple[int, ...]]:
    every = list(itertools.permutations(range(len(_SET))))
    return random.Random(12).sample(every, 6)  # a shuffled handful of the 24 orders keeps the test fast


@pytest.mark.parametrize("order", _orders())
def test_subscription_events_in_any_order_and_repeated_reach_the_same_plan(
    session: Session, settings: Settings, order: tuple[int, ...]
) -> None:
    set_prices(session)
    make_customer(session, stripe_customer_id="cus_acme")
    session.commit()
    for i in (*order, order[0]):  # the first one again at the end: a repeat by Stripe
        store_stripe_event(session, _SET[i])
        run_event_processor(session, settings)
    assert _customer(session) == ("pro", "cus_acme", "past_due", _SET[3]["id"])


def test_deleted_subscription_falls_back_to_starter(session: Session, settings: Settings) -> None:
    set_prices(session)
    make_customer(session, plan="pro", stripe_customer_id="cus_acme")
    session.commit()
    store_stripe_event(session, subscription("customer.subscription.deleted", "sub_1", price="price_pro",
                                             status="canceled"))
    run_event_processor(session, settings)
    assert _customer(session)[:3] == ("starter", "cus_acme", "canceled")
    history = session.execute(text("SELECT from_plan, to_plan, source FROM plan_changes")).one()
    assert tuple(history) == ("pro", "starter", "webhook")


def test_unknown_price_id_is_recorded_with_a_clear_error_and_changes_nothing(session: Session,
                                                                           settings: Settings) -> None:
    make_customer(session, stripe_customer_id="cus_acme")
    session.commit()
    store_stripe_event(session, subscription("customer.subscription.updated", "sub_1", price="price_mystery"))
    result = run_event_processor(session, settings)
    assert result.status == "succeeded"
    [(status, error)] = _events(session)
    assert status == "ignored" and "unknown price id 'price_mystery'" in (error or "")
    assert _customer(session)[0] == "starter"
