"""core.present.cards: each proposal as the thing itself, an edit in words, a dry run said so (SPEC §21)."""

from __future__ import annotations

from core.present.cards import artifact_fields, diff_lines, execution_text, proposal_card, result_fields

CHECKOUT = {"invoice_id": 12, "customer_id": 4, "customer": "Zahn GmbH", "amount_cents": 166, "currency": "usd",
            "description": "2 tasks in November"}


def test_a_checkout_card_says_customer_amount_and_what_for():
    card = proposal_card("stripe_checkout", CHECKOUT)
    assert card.headline == "A payment link for Zahn GmbH: $1.66"
    assert dict(card.fields) == {"Customer": "Zahn GmbH", "Amount": "$1.66", "For": "2 tasks in November",
                                 "Invoice": "#12"}


def test_an_email_card_is_to_subject_and_body():
    card = proposal_card("email", {"to": "a@b.test", "subject": "Hello", "body": "Hi there"})
    assert (card.headline, dict(card.fields), card.body) == ("An email to a@b.test", {"To": "a@b.test",
                                                                                      "Subject": "Hello"}, "Hi there")


def test_a_gmail_delivery_says_it_is_a_draft_not_sent():
    card = proposal_card("deliver", {"to": "a@b.test", "subject": "S", "body": "B", "channel": "gmail_draft",
                                     "task_id": 3, "customer_id": 1})
    assert card.headline.startswith("A Gmail draft") and "not sent" in card.headline


def test_an_unknown_payload_is_labelled_words_not_json():
    card = proposal_card("review", {"refund_cents": 2500, "reason_code": None, "tasks": [3, 8]})
    assert dict(card.fields) == {"Refund": "$25.00", "Reason code": "—", "Tasks": "3, 8"}


def test_an_edit_diff_is_in_words():
    after = {**CHECKOUT, "amount_cents": 200, "description": None, "memo": "Setup"}
    assert diff_lines({**CHECKOUT, "memo": None}, after) == [
        "Amount: $1.66 → $2.00", "Description: removed (was 2 tasks in November)", "Memo: set to Setup"]


def test_a_dry_run_says_recorded_not_sent():
    assert execution_text("succeeded", {"dry_run": True, "would_send": {"to": "x"}}).startswith("Recorded, not sent")
    assert execution_text("succeeded", {"message_id": "m1"}) == "Sent" and execution_text("failed", None) == "Failed"
    assert result_fields({"dry_run": True, "would_send": {"to": "x@y.test"}}) == (("Would send · To", "x@y.test"),)


def test_a_json_artifact_is_labelled_fields_and_text_is_not():
    fields = artifact_fields('{"objective": "Launch", "key_messages": ["Fast", "Cheap"], "budget_cents": 5000}')
    assert fields == (("Objective", "Launch"), ("Key messages", "• Fast\n• Cheap"), ("Budget", "$50.00"))
    assert artifact_fields("## Findings\n\nText") is None and artifact_fields("[1, 2]") is None
