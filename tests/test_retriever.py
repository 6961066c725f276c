from __future__ import annotations

from conftest import ARTICLE_B

from qabot import Hit, Retriever, load_corpus


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
    assert (h.doc_id, h.date, h.source) == (ARTICLE_B, "2026-03-13", f"{ARTICLE_B}.txt")
    assert h.section == "01. Why Did Lin Junyang Suddenly Resign? At Least Three Major Factors"
    assert retriever.document(h.doc_id).text[h.start : h.end] == h.text


def test_no_shared_term_no_hit(retriever: Retriever) -> None:
    assert retriever.search("sourdough bread recipe") == []
    assert retriever.search("") == []
    assert retriever.search("what is it?") == []


def test_k_bounds_the_hits(retriever: Retriever) -> None:
    assert len(retriever.search("Alibaba", k=1)) == 1
    assert len(retriever.search("Alibaba", k=10_000)) <= len(retriever.passages)
