"""What a valid row id is, the one owner every surface asks: a positive bigint, 1 ≤ id ≤ 2^63−1.

Ids arrive as text from the CLI, URL paths and query strings, Slack button values and signed tokens, and as
JSON numbers in bodies and tool arguments. Anything else (20 digits, 0, '-1', '²', '1_000', ' 7') is refused
here, before it reaches SQL, where Postgres would answer "bigint out of range" as a 500.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field

from core.errors import InvalidInput

MAX_ID = 2**63 - 1  # Postgres bigint, the type of every id column
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII digits only: str.isdigit() also accepts '²' and '٣'

# An id field of a pydantic model (API bodies, payloads): the same range, refused with 422 naming the field.
Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


def as_id(value: Any) -> int | None:
    """`value` (ASCII digits, or an int that is not a bool) as an id in range, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def parse_id(value: Any, what: str = "") -> int:
    """`value` as an id; InvalidInput "not a valid {what} id: '…'" (one line, at most 40 characters shown)."""
    number = as_id(value)
    if number is None:
        shown = str(value)[:40].encode("ascii", "backslashreplace").decode()
        raise InvalidInput(f"not a valid {what + ' ' if what else ''}id: {shown!r} (ids are whole numbers from 1 "
                           f"to {MAX_ID})")
    return number
