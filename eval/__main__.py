"""One runner for the benchmarks, the training and the fuzzer:

    python -m eval NAME [ARGS...]        (from the project's folder)
    python -m eval                        (the list)

Each NAME is one script of this folder, run as ``python eval/SCRIPT.py ARGS`` would run it;
``python -m eval NAME --help`` shows its options. Data is read from $QABOT_BENCH, else
../shared/bench (squad_data.bench_dir).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITE = {
    "news-dev": ("news_dev.py", "readers' questions over 43 news articles, beside the naive bot"),
    "squad": ("bench_answers.py", "SQuAD 1.1 and 2.0 dev, open setting, beside the naive bot"),
    "squad-retrieval": ("bench_squad.py", "SQuAD 1.1 retrieval and answers, closed setting"),
    "scifact": ("bench_scifact.py", "BEIR SciFact retrieval (nDCG@10, R@100)"),
    "hybrid": ("bench_hybrid.py", "BM25, dense and fused retrieval on SQuAD"),
    "folder": ("bench_folder.py", "questions over real READMEs, licences, Markdown, news"),
    "perf": ("bench_perf.py", "index build, start-up and answer latency at scale"),
    "startup": ("bench_startup.py", "start-up against the import floor; warm folders"),
    "fuzz": ("fuzz.py", "random questions and generated folders (goal: 0 failures)"),
    "train": ("train_answerer.py", "refit the answer model from public data"),
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in SUITE:
        if argv and argv[0] not in ("-h", "--help"):
            sys.stderr.write(f"python -m eval: no benchmark {argv[0]!r}\n")
        width = max(map(len, SUITE))
        print("usage: python -m eval NAME [ARGS...]\n")
        for name, (script, what) in SUITE.items():
            print(f"  {name:<{width}}  {what} (eval/{script})")
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    path = HERE / SUITE[argv[0]][0]
    sys.argv = [str(path), *argv[1:]]
    sys.path.insert(0, str(HERE))
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        if isinstance(code, int) or code is None:
            return code or 0
        sys.stderr.write(f"{code}\n")  # SystemExit("message"): what the script meant to say
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
