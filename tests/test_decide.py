"""Choosing the answer and abstaining (answering/decide.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qabot.answering.decide import (
    QUESTION_NAMES,
    SENTENCE_COST,
    best,
    decide,
    question_row,
)
from qabot.answering.features import NAMES


def test_a_longer_run_must_earn_its_extra_sentences() -> None:
    sizes = np.array([1.0, 2.0, 3.0])
    assert best(np.array([0.70, 0.75, 0.80]), sizes) == 0  # +0.05 per sentence: not enough
    gain = SENTENCE_COST + 0.01
    assert best(np.array([0.50, 0.50 + gain, 0.50 + 2 * gain + 0.01]), sizes) == 2
    assert best(np.array([0.2, 0.9, 0.3]), sizes) == 1


def test_one_threshold_decides_and_a_second_article_must_pass_it_too() -> None:
    where = np.array([[0, 0, 10], [0, 10, 20], [1, 0, 10], [1, 10, 20]])
    probs = np.array([0.9, 0.2, 0.3, 0.6])
    sizes = np.ones(4)
    conf = {0: 0.61, 3: 0.65, 2: 0.1, 1: 0.05}.__getitem__
    yes = decide(where, probs, sizes, conf, 0.6)
    assert yes.answered and yes.chosen == (0, 3) and yes.confidence == 0.61
    assert decide(where, probs, sizes, conf, 0.6, other_article=False).chosen == (0,)
    assert decide(where, probs, sizes, conf, 0.62).chosen == ()  # the best fails: none
    alone = decide(where, probs, sizes, {0: 0.61, 3: 0.5}.__getitem__, 0.6)
    assert alone.chosen == (0,)
    no = decide(where, probs, sizes, conf, 0.7)
    assert not no.answered and no.chosen == () and no.best == 0 and no.confidence == 0.61
    empty = decide(np.zeros((0, 3)), np.zeros(0), np.zeros(0), conf, 0.6)
    assert not empty.answered and empty.best is None


def test_question_row_reads_the_best_its_rivals_and_spread() -> None:
    where = np.array([[0, 0, 10], [0, 5, 20], [1, 0, 10], [2, 0, 9]])  # 1 overlaps 0
    probs = np.array([0.8, 0.7, 0.5, 0.1])
    matrix = np.arange(4 * len(NAMES), dtype=float).reshape(4, len(NAMES))
    row = question_row(where, matrix, probs, 0)
    assert len(row) == len(QUESTION_NAMES)
    top, second, gap, mass, docs = row[:5]
    assert (top, second) == (0.8, 0.5)  # the overlapping 0.7 is not a rival
    assert gap == top - second and mass == probs.sum()
    assert docs == np.log1p(2)  # articles 0 and 1 have a candidate within half of the best
    assert (row[5:] == matrix[0]).all()


def test_only_allowed_candidates_may_answer_and_none_allowed_is_no_answer() -> None:
    where = np.array([[0, 0, 10], [0, 10, 20], [1, 0, 10]])
    probs = np.array([0.9, 0.5, 0.4])
    sizes = np.ones(3)
    conf = {0: 0.9, 1: 0.8, 2: 0.7}.__getitem__
    got = decide(where, probs, sizes, conf, 0.6, other_article=False,
                 allowed=np.array([False, True, True]))
    assert got.answered and got.chosen == (1,)  # the best, 0, was cited by the first part
    none = decide(where, probs, sizes, conf, 0.6, allowed=np.zeros(3, dtype=bool))
    assert not none.answered and none.chosen == () and none.best is None
    # The second article may not be an excluded candidate either.
    two = decide(where, probs, sizes, conf, 0.6, allowed=np.array([True, True, False]))
    assert two.chosen == (0,)


def test_the_second_part_of_a_two_part_question_may_not_cite_the_first_parts_sentence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import small_bot

    from qabot.answering.bot import Bot

    bot = small_bot(tmp_path, {"gm.txt": "GM filed for bankruptcy at 12:00 UTC, and its chief "
                               "held a press conference at 16:15 UTC.\n\nThe plan was praised."})
    seen: list[tuple[str, tuple[tuple[str, int, int], ...]]] = []
    real = Bot.consider

    def spy(self: Bot, query, k, doc_ids=None, budget=1000, exclude=()):  # type: ignore[no-untyped-def]
        seen.append((query.text, tuple(exclude)))
        return real(self, query, k, doc_ids, budget, exclude)

    monkeypatch.setattr(Bot, "consider", spy)
    answer = bot.ask("When did GM file for bankruptcy, and when did its chief hold a press "
                     "conference?")
    assert len(seen) == 2 and seen[0][1] == ()
    first = answer.citations[0]
    assert seen[1][1] == ((first.doc_id, first.start, first.end),)
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == len(set(quotes))
