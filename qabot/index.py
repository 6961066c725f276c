"""BM25 over passages (rank-bm25), plus the per-term statistics the answerer needs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import rank_bm25
from pydantic import BaseModel, ConfigDict, Field

Variant = Literal["okapi", "l", "plus"]


class BM25Params(BaseModel):
    """Ranking function and its parameters (chosen by eval; see README, "Tuning")."""

    model_config = ConfigDict(frozen=True)

    variant: Variant = "plus"
    k1: float = Field(default=1.2, gt=0)
    b: float = Field(default=0.75, ge=0, le=1)
    delta: float = Field(default=1.0, ge=0, description="BM25L/BM25+ lower bound.")
    epsilon: float = Field(default=0.25, ge=0, description="BM25Okapi idf floor factor.")


def make_bm25(tokens: Sequence[Sequence[str]], params: BM25Params) -> rank_bm25.BM25:
    """The rank-bm25 model for ``params``: the reference every scoring path must match."""
    docs = [list(t) for t in tokens]
    if params.variant == "okapi":
        return rank_bm25.BM25Okapi(docs, k1=params.k1, b=params.b, epsilon=params.epsilon)
    if params.variant == "l":
        return rank_bm25.BM25L(docs, k1=params.k1, b=params.b, delta=params.delta)
    return rank_bm25.BM25Plus(docs, k1=params.k1, b=params.b, delta=params.delta)


class BM25Index:
    """Scores every passage for a tokenized query."""

    def __init__(self, tokens: Sequence[Sequence[str]], params: BM25Params | None = None) -> None:
        if not tokens:
            raise ValueError("cannot index an empty list of passages")
        self.params = params or BM25Params()
        # rank-bm25 divides by the average length: an all-empty corpus needs one dummy token.
        safe = [list(t) if any(tokens) else ["\x00"] for t in tokens]
        self._model = make_bm25(safe, self.params)
        self.n_passages = len(tokens)
        self._postings: dict[str, set[int]] = {}
        for i, terms in enumerate(tokens):
            for term in set(terms):
                self._postings.setdefault(term, set()).add(i)

    def idf(self, term: str) -> float:
        """A positive rarity weight for answer scoring: log(1 + N / df), 0 for unknown terms."""
        df = len(self._postings.get(term, ()))
        return math.log(1.0 + self.n_passages / df) if df else 0.0

    def document_frequency(self, term: str) -> int:
        return len(self._postings.get(term, ()))

    def matching(self, query: Sequence[str]) -> np.ndarray:
        """Boolean mask of passages that contain at least one query term."""
        mask = np.zeros(self.n_passages, dtype=bool)
        for term in set(query):
            for i in self._postings.get(term, ()):
                mask[i] = True
        return mask

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage (rank-bm25's ``get_scores``)."""
        return np.asarray(self._model.get_scores(list(query)), dtype=np.float64)

    def top_k(self, query: Sequence[str], k: int, allowed: Sequence[int] | None = None
              ) -> list[tuple[int, float]]:
        """Best ``k`` matching passages as (position, score), ties broken by corpus order.

        ``allowed``: only these passage positions compete."""
        mask = self.matching(query)
        if allowed is not None:
            keep = np.zeros(self.n_passages, dtype=bool)
            keep[np.asarray(allowed, dtype=np.int64)] = True
            mask &= keep
        candidates = np.flatnonzero(mask)
        if k <= 0 or candidates.size == 0:
            return []
        scores = self.scores(query)[candidates]
        order = np.lexsort((candidates, -scores))[:k]
        return [(int(candidates[i]), float(scores[i])) for i in order]
