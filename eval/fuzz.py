"""Fuzz qabot far beyond the unit tests; report examples tried and failures (goal: 0).

    python eval/fuzz.py [--questions 100000] [--corpora 1000] [--seed 1]

Questions: random Unicode (control characters, RTL, CJK, emoji, quotes, lone surrogates,
line and paragraph separators, very long ones) mixed with words from the articles, asked to
the bot with and without a previous turn. Corpora: generated folders (every date-header
form, front matter, hard-wrapped text, CRLF/BOM, invalid UTF-8, binary, empty files,
headings, names that are not UTF-8; and, from the third hostile pass, long runs of one
character class, YAML alias bombs and deep nesting, big integers, C1 and bidi controls,
links out of the folder and to /proc, FIFOs, hostile .jsonl lines, a cache folder that is
not qabot's, and piped chat commands with odd arguments) loaded, indexed, searched and
asked. Every answer and
every list of hits is serialised to JSON as the CLI does it, and read back. A failure is an
exception other than the library's own one-line errors, output that is not valid UTF-8 or
valid JSON, a citation whose quote is not the text of the file re-read from disk at its
offsets, or hits that are unsorted or not finite.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import random
import sys
import tempfile
import textwrap
import time
import traceback
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qabot.answering.bot import Bot
from qabot.corpus.load import load_corpus
from qabot.errors import QabotError
from qabot.retrieval.retriever import Retriever
from qabot.ui.render import to_json

WORDS = ("Lin Junyang resign why when who Alibaba Qwen memo Wu Ma Yongming 0.8B Qwen3.5 P10 "
         "March he his it and the open-source “quoted” 'single' R&D ¥3 552.83% — …").split()
ODD = ["\x00", "\x1b[2J", "\x07", "\u202e", "\u200b", "\ufeff", "\r\n", "\t", "🤖", "林俊旸",
       "استقال", "\ud800", "\udce9", "\udfff", "\u2028", "\u2029", "\x85", "\x0c", "\x0b",
       "\x1c", "\\", "\"", "?", ".", "Mr.", "U.S.", "#", "(", ")", "’s", "---", "Date:",
       # The third hostile pass: C1 controls (CSI, OSC), DEL, bidi isolates and marks,
       # non-ASCII digits, a number past Python's int() digit limit.
       "\x9b2J", "\x9d52;c;\x07", "\x7f", "\u2066", "\u2069", "\u200f", "\u061c", "²", "①",
       "٣", "9" * 5000]
# Runs of one character class, where a backtracking pattern could go quadratic.
RUNS = [" ", ".", ". ", "!", "”", '"', "'", "a", "A ", "7", "\n", "\r\n", "\r", "\t", "-",
        "=", "#", "# ", ":", "[", "<", "(", "* ", "- x\n", ", ", "word ", "Lin ", "…",
        "March 5, 2026 ", "Title:  ", "[a](", "\u00a0", "\u2028", "http://x ", "\x9b", "\u202e"]



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


def _as_read(value: str) -> str:
    """A .jsonl field as the loader documents reading it: an escaped lone surrogate (no
    character; JSON output can't hold it) is U+FFFD, one code point for one."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)


def file_text(bot: Bot, source: str) -> str:
    """The text a citation's offsets index: the file re-read from disk, or for a .jsonl
    record (source "file.jsonl#id") the record's text field, re-read from the file."""
    if "#" in source and source.split("#", 1)[0].endswith(".jsonl"):
        name, record = source.split("#", 1)
        root = Path(bot.retriever.corpus.root)  # the folder, or the .jsonl file itself
        with open(root if root.is_file() else root / name, encoding="utf-8") as f:
            for line in f:
                with contextlib.suppress(ValueError, RecursionError):
                    data = json.loads(line)
                    if isinstance(data, dict) and _as_read(
                            str(data.get("id", data.get("_id")))) == record:
                        return _as_read(str(data["text"]))
        raise AssertionError(f"record {record} not in {name}")
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
                         "Title: x\nDate: Fri, 06 Mar 2026 10:00:00 +0000\n\n",
                         "03/06 2026\n" + "9" * 5000 + "\n", "Date:" + " " * 50_000 + "x\n",
                         hostile_front_matter(rng), "# " + "heading " * 20_000 + "\n\n"])
    if rng.random() < 0.15:  # a long run of one character class, up to 300,000 characters
        unit = rng.choice(RUNS)
        header += unit * (rng.randint(1, 300_000) // len(unit)) + rng.choice(["", "x", "\n\n"])
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


def hostile_front_matter(rng: random.Random) -> str:
    """YAML that attacks its reader: aliases that multiply ("billion laughs"), deep nesting,
    a big integer, a list or mapping where a date goes."""
    kind = rng.randrange(4)
    if kind == 0:
        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for i in range(1, 9):
            prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
            lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
        return "---\n" + "\n".join(lines) + "\ndate: *i\n---\n"
    if kind == 1:
        depth = rng.randint(100, 20_000)
        return "---\ndate: " + "[" * depth + "]" * depth + "\n---\n"
    if kind == 2:
        return "---\ndate: " + "9" * 5000 + "\ntitle: " + "9" * 5000 + "\n---\n"
    return "---\ndate: {a: [1, 2]}\ntitle: [x]\n---\n"


def hostile_jsonl(rng: random.Random) -> bytes:
    """A .jsonl corpus with big integers, deep nesting, lone surrogates and controls."""
    lines = ['{"id": ' + "9" * 5000 + ', "text": "x"}', '{"id": "d", "text": ' + "[" * 50_000
             + "]" * 50_000 + "}", '{"id": "s", "text": "lone \\ud800 surrogate \\u009b2J"}',
             json.dumps({"id": "ok", "text": random_text(rng, 30), "title": random_text(rng, 3),
                         "date": rng.choice(["2026-03-06", "9" * 5000, "x", None])})]
    rng.shuffle(lines)
    return ("\n".join(lines) + "\n").encode("utf-8")


OUTSIDE = Path(tempfile.mkdtemp(prefix="qabot-fuzz-outside-"))
(OUTSIDE / "secret.txt").write_text("A private line that must not be cited.\n", encoding="utf-8")
(OUTSIDE / "private").mkdir(exist_ok=True)
(OUTSIDE / "private" / "diary.txt").write_text("Private diary text.\n", encoding="utf-8")


def hostile_entries(rng: random.Random, folder: Path) -> None:
    """Links and special files in the corpus: out of the folder (to a file, a folder, /proc),
    dangling, a loop, and a FIFO named like an article."""
    choices: list[Callable[[], object]] = [
        lambda: (folder / "passwd.txt").symlink_to(OUTSIDE / "secret.txt"),
        lambda: (folder / "notes").symlink_to(OUTSIDE / "private", target_is_directory=True),
        lambda: (folder / "proc").symlink_to("/proc/self", target_is_directory=True),
        lambda: (folder / "gone.txt").symlink_to(OUTSIDE / "nowhere.txt"),
        lambda: (folder / "loop").symlink_to(folder, target_is_directory=True),
        lambda: os.mkfifo(folder / "pipe.txt"),
    ]
    for make in rng.sample(choices, rng.randint(1, 3)):
        make()


def hostile_cache(rng: random.Random, cache_home: Path) -> None:
    """A cache folder that is not as qabot left it: foreign files, links in place of its
    folders, FIFOs in place of its files, a registry naming files that are not its own."""
    root = cache_home / "qabot"
    kind = rng.randrange(5)
    root.mkdir(parents=True, exist_ok=True)
    if kind == 0:
        (root / "src").mkdir(exist_ok=True)
        (root / "src" / "main.py").write_text("mine\n", encoding="utf-8")
    elif kind == 1:
        if not (root / "index").exists():
            (root / "index").symlink_to(OUTSIDE, target_is_directory=True)
    elif kind == 2:
        (root / "corpora.json").write_text(json.dumps({"/x": "../secret.txt"}),
                                           encoding="utf-8")
    elif kind == 3:
        for path in (root / "folders").glob("*.json") if (root / "folders").is_dir() else []:
            path.unlink()
            os.mkfifo(path)
    else:
        root.chmod(0o777)


def outside_cited(texts: list[str]) -> bool:
    return any("private line" in t or "Private diary" in t for t in texts)


def check_corpus(rng: random.Random, folder: Path, follow: bool = False) -> int:
    """Passages indexed (0 when the folder is, rightly, refused with a one-line error)."""
    if rng.random() < 0.05:
        folder = folder / "c.jsonl"
        folder.write_bytes(hostile_jsonl(rng))
    else:
        for i in range(rng.randint(1, 4)):
            suffix = rng.choice([".txt", ".txt", ".txt", ".md", ".csv"])
            name = os.fsdecode(b"f\xe9" if rng.random() < 0.1 else b"f") + str(i)
            (folder / f"{name}{suffix}").write_bytes(random_file(rng))
        if rng.random() < 0.1:
            hostile_entries(rng, folder)
    try:
        corpus = load_corpus(folder, follow=follow)
    except QabotError as exc:
        if "\n" in str(exc):
            raise AssertionError("multi-line error") from None
        return 0
    if any("\n" in w for w in corpus.warnings):
        raise AssertionError("a multi-line warning")
    if not follow and outside_cited([d.text for d in corpus.documents]):
        raise AssertionError("a link out of the folder was followed")
    r = Retriever.from_corpus(corpus, cache=rng.random() < 0.5)
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
    bot = Bot(r)
    check_answer(bot, random_text(rng, 5), rng)
    if rng.random() < 0.1:
        check_chat(bot, rng)
    return len(r.passages)


COMMANDS = ["/k", "/open", "/save", "/corpus", "/sources", "/docs", "/json", "/reset", "/edit",
            "/help", "/bogus"]


def check_chat(bot: Bot, rng: random.Random) -> None:
    """Piped chat commands with odd arguments (non-ASCII digits, NULs, huge numbers):
    never a traceback, never an editor, never a raw control on stdout."""
    import contextlib
    import io

    from qabot.ui.repl import Repl

    lines = [f"{rng.choice(COMMANDS)} {rng.choice(ODD + WORDS)}" for _ in range(4)]
    lines.append(random_text(rng, 4))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
            tempfile.TemporaryDirectory() as here:
        cwd = os.getcwd()
        os.chdir(here)  # /save writes here, never into the checkout
        try:
            Repl(bot, colour=False).batch(lines)
        finally:
            os.chdir(cwd)
    text = out.getvalue()
    if any(c in text for c in "\x1b\x07\x9b\x9d\x7f\u202e"):
        raise AssertionError(f"a raw control in the chat's output: {text[:200]!r}")


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
    worst_time = worst_memory = (0.0, -1)
    cache_home = os.environ.get("XDG_CACHE_HOME")
    for i in range(args.corpora):
        with tempfile.TemporaryDirectory() as d, tempfile.TemporaryDirectory() as c:
            os.environ["XDG_CACHE_HOME"] = c
            if rng.random() < 0.1:
                hostile_cache(rng, Path(c))
            tracemalloc.start()
            began = time.perf_counter()
            try:
                n = check_corpus(rng, Path(d), follow=rng.random() < 0.1)
                loaded += n > 0
                passages += n
            except Exception:
                failures.append(f"corpus #{i}: {traceback.format_exc(limit=-4)}")
            took = time.perf_counter() - began
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            worst_time = max(worst_time, (took, i))
            worst_memory = max(worst_memory, (peak, i))
            with contextlib.suppress(OSError):
                Path(c).chmod(0o700)
                (Path(c) / "qabot").chmod(0o700)
    if cache_home is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = cache_home
    c_time = time.perf_counter() - start
    print(f"questions tried: {args.questions:,} ({q_time:.0f} s); "
          f"corpora tried: {args.corpora:,} ({loaded:,} loaded, {passages:,} passages; "
          f"{c_time:.0f} s); failures: {len(failures)}")
    print(f"worst corpus: {worst_time[0]:.2f} s (#{worst_time[1]}); most memory: "
          f"{worst_memory[0]:.0f} MB traced (#{worst_memory[1]}; Python allocations, "
          "by tracemalloc, while loading, indexing, searching and answering)")
    kinds = collections.Counter(f.strip().splitlines()[-1][:120] for f in failures)
    for kind, n in kinds.most_common():
        print(f"{n:6,} x {kind}")
    for f in failures[:10]:
        print(f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
