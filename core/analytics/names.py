"""Who a question names: a hired worker, a system agent or a customer — known, possessive, or unknown and refused."""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.analytics import phrases
from core.analytics.spelling import COMMON

# The system agents the canvas knows (its agent parser's names: core.agents.registry sits above analytics).
AGENTS: tuple[str, ...] = tuple(name for name, _ in phrases.AGENT_PATTERNS)
# Words before "agent" or after "worker" that describe rather than name one ("the ai agent", "biz dev agent").
_DESCRIBING = frozenset("""
ai llm gpt system systems background scheduled automated internal agent agents bot bots worker workers hired hire
hires our my any each every which what all the a an this that these those one two three every biz dev batch
business development prospecting outreach operations task tasks processor event cron job jobs human
""".split())
_WORKERISH = re.compile(r"\b(workers?|employees?|hires?|staff)\b")
_PER_WORKER = re.compile(r"\b(each|every|per|by|which|what|all|our|any|the|a) (ai )?(workers?|employees?|hires?)\b"
                         r"|\bworkers?\b")
# A name given to a worker: "by worker bob", "worker named zed", "worker zed performance".
_NAMED_WORKER = re.compile(r"\b(?:worker|employee)\s+(?:named\s+|called\s+)?([a-z][a-z-]*)\b")
# A name given to an agent: "the zorg agent", "agent named zorg", "agent run health for zorg" (the question's end).
_NAMED_AGENT = re.compile(r"\b([a-z][a-z-]*)\s+(?:agent|bot)s?\b|\b(?:agent|bot)\s+(?:named|called)\s+([a-z][a-z-]*)\b"
                          r"|\b(?:for|of|from)\s+(?:the\s+)?([a-z][a-z-]*)\s*\??$")


def per_worker(text: str) -> bool:
    """The question is about workers (per worker, each worker, which worker)."""
    return _PER_WORKER.search(text) is not None


def _a_name(word: str | None, known: frozenset[str]) -> bool:
    """A word that can only be a name: not a common word, not the canvas's vocabulary, nor one inflected."""
    if not word or word in COMMON or word in known or word in _DESCRIBING:
        return False
    stems = {word[:-1], word[:-2], word + "s"} if word.endswith("s") else {word + "s"}
    return not (stems & (COMMON | known))


def worker_in(text: str, worker_names: tuple[str, ...] | list[str], known: frozenset[str] = frozenset()
              ) -> tuple[str | None, str | None]:
    """(a known worker the question names, an unknown name it gives a worker) — either may be None; `known` are
    the words that are not names (the matcher's vocabulary)."""
    if found := phrases.name_in(text, worker_names):
        return found, None
    for m in _NAMED_WORKER.finditer(text):
        if _a_name(word := m.group(1), known | set(AGENTS)):
            return None, word
    return None, None


def unknown_agent_in(text: str, known: frozenset[str], other_names: Iterable[str] = ()) -> str | None:
    """A name the question gives a system agent that is none of AGENTS (nor a worker or customer), else None."""
    others = {w for name in other_names for w in re.findall(r"[a-z]+", name.lower())}
    for m in _NAMED_AGENT.finditer(text):
        word = next((g for g in m.groups() if g), None)
        if word and word not in AGENTS and word not in others and _a_name(word, known):
            return word
    return None


def unknown_worker_message(name: str, worker_names: tuple[str, ...] | list[str]) -> str:
    """Words for a worker name the business does not have, naming the ones it has."""
    known = ", ".join(worker_names) or "none is hired yet"
    return f"There is no worker named {name[:64].capitalize()}; the workers are: {known}."


def unknown_agent_message(name: str) -> str:
    """Words for an agent name the system does not have, naming the ones it has."""
    return f"There is no agent named {name[:64].capitalize()}; the agents are: {', '.join(AGENTS)}."
