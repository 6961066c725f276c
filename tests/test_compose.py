"""The public answer: verbatim sentences, exact citations, notes (answering/compose.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from qabot.answering import compose
from qabot.answering.bot import Bot
from qabot.answering.candidates import Candidate, SentenceCache, gather
from qabot.answering.decide import Decision
from qabot.answering.query import Query
from qabot.corpus.load import load_corpus
from qabot.models import Hit
from qabot.retrieval.retriever import Retriever


def _bot(tmp_path: Path) -> Bot:
    (tmp_path / "late.txt").write_text(
        "03/13 2026\n1\nThe memo was sent on March 5, 2026, to all staff.\n", encoding="utf-8")
    (tmp_path / "early.txt").write_text(
        "03/06 2026\n2\nThis morning, the CEO sent another memo to all staff.\n",
        encoding="utf-8")
    return Bot(Retriever.from_corpus(load_corpus(tmp_path)))


def _memo(tmp_path: Path) -> tuple[Query, list[Hit], list[Candidate], int, int]:
    """The memo question over the two articles: its query, hits, candidates, and the
    positions of each article's one-sentence candidate (late, early)."""
    bot = _bot(tmp_path)
    query = bot.reader.read("When was the memo sent?")
    hits = bot.retriever.search_terms(query.search, k=5)
    cands = gather(bot.retriever, hits, SentenceCache(bot.retriever))
    late = next(i for i, c in enumerate(cands) if c.doc.id == "late" and c.size == 1)
    early = next(i for i, c in enumerate(cands) if c.doc.id == "early" and c.size == 1)
    return query, hits, cands, late, early


def test_two_articles_equally_sure_are_cited_oldest_first_with_notes(tmp_path: Path) -> None:
    query, hits, cands, late, early = _memo(tmp_path)
    probs = np.full(len(cands), 0.5)
    decision = Decision(answered=True, confidence=0.9, chosen=(late, early), best=late)
    answer = compose.answer(query, decision, cands, probs, hits, related=3)
    assert [c.doc_id for c in answer.citations] == ["early", "late"]
    assert [c.date for c in answer.citations] == [dt.date(2026, 3, 6), dt.date(2026, 3, 13)]
    for c in answer.citations:
        text = (tmp_path / c.source).read_text(encoding="utf-8")
        assert text[c.start : c.end] == c.quote and f"{c.quote} [{c.n}]" in answer.answer
    assert answer.confidence == 0.9 and not answer.abstained and answer.related == []
    assert answer.notes == [
        "[1] “This morning” = 6 Mar 2026 (the article is dated 6 Mar 2026).",
        "The articles give different dates: 6 Mar 2026 [1]; 5 Mar 2026 [2]. "
        "They may be about different events; check the quotes.",
    ]


def test_an_article_date_question_is_answered_from_the_cited_articles_date(
        tmp_path: Path) -> None:
    bot = _bot(tmp_path)
    query = bot.reader.read("When was the article about the memo sent to all staff published?")
    assert query.about_article
    hits = bot.retriever.search_terms(query.search, k=5)
    cands = gather(bot.retriever, hits, SentenceCache(bot.retriever))
    decision = Decision(answered=True, confidence=0.8, chosen=(0,), best=0)
    answer = compose.answer(query, decision, cands, np.ones(len(cands)), hits, related=3)
    doc = cands[0].doc
    assert answer.answer.endswith(f"({doc.date.isoformat()}) [1].")  # type: ignore[union-attr]
    assert answer.citations[0].doc_id == doc.id


def test_abstaining_lists_related_passages_and_keeps_the_probability(tmp_path: Path) -> None:
    bot = _bot(tmp_path)
    query = bot.reader.read("Who wrote the memo?")
    hits = bot.retriever.search_terms(query.search, k=5)
    decision = Decision(answered=False, confidence=0.123456, chosen=(), best=0)
    answer = compose.answer(query, decision, [], np.zeros(0), hits, related=1)
    assert answer.abstained and answer.citations == [] and len(answer.related) == 1
    assert answer.answer.startswith(compose.NOT_IN_ARTICLES)
    assert answer.confidence == 0.123


def test_a_relative_day_said_twice_in_one_quote_is_one_note(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "03/06 2026\n1\nThe firm filed today, and its chief spoke today at noon.\n",
        encoding="utf-8")
    bot = Bot(Retriever.from_corpus(load_corpus(tmp_path)))
    answer = bot.ask("When did the chief speak?")
    assert not answer.abstained
    assert answer.notes == ["[1] “today” = 6 Mar 2026 (the article is dated 6 Mar 2026)."]


def test_the_best_scoring_citation_comes_first(tmp_path: Path) -> None:
    query, hits, cands, late, early = _memo(tmp_path)
    probs = np.full(len(cands), 0.1)
    probs[late], probs[early] = 0.8, 0.5
    decision = Decision(answered=True, confidence=0.9, chosen=(early, late), best=late)
    answer = compose.answer(query, decision, cands, probs, hits, related=3)
    assert [c.doc_id for c in answer.citations] == ["late", "early"]
    assert answer.answer.index("[1]") < answer.answer.index("[2]")
