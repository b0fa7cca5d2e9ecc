"""The payload model of each action type an outside script may propose and the console's edit form fills in.

One model per action type (extra fields are kept: agents add ids the executor ignores). `validate_payload`
is what POST /api/proposals and the Inbox's edit form check a payload with.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import InvalidInput
from db.statuses import DeliveryMode


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
    invoice_id: int = Field(gt=0)
    amount_cents: int = Field(gt=0, le=10**11)
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
    task_id: int
    customer_id: int
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
    task_id: int = Field(ge=1)


# Drafted messages, which the operator may send back with a note (revise): BizDev and dunning emails, money-graph
# Slack alerts, deliveries (`deliver`) and Gmail drafts.
REVISABLE = ("email", "slack", "deliver", "gmail_draft")

# The one registry of typed payloads: POST /api/proposals and the Inbox's edit form validate with it.
PAYLOAD_MODELS: dict[str, type[BaseModel]] = {
    "email": EmailPayload, "slack": SlackPayload, "stripe_checkout": CheckoutPayload, "deliver": DeliverPayload,
    "gmail_draft": GmailDraftPayload, "sheets_append": SheetsAppendPayload,
}


class PayloadInvalid(InvalidInput):
    """A payload its action type's model refuses; `details` lists field and message."""

    def __init__(self, message: str, details: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.details = details


def validate_payload(action_type: str, payload: Any) -> dict[str, Any]:
    """The payload as its model reads it (extra fields kept); PayloadInvalid for an unknown type or a bad payload."""
    model = PAYLOAD_MODELS.get(action_type)
    if model is None:
        raise PayloadInvalid(f"unknown action type {action_type!r}; choose one of: {', '.join(PAYLOAD_MODELS)}", [])
    try:
        return model.model_validate(payload).model_dump(exclude_none=True)
    except ValidationError as exc:
        details = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        raise PayloadInvalid(f"the payload is not a valid {action_type} payload", details) from None
