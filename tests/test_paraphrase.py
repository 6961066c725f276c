"""The rewording of training and validation questions (eval/paraphrase.py): which words it
swaps. WordNet itself is not needed: the synonym lookup is replaced by a small table."""

from __future__ import annotations

import sys
from pathlib import Path

EVAL = Path(__file__).resolve().parent.parent / "eval"
sys.path.insert(0, str(EVAL))

import paraphrase  # noqa: E402

from qabot.text.analysis import Analyzer  # noqa: E402

SYNONYMS = {"resign": ("quit", "step down"), "company": ("firm",), "lead": ("guide",),
            "lin": ("linden",), "why": ("wherefore",), "technical": ("proficient",)}


class Table(paraphrase.Paraphraser):
    def __init__(self) -> None:  # no WordNet
        self.analyzer = Analyzer()

    def synonyms(self, word: str) -> tuple[str, ...]:
        return SYNONYMS.get(word, ())


def test_only_words_the_question_borrowed_from_the_text_are_swapped() -> None:
    table = Table()
    context = "Lin, the technical lead, resigned from the company on March 4."
    seen = set()
    for seed in range(40):
        reworded = table.reword("Why did Lin resign from the company?", context, str(seed))
        seen.add(reworded)
        if reworded is None:
            continue
        # Names, stopwords and question words stay; only borrowed words change.
        assert reworded.startswith("Why did Lin ") and reworded.endswith("?")
        assert "resign" not in reworded or "company" not in reworded
    assert None in seen  # each word is swapped with probability SWAP: sometimes none is
    assert "Why did Lin quit from the firm?" in seen
    assert "Why did Lin step down from the company?" in seen


def test_a_synonym_the_text_also_has_is_not_used() -> None:
    table = Table()
    # "quit" is in the text: swapping "resign" for it would keep the words shared.
    context = "Lin resigned; he said he would quit, and step down."
    assert all(table.reword("Why did Lin resign?", context, str(s)) is None for s in range(20))


def test_the_rewording_depends_on_the_seed_alone() -> None:
    table = Table()
    context = "Lin resigned from the company."
    first = [table.reword("Why did Lin resign from the company?", context, str(s))
             for s in range(10)]
    again = [table.reword("Why did Lin resign from the company?", context, str(s))
             for s in range(10)]
    assert first == again
