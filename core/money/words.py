"""SPEC §17's money words, one meaning each: the control room's figure help and chart note read them from here, and
the README's table is tested to say the same."""

from __future__ import annotations

MONEY_WORDS: dict[str, str] = {
    "earned": "rewards of done tasks",
    "invoiced": "invoices that are not void",
    "collected": "payments in the ledger minus refunds and disputes",
    "LLM cost": "token cost of done tasks",
    "gross margin": "earned − LLM cost",
    "net profit": "collected − all spend in the ledger",
}


def meaning(word: str) -> str:
    """The word's meaning as a sentence ("Rewards of done tasks."); a KeyError names a word SPEC §17 lacks."""
    text = MONEY_WORDS[word]
    return text[0].upper() + text[1:] + "."
