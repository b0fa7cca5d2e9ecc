"""Tasks, steps, LLM calls, decisions and Stripe events exported as OTLP/HTTP spans (SPEC §22) to a stand-in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.approvals.operators import add_operator
from core.approvals.proposals import decide
from core.audit import Actor
from core.ops.pool import OpsPool
from core.tracing import spans
from core.tracing.ids import event_ids
from core.tracing.setup import shutdown_tracing
from tests.inbox_data import email_proposal, make_lead
from tests.ops_helpers import openai_settings
from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI
from tests.workforce.conftest import hire_and_task, valid_reply

ROOT = Path(__file__).resolve().parents[2]
CONTENT_KEYS = {"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions"}


@pytest.fixture
def llm_url():
    with serve_asgi(FakeOpenAI(reply=valid_reply).app()) as url:
        yield url


def _run_pool(ctx, settings, llm_url) -> None:
    OpsPool(ctx.sessions, openai_settings(settings, llm_url), max_workers=1).run_until_idle()


@pytest.mark.slow
def test_run_agent_ops_exports_a_workflow_of_agent_steps_of_chat_calls(db_url, session, collector, llm_url):
    received, endpoint = collector
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url, "OPENAI_API_KEY": "sk-test-not-real",
           "OPENAI_BASE_URL": f"{llm_url}/v1", "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
           "OTEL_SERVICE_NAME": "hoss-test", "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Basic%20abc"}
    hire_and_task(session)
    out = subprocess.run([sys.executable, "-m", "core", "run-agent", "ops"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    [workflow] = received.named("invoke_workflow ")
    agents, chats = received.named("invoke_agent "), received.named("chat ")
    assert workflow.name == "invoke_workflow Ada" and workflow.resource["service.name"] == "hoss-test"
    assert [a.attributes["hoss.step.name"] for a in agents] == ["plan", "research", "synthesize", "self-check"]
    assert {a.parent_span_id for a in agents} == {workflow.span_id}
    assert sorted(c.parent_span_id for c in chats) == sorted(a.span_id for a in agents)
    assert all(c.attributes["gen_ai.request.model"] == "gpt-4o-mini" for c in chats)
    assert all(c.attributes["gen_ai.usage.input_tokens"] == 120 for c in chats)
    assert received.headers[0]["authorization"] == "Basic abc"


def test_a_chat_span_carries_the_genai_usage_and_cost(ctx, session, settings, tracing, llm_url):
    received, traced = tracing
    hire_and_task(session)
    _run_pool(ctx, traced, llm_url)
    shutdown_tracing()
    chat = received.named("chat ")[0].attributes
    assert chat["gen_ai.operation.name"] == "chat" and chat["gen_ai.provider.name"] == "openai"
    assert chat["gen_ai.response.model"] == "gpt-4o-mini" and chat["gen_ai.usage.output_tokens"] == 80
    assert chat["gen_ai.usage.cost"] >= 0 and chat["hoss.cost.currency"] == "USD"


def test_message_content_is_absent_by_default(ctx, session, settings, tracing, llm_url):
    received, traced = tracing
    hire_and_task(session)
    _run_pool(ctx, traced, llm_url)
    shutdown_tracing()
    assert received.named("chat ") and not any(CONTENT_KEYS & c.attributes.keys() for c in received.named("chat "))


def test_message_content_is_exported_with_the_capture_flag(ctx, session, settings, collector, llm_url):
    from core.tracing.setup import setup_tracing

    received, endpoint = collector
    setup_tracing(settings.model_copy(update={"otel_exporter_otlp_endpoint": endpoint,
                                              "otel_instrumentation_genai_capture_message_content": True}))
    try:
        hire_and_task(session)
        _run_pool(ctx, settings, llm_url)
    finally:
        shutdown_tracing()
    first = received.named("chat ")[0].attributes
    assert "Market map of dental SaaS in Germany" in first["gen_ai.input.messages"]
    assert '"role": "assistant"' in first["gen_ai.output.messages"] and "gen_ai.system_instructions" in first


def test_a_decision_span_carries_the_proposal_operator_and_outcome(session, tracing):
    received, _ = tracing
    add_operator(session, "ana", "approver", Actor.system("test"))
    pid = email_proposal(session, make_lead(session))
    session.commit()
    decide(session, pid, "approve", Actor.user("ana"))
    session.commit()
    shutdown_tracing()
    [span] = received.named("decide ")
    assert span.name == "decide approve" and span.attributes["hoss.proposal.id"] == pid
    assert span.attributes["hoss.operator"] == "ana" and span.attributes["hoss.decision.outcome"] == "approved"
    assert span.attributes["hoss.proposal.action_type"] == "email"


def test_a_stripe_events_processing_is_a_child_of_its_ingest_in_the_derived_trace(tracing):
    received, _ = tracing
    with spans.event_ingest("stripe", "evt_123", "invoice.paid"):
        pass
    with spans.event_processing("stripe", "evt_123", "invoice.paid", 7) as span:
        span.set_attribute("hoss.proposal.ids", [41, 42])
    shutdown_tracing()
    [ingest], [processing] = received.named("ingest "), received.named("process ")
    trace_id, span_id = event_ids("stripe", "evt_123")
    assert ingest.trace_id == processing.trace_id == f"{trace_id:032x}" and ingest.parent_span_id == ""
    assert processing.parent_span_id == ingest.span_id == f"{span_id:016x}"
    assert processing.attributes["hoss.proposal.ids"] == [41, 42]


def test_with_no_endpoint_no_exporter_is_created_and_opentelemetry_is_not_imported(db_url):
    code = ("import sys; from core.config.settings import load_settings; from core.tracing import spans; "
            "from core.tracing.setup import setup_tracing; "
            "print(setup_tracing(load_settings()), spans.enabled(), spans.workflow(1, None, 1) is spans.OFF, "
            "any(m.startswith('opentelemetry.sdk') or m.startswith('opentelemetry.exporter') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url},
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False", "True", "False"]


def test_malformed_otlp_headers_are_one_line_naming_the_variable_without_the_value():
    from core.config.settings import ConfigError, load_settings

    with pytest.raises(ConfigError) as err:
        load_settings(_env_file=None, otel_exporter_otlp_headers="Authorization Basic secret-value")
    assert str(err.value).startswith("Invalid OTEL_EXPORTER_OTLP_HEADERS: each header must be key=value")
    assert "secret-value" not in str(err.value)


def test_a_non_http_endpoint_is_refused_at_start_up():
    from core.config.settings import ConfigError, load_settings

    with pytest.raises(ConfigError, match="^Invalid OTEL_EXPORTER_OTLP_ENDPOINT: must be an http"):
        load_settings(_env_file=None, otel_exporter_otlp_endpoint="grpc://collector:4317")


def test_a_drafting_call_is_a_chat_span_with_its_usage(settings, tracing, llm_url):
    from core.llm.text import complete_text

    received, traced = tracing
    assert complete_text(openai_settings(traced, llm_url), "You draft emails.", "Draft a hello.")
    shutdown_tracing()
    [chat] = received.named("chat ")
    assert chat.parent_span_id == "" and chat.attributes["gen_ai.usage.input_tokens"] == 120
    assert not CONTENT_KEYS & chat.attributes.keys()
