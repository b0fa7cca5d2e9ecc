"""JSON from outside, checked before Postgres sees it: bounded depth, finite numbers, text that jsonb can hold.

Postgres refuses a NUL character and a lone UTF-16 surrogate in text and jsonb, and jsonb refuses NaN and
Infinity; Python's json module accepts all of them, and recurses until RecursionError on deep nesting. So a
body is parsed and walked here first, and a refusal is one clear message instead of a database error.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64  # a Stripe event nests about 6 deep; an API body about 4


class UnstorableJSON(ValueError):
    """The body is not JSON, or holds something Postgres cannot store; the message says which."""


def storable_text_problem(value: str) -> str | None:
    """Why Postgres cannot store `value` as text (a NUL, a lone surrogate), or None when it can."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone UTF-16 surrogate"
    return None


def check_storable(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise UnstorableJSON unless every string, key and number in `value` can be stored, within `max_depth`."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                raise UnstorableJSON(f"the JSON nests deeper than {max_depth} levels")
            children = list(item.items()) if isinstance(item, dict) else [(None, v) for v in item]
            for key, child in children:
                if isinstance(key, str) and (problem := storable_text_problem(key)):
                    raise UnstorableJSON(f"a key {problem}")
                stack.append((child, depth + 1))
        elif isinstance(item, str):
            if problem := storable_text_problem(item):
                raise UnstorableJSON(f"a string {problem}")
        elif isinstance(item, float) and not math.isfinite(item):
            raise UnstorableJSON("a number is NaN or infinite")


def loads_storable(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse `raw` as JSON and check it with check_storable; UnstorableJSON for anything else."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise UnstorableJSON(f"the JSON nests deeper than {max_depth} levels") from None
    except UnicodeDecodeError:
        raise UnstorableJSON("the body is not UTF-8 text") from None
    except ValueError as exc:  # JSONDecodeError, and integers longer than Python will parse
        raise UnstorableJSON(f"the body is not valid JSON ({str(exc).splitlines()[0][:80]})") from None
    check_storable(value, max_depth=max_depth)
    return value
