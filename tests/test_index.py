from __future__ import annotations

import numpy as np
import pytest
import rank_bm25
from hypothesis import given, settings
from hypothesis import strategies as st

from qabot.retrieval.index import BM25Index, BM25Params, make_bm25
from qabot.retrieval.retriever import Retriever


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
    index = BM25Index.build(docs, BM25Params())
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
    from qabot.retrieval.retriever import passage_terms

    return [passage_terms(retriever.analyzer, p, retriever.document(p.doc_id))
            for p in retriever.passages]


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_scores_are_rank_bm25_scores(retriever: Retriever, variant: str) -> None:
    params = BM25Params(variant=variant, k1=1.2, b=0.75)  # type: ignore[arg-type]
    tokens = _tokens(retriever)
    index = BM25Index.build(tokens, params)
    ref = make_bm25(tokens, params)
    for query in (["lin", "resign"], ["qwen3.5", "0.8b"], ["unknown"], ["lin", "lin"]):
        assert np.allclose(index.scores(query), ref.get_scores(query), atol=1e-12)


def test_ties_break_by_corpus_order() -> None:
    index = BM25Index.build([["x"], ["y"], ["x"], ["x"]])
    assert [pos for pos, _ in index.top_k(["x"], 3)] == [0, 2, 3]
    assert index.top_k(["nothing"], 3) == []


_words = st.sampled_from(["lin", "qwen", "alibaba", "memo", "resign", "zhou", "a", "b"])
_corpora = st.lists(st.lists(_words, max_size=12), min_size=1, max_size=25)
_queries = st.lists(st.sampled_from(["lin", "qwen", "memo", "zhou", "unknown", "a"]),
                    min_size=0, max_size=5)


@settings(max_examples=300, deadline=None)
@given(_corpora, _queries, st.sampled_from(["okapi", "l", "plus"]),
       st.floats(0.1, 3.0), st.floats(0.0, 1.0))
def test_fast_scores_equal_rank_bm25(corpus: list[list[str]], query: list[str], variant: str,
                                     k1: float, b: float) -> None:
    params = BM25Params(variant=variant, k1=k1, b=b)  # type: ignore[arg-type]
    if not any(corpus):
        corpus = [*corpus[:-1], ["a"]]  # rank-bm25 divides by the mean length
    index = BM25Index.build(corpus, params)
    with np.errstate(invalid="ignore", divide="ignore"):
        ref = np.asarray(make_bm25(corpus, params).get_scores(query))
    # rank-bm25 gives NaN (0/0) for an empty passage when b = 1 and the term is absent;
    # qabot gives the limit (no contribution). Everywhere else the scores must agree.
    assert not np.isnan(index.scores(query)).any()
    ref = np.where(np.isnan(ref), index.scores(query), ref)
    assert np.max(np.abs(index.scores(query) - ref), initial=0.0) <= 1e-9
    cand, values = index.candidate_scores(query)
    assert np.max(np.abs(values - ref[cand]), initial=0.0) <= 1e-9
    matching = {i for i, doc in enumerate(corpus) if set(doc) & set(query)}
    assert set(cand.tolist()) == matching
    top = index.top_k(query, 3)
    expected = sorted(matching, key=lambda i: (-ref[i], i))[:3]
    assert [p for p, _ in top] == expected or np.allclose(
        [s for _, s in top], [ref[i] for i in expected], atol=1e-9)


@pytest.mark.parametrize(
    "corpus",
    [
        [["x"]],  # one passage
        [["x", "y"], ["x", "y"], ["x", "y"]],  # all passages identical
        [["x"], ["x", "z"], ["x"]],  # a term in every passage
    ],
)
@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_degenerate_corpora(corpus: list[list[str]], variant: str) -> None:
    params = BM25Params(variant=variant)  # type: ignore[arg-type]
    index = BM25Index.build(corpus, params)
    ref = make_bm25(corpus, params)
    for query in (["x"], ["x", "x"], ["nothing"], ["z", "x"], []):
        assert np.max(np.abs(index.scores(query) - ref.get_scores(query))) <= 1e-9
