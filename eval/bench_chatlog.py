"""What the chat log costs: a turn's write, and restoring a 100-turn conversation
(issue 25's goals: at most 5 ms an answer; `qabot chat -c` restores 100 turns in under
0.3 s).

    python eval/bench_chatlog.py [--turns 100]

Answers are real ones (the bundled articles, the gold set's questions, asked in turn), the
log a fresh file in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from qabot.answering.bot import Bot
from qabot.conversation import Conversation
from qabot.conversation.log import ChatLog
from qabot.corpus.load import load_corpus
from qabot.retrieval.retriever import Retriever

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--turns", type=int, default=100)
    args = ap.parse_args()
    questions = [json.loads(line)["question"] for line in
                 (HERE / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    bot = Bot(Retriever.from_corpus(load_corpus()))
    answers = [bot.ask(questions[i % len(questions)]) for i in range(args.turns)]
    with tempfile.TemporaryDirectory() as folder:
        log = ChatLog(Path(folder) / "logs.db")
        cid = log.start("corpus", "bench")
        writes = []
        for n, answer in enumerate(answers, start=1):
            t = time.perf_counter()
            log.add(cid, n, answer)
            writes.append(time.perf_counter() - t)
        log.close()
        t = time.perf_counter()
        talk = Conversation(bot, log=ChatLog(Path(folder) / "logs.db"))
        restored = talk.resume(cid)
        seconds = time.perf_counter() - t
    writes_ms = sorted(w * 1000 for w in writes)
    print(f"write a turn: p50 {statistics.median(writes_ms):.2f} ms, "
          f"p95 {writes_ms[int(0.95 * len(writes_ms)) - 1]:.2f} ms, max {writes_ms[-1]:.2f} ms")
    print(f"restore {len(restored)} turns (open the log, read, validate): {seconds:.3f} s")


if __name__ == "__main__":
    main()
