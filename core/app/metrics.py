"""`GET /metrics` in the Prometheus text format (prometheus-client), behind the API's bearer token.

A custom collector turns the database's figures (core.console.metrics, read at scrape time) into metric
families, so every replica answers alike and nothing resets on restart. The one exception is what the
database has no record of: webhooks refused before anything was stored, counted in this process.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from core.config.context import AppContext
from core.console.metrics import RUN_DURATION_BUCKETS, OpsFigures, read_ops_figures

disable_created_metrics()  # no `_created` series beside the counters: the families below are the whole surface
REFUSAL_REASONS = ("not_configured", "too_large", "signature", "bad_event", "unstorable")

# Refused requests store nothing (that is the point of refusing them), so this process counts them; sum the
# series over replicas. registry=None: it joins each scrape's registry below, never prometheus' global one.
WEBHOOKS_REFUSED = Counter(
    "hoss_webhooks_refused", "Webhook requests refused by this process (nothing stored), by reason.",
    ["source", "reason"], registry=None,
)
for _reason in REFUSAL_REASONS:
    WEBHOOKS_REFUSED.labels(source="stripe", reason=_reason)  # every series from the start, at 0


def count_refused_webhook(reason: str, source: str = "stripe") -> None:
    """Count one refused webhook request (`reason` is one of REFUSAL_REASONS)."""
    WEBHOOKS_REFUSED.labels(source=source, reason=reason).inc()


class DatabaseCollector(Collector):
    """Reads OpsFigures from Postgres on every collect() and yields them as metric families."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def describe(self) -> list[Metric]:
        return []  # registering must not query the database; the names come with each collect()

    def collect(self) -> Iterator[Metric]:
        yield from metric_families(read_ops_figures(self._ctx.engine, self._ctx.settings.metrics_statement_timeout_ms))


def _gauge(name: str, doc: str, labels: list[str], values: dict) -> GaugeMetricFamily:  # type: ignore[type-arg]
    family = GaugeMetricFamily(name, doc, labels=labels)
    for key, value in sorted(values.items()):
        family.add_metric(list(key) if isinstance(key, tuple) else [key], value)
    return family


def _counter(name: str, doc: str, labels: list[str], values: dict) -> CounterMetricFamily:  # type: ignore[type-arg]
    family = CounterMetricFamily(name, doc, labels=labels)
    for key, value in sorted(values.items()):
        family.add_metric(list(key) if isinstance(key, tuple) else [key], value)
    return family


def metric_families(f: OpsFigures) -> Iterator[Metric]:
    """The families of SPEC §16: queue depths, tasks, LLM usage, webhooks, decisions, executions, agent runs."""
    yield _gauge("hoss_tasks", "Tasks by status (pending and running are the Ops queue).", ["status"], f.tasks)
    yield _gauge("hoss_events", "Stripe events by status (received and failed are the processor's queue).",
                 ["status"], f.events)
    yield _gauge("hoss_executions", "Executions by action type and status (queued is the executor's queue; "
                 "succeeded, failed and unknown are outcomes).", ["action_type", "status"], f.executions)
    yield _gauge("hoss_proposals", "Action proposals by status (pending is the inbox).", ["status"], f.proposals)
    yield _counter("hoss_decisions", "Decided proposals by outcome and by who decided (operator, policy, system).",
                   ["outcome", "decider"], f.decisions)
    yield _counter("hoss_llm_tokens", "LLM tokens of finished tasks, by model and kind (input, output).",
                   ["model", "kind"], f.llm_tokens)
    yield _counter("hoss_llm_cost_cents", "LLM cost of finished tasks in cents, by model.", ["model"],
                   f.llm_cost_cents)
    yield _counter("hoss_webhooks_accepted", "Webhook events accepted and stored (each distinct event once), "
                   "by source.", ["source"], f.webhooks_accepted)
    yield _gauge("hoss_agent_runs", "Agent runs by agent and status (running ones included).",
                 ["agent", "status"], f.agent_runs)
    durations = HistogramMetricFamily("hoss_agent_run_duration_seconds",
                                      "Duration of finished agent runs, by agent and status.",
                                      labels=["agent", "status"])
    for (agent, status), h in sorted(f.run_durations.items()):
        buckets = [(_le(b), c) for b, c in zip(RUN_DURATION_BUCKETS, h.buckets, strict=True)] + [("+Inf", h.count)]
        durations.add_metric([agent, status], buckets, sum_value=h.sum_seconds)
    yield durations


def _le(bound: float) -> str:
    return repr(float(bound))


def exposition(ctx: AppContext, accept: str | None) -> tuple[bytes, str]:
    """The scrape body and its content type: the Prometheus text format, or OpenMetrics when asked for."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(ctx))
    registry.register(WEBHOOKS_REFUSED)
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type


async def metrics_endpoint(request: Request, ctx: AppContext) -> Response:
    """GET /metrics (the bearer token is checked by the API's endpoint wrapper)."""
    body, content_type = await run_in_threadpool(exposition, ctx, request.headers.get("accept"))
    return Response(body, media_type=content_type)
