"""Semantic similarity (with ``qabot[semantic]``): each candidate's to the question.

A candidate's ``s_sim`` is the best cosine between the question's embedding and those of
its sentences: a run of sentences is as close as its closest sentence, as its coverage
features read it. The passages' dense ranking is fused with BM25's in retrieval
(``qabot.retrieval.fusion``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qabot.answering.candidates import Candidate, Sentence
from qabot.lru import LRU
from qabot.retrieval.embeddings import SentenceKey, SentenceVectors
from qabot.text.analysis import surface_words


class Similarity:
    """``s_sim`` of each candidate, from the corpus's sentence vectors."""

    def __init__(self, vectors: SentenceVectors) -> None:
        self.vectors = vectors
        # A question asked again, or re-scoped: its vector is remembered.
        self._questions: LRU[str, np.ndarray] = LRU(1000)

    def question(self, text: str) -> np.ndarray:
        return self._questions.get(text, lambda: self.vectors.encoder.query(text))

    def __call__(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        """Per candidate: (its best sentence's cosine to the question, the cosine of the
        sentence before it, of the sentence after it (0 where there is none: a reason or a
        fact is often said next to the sentence that matches), its best sentence's cosine
        to the question without its names)."""
        if not candidates:
            return np.zeros((0, 4))

        def key(c: Candidate, s: Sentence) -> SentenceKey:
            return (c.doc.id, s.start, s.end)

        keys: list[SentenceKey] = list(dict.fromkeys(
            key(c, s) for c in candidates
            for s in (*c.sentences, c.before(), c.after()) if s is not None))
        where = {k: i for i, k in enumerate(keys)}
        matrix = self.vectors.get(keys)
        cos = matrix @ self.question(question)
        # The question without its names: what it asks about them ("What was X's salary?"
        # -> "What was salary?"), which a sentence that only names X does not match.
        asked = without_names(question)
        attr = matrix @ self.question(asked) if asked != question else cos

        def near(c: Candidate, s: Sentence | None) -> float:
            return float(cos[where[key(c, s)]]) if s is not None else 0.0

        return np.array([(max(cos[where[key(c, s)]] for s in c.sentences),
                          near(c, c.before()), near(c, c.after()),
                          max(attr[where[key(c, s)]] for s in c.sentences))
                         for c in candidates],
                        dtype=np.float64).reshape(len(candidates), 4)


def without_names(question: str) -> str:
    """``question`` without its names: capitalised words past the first, and words with
    digits (what the question is about, leaving what it asks of them)."""
    kept = [w for i, (_, _, w) in enumerate(surface_words(question))
            if not (i and w[:1].isupper()) and not any(ch.isdigit() for ch in w)]
    return " ".join(kept) + "?" if kept else question
