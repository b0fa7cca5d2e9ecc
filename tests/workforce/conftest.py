"""Workforce fixtures: a stand-in OpenAI server that answers each workflow step validly, a customer, a hire."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from core.audit import Actor
from core.workforce.catalogue import ROLES
from core.workforce.hiring import hire
from core.workforce.intake import add_task_checked
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI

OPERATOR = Actor.user("tester")


def step_of(body: dict) -> str:
    """The step a request is for: the prompt's first line is `Step N of M: name`."""
    first = body["messages"][-1]["content"].split("\n", 1)[0]
    return first.split(": ", 1)[1] if first.startswith("Step ") else "(single prompt)"


def prompt_of(body: dict) -> str:
    return body["messages"][-1]["content"]


def valid_reply(body: dict) -> str:
    """A valid answer for whichever step asks: the step's example JSON for a json step (found by the schema's name
    when the request carries a json_schema response_format), Markdown otherwise."""
    schema_name = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
    name = step_of(body)
    for template in ROLES.values():
        for step in template.steps:
            if schema_name and step.schema is not None and step.schema.__name__ == schema_name:
                return json.dumps(step.example)
    for template in ROLES.values():
        for step in template.steps:
            if step.name == name and step.schema is not None and "Answer with one JSON object" in prompt_of(body):
                return json.dumps(step.example)
    return f"## {name}\n\nFindings for this step."


@pytest.fixture
def fake() -> FakeOpenAI:
    return FakeOpenAI(reply=valid_reply)


@pytest.fixture
def llm_url(fake: FakeOpenAI):
    with serve_asgi(fake.app()) as url:
        yield url


def make_customer(session, company: str = "Zahn GmbH", email: str = "owner@zahn.example") -> int:
    cid = session.execute(text("INSERT INTO customers (company, contact_email, plan, notes) "
                               "VALUES (:c, :e, 'pro', 'Dental software reseller') RETURNING id"),
                          {"c": company, "e": email}).scalar_one()
    session.commit()
    return cid


def hire_and_task(session, role: str = "research-analyst", name: str = "Ada", *, review: bool = True,
                  hours=None, description: str = "Market map of dental SaaS in Germany",
                  customer_id: int | None = None) -> int:
    """Hire `name` as `role` and give it one task; return the task id."""
    hire(session, role, name, OPERATOR, review=review, hours=hours)
    cid = customer_id or make_customer(session)
    task_id, _ = add_task_checked(session, customer_id=cid, description=description, reward_cents=500,
                                  agent=name, actor=OPERATOR)
    session.commit()
    return task_id
