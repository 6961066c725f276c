"""How long a timeline takes over a big folder: issue 24's goal is under 0.5 s warm at
10,000 files.

    python eval/bench_time.py [--files 10000] [--folder DIR]

The folder is made once (in DIR, default a temporary one): copies of news-dev's articles,
each under a headline and a date line, the dates one day apart, so that every file is
distinct and dated. Printed: the cold index build, then a warm ``qabot timeline QUERY``
and ``qabot timeline --json`` (every event) as a user runs them (a new process each, the
median of 5), and the library's ``timeline()`` on the loaded index.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import squad_data

from qabot.answering.timeline import timeline
from qabot.corpus.load import load_corpus
from qabot.retrieval.retriever import Retriever


def make_folder(folder: Path, files: int) -> None:
    news = load_corpus(squad_data.bench_dir("news-dev") / "news-dev" / "corpus")
    docs = [d for d in news.documents if d.date is not None]
    start = dt.date(2000, 1, 1)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        doc = docs[i % len(docs)]
        day = start + dt.timedelta(days=i)
        text = f"{doc.title} ({i})\n{day.strftime('%B %-d, %Y')}\n\n{doc.body}\n"
        (folder / f"{i:05d}.txt").write_text(text, encoding="utf-8")


def _median_seconds(cmd: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=False, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--folder", type=Path, default=None)
    args = ap.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="qabot-time-")) / "news"
    if not folder.exists() or not any(folder.iterdir()):
        make_folder(folder, args.files)
    qabot = [sys.executable, "-m", "qabot"]
    t = time.perf_counter()
    subprocess.run([*qabot, "index", "--no-semantic", "--corpus", str(folder)], check=True,
                   capture_output=True)
    print(f"files {args.files:,}: index (cold) {time.perf_counter() - t:.1f} s")
    for words in (["A380"], ["iPhone", "antenna"], []):
        cmd = [*qabot, "timeline", "--json", "--corpus", str(folder), *words]
        print(f"  qabot timeline --json {' '.join(words) or '(every event)'}: warm, median "
              f"of 5: {_median_seconds(cmd):.2f} s")
    retriever = Retriever.from_corpus(load_corpus(folder), cache=True)
    for query in ("A380", None):
        t = time.perf_counter()
        found = timeline(retriever, query)
        print(f"  library timeline({query!r}): {time.perf_counter() - t:.3f} s, "
              f"{len(found.events):,} events")
    print(f"folder: {folder}")


if __name__ == "__main__":
    main()
