"""Render data as text: Markdown/HTML in database or LLM text must show literally, never as markup."""

from __future__ import annotations

import re

# Every ASCII punctuation mark Markdown or HTML could act on; CommonMark lets a backslash escape any of them.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~=&\"'$:])")


def md_escape(value: object) -> str:
    """`value` as Markdown that displays exactly its characters (links, tags and emphasis shown as typed)."""
    return _SPECIAL.sub(r"\\\1", str(value))
