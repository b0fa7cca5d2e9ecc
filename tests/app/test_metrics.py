"""GET /metrics over real HTTP: the bearer token, figures read from Postgres at scrape time, valid exposition."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from core.app.api import api_routes
from core.approvals.proposals import decide, expire_stale_proposals
from core.audit import Actor
from core.config.context import AppContext
from tests.inbox_data import email_proposal, make_lead, slack_proposal
from tests.standins.http import serve_asgi
from tests.standins.stripe_events import payment_failed, post_signed

TOKEN = "metrics-token-7c1e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WEBHOOK_SECRET = "whsec_metrics_test"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def base(ctx: AppContext) -> Iterator[str]:
    settings = ctx.settings.model_copy(update={"hoss_api_token": SecretStr(TOKEN),
                                               "stripe_webhook_secret": SecretStr(WEBHOOK_SECRET)})
    served = AppContext(settings, ctx.engine, ctx.sessions)
    with serve_asgi(Starlette(routes=api_routes(lambda: served))) as url:
        yield url


def scrape(base: str, **headers: str) -> httpx.Response:
    response = httpx.get(f"{base}/metrics", headers={**AUTH, **headers}, timeout=30)
    assert response.status_code == 200, response.text
    return response


def samples(base: str) -> Samples:
    """Every sample of one scrape, parsed by prometheus_client's own parser, by (name, sorted labels)."""
    body = scrape(base).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


