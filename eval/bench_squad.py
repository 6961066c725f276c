"""SQuAD v1.1 dev: every paragraph a document, every question asked; bm25s beside qabot.

    python eval/bench_squad.py [--data ../shared/bench/squad-v1.1/dev-v1.1.json] [--limit N]

Prints paragraph Recall@1/@5 (qabot passages, best passage per paragraph; bm25s over whole
paragraphs, Snowball stemmer and English stopwords), answer-sentence accuracy (the sentence
qabot answers with contains a gold answer) with the gold paragraph given and in the open
setting, and SQuAD EM/F1 of qabot's answer text. Needs `pip install '.[test,bench]'`.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import squad_data

from qabot.answering.bot import Bot
from qabot.answering.query import classify
from qabot.evaluation.metrics import exact_match, f1_score, normalize_answer
from qabot.models import Answer, Corpus, Document
from qabot.retrieval.retriever import Retriever


def load(path: Path) -> tuple[Corpus, list[tuple[str, list[str], str]]]:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    docs: list[Document] = []
    questions: list[tuple[str, list[str], str]] = []
    for article in data:
        for para in article["paragraphs"]:
            doc_id = f"p{len(docs)}"
            text = para["context"]
            end = len(text.rstrip())
            docs.append(Document(id=doc_id, title=article["title"].replace("_", " "),
                                 source=f"{path.name}#{doc_id}", body_start=0, body_end=end,
                                 text=text))
            for qa in para["qas"]:
                questions.append((qa["question"], [a["text"] for a in qa["answers"]], doc_id))
    return Corpus(root=str(path), documents=tuple(docs)), questions


def sentence_hit(answer: Answer, golds: list[str]) -> bool:
    if answer.abstained or not answer.citations:
        return False
    sentence = normalize_answer(answer.citations[0].quote)
    return any(normalize_answer(g) in sentence for g in golds)


def bm25s_recall(corpus: Corpus, questions: list[tuple[str, list[str], str]]
                 ) -> tuple[float, float, float, float]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    texts = [d.text for d in corpus.documents]
    t0 = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False),
                    show_progress=False)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    q_tokens = bm25s.tokenize([q for q, _, _ in questions], stopwords="en", stemmer=stemmer,
                              show_progress=False)
    results, _ = retriever.retrieve(q_tokens, k=5, show_progress=False)
    per_query = (time.perf_counter() - t0) / len(questions)
    gold = [int(d[1:]) for _, _, d in questions]
    r1 = sum(int(row[0]) == g for row, g in zip(results, gold, strict=True)) / len(gold)
    r5 = sum(g in {int(x) for x in row} for row, g in zip(results, gold, strict=True)) / len(gold)
    return r1, r5, build, per_query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None,
                        help="default: squad-v1.1/dev-v1.1.json in $QABOT_BENCH or ../shared/bench")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = parser.parse_args()
    if args.data is None:
        args.data = squad_data.bench_dir("squad-v1.1") / "squad-v1.1" / "dev-v1.1.json"
    corpus, questions = load(args.data)
    if args.limit:
        questions = questions[: args.limit]
    print(f"SQuAD v1.1 dev: {len(corpus.documents)} paragraphs, {len(questions)} questions; "
          f"{date.today()}, {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")
    t0 = time.perf_counter()
    retriever = Retriever.from_corpus(corpus)
    build = time.perf_counter() - t0
    bot = Bot(retriever)
    r1 = r5 = given = opened = em = f1 = abstained = 0.0
    by_type: dict[str, list[int]] = {}  # type -> [questions, given right, open right]
    t0 = time.perf_counter()
    for question, golds, doc_id in questions:
        seen: list[str] = []
        for hit in retriever.search(question, k=25):
            if hit.doc_id not in seen:
                seen.append(hit.doc_id)
        r1 += seen[:1] == [doc_id]
        r5 += doc_id in seen[:5]
        open_answer = bot.ask(question)
        open_hit = sentence_hit(open_answer, golds)
        opened += open_hit
        abstained += open_answer.abstained
        em += exact_match(open_answer.answer, golds)
        f1 += f1_score(open_answer.answer, golds)
        given_hit = sentence_hit(bot.ask(question, doc_ids=[doc_id]), golds)
        given += given_hit
        row = by_type.setdefault(classify(question), [0, 0, 0])
        row[0] += 1
        row[1] += given_hit
        row[2] += open_hit
    per_question = (time.perf_counter() - t0) / len(questions)
    n = len(questions)
    b1, b5, b_build, b_query = bm25s_recall(corpus, questions)
    t0 = time.perf_counter()
    for question, _, _ in questions:
        retriever.search(question, k=5)
    q_query = (time.perf_counter() - t0) / len(questions)
    print()
    print("| system | paragraph R@1 | paragraph R@5 | index build s | query ms |")
    print("|---|---:|---:|---:|---:|")
    print(f"| qabot (80-word passages, best per paragraph) | {r1 / n:.4f} | {r5 / n:.4f} | "
          f"{build:.1f} | {q_query * 1000:.2f} |")
    print(f"| bm25s (whole paragraphs, stemmed, stopwords) | {b1:.4f} | {b5:.4f} | "
          f"{b_build:.1f} | {b_query * 1000:.2f} (batched) |")
    print()
    print("| qabot answers | value |")
    print("|---|---:|")
    print(f"| answer-sentence accuracy, gold paragraph given | {given / n:.4f} |")
    print(f"| answer-sentence accuracy, open (all 2,067 paragraphs) | {opened / n:.4f} |")
    print(f"| abstained (open) | {abstained / n:.4f} |")
    print(f"| SQuAD EM of the answer text (open) | {em / n:.4f} |")
    print(f"| SQuAD F1 of the answer text (open) | {f1 / n:.4f} |")
    print(f"| seconds per question (search + 2 answers) | {per_question:.4f} |")
    print()
    print("| question type (qabot's) | n | given | open |")
    print("|---|---:|---:|---:|")
    for kind, (count, right_given, right_open) in sorted(by_type.items()):
        print(f"| {kind} | {count} | {right_given / count:.4f} | {right_open / count:.4f} |")
    print()
    print("Reference (published): DrQA reader, paragraph given, EM 69.4 / F1 78.9; "
          "SQuAD sliding-window baseline F1 ~20%, logistic regression F1 51.0%.")


if __name__ == "__main__":
    main()
