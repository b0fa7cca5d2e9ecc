"""What the Inbox says would go out: the exact message, and where it goes (sent, or a Gmail draft)."""

from __future__ import annotations

from datetime import datetime, timezone

from core.approvals.queries import ProposalView
from ui.inbox import outgoing_text

MESSAGE = {"to": "dana@northwind.test", "subject": "Your market map", "body": "Dana,\n\nthe map is below."}


def _view(action_type: str, payload: dict) -> ProposalView:
    return ProposalView(1, "ops", action_type, "pending", "low", "t", "r", payload, datetime.now(timezone.utc),
                        None, None, None, None)


def test_a_gmail_draft_shows_as_the_message_saved_as_a_draft_not_sent() -> None:
    text = outgoing_text(_view("gmail_draft", MESSAGE))
    assert text.startswith("From: (the connected Gmail account: saved as a draft there, not sent)")
    assert "Subject: Your market map" in text and text.endswith("the map is below.")


def test_a_delivery_on_the_gmail_channel_says_it_becomes_a_draft() -> None:
    text = outgoing_text(_view("deliver", {**MESSAGE, "channel": "gmail_draft", "task_id": 3, "customer_id": 1}))
    assert "saved as a draft there, not sent" in text and "To: dana@northwind.test" in text


def test_a_delivery_by_email_names_the_configured_sender() -> None:
    text = outgoing_text(_view("deliver", {**MESSAGE, "channel": "email", "task_id": 3, "customer_id": 1}))
    assert text.startswith("From: (configured BIZDEV_EMAIL_FROM)")
