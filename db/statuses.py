"""Every allowed value of every status-like column, in one place: the CHECK constraints, core.transitions's
table of moves and the pages' filters all use these."""

LEAD_STATUSES = ("new", "contacted", "responded", "qualified_candidate", "qualified", "lost")
# Customer plans are rows of the `plans` table (SPEC §13), referenced by customers.plan; the migration seeds these.
SEEDED_PLANS = ("starter", "pro", "enterprise")
CUSTOMER_STATUSES = ("active", "trial", "churned")
# A workflow step: running (its call in flight or cut off), done (checkpointed), failed, superseded (a revision
# re-ran it; kept for the trace and the cost).
TASK_STEP_STATUSES = ("running", "done", "failed", "superseded")
TASK_STATUSES = ("pending", "running", "done", "failed", "needs_review", "held")
TASK_MODES = ("openai", "mock")
INVOICE_STATUSES = ("draft", "sent", "paid", "void")
AGENT_KINDS = ("system", "worker")
RUN_TRIGGERS = ("manual", "schedule", "event", "api")
RUN_STATUSES = ("running", "succeeded", "failed", "skipped", "abandoned")
EVENT_STATUSES = ("received", "processed", "ignored", "failed")
VERTICALS = ("money", "bizdev", "ops", "billing")
PROPOSAL_STATUSES = ("pending", "approved", "rejected", "expired", "executing", "executed", "failed", "superseded")
URGENCIES = ("low", "medium", "high", "critical")
OPERATOR_ROLES = ("owner", "approver", "viewer")
EXECUTION_STATUSES = ("queued", "started", "succeeded", "failed", "unknown")
GRAPH_STEP_STATUSES = ("started", "succeeded", "failed")
ACTOR_TYPES = ("system", "user", "policy", "agent")
LEDGER_DIRECTIONS = ("in", "out")
LEDGER_CATEGORIES = ("revenue", "llm", "software", "payroll", "fees", "other")
LEDGER_SOURCES = ("stripe", "llm_usage", "csv_import", "manual")
# Stripe's subscription statuses (customers.subscription_status) and what changed a customer's plan.
SUBSCRIPTION_STATUSES = ("incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid",
                         "paused")
PLAN_CHANGE_SOURCES = ("webhook", "operator", "system")
INTEGRATION_PROVIDERS = ("google",)
# connected: the stored grant works as far as we know; needs_reconnect: Google refused it (revoked, expired).
INTEGRATION_STATUSES = ("connected", "needs_reconnect")
DELIVERY_MODES = ("email", "gmail_draft")  # how a customer's `deliver` proposals go out (SPEC §15)
