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


# The words a founder uses for the console's figures, each read as one console word: a MONEY_WORDS key, or one of
# the canvas's other money figures ("receivables": who owes us, "net burn": spend minus collected). The canvas's
# matcher reads this map, so a synonym means the same figure wherever it is typed.
SYNONYMS: dict[str, str] = {
    "earned": "earned", "earn": "earned", "earning": "earned", "earnings": "earned", "rewards": "earned",
    "invoiced": "invoiced", "billed": "invoiced", "billings": "invoiced", "invoice total": "invoiced",
    "collected": "collected", "collect": "collected", "collections": "collected", "cash collected": "collected",
    "refund": "collected", "refunds": "collected", "refunded": "collected",
    "chargebacks": "collected",
    "llm cost": "LLM cost", "llm spend": "LLM cost", "model cost": "LLM cost", "token cost": "LLM cost",
    "gross margin": "gross margin", "margin": "gross margin", "margins": "gross margin",
    "net profit": "net profit", "bottom line": "net profit", "p&l": "net profit", "pnl": "net profit",
    "net income": "net profit",
    "outstanding": "receivables", "ar": "receivables", "a/r": "receivables", "receivable": "receivables",
    "receivables": "receivables", "owed": "receivables", "owe us": "receivables", "unpaid": "receivables",
    "burn": "net burn", "burn rate": "net burn", "burning": "net burn", "net burn": "net burn",
    "cash burn": "net burn",
}


def console_word(word: str) -> str | None:
    """The console word a founder's word means ("collect" -> "collected"), or None when it is not a money word."""
    return SYNONYMS.get(word.strip().lower())
