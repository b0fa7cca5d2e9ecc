"""Every allowed value of every status-like column, in one place: each is a `Literal` type, and its tuple (for the
CHECK constraints, core.transitions's table of moves and the pages' filters) is derived from it with get_args, so the
type a signature names and the list a constraint checks are one thing."""

from typing import Literal, get_args

LeadStatus = Literal["new", "contacted", "responded", "qualified_candidate", "qualified", "lost"]
LEAD_STATUSES: tuple[LeadStatus, ...] = get_args(LeadStatus)
# Customer plans are rows of the `plans` table (SPEC §13), referenced by customers.plan; the migration seeds these.
# Not a Literal: the operator adds plans, so no type can name them all.
SEEDED_PLANS = ("starter", "pro", "enterprise")
CustomerStatus = Literal["active", "trial", "churned"]
CUSTOMER_STATUSES: tuple[CustomerStatus, ...] = get_args(CustomerStatus)
# A workflow step: running (its call in flight or cut off), done (checkpointed), failed, superseded (a revision
# re-ran it; kept for the trace and the cost).
TaskStepStatus = Literal["running", "done", "failed", "superseded"]
TASK_STEP_STATUSES: tuple[TaskStepStatus, ...] = get_args(TaskStepStatus)
# discarded: the operator threw the work away in review (SPEC §21): not a failure, never retried, never invoiced.
TaskStatus = Literal["pending", "running", "done", "failed", "needs_review", "held", "discarded"]
TASK_STATUSES: tuple[TaskStatus, ...] = get_args(TaskStatus)
TaskMode = Literal["openai", "mock"]
TASK_MODES: tuple[TaskMode, ...] = get_args(TaskMode)
# The invoices.status column. (The canvas's invoice *filter* adds "invoiced" and "unpaid" to these:
# core.analytics.params.InvoiceFilter.)
InvoiceStatus = Literal["draft", "sent", "paid", "void"]
INVOICE_STATUSES: tuple[InvoiceStatus, ...] = get_args(InvoiceStatus)
AgentKind = Literal["system", "worker"]
AGENT_KINDS: tuple[AgentKind, ...] = get_args(AgentKind)
RunTrigger = Literal["manual", "schedule", "event", "api"]
RUN_TRIGGERS: tuple[RunTrigger, ...] = get_args(RunTrigger)
RunStatus = Literal["running", "succeeded", "failed", "skipped", "abandoned"]
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)
EventStatus = Literal["received", "processed", "ignored", "failed"]
EVENT_STATUSES: tuple[EventStatus, ...] = get_args(EventStatus)
Vertical = Literal["money", "bizdev", "ops", "billing"]
VERTICALS: tuple[Vertical, ...] = get_args(Vertical)
ProposalStatus = Literal["pending", "approved", "rejected", "expired", "executing", "executed", "failed", "superseded"]
PROPOSAL_STATUSES: tuple[ProposalStatus, ...] = get_args(ProposalStatus)
Urgency = Literal["low", "medium", "high", "critical"]
URGENCIES: tuple[Urgency, ...] = get_args(Urgency)
OperatorRole = Literal["owner", "approver", "viewer"]
OPERATOR_ROLES: tuple[OperatorRole, ...] = get_args(OperatorRole)
ExecutionStatus = Literal["queued", "started", "succeeded", "failed", "unknown"]
EXECUTION_STATUSES: tuple[ExecutionStatus, ...] = get_args(ExecutionStatus)
GraphStepStatus = Literal["started", "succeeded", "failed"]
GRAPH_STEP_STATUSES: tuple[GraphStepStatus, ...] = get_args(GraphStepStatus)
ActorType = Literal["system", "user", "policy", "agent"]
ACTOR_TYPES: tuple[ActorType, ...] = get_args(ActorType)
LedgerDirection = Literal["in", "out"]
LEDGER_DIRECTIONS: tuple[LedgerDirection, ...] = get_args(LedgerDirection)
LedgerCategory = Literal["revenue", "llm", "software", "payroll", "fees", "other"]
LEDGER_CATEGORIES: tuple[LedgerCategory, ...] = get_args(LedgerCategory)
LedgerSource = Literal["stripe", "llm_usage", "csv_import", "manual"]
LEDGER_SOURCES: tuple[LedgerSource, ...] = get_args(LedgerSource)
# Stripe's subscription statuses (customers.subscription_status) and what changed a customer's plan.
SubscriptionStatus = Literal["incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid",
                             "paused"]
SUBSCRIPTION_STATUSES: tuple[SubscriptionStatus, ...] = get_args(SubscriptionStatus)
PlanChangeSource = Literal["webhook", "operator", "system"]
PLAN_CHANGE_SOURCES: tuple[PlanChangeSource, ...] = get_args(PlanChangeSource)
IntegrationProvider = Literal["google"]
INTEGRATION_PROVIDERS: tuple[IntegrationProvider, ...] = get_args(IntegrationProvider)
# connected: the stored grant works as far as we know; needs_reconnect: Google refused it (revoked, expired).
IntegrationStatus = Literal["connected", "needs_reconnect"]
INTEGRATION_STATUSES: tuple[IntegrationStatus, ...] = get_args(IntegrationStatus)
DeliveryMode = Literal["email", "gmail_draft"]  # how a customer's `deliver` proposals go out (SPEC §15)
DELIVERY_MODES: tuple[DeliveryMode, ...] = get_args(DeliveryMode)
# Where a customer lesson (SPEC §20, core.memory) came from: a review note, an edit, or an operator's own words.
LessonSource = Literal["review_note", "edit", "operator"]
LESSON_SOURCES: tuple[LessonSource, ...] = get_args(LessonSource)
