"""The Workforce page's instructions and evals: a new version is evaluated at once beside the old, roll back."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.console_support import run_page, use_database


@pytest.fixture(autouse=True)
def _db(monkeypatch, db_url):
    yield from use_database(monkeypatch, db_url)


def _open(worker: str):
    at = run_page("pages/workforce.py", operator="ann", state={"workforce_versions_box": True})
    at.button_group(key="workforce_worker").set_value(worker).run()
    return at


def test_a_new_tone_from_the_page_is_a_new_version_evaluated_beside_the_old(session) -> None:
    at = _open("Sasha")
    at.text_input(key="ins_tone_Sasha").set_value("warm, curious")
    at.number_input(key="ins_cases_Sasha").set_value(1)
    at.button[[b.label for b in at.button].index("Save as a new version and run its eval")].click().run()
    assert not at.exception
    assert session.execute(text("SELECT settings->>'version', settings->>'tone' FROM agents WHERE name = 'Sasha'")
                           ).one() == ("2", "warm, curious")
    runs = session.execute(text("SELECT version FROM eval_runs WHERE agent = 'Sasha' ORDER BY id")).scalars().all()
    assert runs == [1, 2]  # the old version had no eval: both ran, on the same case
    table = at.dataframe[1].value
    assert list(table.columns) == ["version 2 (current)", "version 1"]
    assert table.loc["tone", "version 2 (current)"] == "warm, curious"
    assert table.loc["eval pass rate", "version 1"].endswith("of 1 cases, mock answers")
    roster = at.dataframe[0].value
    assert roster.set_index("name").loc["Sasha", "last eval"].endswith("of 1 cases, mock answers")
    assert roster.set_index("name").loc["Sasha", "recent evals"].count("%") == 2


def test_rolling_back_from_the_page_restores_the_old_version(session) -> None:
    at = _open("Rhea")
    at.text_input(key="ins_model_Rhea").set_value("gpt-4o")
    at.number_input(key="ins_cases_Rhea").set_value(1)
    at.button[[b.label for b in at.button].index("Save as a new version and run its eval")].click().run()
    at.selectbox(key="rollback_to_Rhea").set_value(1)
    at.button(key="rollback_Rhea").click().run()
    assert not at.exception
    assert session.execute(text("SELECT settings->>'version', settings->>'model' FROM agents WHERE name = 'Rhea'")
                           ).one() == ("1", "gpt-4o-mini")


def test_a_viewer_sees_the_versions_and_cannot_change_or_evaluate_them(session) -> None:
    session.execute(text("INSERT INTO operators (name, role) VALUES ('olga', 'owner'), ('vic', 'viewer')"))
    session.commit()
    at = run_page("pages/workforce.py", operator="vic", state={"workforce_versions_box": True})
    assert not at.exception
    assert at.button(key="eval_run_Corin").disabled
    assert at.dataframe[1].value.shape[1] == 1
