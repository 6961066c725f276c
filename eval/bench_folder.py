"""Answers, titles and dates over a folder of real files nobody wrote for qabot.

    python eval/bench_folder.py [--corpus tests/data/userfolder] [--questions FILE]

The folder (tests/data/userfolder, sources in its NOTICE) holds hard-wrapped licence and
README files, Markdown with front matter, and headline-first news exports. For each
question the answer is right when it holds one of the expected strings; the script also
prints every document's title and date, so a before/after run shows what the loader made
of each file. Run it with another checkout's code first on the path to compare versions.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "tests" / "data" / "userfolder"))
    parser.add_argument("--questions", default=str(ROOT / "eval" / "folder_questions.jsonl"))
    args = parser.parse_args()

    from qabot.answering.bot import Bot
    from qabot.corpus.load import load_corpus
    from qabot.retrieval.retriever import Retriever

    corpus = load_corpus(args.corpus)
    for warning in corpus.warnings:
        print(f"warning: {warning}")
    for doc in corpus.documents:
        print(f"{doc.source:40} {doc.date!s:10}  {doc.title[:70]}")
    bot = Bot(Retriever.from_corpus(corpus))
    items = [json.loads(line) for line in Path(args.questions).read_text().splitlines()
             if line.strip()]
    right = abstained = 0
    for item in items:
        answer = bot.ask(item["question"])
        ok = not answer.abstained and any(a.casefold() in answer.answer.casefold()
                                          for a in item["answers"])
        right += ok
        abstained += answer.abstained
        shown = "(abstained)" if answer.abstained else " ".join(answer.answer.split())[:110]
        print(f"{'RIGHT' if ok else 'wrong'}  {item['question']}\n       {shown}")
    print(f"\n{right}/{len(items)} right, {abstained} abstained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
