"""The command line: each verb is one small function; bad configuration is one line, never a traceback."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from core.agents.registry import AGENT_NAMES
from core.config.settings import ConfigError, Settings, load_settings
from core.errors import Forbidden, HossError, InvalidInput
from core.transitions import PROPOSAL_DECISIONS
from db.ids import parse_id

ROOT = Path(__file__).resolve().parents[2]

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(fn: Command) -> Command:
        COMMANDS[name] = fn
        return fn

    return register


def id_arg(what: str) -> Callable[[str], int]:
    """The argparse `type` of an id argument: db.ids' range check, so 20 digits are one usage line, exit 2."""
    def parse(raw: str) -> int:
        try:
            return parse_id(raw, what)
        except InvalidInput as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.is_id = True  # type: ignore[attr-defined]  # how tests find every id argument
    parse.__name__ = f"{what} id"
    return parse


@contextmanager
def disposed(ctx) -> Iterator[None]:  # noqa: ANN001 - an AppContext, imported lazily
    """Dispose the context's engine when the block ends, however it ends (a refusal is one line, no warning)."""
    try:
        yield
    finally:
        ctx.engine.dispose()


def app_context(**kw):  # noqa: ANN201 - AppContext, imported lazily so `--help` stays fast
    from core.app.context import bootstrap

    return bootstrap(load_settings(), **kw)


@command("migrate")
def cmd_migrate(args: argparse.Namespace) -> int:
    ctx = app_context()
    print(f"Database is at the latest schema ({ctx.engine.url.render_as_string(hide_password=True)}).")
    return 0


@command("run-agent")
def cmd_run_agent(args: argparse.Namespace) -> int:
    from core.agents.runner import run_named_agent
    from core.app.cli_identity import cli_actor

    ctx = app_context()
    try:
        result = run_named_agent(ctx, args.name, trigger="manual", actor=cli_actor(ctx))
    finally:  # a refused or unknown run still closes its connections
        ctx.engine.dispose()
    for line in result.lines:
        print(f"  {line}")
    print(f"{result.agent}: {result.status} — {result.summary} (run {result.run_id})")
    return 0 if result.ok else 1


