"""Email decision links (SPEC §14): signed, single-use, expiring; GET shows a confirmation, only POST decides.

A link is `{HOSS_PUBLIC_URL}/api/links/{token}`, the token being base64url JSON {p: proposal, d: decision,
o: operator, e: expiry (unix s), n: nonce} and an HMAC-SHA256 of it keyed by HOSS_SECRET_KEY. A link scanner's
GET changes nothing (it may mark the card opened, which only feeds the trust ledger); the confirming POST
records the nonce as used in the same transaction as the decision, so a link decides at most once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from html import escape
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.approvals.proposals import decide
from core.audit import Actor
from core.config.settings import Settings
from core.transitions import ONE_CLICK_DECISIONS
from db.ids import parse_id
from db.models import ActionProposal, UsedLinkNonce

LINK_DECISIONS = ONE_CLICK_DECISIONS


class BadLink(ValueError):
    """A token that is not ours (bad signature, malformed) or has expired; the message says which."""


@dataclass(frozen=True)
class LinkClaim:
    """What a verified token says."""

    proposal_id: int
    decision: str
    operator: str
    expires: int
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(settings: Settings) -> bytes:
    secret = settings.secret("hoss_secret_key")
    if not secret:
        raise BadLink("email links are off: HOSS_SECRET_KEY is not set")
    return hashlib.sha256(b"hoss-email-links:" + secret.encode()).digest()  # not the audit seal's key itself


def links_enabled(settings: Settings) -> bool:
    """Whether links can be signed (HOSS_SECRET_KEY is set)."""
    return bool(settings.secret("hoss_secret_key"))


def make_token(settings: Settings, proposal_id: int, decision: str, operator: str, *, ttl_seconds: float,
               now: float | None = None) -> str:
    """A signed token for one decision by one operator, valid for `ttl_seconds`."""
    claim = {"p": proposal_id, "d": decision, "o": operator, "e": int((now or time.time()) + ttl_seconds),
             "n": secrets.token_urlsafe(12)}
    body = _b64(json.dumps(claim, separators=(",", ":")).encode())
    return f"{body}.{_b64(hmac.new(_key(settings), body.encode(), hashlib.sha256).digest())}"


def link_url(settings: Settings, token: str) -> str:
    """Where a token is opened: HOSS_PUBLIC_URL/api/links/TOKEN."""
    return f"{settings.hoss_public_url.rstrip('/')}/api/links/{token}"


def verify_token(settings: Settings, token: str, *, now: float | None = None) -> LinkClaim:
    """The claim of a token we signed and that has not expired; BadLink otherwise."""
    body, _, signature = token.partition(".")
    try:
        expected = hmac.new(_key(settings), body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise BadLink("this link is not valid")
        raw = json.loads(_unb64(body))
        claim = LinkClaim(parse_id(raw["p"]), str(raw["d"]), str(raw["o"]), int(raw["e"]), str(raw["n"]))
    except (ValueError, KeyError, TypeError, UnicodeError):
        raise BadLink("this link is not valid") from None
    if claim.decision not in LINK_DECISIONS:
        raise BadLink("this link is not valid")
    if claim.expires < (now or time.time()):
        raise BadLink("this link has expired; decide in the console instead")
    return claim


def _used(session: Session, nonce: str) -> bool:
    return session.execute(select(UsedLinkNonce.nonce).where(UsedLinkNonce.nonce == f"link:{nonce}")).first() is not None


def _page(title: str, lines: list[str], form: str = "") -> str:
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<meta name='robots' content='noindex'></head><body><h1>{escape(title)}</h1>{body}{form}</body></html>")


def confirmation_page(session: Session, settings: Settings, token: str) -> tuple[int, str]:
    """GET: (status, HTML) asking to confirm; decides nothing. Marks the card opened the first time."""
    try:
        claim = verify_token(settings, token)
    except BadLink as exc:
        return 410 if "expired" in str(exc) else 400, _page("Link not usable", [str(exc)])
    if _used(session, claim.nonce):
        return 410, _page("Link already used", ["This link was used already; nothing more was done."])
    p = session.get(ActionProposal, claim.proposal_id)
    if p is None:
        return 404, _page("Not found", [f"Proposal {claim.proposal_id} does not exist."])
    if p.status != "pending":
        return 409, _page("Already decided", [f"Proposal #{p.id} is {p.status}; nothing to do."])
    session.execute(update(ActionProposal).where(ActionProposal.id == p.id, ActionProposal.opened_at.is_(None))
                    .values(opened_at=func.now()))
    session.commit()
    payload = json.dumps(p.payload, indent=2, ensure_ascii=False, default=str)
    verb = "Approve" if claim.decision == "approve" else "Reject"
    form = (f"<pre>{escape(payload)}</pre><form method='post' action='{escape(link_url(settings, token))}'>"
            f"<button type='submit'>{verb} proposal #{p.id}</button></form>")
    return 200, _page(f"{verb} proposal #{p.id}?", [p.title, f"Why: {p.reasoning}",
                                                    f"You decide as {claim.operator}. Nothing happens until you press the button."],
                      form)


def confirm(session: Session, settings: Settings, token: str) -> tuple[int, str, Any]:
    """POST: decide once through core.approvals.proposals.decide; (status, HTML, the Decision or None). Commits."""
    try:
        claim = verify_token(settings, token)
    except BadLink as exc:
        return 410 if "expired" in str(exc) else 400, _page("Link not usable", [str(exc)]), None
    # Lock the proposal first: the nonce's foreign key would otherwise share-lock it under decide's FOR UPDATE.
    if session.execute(select(ActionProposal.id).where(ActionProposal.id == claim.proposal_id)
                       .with_for_update()).first() is None:
        return 404, _page("Not found", [f"Proposal {claim.proposal_id} does not exist."]), None
    fresh = session.execute(insert(UsedLinkNonce).values(nonce=f"link:{claim.nonce}", proposal_id=claim.proposal_id)
                            .on_conflict_do_nothing().returning(UsedLinkNonce.nonce)).scalar_one_or_none()
    if fresh is None:
        session.rollback()
        return 410, _page("Link already used", ["This link was used already; nothing more was done."]), None
    result = decide(session, claim.proposal_id, claim.decision, Actor.user(claim.operator), note="decided by email link",
                    settings=settings)
    session.commit()
    return (200 if result.ok else 409 if not result.forbidden else 403), _page(
        "Done" if result.ok else "Not done", [result.message]), result
