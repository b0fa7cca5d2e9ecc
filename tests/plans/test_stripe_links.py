"""Upgrade and billing portal emails: their Stripe link is made at execution, once, against the Stripe stand-in."""

from __future__ import annotations

from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.agents.executor import run_proposal_executor
from core.approvals.proposals import approve_proposal
from core.approvals.queries import get_proposal
from core.config.settings import Settings
from core.plans.portal import propose_billing_portal
from tests.plans.plans_data import OPERATOR, add, make_customer, set_cap, set_prices, upgrade_proposals
from tests.standins.http import serve_asgi
from tests.standins.stripe_server import FakeStripe


def _stripe(settings: Settings, base: str) -> Settings:
    return settings.model_copy(update={"stripe_api_key": SecretStr("sk_test_123"), "stripe_api_base": base,
                                       "executor_retry_wait_seconds": 0})


def _approve_only(session: Session) -> int:
    pid = session.execute(text("SELECT id FROM action_proposals ORDER BY id")).scalar_one()
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    return pid


def test_upgrade_email_carries_a_subscription_checkout_for_the_next_plans_price(session: Session,
                                                                               settings: Settings) -> None:
    set_prices(session)
    set_cap(session, "starter", 1)
    cid = make_customer(session, stripe_customer_id="cus_acme")
    add(session, cid, 2)
    assert "{checkout_url}" in upgrade_proposals(session)[0][1]["body"]
    pid = _approve_only(session)
    fake = FakeStripe()
    with serve_asgi(fake.app()) as base:
        run_proposal_executor(session, _stripe(settings, base))
        run_proposal_executor(session, _stripe(settings, base))
    headers, form = fake.requests[0]
    assert (form["mode"], form["line_items[0][price]"], form["customer"]) == ("subscription", "price_pro", "cus_acme")
    assert headers["idempotency-key"] == f"hoss-proposal-{pid}-v1-checkout"
    assert fake.sessions_created == 1
    view = get_proposal(session, pid)
    assert view.status == "executed"
    sent = view.execution.result["would_send"]["body"]  # type: ignore[union-attr]
    assert "https://checkout.stripe.test/c/pay/cs_test_1" in sent and "{checkout_url}" not in sent


def test_billing_portal_link_is_made_by_billing_portal_session_create_at_execution(session: Session,
                                                                                  settings: Settings) -> None:
    cid = make_customer(session, stripe_customer_id="cus_acme")
    session.commit()
    pid = propose_billing_portal(session, cid, OPERATOR)
    session.commit()
    fake = FakeStripe()
    with serve_asgi(fake.app()) as base:
        assert fake.portal_sessions_created == 0
        approve_proposal(session, pid, OPERATOR)
        session.commit()
        run_proposal_executor(session, _stripe(settings, base))
    headers, form = fake.requests[0]
    assert form["customer"] == "cus_acme" and headers["idempotency-key"] == f"hoss-proposal-{pid}-v1-billing_portal"
    body = get_proposal(session, pid).execution.result["would_send"]["body"]  # type: ignore[union-attr]
    assert "https://billing.stripe.test/p/session/bps_test_1" in body


def test_a_real_send_without_stripe_fails_rather_than_mail_a_linkless_upgrade(session: Session,
                                                                             settings: Settings) -> None:
    cid = make_customer(session, stripe_customer_id="cus_acme")
    session.commit()
    pid = propose_billing_portal(session, cid, OPERATOR)
    approve_proposal(session, pid, OPERATOR)
    session.commit()
    run_proposal_executor(session, settings.model_copy(update={"sendgrid_api_key": SecretStr("SG.x"),
                                                               "sendgrid_from_email": "hoss@hossagent.test"}))
    view = get_proposal(session, pid)
    assert view.status == "failed" and "Stripe not configured" in (view.execution.error or "")  # type: ignore[union-attr]
