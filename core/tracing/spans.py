"""The spans HossAgent emits, named and attributed by the OpenTelemetry GenAI conventions (SPEC §22).

Off (no endpoint set, core.tracing.setup installed nothing), every helper returns OFF, a shared object whose
`with` and `set_attribute` do nothing: no dictionary is built and opentelemetry is never imported. On, each
helper starts a span as the current one, so a step's span is its task's child and an LLM call's its step's.
"""

from __future__ import annotations

import json
from typing import Any

PROVIDER = "openai"  # gen_ai.provider.name: every LLM call goes through the official openai client
CURRENCY = "USD"  # gen_ai.usage.cost is in cents of this currency (hoss.cost.currency, hoss.cost.unit)

_tracer: Any = None  # an opentelemetry Tracer while tracing is on
_capture = False  # OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT


class _Off:
    """The span of tracing off: a no-op context manager and attribute sink."""

    __slots__ = ()

    def __enter__(self) -> _Off:
        return self

    def __exit__(self, *exc: object) -> bool:
        return False

    def set_attribute(self, key: str, value: object) -> None:
        """Nothing: tracing is off."""

    def is_recording(self) -> bool:
        """Never: tracing is off."""
        return False


OFF = _Off()


def install(tracer: Any, *, capture_content: bool) -> None:
    """Make the helpers start spans on `tracer` (core.tracing.setup's); None turns them off again."""
    global _tracer, _capture
    _tracer, _capture = tracer, capture_content


def enabled() -> bool:
    """Whether spans are being recorded."""
    return _tracer is not None


def _current(name: str, attributes: dict[str, Any], context: Any = None) -> Any:
    return _tracer.start_as_current_span(name, context=context, attributes=attributes)


def workflow(task_id: int, agent: str | None, attempt: int) -> Any:
    """A task: `invoke_workflow {worker}` (the Ops prompt's worker is `ops`)."""
    if _tracer is None:
        return OFF
    name = agent or "ops"
    return _current(f"invoke_workflow {name}", {
        "gen_ai.operation.name": "invoke_workflow", "gen_ai.workflow.name": name, "gen_ai.agent.name": name,
        "hoss.task.id": task_id, "hoss.task.attempt": attempt})


def agent_step(task_id: int, agent: str | None, step: str, index: int) -> Any:
    """One step of a task: `invoke_agent {worker}`, the step's name and place as attributes."""
    if _tracer is None:
        return OFF
    name = agent or "ops"
    return _current(f"invoke_agent {name}", {
        "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": name, "hoss.task.id": task_id,
        "hoss.step.name": step, "hoss.step.index": index})


def chat(model: str, max_tokens: int, system: str, prompt: str) -> Any:
    """One LLM call: `chat {model}`; the prompt's text only when message content capture is on."""
    if _tracer is None:
        return OFF
    attributes: dict[str, Any] = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": PROVIDER,
                                  "gen_ai.request.model": model, "gen_ai.request.max_tokens": max_tokens}
    if _capture:
        attributes["gen_ai.system_instructions"] = json.dumps([{"type": "text", "content": system}])
        attributes["gen_ai.input.messages"] = json.dumps(
            [{"role": "user", "parts": [{"type": "text", "content": prompt}]}])
    return _current(f"chat {model}", attributes)


def chat_reply(span: Any, model: str, input_tokens: int | None, output_tokens: int | None, cost_cents: int,
               text: str) -> None:
    """What the call came back with: the model, token usage, cost in cents, and the text when captured."""
    if not span.is_recording():
        return
    span.set_attribute("gen_ai.response.model", model)
    if input_tokens is not None:
        span.set_attribute("gen_ai.usage.input_tokens", input_tokens)
    if output_tokens is not None:
        span.set_attribute("gen_ai.usage.output_tokens", output_tokens)
    span.set_attribute("gen_ai.usage.cost", cost_cents)
    span.set_attribute("hoss.cost.currency", CURRENCY)
    span.set_attribute("hoss.cost.unit", "cents")
    if _capture:
        span.set_attribute("gen_ai.output.messages", json.dumps(
            [{"role": "assistant", "parts": [{"type": "text", "content": text}], "finish_reason": "stop"}]))


def decision(proposal_id: int, decision_name: str, operator: str) -> Any:
    """A person's decision on a proposal: `decide {approve|reject|revise}` with the proposal and the operator."""
    if _tracer is None:
        return OFF
    return _current(f"decide {decision_name}", {
        "hoss.proposal.id": proposal_id, "hoss.decision": decision_name, "hoss.operator": operator})


def event_ingest(source: str, external_id: str, event_type: str) -> Any:
    """A webhook's ingest: the root of its event's trace, whose ids derive from the event's own id."""
    if _tracer is None:
        return OFF
    from opentelemetry import context, trace

    from core.tracing.ids import event_ids, forced

    token = forced().set(event_ids(source, external_id))
    try:  # start_span starts now, while the forced ids are set; use_span makes it current for the block
        span = _tracer.start_span(f"ingest {source} {event_type}", context=context.Context(), attributes={
            "hoss.event.source": source, "hoss.event.external_id": external_id, "hoss.event.type": event_type})
    finally:
        forced().reset(token)
    return trace.use_span(span, end_on_exit=True, record_exception=True, set_status_on_exception=True)


def event_processing(source: str, external_id: str | None, event_type: str, event_id: int) -> Any:
    """Processing a stored event: a child of its ingest span (same derived ids), in whichever process runs it."""
    if _tracer is None:
        return OFF
    attributes = {"hoss.event.id": event_id, "hoss.event.source": source, "hoss.event.type": event_type}
    parent = None
    if external_id:
        from opentelemetry import trace

        from core.tracing.ids import event_ids

        trace_id, span_id = event_ids(source, external_id)
        remote = trace.SpanContext(trace_id, span_id, is_remote=True,
                                   trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED))
        parent = trace.set_span_in_context(trace.NonRecordingSpan(remote))
        attributes["hoss.event.external_id"] = external_id
    return _current(f"process {source} {event_type}", attributes, context=parent)
