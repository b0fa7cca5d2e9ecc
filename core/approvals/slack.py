"""Decisions from Slack (SPEC §14): proposals posted with Approve / Reject buttons, clicks verified and decided.

A click reaches `POST /api/slack/actions` form-encoded (`payload` = JSON). It must carry a valid v0 signature
made within 300 s and not seen before (its signature is kept as a used nonce), else 401 and nothing changes.
The Slack user is mapped to an operator; an unmapped user or a viewer gets an ephemeral refusal. The decision
goes through core.approvals.proposals.decide like any other, and the message is updated with the outcome.
A drafted message (core.approvals.payloads.REVISABLE) also has "Request changes": the click opens a modal
(`views.open`) asking for the note, and its submission (`view_submission`, verified the same way) revises it.
(The incoming-webhook `slack` executor, for messages to other channels, is core.approvals.executors.slack.)
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.approvals.operators import operator_by_slack_user
from core.approvals.payloads import REVISABLE
from core.approvals.permissions import refusal
from core.approvals.proposals import decide
from core.audit import Actor, record_audit
from core.config.context import AppContext
from core.config.settings import Settings
from core.errors import NotFound
from db.ids import parse_id
from db.models import ActionProposal, UsedLinkNonce
from db.statuses import URGENCIES

log = logging.getLogger("hoss.slack")

APPROVE, REJECT, REVISE = "hoss_approve", "hoss_reject", "hoss_revise"
_ACTIONS = {APPROVE: "approve", REJECT: "reject", REVISE: "open_revise"}
NOTE_BLOCK, NOTE_INPUT = "hoss_note", "note"
SLACK = Actor.system("slack")
_MAX_TEXT = 2900  # a section's text may hold 3000 characters


@dataclass(frozen=True)
class SlackAnswer:
    """What the interaction endpoint answers: HTTP status and a JSON body."""

    status: int
    body: dict[str, Any]


def configured(settings: Settings) -> bool:
    """Whether proposals are posted to Slack: a bot token and an approval channel."""
    return bool(settings.secret("slack_bot_token") and settings.slack_approval_channel)


def wants_notice(settings: Settings, urgency: str) -> bool:
    """Whether a proposal of `urgency` is at or above SLACK_NOTIFY_MIN_URGENCY."""
    rank = {u: i for i, u in enumerate(URGENCIES)}
    return rank.get(urgency, 0) >= rank[settings.slack_notify_min_urgency]


def client(settings: Settings) -> WebClient:
    """The Web API client, with the executor's timeout on every call."""
    base = settings.slack_api_base if settings.slack_api_base.endswith("/") else settings.slack_api_base + "/"
    return WebClient(token=settings.secret("slack_bot_token"), base_url=base,
                     timeout=int(max(1, settings.executor_timeout_seconds)))


def _plain(text: str) -> dict[str, Any]:
    # plain_text: what an agent wrote is shown as words, never as Slack markup or mentions.
    return {"type": "section", "text": {"type": "plain_text", "text": text[:_MAX_TEXT] or " ", "emoji": False}}


def proposal_blocks(p: ActionProposal, outcome: str | None = None) -> list[dict[str, Any]]:
    """Block Kit of a proposal: title, reasoning, payload, and the buttons (or the outcome once decided)."""
    payload = json.dumps(p.payload, indent=2, ensure_ascii=False, default=str)
    blocks = [_plain(f"#{p.id} {p.title} ({p.urgency}, {p.action_type})"), _plain(f"Why: {p.reasoning or '-'}"),
              _plain(payload)]
    if outcome is not None:
        return [*blocks, _plain(outcome)]
    buttons = [{"type": "button", "action_id": APPROVE, "value": str(p.id), "style": "primary",
                "text": {"type": "plain_text", "text": "Approve"}},
               {"type": "button", "action_id": REJECT, "value": str(p.id), "style": "danger",
                "text": {"type": "plain_text", "text": "Reject"}}]
    if p.action_type in REVISABLE:
        buttons.append({"type": "button", "action_id": REVISE, "value": str(p.id),
                        "text": {"type": "plain_text", "text": "Request changes"}})
    return [*blocks, {"type": "actions", "block_id": f"hoss_{p.id}", "elements": buttons}]


