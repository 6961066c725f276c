"""Decide: which candidate answers, how sure qabot is, and whether to abstain.

"No answer" is one decision on one calibrated probability: the answerability model's
probability that the best candidate is a right answer, against one threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from qabot.answering.candidates import Candidate
from qabot.answering.features import NAMES

# Question-level columns, beside the best candidate's own feature row.
QUESTION_FEATURES: dict[str, str] = {
    "a_top": "the ranker's probability for the best candidate",
    "a_second": "the ranker's probability for the best candidate that does not overlap it",
    "a_gap": "a_top minus a_second",
    "a_mass": "sum of the ranker's probabilities over all candidates",
    "a_docs": "log(1 + articles among the candidates within half of a_top)",
}
QUESTION_NAMES: tuple[str, ...] = (*QUESTION_FEATURES, *NAMES)

# What one more sentence must add to the probability that a candidate holds the answer
# before a run of sentences is preferred to a shorter one. With 0.1, on the SQuAD training
# articles (out of fold), 73% of answers are one sentence (mean 1.31) and the forced best
# candidate holds the answer for 77.4% of answerable questions; with no cost, 43% and
# 79.1%; with 0.3, 90% and 75.5% (eval/train_answerer.py).
SENTENCE_COST = 0.1


class Decision(BaseModel):
    """The outcome for one question: the chosen candidates (indices), or none."""

    model_config = ConfigDict(frozen=True)

    answered: bool
    confidence: float  # probability that the answer is right (0 when there is no candidate)
    chosen: tuple[int, ...]  # candidate indices, best first; empty when abstaining
    best: int | None  # the best candidate, even when abstaining


def spans(candidates: Sequence[Candidate]) -> np.ndarray:
    """Each candidate as (article number, start, end): what overlap and spread are read from."""
    number: dict[str, int] = {}
    return np.array([(number.setdefault(c.doc.id, len(number)), c.start, c.end)
                     for c in candidates], dtype=np.int64).reshape(len(candidates), 3)


def best(probs: np.ndarray, sizes: np.ndarray) -> int:
    """The candidate with the highest probability, less ``SENTENCE_COST`` per extra
    sentence (the first of equals)."""
    return int(np.argmax(probs - SENTENCE_COST * (sizes - 1)))


def question_row(where: np.ndarray, matrix: np.ndarray, probs: np.ndarray, best: int
                 ) -> np.ndarray:
    """The answerability model's input, ``QUESTION_NAMES``, from the candidates' ``spans``,
    feature rows and ranker probabilities, for the chosen candidate ``best``."""
    top = float(probs[best])
    doc, start, end = where[:, 0], where[:, 1], where[:, 2]
    overlaps = (doc == doc[best]) & (start < end[best]) & (start[best] < end)
    rest = probs[~overlaps]
    second = float(rest.max()) if rest.size else 0.0
    close = len(set(doc[probs >= top / 2].tolist()))
    extra = [top, second, top - second, float(probs.sum()), float(np.log1p(close))]
    return np.concatenate([np.asarray(extra), matrix[best]])


def decide(where: np.ndarray, probs: np.ndarray, sizes: np.ndarray,
           confidence: Callable[[int], float], threshold: float,
           other_article: bool = True) -> Decision:
    """Answer with the best candidate when its ``confidence`` (the answerability model's
    probability, for a candidate index) reaches ``threshold``. With ``other_article``, the
    best candidate of another article is cited too when it reaches the same threshold."""
    if not len(probs):
        return Decision(answered=False, confidence=0.0, chosen=(), best=None)
    chosen = best(probs, sizes)
    p = confidence(chosen)
    if p < threshold:
        return Decision(answered=False, confidence=p, chosen=(), best=chosen)
    picks = [chosen]
    others = where[:, 0] != where[chosen, 0]
    if other_article and others.any():
        second = int(np.flatnonzero(others)[best(probs[others], sizes[others])])
        if confidence(second) >= threshold:
            picks.append(second)
    return Decision(answered=True, confidence=p, chosen=tuple(picks), best=chosen)
