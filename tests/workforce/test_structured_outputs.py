"""Structured Outputs (SPEC §20): a json step sends its schema as a strict response_format when the model takes one."""

from __future__ import annotations

from core.llm.pricing import supports_structured_outputs
from core.ops.pool import OpsPool
from core.workforce.hiring import hire
from core.workforce.intake import add_task_checked
from core.workforce.schemas import ProspectList, strict_schema
from core.workforce.views import task_detail
from tests.ops_helpers import openai_settings
from tests.workforce.conftest import OPERATOR, make_customer, step_of


def _run(ctx, settings, url):
    return OpsPool(ctx.sessions, openai_settings(settings, url), max_workers=1).run_until_idle()


def _task_for(session, model: str) -> int:
    hire(session, "research-analyst", "Ada", OPERATOR, model=model)
    task_id, _ = add_task_checked(session, customer_id=make_customer(session), description="Market map",
                                  reward_cents=500, agent="Ada", actor=OPERATOR)
    session.commit()
    return task_id


def test_a_markdown_step_request_carries_no_response_format(ctx, session, settings, fake, llm_url):
    _task_for(session, "gpt-4o-mini")
    _run(ctx, settings, llm_url)
    research = next(b for b in fake.requests if step_of(b) == "research")
    assert "response_format" not in research


def test_a_model_without_structured_outputs_gets_the_prompt_and_no_response_format(ctx, session, settings, fake,
                                                                                   llm_url):
    task_id = _task_for(session, "gpt-3.5-turbo")
    _run(ctx, settings, llm_url)
    plan = next(b for b in fake.requests if step_of(b) == "plan")
    assert "response_format" not in plan and "Answer with one JSON object" in plan["messages"][-1]["content"]
    assert task_detail(session, task_id).steps[0].status == "done"


def test_strict_schema_closes_every_object_and_requires_every_property_recursively() -> None:
    schema = strict_schema(ProspectList.model_json_schema())
    prospect = schema["$defs"]["Prospect"]
    assert schema["additionalProperties"] is False and prospect["additionalProperties"] is False
    assert schema["required"] == ["ideal_customer", "prospects"]
    assert prospect["required"] == ["company", "role", "reason"]
    assert "minItems" not in schema["properties"]["prospects"]


def test_structured_outputs_are_chosen_per_model_family() -> None:
    assert supports_structured_outputs("gpt-4o-mini-2024-07-18") and supports_structured_outputs("gpt-4.1")
    assert not supports_structured_outputs("gpt-3.5-turbo") and not supports_structured_outputs("llama-3")