def post_proposal(session: Session, settings: Settings, proposal_id: int, *, text: str | None = None) -> bool:
    """Post a proposal to the approval channel; store channel and ts; audited. False (logged) when Slack failed."""
    p = session.get(ActionProposal, proposal_id)
    if p is None:
        raise NotFound(f"proposal {proposal_id} not found")
    summary = text or f"Proposal #{p.id} waits for a decision: {p.title}"
    try:
        answer = client(settings).chat_postMessage(channel=settings.slack_approval_channel or "", text=summary[:300],
                                                   blocks=proposal_blocks(p))
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("posting proposal %s to Slack failed: %s", proposal_id, type(exc).__name__)
        return False
    session.execute(update(ActionProposal).where(ActionProposal.id == proposal_id).values(
        slack_channel=answer.get("channel"), slack_ts=answer.get("ts"), slack_shown_status=p.status))
    record_audit(session, SLACK, "proposal", proposal_id, None, None,
                 {"notified": "slack", "channel": answer.get("channel"), "ts": answer.get("ts")})
    return True


def _verified(settings: Settings, body: bytes, headers: dict[str, str]) -> bool:
    secret = settings.secret("slack_signing_secret")
    if not secret:
        return False
    try:
        return SignatureVerifier(secret).is_valid(body, headers.get("x-slack-request-timestamp"),
                                                  headers.get("x-slack-signature"))
    except (ValueError, UnicodeDecodeError):  # a timestamp that is not a number, a body that is not UTF-8
        return False


def _parse(body: bytes) -> tuple[str, int, str, dict[str, Any]] | None:
    """(action, proposal id, Slack user id, the payload) of a button click or of the revise modal's submission
    (action `revise`, the note in the payload), or None."""
    try:
        payload = json.loads(parse_qs(body.decode("utf-8")).get("payload", [""])[0])
        user = str(payload["user"]["id"])
        if payload.get("type") == "view_submission" and payload["view"]["callback_id"] == REVISE:
            return "revise", parse_id(payload["view"]["private_metadata"]), user, payload
        action = payload["actions"][0]
        decision = _ACTIONS[action["action_id"]]
        proposal_id = parse_id(action["value"])  # 20 digits, 0, '-3' or '1_0' is no proposal: refused here
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError, AttributeError):
        return None
    return decision, proposal_id, user, payload


def _note_of(payload: dict[str, Any]) -> str:
    """The note typed into the revise modal ('' when missing)."""
    try:
        return str(payload["view"]["state"]["values"][NOTE_BLOCK][NOTE_INPUT]["value"] or "").strip()
    except (KeyError, TypeError):
        return ""


def _open_revise_modal(settings: Settings, trigger_id: str, p: ActionProposal) -> bool:
    """Ask for the note of a "Request changes" click in a modal (`views.open`); False when Slack refused."""
    view = {"type": "modal", "callback_id": REVISE, "private_metadata": str(p.id),
            "title": {"type": "plain_text", "text": "Request changes"},
            "submit": {"type": "plain_text", "text": "Send back"},
            "blocks": [_plain(f"#{p.id} {p.title}"),
                       {"type": "input", "block_id": NOTE_BLOCK, "label": {"type": "plain_text", "text": "What to change"},
                        "element": {"type": "plain_text_input", "action_id": NOTE_INPUT, "multiline": True,
                                    "max_length": 2000}}]}
    try:
        client(settings).views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("opening the revise modal of proposal %s failed: %s", p.id, type(exc).__name__)
        return False
    return True


