"""The ``qabot`` command: thin argparse front end over the library. Each ``cmd_*`` is one
subcommand; what they print goes through ``ui.output``, and the corpus, settings and
semantic rule come from ``ui.loading``."""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qabot.errors import QabotError
from qabot.ui.browse import cmd_docs, cmd_logs, cmd_timeline
from qabot.ui.loading import apply_settings, make_bot, semantic_line, sentence_vectors
from qabot.ui.output import (
    Progress,
    check_length,
    err,
    lines,
    notice,
    out,
    show,
    stdin,
    warn,
    warn_grouped,
)
from qabot.ui.parser import (
    SEARCH_HITS,
    WARNINGS_SHOWN,
    UsageError,
    build_parser,
)

if TYPE_CHECKING:
    from qabot.answering.bot import Bot
    from qabot.models import Document


def _doc_ids(bot: Bot, names: Sequence[str] | None) -> list[str] | None:
    """The ids --doc names (a file as listed, or an id); a one-line error for one that is
    not in the corpus."""
    if not names:
        return None
    by_name = {}
    for d in bot.retriever.documents():
        by_name[d.id] = by_name[d.source] = d.id
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise QabotError(f"--doc: not an article of this corpus: {unknown[0]!r} "
                         "(qabot docs lists them)")
    return list(dict.fromkeys(by_name[n] for n in names))


def cmd_ask(args: argparse.Namespace) -> int:
    from qabot.conversation import checked
    from qabot.ui.render import answer_text, to_json

    question_text = " ".join(args.question)
    batch = question_text == "-"
    if not batch and not question_text.strip():
        raise UsageError("ask: error: the question is empty (see 'qabot ask --help')")
    bot = make_bot(args.corpus, args.semantic, args.follow)
    doc_ids = _doc_ids(bot, args.doc)
    lengths: dict[int, int] = {}
    questions = lines(stdin(), lengths) if batch else iter([question_text])
    first = True
    failed = declined = 0
    for number, question in enumerate(questions, start=1):
        check_length(question, lengths.get(number))
        try:
            answer = checked(bot, bot.ask(question, k=args.k, doc_ids=doc_ids,
                                          since=args.since, until=args.until))
        except (QabotError, ValueError) as exc:  # one bad line; the batch goes on
            failed += 1
            where = f"line {number}: " if batch else ""
            if args.json:
                out(to_json({"question": question, "error": f"{where}{exc}"}))
            else:
                warn(f"{where}{exc}")
            continue
        declined += answer.abstained
        if args.json:
            out(to_json(answer))
        elif batch:  # each answer under its question, so a batch reads as one document
            out(("" if first else "\n") + f"> {question}\n" + answer_text(answer))
        else:
            show(answer_text(answer))
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
        notice("the fused ranking needs every sentence embedded, and this corpus is over "
               "the size where that is done; ranking by BM25 alone")
    doc_ids = _doc_ids(bot, args.doc)
    if args.since or args.until:
        doc_ids = [d.id for d in bot.retriever.documents(doc_ids, args.since, args.until)]
    hits = bot.retriever.search(query, k=args.k or SEARCH_HITS, doc_ids=doc_ids, dense=dense)
    if args.json:
        out(to_json({"query": query, "hits": [h.model_dump(mode="json") for h in hits]}))
    else:
        show(hits_text(hits))
    return 0 if hits else 1  # like grep: 1 when no passage matches


def cmd_chat(args: argparse.Namespace) -> int:
    from qabot.conversation.log import ChatLog, LogError
    from qabot.ui.repl import Repl

    source = stdin()
    log = None if args.no_log else ChatLog(warn=warn)
    resumed = None
    if args.resume or args.cid:
        if log is None:
            raise UsageError("chat: error: --no-log can't continue a logged conversation")
        try:
            cid = args.cid or log.latest()
            if cid is None:
                raise LogError("no conversation has been logged yet")
            resumed = log.find(cid)
        except LogError as exc:
            raise QabotError(f"cannot continue a conversation: {exc}") from None
        if args.corpus is None or args.corpus == os.environ.get("QABOT_CORPUS"):
            args.corpus = resumed.corpus  # the conversation goes on over its own articles
    bot = make_bot(args.corpus, args.semantic, args.follow)
    loader = functools.partial(make_bot, semantic=args.semantic, follow=args.follow)
    interactive = source.isatty() and sys.stdout.isatty()
    repl = Repl(bot, k=args.k, json_mode=args.json, loader=loader, log=log,
                colour=None if interactive else False)
    repl.conversation.since, repl.conversation.until = args.since, args.until
    repl.conversation.doc_ids = _doc_ids(bot, args.doc)
    if resumed is not None:
        answers = repl.conversation.resume(resumed.id)
        repl.transcript = [(a.question, a) for a in answers]
        notice(f"continuing conversation {resumed.id} ({len(answers)} "
               f"turn{'' if len(answers) == 1 else 's'}, started {resumed.started})")
    if interactive:
        return repl.run()
    # No prompt: a pipe in or out. Commands work as on a terminal; answers are plain text.
    what = "a line" if source.isatty() else "each line"
    notice(f"reading questions from standard input, {what} at a time "
           f"({'Ctrl-D' if source.isatty() else 'end of input'} to finish)")
    return repl.batch(lines(source))


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
    out(report_json(report) if args.json else text)
    if args.check:
        problems = check_thresholds(report, args.check)
        for problem in problems:
            err(f"qabot eval: below threshold: {problem}")
        return 1 if problems else 0
    return 0


