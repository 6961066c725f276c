"""Decide: which candidate answers, how sure qabot is, and whether to abstain.

"No answer" is one decision on one calibrated probability: the answerability model's
probability that the best candidate is a right answer, against one threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

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

class Policy(BaseModel):
    """How the ranker's probabilities become an answer; fitted with the model and stored in
    its file (``decision``), so each value says where it came from there."""

    model_config = ConfigDict(frozen=True)

    sentence_cost: float = Field(
        default=0.1, ge=-1.0, le=1.0,
        description="What one more sentence must add to a candidate's probability before a "
        "run of sentences is preferred to a shorter one (negative: what a run is preferred "
        "by, per extra sentence; runs stay within 3 sentences and 600 characters).")
    second: float = Field(
        default=1.0, ge=0.0, le=1.0,
        description="The answerability a second article's best candidate needs to be cited "
        "too (1.0: never).")


# The value of a model file that predates the fitted policy: with a cost of 0.1, on the
# SQuAD training articles (out of fold), 73% of answers were one sentence and the forced
# best candidate held the answer for 77.4% of answerable questions (no cost: 43%, 79.1%;
# 0.3: 90%, 75.5%); a second article was cited when it passed the answer threshold itself.
SENTENCE_COST = Policy().sentence_cost


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


def best(probs: np.ndarray, sizes: np.ndarray, cost: float = SENTENCE_COST) -> int:
    """The candidate with the highest probability, less ``cost`` per extra sentence (the
    first of equals)."""
    return int(np.argmax(probs - cost * (sizes - 1)))


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


# The most an answer says, all its quotes together: the reference scorers count an answer
# over 800 characters as wrong, and a terminal answer should stay short (one candidate is
# at most 600 characters when it is a run, candidates.MAX_RUN_CHARS).
ANSWER_MAX_CHARS = 800


def _within(probs: np.ndarray, sizes: np.ndarray, lengths: np.ndarray, allowed: np.ndarray,
            budget: int, cost: float) -> int | None:
    """``best`` among the ``allowed`` candidates at most ``budget`` characters long (when
    none fits, the shortest allowed one); None when none is allowed."""
    fits = allowed & (lengths <= budget)
    if not fits.any():
        if not allowed.any():
            return None
        fits = allowed & (lengths == lengths[allowed].min())
    where = np.flatnonzero(fits)
    return int(where[best(probs[where], sizes[where], cost)])


def decide(where: np.ndarray, probs: np.ndarray, sizes: np.ndarray,
           confidence: Callable[[int], float], threshold: float,
           other_article: bool = True, policy: Policy | None = None, both: bool = False,
           budget: int = ANSWER_MAX_CHARS, allowed: np.ndarray | None = None) -> Decision:
    """Answer with the best candidate (``policy.sentence_cost`` per extra sentence) when its
    ``confidence`` (the answerability model's probability, for a candidate index) reaches
    ``threshold``. With ``other_article``, the best candidate of another article is cited
    too when its own confidence reaches the threshold or ``policy.second``, whichever is
    higher (``both``, a question that compares or asks of both sides: the threshold
    alone): a question about two articles' stories gets one sentence from each. All the
    chosen quotes together stay within ``budget`` characters. ``allowed``: the candidates
    that may answer (None: all); the second part of a two-part question may not repeat what
    the first part cited."""
    policy = policy or Policy(second=threshold)
    if not len(probs):
        return Decision(answered=False, confidence=0.0, chosen=(), best=None)
    lengths = where[:, 2] - where[:, 1]
    cost = policy.sentence_cost
    mask = np.ones(len(probs), dtype=bool) if allowed is None else allowed
    chosen = _within(probs, sizes, lengths, mask, budget, cost)
    if chosen is None:
        return Decision(answered=False, confidence=0.0, chosen=(), best=None)
    p = confidence(chosen)
    if p < threshold:
        return Decision(answered=False, confidence=p, chosen=(), best=chosen)
    picks = [chosen]
    others = (where[:, 0] != where[chosen, 0]) & mask
    room = budget - int(lengths[chosen]) - 1
    if other_article and others.any() and room > 0:
        second = _within(probs, sizes, lengths, others & (lengths <= room), room, cost)
        if second is not None and confidence(second) >= (
                threshold if both else max(threshold, policy.second)):
            picks.append(second)
    return Decision(answered=True, confidence=p, chosen=tuple(picks), best=chosen)
