"""Fuzz qabot far beyond the unit tests; report examples tried and failures (goal: 0).

    python eval/fuzz.py [--questions 100000] [--corpora 1000] [--seed 1]

Questions: random Unicode (control characters, RTL, CJK, emoji, quotes, very long ones)
mixed with words from the articles, asked to the bot with and without a previous turn.
Corpora: generated folders (random headers, CRLF/BOM, invalid UTF-8, binary, empty files,
headings) loaded, indexed and searched. A failure is an exception other than the library's
own one-line errors, a citation whose quote is not the source text at its offsets, or
hits that are unsorted or not finite.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qabot.answer import Bot
from qabot.corpus import load_corpus
from qabot.errors import QabotError
from qabot.retriever import Retriever

WORDS = ("Lin Junyang resign why when who Alibaba Qwen memo Wu Ma Yongming 0.8B Qwen3.5 P10 "
         "March he his it and the open-source “quoted” 'single' R&D ¥3 552.83% — …").split()
ODD = ["\x00", "\x1b[2J", "\x07", "\u202e", "\u200b", "\ufeff", "\r\n", "\t", "🤖", "林俊旸",
       "استقال", "\ud800", "\\", "\"", "?", ".", "Mr.", "U.S.", "#", "(", ")", "’s"]


def random_text(rng: random.Random, size: int) -> str:
    parts = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.5:
            parts.append(rng.choice(WORDS))
        elif roll < 0.75:
            parts.append(rng.choice(ODD))
        else:
            parts.append("".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(1, 6))))
    return " ".join(parts)


def check_answer(bot: Bot, question: str, rng: random.Random) -> None:
    history = [bot.ask(random_text(rng, 4)).as_turn()] if rng.random() < 0.2 else []
    answer = bot.ask(question, history=history, k=rng.choice([1, 3, 5, 10]))
    if answer.abstained != (answer.citations == []):
        raise AssertionError("abstained and citations disagree")
    for c in answer.citations:
        if bot.retriever.document(c.doc_id).text[c.start : c.end] != c.quote:
            raise AssertionError(f"inexact citation {c.doc_id}[{c.start}:{c.end}]")


def random_file(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.05:
        return b""
    if kind < 0.1:
        return bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 200)))
    header = rng.choice(["03/06 2026\n372\n", "13/45 2026\n1\n", "yesterday\n2\n",
                         "01/01 1999\nx\n", "", "# A Heading\n\n", "\ufeff03/13 2026\n534\n"])
    body = "\n".join(random_text(rng, rng.randint(3, 60)) + rng.choice([".", "?", "", "!"])
                     for _ in range(rng.randint(1, 10)))
    text = header + body
    if rng.random() < 0.95:
        # Keep most files valid UTF-8 text (a NUL byte makes a file binary, skipped).
        text = text.replace("\ud800", "").replace("\x00", "")
    if rng.random() < 0.3:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.05:
        data += b"\xff\xfe"
    return data


def check_corpus(rng: random.Random, folder: Path) -> int:
    """Passages indexed (0 when the folder is, rightly, refused with a one-line error)."""
    for i in range(rng.randint(1, 4)):
        suffix = rng.choice([".txt", ".txt", ".txt", ".md", ".csv"])
        (folder / f"f{i}{suffix}").write_bytes(random_file(rng))
    try:
        corpus = load_corpus(folder)
    except QabotError as exc:
        if "\n" in str(exc):
            raise AssertionError("multi-line error") from None
        return 0
    r = Retriever.from_corpus(corpus)
    for p in r.passages:
        if r.document(p.doc_id).text[p.start : p.end] != p.text:
            raise AssertionError("inexact passage")
    for _ in range(3):
        hits = r.search(random_text(rng, 3), k=5)
        scores = [h.score for h in hits]
        if scores != sorted(scores, reverse=True) or any(s != s or abs(s) == float("inf")
                                                         for s in scores):
            raise AssertionError("bad hit scores")
    check_answer(Bot(r), random_text(rng, 5), rng)
    return len(r.passages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--corpora", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bot = Bot.from_path()
    failures: list[str] = []
    start = time.perf_counter()
    for i in range(args.questions):
        size = rng.choice([0, 1, 3, 8, 20, 200]) if rng.random() > 0.001 else 200_000
        question = random_text(rng, size)
        try:
            check_answer(bot, question, rng)
        except Exception:
            failures.append(f"question #{i}: {traceback.format_exc(limit=3)}")
    q_time = time.perf_counter() - start
    start = time.perf_counter()
    loaded = passages = 0
    for i in range(args.corpora):
        with tempfile.TemporaryDirectory() as d:
            try:
                n = check_corpus(rng, Path(d))
                loaded += n > 0
                passages += n
            except Exception:
                failures.append(f"corpus #{i}: {traceback.format_exc(limit=3)}")
    c_time = time.perf_counter() - start
    print(f"questions tried: {args.questions:,} ({q_time:.0f} s); "
          f"corpora tried: {args.corpora:,} ({loaded:,} loaded, {passages:,} passages; "
          f"{c_time:.0f} s); failures: {len(failures)}")
    for f in failures[:10]:
        print(f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