def handle_interaction(ctx: AppContext, body: bytes, headers: dict[str, str]) -> SlackAnswer:
    """Verify, map, decide and update one button click or revise submission (see module docstring)."""
    settings = ctx.settings
    if not _verified(settings, body, headers):
        return SlackAnswer(401, {"error": "invalid or stale Slack signature"})
    parsed = _parse(body)
    if parsed is None:
        return SlackAnswer(400, {"error": "not a HossAgent button click"})
    decision, proposal_id, user, payload = parsed
    channel = str((payload.get("channel") or {}).get("id") or settings.slack_approval_channel or "")
    with ctx.sessions() as session:
        # Lock the proposal first: the nonce's foreign key would otherwise share-lock it under decide's FOR UPDATE.
        p = session.execute(select(ActionProposal).where(ActionProposal.id == proposal_id)
                            .with_for_update()).scalar_one_or_none()
        if p is None:
            return _ephemeral(settings, channel, user, f"Proposal {proposal_id} does not exist.")
        nonce = "slack:" + hashlib.sha256(headers.get("x-slack-signature", "").encode()).hexdigest()
        fresh = session.execute(insert(UsedLinkNonce).values(nonce=nonce, proposal_id=proposal_id)
                                .on_conflict_do_nothing().returning(UsedLinkNonce.nonce)).scalar_one_or_none()
        if fresh is None:
            return SlackAnswer(401, {"error": "this interaction was already received"})
        operator = operator_by_slack_user(session, user)
        if operator is None or (reason := refusal(operator.role, "decide_proposal")):
            session.commit()  # the nonce only: a replay of a refused click stays refused
            text = ("You are not mapped to a HossAgent operator; nothing was decided." if operator is None
                    else f"{reason} Nothing was decided.")
            return _ephemeral(settings, channel, user, text)
        session.execute(update(ActionProposal).where(ActionProposal.id == proposal_id, ActionProposal.opened_at.is_(None))
                        .values(opened_at=func.now()))
        if decision == "open_revise":
            session.commit()
            opened = _open_revise_modal(settings, str(payload.get("trigger_id") or ""), p)
            return SlackAnswer(200, {"ok": opened})
        note = _note_of(payload) if decision == "revise" else "decided in Slack"
        if decision == "revise":
            session.commit()  # the nonce and opened_at; revise takes its own lock after the redraft
        result = decide(session, proposal_id, decision, Actor.user(operator.name), role=operator.role,
                        note=note, settings=settings)
        session.commit()
        if decision == "revise" and not result.ok:
            return SlackAnswer(200, {"response_action": "errors", "errors": {NOTE_BLOCK: result.message[:150]}})
        if not result.ok:
            return _ephemeral(settings, channel, user, result.message)
        update_message(session, settings, proposal_id, f"{result.message} (by {operator.name} in Slack)")
        session.commit()
    if decision == "revise":
        return SlackAnswer(200, {})  # an empty answer closes the modal
    return SlackAnswer(200, {"ok": True, "status": result.status})


def update_message(session: Session, settings: Settings, proposal_id: int, outcome: str) -> bool:
    """Replace the posted message's buttons with the outcome (`chat.update`); audited. False when not posted/failed."""
    p = session.get(ActionProposal, proposal_id)
    if p is None or not p.slack_ts or not p.slack_channel or not settings.secret("slack_bot_token"):
        return False
    session.refresh(p)
    still_open = p.status == "pending"
    try:
        client(settings).chat_update(channel=p.slack_channel, ts=p.slack_ts, text=outcome[:300],
                                     blocks=proposal_blocks(p, None if still_open else outcome))
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("updating the Slack message of proposal %s failed: %s", proposal_id, type(exc).__name__)
        return False
    session.execute(update(ActionProposal).where(ActionProposal.id == proposal_id).values(slack_shown_status=p.status))
    record_audit(session, SLACK, "proposal", proposal_id, None, None, {"notified": "slack_update", "outcome": outcome})
    return True


def _ephemeral(settings: Settings, channel: str, user: str, text: str) -> SlackAnswer:
    if settings.secret("slack_bot_token") and channel:
        try:
            client(settings).chat_postEphemeral(channel=channel, user=user, text=text)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("ephemeral Slack refusal failed: %s", type(exc).__name__)
    return SlackAnswer(200, {"ok": False, "message": text})