def value(found: Samples, name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def test_metrics_needs_the_token(base: str, ctx: AppContext) -> None:
    assert httpx.get(f"{base}/metrics").status_code == 401
    assert httpx.get(f"{base}/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    with serve_asgi(Starlette(routes=api_routes(lambda: ctx))) as no_token:  # no HOSS_API_TOKEN configured
        refused = httpx.get(f"{no_token}/metrics", headers=AUTH)
    assert refused.status_code == 503 and refused.json()["error"] == "HOSS_API_TOKEN not set"


def test_is_the_prometheus_text_format(base: str) -> None:
    response = scrape(base)
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f.type for f in text_string_to_metric_families(response.text)}
    assert families == {
        "hoss_tasks": "gauge", "hoss_events": "gauge", "hoss_executions": "gauge", "hoss_proposals": "gauge",
        "hoss_decisions": "counter", "hoss_llm_tokens": "counter", "hoss_llm_cost_cents": "counter",
        "hoss_webhooks_accepted": "counter", "hoss_webhooks_refused": "counter", "hoss_agent_runs": "gauge",
        "hoss_agent_run_duration_seconds": "histogram",
    }


def test_openmetrics_when_the_scraper_asks_for_it(base: str) -> None:
    response = scrape(base, accept="application/openmetrics-text; version=1.0.0")
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert "hoss_tasks" in {f.name for f in openmetrics_families(response.text)}  # the parser demands `# EOF`


def _customer(session: Session) -> int:
    return session.execute(text("INSERT INTO customers (company) VALUES ('Acme') RETURNING id")).scalar_one()


def test_tasks_by_status_gauge_counts_the_rows_at_scrape_time(base: str, session: Session) -> None:
    cid = _customer(session)
    for status, n in (("pending", 3), ("running", 1), ("failed", 2), ("needs_review", 1)):
        for _ in range(n):
            session.execute(text("INSERT INTO tasks (customer_id, description, status) VALUES (:c, 'x', :s)"),
                            {"c": cid, "s": status})
    for tokens_in, tokens_out, cost in ((100, 40, 3), (50, 10, 1)):
        session.execute(text(
            "INSERT INTO tasks (customer_id, description, status, completed_at, model, input_tokens, output_tokens, "
            "cost_cents, reward_cents, profit_cents) VALUES (:c, 'x', 'done', now(), 'gpt-4o-mini', :i, :o, :k, 500, 0)"
        ), {"c": cid, "i": tokens_in, "o": tokens_out, "k": cost})
    session.commit()
    found = samples(base)
    tasks = {status: value(found, "hoss_tasks", status=status)
             for status in ("pending", "running", "done", "failed", "needs_review")}
    assert tasks == {"pending": 3, "running": 1, "done": 2, "failed": 2, "needs_review": 1}
    assert value(found, "hoss_llm_tokens_total", model="gpt-4o-mini", kind="input") == 150
    assert value(found, "hoss_llm_tokens_total", model="gpt-4o-mini", kind="output") == 50
    assert value(found, "hoss_llm_cost_cents_total", model="gpt-4o-mini") == 4

    session.execute(text("UPDATE tasks SET status = 'pending', attempts = 0 WHERE status = 'failed'"))
    session.commit()
    found = samples(base)  # no cache: the next scrape reads the database again
    assert value(found, "hoss_tasks", status="pending") == 5 and value(found, "hoss_tasks", status="failed") == 0


def test_queues_decisions_and_execution_outcomes(base: str, session: Session) -> None:
    for i, status in enumerate(("received", "received", "failed", "processed")):
        session.execute(text("INSERT INTO events (source, type, dedupe_key, status) VALUES ('stripe', 't', :k, :s)"),
                        {"k": f"evt_{i}", "s": status})
    approved = email_proposal(session, make_lead(session))
    rejected = email_proposal(session, make_lead(session, email="bo@acme.test", company="Acme"), to="bo@acme.test")
    email_proposal(session, make_lead(session, email="cy@zeta.test", company="Zeta"), to="cy@zeta.test")
    stale = slack_proposal(session)
    session.execute(text("UPDATE action_proposals SET created_at = now() - interval '1 day' WHERE id = :p"), {"p": stale})
    assert decide(session, approved, "approve", Actor.user("ana")).ok
    assert decide(session, rejected, "reject", Actor.user("ana")).ok
    assert expire_stale_proposals(session, timedelta(hours=1)) == [stale]
    session.commit()

    found = samples(base)
    assert {s: value(found, "hoss_events", status=s) for s in ("received", "failed", "processed", "ignored")} == {
        "received": 2, "failed": 1, "processed": 1, "ignored": 0}
    assert value(found, "hoss_webhooks_accepted_total", source="stripe") == 4
    assert value(found, "hoss_proposals", status="pending") == 1
    assert value(found, "hoss_proposals", status="approved") == 1
    assert value(found, "hoss_decisions_total", outcome="approved", decider="operator") == 1
    assert value(found, "hoss_decisions_total", outcome="rejected", decider="operator") == 1
    assert value(found, "hoss_decisions_total", outcome="expired", decider="system") == 1
    assert value(found, "hoss_decisions_total", outcome="approved", decider="policy") == 0
    assert value(found, "hoss_executions", action_type="email", status="queued") == 1
    assert value(found, "hoss_executions", action_type="slack", status="succeeded") == 0


def test_agent_run_durations_are_a_histogram_with_inclusive_bounds(base: str, session: Session) -> None:
    for agent, status, seconds in (("bizdev", "succeeded", "0.05"), ("bizdev", "succeeded", "0.5"),
                                   ("bizdev", "succeeded", "7"), ("ops", "failed", "100")):
        session.execute(text(
            "INSERT INTO agent_runs (agent, trigger, status, started_at, finished_at) VALUES "
            "(:a, 'manual', :s, timestamptz '2026-11-30 12:00:00+00', "
            " timestamptz '2026-11-30 12:00:00+00' + make_interval(secs => CAST(:d AS double precision)))"
        ), {"a": agent, "s": status, "d": seconds})
    session.execute(text("INSERT INTO agent_runs (agent, trigger) VALUES ('billing', 'manual')"))  # still running
    session.commit()
    found = samples(base)
    name = "hoss_agent_run_duration_seconds"
    bucket = {le: value(found, f"{name}_bucket", agent="bizdev", status="succeeded", le=le)
              for le in ("0.1", "0.25", "0.5", "1.0", "5.0", "10.0", "+Inf")}
    assert bucket == {"0.1": 1, "0.25": 1, "0.5": 2, "1.0": 2, "5.0": 2, "10.0": 3, "+Inf": 3}  # 0.5 ≤ le 0.5
    assert value(found, f"{name}_count", agent="bizdev", status="succeeded") == 3
    assert value(found, f"{name}_sum", agent="bizdev", status="succeeded") == pytest.approx(7.55)
    assert value(found, f"{name}_bucket", agent="ops", status="failed", le="60.0") == 0
    assert value(found, f"{name}_bucket", agent="ops", status="failed", le="120.0") == 1
    assert value(found, "hoss_agent_runs", agent="billing", status="running") == 1
    assert value(found, "hoss_agent_runs", agent="bizdev", status="succeeded") == 3
    assert (f"{name}_count", (("agent", "billing"), ("status", "running"))) not in found  # unfinished: no duration


def test_webhooks_refused_are_counted_by_this_process_and_accepted_ones_by_the_database(base: str) -> None:
    def refused(found: Samples) -> float:
        return value(found, "hoss_webhooks_refused_total", source="stripe", reason="signature")

    before = samples(base)
    forged = httpx.post(f"{base}/api/ingest/stripe", content=b"{}", headers={"Stripe-Signature": "t=1,v1=00"})
    assert forged.status_code == 400
    with httpx.Client(timeout=10) as client:
        assert post_signed(client, base, WEBHOOK_SECRET, payment_failed("in_metrics")).status_code == 200
    after = samples(base)
    assert refused(after) == refused(before) + 1  # the counter is process-wide, so compare before and after
    assert value(after, "hoss_webhooks_accepted_total", source="stripe") == 1


def test_a_scrape_blocked_past_its_statement_timeout_answers_504(ctx: AppContext) -> None:
    settings = ctx.settings.model_copy(update={"hoss_api_token": SecretStr(TOKEN), "metrics_statement_timeout_ms": 200})
    served = AppContext(settings, ctx.engine, ctx.sessions)
    with ctx.engine.connect() as locker, locker.begin():
        locker.execute(text("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE"))  # held until the scrape gave up
        with serve_asgi(Starlette(routes=api_routes(lambda: served))) as url:
            response = httpx.get(f"{url}/metrics", headers=AUTH, timeout=30)
    assert response.status_code == 504 and "metrics" in response.json()["error"]
