"""Start-up of ``qabot ask`` with a warm cache against the import floor of its own runtime
dependencies, measured side by side in one sitting (issue: "The chat and the CLI").

    python eval/bench_startup.py [--runs 15] [--folder DIR ...]

With ``--folder``, ``qabot ask --corpus DIR`` (warm) is timed in the same rounds, and its
ratio to the bundled corpus's warm time printed (issue "Users' own folders": goal <= 1.5x
at 2,000 and 10,000 files).

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
    parser.add_argument("--folder", action="append", default=[],
                        help="also time a warm ask over this folder (repeatable)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # The default install, without qabot[semantic] (0.3 s more to load its model when on).
    env["QABOT_SEMANTIC"] = "off"
    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "qabot"), quiet=1)
    ask = [sys.executable, "-m", "qabot", "ask", "--json", args.question]
    floor = [sys.executable, "-c", FLOOR]
    commands = {"ask": ask, "floor": floor}
    for folder in args.folder:
        commands[folder] = [*ask[:4], "--corpus", folder, *ask[4:]]
    for cmd in commands.values():  # warm the caches (twice: a racily new file is re-read)
        _time(cmd, env)
        _time(cmd, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(_time(cmd, env))
    width = max(len(name) for name in times)
    for name, values in times.items():
        print(f"{name:{width}s} best {min(values):.3f} s  median "
              f"{statistics.median(values):.3f} s")

    def ratio(a: str, b: str) -> str:
        return (f"best {min(times[a]) / min(times[b]):.2f}x, median "
                f"{statistics.median(times[a]) / statistics.median(times[b]):.2f}x")

    print(f"ask / floor: {ratio('ask', 'floor')}  (goal <= 1.5x)")
    for folder in args.folder:
        print(f"{folder} / bundled ask: {ratio(folder, 'ask')}  (goal <= 1.5x)")


if __name__ == "__main__":
    main()
