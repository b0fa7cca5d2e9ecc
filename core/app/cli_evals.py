"""The evals' and instruction versions' verbs (SPEC §20): eval ROLE, worker edit|versions|rollback."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from core.app.cli import app_context, command
from core.app.cli_identity import cli_actor


def _fraction(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number between 0 and 1") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{raw} is not between 0 and 1")
    return value


def counted(what: str, top: int) -> Callable[[str], int]:
    """The argparse `type` of a small count (cases, a version number): 1..top, else one usage line, exit 2."""
    def parse(raw: str) -> int:
        if not raw.isdigit() or not 1 <= int(raw) <= top:
            raise argparse.ArgumentTypeError(f"{raw[:40]!r} is not a {what} from 1 to {top}")
        return int(raw)

    parse.__name__ = what
    return parse


_count = counted("number of cases", 1000)
VERSION = counted("version number", 1_000_000)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="run a role's golden set through the task runner; exit 1 under --gate")
    p.add_argument("role", nargs="?", default=None, help="a role from `roles` (default: --worker's role)")
    p.add_argument("--worker", default=None, help="evaluate this worker's current instructions version")
    p.add_argument("--version", type=VERSION, default=None, help="with --worker: evaluate this version instead")
    p.add_argument("--cases", type=_count, default=None, help="run only the first N cases")
    p.add_argument("--json", action="store_true", help="print the run as one JSON object")
    p.add_argument("--gate", type=_fraction, default=None, help="exit 1 when the pass rate is under this (0-1)")


@command("eval")
def cmd_eval(args: argparse.Namespace) -> int:
    from core.evals.run import run_eval

    ctx = app_context()
    try:
        with ctx.sessions() as session:
            report = run_eval(session, ctx.settings, args.role, cli_actor(ctx), worker=args.worker,
                              version=args.version, cases=args.cases, gate=args.gate)
    finally:
        ctx.engine.dispose()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print("\n".join(report.lines()))
    if args.gate is not None and report.pass_rate < args.gate:
        if not args.json:
            print(f"Under the gate: {report.pass_rate:.0%} is below {args.gate:.0%}.")
        return 1
    return 0


def worker_instructions(args: argparse.Namespace) -> int:
    """`worker edit|versions|rollback NAME`: the instructions verbs of `worker`."""
    from core.errors import InvalidInput

    if args.action == "edit":
        steps = {}
        for pair in args.step or ():
            step, sep, instruction = pair.partition("=")
            if not sep:
                raise InvalidInput(f"--step takes STEP=INSTRUCTION (got {pair!r})")
            steps[step.strip()] = instruction
        if args.tone is None and args.model is None and not steps:
            raise InvalidInput("worker edit needs --tone, --model or --step STEP=INSTRUCTION")
        return _edit(args, steps)
    if args.action == "rollback" and args.version is None:
        raise InvalidInput("worker rollback needs the version to go back to, e.g. `worker rollback Ada 1`")
    ctx = app_context()
    try:
        with ctx.sessions() as session:
            if args.action == "versions":
                from core.workforce.versions import current_instructions, list_versions

                current = current_instructions(session, args.name).version
                for v in list_versions(session, args.name):
                    mark = " (current)" if v.version == current else ""
                    print(f"{v.describe()}{mark}, by {v.created_by} on {v.created_at:%Y-%m-%d %H:%M}"
                          + (f": {v.note}" if v.note else ""))
                return 0
            from core.workforce.versions import rollback

            previous, now = rollback(session, args.name, args.version, cli_actor(ctx))
            session.commit()
    finally:
        ctx.engine.dispose()
    print(f"{args.name} is back on {now.describe()} (was version {previous}).")
    return 0


def _edit(args: argparse.Namespace, steps: dict[str, str]) -> int:
    from core.evals.instructions import edit_and_evaluate

    ctx = app_context()
    try:
        with ctx.sessions() as session:
            comparison = edit_and_evaluate(session, ctx.settings, args.name, cli_actor(ctx), tone=args.tone,
                                           model=args.model, step_prompts=steps, cases=args.cases)
    finally:
        ctx.engine.dispose()
    print("\n".join(comparison.report.lines()))
    print("\n".join(comparison.lines()))
    return 0
