"""BEIR SciFact (300 test claims) with qabot's analyzer and BM25, beside published BM25 figures.

    python eval/bench_scifact.py [--data ../shared/bench/scifact] [--sweep]

Each abstract is indexed whole (title + text), as in Pyserini's "flat" condition.
Metrics come from ir-measures (pip install '.[test]').
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path

import ir_measures

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import squad_data

from qabot.corpus.load import load_corpus
from qabot.corpus.passages import PassageConfig
from qabot.retrieval.index import BM25Params
from qabot.retrieval.retriever import Retriever

PUBLISHED = [
    ("Pyserini BM25 flat (Lucene k1=0.9 b=0.4)", 0.6789, 0.9253),
    ("Pyserini BM25 multifield", 0.6647, 0.9076),
    ("BEIR paper, Elasticsearch BM25", 0.665, 0.908),
]


def load_queries(data: Path) -> dict[str, str]:
    qrels_ids = set()
    for line in (data / "qrels" / "test.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qrels_ids.add(line.split("\t")[0])
    queries = {}
    for line in (data / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["_id"] in qrels_ids:
            queries[row["_id"]] = row["text"]
    return queries


def run(retriever: Retriever, queries: dict[str, str], depth: int = 100
        ) -> tuple[list[ir_measures.ScoredDoc], float]:
    scored = []
    start = time.perf_counter()
    for qid, text in queries.items():
        seen: set[str] = set()
        for hit in retriever.search(text, k=depth * 3):
            if hit.doc_id in seen:
                continue  # several passages of one abstract: keep the best
            seen.add(hit.doc_id)
            scored.append(ir_measures.ScoredDoc(qid, hit.doc_id, hit.score))
            if len(seen) == depth:
                break
    return scored, (time.perf_counter() - start) / max(len(queries), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None,
                        help="default: scifact/ in $QABOT_BENCH or ../shared/bench")
    parser.add_argument("--sweep", action="store_true", help="also try other BM25 settings")
    args = parser.parse_args()
    if args.data is None:
        args.data = squad_data.bench_dir("scifact") / "scifact"
    qrels = [
        ir_measures.Qrel(q, d, int(r))
        for q, d, r in (line.split("\t") for line in
                        (args.data / "qrels" / "test.tsv").read_text(encoding="utf-8")
                        .splitlines()[1:])
    ]
    queries = load_queries(args.data)
    t0 = time.perf_counter()
    corpus = load_corpus(args.data / "corpus.jsonl")
    load_s = time.perf_counter() - t0
    whole = PassageConfig(max_words=100_000, overlap=0)
    settings: list[tuple[str, PassageConfig, BM25Params]] = [
        ("qabot default (BM25+ k1=1.2 b=0.75)", whole, BM25Params()),
    ]
    if args.sweep:
        for variant in ("plus", "okapi", "l"):
            for k1, b in ((0.9, 0.4), (1.2, 0.75), (1.5, 0.75), (1.2, 0.5)):
                settings.append((f"{variant} k1={k1} b={b}", whole,
                                 BM25Params(variant=variant, k1=k1, b=b)))
        settings.append(("qabot default, 80-word passages, max per doc", PassageConfig(),
                         BM25Params()))
    measures = [ir_measures.nDCG @ 10, ir_measures.R @ 100]
    print(f"BEIR SciFact test: {len(queries)} queries, {len(corpus.documents)} documents "
          f"(loaded in {load_s:.1f} s); {date.today()}, {platform.machine()}, "
          f"{platform.python_implementation()} {platform.python_version()}")
    print()
    print("| system | nDCG@10 | R@100 | query ms |")
    print("|---|---:|---:|---:|")
    for name, pcfg, bm25 in settings:
        retriever = Retriever.from_corpus(corpus, passages=pcfg, bm25=bm25)
        scored, per_query = run(retriever, queries)
        agg = ir_measures.calc_aggregate(measures, qrels, scored)
        print(f"| {name} | {agg[measures[0]]:.4f} | {agg[measures[1]]:.4f} | "
              f"{per_query * 1000:.1f} |")
    for name, ndcg, r100 in PUBLISHED:
        print(f"| {name} (published) | {ndcg:.4f} | {r100:.4f} | – |")


if __name__ == "__main__":
    main()
