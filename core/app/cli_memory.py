"""Customer memory's verbs (SPEC §20): `memory list|add|edit|forget`, each change checked and audited."""

from __future__ import annotations

import argparse
import json

from core.app.cli import app_context, command, disposed, id_arg
from core.app.cli_identity import cli_actor
from core.errors import InvalidInput, NotFound


def add_parsers(sub) -> None:  # noqa: ANN001 - argparse's private subparsers action
    p = sub.add_parser("memory", help="what we have learned about customers: list, add, edit, forget lessons")
    verbs = p.add_subparsers(dest="memory_action", required=True, parser_class=type(p))
    v = verbs.add_parser("list", help="active lessons, newest first")
    v.add_argument("--customer", type=id_arg("customer"), default=None, help="one customer's lessons")
    v.add_argument("--worker", default=None, help="the lessons kept for one worker only")
    v.add_argument("--json", action="store_true", help="print them as JSON")
    v = verbs.add_parser("add", help="remember something about a customer")
    v.add_argument("text", help="the lesson, in plain words")
    v.add_argument("--customer", type=id_arg("customer"), required=True, help="the customer id")
    v.add_argument("--worker", default=None, help="only this worker's tasks carry it (default: every task)")
    v = verbs.add_parser("edit", help="change a lesson's text")
    v.add_argument("id", type=id_arg("lesson"), help="lesson id")
    v.add_argument("text", help="the new text")
    v = verbs.add_parser("forget", help="forget a lesson: no later prompt carries it")
    v.add_argument("id", type=id_arg("lesson"), help="lesson id")


@command("memory")
def cmd_memory(args: argparse.Namespace) -> int:
    from core.memory.lessons import add_lesson, edit_lesson, forget_lesson, list_lessons
    from core.present.times import when

    ctx = app_context()
    with disposed(ctx), ctx.sessions() as session:
        if args.memory_action == "list":
            lessons = list_lessons(session, customer_id=args.customer, agent=args.worker)
            session.rollback()
            if args.json:
                print(json.dumps([lesson.as_json() for lesson in lessons], ensure_ascii=False))
                return 0
            if not lessons:
                print("No lessons yet.")
            for lesson in lessons:
                scope = f", for {lesson.agent} only" if lesson.agent else ""
                print(f"{lesson.id}\t{lesson.company}{scope}: {lesson.text} (from {lesson.source_words}, added by "
                      f"{lesson.added_by} {when(lesson.added_at, tz=ctx.settings.hoss_timezone)})")
            return 0
        actor = cli_actor(ctx)
        try:
            if args.memory_action == "add":
                lesson_id = add_lesson(session, customer_id=args.customer, text=args.text, actor=actor,
                                       agent=args.worker)
                line = f"Lesson {lesson_id} remembered for customer {args.customer}."
            elif args.memory_action == "edit":
                changed = edit_lesson(session, args.id, args.text, actor)
                line = f"Lesson {args.id} changed." if changed else f"Lesson {args.id} already says that: unchanged."
            else:
                forget_lesson(session, args.id, actor)
                line = f"Lesson {args.id} forgotten: no later prompt carries it."
        except NotFound as exc:  # an unknown customer, worker or lesson is bad input here: one line, exit 2
            raise InvalidInput(str(exc)) from None
        session.commit()
    print(line)
    return 0
