"""BM25 over passages as a numpy inverted index, scoring exactly like rank-bm25.

Each posting stores its BM25 weight, computed at build time, so a query touches only the
postings of its own terms. ``make_bm25`` builds the rank-bm25 model that the tests use as
the reference (maximum absolute score difference 1e-9).
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

Variant = Literal["okapi", "l", "plus"]


class BM25Params(BaseModel):
    """Ranking function and its parameters: BM25+ with k1 1.2, b 0.75 (rank-bm25's
    defaults; BEIR SciFact nDCG@10 0.6848, see docs/benchmarks.md, "Public benchmarks")."""

    model_config = ConfigDict(frozen=True)

    variant: Variant = "plus"
    k1: float = Field(default=1.2, gt=0)
    b: float = Field(default=0.75, ge=0, le=1)
    delta: float = Field(default=1.0, ge=0, description="BM25L/BM25+ lower bound.")
    epsilon: float = Field(default=0.25, ge=0, description="BM25Okapi idf floor factor.")


def make_bm25(tokens: Sequence[Sequence[str]], params: BM25Params):  # type: ignore[no-untyped-def]
    """The rank-bm25 model for ``params``: the reference the fast path must match."""
    import rank_bm25

    docs = [list(t) for t in tokens]
    if params.variant == "okapi":
        return rank_bm25.BM25Okapi(docs, k1=params.k1, b=params.b, epsilon=params.epsilon)
    if params.variant == "l":
        return rank_bm25.BM25L(docs, k1=params.k1, b=params.b, delta=params.delta)
    return rank_bm25.BM25Plus(docs, k1=params.k1, b=params.b, delta=params.delta)


def _idf(params: BM25Params, df: np.ndarray, n: int) -> np.ndarray:
    """rank-bm25's idf for each term, from document frequencies."""
    if params.variant == "l":
        return np.asarray(np.log(n + 1) - np.log(df + 0.5), dtype=np.float64)
    if params.variant == "plus":
        return np.asarray(np.log((n + 1) / df), dtype=np.float64)
    # Okapi: log((N - df + 0.5) / (df + 0.5)), negative values replaced by
    # epsilon * mean idf (rank-bm25 computes both with math.log, term by term).
    idf = np.array([math.log(n - f + 0.5) - math.log(f + 0.5) for f in df.tolist()])
    if idf.size:
        floor = params.epsilon * (math.fsum(idf.tolist()) / idf.size)
        idf[idf < 0] = floor
    return idf


class _Vocabulary(dict[str, int]):
    """term -> row number, a new row for each new term (looked up at C speed)."""

    def __missing__(self, term: str) -> int:
        row = self[term] = len(self)
        return row


