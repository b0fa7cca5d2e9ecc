"""The workforce's verbs (SPEC §12): roles, hire, worker pause|resume|fire|list, task add|show, review."""

from __future__ import annotations

import argparse
import json

from core.app.cli import app_context, command, id_arg
from core.app.cli_evals import VERSION, counted
from core.app.cli_identity import cli_actor
from core.transitions import REVIEW_DECISIONS


def add_parsers(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("roles", help="list the role templates one can hire from, with their workflows")
    p = sub.add_parser("hire", help="hire a worker from a role template")
    p.add_argument("role", help="a role from `roles`")
    p.add_argument("--name", required=True, help="the worker's unique name")
    p.add_argument("--tone", default=None, help="the worker's tone (default: the template's)")
    p.add_argument("--model", default=None, help="the LLM model (default: the template's)")
    p.add_argument("--hours", default=None, help='working hours, e.g. "mon-fri 09:00-17:00 Europe/Berlin"; "22:00-06:00" ends the next day (default always)')
    p.add_argument("--review", dest="review", action="store_true", default=None, help="its work waits for review")
    p.add_argument("--no-review", dest="review", action="store_false", help="its work is done without review")
    p.add_argument("--monthly-budget-cents", type=int, default=None, help="its monthly LLM budget in cents")
    p = sub.add_parser("worker", help="list, pause, resume, fire hired workers; edit, version and roll back their "
                                      "instructions")
    p.add_argument("action", choices=("list", "pause", "resume", "fire", "edit", "versions", "rollback"))
    p.add_argument("name", nargs="?", default=None, help="the worker (not for list)")
    p.add_argument("version", nargs="?", type=VERSION, default=None, help="rollback: the version to run")
    p.add_argument("--tone", default=None, help="edit: the new tone (a new version, evaluated at once)")
    p.add_argument("--model", default=None, help="edit: the new model")
    p.add_argument("--step", action="append", default=None, metavar="STEP=INSTRUCTION",
                   help="edit: replace a step's instruction (an empty one restores the template's); repeatable")
    p.add_argument("--cases", type=counted("number of cases", 1000), default=None,
                   help="edit: evaluate on the first N golden cases only")
    p.add_argument("--to", dest="hand_to", default=None,
                   help="fire: the worker who takes over its pending tasks (default: the same role's least loaded)")
    p = sub.add_parser("task", help="add a task, or show one with its workflow steps")
    tasks = p.add_subparsers(dest="task_action", required=True, parser_class=type(p))
    t = tasks.add_parser("add", help="add a task for a customer (through the one intake)")
    t.add_argument("description", help="what to do")
    t.add_argument("--customer", type=id_arg("customer"), required=True, help="the customer id")
    t.add_argument("--agent", default=None, help="the worker that does it (default: the Ops pool's prompt)")
    t.add_argument("--reward-cents", type=int, default=None, help="what it earns, in cents (default 80)")
    t = tasks.add_parser("show", help="a task with its steps, artifacts, tokens and cost")
    t.add_argument("id", type=id_arg("task"), help="task id")
    t.add_argument("--json", action="store_true", help="print it as JSON")
    p = sub.add_parser("review", help="approve, revise (with a note) or discard a task waiting for review")
    p.add_argument("task", type=id_arg("task"), help="task id")
    p.add_argument("decision", choices=REVIEW_DECISIONS)
    p.add_argument("--note", default=None, help="what to change (required for revise)")
    p.add_argument("--remember", dest="remember", action="store_true", default=True,
                   help="the note becomes a lesson for the task's customer (the default)")
    p.add_argument("--no-remember", dest="remember", action="store_false",
                   help="keep the note for this task only")


@command("roles")
def cmd_roles(args: argparse.Namespace) -> int:
    from core.workforce.roles import all_roles

    for t in all_roles():
        review = "review" if t.review_by_default else "no review"
        print(f"{t.role}: {t.title} — {t.description}")
        print(f"  steps: {' → '.join(t.step_names())} (revise from {t.revise_from})")
        print(f"  {t.human_minutes} human minutes; tone {t.default_tone!r}; model {t.default_model}; {review}; "
              f"may propose: {', '.join(t.permissions)}")
    return 0


@command("hire")
def cmd_hire(args: argparse.Namespace) -> int:
    from core.workforce.hiring import hire, parse_hours
    from core.workforce.roles import role_template

    role_template(args.role)  # an unknown role is told before anything else (and before the database)
    hours = parse_hours(args.hours) if args.hours is not None else None
    ctx = app_context()
    try:
        with ctx.sessions() as session:
            worker = hire(session, args.role, args.name, cli_actor(ctx), tone=args.tone, model=args.model,
                          hours=hours, review=args.review, monthly_budget_cents=args.monthly_budget_cents)
            session.commit()
    finally:
        ctx.engine.dispose()
    print(f"Hired {worker.name} as {worker.role}: tone {worker.tone!r}, model {worker.model}, hours "
          f"{worker.hours_text}, {'review required' if worker.review_required else 'no review'}.")
    return 0


@command("worker")
def cmd_worker(args: argparse.Namespace) -> int:
    from core.errors import InvalidInput
    from core.workforce.hiring import list_workers, set_worker_status

    if args.action != "list" and not args.name:
        raise InvalidInput(f"worker {args.action} needs the worker's name")
    if args.action in ("edit", "versions", "rollback"):
        from core.app.cli_evals import worker_instructions

        return worker_instructions(args)
    ctx = app_context()
    try:
        with ctx.sessions() as session:
            if args.action == "list":
                for w in list_workers(session, include_fired=True):
                    print(f"{w.name}\t{w.role}\t{w.status}\t{w.hours_text}\t"
                          f"{'review' if w.review_required else 'no review'}\t{w.model}")
                return 0
            to = {"pause": "paused", "resume": "active", "fire": "fired"}[args.action]
            old = set_worker_status(session, args.name, to, cli_actor(ctx), hand_to=args.hand_to)
            session.commit()
    finally:
        ctx.engine.dispose()
    print(f"{args.name}: {old} → {to}" if old != to else f"{args.name} is already {to}")
    return 0


@command("task")
def cmd_task(args: argparse.Namespace) -> int:
    if args.task_action == "add":
        return _task_add(args)
    return _task_show(args.id, as_json=args.json)


def _task_add(args: argparse.Namespace) -> int:
    from core.errors import InvalidInput, NotFound
    from core.workforce.intake import DEFAULT_REWARD_CENTS, add_task_checked

    ctx = app_context()
    try:
        with ctx.sessions() as session:
            task_id, status = add_task_checked(
                session, customer_id=args.customer, description=args.description, agent=args.agent,
                reward_cents=DEFAULT_REWARD_CENTS if args.reward_cents is None else args.reward_cents,
                actor=cli_actor(ctx))
            session.commit()
    except NotFound as exc:  # an unknown customer or worker is bad input here: one line, exit 2
        raise InvalidInput(str(exc)) from None
    finally:
        ctx.engine.dispose()
    print(f"Task {task_id} added ({status}){' for ' + args.agent if args.agent else ''}.")
    return 0


def _task_show(task_id: int, *, as_json: bool) -> int:
    from core.workforce.views import task_detail, task_json

    ctx = app_context()
    try:
        with ctx.sessions() as session:
            detail = task_detail(session, task_id)
    finally:
        ctx.engine.dispose()
    if as_json:
        print(json.dumps(task_json(detail), ensure_ascii=False))
        return 0
    print(f"task {detail.id} [{detail.status}] {detail.agent or '(ops prompt)'} for {detail.company}: "
          f"{detail.description}")
    print(f"  cost {detail.cost_cents}¢, reward {detail.reward_cents}¢, profit {detail.profit_cents}¢, "
          f"revision {detail.revision}" + (f", note: {detail.review_note}" if detail.review_note else ""))
    for s in detail.steps:
        print(f"  {s.idx + 1}. {s.name} [{s.status}] rev {s.revision} attempt {s.attempt}: "
              f"{s.input_tokens}+{s.output_tokens} tokens, {s.cost_cents}¢, {s.latency_ms or 0} ms"
              + (f", error: {s.error}" if s.error else "")
              + (f", lessons {', '.join(f'#{n}' for n in s.lesson_ids)}" if s.lesson_ids else ""))
        if s.artifact:
            for line in s.artifact.splitlines():
                print(f"     {line}")
    return 0


@command("review")
def cmd_review(args: argparse.Namespace) -> int:
    from core.workforce.review import review_task

    ctx = app_context()
    try:
        with ctx.sessions() as session:
            outcome = review_task(session, args.task, args.decision, cli_actor(ctx), note=args.note,
                                  remember=args.remember)
            session.commit()
    finally:
        ctx.engine.dispose()
    print(outcome.message)
    return 0
