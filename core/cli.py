"""The command line: each verb is one small function; bad configuration is one line, never a traceback."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from core.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(fn: Command) -> Command:
        COMMANDS[name] = fn
        return fn

    return register


def _context(**kw):  # noqa: ANN202 - AppContext, imported lazily so `--help` stays fast
    from core.context import bootstrap

    return bootstrap(load_settings(), **kw)


@command("migrate")
def cmd_migrate(args: argparse.Namespace) -> int:
    ctx = _context()
    print(f"Database is at the latest schema ({ctx.engine.url.render_as_string(hide_password=True)}).")
    return 0


@command("run-agent")
def cmd_run_agent(args: argparse.Namespace) -> int:
    from core.agents import run_named_agent

    ctx = _context()
    result = run_named_agent(ctx, args.name, trigger="manual", actor=args.actor)
    for line in result.lines:
        print(f"  {line}")
    print(f"{result.agent}: {result.status} — {result.summary} (run {result.run_id})")
    return 0 if result.ok else 1


@command("seed-demo")
def cmd_seed_demo(args: argparse.Namespace) -> int:
    from core.demo import seed_demo

    ctx = _context()
    with ctx.sessions() as session:
        counts = seed_demo(session, tasks=args.tasks, events=args.events, seed=args.seed)
    print("Seeded demo data: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


@command("console")
def cmd_console(args: argparse.Namespace) -> int:
    """The console alone, via `streamlit run` (no API routes)."""
    _context()  # validate settings and migrate before the first page renders
    return subprocess.call(_streamlit_cmd(args.port), cwd=ROOT)


def _streamlit_cmd(port: int | None) -> list[str]:
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.headless=true"]
    if port:
        cmd.append(f"--server.port={port}")
    return cmd


@command("up")
def cmd_up(args: argparse.Namespace) -> int:
    """Everything `make run` starts: the console (and, as they land, the scheduler and the API)."""
    ctx = _context()
    # Children share this process's database (embedded or not); the embedded server lives as long as `up`.
    env = dict(os.environ, DATABASE_URL=ctx.engine.url.render_as_string(hide_password=False))
    port = args.port or ctx.settings.hoss_web_port
    children = [subprocess.Popen(cmd, cwd=ROOT, env=env) for cmd in _up_commands(port)]
    print(f"HossAgent is up: console on http://localhost:{port} (Ctrl-C stops everything)")
    return _supervise(children)


def _up_commands(port: int) -> list[list[str]]:
    return [_streamlit_cmd(port)]


def _supervise(children: list[subprocess.Popen]) -> int:
    """Wait until a child exits or we are told to stop; then stop them all and pass the first failure on."""
    stopping = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    code = 0
    while not stopping:
        done = [c for c in children if c.poll() is not None]
        if done:
            code = done[0].returncode or 0
            break
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
    return code


@command("bench")
def cmd_bench(args: argparse.Namespace) -> int:
    from core.bench import run_bench

    return run_bench(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="HossAgent operator console and agents.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (idempotent)")
    p = sub.add_parser("run-agent", help="run one agent once")
    p.add_argument("name", help="bizdev, onboarding, ops, ops_batch, billing, events, executor")
    p.add_argument("--actor", default="cli", help="who is running it (recorded in the audit log)")
    p = sub.add_parser("seed-demo", help="load a realistic demo dataset")
    p.add_argument("--tasks", type=int, default=None, help="number of tasks (large sets for benchmarks)")
    p.add_argument("--events", type=int, default=None, help="number of Stripe events")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    for name, help_ in (("console", "the console alone (streamlit run)"), ("up", "everything, like `make run`")):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--port", type=int, default=None)
    from core.bench import add_bench_parser

    add_bench_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # start-up failures (database unreachable, embedded server) are one line
        from db.embedded import EmbeddedPostgresError
        from db.engine import DatabaseUnavailable

        if isinstance(exc, (DatabaseUnavailable, EmbeddedPostgresError)):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
