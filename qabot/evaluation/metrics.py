"""SQuAD's answer metrics (normalised text, exact match, F1) and one ranking's retrieval
figures: the one copy ``qabot eval`` and the scripts in ``eval/`` share."""

from __future__ import annotations

import math
import string
from collections import Counter
from collections.abc import Sequence

import regex

_MARKER = regex.compile(r"\s*\[\d+\]")


def normalize_answer(text: str) -> str:
    """Lower case, strip punctuation and articles, collapse white space (SQuAD v1.1)."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = regex.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def strip_markers(answer: str) -> str:
    """An answer's text without its citation markers ("[1]")."""
    return _MARKER.sub("", answer)


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in golds))


def f1_score(prediction: str, golds: Sequence[str]) -> float:
    pred = normalize_answer(prediction).split()
    best = 0.0
    for gold in golds:
        ref = normalize_answer(gold).split()
        common = Counter(pred) & Counter(ref)
        same = sum(common.values())
        if same == 0:
            continue
        precision, recall = same / len(pred), same / len(ref)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def retrieval_scores(relevance: Sequence[bool], total_relevant: int) -> dict[str, float]:
    """Recall@1/3/5 (any relevant in top k), MRR@10 and binary nDCG@10 of one ranking."""
    out = {f"R@{k}": float(any(relevance[:k])) for k in (1, 3, 5)}
    first = next((i for i, r in enumerate(relevance[:10]) if r), None)
    out["MRR@10"] = 0.0 if first is None else 1.0 / (first + 1)
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(relevance[:10]) if r)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(total_relevant, 10)))
    out["nDCG@10"] = dcg / ideal if ideal else 0.0
    return out
