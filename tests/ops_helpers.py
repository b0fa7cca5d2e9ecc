"""Shared pieces of the Ops tests: seeding tasks by SQL and an openai-mode settings object for a stand-in server."""

from __future__ import annotations

from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.config.settings import Settings


def seed_tasks(session: Session, n: int, *, reward: int = 80, company: str = "Acme Robotics",
               plan: str = "pro", notes: str = "Sells warehouse robots to mid-size retailers.") -> list[int]:
    """One customer and `n` pending tasks (plain INSERTs, defaults from the schema); return the task ids."""
    customer_id = session.execute(
        text("INSERT INTO customers (company, plan, notes) VALUES (:c, :p, :n) RETURNING id"),
        {"c": company, "p": plan, "n": notes},
    ).scalar_one()
    ids = session.execute(
        text("INSERT INTO tasks (customer_id, description, reward_cents) "
             "SELECT :c, 'Initial market research for ' || :company || ' #' || g, :r "
             "FROM generate_series(1, :n) g RETURNING id"),
        {"c": customer_id, "company": company, "r": reward, "n": n},
    ).scalars().all()
    session.commit()
    return sorted(ids)


def task_row(session: Session, task_id: int):
    """The task's columns as they are now in the database."""
    session.rollback()
    return session.execute(text("SELECT * FROM tasks WHERE id = :id"), {"id": task_id}).one()


def openai_settings(settings: Settings, base_url: str, **overrides: object) -> Settings:
    """`settings` switched to openai mode against a local OpenAI-compatible server."""
    return settings.model_copy(update={"openai_api_key": SecretStr("sk-test-not-real"),
                                       "openai_base_url": f"{base_url}/v1", **overrides})
