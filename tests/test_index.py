from __future__ import annotations

import numpy as np
import pytest
import rank_bm25

from qabot.index import BM25Index, BM25Params, make_bm25
from qabot.retriever import Retriever


def test_okapi_gives_common_terms_no_weight_on_tiny_corpora() -> None:
    # rank-bm25 issues 39/43/50: a term in half or more of the passages gets idf <= 0
    # (then floored to epsilon * mean idf), so BM25Okapi cannot rank by it.
    docs = [["lin", "resign"], ["lin", "alibaba"], ["qwen"]]
    okapi = rank_bm25.BM25Okapi(docs)
    assert okapi.idf["lin"] == pytest.approx(okapi.epsilon * okapi.average_idf)
    assert okapi.idf["lin"] < okapi.idf["qwen"]
    two = rank_bm25.BM25Okapi([["lin", "a"], ["lin", "b"]])
    # "a" is in half the passages: idf 0, so it cannot tell the two apart; "lin" is in all
    # of them and the floor is negative too, so matching it lowers the score.
    assert two.get_scores(["a"]).tolist() == [0.0, 0.0]
    assert (two.get_scores(["lin"]) < 0).all()


def test_chosen_variant_keeps_every_term_positive() -> None:
    docs = [["lin", "a"], ["lin", "b"]]
    index = BM25Index(docs, BM25Params())
    assert BM25Params().variant == "plus"
    scores = index.scores(["lin"])
    assert (scores > 0).all()


def test_common_article_terms_still_rank(retriever: Retriever) -> None:
    terms = retriever.analyzer.tokenize("Lin Alibaba Qwen")
    n = len(retriever.passages)
    for term in terms:
        assert retriever.index.document_frequency(term) >= n / 2
    okapi = make_bm25(_tokens(retriever), BM25Params(variant="okapi"))
    chosen = retriever.index.scores(terms)
    # Okapi flattens these terms to the epsilon floor; the chosen variant separates passages.
    assert np.ptp(chosen) > 0
    assert all(okapi.idf[t] <= okapi.idf["farsight"] for t in terms)


def _tokens(retriever: Retriever) -> list[list[str]]:
    from qabot.retriever import passage_terms

    return [passage_terms(retriever.analyzer, p, retriever.document(p.doc_id))
            for p in retriever.passages]


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_scores_are_rank_bm25_scores(retriever: Retriever, variant: str) -> None:
    params = BM25Params(variant=variant, k1=1.2, b=0.75)  # type: ignore[arg-type]
    tokens = _tokens(retriever)
    index = BM25Index(tokens, params)
    ref = make_bm25(tokens, params)
    for query in (["lin", "resign"], ["qwen3.5", "0.8b"], ["unknown"], ["lin", "lin"]):
        assert np.allclose(index.scores(query), ref.get_scores(query), atol=1e-12)


def test_ties_break_by_corpus_order() -> None:
    index = BM25Index([["x"], ["y"], ["x"], ["x"]])
    assert [pos for pos, _ in index.top_k(["x"], 3)] == [0, 2, 3]
    assert index.top_k(["nothing"], 3) == []
