"""Demo data: 90 days of a plausible agent-run business, deterministic under a seed; bulk sets for benchmarks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from core.app.demo_workforce import seed_lessons, seed_worker_tasks
from core.audit import Actor, record_audit
from core.config.store import get_cash_balance, set_cash_balance
from core.llm import pricing
from core.money.figures import profit_cents
from db.models import (
    ActionProposal,
    AgentRun,
    Customer,
    Event,
    Invoice,
    Lead,
    LedgerEntry,
    Plan,
    Task,
)

COMPANIES = (
    "Northwind Analytics", "Bluefin Logistics", "Cedar & Stone Legal", "Helios Solar Co", "Brightpath Dental",
    "Quarry Lane Brewing", "Atlas Freight Partners", "Juniper Health Clinics", "Meridian Wealth Advisors",
    "Copperleaf Realty", "Summit Peak Outfitters", "Harborview Hotels", "Lumen Robotics", "Oakridge Builders",
    "Silverline Insurance", "Tidewater Marine Supply", "Redwood Learning", "Pinecrest Veterinary",
    "Granite State Plumbing", "Evergreen Home Care", "Falcon Ridge Security", "Maple Street Bakery",
    "Ironclad Fitness", "Crescent Bay Seafood", "Willow & Sage Interiors", "Vantage Point Media",
    "Riverbend Accounting", "Starlight Events", "Keystone Manufacturing", "Orchard Hill Farms",
    "Blue Heron Pharmacy", "Lighthouse Recruiting", "Sandstone Architects", "Polaris Telecom",
    "Aspen Grove Dermatology", "Cobalt Cyber", "Wildflower Florists", "Beacon Street Capital",
    "Driftwood Surf Shop", "Trailhead Coffee Roasters",
)
FIRST = ("Maya", "Daniel", "Priya", "Jonas", "Elena", "Marcus", "Aisha", "Tom", "Sofia", "Kenji", "Laura",
         "Omar", "Grace", "Lucas", "Nina", "Ravi", "Hannah", "Diego", "Chloe", "Samuel")
LAST = ("Chen", "Okafor", "Patel", "Berg", "Rossi", "Johnson", "Khan", "Nguyen", "Silva", "Tanaka",
        "Fischer", "Haddad", "Kim", "Moreau", "Novak", "Iyer", "Walsh", "Ortega", "Dubois", "Reyes")
TASK_TEMPLATES = (
    "Initial market research for {c}", "Competitive landscape review for {c}", "Draft executive summary for {c}",
    "Pricing benchmark for {c}", "Customer interview synthesis for {c}", "Quarterly KPI digest for {c}",
    "Hiring market scan for {c}", "SEO keyword opportunities for {c}",
)
VENDORS = (("AWS", "software", 18_000), ("GitHub", "software", 4_400), ("Vercel", "software", 2_000),
           ("Gusto Payroll", "payroll", 420_000), ("Notion", "software", 1_600), ("Stripe fees", "fees", 0))
LEAD_STATUS_WEIGHTS = (("new", 30), ("contacted", 25), ("responded", 10), ("qualified_candidate", 5),
                       ("qualified", 20), ("lost", 10))
SEED_ACTOR = Actor.system("seed-demo")
PLAN_WEIGHTS = ("starter", "starter", "starter", "pro", "pro", "enterprise")
DAYS = 90


def _domain(company: str) -> str:
    return "".join(ch for ch in company.lower().replace("&", "and") if ch.isalnum())[:24] + ".example"


def seed_demo(session: Session, *, tasks: int | None = None, events: int | None = None, seed: int = 7) -> dict[str, int]:
    """Load the demo set once (skipped when leads exist), then top tasks/events up to `tasks`/`events` rows."""
    counts: dict[str, int] = {}
    # A business with no customers yet gets the demo set (the scheduler's first BizDev leads may exist).
    if session.execute(select(func.count()).select_from(Customer)).scalar_one() == 0:
        counts.update(_seed_base(session, random.Random(seed)))
        session.commit()
    if tasks:
        counts["bulk tasks"] = _top_up_tasks(session, tasks, seed)
        session.commit()
    if events:
        counts["bulk events"] = _top_up_events(session, events, seed)
        session.commit()
    if counts:
        _vacuum_analyze(session)
    return counts or {"rows (already seeded)": 0}


def _vacuum_analyze(session: Session) -> None:
    """Fresh statistics and visibility maps after a bulk load, so counts use index-only scans at once."""
    session.commit()
    with session.get_bind().connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM (ANALYZE)")


def _seed_base(session: Session, rng: random.Random) -> dict[str, int]:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    ago = lambda days, hours=0: now - timedelta(days=days, hours=hours)  # noqa: E731 - tiny local helper
    lead_rows, customer_ids = [], []
    statuses = [s for s, w in LEAD_STATUS_WEIGHTS for _ in range(w)]
    for i, company in enumerate(COMPANIES):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        status = "qualified" if i < 12 else rng.choice(statuses)
        created = ago(rng.randint(1, DAYS))
        lead_id = session.execute(pg_insert(Lead).values(
            company=company, contact_name=f"{first} {last}", email=f"{first.lower()}.{last.lower()}@{_domain(company)}",
            source=rng.choice(("demo", "linkedin", "referral", "website")), status=status, created_at=created,
            last_contacted_at=created + timedelta(days=1) if status != "new" else None,
        ).on_conflict_do_nothing(index_elements=["email"]).returning(Lead.id)).scalar_one_or_none()
        if lead_id is None:  # that address is already a lead: keep theirs
            continue
        record_audit(session, SEED_ACTOR, "lead", lead_id, None, status, {"seed": True})
        lead_rows.append((lead_id, company, created))
        if status == "qualified":
            # Every customer pays for its plan through a Stripe subscription (a few enterprise ones, most on
            # starter), so MRR is the plans' prices and the ledger holds each month's subscription payment.
            cid = session.execute(insert(Customer).values(
                company=company, contact_email=f"{first.lower()}@{_domain(company)}",
                plan=rng.choice(PLAN_WEIGHTS), status="active",
                notes=f"Created from lead {lead_id}", lead_id=lead_id, created_at=created + timedelta(days=2),
                stripe_customer_id=f"cus_demo_{lead_id}", stripe_subscription_id=f"sub_demo_{lead_id}",
                subscription_status="active",
            ).returning(Customer.id)).scalar_one()
            record_audit(session, SEED_ACTOR, "customer", cid, None, "active", {"lead_id": lead_id})
            customer_ids.append((cid, company, created + timedelta(days=2)))

    n_tasks = n_invoices = 0
    for cid, company, since in customer_ids:
        age = max((now - since).days, 1)
        done_by_month: dict[tuple[int, int], list[int]] = {}
        for _ in range(rng.randint(6, 14)):
            created = since + timedelta(days=rng.randint(0, age), hours=rng.randint(0, 23))
            created = min(created, now - timedelta(hours=1))
            reward = rng.randint(2_500, 9_000)  # $25–$90 a task: an analyst's hour, roughly
            roll = rng.random()
            status = "done" if roll < 0.78 else "pending" if roll < 0.9 else "failed" if roll < 0.96 else "running"
            values: dict = dict(customer_id=cid, description=rng.choice(TASK_TEMPLATES).format(c=company),
                                status=status, reward_cents=reward, created_at=created, admitted_at=created,
                                run_after=created)
            if status == "done":
                inp, out = rng.randint(300, 900), rng.randint(250, 600)
                mode = rng.choice(("openai", "openai", "mock"))
                cost = pricing.cost_cents("gpt-4o-mini", inp, out) if mode == "openai" else pricing.MOCK_COST_CENTS
                values.update(model="gpt-4o-mini", input_tokens=inp, output_tokens=out, cost_cents=cost,
                              profit_cents=profit_cents(reward, cost), mode=mode,
                              result_summary=f"Findings for {company}: three opportunities, two risks, one next step.",
                              attempts=1, started_at=created + timedelta(minutes=2),
                              completed_at=created + timedelta(minutes=rng.randint(3, 40)))
            elif status == "failed":
                values.update(attempts=3, last_error="APIStatusError: 500 upstream error", started_at=created)
            elif status == "running":
                values.update(attempts=1, started_at=now - timedelta(minutes=1), claimed_by="demo-worker",
                              lease_expires_at=now + timedelta(minutes=5))
            tid = session.execute(insert(Task).values(**values).returning(Task.id)).scalar_one()
            n_tasks += 1
            if status == "done":
                done_by_month.setdefault((created.year, created.month), []).append(tid)
            if status == "done" and values["mode"] == "openai":
                session.execute(insert(LedgerEntry).values(
                    occurred_at=values["completed_at"], direction="out", amount_cents=values["cost_cents"],
                    counterparty="OpenAI", category="llm", source="llm_usage", ref=f"task:{tid}:attempt:1",
                    description=f"LLM usage for task {tid}"))
        for (year, month), ids in sorted(done_by_month.items()):
            if (year, month) == (now.year, now.month):
                continue  # this month's work is not invoiced yet: Billing has something to do
            amount = int(session.execute(select(func.sum(Task.reward_cents)).where(Task.id.in_(ids))).scalar_one())
            created = datetime(year, month, 28, 9, tzinfo=timezone.utc)
            status = rng.choice(("paid", "paid", "paid", "sent", "draft")) if created < ago(20) else "sent"
            inv = dict(customer_id=cid, amount_cents=amount, status=status, created_at=created,
                       notes=f"Work for {year}-{month:02d}")
            if status in ("sent", "paid"):
                inv.update(sent_at=created + timedelta(hours=1), checkout_url=f"https://checkout.stripe.com/c/pay/cs_demo_{cid}_{month}")
            if status == "paid":
                inv["paid_at"] = created + timedelta(days=rng.randint(1, 12))
            iid = session.execute(insert(Invoice).values(**inv).returning(Invoice.id)).scalar_one()
            n_invoices += 1
            session.execute(text("UPDATE tasks SET invoice_id = :i WHERE id = ANY(:ids)"), {"i": iid, "ids": ids})
            record_audit(session, SEED_ACTOR, "invoice", iid, None, status, {"amount_cents": amount})
            if status == "paid":
                session.execute(insert(LedgerEntry).values(
                    occurred_at=inv["paid_at"], direction="in", amount_cents=amount, counterparty=company,
                    category="revenue", source="stripe", ref=f"demo_invoice_{iid}",
                    description=f"Invoice {iid} paid"))

    n_ledger = _seed_spend(session, rng, now) + _seed_subscription_payments(session, now)
    n_runs = _seed_runs(session, rng, now)
    n_events, n_proposals = _seed_events_and_proposals(session, rng, now, lead_rows)
    # Its own generator, drawn from this one last, so the rest of the set is what it was before workers existed.
    n_worker_tasks = seed_worker_tasks(session, random.Random(rng.random()), now, customer_ids)
    n_lessons = seed_lessons(session, now, SEED_ACTOR)
    if get_cash_balance(session) is None:  # the operator's own figure wins
        set_cash_balance(session, 4_200_000, SEED_ACTOR)
    return {"leads": len(lead_rows), "customers": len(customer_ids), "tasks": n_tasks,
            "worker tasks": n_worker_tasks, "lessons": n_lessons, "invoices": n_invoices,
            "ledger entries": n_ledger, "agent runs": n_runs, "events": n_events, "proposals": n_proposals}


def _seed_subscription_payments(session: Session, now: datetime) -> int:
    """Each subscribed customer's monthly plan payment since it became a customer, booked as Stripe revenue."""
    rows = []
    customers = session.execute(select(Customer.id, Customer.company, Customer.created_at, Plan.monthly_price_cents)
                                .join(Plan, Plan.name == Customer.plan)
                                .where(Customer.subscription_status == "active")).all()
    for cid, company, since, price in customers:
        paid = since
        while paid <= now and price:
            rows.append(dict(occurred_at=paid, direction="in", amount_cents=int(price), counterparty=company,
                             category="revenue", source="stripe", ref=f"demo_subscription_{cid}_{paid:%Y%m}",
                             description=f"{company}: subscription, {paid:%B %Y}"))
            paid += timedelta(days=30)
    if rows:
        session.execute(insert(LedgerEntry), rows)
    return len(rows)


