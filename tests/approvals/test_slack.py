"""Decisions from Slack against the Web API stand-in: posted once, verified clicks, one execution, refusals."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.approvals.executor import execute_next, executor_work_due
from core.approvals.notify import announce_new, sync_slack_outcomes
from core.approvals.operators import add_operator
from core.approvals.policies import update_policy
from core.approvals.proposals import decide
from core.audit import Actor
from core.config.context import AppContext
from tests.approvals.api_support import auth, serve, with_settings
from tests.inbox_data import checkout_proposal, make_invoice, slack_proposal
from tests.standins.slack_server import SlackCalls, slack_server

SECRET = "slack-signing-secret-for-tests"


@pytest.fixture
def slack(ctx: AppContext) -> Iterator[tuple[AppContext, SlackCalls, httpx.Client]]:
    with slack_server() as (calls, base):
        sctx = with_settings(ctx, slack_bot_token=SecretStr("xoxb-test"), slack_signing_secret=SecretStr(SECRET),
                             slack_approval_channel="C0APPROVE", slack_api_base=base)
        with serve(sctx) as api:
            yield sctx, calls, api


def _click(pid: int, user: str, action: str = "hoss_approve", *, ts: int | None = None,
           secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    payload = {"type": "block_actions", "user": {"id": user}, "channel": {"id": "C0APPROVE"},
               "trigger_id": f"{time.monotonic_ns()}", "actions": [{"action_id": action, "value": str(pid)}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    stamp = str(ts if ts is not None else int(time.time()))
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return body, {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature,
                  "Content-Type": "application/x-www-form-urlencoded"}


def _post(api: httpx.Client, click: tuple[bytes, dict[str, str]]) -> httpx.Response:
    return api.post("/api/slack/actions", content=click[0], headers=click[1])


def _posted(session: Session, sctx: AppContext) -> int:
    add_operator(session, "bo", "approver", Actor.system("test"), slack_user_id="U0BO")
    add_operator(session, "vi", "viewer", Actor.system("test"), slack_user_id="U0VI")
    pid = slack_proposal(session)
    session.commit()
    announce_new(session, sctx.settings)
    return pid


def _row(session: Session, pid: int) -> tuple[str, int]:
    session.commit()
    return tuple(session.execute(text("SELECT p.status, (SELECT count(*) FROM executions e WHERE e.proposal_id = p.id) "
                                "FROM action_proposals p WHERE p.id = :i"), {"i": pid}).one())


def test_high_urgency_proposal_is_posted_once_with_buttons(slack, session: Session) -> None:
    sctx, calls, _ = slack
    pid = _posted(session, sctx)
    announce_new(session, sctx.settings)
    posts = calls.of("chat.postMessage")
    assert len(posts) == 1 and posts[0]["channel"] == "C0APPROVE"
    buttons = [b for b in posts[0]["blocks"] if b["type"] == "actions"][0]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("hoss_approve", str(pid)), ("hoss_reject", str(pid)), ("hoss_revise", str(pid))]  # a Slack alert is a draft
    assert session.execute(text("SELECT slack_ts FROM action_proposals")).scalar_one()


def test_signed_click_approves_executes_once_and_updates_the_message(slack, session: Session) -> None:
    sctx, calls, api = slack
    pid = _posted(session, sctx)
    click = _click(pid, "U0BO")
    assert _post(api, click).status_code == 200
    assert _post(api, click).status_code == 401  # the very same interaction again: a replay
    time.sleep(0.05)
    assert _post(api, _click(pid, "U0BO")).status_code == 200  # a second click 50 ms later
    while execute_next(session, sctx.settings) is not None:
        pass
    assert _row(session, pid) == ("executed", 1)
    assert "approved" in calls.of("chat.update")[0]["text"]


def test_two_simultaneous_clicks_make_one_execution(slack, session: Session) -> None:
    sctx, _, api = slack
    pid = _posted(session, sctx)
    clicks = [_click(pid, "U0BO"), _click(pid, "U0BO")]
    answers: list[int] = []
    threads = [threading.Thread(target=lambda c=c: answers.append(_post(api, c).status_code)) for c in clicks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 200] and _row(session, pid) == ("approved", 1)


@pytest.mark.parametrize("case", ["forged", "stale"])
def test_forged_or_stale_interaction_is_401_and_changes_nothing(slack, session: Session, case: str) -> None:
    sctx, calls, api = slack
    pid = _posted(session, sctx)
    click = _click(pid, "U0BO", secret="not-the-secret") if case == "forged" else _click(
        pid, "U0BO", ts=int(time.time()) - 600)
    assert _post(api, click).status_code == 401
    assert _row(session, pid) == ("pending", 0) and calls.of("chat.update") == []


def test_viewer_and_unmapped_clicks_get_an_ephemeral_refusal_and_change_nothing(slack, session: Session) -> None:
    sctx, calls, api = slack
    pid = _posted(session, sctx)
    for user in ("U0VI", "U0NOBODY"):
        assert _post(api, _click(pid, user)).json()["ok"] is False
    assert _row(session, pid) == ("pending", 0)
    assert [c["user"] for c in calls.of("chat.postEphemeral")] == ["U0VI", "U0NOBODY"]
    assert calls.of("chat.postEphemeral")[0]["text"] == ("A viewer cannot decide proposals; an owner can change "
                                                         "your role. Nothing was decided.")


def test_two_person_rule_across_console_and_slack(slack, session: Session) -> None:
    sctx, _, api = slack
    add_operator(session, "bo", "approver", Actor.system("test"), slack_user_id="U0BO")
    update_policy(session, "stripe_checkout", Actor.system("test"), two_person_above_cents=10_000)
    cid, iid = make_invoice(session, 50_000)
    pid = checkout_proposal(session, iid, cid, 50_000)
    session.commit()
    # The console's password sign-in is the owner ("ana" is no operator row).
    assert decide(session, pid, "approve", Actor.user("ana"), role="owner").status == "pending"
    session.commit()
    assert _row(session, pid) == ("pending", 0)
    assert _post(api, _click(pid, "U0BO")).json()["status"] == "approved"
    assert _row(session, pid) == ("approved", 1)


def _two_person_checkout(session: Session) -> int:
    add_operator(session, "alice", "owner", Actor.system("test"), slack_user_id="U0ALICE")
    add_operator(session, "bo", "approver", Actor.system("test"), slack_user_id="U0BO")
    update_policy(session, "stripe_checkout", Actor.system("test"), two_person_above_cents=10_000)
    cid, iid = make_invoice(session, 50_000)
    pid = checkout_proposal(session, iid, cid, 50_000)
    session.commit()
    return pid


def test_slack_approval_plus_the_shared_api_token_is_one_approval(slack, session: Session) -> None:
    _, _, api = slack
    pid = _two_person_checkout(session)
    assert _post(api, _click(pid, "U0ALICE")).json()["status"] == "pending"
    refused = api.post(f"/api/proposals/{pid}/decide", json={"decision": "approve"}, headers=auth())
    assert refused.status_code == 403
    assert _row(session, pid) == ("pending", 0)
    assert session.execute(text("SELECT operator FROM approvals WHERE proposal_id = :i"), {"i": pid}).scalars().all() \
        == ["alice"]  # still waiting for a second person
    assert _post(api, _click(pid, "U0BO")).json()["status"] == "approved"


def test_a_slack_decider_counts_as_their_operator_for_two_person(slack, session: Session) -> None:
    _, _, api = slack
    pid = _two_person_checkout(session)
    assert _post(api, _click(pid, "U0ALICE")).json()["status"] == "pending"
    again = decide(session, pid, "approve", Actor.user("alice"))  # alice again, now in the console
    session.commit()
    assert not again.ok and "already approved" in again.message
    assert _row(session, pid) == ("pending", 0)


def test_an_unmapped_slack_user_is_refused_even_while_no_operator_exists(slack, session: Session) -> None:
    sctx, calls, api = slack
    pid = slack_proposal(session)
    session.commit()
    announce_new(session, sctx.settings)
    assert _post(api, _click(pid, "U0STRANGER")).json()["ok"] is False
    assert _row(session, pid) == ("pending", 0)
    assert "not mapped" in calls.of("chat.postEphemeral")[0]["text"]


def _submit_note(pid: int, user: str, note: str) -> tuple[bytes, dict[str, str]]:
    payload = {"type": "view_submission", "user": {"id": user},
               "view": {"callback_id": "hoss_revise", "private_metadata": str(pid),
                        "state": {"values": {"hoss_note": {"note": {"type": "plain_text_input", "value": note}}}}}}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    stamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return body, {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature,
                  "Content-Type": "application/x-www-form-urlencoded"}


def test_request_changes_opens_a_modal_and_changes_nothing_yet(slack, session: Session) -> None:
    sctx, calls, api = slack
    pid = _posted(session, sctx)
    assert _post(api, _click(pid, "U0BO", "hoss_revise")).json() == {"ok": True}
    (opened,) = calls.of("views.open")
    assert opened["view"]["private_metadata"] == str(pid) and opened["view"]["callback_id"] == "hoss_revise"
    assert _row(session, pid) == ("pending", 0)


def test_the_modal_s_note_revises_the_draft_into_v2_and_updates_the_message(slack, session: Session) -> None:
    sctx, calls, api = slack
    pid = _posted(session, sctx)
    assert _post(api, _submit_note(pid, "U0BO", "add: Cash is fine for now.")).status_code == 200
    session.commit()
    v1, v2 = session.execute(text("SELECT status, supersedes_id, payload->>'text' FROM action_proposals "
                                  "ORDER BY id")).all()
    assert v1[0] == "superseded" and v2[1] == pid and v2[2].endswith("Cash is fine for now.")
    assert "superseded" in calls.of("chat.update")[0]["text"]


def test_a_viewer_s_revise_submission_changes_nothing(slack, session: Session) -> None:
    sctx, _, api = slack
    pid = _posted(session, sctx)
    assert _post(api, _submit_note(pid, "U0VI", "make it shorter")).json()["ok"] is False
    session.commit()
    assert session.execute(text("SELECT count(*) FROM action_proposals")).scalar() == 1
    assert _row(session, pid) == ("pending", 0)


def test_a_proposal_decided_in_the_console_has_its_slack_message_updated_once(slack, session: Session) -> None:
    sctx, calls, _ = slack
    pid = _posted(session, sctx)
    decide(session, pid, "reject", Actor.user("ana"), role="owner", note="not now")
    session.commit()
    assert sync_slack_outcomes(session, sctx.settings) == [pid]
    assert sync_slack_outcomes(session, sctx.settings) == []  # once per status, not once per pass
    (update,) = calls.of("chat.update")
    assert update["text"] == f"#{pid} Rejected by ana."
    assert not [b for b in update["blocks"] if b["type"] == "actions"]  # no buttons left to click


def test_a_slack_decision_carried_out_later_updates_the_message_to_the_outcome(slack, session: Session) -> None:
    sctx, calls, api = slack
    pid = _posted(session, sctx)
    assert _post(api, _click(pid, "U0BO")).status_code == 200
    assert sync_slack_outcomes(session, sctx.settings) == []  # the click's own update already shows "approved"
    while execute_next(session, sctx.settings) is not None:
        pass
    assert sync_slack_outcomes(session, sctx.settings) == [pid]
    assert calls.of("chat.update")[-1]["text"] == f"#{pid} Approved by bo; carried out."


def test_a_failed_slack_update_is_logged_and_not_retried_on_every_pass(slack, session: Session) -> None:
    sctx, calls, _ = slack
    pid = _posted(session, sctx)
    decide(session, pid, "reject", Actor.user("ana"), role="owner", note="no")
    session.commit()
    down = with_settings(sctx, slack_api_base="http://127.0.0.1:9/api/")  # nothing listens on the discard port
    assert sync_slack_outcomes(session, down.settings) == [pid]
    assert sync_slack_outcomes(session, sctx.settings) == [] and calls.of("chat.update") == []
    assert not executor_work_due(session, sctx.settings)  # nothing left to do: no run recorded every poll
