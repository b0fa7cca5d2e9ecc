"""CLI verbs of SPEC §14, §19 and §21: `operator add|list|deactivate|passwd|token`, `policy set` and `undo reject|fire`
(each change audited)."""

from __future__ import annotations

import argparse
import getpass
import sys

from core.app.cli import app_context, command
from core.app.cli_identity import cli_actor
from core.errors import InvalidInput

_ROLES = ("owner", "approver", "viewer")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """The `operator` and `policy` verbs."""
    p = sub.add_parser("operator", help="operators and roles: add NAME --role .., list, deactivate NAME, "
                                        "passwd NAME, token NAME")
    acts = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    add = acts.add_parser("add", help="add an operator, or change one's role/email/Slack user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=_ROLES)
    add.add_argument("--email", default=None)
    add.add_argument("--slack-user", default=None, help="Slack user id (U…) whose buttons act for this operator")
    acts.add_parser("list", help="every operator")
    off = acts.add_parser("deactivate", help="an operator who may no longer decide")
    off.add_argument("name")
    pw = acts.add_parser("passwd", help="set an operator's console password (asked twice; or one line on stdin)")
    pw.add_argument("name")
    tok = acts.add_parser("token", help="issue an operator's API token (printed once; replaces the old one)")
    tok.add_argument("name")

    p = sub.add_parser("policy", help="`policy set ACTION_TYPE ...`: an action type's approval policy (audited)")
    acts = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    s = acts.add_parser("set", help="change some fields of a policy; the others stay")
    s.add_argument("action_type")
    s.add_argument("--mode", choices=("manual", "auto", "auto_below"))
    s.add_argument("--limit-cents", type=int)
    s.add_argument("--two-person-above-cents", type=int, help="from this amount two operators approve (0: always)")
    s.add_argument("--approvers", help="roles that may approve, comma-separated (owner,approver)")
    s.add_argument("--sla-minutes", type=int)
    s.add_argument("--on-timeout", choices=("expire", "reject"))
    s.add_argument("--escalate-after-minutes", type=int)

    p = sub.add_parser("undo", help="undo a rejection (`undo reject ID`) or a firing (`undo fire NAME`) made in "
                                    "the last 10 minutes")
    p.add_argument("what", choices=("reject", "fire"))
    p.add_argument("target", help="the proposal id (reject) or the worker's name (fire)")


def _ask_password(name: str) -> str:
    """The new password: typed twice at a terminal, else the first line of standard input (never argv)."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"New console password for {name}: ")
        if getpass.getpass("Again: ") != first:
            raise InvalidInput("the two passwords differ; nothing was changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@command("operator")
def cmd_operator(args: argparse.Namespace) -> int:
    """Add, list, deactivate operators; set a password; issue an API token."""
    from core.approvals.credentials import issue_token, set_password
    from core.approvals.operators import add_operator, deactivate_operator, list_operators

    password = _ask_password(args.name) if args.action == "passwd" else None
    ctx = app_context()
    try:
        actor = cli_actor(ctx)
        with ctx.sessions() as session:
            if args.action == "list":
                for op in list_operators(session):
                    print(f"{op.name}\t{op.role}\t{op.email or '-'}\t{op.slack_user_id or '-'}\t"
                          f"{'active' if op.active else 'inactive'}\t{'password set' if op.has_password else 'no password'}")
                return 0
            if args.action == "token":
                token = issue_token(session, args.name, actor)
                session.commit()
                print(f"API token of {args.name} (shown once; it replaces any earlier one):\n{token}")
                return 0
            if args.action == "passwd":
                op = set_password(session, args.name, password or "", actor)
                session.commit()
                print(f"operator {op.name}: console password set")
                return 0
            if args.action == "add":
                op = add_operator(session, args.name, args.role, actor, email=args.email,
                                  slack_user_id=args.slack_user)
            else:
                op = deactivate_operator(session, args.name, actor)
            session.commit()
    finally:
        ctx.engine.dispose()
    print(f"operator {op.name}: {op.role}, {'active' if op.active else 'inactive'}")
    if args.action == "add" and not op.has_password:
        print(f"The console now requires a sign-in per operator: set {op.name}'s password with "
              f"`python -m core operator passwd {op.name}`.")
    return 0


@command("policy")
def cmd_policy(args: argparse.Namespace) -> int:
    """Set fields of an action type's approval policy."""
    from core.approvals.payloads import unknown_type
    from core.approvals.policies import update_policy

    if (refused := unknown_type(args.action_type)) is not None:  # before anything else, and before the database
        raise InvalidInput(refused)
    changes: dict[str, object] = {}
    for name in ("mode", "limit_cents", "two_person_above_cents", "sla_minutes", "on_timeout",
                 "escalate_after_minutes"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.approvers is not None:
        changes["approvers"] = tuple(r.strip() for r in args.approvers.split(",") if r.strip())
    if not changes:
        raise InvalidInput("nothing to set: give at least one option (see policy set --help)")
    ctx = app_context()
    try:
        actor = cli_actor(ctx)
        with ctx.sessions() as session:
            policy = update_policy(session, args.action_type, actor, **changes)
            session.commit()
    finally:
        ctx.engine.dispose()
    print(f"policy {policy.action_type}: {policy.describe()}")
    return 0


@command("undo")
def cmd_undo(args: argparse.Namespace) -> int:
    """Undo a rejection or a firing inside the undo window (core.approvals.undo.UNDO_WINDOW)."""
    from core.approvals.undo import undo_rejection
    from core.workforce.undo import undo_firing
    from db.ids import parse_id

    proposal_id = parse_id(args.target, "proposal") if args.what == "reject" else None
    ctx = app_context()
    try:
        actor = cli_actor(ctx)
        with ctx.sessions() as session:
            message = (undo_rejection(session, proposal_id, actor) if proposal_id is not None
                       else undo_firing(session, args.target, actor))
            session.commit()
    finally:
        ctx.engine.dispose()
    print(message)
    return 0