def cmd_completion(args: argparse.Namespace) -> int:
    import shtab

    out(shtab.complete(build_parser(), shell=args.shell).rstrip("\n"))
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    from qabot import paths
    where = paths.cache_dir()
    if args.action == "clear":
        try:
            freed = paths.clear()
        except OSError as exc:  # a folder qabot did not make, or not this user's
            raise QabotError(f"cache clear: {exc.strerror or exc}") from None
        out(f"cleared {where} ({freed / 1e6:.1f} MB freed)")
        return 0
    rows = paths.usage()
    lines = [f"cache: {where}"]
    lines += [f"  {kind:<22} {files:>6,} file{' ' if files == 1 else 's'} {size / 1e6:>9.1f} MB"
              for kind, files, size in rows]
    total = sum(size for _, _, size in rows)
    count = sum(f for _, f, _ in rows)
    lines.append(f"  {'total':<22} {count:>6,} file{' ' if count == 1 else 's'} "
                 f"{total / 1e6:>9.1f} MB")
    out("\n".join(lines))
    return 0


def _dates_line(documents: Sequence[Document], mentions: int) -> str:
    """What `qabot index` says of time: the undated articles, counted (never guessed from
    a file's time), and the time mentions resolved in the text."""
    undated = sum(d.date is None for d in documents)
    from qabot.ui.render import plural

    said = (f"{undated:,} of {plural(len(documents), 'article')} "
            f"{'has' if undated == 1 else 'have'} no date" if undated
            else f"every article of {len(documents):,} is dated")
    return f"{said}; {plural(mentions, 'time mention')} resolved in the text"


def cmd_index(args: argparse.Namespace) -> int:
    import time

    from qabot.corpus.load import load_corpus
    from qabot.retrieval.retriever import Retriever

    start = time.perf_counter()
    loaded = load_corpus(args.corpus, follow=args.follow)
    warn_grouped(loaded.warnings, None if args.warnings else WARNINGS_SHOWN)
    if args.warnings and not loaded.warnings:
        notice("no warnings about the corpus's files")
    with Progress("indexing") as progress:
        retriever = Retriever.from_corpus(loaded, cache=True, notice=notice,
                                          progress=progress, rebuild=args.rebuild)
    vectors = sentence_vectors(retriever, args.semantic)
    # What the first question over this corpus would otherwise build: the learned names.
    # (The word-frequency table is built once per machine, by the first question ever.)
    retriever.learn_names()
    seconds = time.perf_counter() - start
    path = retriever.cache_path
    size = path.stat().st_size if path is not None and path.exists() else 0
    said = semantic_line(vectors, args.semantic, getattr(args, "semantic_from", ""))
    out(f"documents: {len(loaded.documents):,}\n"
        f"passages:  {len(retriever.passages):,}\n"
        f"terms:     {len(retriever.vocabulary()):,}\n"
        f"dates:     {_dates_line(loaded.documents, len(retriever.mentions()))}\n"
        f"cache:     {path if size else '(not written)'} ({size / 1e6:.2f} MB)\n"
        f"semantic:  {said}\n"
        f"time:      {seconds:.2f} s")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ask": cmd_ask, "search": cmd_search, "chat": cmd_chat, "eval": cmd_eval,
    "index": cmd_index, "timeline": cmd_timeline, "docs": cmd_docs, "logs": cmd_logs,
    "cache": cmd_cache,
    "completion": cmd_completion,
}


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: unwinds like Ctrl-C (temporary files are removed), then
    main says so in one line."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: object) -> None:
    raise Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line. Every failure ends in one line on stderr and a non-zero status:
    2 for bad input, 1 for output that could not be written, 130 for Ctrl-C."""
    try:
        signal.signal(signal.SIGTERM, _on_signal)
        if hasattr(signal, "SIGHUP"):  # the terminal closed
            signal.signal(signal.SIGHUP, _on_signal)
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
        since, until = getattr(args, "since", None), getattr(args, "until", None)
        if since is not None and until is not None and since > until:
            raise UsageError(f"{args.command}: error: --since {since} is after --until "
                             f"{until}: no article could be in the range")
        return COMMANDS[args.command](args)
    except UsageError as exc:
        err(f"qabot {exc}")
        return 2
    except QabotError as exc:
        err(f"qabot: error: {exc}")
        return 2
    except KeyboardInterrupt:
        if sys.stderr.isatty():
            sys.stderr.write("\n")  # after the terminal's ^C
        err("qabot: interrupted")
        return 130
    except Stopped as stop:
        err(f"qabot: stopped by {signal.Signals(stop.signum).name}")
        return 128 + stop.signum
    except BrokenPipeError:
        # The reader went away (e.g. `| head -1`): stop quietly.
        _silence_stdout()
        return 0
    except OSError as exc:  # e.g. > /dev/full
        _silence_stdout()
        err(f"qabot: error: cannot write the output ({exc.strerror or exc})")
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
