"""The one registry of action types: each type's payload model, which every decision path checks an edit with.

One model per action type (extra fields are kept: agents add ids the executor ignores). `validate_payload`
is what POST /api/proposals, every edited payload (core.approvals.proposals.approve_proposal: the API, the
Inbox, whatever channel) and `policy set` (ACTION_TYPES) check against. Outside scripts may propose only the
OUTSIDE_TYPES; the internal ones (a budget raise, a review note, a policy change) are drafted by HossAgent.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import InvalidInput
from db.ids import Id
from db.statuses import DeliveryMode

PolicyMode = Literal["manual", "auto", "auto_below"]
POLICY_MODES: tuple[str, ...] = get_args(PolicyMode)  # core.approvals.policies' modes, owned here for policy_change
MAX_PAYLOAD_CENTS = 10**11  # $1 billion: a larger amount in a payload is a typo


class EmailPayload(BaseModel):
    """An email: the executor sends `subject` and `body` to `to`."""

    model_config = ConfigDict(extra="allow")
    to: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=50_000)


class SlackPayload(BaseModel):
    """A message to the incoming-webhook channel."""

    model_config = ConfigDict(extra="allow")
    text: str = Field(min_length=1, max_length=40_000)


class CheckoutPayload(BaseModel):
    """A Stripe Checkout link for an invoice."""

    model_config = ConfigDict(extra="allow")
    invoice_id: Id
    amount_cents: int = Field(gt=0, le=MAX_PAYLOAD_CENTS)
    currency: str = Field("usd", min_length=3, max_length=3)
    description: str | None = Field(None, max_length=250)


class GmailDraftPayload(BaseModel):
    """What a `gmail_draft` proposal carries."""

    model_config = ConfigDict(extra="allow")
    to: str = Field(min_length=3, max_length=320)
    subject: str = Field(min_length=1, max_length=998)
    body: str = Field(min_length=1, max_length=500_000)

    @field_validator("to")
    @classmethod
    def _one_address(cls, value: str) -> str:
        if "@" not in value or "\n" in value or "\r" in value or "," in value:
            raise ValueError("must be one email address")
        return value.strip()

    @field_validator("subject")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise ValueError("must be one line")
        return value


class DeliverPayload(BaseModel):
    """What a `deliver` proposal carries: exactly what would go out, and where."""

    model_config = ConfigDict(extra="forbid")
    task_id: Id
    customer_id: Id
    channel: DeliveryMode = "email"
    to: str = Field(max_length=320)
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=200_000)


Cell = str | int | float | bool | None


class SheetsAppendPayload(BaseModel):
    """What a `sheets_append` proposal carries: one row of cells for the task."""

    model_config = ConfigDict(extra="forbid")
    spreadsheet_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")
    range: str = Field("Sheet1", min_length=1, max_length=200)
    values: list[Cell] = Field(min_length=1, max_length=50)
    task_id: Id


class BudgetIncreasePayload(BaseModel):
    """What a `budget_increase` proposal carries: the new daily LLM budget (the rest is context)."""

    model_config = ConfigDict(extra="allow")
    proposed_budget_cents: int = Field(ge=0, le=MAX_PAYLOAD_CENTS)


class ReviewPayload(BaseModel):
    """A note for the operator (a refund, a dispute, a budget warning): approving acknowledges it; nothing runs."""

    model_config = ConfigDict(extra="allow")


class PolicyChangePayload(BaseModel):
    """What a `policy_change` proposal carries: the policy the trust ledger suggests for an action type."""

    model_config = ConfigDict(extra="allow")
    action_type: str = Field(min_length=1, max_length=64)
    mode: PolicyMode
    limit_cents: int | None = Field(None, ge=0, le=MAX_PAYLOAD_CENTS)

    @field_validator("action_type")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in PAYLOAD_MODELS:
            raise ValueError(f"must be one of: {', '.join(PAYLOAD_MODELS)}")
        return value


# Drafted messages, which the operator may send back with a note (revise): BizDev and dunning emails, money-graph
# Slack alerts, deliveries (`deliver`) and Gmail drafts.
REVISABLE = ("email", "slack", "deliver", "gmail_draft")

# The one registry of action types and their payloads (core.approvals.executors has one executor for each).
PAYLOAD_MODELS: dict[str, type[BaseModel]] = {
    "email": EmailPayload, "slack": SlackPayload, "stripe_checkout": CheckoutPayload, "deliver": DeliverPayload,
    "gmail_draft": GmailDraftPayload, "sheets_append": SheetsAppendPayload,
    "budget_increase": BudgetIncreasePayload, "review": ReviewPayload, "policy_change": PolicyChangePayload,
}
ACTION_TYPES: tuple[str, ...] = tuple(PAYLOAD_MODELS)
# What POST /api/proposals accepts: the types that act outside; the internal ones are HossAgent's own drafts.
OUTSIDE_TYPES: tuple[str, ...] = ("email", "slack", "stripe_checkout", "deliver", "gmail_draft", "sheets_append")


class PayloadInvalid(InvalidInput):
    """A payload its action type's model refuses; `details` lists field and message."""

    def __init__(self, message: str, details: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.details = details


def unknown_type(action_type: str, known: Collection[str] = ACTION_TYPES) -> str | None:
    """None for a known action type; else the one line naming the known ones."""
    if action_type in known:
        return None
    return f"unknown action type {action_type[:64]!r}; choose one of: {', '.join(known)}"


def validate_payload(action_type: str, payload: Any, known: Collection[str] = ACTION_TYPES) -> dict[str, Any]:
    """The payload as its model reads it (extra fields kept); PayloadInvalid for an unknown type or a bad payload."""
    if (refused := unknown_type(action_type, known)) is not None:
        raise PayloadInvalid(refused, [{"field": "action_type", "message": refused}])
    model = PAYLOAD_MODELS[action_type]
    try:
        return model.model_validate(payload).model_dump(exclude_none=True)
    except ValidationError as exc:
        details = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        raise PayloadInvalid(f"the payload is not a valid {action_type} payload", details) from None
