"""Hybrid retrieval: the BM25 ranking and the dense one (each passage's best sentence
cosine to the question) fused by reciprocal rank fusion.

    score(p) = 1 / (rrf_c + bm25 rank) + dense_weight / (rrf_c + dense rank)

over each list's top ``pool`` passages.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field


class Fusion(BaseModel):
    """The fusion's constants. Chosen on the SQuAD training articles' questions for hit@5
    (eval/bench_hybrid.py --fold train: BM25 0.925, dense 0.909; rrf_c=10: 0.953 at weight
    1, 0.949 at 0.5; rrf_c=60: 0.945 at both); reported on the validation articles in
    docs/benchmarks.md."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rrf_c: int = Field(default=10, ge=0, description="RRF's rank offset (10: bench_hybrid.py).")
    dense_weight: float = Field(default=1.0, ge=0.0, description="The dense ranking's weight "
                                "against BM25's 1 (1.0: bench_hybrid.py).")
    pool: int = Field(default=50, ge=1, description="Passages taken from each ranking (50: "
                      "bench_hybrid.py); a larger k takes k.")


def fuse(lexical: Sequence[int], dense: Sequence[int], k: int,
         fusion: Fusion | None = None) -> list[int]:
    """The ``k`` best passage positions of the fused ranking (ties: corpus order)."""
    f = fusion or Fusion()
    pool = max(f.pool, k)  # -k 100 still gets 100 passages
    fused: dict[int, float] = {}
    for rank, p in enumerate(lexical[:pool], start=1):
        fused[p] = fused.get(p, 0.0) + 1.0 / (f.rrf_c + rank)
    for rank, p in enumerate(dense[:pool], start=1):
        fused[p] = fused.get(p, 0.0) + f.dense_weight / (f.rrf_c + rank)
    return sorted(fused, key=lambda p: (-fused[p], p))[:k]
