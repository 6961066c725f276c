"""Build time, query latency, peak memory and index size: qabot vs rank-bm25 vs bm25s.

    python eval/bench_perf.py [--sizes 10000 100000 1000000] [--queries 200]

Synthetic corpora are seeded, with a Zipf-distributed vocabulary and ~60 words per passage;
SciFact (5,183 abstracts) is the real-text row. Each system and size runs in its own
process, so peak memory (max RSS) is that system's alone. Build time includes tokenizing.
rank-bm25 is run up to 100k passages (it scores every passage in Python for every term).
Needs `pip install '.[test,bench]'`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import squad_data

VOCAB = 200_000


def _scifact() -> Path:
    return squad_data.bench_dir("scifact") / "scifact" / "corpus.jsonl"


def synthetic(n: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(40, 81, size=n)
    ranks = np.minimum(rng.zipf(1.15, size=int(lengths.sum())), VOCAB).astype(np.int32)
    names = [f"w{i}" for i in range(VOCAB + 1)]
    out, pos = [], 0
    for length in lengths.tolist():
        out.append(" ".join([names[r] for r in ranks[pos : pos + length].tolist()]) + ".")
        pos += length
    return out


def queries(n: int, seed: int = 11) -> list[str]:
    rng = np.random.default_rng(seed)
    # Query words from the middle of the vocabulary (ranks 20..5000), 2-5 words each.
    return [" ".join(f"w{r}" for r in rng.integers(20, 5000, size=rng.integers(2, 6)))
            for _ in range(n)]


def texts_for(corpus: str) -> list[str]:
    if corpus == "scifact":
        rows = [json.loads(line) for line in _scifact().read_text(encoding="utf-8").splitlines()]
        return [f"{r['title']}. {r['text']}" for r in rows]
    return synthetic(int(corpus))


def run_one(system: str, corpus: str, n_queries: int) -> dict[str, float]:
    texts = texts_for(corpus)
    qs = queries(n_queries) if corpus != "scifact" else [
        json.loads(line)["text"] for line in
        (_scifact().parent / "queries.jsonl").read_text(encoding="utf-8").splitlines()[:n_queries]]
    latencies: list[float] = []
    size = 0
    t0 = time.perf_counter()
    if system == "qabot":
        from qabot.corpus.passages import PassageConfig
        from qabot.models import Corpus, Document
        from qabot.retrieval.retriever import Retriever

        docs = tuple(Document(id=f"d{i}", title="", source=f"d{i}", body_start=0,
                              body_end=len(t), text=t) for i, t in enumerate(texts))
        cfg = PassageConfig(max_words=100_000)  # one passage per synthetic document
        with tempfile.TemporaryDirectory() as cache:
            os.environ["XDG_CACHE_HOME"] = cache
            r = Retriever.from_corpus(Corpus(root="mem", documents=docs), passages=cfg,
                                      cache=True)
            build = time.perf_counter() - t0
            size = r.cache_path.stat().st_size if r.cache_path else 0
        for q in qs:
            s = time.perf_counter()
            r.search(q, k=10)
            latencies.append(time.perf_counter() - s)
    elif system == "rank-bm25":
        import rank_bm25

        from qabot.text.analysis import Analyzer

        a = Analyzer()
        model = rank_bm25.BM25Plus([a.tokenize(t) for t in texts])
        build = time.perf_counter() - t0
        for q in qs:
            s = time.perf_counter()
            scores = model.get_scores(a.tokenize(q))
            np.argsort(scores)[::-1][:10]
            latencies.append(time.perf_counter() - s)
    else:
        import bm25s
        import Stemmer

        stemmer = Stemmer.Stemmer("english")
        model = bm25s.BM25()
        model.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer,
                                   show_progress=False), show_progress=False)
        build = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as d:
            model.save(d)
            size = sum(p.stat().st_size for p in Path(d).iterdir())
        for q in qs:
            s = time.perf_counter()
            tok = bm25s.tokenize([q], stopwords="en", stemmer=stemmer, show_progress=False)
            if tok.vocab:
                model.retrieve(tok, k=min(10, len(texts)), show_progress=False)
            latencies.append(time.perf_counter() - s)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB on Linux
    ms = np.array(latencies) * 1000
    return {"build_s": build, "p50_ms": float(np.percentile(ms, 50)),
            "p95_ms": float(np.percentile(ms, 95)), "peak_mib": peak, "size_mb": size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["10000", "100000", "1000000"])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--one", nargs=2, metavar=("SYSTEM", "CORPUS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.queries)))
        return
    print(f"{date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.python_implementation()} {platform.python_version()}; "
          f"{args.queries} queries per row; ratios are the other system over qabot")
    print()
    print("| corpus | system | build s | p50 ms | p95 ms | peak MiB | index MB | "
          "build ratio | p50 ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for corpus in [*args.sizes, "scifact"]:
        rows = {}
        for system in ("qabot", "rank-bm25", "bm25s"):
            if system == "rank-bm25" and corpus not in ("scifact",) and int(corpus) > 100_000:
                continue
            proc = subprocess.run([sys.executable, __file__, "--one", system, corpus,
                                   "--queries", str(args.queries)],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"| {corpus} | {system} | failed: {proc.stderr.strip()[-200:]} |")
                continue
            rows[system] = json.loads(proc.stdout.strip().splitlines()[-1])
        base = rows.get("qabot")
        for system, r in rows.items():
            ratio_b = f"{r['build_s'] / base['build_s']:.2f}" if base else "–"
            ratio_q = f"{r['p50_ms'] / base['p50_ms']:.1f}" if base else "–"
            size = f"{r['size_mb']:.1f}" if r["size_mb"] else "–"
            label = f"{int(corpus):,}" if corpus.isdigit() else corpus
            print(f"| {label} | {system} | {r['build_s']:.1f} | {r['p50_ms']:.2f} | "
                  f"{r['p95_ms']:.2f} | {r['peak_mib']:.0f} | {size} | {ratio_b} | {ratio_q} |",
                  flush=True)


if __name__ == "__main__":
    main()
