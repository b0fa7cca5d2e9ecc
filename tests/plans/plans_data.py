"""Rows the plans tests need, inserted directly: customers on a plan, caps, prices, workers."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.audit import Actor
from core.workforce.intake import add_task

OPERATOR = Actor.user("ana")
PRICES = {"starter": "price_starter", "pro": "price_pro", "enterprise": "price_enterprise"}


def make_customer(session: Session, company: str = "Acme", *, plan: str = "starter",
                  email: str = "ap@acme.test", stripe_customer_id: str | None = None) -> int:
    return session.execute(
        text("INSERT INTO customers (company, contact_email, plan, stripe_customer_id) VALUES (:c, :e, :p, :s) "
             "RETURNING id"), {"c": company, "e": email, "p": plan, "s": stripe_customer_id},
    ).scalar_one()


def set_cap(session: Session, plan: str, cap: int | None) -> None:
    session.execute(text("UPDATE plans SET monthly_task_cap = :c WHERE name = :p"), {"c": cap, "p": plan})


def set_prices(session: Session) -> None:
    for plan, price in PRICES.items():
        session.execute(text("UPDATE plans SET stripe_price_id = :s WHERE name = :p"), {"s": price, "p": plan})


def add(session: Session, customer_id: int, n: int, reward_cents: int = 80) -> list[int]:
    ids = [add_task(session, customer_id=customer_id, description=f"Task {i}", reward_cents=reward_cents,
                    actor=OPERATOR) for i in range(n)]
    session.commit()
    return ids


def statuses(session: Session, customer_id: int) -> list[str]:
    return list(session.execute(text("SELECT status FROM tasks WHERE customer_id = :c ORDER BY id"),
                                {"c": customer_id}).scalars())


def upgrade_proposals(session: Session) -> list[tuple[str, dict]]:
    return [(r.title, r.payload) for r in session.execute(
        text("SELECT title, payload FROM action_proposals WHERE dedupe_key LIKE 'plans:upgrade:%' ORDER BY id"))]


def make_worker(session: Session, name: str = "rhea", *, human_minutes: int = 90,
                monthly_budget_cents: int | None = None) -> str:
    session.execute(
        text("INSERT INTO agents (name, kind, role, human_minutes, monthly_budget_cents) "
             "VALUES (:n, 'worker', 'research-analyst', :h, :b)"),
        {"n": name, "h": human_minutes, "b": monthly_budget_cents})
    return name
