"""Helpers for console tests: the pages registered in streamlit_app.py, and AppTest on the test database."""

from __future__ import annotations

import ast
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def registered_pages() -> list[str]:
    """The file of every st.Page in streamlit_app.py's PAGES list, read from the source (no Streamlit run)."""
    tree = ast.parse((ROOT / "streamlit_app.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [
                call.args[0].value for call in node.value.elts  # type: ignore[attr-defined]
                if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant)
            ]
    raise AssertionError("streamlit_app.py has no PAGES list")


def page_path(page: str) -> Path:
    """The page's file (every page streamlit_app.py registers is in the checkout: a missing one fails the test)."""
    return ROOT / page


def use_database(monkeypatch: pytest.MonkeyPatch, db_url: str) -> Iterator[None]:
    """Point the console's cached app context at this test's database (and a data folder of its own, where the
    audit witness goes); dispose of it afterwards."""
    from ui.context import _bootstrap

    with tempfile.TemporaryDirectory(prefix="hoss-console-data-") as data_dir:
        monkeypatch.setenv("DATABASE_URL", db_url)
        monkeypatch.setenv("HOSS_DATA_DIR", data_dir)
        _bootstrap.clear()
        ctx = _bootstrap()  # the pages run in this process and find this one in the cache
        yield
        _bootstrap.clear()
        ctx.engine.dispose()


def run_page(page: str, *, timeout: float = 20, operator: str | None = None,
             state: dict[str, object] | None = None) -> AppTest:
    """Run one page file through AppTest (optionally as a signed-in operator, with `state` in session_state, such
    as a lazy tab or expander opened by its key) and return it."""
    at = AppTest.from_file(str(page_path(page)), default_timeout=timeout)
    if operator:
        at.session_state["operator"] = operator
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run()


def select_rows(at: AppTest, *rows: int, table: int = 0) -> AppTest:
    """Select `rows` (positions) of the page's `table`-th dataframe, as clicks on their checkboxes do, and rerun."""
    at.session_state[at.dataframe[table].key] = {"selection": {"rows": list(rows), "columns": [], "cells": []}}
    return at.run()