@command("seed-demo")
def cmd_seed_demo(args: argparse.Namespace) -> int:
    from core.app.demo import seed_demo

    ctx = app_context()
    with ctx.sessions() as session:
        counts = seed_demo(session, tasks=args.tasks, events=args.events, seed=args.seed)
    print("Seeded demo data: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


@command("bench")
def cmd_bench(args: argparse.Namespace) -> int:
    """The benchmarks live outside core (bench/, which drives the console too): run them as `python -m bench`."""
    return subprocess.call([sys.executable, "-m", "bench", args.name, *args.args], cwd=ROOT)


@command("console")
def cmd_console(args: argparse.Namespace) -> int:
    """The console alone (no API routes): ui.web's console app under uvicorn, guarded like `web`."""
    return _serve_web(args, "ui.web:create_console_app", "console")


@command("up")
def cmd_up(args: argparse.Namespace) -> int:
    """Everything `make run` starts: the console and the scheduler (and, as it lands, the API)."""
    ctx = app_context()
    # Children share this process's database (embedded or not); the embedded server lives as long as `up`.
    env = dict(os.environ, DATABASE_URL=ctx.engine.url.render_as_string(hide_password=False))
    port = args.port or ctx.settings.hoss_web_port
    children = [subprocess.Popen(cmd, cwd=ROOT, env=env) for cmd in _up_commands(port)]
    host = ctx.settings.hoss_web_host
    shown = "localhost" if host in ("0.0.0.0", "::") else host  # a wildcard is no address to open
    base = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    # The web process loads every page's modules before it listens (ui.warm), a few seconds: say "up" once it is.
    print(f"HossAgent is starting: console on {base} in a few seconds (Ctrl-C stops everything)", flush=True)
    if wait_until_serving(f"{base}/_stcore/health", children):
        print(f"HossAgent is up: console on {base}", flush=True)
    return _supervise(children)


def wait_until_serving(health_url: str, children: Sequence[subprocess.Popen], timeout: float = 120) -> bool:
    """Poll `health_url` until it answers 200: True then; False once a child has exited or `timeout` s passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(child.poll() is None for child in children):
        try:
            with urllib.request.urlopen(health_url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:  # not listening yet (or a transient error): ask again shortly
            pass
        time.sleep(0.2)
    return False


def _up_commands(port: int) -> list[list[str]]:
    return [[sys.executable, "-m", "core", "web", "--port", str(port)], [sys.executable, "-m", "core", "scheduler"]]


@command("scheduler")
def cmd_scheduler(args: argparse.Namespace) -> int:
    """The scheduler/worker process: agents on their intervals and the Ops pool, until SIGTERM."""
    from core.app.context import bootstrap
    from core.scheduling.process import run_scheduler_process

    settings = load_settings()
    # Room for the pool's workers plus one connection per scheduled job and its per-agent lock.
    return run_scheduler_process(bootstrap(settings, pool_size=settings.ops_worker_count + 8))



@command("decide")
def cmd_decide(args: argparse.Namespace) -> int:
    """Approve or reject one proposal from the shell."""
    from core.app.cli_identity import cli_actor
    from core.approvals.proposals import decide

    ctx = app_context()
    try:
        with ctx.sessions() as session:
            result = decide(session, args.id, args.decision, cli_actor(ctx), note=args.note,
                            settings=ctx.settings)
            session.commit()
    finally:
        ctx.engine.dispose()
    if result.forbidden:  # the permission table refused the decider's role: one line, exit 2
        print(f"error: {result.message}", file=sys.stderr)
        return 2
    print(result.message)
    return 0 if result.ok else 1


@command("audit")
def cmd_audit(args: argparse.Namespace) -> int:
    """`audit verify`: the chain, its anchors and the witness outside the database (sealed with the key); 0 intact, 1 broken."""
    from core.audit.chain import verify_audit_chain
    from core.audit.seal import AuditKey
    from core.audit.witness import witness_path

    if args.action != ["verify"]:
        got = " ".join(args.action) or "nothing"
        raise InvalidInput(f"audit takes one action, verify (got {got})")
    ctx = app_context()
    try:
        with ctx.sessions() as session:
            report = verify_audit_chain(session, key=AuditKey.from_secret(ctx.settings.secret("hoss_secret_key")),
                                        witness=witness_path(ctx.settings.hoss_data_dir,
                                                             ctx.settings.hoss_audit_witness_file))
    finally:
        ctx.engine.dispose()
    print(report.summary())
    return 0 if report.ok else 1


@command("web")
def cmd_web(args: argparse.Namespace) -> int:
    """The console and the HTTP API on one port: ui.web's st.App (streamlit_app.py with the API routes) under uvicorn.

    core never imports Streamlit, so the app is named by import string, as any ASGI server is told which app
    to serve; it builds its context from the same settings and the DATABASE_URL set here.
    """
    return _serve_web(args, "ui.web:create_app", "console and API")


def _serve_web(args: argparse.Namespace, factory: str, what: str) -> int:
    import uvicorn

    ctx = app_context()
    # The app and the pages bootstrap their own context in this process; point them at the same database.
    os.environ["DATABASE_URL"] = ctx.engine.url.render_as_string(hide_password=False)
    host, port = _bind(args, ctx.settings)
    print(f"HossAgent web: {what} on http://{host}:{port}")
    # No access log: one page load fetches ~270 JavaScript bundles, each logged twice (uvicorn's handler and
    # Streamlit's), ~55 ms of the event loop per load; failures still log at WARNING and above.
    uvicorn.run(factory, factory=True, host=host, port=port, log_level="warning", access_log=False)
    return 0


def _bind(args: argparse.Namespace, settings: Settings) -> tuple[str, int]:
    """Where a server listens: --host and --port, else HOSS_WEB_HOST (loopback by default) and HOSS_WEB_PORT."""
    return args.host or settings.hoss_web_host, args.port or settings.hoss_web_port


@command("api")
def cmd_api(args: argparse.Namespace) -> int:
    """The HTTP API alone (Starlette + uvicorn), for a deployment that keeps it apart from the console."""
    import uvicorn
    from starlette.applications import Starlette

    from core.app.api import api_routes

    ctx = app_context()
    host, port = _bind(args, ctx.settings)
    print(f"HossAgent API on http://{host}:{port}")
    uvicorn.run(Starlette(routes=api_routes(lambda: ctx)), host=host, port=port, log_level="warning",
                access_log=False)
    return 0


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


@command("ask")
def cmd_ask(args: argparse.Namespace) -> int:
    """The canvas from the shell: one question (table or --json), or one JSON line per stdin question."""
    import json

    from core.analytics.canvas import answer_json, ask, customer_names

    ctx = app_context()
    names = customer_names(ctx.engine, ctx.settings.canvas_statement_timeout_ms)
    if args.question is not None:
        choice, result = ask(ctx.engine, ctx.settings, args.question, names)
        if args.json:
            print(json.dumps(answer_json(args.question, choice, result), ensure_ascii=False))
        else:
            print(_ask_text(choice, result))
        return 0 if result is not None else 1
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        try:
            choice, result = ask(ctx.engine, ctx.settings, question, names)
            out = answer_json(question, choice, result)
        except Exception as exc:  # one bad line (a timeout) must not end the stream
            out = {"question": question, "function": None, "message": f"error: {str(exc).splitlines()[0]}"}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def _ask_text(choice, result) -> str:  # noqa: ANN001 - Choice / AnalyticsResult, imported lazily
    if result is None:
        return choice.message
    import pandas as pd

    params = ", ".join(f"{k}={v}" for k, v in result.params.items() if v is not None) or "(none)"
    table = pd.DataFrame(result.rows, columns=result.columns).to_string(index=False) if result.rows else "(no rows)"
    updated = result.last_updated.isoformat() if result.last_updated else "never"
    return f"function: {result.function} (via {choice.via})\nparams: {params}\ndata last updated: {updated}\n\n{table}"


class _OneLineParser(argparse.ArgumentParser):
    """A usage error is one line naming what is wrong (and how to see the usage), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


# Each concept's own verbs: a module with `add_parsers(sub)` whose commands register themselves with @command.
VERB_MODULES: tuple[str, ...] = (
    "core.app.cli_workforce", "core.app.cli_plans", "core.app.cli_decisions", "core.app.cli_google",
    "core.app.cli_doctor", "core.app.cli_evals", "core.app.cli_memory",
)


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="python -m core", description="HossAgent operator console and agents.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    sub.add_parser("migrate", help="apply database migrations (idempotent)")
    p = sub.add_parser("run-agent", help="run one agent once")
    p.add_argument("name", help=", ".join(AGENT_NAMES))
    p = sub.add_parser("seed-demo", help="load a realistic demo dataset")
    p.add_argument("--tasks", type=int, default=None, help="number of tasks (large sets for benchmarks)")
    p.add_argument("--events", type=int, default=None, help="number of Stripe events")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    sub.add_parser("scheduler", help="run the agents on their schedules and the Ops pool (SIGTERM stops it)")

    p = sub.add_parser("bench", help="benchmarks: ops-pool, drain, ingest, canvas, console (each takes --json)")
    p.add_argument("name", help="which benchmark")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the benchmark's own options")
    p = sub.add_parser("ask", help="answer a question with the canvas (no QUESTION: one per stdin line, JSON)")
    p.add_argument("question", nargs="?", default=None, help="a plain-English question")
    p.add_argument("--json", action="store_true", help="print {function, params, rows} as JSON")
    p = sub.add_parser("up", help="everything, like `make run`")
    p.add_argument("--port", type=int, default=None)
    p = sub.add_parser("decide", help="approve, reject or revise (with --note) one proposal")
    p.add_argument("id", type=id_arg("proposal"), help="proposal id")
    p.add_argument("decision", choices=PROPOSAL_DECISIONS)
    p.add_argument("--note", default=None, help="why (kept with the decision)")
    p = sub.add_parser("audit", help="`audit verify`: check the audit chain, its anchors and the witness outside the database "
                                           "(exit 0 intact, 1 broken)")
    p.add_argument("action", nargs="*", help="verify")
    for name, help_ in (("web", "console and HTTP API on one port"), ("api", "the HTTP API alone"),
                        ("console", "the console alone")):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--host", default=None, help="address to bind (default HOSS_WEB_HOST: 127.0.0.1)")
        p.add_argument("--port", type=int, default=None, help="port (default HOSS_WEB_PORT: 8501)")
    for name in VERB_MODULES:
        importlib.import_module(name).add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from core.app.cli_identity import REMOVED_ACTOR, typed_actor

    if typed_actor(sys.argv[1:] if argv is None else argv):  # SPEC §19: an identity is never a typed name
        print(f"error: {REMOVED_ACTOR}", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except HossError as exc:  # not found, illegal move, a query timeout: one line, never a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, (InvalidInput, Forbidden)) else 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # start-up failures (database unreachable, embedded server) are one line
        from db.embedded import EmbeddedPostgresError
        from db.engine import DatabaseUnavailable

        if isinstance(exc, (DatabaseUnavailable, EmbeddedPostgresError)):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
