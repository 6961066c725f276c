from __future__ import annotations

import datetime as dt

import pytest
from conftest import ARTICLE_B

from qabot import Bot, Hit, Retriever, load_corpus


def test_public_api_in_five_lines() -> None:
    retriever = Retriever.from_corpus(load_corpus())
    hits = retriever.search("why did Lin resign?", k=3)
    assert len(hits) == 3 and all(isinstance(h, Hit) for h in hits)
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_reasons_passage_is_found_with_citation_fields(retriever: Retriever) -> None:
    hits = retriever.search("why did Lin resign?", k=5)
    reasons = [h for h in hits if "three primary reasons" in h.text]
    assert reasons, [h.text[:60] for h in hits]
    h = reasons[0]
    assert (h.doc_id, h.date, h.source) == (ARTICLE_B, dt.date(2026, 3, 13), f"{ARTICLE_B}.txt")
    assert h.section == "01. Why Did Lin Junyang Suddenly Resign? At Least Three Major Factors"
    assert retriever.document(h.doc_id).text[h.start : h.end] == h.text


def test_no_shared_term_no_hit(retriever: Retriever) -> None:
    assert retriever.search("sourdough bread recipe") == []
    assert retriever.search("") == []
    assert retriever.search("what is it?") == []


def test_k_bounds_the_hits(retriever: Retriever) -> None:
    assert len(retriever.search("Alibaba", k=1)) == 1
    assert len(retriever.search("Alibaba", k=10_000)) <= len(retriever.passages)


def test_fusion_ranks_by_both_lists_and_keeps_k() -> None:
    from qabot.retrieval.fusion import fuse

    # Passage 7 is second in both lists: it beats 1 (first in BM25, absent from dense).
    assert fuse([1, 7, 3], [9, 7, 4], 2) == [7, 1]
    assert fuse([], [5, 6], 5) == [5, 6]
    lexical, dense = list(range(100)), list(range(100, 200))
    assert len(fuse(lexical, dense, 120)) == 120  # a large -k is not capped by the pool


def test_a_dense_ranking_is_fused_and_scores_stay_bm25s(retriever: Retriever) -> None:
    import numpy as np

    from qabot.retrieval.fusion import Fusion

    lexical = retriever.search("monthly active users", k=3)
    n = len(retriever.passages)
    dense = np.zeros(n)
    far = n - 1  # shares no term with the query: only the dense ranking brings it
    dense[far] = 1.0
    fused = retriever.search("monthly active users", k=3, dense=dense,
                             fusion=Fusion(dense_weight=5.0))
    assert fused[0].passage_id == retriever.passages[far].id
    bm25 = retriever.index.scores(retriever.query_terms("monthly active users"))
    assert all(h.score == pytest.approx(float(bm25[retriever.passages.position(h.passage_id)]))
               for h in fused)
    assert [h.rank for h in fused] == [1, 2, 3]
    # Scoped to one document, the dense ranking cannot bring in another's passage.
    doc = lexical[0].doc_id
    scoped = retriever.search("monthly active users", k=3, doc_ids=[doc], dense=dense,
                              fusion=Fusion(dense_weight=5.0))
    assert scoped and {h.doc_id for h in scoped} == {doc}


def test_doc_ids_are_checked_where_they_enter(retriever: Retriever) -> None:
    """A str is not read as a set of letters, and a typo is not 'the articles don't say'."""
    from qabot import Bot

    with pytest.raises(TypeError, match="collection of document ids"):
        retriever.search("Zhou Hao", doc_ids=ARTICLE_B)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'typo'"):
        retriever.search("Zhou Hao", doc_ids=["typo"])
    with pytest.raises(ValueError, match="'typo'"):
        Bot(retriever).ask("Who is Zhou Hao?", doc_ids=["typo"])
    with pytest.raises(TypeError, match="since must be a datetime.date"):
        retriever.documents(since="2026-03-01")  # type: ignore[arg-type]
    assert {h.doc_id for h in retriever.search("Zhou Hao", doc_ids=[ARTICLE_B])} == {ARTICLE_B}


def test_hit_and_citation_dates_are_dates_in_the_library_and_iso_in_json(bot: Bot) -> None:
    import datetime as dt
    import json

    from qabot.ui.render import to_json

    hit = bot.retriever.search("Zhou Hao", k=1)[0]
    assert isinstance(hit.date, dt.date)
    assert json.loads(to_json(hit))["date"] == hit.date.isoformat()
    answer = bot.ask("Who is Zhou Hao?")
    cited = answer.citations[0]
    assert isinstance(cited.date, dt.date)
    assert json.loads(to_json(answer))["citations"][0]["date"] == cited.date.isoformat()
    # A logged answer read back (JSON) is the same model: the ISO string parses to a date.
    assert type(answer).model_validate_json(to_json(answer)) == answer
