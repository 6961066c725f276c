"""news-dev: 152 questions in readers' own words over 43 news articles, scored as its own
scorer scores the CLI, in-process and fast, beside the naive bot.

    python eval/news_dev.py [--semantic on|off|both] [--oof DIR] [--model FILE] [--fails]

The data is read in place from ``../shared/bench/news-dev`` (or ``$QABOT_BENCH``): the
folder's ``score.py`` does the scoring (its ``score`` and ``run_naive``), so a figure here is
the figure ``python score.py .venv/bin/qabot`` prints for the same model. Answers are made
as the CLI makes them: ``ask --json`` for a question, and for a follow-up the chat's
conversation (its context asked first).

``--oof DIR`` answers each item with ``DIR/fold-N.json``, the model fitted without the
item's fold (``eval/train_answerer.py --news-folds`` writes them): the out-of-fold figures
the issue asks for. Without it, the shipped model answers every item.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import squad_data

from qabot.answering.bot import Bot, Considered
from qabot.answering.model import AnswerModel
from qabot.conversation import Conversation, checked
from qabot.corpus.load import load_corpus
from qabot.evaluation.bounds import outside_bounds, read_thresholds
from qabot.models import overlaps
from qabot.retrieval.retriever import Retriever
from qabot.ui.render import to_json

FOLDS = 5


def news_dir() -> Path:
    """``$QABOT_BENCH/news-dev``, else ../shared/bench/news-dev beside the project."""
    return squad_data.bench_dir("news-dev") / "news-dev"


@dataclass
class NewsDev:
    root: Path
    corpus: Path
    items: list[dict[str, Any]]
    fold: dict[str, int]  # item id -> fold
    doc_fold: dict[str, int]  # document id -> its story's fold
    scorer: ModuleType

    def docs(self) -> dict[str, str]:
        return self.scorer.load_docs(self.corpus)  # type: ignore[no-any-return]


def load() -> NewsDev:
    root = news_dir()
    spec = importlib.util.spec_from_file_location("news_score", root / "score.py")
    assert spec is not None and spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    folds = json.loads((root / "folds.json").read_text(encoding="utf-8"))
    items = scorer.load_items(root / "qa.jsonl")
    return NewsDev(root, root / "corpus", items, {k: int(v) for k, v in folds["items"].items()},
                   {k: int(v) for k, v in folds["articles"].items()}, scorer)


def make_bots(corpus: Path, semantic: bool, models: list[AnswerModel | None]) -> list[Bot]:
    """Bots over the folder as the CLI makes one (semantic: every sentence embedded), one
    per model, sharing one index and one set of sentence vectors (embedded once)."""
    retriever = Retriever.from_corpus(load_corpus(corpus))
    vectors = None
    if semantic:
        from qabot.retrieval import embeddings as sem
        encoder = sem.encoder()
        if encoder is None:
            raise SystemExit(sem.status().reason)
        vectors = sem.vectors_for(retriever, encoder)
    return [Bot(retriever, model=model, semantic=vectors) for model in models]


def answer(bot: Bot, item: dict[str, Any]) -> tuple[dict[str, Any], Considered | None]:
    """The JSON the CLI would print for ``item`` (the chat's last answer for a follow-up),
    and the pipeline's last pass (None for a follow-up: its ranking needs the context)."""
    found = None
    if item["type"] == "follow-up":
        talk = Conversation(bot)
        talk.ask(item["context"])
        got = talk.ask(item["question"])
    else:
        reply, found = bot.respond(item["question"])
        got = checked(bot, reply)
    return json.loads(to_json(got)), found


def answers(news: NewsDev, bot_for: Callable[[int], Bot]
            ) -> tuple[dict[str, dict[str, Any]], dict[str, Considered | None]]:
    """Every item answered by ``bot_for(its fold)``, and each one's last pass."""
    got, passes = {}, {}
    for it in news.items:
        got[it["id"]], passes[it["id"]] = answer(bot_for(news.fold[it["id"]]), it)
    return got, passes


def evidence_hits(news: NewsDev, passes: dict[str, Considered | None]) -> dict[str, float]:
    """Hit@1 and hit@3 of the evidence: the share of answerable questions (follow-ups
    aside: they need their context) whose ranker's 1 or 3 best candidates overlap an
    evidence quote, as ranked before any abstention (for a question of two parts, both
    passes' candidates ranked together)."""
    docs = news.docs()
    ranks: list[int | None] = []
    for it in news.items:
        if it["type"] in news.scorer.NO_ANSWER or it["type"] == "follow-up":
            continue
        spans = news.scorer.evidence_spans(docs, it)
        found = passes[it["id"]]
        rank = None
        if found is not None:
            order = sorted(range(len(found.candidates)), key=lambda i: -found.probs[i])
            for r, i in enumerate(order, start=1):
                c = found.candidates[i]
                if overlaps(c.doc.id, c.start, c.end, spans):
                    rank = r
                    break
        ranks.append(rank)
    n = len(ranks) or 1
    return {"hit1": sum(r == 1 for r in ranks) / n,
            "hit3": sum(r is not None and r <= 3 for r in ranks) / n,
            "in_pool": sum(r is not None for r in ranks) / n}


def figures(news: NewsDev, got: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The scorer's figures: the last line's five, and per type (correct, evidence)."""
    per, tot, fails = news.scorer.score(news.items, got, news.docs())

    def ratio(a: float, b: float) -> float:
        return a / b if b else 0.0

    return {
        "answer_acc": ratio(tot["ans_ok"], tot["ans"]),
        "evidence": ratio(tot["ev"], tot["ans"]),
        "abstain": ratio(tot["no_ok"], tot["no"]),
        "false_abstain": ratio(tot["false_abs"], tot["ans"]),
        "followup": ratio(tot["fu_ok"], tot["fu"]),
        "by_type": {t: {"n": r["n"], "correct": ratio(r["correct"], r["n"]),
                        "evidence": ratio(r["evidence"], r["n"])} for t, r in per.items()},
        "fails": fails,
    }


def naive(news: NewsDev) -> dict[str, Any]:
    return figures(news, news.scorer.run_naive(news.docs(), news.items))


def table(rows: dict[str, dict[str, Any]], order: list[str]) -> str:
    """Per-type accuracy of each system side by side, then the summary line of each."""
    names = list(rows)
    out = ["| type | n | " + " | ".join(names) + " |",
           "|---|---:|" + "---:|" * len(names)]
    first = rows[names[0]]["by_type"]
    for t in order + sorted(set(first) - set(order)):
        if t in first:
            cells = [f"{rows[n]['by_type'][t]['correct']:.2f}" for n in names]
            out.append(f"| {t} | {first[t]['n']} | " + " | ".join(cells) + " |")
    out.append("")
    for n in names:
        r = rows[n]
        out.append(f"{n}: answer_acc={r['answer_acc']:.3f} evidence={r['evidence']:.3f} "
                   f"abstain={r['abstain']:.3f} false_abstain={r['false_abstain']:.3f} "
                   f"followup={r['followup']:.3f}"
                   + (f" hit@1={r['hit1']:.3f} hit@3={r['hit3']:.3f} in_pool={r['in_pool']:.3f}"
                      if "hit1" in r else ""))
    return "\n".join(out)


def check(rows: dict[str, dict[str, Any]], path: Path) -> list[str]:
    """Figures outside the bounds of a thresholds file: dotted names into ``rows``
    (``semantic.answer_acc``, ``lexical.by_type.why.correct``)."""
    problems, missing = outside_bounds(rows, read_thresholds(path))
    return problems + [f"{key}: not measured in this run" for key in missing]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--semantic", choices=("on", "off", "both"), default="both")
    parser.add_argument("--oof", type=Path, help="folder of fold-N.json models (out of fold)")
    parser.add_argument("--model", type=Path, help="one model file for every item")
    parser.add_argument("--fails", action="store_true", help="print every failure")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-naive", action="store_true",
                        help="skip the naive bot (it needs bm25s and PyStemmer: '.[bench]')")
    parser.add_argument("--check", type=Path, metavar="THRESHOLDS",
                        help="exit 1 when a figure is outside this file's bounds "
                        '({"min": {"semantic.answer_acc": 0.7}, "max": {...}})')
    args = parser.parse_args()
    news = load()
    rows: dict[str, dict[str, Any]] = {} if args.no_naive else {"naive": naive(news)}
    modes = {"on": [True], "off": [False], "both": [False, True]}[args.semantic]
    for semantic in modes:
        start = time.perf_counter()
        if args.oof:
            suffix = "-semantic" if semantic else ""
            bots = make_bots(news.corpus, semantic, [AnswerModel.load(
                args.oof / f"fold-{f}{suffix}.json") for f in range(FOLDS)])
            bot_for: Callable[[int], Bot] = bots.__getitem__
        else:
            model = AnswerModel.load(args.model, semantic=semantic) if args.model else None
            (one,) = make_bots(news.corpus, semantic, [model])
            bot_for = lambda _, bot=one: bot  # type: ignore[misc]  # noqa: E731
        got, passes = answers(news, bot_for)
        name = "semantic" if semantic else "lexical"
        rows[name] = figures(news, got)
        rows[name].update(evidence_hits(news, passes))
        rows[name]["seconds"] = time.perf_counter() - start
    if args.json:
        print(json.dumps({k: {x: y for x, y in v.items() if x != "fails"}
                          for k, v in rows.items()}, indent=2))
    else:
        print(table(rows, news.scorer.TYPE_ORDER))
    if args.check:
        problems = check(rows, args.check)
        for problem in problems:
            print(f"news_dev: out of bounds: {problem}", file=sys.stderr)
        if problems:
            return 1
    if args.fails:
        for name in rows:
            if name == "naive":
                continue
            print(f"\n{name} failures ({len(rows[name]['fails'])}):")
            for it, a, why in rows[name]["fails"]:
                q = it["question"] if it["type"] != "follow-up" else (
                    f"{it['context']} -> {it['question']}")
                shown = " ".join((a.get("answer") or a.get("error") or "").split())
                print(f"- {it['id']} [{it['type']}] {q}\n    want {it['key_terms'] or 'abstain'}"
                      f"; {why}; conf {a.get('confidence')}\n    got: {shown[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
