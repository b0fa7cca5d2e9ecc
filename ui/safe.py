"""Render data as text: Markdown/HTML in database or LLM text must show literally, never as markup."""

from __future__ import annotations

import re

# Every ASCII punctuation mark Markdown or HTML could act on; CommonMark lets a backslash escape any of them.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~=&\"'$:])")


_AUTOLINK = re.compile(r"(?i)(://|www\.)")


def md_escape(value: object) -> str:
    """`value` as Markdown that displays its characters as typed: no tags, links, autolinks or emphasis."""
    # A word joiner (invisible) after "://" or "www" stops GFM from turning a bare URL into a link.
    return _SPECIAL.sub(r"\\\1", _AUTOLINK.sub(lambda m: m.group(1)[:-1] + "\u2060" + m.group(1)[-1:], str(value)))
