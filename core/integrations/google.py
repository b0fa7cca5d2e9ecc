"""The one module that talks to Google: OAuth (consent URL, code exchange, revoke) and the Gmail and Sheets calls.

The API clients are the official ones (google-api-python-client over google-auth), built from the discovery
documents shipped in `discovery/` (no discovery fetch at run time) and pointed at GOOGLE_API_BASE when set.
Every call has a timeout. No message raised here carries a token, a client secret or a URL with a secret.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import google_auth_httplib2
import httplib2
import httpx
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

from core.config.settings import Settings
from core.errors import HossError

SCOPES = ("https://www.googleapis.com/auth/gmail.compose", "https://www.googleapis.com/auth/spreadsheets")
CALLBACK_PATH = "/api/google/callback"
RECONNECT = "reconnect Google"
_DISCOVERY = Path(__file__).resolve().parent / "discovery"
_GMAIL_ROOT = "https://gmail.googleapis.com"


class GoogleError(HossError):
    """Google refused or could not be reached; `transient` says whether trying again may help."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class GrantRevoked(GoogleError):
    """Google refused the stored refresh token (revoked, expired, or the client changed): the operator reconnects."""


@dataclass(frozen=True)
class TokenGrant:
    """What the code exchange returned (secrets: never logged)."""

    refresh_token: str
    access_token: str
    scopes: str


def redirect_uri(settings: Settings) -> str:
    """The callback URL Google sends the browser back to, built on HOSS_PUBLIC_URL."""
    return settings.hoss_public_url.rstrip("/") + CALLBACK_PATH


def consent_url(settings: Settings, state: str) -> str:
    """Google's consent page for the two scopes, offline access (a refresh token) and our `state`."""
    query = {
        "client_id": settings.google_client_id or "", "redirect_uri": redirect_uri(settings), "response_type": "code",
        "scope": " ".join(SCOPES), "access_type": "offline", "prompt": "consent", "include_granted_scopes": "true",
        "state": state,
    }
    return f"{settings.google_auth_url}?{urlencode(query)}"


def _post_form(settings: Settings, url: str, data: dict[str, str], what: str) -> httpx.Response:
    try:
        return httpx.post(url, data=data, timeout=settings.executor_timeout_seconds)
    except httpx.TransportError as exc:
        raise GoogleError(f"{what}: Google could not be reached ({type(exc).__name__})", transient=True) from None


def _oauth_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    return str(error)[:100] if error else f"HTTP {response.status_code}"


def exchange_code(settings: Settings, code: str) -> TokenGrant:
    """Trade the callback's authorization code for tokens at GOOGLE_TOKEN_URL; GoogleError when refused."""
    response = _post_form(settings, settings.google_token_url, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(settings),
        "client_id": settings.google_client_id or "", "client_secret": settings.secret("google_client_secret") or "",
    }, "code exchange")
    if not response.is_success:
        raise GoogleError(f"Google refused the code exchange: {_oauth_error(response)}")
    body = response.json()
    refresh, access = body.get("refresh_token"), body.get("access_token")
    if not isinstance(refresh, str) or not refresh or not isinstance(access, str) or not access:
        raise GoogleError("Google gave no refresh token (offline access not granted): connect again")
    return TokenGrant(refresh, access, str(body.get("scope") or " ".join(SCOPES)))


def account_email(settings: Settings, access_token: str) -> str:
    """The connected Gmail address (users.getProfile, allowed under gmail.compose)."""
    url = (settings.google_api_base or _GMAIL_ROOT).rstrip("/") + "/gmail/v1/users/me/profile"
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {access_token}"},
                             timeout=settings.executor_timeout_seconds)
    except httpx.TransportError as exc:
        raise GoogleError(f"Gmail profile: Google could not be reached ({type(exc).__name__})", transient=True) from None
    email = response.json().get("emailAddress") if response.is_success else None
    if not isinstance(email, str) or not email:
        raise GoogleError(f"Gmail did not say which account connected (HTTP {response.status_code})")
    return email


def revoke(settings: Settings, token: str) -> bool:
    """Ask Google to revoke the grant; whether it agreed (an already revoked token is refused, which is fine)."""
    try:
        response = httpx.post(settings.google_revoke_url, data={"token": token}, timeout=settings.executor_timeout_seconds)
    except httpx.TransportError:
        return False
    return response.is_success


# Access tokens live an hour; keeping the last one per grant saves a refresh per call. Keyed by a digest of the
# refresh token so a reconnect (a new grant) never uses the old account's token.
_ACCESS: dict[str, tuple[str, datetime | None]] = {}
_ACCESS_LOCK = threading.Lock()


def forget_access_tokens() -> None:
    """Drop every cached access token (disconnect; tests)."""
    with _ACCESS_LOCK:
        _ACCESS.clear()


