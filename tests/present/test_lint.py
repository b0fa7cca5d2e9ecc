"""core.present.lint: the checker the browser walk runs over every page's visible text."""

from __future__ import annotations

import pytest

from core.present.lint import unreadable


@pytest.mark.parametrize(("text", "rule"), [
    ("Status: needs_review", "snake_case"),
    ("Budget: None", "bare None"),
    ("Week of 2026-09-14 00:00:00+00:00", "raw timestamp"),
    ('{"amount_cents": 166}', "JSON"),
    ("profit 1698¢", "cents"),
    ("166 cents from tasks 3, 8", "cents"),
    ("Net $20287.33", "dollars without separators"),
])
def test_each_thing_a_person_should_not_read_is_found(text, rule):
    assert rule in {f.rule for f in unreadable(text)}


@pytest.mark.parametrize("text", [
    "Waiting for review", "Net $20,287.33", "Sep 14, 2026 09:30 UTC", "3 minutes ago", "—",
    "owner@zahn_gmbh.example", "https://example.com/a_b", "Nothing waits for a decision.", "$1.66 for 2 tasks",
    "Noneless text about nonexistent things",
])
def test_plain_english_passes(text):
    assert unreadable(text) == []


def test_an_allowed_fragment_is_not_reported():
    assert unreadable("the sheet range Sheet_1", allow=("Sheet_1",)) == []
