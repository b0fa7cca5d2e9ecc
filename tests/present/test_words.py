"""core.present: labels, status words and colours, money, times and values as a person reads them (SPEC §21)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from core.present.times import day_label, local_time, relative, when
from core.present.words import count_words, label, money, status_badge, status_text, status_word, value_text
from db import statuses as st

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)


def test_labels_are_words_without_underscores_or_cents():
    assert [label(n) for n in ("amount_cents", "needs_review", "created_at", "llm_cost_cents", "customer_id")] == [
        "Amount", "Needs review", "Created", "LLM cost", "Customer"]


def test_every_status_of_every_entity_is_a_word_with_a_colour():
    for statuses in (st.TASK_STATUSES, st.PROPOSAL_STATUSES, st.INVOICE_STATUSES, st.EXECUTION_STATUSES,
                     st.LEAD_STATUSES, st.RUN_STATUSES, st.EVENT_STATUSES, st.SUBSCRIPTION_STATUSES):
        for s in statuses:
            word = status_word(s)
            assert "_" not in word.text and word.text[0].isupper()
            assert word.colour in ("green", "blue", "orange", "red", "grey")


def test_waiting_for_review_is_orange_and_discarded_is_grey_not_red():
    assert status_word("needs_review") == status_word("needs_review") and status_text("needs_review") == (
        "Waiting for review")
    assert status_word("discarded").colour == "grey" and status_word("failed").colour == "red"
    assert status_badge("discarded") == ":gray-badge[Discarded]"


def test_a_missing_status_or_value_is_a_dash_never_none():
    assert status_text(None) == "—" and value_text(None) == "—" and value_text("") == "—"


def test_money_is_dollars_with_separators():
    assert (money(2028733), money(-700000), money(166), money(None)) == ("$20,287.33", "-$7,000.00", "$1.66", "—")


def test_values_read_as_words():
    assert value_text(True) == "Yes" and value_text([3, 8]) == "3, 8" and value_text(12345) == "12,345"
    assert value_text({"plan_name": "pro"}) == "Plan name: pro"


def test_counts_agree_with_their_number():
    assert (count_words(1, "task"), count_words(3, "task"), count_words(2, "entry", "entries")) == (
        "1 task", "3 tasks", "2 entries")


def test_times_are_relative_both_ways():
    assert relative(NOW - timedelta(minutes=3), NOW) == "3 minutes ago"
    assert relative(NOW + timedelta(hours=2, minutes=5), NOW) == "in 2 hours"
    assert relative(NOW - timedelta(seconds=20), NOW) == "just now" and relative(None, NOW) == "—"


def test_local_time_is_in_the_zone_and_a_midnight_is_a_day():
    at = datetime(2026, 9, 14, 7, 30, tzinfo=timezone.utc)
    assert local_time(at, "Europe/Berlin") == "Sep 14, 2026 09:30 CEST"
    assert local_time(datetime(2026, 9, 14, tzinfo=timezone.utc)) == "Sep 14, 2026"
    assert local_time(date(2026, 9, 14)) == "Sep 14, 2026" and day_label(date(2026, 9, 4)) == "Sep 4"
    assert when(at, at + timedelta(days=2)) == "2 days ago (Sep 14, 2026 07:30 UTC)"