def _seed_spend(session: Session, rng: random.Random, now: datetime) -> int:
    rows = []
    for month_back in range(3, -1, -1):
        month_start = (now.replace(day=1) - timedelta(days=28 * month_back)).replace(day=1)
        for vendor, category, cents in VENDORS:
            day = month_start + timedelta(days=rng.randint(0, 25))
            if day > now:
                continue
            amount = cents or rng.randint(900, 2_500)
            rows.append(dict(occurred_at=day, direction="out", amount_cents=round(amount * rng.uniform(0.9, 1.15)),
                             counterparty=vendor, category=category, source="csv_import",
                             ref=f"demo:{vendor}:{day:%Y-%m}", description=f"{vendor} {day:%B %Y}"))
    session.execute(insert(LedgerEntry), rows)
    return len(rows)


def _seed_runs(session: Session, rng: random.Random, now: datetime) -> int:
    rows = []
    for agent, every_hours in (("bizdev", 12), ("onboarding", 6), ("billing", 24), ("ops_batch", 4)):
        for k in range(DAYS * 24 // every_hours):
            started = now - timedelta(hours=k * every_hours, minutes=rng.randint(0, 30))
            failed = rng.random() < 0.04
            rows.append(dict(agent=agent, trigger="schedule", started_at=started,
                             finished_at=started + timedelta(seconds=rng.randint(1, 90)),
                             status="failed" if failed else "succeeded", items=0 if failed else rng.randint(0, 6),
                             summary="" if failed else "demo run", host="demo-host", pid=4242,
                             error="OperationalError: connection reset" if failed else None))
    rows.sort(key=lambda r: r["started_at"])  # ids follow time, as real runs do
    session.execute(insert(AgentRun), rows)
    return len(rows)


def _seed_events_and_proposals(session: Session, rng: random.Random, now: datetime, leads: list) -> tuple[int, int]:
    n_events = 0
    for k in range(6):
        created = now - timedelta(days=rng.randint(1, 60))
        amount = rng.choice((4_900, 12_000, 25_000))
        payload = {"id": f"evt_demo_failed_{k}", "type": "invoice.payment_failed", "created": int(created.timestamp()),
                   "data": {"object": {"id": f"in_demo_{k}", "amount_due": amount, "attempt_count": rng.randint(1, 3),
                                       "customer_email": f"billing@{_domain(COMPANIES[k])}",
                                       "customer_name": COMPANIES[k],
                                       "last_finalization_error": {"message": "Your card was declined."},
                                       "hosted_invoice_url": f"https://invoice.stripe.com/i/demo_{k}"}}}
        session.execute(insert(Event).values(source="stripe", type="invoice.payment_failed", occurred_at=created,
                                             payload=payload, dedupe_key=payload["id"], status="processed",
                                             received_at=created, processed_at=created))
        n_events += 1
    proposals = []
    for lead_id, company, _created in [r for r in leads if r[0] % 7 == 0][:4]:
        proposals.append(dict(vertical="bizdev", action_type="email", urgency="medium",
                              title=f"Email {company}: Quick idea for your team at {company}",
                              reasoning="New demo lead; first outbound touch.",
                              payload={"to": f"hello@{_domain(company)}", "subject": f"Quick idea for your team at {company}",
                                       "body": "Hi there — HossAgent runs research tasks autonomously and reports cost and profit per task.",
                                       "lead_id": lead_id, "from": None},
                              dedupe_key=f"bizdev:email:lead:{lead_id}"))
    proposals.append(dict(vertical="money", action_type="slack", urgency="high",
                          title="Runway check: review burn this month", reasoning="Spend is above the trailing average.",
                          payload={"text": "Heads up: spend this month is 14% above the 3-month average."},
                          dedupe_key=f"money:runway:{now:%Y-%m}"))
    for p in proposals:
        pid = session.execute(insert(ActionProposal).values(**p).returning(ActionProposal.id)).scalar_one()
        record_audit(session, SEED_ACTOR, "proposal", pid, None, "pending", {"seed": True})
    return n_events, len(proposals)


_BULK_TASKS_SQL = text("""
INSERT INTO tasks (customer_id, description, status, reward_cents, cost_cents, profit_cents, model,
                   input_tokens, output_tokens, mode, attempts, created_at, admitted_at, run_after, started_at,
                   completed_at)
SELECT c.ids[1 + (g % array_length(c.ids, 1))],
       'Bulk research task #' || g,
       CASE WHEN g % 50 = 0 THEN 'failed' WHEN g % 97 = 0 THEN 'pending' ELSE 'done' END,
       50 + (g * 7919) % 51,
       CASE WHEN g % 50 = 0 OR g % 97 = 0 OR g % 3 = 0 THEN 0 ELSE 1 + (g % 4) END,
       CASE WHEN g % 50 = 0 OR g % 97 = 0 THEN 0
            WHEN g % 3 = 0 THEN 50 + (g * 7919) % 51 ELSE 50 + (g * 7919) % 51 - (1 + (g % 4)) END,
       'gpt-4o-mini', 300 + g % 600, 250 + g % 350,
       CASE WHEN g % 3 = 0 THEN 'mock' ELSE 'openai' END,
       1, ts, ts, ts, ts + interval '1 minute',
       CASE WHEN g % 50 = 0 OR g % 97 = 0 THEN NULL ELSE ts + interval '3 minutes' END
FROM generate_series(CAST(:start AS bigint), CAST(:stop AS bigint)) AS g
CROSS JOIN LATERAL (SELECT now() - make_interval(secs => (g * 104729) % (90 * 86400)) AS ts) AS tt,
     (SELECT array_agg(id ORDER BY id) AS ids FROM customers) AS c
""")

_BULK_EVENTS_SQL = text("""
INSERT INTO events (source, type, occurred_at, payload, dedupe_key, status, received_at, processed_at)
SELECT 'stripe', t.type, ts, jsonb_build_object('id', 'evt_bulk_' || g, 'type', t.type,
         'created', extract(epoch FROM ts)::bigint,
         'data', jsonb_build_object('object', jsonb_build_object('id', 'obj_bulk_' || g,
             'amount', 1000 + (g * 31) % 90000, 'amount_due', 1000 + (g * 31) % 90000,
             'customer_email', 'billing' || (g % 500) || '@bulk.example'))),
       'evt_bulk_' || g, 'processed', ts, ts
FROM generate_series(CAST(:start AS bigint), CAST(:stop AS bigint)) AS g
CROSS JOIN LATERAL (SELECT now() - make_interval(secs => (g * 7907) % (90 * 86400)) AS ts) AS tt
CROSS JOIN LATERAL (SELECT (ARRAY['invoice.paid', 'charge.succeeded', 'checkout.session.completed',
                                  'invoice.payment_failed', 'customer.updated'])[1 + g % 5] AS type) AS t
""")

_BULK_BATCH = 200_000


def _top_up_tasks(session: Session, target: int, seed: int) -> int:
    have = session.execute(select(func.count()).select_from(Task)).scalar_one()
    if session.execute(select(func.count()).select_from(Customer)).scalar_one() == 0:
        _seed_base(session, random.Random(seed))
    return _bulk(session, _BULK_TASKS_SQL, have, target)


def _top_up_events(session: Session, target: int, _seed: int) -> int:
    have = session.execute(select(func.count()).select_from(Event)).scalar_one()
    return _bulk(session, _BULK_EVENTS_SQL, have, target)


def _bulk(session: Session, statement, have: int, target: int) -> int:  # noqa: ANN001 - a text() clause
    added = 0
    start = have + 1
    while start <= target:
        stop = min(start + _BULK_BATCH - 1, target)
        session.execute(statement, {"start": start, "stop": stop})
        session.commit()
        added += stop - start + 1
        start = stop + 1
    return added