def _grant_key(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


def _credentials(settings: Settings, refresh_token: str) -> Credentials:
    with _ACCESS_LOCK:
        token, expiry = _ACCESS.get(_grant_key(refresh_token), (None, None))
    return Credentials(
        token=token, expiry=expiry, refresh_token=refresh_token, token_uri=settings.google_token_url,
        client_id=settings.google_client_id, client_secret=settings.secret("google_client_secret"), scopes=list(SCOPES),
    )


def _remember(refresh_token: str, creds: Credentials) -> None:
    if creds.token:
        with _ACCESS_LOCK:
            _ACCESS[_grant_key(refresh_token)] = (creds.token, creds.expiry)


@cache
def _document(name: str) -> str:
    return (_DISCOVERY / f"{name}.json").read_text(encoding="utf-8")


def _service(settings: Settings, name: str, http: google_auth_httplib2.AuthorizedHttp) -> Any:
    options = {"api_endpoint": settings.google_api_base.rstrip("/") + "/"} if settings.google_api_base else None
    return build_from_document(_document(name), http=http, client_options=options)


def _call(settings: Settings, refresh_token: str, name: str, what: str, work: Any) -> Any:
    """Run `work(service)` with fresh-enough credentials; Google's failures become GoogleError/GrantRevoked."""
    creds = _credentials(settings, refresh_token)
    # One refresh on a 401, then the request once more: "refresh and retry once".
    http = google_auth_httplib2.AuthorizedHttp(
        creds, http=httplib2.Http(timeout=settings.executor_timeout_seconds), max_refresh_attempts=1)
    service = _service(settings, name, http)  # no network here: the discovery document is shipped
    try:
        return work(service)
    except RefreshError as exc:
        if "invalid_grant" in str(exc):
            raise GrantRevoked(f"{what}: Google refused the stored grant (revoked or expired): {RECONNECT}") from None
        raise GoogleError(f"{what}: Google refused to refresh the access token: {RECONNECT}") from None
    except HttpError as exc:
        status = int(exc.resp.status)
        reason = (exc.reason or "").strip()[:200]
        if status == 401:
            raise GoogleError(f"{what}: Google refused the access token after a refresh: {RECONNECT}") from None
        raise GoogleError(f"{what}: Google answered HTTP {status}" + (f": {reason}" if reason else ""),
                          transient=status == 429 or status >= 500) from None
    except (TransportError, httplib2.HttpLib2Error, OSError) as exc:
        raise GoogleError(f"{what}: Google could not be reached ({type(exc).__name__})", transient=True) from None
    finally:
        http.close()
        _remember(refresh_token, creds)


def find_draft(settings: Settings, refresh_token: str, message_id: str) -> str | None:
    """The id of a draft whose Message-ID header is `message_id`, or None (users.drafts.list, rfc822msgid:)."""
    def work(gmail: Any) -> str | None:
        found = gmail.users().drafts().list(userId="me", q=f"rfc822msgid:{message_id}", maxResults=1).execute()
        drafts = found.get("drafts") or []
        return str(drafts[0]["id"]) if drafts else None

    return _call(settings, refresh_token, "gmail.v1", "Gmail drafts.list", work)


def create_draft(settings: Settings, refresh_token: str, raw: str) -> dict[str, Any]:
    """users.drafts.create with a base64url RFC 822 message; Gmail's answer (draft id, message id)."""
    def work(gmail: Any) -> dict[str, Any]:
        return gmail.users().drafts().create(userId="me", body={"message": {"raw": raw}}).execute()

    return _call(settings, refresh_token, "gmail.v1", "Gmail drafts.create", work)


def read_values(settings: Settings, refresh_token: str, spreadsheet_id: str, range_: str) -> list[list[Any]]:
    """spreadsheets.values.get of `range_`: the rows there (empty when none)."""
    def work(sheets: Any) -> list[list[Any]]:
        got = sheets.spreadsheets().values().get(spreadsheetId=spreadsheet_id, range=range_).execute()
        return [list(row) for row in got.get("values") or []]

    return _call(settings, refresh_token, "sheets.v4", "Sheets values.get", work)


def append_row(settings: Settings, refresh_token: str, spreadsheet_id: str, range_: str,
               row: list[Any]) -> dict[str, Any]:
    """spreadsheets.values.append of one row after the table in `range_` (values stored as given)."""
    def work(sheets: Any) -> dict[str, Any]:
        return sheets.spreadsheets().values().append(
            spreadsheetId=spreadsheet_id, range=range_, valueInputOption="RAW", insertDataOption="INSERT_ROWS",
            body={"values": [row]},
        ).execute()

    return _call(settings, refresh_token, "sheets.v4", "Sheets values.append", work)

