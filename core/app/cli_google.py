"""`python -m core google connect | status | disconnect`: the Google connection from a headless server."""

from __future__ import annotations

import argparse

from core.app.cli import app_context, command
from core.app.cli_identity import cli_actor
from core.audit import Actor


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("google", help="Google Workspace: `connect` prints the consent URL, `status`, `disconnect`")
    p.add_argument("action", choices=("connect", "status", "disconnect"))


@command("google")
def cmd_google(args: argparse.Namespace) -> int:
    ctx = app_context()
    try:
        return _google(ctx, args.action, cli_actor(ctx))
    finally:
        ctx.engine.dispose()


def _google(ctx, action: str, actor: Actor) -> int:  # noqa: ANN001 - an AppContext
    from core.approvals.acting import disconnect, start_connect
    from core.integrations.connection import STATE_TTL, google_status

    with ctx.sessions() as session:
        if action == "connect":
            url = start_connect(session, ctx.settings, actor)
            session.commit()
            minutes = int(STATE_TTL.total_seconds() // 60)
            print(f"Open this URL in a browser within {minutes} minutes and approve; the callback completes it:\n{url}")
            return 0
        if action == "disconnect":
            revoked = disconnect(session, ctx.settings, actor)
            session.commit()
            print("Google disconnected" + ("; the grant is revoked at Google." if revoked else
                                           "; Google did not confirm the revocation (revoke it in your Google account)."))
            return 0
        status = google_status(session, ctx.settings)
    if not status.connected:
        print("Google: not connected." + (f" {status.blocker}" if status.blocker else ""))
        return 0
    print(f"Google: connected as {status.email or '(unreadable)'} since {status.connected_at:%Y-%m-%d %H:%M} UTC"
          f" ({status.status})" + (f" — {status.problem}" if status.problem else ""))
    return 1 if status.problem else 0
