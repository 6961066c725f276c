"""Fuzz qabot far beyond the unit tests; report examples tried and failures (goal: 0).

    python eval/fuzz.py [--questions 100000] [--corpora 1000] [--seed 1]

Questions: random Unicode (control characters, RTL, CJK, emoji, quotes, lone surrogates,
line and paragraph separators, very long ones) mixed with words from the articles, asked to
the bot with and without a previous turn. Corpora: generated folders (every date-header
form, front matter, hard-wrapped text, CRLF/BOM, invalid UTF-8, binary, empty files,
headings, names that are not UTF-8) loaded, indexed, searched and asked. Every answer and
every list of hits is serialised to JSON as the CLI does it, and read back. A failure is an
exception other than the library's own one-line errors, output that is not valid UTF-8 or
valid JSON, a citation whose quote is not the text of the file re-read from disk at its
offsets, or hits that are unsorted or not finite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qabot.answer import Bot
from qabot.corpus import load_corpus
from qabot.errors import QabotError
from qabot.render import to_json
from qabot.retriever import Retriever

WORDS = ("Lin Junyang resign why when who Alibaba Qwen memo Wu Ma Yongming 0.8B Qwen3.5 P10 "
         "March he his it and the open-source “quoted” 'single' R&D ¥3 552.83% — …").split()
ODD = ["\x00", "\x1b[2J", "\x07", "\u202e", "\u200b", "\ufeff", "\r\n", "\t", "🤖", "林俊旸",
       "استقال", "\ud800", "\udce9", "\udfff", "\u2028", "\u2029", "\x85", "\x0c", "\x0b",
       "\x1c", "\\", "\"", "?", ".", "Mr.", "U.S.", "#", "(", ")", "’s", "---", "Date:"]


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


def round_trip(value: Any) -> Any:
    """What a script reading qabot's JSON gets: the CLI's serialisation, as UTF-8 bytes."""
    return json.loads(to_json(value).encode("utf-8").decode("utf-8"))


def file_text(bot: Bot, source: str) -> str:
    path = Path(bot.retriever.corpus.root) / source
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


question_history: list[str] = []  # the last previous turn asked, for failure reports


def check_answer(bot: Bot, question: str, rng: random.Random) -> None:
    history = [bot.ask(random_text(rng, 4)).as_turn()] if rng.random() < 0.2 else []
    if history:
        question_history.append(history[0].question)
    answer = bot.ask(question, history=history, k=rng.choice([1, 3, 5, 10]))
    if answer.abstained != (answer.citations == []):
        raise AssertionError("abstained and citations disagree")
    data = round_trip(answer)
    for c, cited in zip(answer.citations, data["citations"], strict=True):
        if file_text(bot, c.source)[c.start : c.end] != c.quote:
            raise AssertionError(f"inexact citation {c.source}[{c.start}:{c.end}]")
        if cited["quote"] != c.quote or (cited["start"], cited["end"]) != (c.start, c.end):
            raise AssertionError("the JSON quote differs from the citation")


def random_file(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.05:
        return b""
    if kind < 0.1:
        return bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 200)))
    header = rng.choice(["03/06 2026\n372\n", "13/45 2026\n1\n", "yesterday\n2\n",
                         "01/01 1999\nx\n", "", "# A Heading\n\n", "\ufeff03/13 2026\n534\n",
                         "2026-03-06\n\n", "Headline\n\nDate: 03/06/2026\n\n",
                         "---\ntitle: T\ndate: 2026-02-30\n---\n", "---\n: [\n---\n",
                         "Title: x\nDate: Fri, 06 Mar 2026 10:00:00 +0000\n\n"])
    lines = [random_text(rng, rng.randint(3, 60)) + rng.choice([".", "?", "", "!"])
             for _ in range(rng.randint(1, 10))]
    if rng.random() < 0.3:  # hard-wrapped paragraphs
        lines = [textwrap.fill(line, rng.randint(20, 90)) + "\n" for line in lines]
    body = "\n".join(lines)
    text = header + body
    if rng.random() < 0.95:
        # Keep most files valid UTF-8 text (a NUL byte makes a file binary, skipped).
        text = "".join(ch for ch in text if not "\ud800" <= ch <= "\udfff").replace("\x00", "")
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
        name = os.fsdecode(b"f\xe9" if rng.random() < 0.1 else b"f") + str(i)
        (folder / f"{name}{suffix}").write_bytes(random_file(rng))
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
        round_trip({"hits": [h.model_dump(mode="json") for h in hits]})
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
            failures.append(f"question #{i} {question[:300]!r} after "
                            f"{question_history[-1:]!r}: "
                            f"{traceback.format_exc(limit=-4)}")
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
                failures.append(f"corpus #{i}: {traceback.format_exc(limit=-4)}")
    c_time = time.perf_counter() - start
    print(f"questions tried: {args.questions:,} ({q_time:.0f} s); "
          f"corpora tried: {args.corpora:,} ({loaded:,} loaded, {passages:,} passages; "
          f"{c_time:.0f} s); failures: {len(failures)}")
    for f in failures[:10]:
        print(f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
