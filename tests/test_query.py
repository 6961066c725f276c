"""Reading a question: cleaning, answer kind, terms and their weights."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import small_bot

from qabot.answering.bot import Bot
from qabot.answering.query import about_article, article_description, classify, clean


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Why did Lin resign?", "why"),
        ("How come the team left?", "why"),
        ("What caused the exodus?", "why"),
        ("When did he join?", "when"),
        ("In what year did the Normans arrive?", "when"),
        ("Which century saw the rise of the Huguenots?", "when"),
        ("Where is the Rhine knee?", "where"),
        ("Which city hosts the parliament?", "where"),
        ("Who is Zhou Hao?", "who"),
        ("Whose memo was it?", "who"),
        ("Which president ended the act?", "who"),
        ("How many users does Qwen have?", "how-many"),
        ("How much did Alibaba invest?", "how-many"),
        ("What percentage of children attend?", "how-many"),
        ("What did Wu Yongming say in the memo?", "quote"),
        ("Is Alibaba abandoning open source?", "yes-no"),
        ("Did Lin give notice?", "yes-no"),
        ("What is the scale trap?", "what"),
        ("Which company did he join?", "what"),
        # The first question word decides: "when" inside the question does not.
        ("What did Lin write online when he quit?", "quote"),
        ("Who was CEO when Lin left?", "who"),
        ("Tell me about the memo", "what"),
    ],
)
def test_classify_by_the_first_question_word(question: str, kind: str) -> None:
    assert classify(question) == kind


def test_clean_strips_controls_and_bounds_length() -> None:
    assert clean("  why\x1b[31m did\x00 Lin\u202e resign?\n") == ("why [31m did Lin resign?", False)
    text, truncated = clean("word " * 2000)
    assert truncated and len(text) <= 2000


def test_article_date_questions_are_recognised_and_not_searched_for_their_own_words() -> None:
    question = "When was the piece that compared the rumours to dream analysis published?"
    assert about_article(question)
    assert not about_article("When did Lin publish his farewell?")
    assert article_description(question) == (
        "When was the that compared the rumours to dream analysis ?")


def test_terms_weights_and_search_terms(bot: Bot) -> None:
    query = bot.reader.read("What rank had Lin recently been promoted to?")
    n = bot.retriever.index.n_passages
    terms = {t.term: t for t in query.terms}
    rank = terms["rank"]
    df = bot.retriever.index.document_frequency("rank")
    assert rank.idf == pytest.approx(math.log(1 + n / df))
    assert 0.1 <= rank.specificity <= 1.0 and rank.weight == rank.idf * rank.specificity
    # "Lin" is one of the names of Lin Junyang: one concept, met by any of its names, and
    # the search adds the other name's terms once.
    lin = next(t for t in query.terms if "lin" in t.term)
    assert lin.name and lin.met_by(frozenset({"junyang", "lin"}))
    assert query.search.count("lin") == 1 and query.search.count("junyang") == 1
    assert query.kind == "what" and not query.negated


def test_a_word_the_corpus_lacks_is_unknown_and_weighs_by_its_english_rarity(bot: Bot) -> None:
    query = bot.reader.read("Who runs the Qwen Lab?")
    run = next(t for t in query.terms if t.term == "run")
    qwen = next(t for t in query.terms if t.term == "qwen")
    assert not run.known and qwen.known
    # Unused in the corpus, so its idf is the highest; but "run" is common English, and
    # its weight is cut by how common (wordfreq: Zipf 4.8 -> specificity 0.54).
    assert run.idf > qwen.idf and run.specificity == pytest.approx(0.54, abs=0.02)
    assert qwen.specificity == 1.0 and run.weight < run.idf


def test_negation_and_word_sequence(bot: Bot) -> None:
    query = bot.reader.read("Why didn't Lin stay?")
    assert query.negated
    assert query.sequence[:2] == ("why", "didn't")
    assert bot.reader.read("Why did Lin leave?").sequence[-1] == "leav"


def test_derived_forms_in_the_corpus_are_alternatives(tmp_path: Path) -> None:
    small = small_bot(tmp_path, {"a.txt": (
        "Marco Polo wrote the most influential European account of China. "
        "The departing envoy left in spring."
    )})
    # "Europe" -> "europ"; the corpus says "European" -> "european": three letters more.
    assert small.reader.derived("europ") == ["european"]
    assert small.reader.derived("departur") == ["depart"]  # "departure" ~ "departing"
    assert small.reader.derived("city") == []  # too short to extend safely
    europe = next(t for t in small.reader.read("Who wrote about Europe?").terms
                  if t.term == "europ")
    assert europe.met_by(frozenset({"european"}))
