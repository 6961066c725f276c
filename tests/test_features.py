"""Feature columns of candidate answers (answering/features.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import small_bot
from hypothesis import given, settings
from hypothesis import strategies as st

from qabot.answering.bot import Bot
from qabot.answering.features import FEATURES, NAMES, longest_run, swaps


def _rows(bot: Bot, question: str) -> tuple[list[str], np.ndarray]:
    query = bot.reader.read(question)
    _, cands, x = bot.prepare(query, 5)
    return [c.text for c in cands], x


def test_every_column_computed_is_described_and_every_described_one_computed(
        bot: Bot) -> None:
    from qabot.answering import features

    query = bot.reader.read("Why did Lin Junyang resign?")
    _hits, cands, _ = bot.prepare(query, 5)
    shared = features._Shared(query, cands)
    c = cands[0]
    row = features._row(query, c, shared, bot._passage_terms(c.hit),
                        bot._title_terms(c.doc.id), bot._doc_terms(c.doc.id))
    assert list(row) == list(FEATURES)  # the same names, in the same order
    assert all(FEATURES[n].strip() for n in NAMES)


def test_swapped_word_between_the_same_neighbours() -> None:
    q = "what bend call where overal direct rhine chang from east to north".split()
    s = "this major bend where overal direct rhine chang from west to north".split()
    assert swaps(q, s, {"east", "call"}) == ["east"]
    assert swaps("what consid less accur".split(), "are consid more accur".split(),
                 {"less"}) == ["less"]
    # At the question's edge, the two words on its one side must line up.
    assert swaps("who led the army".split(), "who led the navy".split(), {"army"}) == ["army"]
    assert swaps("who led the army".split(), "who won the navy".split(), {"army"}) == []
    assert swaps("army led the way".split(), "navy led the way".split(), {"army"}) == ["army"]
    assert swaps("x y z".split(), "x y z".split(), set()) == []


def test_longest_run_of_question_words_in_order() -> None:
    assert longest_run("when did the war end".split(), "the war did end then".split()) == 2
    assert longest_run("a b c".split(), "x a b c y".split()) == 3
    assert longest_run("a b".split(), []) == 0


def test_coverage_type_and_missing_names(tmp_path: Path) -> None:
    small = small_bot(tmp_path, {"a.txt": (
        "Nova Labs opened its Oslo office on 4 March 2026. "
        "The weather was mild that week in the city. "
        "Ada Park leads the design team at Nova Labs."
    )})
    texts, x = _rows(small, "When did Nova Labs open its Oslo office?")
    col = {n: i for i, n in enumerate(NAMES)}
    opened = texts.index("Nova Labs opened its Oslo office on 4 March 2026.")
    weather = texts.index("The weather was mild that week in the city.")
    assert x[opened, col["c_cov"]] == 1.0 and x[weather, col["c_cov"]] == 0.0
    assert x[opened, col["c_type"]] == 1.0 and x[opened, col["kind_when"]] == 1.0
    assert x[opened, col["c_date"]] == 1.0
    assert x[opened, col["c_miss_names"]] == 0.0 and x[opened, col["c_cov_gap"]] == 0.0
    assert x[weather, col["c_cov_gap"]] == -1.0
    # A name the corpus never uses: "Bergen" weighs on q_unknown and is missing everywhere.
    _, y = _rows(small, "When did Nova Labs open its Bergen office?")
    assert (y[:, col["q_unknown"]] > 0).all() and (y[:, col["c_miss_names"]] > 0).all()
    assert (y[:, col["d_miss_names"]] > 0).all()


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=80))
def test_features_are_finite_for_any_question(bot: Bot, question: str) -> None:
    query = bot.reader.read(question)
    _, cands, x = bot.prepare(query, 5)
    assert x.shape == (len(cands), len(NAMES))
    assert np.isfinite(x).all()
