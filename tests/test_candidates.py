"""Candidate answers gathered from the retrieved passages (answering/candidates.py)."""

from __future__ import annotations

from pathlib import Path

from conftest import file_text

from qabot.answering.bot import Bot
from qabot.answering.candidates import MAX_RUN, MAX_RUN_CHARS, SentenceCache, gather
from qabot.text.segment import segment


def _sentences(bot: Bot, doc_id: str) -> list[tuple[int, int]]:
    doc = bot.retriever.document(doc_id)
    return [(s.start, s.end) for s in segment(doc.text, doc.body_start, doc.body_end)
            if not s.heading]


def test_candidates_are_sentences_and_runs_of_them_with_exact_offsets(bot: Bot) -> None:
    hits = bot.retriever.search("Why did Lin Junyang resign?", k=5)
    cands = gather(bot.retriever, hits, SentenceCache(bot.retriever))
    assert cands
    root = Path(bot.retriever.corpus.root)
    for c in cands:
        sentences = _sentences(bot, c.doc.id)
        first = sentences.index((c.start, c.sentences[0].end))
        # A run is consecutive sentences of the article, no more than MAX_RUN of them.
        assert [(s.start, s.end) for s in c.sentences] == sentences[first : first + c.size]
        assert 1 <= c.size <= MAX_RUN
        assert c.size == 1 or c.end - c.start <= MAX_RUN_CHARS
        assert file_text(root / c.doc.source)[c.start : c.end] == c.text
        # The candidate lies in the passage it is credited to.
        assert c.hit.start <= c.start and c.end <= c.hit.end
    # Every sentence of every hit passage is a candidate on its own.
    singles = {(c.doc.id, c.start, c.end) for c in cands if c.size == 1}
    for h in hits:
        for a, b in _sentences(bot, h.doc_id):
            if h.start <= a and b <= h.end:
                assert (h.doc_id, a, b) in singles


def test_the_window_reaches_the_sentence_beyond_a_passage_edge(bot: Bot) -> None:
    hits = bot.retriever.search("Lin Qwen Alibaba", k=10)
    cands = gather(bot.retriever, hits, SentenceCache(bot.retriever))
    checked = 0
    for c in cands:
        sentences = _sentences(bot, c.doc.id)
        i = sentences.index((c.start, c.sentences[0].end))
        doc = c.doc
        spans = segment(doc.text, doc.body_start, doc.body_end)
        j = [(s.start, s.end) for s in spans].index((c.start, c.end)) if c.size == 1 else 0
        same_section = j > 0 and not spans[j - 1].heading
        if c.size == 1 and c.start == c.hit.start and same_section:
            # The passage starts here; the sentence before it (another passage) is context.
            before = c.before()
            assert before is not None and (before.start, before.end) == sentences[i - 1]
            assert before.terms <= c.window()
            checked += 1
    assert checked >= 3


def test_sentence_cache_is_bounded(bot: Bot) -> None:
    cache = SentenceCache(bot.retriever, size=3)
    doc = bot.retriever.corpus.documents[0]
    for a, b in _sentences(bot, doc.id)[:10]:
        got = cache.get(doc, a, b)
        assert got.tokens == tuple(bot.analyzer.tokenize(doc.text[a:b]))
    assert len(cache._data) == 3


def test_a_field_answers_alone_and_counts_its_records_title(tmp_path: Path) -> None:
    from test_corpus import METADATA

    from qabot.corpus.load import load_corpus
    from qabot.retrieval.retriever import Retriever

    (tmp_path / "demo.txt").write_text(METADATA, encoding="utf-8")
    retriever = Retriever.from_corpus(load_corpus(tmp_path))
    hits = retriever.search("What Python version does demo-pkg require?", k=10)
    assert hits[0].text == "Requires-Python: >=3.11"  # a field is a short passage
    cands = gather(retriever, hits, SentenceCache(retriever))
    fields = [c for c in cands if c.sentences[0].field or c.sentences[-1].field]
    assert fields and all(c.size == 1 for c in fields)  # no run joins two fields
    required = next(c for c in fields if c.text.startswith("Requires-Python"))
    # The record's subject (the title, from "Name:") is part of what the field says.
    assert {"demo", "pkg"} <= required.terms()
