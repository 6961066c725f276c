"""Hybrid retrieval, measured: BM25 against dense (sentence embeddings) and their fusions.

    pip install '.[semantic]'
    python eval/bench_hybrid.py [--fold validation] [--pool 50]

SQuAD 2.0 dev as one corpus (1,204 paragraphs, as bench_answers.py builds it), every
sentence embedded; for each answerable question of the fold, where the passages of its
gold paragraph rank. BM25 reads the question as the answerer does (QueryReader); dense
ranks each passage by its best sentence's cosine to the question. Fusions: reciprocal rank
fusion (1 / (c + rank), summed over the two lists' top ``--pool``) for several c, and
BM25's rank list with dense ranks breaking in only at weight w.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import squad_data
from bench_answers import _fold

from qabot.answering.bot import Bot
from qabot.retrieval import embeddings
from qabot.retrieval.fusion import Fusion, fuse
from qabot.retrieval.retriever import Retriever


def ranks_of(order: list[int], gold: set[int]) -> int:
    """1-based rank of the first gold passage in ``order``; 0 when absent."""
    for r, p in enumerate(order, start=1):
        if p in gold:
            return r
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fold", choices=("validation", "train", "all"), default="validation")
    parser.add_argument("--pool", type=int, default=50)
    args = parser.parse_args()
    bench = squad_data.bench_dir()
    split = squad_data.check_split(bench)
    articles = squad_data.load_v2(bench)
    corpus, _ = squad_data.write_corpus(articles, Path("/tmp/qabot-hybrid.jsonl"))
    qs = [q for q in _fold(squad_data.questions(articles), args.fold, split)
          if not q.impossible]
    retriever = Retriever.from_corpus(corpus)
    bot = Bot(retriever)
    encoder = embeddings.encoder()
    if encoder is None:
        print(embeddings.status().reason)
        return 1
    t0 = time.perf_counter()
    vectors = embeddings.vectors_for(retriever, encoder, limit=100_000)
    print(f"{len(vectors):,} sentences embedded in {time.perf_counter() - t0:.0f} s; "
          f"{len(qs):,} answerable questions", flush=True)
    table = retriever.passages
    passages_of: dict[str, set[int]] = {}
    for i in range(len(table)):
        passages_of.setdefault(table.bounds(i)[0], set()).add(i)
    qvecs = [encoder.query(q.question) for q in qs]
    systems: dict[str, list[int]] = {}

    def add(name: str, rank: int) -> None:
        systems.setdefault(name, []).append(rank)

    for q, qv in zip(qs, qvecs, strict=True):
        gold = passages_of[q.doc_id]
        query = bot.reader.read(q.question)
        lexical = [table.position(h.passage_id) for h in
                   retriever.search_terms(query.search, k=args.pool)]
        scores = vectors.passage_scores(qv, retriever)
        assert scores is not None
        dense = np.argsort(-scores, kind="stable")[: args.pool].tolist()
        add("bm25", ranks_of(lexical, gold))
        add("dense", ranks_of(dense, gold))
        for c in (10, 60):
            for w in (1.0, 0.5, 2.0):
                order = fuse(lexical, dense, len(lexical) + len(dense),
                             Fusion(rrf_c=c, dense_weight=w, pool=args.pool))
                add(f"rrf c={c} dense weight {w}", ranks_of(order, gold))
    print("\n| ranking | hit@1 | hit@5 | hit@20 | MRR@20 |\n|---|---:|---:|---:|---:|")
    for name, ranks in systems.items():
        at = np.array(ranks)
        hits = [float(((at > 0) & (at <= k)).mean()) for k in (1, 5, 20)]
        mrr = float(np.where((at > 0) & (at <= 20), 1.0 / np.maximum(at, 1), 0.0).mean())
        print(f"| {name} | {hits[0]:.3f} | {hits[1]:.3f} | {hits[2]:.3f} | {mrr:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
