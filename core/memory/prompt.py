"""The prompt section of customer memory (SPEC §20): a customer's active lessons, newest first, within a budget."""

from __future__ import annotations

from collections.abc import Sequence

LESSONS_HEADING = "What we have learned about this customer (follow these):"
# The claim reads at most this many of a customer's newest active lessons (core.ops.sql CLAIM, :lesson_limit) ...
MAX_LESSONS_READ = 20
# ... and the section holds as many of them, newest first, as fit in this many characters.
LESSON_BUDGET_CHARS = 2000
# The claim's parameters for lessons: every caller of CLAIM (core.ops.claims, bench/ops.py) passes these.
LESSON_KEYS: dict[str, int] = {"lesson_limit": MAX_LESSONS_READ}


def lessons_section(lessons: Sequence[tuple[int, str]], budget: int = LESSON_BUDGET_CHARS) -> tuple[str, tuple[int, ...]]:
    """(the labelled section, the ids it carries) from (id, text) pairs newest first; ("", ()) when none fit."""
    lines: list[str] = []
    ids: list[int] = []
    used = len(LESSONS_HEADING)
    for lesson_id, text in lessons:
        line = f"- {' '.join(text.split())}"
        if used + 1 + len(line) > budget:
            break
        lines.append(line)
        ids.append(lesson_id)
        used += 1 + len(line)
    if not lines:
        return "", ()
    return "\n".join([LESSONS_HEADING, *lines]), tuple(ids)
