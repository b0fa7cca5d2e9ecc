"""Ids of any size from any surface: a 4xx or one line with exit 2, never a traceback or a 500 (SPEC §19).

The CLI and API tests walk the parser's verbs and the router's routes, so the next verb or route with an id is
checked without a new test.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.app.api import api_routes
from core.app.cli import build_parser, main
from core.config.context import AppContext
from db.ids import MAX_ID, as_id, parse_id
from tests.approvals.api_support import auth, serve, with_settings

HUGE = "99999999999999999999"
BAD_IDS = [HUGE, str(MAX_ID + 1), "0", "-1", "²", "1_000", " 7", "1e3"]


@pytest.mark.parametrize("raw", BAD_IDS)
def test_an_id_out_of_range_or_not_ascii_digits_is_refused(raw: str) -> None:
    assert as_id(raw) is None
    with pytest.raises(ValueError, match="not a valid task id"):
        parse_id(raw, "task")


def test_the_largest_bigint_is_a_valid_id() -> None:
    assert as_id(str(MAX_ID)) == MAX_ID and as_id(1) == 1 and as_id(True) is None


# --- the CLI: every verb whose argument is an id ----------------------------------------------------------

def _id_arguments() -> Iterator[tuple[list[str], argparse.Action, argparse.ArgumentParser]]:
    """(verb path, the id argument, its parser) for every argument of every verb that takes an id."""
    def walk(parser: argparse.ArgumentParser, path: list[str]) -> Iterator:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from walk(sub, [*path, name])
            elif getattr(action.type, "is_id", False):
                yield path, action, parser
    yield from walk(build_parser(), [])


def _argv(path: list[str], target: argparse.Action, parser: argparse.ArgumentParser) -> list[str]:
    """An otherwise valid command line with `HUGE` as the target id."""
    argv = list(path)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or not (action is target or action.required or
                                                              not action.option_strings and action.nargs != "?"):
            continue
        value = HUGE if action is target else (action.choices and list(action.choices)[0]) or (
            "1" if getattr(action.type, "is_id", False) else "x")
        argv += [action.option_strings[0], str(value)] if action.option_strings else [str(value)]
    return argv


ID_VERBS = [pytest.param(p, a, q, id=" ".join(p) + ":" + a.dest) for p, a, q in _id_arguments()]


def test_the_walk_finds_the_verbs_that_take_ids() -> None:
    found = {(" ".join(p), a.dest) for p, a, _ in _id_arguments()}
    assert {("decide", "id"), ("task add", "customer"), ("task show", "id"), ("review", "task"),
            ("customer", "id")} <= found


@pytest.mark.parametrize(("path", "action", "parser"), ID_VERBS)
def test_a_20_digit_id_is_one_line_and_exit_2_on_every_cli_verb(path, action, parser, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(_argv(path, action, parser))
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert err.count("\n") == 1 and "Traceback" not in err and "not a valid" in err and HUGE[:20] in err


def test_no_cli_argument_named_like_an_id_is_a_plain_int() -> None:
    def walk(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from walk(sub)
            else:
                yield action
    plain = [a.dest for a in walk(build_parser())
             if a.type is int and re.search(r"\bid\b", f"{a.dest} {a.help}".replace("_", " "))]
    assert plain == []


# --- the API: every route with an id in its path ----------------------------------------------------------

def _id_routes() -> list[tuple[str, str]]:
    return [(method, route.path) for route in api_routes(lambda: None)  # type: ignore[arg-type, return-value]
            if "{id}" in getattr(route, "path", "") for method in sorted(route.methods or ()) if method != "HEAD"]


def test_the_walk_finds_the_routes_with_ids() -> None:
    assert ("POST", "/api/proposals/{id}/decide") in _id_routes() and ("GET", "/api/tasks/{id}") in _id_routes()


@pytest.mark.parametrize(("method", "path"), _id_routes())
@pytest.mark.parametrize("raw", [HUGE, str(MAX_ID + 1), "0"])
def test_a_20_digit_id_is_404_json_on_every_api_route(ctx: AppContext, session: Session, method: str, path: str,
                                                      raw: str) -> None:
    with serve(with_settings(ctx)) as api:
        answer = api.request(method, path.replace("{id}", raw), json={"decision": "approve", "plan": "pro"},
                             headers=auth())
    assert answer.status_code == 404 and "not found" in answer.json()["error"]


def test_the_largest_bigint_is_an_unknown_proposal_not_a_500(ctx: AppContext) -> None:
    with serve(with_settings(ctx)) as api:
        answer = api.post(f"/api/proposals/{MAX_ID}/decide", json={"decision": "reject"}, headers=auth())
    assert answer.status_code == 404 and answer.json()["error"] == f"proposal {MAX_ID} not found"


@pytest.mark.parametrize("customer", [10**20, 0, -1, True, "7"])
def test_a_task_for_a_customer_id_out_of_range_is_422(ctx: AppContext, session: Session, customer: object) -> None:
    with serve(with_settings(ctx)) as api:
        answer = api.post("/api/tasks", json={"customer_id": customer, "description": "x"}, headers=auth())
    assert answer.status_code == 422 and answer.json()["details"][0]["field"] == "customer_id"
    assert session.execute(text("SELECT count(*) FROM tasks")).scalar_one() == 0