class BM25Index:
    """Inverted index: ``vocab`` term -> row; CSR arrays of passage ids and posting weights."""

    def __init__(
        self,
        vocab: dict[str, int],
        indptr: np.ndarray,
        postings: np.ndarray,
        weights: np.ndarray,
        idf: np.ndarray,
        n_passages: int,
        params: BM25Params,
    ) -> None:
        self.vocab = vocab
        self.indptr = indptr
        self.postings = postings
        self.weights = weights
        self.idf_values = idf
        self.n_passages = n_passages
        self.params = params
        self._lock = threading.Lock()
        self._acc = np.zeros(0)

    @classmethod
    def build(cls, tokens: Iterable[Sequence[str]], params: BM25Params | None = None
              ) -> BM25Index:
        params = params or BM25Params()
        vocab = _Vocabulary()
        ids = array("l")  # term ids of all passages, 8 bytes each, not Python ints
        lengths = array("l")
        for terms in tokens:  # may be a generator: token lists are not all kept
            lengths.append(len(terms))
            ids.extend(map(vocab.__getitem__, terms))
        n = len(lengths)
        if n == 0:
            raise ValueError("cannot index an empty list of passages")
        # (term, passage) pairs with their counts, sorted by term then passage, in numpy.
        keys = np.frombuffer(ids, dtype=np.int64) * n
        del ids
        start = 0
        for doc, length in enumerate(lengths):  # += passage number, without a repeat array
            keys[start : start + length] += doc
            start += length
        # Sort in place and count runs: np.unique would hold two more copies of the keys.
        keys.sort()
        first = _run_starts(keys)
        starts = np.flatnonzero(first)
        del first
        tf_counts = np.diff(np.append(starts, keys.size)).astype(np.int32)
        keys = keys[starts]
        del starts
        t = (keys // n).astype(np.int32)
        d = (keys % n).astype(np.int32)
        del keys
        counts = np.bincount(t, minlength=len(vocab))
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        df = counts.astype(np.float64)
        doc_len = np.frombuffer(lengths, dtype=np.int64).astype(np.float64)
        total = int(doc_len.sum())
        avgdl = total / n if total else 1.0
        idf = _idf(params, df, n)
        # Weights in slices, so the formula's temporaries stay small.
        weights = np.empty(t.size, dtype=np.float64)
        step = 1 << 22
        for lo in range(0, t.size, step):
            hi = lo + step
            weights[lo:hi] = _posting_weights(params, idf[t[lo:hi]],
                                              tf_counts[lo:hi].astype(np.float64),
                                              doc_len[d[lo:hi]], avgdl)
        del t, tf_counts
        return cls(dict(vocab), indptr, d, weights, idf, n, params)

    # -- statistics ----------------------------------------------------------------------

    def document_frequency(self, term: str) -> int:
        row = self.vocab.get(term)
        return 0 if row is None else int(self.indptr[row + 1] - self.indptr[row])

    def _rows(self, query: Sequence[str]) -> list[tuple[int, int]]:
        """(row, multiplicity) of each known query term; repeats count, as in rank-bm25."""
        counts = Counter(query)
        return [(self.vocab[t], c) for t, c in counts.items() if t in self.vocab]

    def _base(self, query: Sequence[str]) -> float:
        """BM25+ gives every passage idf * delta per query term, matching or not."""
        if self.params.variant != "plus":
            return 0.0
        return sum(float(self.idf_values[row]) * c * self.params.delta
                   for row, c in self._rows(query))

    # -- scoring -------------------------------------------------------------------------

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage, equal to rank-bm25's ``get_scores``."""
        out = np.full(self.n_passages, self._base(query))
        for row, count in self._rows(query):
            lo, hi = self.indptr[row], self.indptr[row + 1]
            out[self.postings[lo:hi]] += count * self.weights[lo:hi]
        return out

    def candidate_scores(self, query: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the passages sharing a query term, touching only postings."""
        rows = self._rows(query)
        if not rows:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        with self._lock:
            if self._acc.size != self.n_passages:
                self._acc = np.zeros(self.n_passages)
            acc = self._acc
            touched = []
            for row, count in rows:
                lo, hi = self.indptr[row], self.indptr[row + 1]
                ids = self.postings[lo:hi]
                acc[ids] += count * self.weights[lo:hi]  # ids are unique within a row
                touched.append(ids)
            ids = np.concatenate(touched) if len(touched) > 1 else touched[0]
            cand = _unique(ids) if len(touched) > 1 else ids.copy()
            values = acc[cand] + self._base(query)
            acc[cand] = 0.0
        return cand, values

    def top_k(self, query: Sequence[str], k: int, allowed: Sequence[int] | None = None
              ) -> list[tuple[int, float]]:
        """Best ``k`` matching passages as (position, score), ties broken by corpus order.

        ``allowed``: only these passage positions compete."""
        cand, values = self.candidate_scores(query)
        if allowed is not None and cand.size:
            keep = np.isin(cand, np.asarray(allowed, dtype=np.int64))
            cand, values = cand[keep], values[keep]
        if k <= 0 or cand.size == 0:
            return []
        if cand.size > k:
            # Everything scoring at least the k-th best value, then an exact ordering.
            kth = np.partition(values, cand.size - k)[cand.size - k]
            keep = values >= kth
            cand, values = cand[keep], values[keep]
        order = np.lexsort((cand, -values))[:k]
        return [(int(cand[i]), float(values[i])) for i in order]


def _posting_weights(params: BM25Params, idf: np.ndarray, tf: np.ndarray,
                     dl: np.ndarray, avgdl: float) -> np.ndarray:
    """Each posting's share of the score, in rank-bm25's arithmetic."""
    k1, b = params.k1, params.b
    if params.variant == "okapi":
        w = idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)))
    elif params.variant == "l":
        ctd = tf / (1 - b + b * dl / avgdl)
        w = idf * tf * (k1 + 1) * (ctd + params.delta) / (k1 + ctd + params.delta)
    else:
        # BM25+: the delta part is in ``_base``; the posting keeps the tf part.
        w = idf * ((tf * (k1 + 1)) / (k1 * (1 - b + b * dl / avgdl) + tf))
    return np.asarray(w, dtype=np.float64)


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """For sorted values, True where a run of equal values starts."""
    first = np.empty(ordered.size, dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first


def _unique(ids: np.ndarray) -> np.ndarray:
    """Sorted distinct values, as ``np.unique`` gives, without its import of ``numpy.ma``
    (7 ms of every cold start, measured with ``python -X importtime``)."""
    ids = np.sort(ids)
    return np.asarray(ids[_run_starts(ids)])

