"""Typo correction for canvas questions: each unknown word is replaced by the nearest known word (rapidfuzz).

A word is corrected only when it is not itself known (the canvas's vocabulary, common English, a customer or worker
name), and only to a vocabulary word with the same first letter at most one edit away (two for words of eight letters or more), where swapping
two adjacent letters is one edit ("runwya" -> "runway", "recievables" -> "receivables").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 4
# Common words that are near a canvas word but mean something else ("most" is not "cost", "where" not "there").
COMMON = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers him
his how i if in into is it its just me more most my no nor not now of off on once only or other our ours out over
own same she should so some such than that the their theirs them then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your yours
show tell give list want need know see look find get got make made many much well good best last next first
week weeks month months year years day days today yesterday ever every each per vs versus compared against
since ago past prior previous current recent lately time times total overall number amount big biggest small
top worst least rank ranked ranking ranks high higher highest low lower lowest long longer short fast slow
what's whats who's how's where's there's it's that's let's we're they're hasnt havent didnt doesnt dont isnt
month's year's today's yet still already just only even then than else else them they their there here hers
name named called case cases note notes line lines item items part parts side sides kind kinds type types
one two three four five six seven eight nine ten twelve twenty thirty hundred dozen couple
morning evening night hour hours minute minutes second seconds quarter quarters half full
said says say ask asked asks help please thanks thank hello
like likes liked love hate mine ours yours more less lost lose went gone goes going come came comes coming
take took takes taking put puts keep kept keeps hold held holds bring brought brings run ran runs running
doing done did does work works worked working finish finished finishes start started starts end ended ends
real true false right wrong left part whole each either neither both cost costs money them then
date dates data rate rates late pay paid paying owe owes owing mean means meant about across among amongst
everything anything something nothing someone anyone everyone people person team company business shop store
send sends sent world life change changes changed number numbers figure figures report reports view chart graph table page console
""".split())


def tokens(text: str) -> list[str]:
    """The words of a normalized question, in order (letters, digits, apostrophes, underscores, slashes, &)."""
    return re.findall(r"[\w'/&]+", text)


def correct(text: str, vocabulary: frozenset[str], protected: Iterable[str] = ()) -> str:
    """`text` with each unknown word replaced by its nearest vocabulary word; known and protected words stay."""
    keep = COMMON | vocabulary | frozenset(w for name in protected for w in tokens(name.lower()))
    choices = sorted(vocabulary)

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < MIN_LENGTH or word in keep or not word.isalpha() or _inflected(word, keep):
            return word
        limit = 1 if len(word) < 8 else 2
        found = [f for f in process.extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=8)
                 if f[0][0] == word[0]]  # a typo keeps its first letter; "date" is not "late"
        if not found:
            return word
        return min(found, key=lambda f: (f[1], abs(len(f[0]) - len(word)), f[2]))[0]

    return re.sub(r"[\w'/&]+", fix, text)


def vocabulary_of(patterns: Iterable[str], words: Iterable[str] = ()) -> frozenset[str]:
    """The whole words of regex sources and word lists, four letters or more; a stem a group completes
    ("reliab" of "reliab(le|ility)") stays out, and a plural's singular ("agents?") is in."""
    found: set[str] = set()
    for source in patterns:
        text = source.lower().replace("\\b", " ").replace("\\s", " ").replace("\\w", " ")
        for m in re.finditer(r"[a-z]{4,}", text):
            after, before = text[m.end():m.end() + 1], text[m.start() - 1:m.start()] if m.start() else ""
            close = text.find(")", m.end())
            optional = after == "(" and close > 0 and text[close + 1:close + 2] == "?"  # crash(es|ed)?
            if (after in ("(", "[") and not optional) or before in (")", "]"):
                continue
            found.add(m.group(0))
            if after == "?" and m.group(0).endswith("s"):
                found.add(m.group(0)[:-1])
    for word in words:
        found.update(w for w in tokens(word.lower()) if len(w) >= MIN_LENGTH and w.isalpha())
    return frozenset(found)


def _inflected(word: str, known: frozenset[str]) -> bool:
    """A known word with a plain ending added or dropped ("agent" of "agents", "approved" of "approve")."""
    stems = [word + "s", word + "d"]
    if word.endswith("s"):
        stems += [word[:-1], word[:-2], word[:-1] + "d"]
    if word.endswith("ed"):
        stems += [word[:-1], word[:-2]]
    if word.endswith("ing"):
        stems += [word[:-3], word[:-3] + "e"]
    return any(f in known for f in stems if len(f) >= MIN_LENGTH)
