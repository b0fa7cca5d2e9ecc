"""What a person should never read on a page (SPEC §21): snake_case, a bare None, a raw timestamp, JSON, cents.

`unreadable(text)` returns each offending fragment with why; the console's browser walk asserts it is empty for
every page's visible text. Deliberately plain patterns: a false alarm names the fragment, so it is fixed or allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("snake_case", re.compile(r"(?<![\w@./:#-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@./-])")),
    ("bare None", re.compile(r"\b(?:None|null|NaN|nan)\b")),
    ("raw timestamp", re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:[+-]\d{2}:?\d{2}|Z)?")),
    ("JSON", re.compile(r"[{\[]\s*\"[^\"\n]{1,60}\"\s*:|\"[a-z_]{2,40}\"\s*:\s*[\[{\"0-9nft]")),
    ("cents", re.compile(r"\b\d[\d,]*\s*(?:¢|cents\b)|\b[a-z_]*_cents\b")),
    ("dollars without separators", re.compile(r"\$\d{4,}(?:\.\d{2})?\b")),
)


@dataclass(frozen=True)
class Finding:
    """One fragment a person should not read, and the rule it breaks."""

    rule: str
    fragment: str


def unreadable(text: str, *, allow: tuple[str, ...] = ()) -> list[Finding]:
    """Every fragment of `text` breaking a rule above, except those listed in `allow` (exact fragments)."""
    found = []
    for rule, pattern in _RULES:
        for match in pattern.finditer(text):
            fragment = match.group(0).strip()
            if fragment not in allow:
                found.append(Finding(rule, fragment))
    return found
