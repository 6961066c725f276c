"""Sweep passage, BM25 and answer settings on a gold set; print one line per setting.

    python eval/tune.py answer   [--gold eval/gold.jsonl]
    python eval/tune.py passages [--gold eval/gold.jsonl]

Tune on eval/gold.jsonl only; check the chosen setting once on eval/holdout.jsonl.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qabot.answer import AnswerConfig, Bot
from qabot.corpus import load_corpus
from qabot.evaluate import evaluate, load_gold
from qabot.index import BM25Params
from qabot.passages import PassageConfig
from qabot.retriever import Retriever

FIELDS = ("accuracy", "R@1", "R@5", "MRR@10", "nDCG@10", "cite_P", "cite_R", "refused")


def line(label: str, bot: Bot, gold: list) -> str:  # type: ignore[type-arg]
    report = evaluate(bot, gold)
    o = report.overall
    figures = " ".join(f"{k}={o.get(k, 0):.3f}" for k in FIELDS)
    return f"{label:<48} {figures} abst_R={report.abstention['recall']:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["answer", "passages", "bm25"])
    parser.add_argument("--gold", default=str(Path(__file__).parent / "gold.jsonl"))
    args = parser.parse_args()
    gold = load_gold(args.gold)
    corpus = load_corpus()
    if args.what == "answer":
        retriever = Retriever.from_corpus(corpus)
        for cov, typed, miss in itertools.product((0.4, 0.45, 0.5, 0.55), (0.25, 0.3, 0.35),
                                                  (0.3, 0.5)):
            cfg = AnswerConfig(min_coverage=cov, min_coverage_typed=typed,
                               missing_name_factor=miss)
            print(line(f"cov={cov} typed={typed} miss={miss}", Bot(retriever, cfg), gold))
    elif args.what == "passages":
        for words, overlap in itertools.product((30, 50, 80, 120, 200), (0, 1, 2)):
            retriever = Retriever.from_corpus(
                corpus, passages=PassageConfig(max_words=words, overlap=overlap))
            print(line(f"max_words={words} overlap={overlap} ({len(retriever.passages)} p)",
                       Bot(retriever), gold))
    else:
        for variant, k1, b in itertools.product(("okapi", "l", "plus"), (0.9, 1.2, 1.5),
                                                (0.4, 0.75)):
            retriever = Retriever.from_corpus(corpus, bm25=BM25Params(variant=variant, k1=k1, b=b))
            print(line(f"{variant} k1={k1} b={b}", Bot(retriever), gold))


if __name__ == "__main__":
    main()
