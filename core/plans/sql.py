"""Every SQL statement of the plans package, written out and named; values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import text

# The customer's row lock serialises every admission and release for that customer (docs/decisions.md): the
# count after it sees every task admitted before, so two creations never both take the last slot. NO KEY
# UPDATE: inserts of tasks (their FK check takes KEY SHARE) are not blocked by it, only other admissions.
LOCK_CUSTOMER_PLAN = text("""
    SELECT c.id, c.company, c.contact_email, c.plan, c.stripe_customer_id, p.monthly_task_cap
    FROM customers c JOIN plans p ON p.name = c.plan
    WHERE c.id = :customer_id
    FOR NO KEY UPDATE OF c
""")

# Tasks admitted since the start of the calendar month (UTC): what a plan's cap counts.
USED_THIS_MONTH = text("""
    SELECT count(*) FROM tasks WHERE customer_id = :customer_id
      AND admitted_at >= utc_month_start()
""")

HELD_OLDEST_FIRST = text("""
    SELECT id FROM tasks WHERE customer_id = :customer_id AND status = 'held'
    ORDER BY created_at, id LIMIT :limit
""")

CUSTOMERS_WITH_HELD = text("SELECT DISTINCT customer_id FROM tasks WHERE status = 'held' ORDER BY customer_id")

# The plan after `plan`: the cheapest plan with more room (a larger cap, or none), ties by name.
NEXT_PLAN = text("""
    SELECT p.name, p.monthly_task_cap, p.monthly_price_cents, p.stripe_price_id
    FROM plans p, plans cur
    WHERE cur.name = :plan AND p.name <> cur.name AND cur.monthly_task_cap IS NOT NULL
      AND (p.monthly_task_cap IS NULL OR p.monthly_task_cap > cur.monthly_task_cap)
    ORDER BY p.monthly_price_cents, p.monthly_task_cap NULLS LAST, p.name
    LIMIT 1
""")

LIST_PLANS = text("""
    SELECT p.name, p.monthly_task_cap, p.monthly_price_cents, p.stripe_price_id,
           (SELECT count(*) FROM customers c WHERE c.plan = p.name) AS customers
    FROM plans p ORDER BY p.monthly_price_cents, p.name
""")

PLAN_BY_PRICE = text("SELECT name FROM plans WHERE stripe_price_id = :price_id")

LOCK_PLAN = text("""
    SELECT name, monthly_task_cap, monthly_price_cents, stripe_price_id FROM plans WHERE name = :name FOR UPDATE
""")

# Without a lock: a plan change must not wait on (or deadlock with) a plan edit, which locks the plan first and
# then its customers; plans are never deleted and the foreign key guards the rest.
PLAN_EXISTS = text("SELECT name FROM plans WHERE name = :name")

UPDATE_PLAN = text("""
    UPDATE plans SET monthly_task_cap = :cap, monthly_price_cents = :price, stripe_price_id = :price_id,
        updated_at = now()
    WHERE name = :name
""")

INSERT_PLAN = text("""
    INSERT INTO plans (name, monthly_task_cap, monthly_price_cents, stripe_price_id)
    VALUES (:name, :cap, :price, :price_id) ON CONFLICT (name) DO NOTHING RETURNING name
""")

PRICE_TAKEN = text("SELECT name FROM plans WHERE stripe_price_id = :price_id AND name <> :name")

CUSTOMERS_ON_PLAN = text("SELECT id FROM customers WHERE plan = :plan ORDER BY id")

SET_CUSTOMER_PLAN = text("""
    UPDATE customers SET plan = :plan, plan_changed_at = now() WHERE id = :customer_id
""")

RECORD_PLAN_CHANGE = text("""
    INSERT INTO plan_changes (customer_id, from_plan, to_plan, source, stripe_event_id, subscription_status)
    VALUES (:customer_id, :from_plan, :to_plan, :source, :event_id, :subscription_status)
""")

PLAN_HISTORY = text("""
    SELECT changed_at, from_plan, to_plan, source, stripe_event_id, subscription_status
    FROM plan_changes WHERE customer_id = :customer_id ORDER BY changed_at DESC, id DESC LIMIT :limit
""")

CUSTOMER_CONTACT = text("""
    SELECT id, company, contact_email, stripe_customer_id FROM customers WHERE id = :customer_id
""")

# Portal offers already decided for a customer: the next click is offer number count + 1 (a new dedupe key);
# a click while one is pending finds that one.
DECIDED_PORTAL_OFFERS = text("""
    SELECT count(*) FROM action_proposals WHERE dedupe_key LIKE :prefix AND status <> 'pending'
""")

CUSTOMER_BY_STRIPE_ID = text("SELECT id FROM customers WHERE stripe_customer_id = :stripe_id ORDER BY id LIMIT 1")

CUSTOMER_EXISTS = text("SELECT id FROM customers WHERE id = :customer_id")

LAST_SUBSCRIPTION_EVENT = text("""
    SELECT last_subscription_event_at, last_subscription_event_id FROM customers WHERE id = :customer_id
""")

SET_SUBSCRIPTION = text("""
    UPDATE customers SET stripe_customer_id = coalesce(:stripe_customer_id, stripe_customer_id),
        stripe_subscription_id = coalesce(:subscription_id, stripe_subscription_id),
        subscription_status = :status, last_subscription_event_at = :created, last_subscription_event_id = :event_id
    WHERE id = :customer_id
