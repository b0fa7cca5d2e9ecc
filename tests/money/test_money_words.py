"""SPEC §17's money words have one owner (core.money.words): the README and the control room say what it says."""

from __future__ import annotations

import re
from pathlib import Path

from core.money.words import MONEY_WORDS, meaning
from ui.glance import money_note

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_words() -> dict[str, str]:
    rows = re.findall(r"^\| \*\*(.+?)\*\* \| (.+?) \|", README.read_text(), flags=re.M)
    return dict(rows)


def test_the_readme_table_defines_every_money_word_as_the_console_does() -> None:
    documented = _readme_words()
    assert set(documented) == set(MONEY_WORDS)
    for word, text in MONEY_WORDS.items():
        assert text in documented[word], word


def test_a_meaning_reads_as_a_sentence() -> None:
    assert meaning("earned") == "Rewards of done tasks."


def test_the_chart_note_explains_each_series_in_the_money_words() -> None:
    note = money_note()
    assert "Net: " + MONEY_WORDS["net profit"] in note and "Collected: " + MONEY_WORDS["collected"] in note
    assert note.count(" · ") == 3
