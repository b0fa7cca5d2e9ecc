"""The Guide (SPEC §3): answers an operator's question from the project's own README and docs/."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.config.settings import Settings

log = logging.getLogger("hoss.guide")

ROOT = Path(__file__).resolve().parents[2]
MAX_QUESTION = 500
CONTEXT_SECTIONS = 3
MAX_SECTION_CHARS = 4000
_WORD = re.compile(r"[a-z0-9_]{3,}")
_STOP = frozenset(
    "the and for how what when where which who why with that this does can you are from into not use "
    "have has was were will would should could there their them then than your our about only also".split()
)


@dataclass(frozen=True)
class DocSection:
    """One heading's worth of a docs file."""

    file: str
    heading: str
    text: str


def _terms(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def doc_files(root: Path = ROOT) -> list[Path]:
    """README.md and every docs/*.md, in a stable order."""
    files = [root / "README.md"] if (root / "README.md").is_file() else []
    return files + sorted((root / "docs").glob("*.md"))


def split_sections(path: Path, root: Path = ROOT) -> list[DocSection]:
    """Split a Markdown file at its headings (fenced code is not mistaken for headings)."""
    sections: list[DocSection] = []
    heading, lines, fenced = path.stem, [], False
    rel = str(path.relative_to(root))
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"#{1,6}\s", line):
            if "".join(lines).strip():
                sections.append(DocSection(rel, heading, "\n".join(lines).strip()))
            heading, lines = line.lstrip("#").strip(), []
        else:
            lines.append(line)
    if "".join(lines).strip():
        sections.append(DocSection(rel, heading, "\n".join(lines).strip()))
    return sections


def _stem(word: str) -> str:
    """A plain stem, so 'tasks', 'giving' and 'gives' meet 'task' and 'give'."""
    for end in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(end) and len(word) - len(end) >= 3:
            return word[: -len(end)] + ("y" if end == "ies" else "")
    return word


def _stems(text: str) -> Counter[str]:
    return Counter(_stem(w) for w in _terms(text).elements())


_K1, _B, _HEADING = 1.2, 0.75, 3.0


def best_sections(question: str, k: int = CONTEXT_SECTIONS, root: Path = ROOT) -> list[DocSection]:
    """The `k` sections ranking highest for the question by BM25 over stemmed words (a heading's words count
    three times); none when no word is shared."""
    wanted = set(_stems(question))
    sections = [sec for path in doc_files(root) for sec in split_sections(path, root)]
    if not wanted or not sections:
        return []
    bags = [_stems(sec.text) + Counter({t: int(_HEADING) * n for t, n in _stems(sec.heading).items()})
            for sec in sections]
    avg = sum(sum(b.values()) for b in bags) / len(bags) or 1.0
    df = Counter(t for b in bags for t in wanted if b[t])
    scored = []
    for sec, bag in zip(sections, bags, strict=True):
        length = sum(bag.values())
        score = 0.0
        for t in wanted:
            if bag[t]:
                idf = math.log(1 + (len(bags) - df[t] + 0.5) / (df[t] + 0.5))
                score += idf * bag[t] * (_K1 + 1) / (bag[t] + _K1 * (1 - _B + _B * length / avg))
        if score:
            scored.append((score, -len(sec.text), sec))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return [s[2] for s in scored[:k]]


def _offline(question: str, root: Path) -> Iterator[str]:
    found = best_sections(question, 1, root)
    if not found:
        yield ("I found nothing in the README or docs/ about that. Try words that appear in the docs, "
               "such as an environment variable, a page name or a command.")
        return
    sec = found[0]
    yield f"From {sec.file}, section “{sec.heading}”:\n\n"
    yield sec.text[:MAX_SECTION_CHARS]


def answer_from_docs(settings: Settings, question: str, *, root: Path = ROOT) -> Iterator[str]:
    """Stream an answer: through the LLM with the best-matching docs as context when a key is set, else that section."""
    question = question.strip()[:MAX_QUESTION]
    if not question:
        yield "Ask a question about the console, for example “how do I turn on real email?”."
        return
    if settings.llm_mode != "openai":
        yield from _offline(question, root)
        return
    sections = best_sections(question, CONTEXT_SECTIONS, root)
    context = "\n\n".join(f"[{s.file} — {s.heading}]\n{s.text[:MAX_SECTION_CHARS]}" for s in sections)
    try:
        yield from _stream_llm(settings, question, context or "(no matching documentation)")
    except Exception as exc:  # the Guide must answer even when the LLM cannot: fall back to the docs
        log.warning("guide: LLM unavailable (%s); answering from the docs", type(exc).__name__)
        yield f"\n\n(The LLM could not answer: {type(exc).__name__}. The best-matching docs section instead.)\n\n"
        yield from _offline(question, root)


def _stream_llm(settings: Settings, question: str, context: str) -> Iterator[str]:
    from openai import OpenAI

    client = OpenAI(
        api_key=settings.secret("openai_api_key"), base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds, max_retries=1,
    )
    stream = client.chat.completions.create(
        model=settings.openai_model,
        temperature=0.1,
        max_tokens=500,
        stream=True,
        messages=[
            {"role": "system", "content": (
                "You are the HossAgent console guide. Answer the operator's question only from the documentation "
                "below; name the file and section you used; if the docs do not say, say so. Be brief.\n\n" + context
            )},
            {"role": "user", "content": question},
        ],
    )
    try:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content
    finally:
        stream.close()