""")

# What the budget check needs about one task: its reward and cost so far, and the month's spend against each cap
# that is set (a cap left NULL costs no scan). Spend of the month: LLM cost of tasks whose spent_at is in it. The
# SQL function task_budget_facts (migration budget_facts_fn) holds the one statement; a claim and a workflow's
# recorded call return it too (core/ops/sql.py CLAIM, RECORD_CALL).
TASK_BUDGET_FACTS = text("SELECT * FROM task_budget_facts(:task_id, :share_key, :budget_key, 0)")

# Every monthly cap that is set, with this month's spend: customers, then workers.
CAPPED_SPEND = text("""
    SELECT 'customer' AS scope, c.id::text AS key, c.company AS name, c.monthly_budget_cents AS cap,
           (SELECT coalesce(sum(x.cost_cents), 0) FROM tasks x WHERE x.customer_id = c.id
              AND x.spent_at >= utc_month_start()
           ) AS spent
    FROM customers c WHERE c.monthly_budget_cents IS NOT NULL
    UNION ALL
    SELECT 'worker', a.name, a.name, a.monthly_budget_cents,
           (SELECT coalesce(sum(x.cost_cents), 0) FROM tasks x WHERE x.agent = a.name
              AND x.spent_at >= utc_month_start()
           )
    FROM agents a WHERE a.monthly_budget_cents IS NOT NULL
    ORDER BY 1, 3
""")

LOCK_CUSTOMER_BUDGET = text("SELECT monthly_budget_cents FROM customers WHERE id = :customer_id FOR NO KEY UPDATE")

SET_CUSTOMER_BUDGET = text("UPDATE customers SET monthly_budget_cents = :cents WHERE id = :customer_id")

# Tasks parked until next month by the customer's cap come back now (a raised or cleared cap).
WAKE_PARKED_TASKS = text("""
    UPDATE tasks SET run_after = now()
    WHERE customer_id = :customer_id AND status = 'pending' AND run_after > now() AND last_error LIKE 'budget:%'
""")

# ROI per customer over [start, end) (SPEC §13): done tasks completed in the window, read per customer off
# ix_tasks_customer_done_at without touching the table (one GROUP BY over the window fetched every row). Time
# saved is the worker's human_minutes per done task (a task without a worker saves no counted time); value is
# time saved at the hourly rate; net value is value minus LLM cost. Earned and gross margin are SPEC §17's words.
ROI_BY_CUSTOMER = text("""
    SELECT c.id AS customer_id, c.company AS customer, c.plan, d.done_tasks, d.time_saved_minutes,
           d.earned_cents, d.llm_cost_cents
    FROM customers c
    CROSS JOIN LATERAL (
        SELECT count(*) AS done_tasks,
               coalesce(sum(coalesce(a.human_minutes, 0)), 0) AS time_saved_minutes,
               coalesce(sum(t.reward_cents), 0) AS earned_cents,
               coalesce(sum(t.cost_cents), 0) AS llm_cost_cents
        FROM tasks t LEFT JOIN agents a ON a.name = t.agent
        WHERE t.customer_id = c.id AND t.status = 'done' AND t.completed_at >= :start AND t.completed_at < :end
    ) d
    WHERE d.done_tasks > 0
    ORDER BY c.company, c.id
    LIMIT :limit
""")

# Each customer's month (UTC): tasks admitted against the cap, held, the plan's cap; this month's LLM spend
# (every task's cost by spent_at, as the budget caps count it); earned and LLM cost of done tasks completed this
# month (gross margin's two terms, core.money.figures).
PLAN_USAGE = text("""
    WITH month AS (SELECT utc_month_start() AS start)
    SELECT c.id AS customer_id, c.company AS customer, c.plan, p.monthly_task_cap AS cap,
           c.subscription_status, c.monthly_budget_cents,
           (SELECT count(*) FROM tasks t WHERE t.customer_id = c.id AND t.admitted_at >= month.start) AS used,
           (SELECT count(*) FROM tasks t WHERE t.customer_id = c.id AND t.status = 'held') AS held,
           (SELECT coalesce(sum(t.cost_cents), 0) FROM tasks t WHERE t.customer_id = c.id
              AND t.spent_at >= month.start) AS spend_cents,
           d.earned_cents, d.done_cost_cents
    FROM customers c JOIN plans p ON p.name = c.plan CROSS JOIN month
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(t.reward_cents), 0) AS earned_cents, coalesce(sum(t.cost_cents), 0) AS done_cost_cents
        FROM tasks t WHERE t.customer_id = c.id AND t.status = 'done' AND t.completed_at >= month.start
    ) d
    ORDER BY c.company, c.id
    LIMIT :limit
""")

# Monthly recurring revenue per plan: customers whose Stripe subscription is paying (active or past due) at
# the plan's monthly price.
MRR = text("""
    SELECT p.name AS plan, p.monthly_price_cents AS price_cents,
           count(c.id) AS customers,
           count(c.id) FILTER (WHERE c.subscription_status IN ('active', 'past_due')) AS subscribed,
           p.monthly_price_cents * count(c.id) FILTER (WHERE c.subscription_status IN ('active', 'past_due'))
               AS mrr_cents
    FROM plans p LEFT JOIN customers c ON c.plan = p.name
    GROUP BY p.name, p.monthly_price_cents
    ORDER BY p.monthly_price_cents, p.name
""")
