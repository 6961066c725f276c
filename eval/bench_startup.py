"""Start-up of ``qabot ask`` with a warm cache against the import floor of its own runtime
dependencies, measured side by side in one sitting (issue: "The chat and the CLI").

    python eval/bench_startup.py [--runs 15]

The floor is a ``python -c`` that imports numpy, regex, Stemmer, json and sqlite3 and
defines one pydantic model (a bare ``import pydantic`` loads almost nothing). Both commands
run alternately, ``--runs`` times each, after one warm-up; best and median wall times are
printed. Byte code is compiled first and kept (as ``pip install`` does), whatever
PYTHONDONTWRITEBYTECODE says: without it every qabot module would be compiled from source
on each run, which no installed copy does.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

FLOOR = ("import numpy, regex, Stemmer, json, sqlite3, pydantic\n"
         "class M(pydantic.BaseModel):\n    a: int\n")


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--question", default="Why did Lin resign?")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "qabot"), quiet=1)
    ask = [sys.executable, "-m", "qabot", "ask", "--json", args.question]
    floor = [sys.executable, "-c", FLOOR]
    for cmd in (ask, floor):  # warm the index cache and the OS file cache
        _time(cmd, env)
    times: dict[str, list[float]] = {"ask": [], "floor": []}
    for _ in range(args.runs):
        times["ask"].append(_time(ask, env))
        times["floor"].append(_time(floor, env))
    for name, values in times.items():
        print(f"{name:6s} best {min(values):.3f} s  median {statistics.median(values):.3f} s")
    print(f"ratio  best {min(times['ask']) / min(times['floor']):.2f}x  "
          f"median {statistics.median(times['ask']) / statistics.median(times['floor']):.2f}x"
          "  (goal <= 1.5x)")


if __name__ == "__main__":
    main()
