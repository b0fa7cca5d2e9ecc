"""Console query parameters that are not ids (20 digits, past what a browser's number holds) change nothing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.console_support import page_path, use_database


@pytest.fixture(autouse=True)
def _db(monkeypatch, db_url):
    yield from use_database(monkeypatch, db_url)


@pytest.mark.parametrize("raw", ["99999999999999999999", "9223372036854775807", "9007199254740993", "0", "-1", "²"])
def test_a_task_link_with_an_id_out_of_range_asks_for_an_id(session, raw: str) -> None:
    at = AppTest.from_file(str(page_path("pages/task.py")), default_timeout=20)
    at.query_params["task"] = raw
    at.run()
    assert not at.exception
    assert any("enter its id" in t.value for t in at.text)


def test_a_task_id_typed_past_the_largest_is_refused_by_the_input(session) -> None:
    at = AppTest.from_file(str(page_path("pages/task.py")), default_timeout=20).run()
    assert at.number_input(key="task_view_id").max == 2**53 - 1
