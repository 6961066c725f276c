"""The chat's slash commands, one function each, registered by name with their help line
(what ``/help`` lists and the completer offers). A command is ``(repl, argument) -> bool``:
False means leave the chat. A new command is one decorated function here."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import regex

from qabot.conversation import Conversation
from qabot.errors import QabotError
from qabot.models import Answer
from qabot.paths import create_new
from qabot.text.segment import paragraphs
from qabot.text.timeref import DateError, human_date, parse_date
from qabot.ui.render import (
    Fragments,
    by_date,
    documents_text,
    one_line,
    plural,
    safe,
    source_line,
    timeline_text,
    to_json,
    transcript_markdown,
)

if TYPE_CHECKING:
    from qabot.ui.repl.session import Repl


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[Repl, str], bool]


COMMANDS: dict[str, Command] = {}  # in the order /help lists them


def command(name: str, help: str) -> Callable[[Callable[[Repl, str], bool]],
                                              Callable[[Repl, str], bool]]:
    """Register the decorated function as the chat command ``name``."""
    def register(run: Callable[[Repl, str], bool]) -> Callable[[Repl, str], bool]:
        COMMANDS[name] = Command(name, help, run)
        return run
    return register


def _last_answer(repl: Repl) -> Answer | None:
    last = repl.conversation.last
    if last is None or not (last.citations or last.related):
        repl.note("No sources yet: ask a question first.")
        return None
    return last


@command("/help", "this list")
def help_command(repl: Repl, _: str) -> bool:
    lines = ["Ask a question in plain English, or use a command:"]
    width = max(len(name) for name in COMMANDS) + 1
    # A help text too long for the terminal continues under its own column, not under
    # the command names.
    for c in COMMANDS.values():
        lines += textwrap.wrap(f"  {c.name:<{width}} {c.help}", max(repl._width(), 40),
                               subsequent_indent=" " * (width + 3),
                               break_long_words=False, break_on_hyphens=False)
    if repl.batch_mode:
        lines.append("Reading one line at a time from standard input; /quit stops.")
    else:
        lines.append("Alt-Enter starts a new line; Ctrl-C clears the line; Ctrl-D or "
                     "/quit leaves.")
    repl.long([("", safe("\n".join(lines)) + "\n")])
    return True


@command("/sources", "the full passages behind the last answer")
def sources(repl: Repl, _: str) -> bool:
    answer = _last_answer(repl)
    if answer is None:
        return True
    shown: set[str] = set()
    terms = set(repl.bot.analyzer.tokenize(answer.interpreted_as))
    spans = [(c.doc_id, c.start, c.end) for c in answer.citations] or [
        (h.doc_id, h.start, h.end) for h in answer.related
    ]
    table = repl.bot.retriever.passages
    out: Fragments = []
    for doc_id, start, end in spans:
        for p in (table[i] for i in table.positions([doc_id])):
            if p.start <= start and end <= p.end and p.id not in shown:
                shown.add(p.id)
                doc = repl.bot.retriever.document(doc_id)
                head = source_line(doc.title, doc.date, doc.source, doc.line_at(p.start))
                if p.section:
                    head += f" · § {one_line(p.section)}"
                out += [("class:source", head + "\n"), *repl.highlight(p.text, terms),
                        ("", "\n\n")]
                break
    repl.long(out)
    return True


@command("/open", "/open N: citation N's paragraph in its article")
def open_command(repl: Repl, arg: str) -> bool:
    answer = _last_answer(repl)
    if answer is None:
        return True
    if not answer.citations:
        repl.note("The last answer cites nothing to open (it was declined); /sources "
                  "shows the related passages.")
        return True
    if not _small_number(arg) or not 1 <= int(arg) <= len(answer.citations):
        n = len(answer.citations)
        which = "1" if n == 1 else f"1 to {n}"
        repl.say(f"Usage: /open N, where N is {which} (the last answer has {n} "
                 f"source{'s' * (n != 1)}).", "class:error")
        return True
    c = answer.citations[int(arg) - 1]
    doc = repl.bot.retriever.document(c.doc_id)
    para = (c.start, c.end)
    for a, b, _ in paragraphs(doc.text, doc.body_start, doc.body_end):
        if a <= c.start < b + 1:
            para = (a, max(b, c.end))
            break
    a, b = para
    repl.emit([
        ("class:source",
         f"{source_line(doc.title, c.date, doc.source, c.line)} · characters {a}–{b}\n"),
        ("", one_line(doc.text[a : c.start])),
        ("class:hl", " " * (c.start > a) + one_line(c.quote)),
        ("", " " * (c.end < b) + one_line(doc.text[c.end : b]) + "\n"),
    ])
    return True


@command("/docs", "the articles by date, with passage counts")
def docs(repl: Repl, _: str) -> bool:
    retriever = repl.bot.retriever
    shown = by_date(retriever.documents(since=repl.conversation.since,
                                        until=repl.conversation.until))
    repl.long([("", safe(documents_text(shown, retriever.passages.counts())) + "\n")])
    return True


@command("/timeline", "/timeline [QUERY]: the dated events, oldest first")
def timeline_command(repl: Repl, arg: str) -> bool:
    from qabot.answering.timeline import timeline

    # /since and /until bound the articles by publication date, here as for answers.
    conversation = repl.conversation
    scope = None
    if conversation.since or conversation.until or conversation.doc_ids:
        scope = [d.id for d in repl.bot.retriever.documents(
            conversation.doc_ids, conversation.since, conversation.until)]
    found = timeline(repl.bot.retriever, arg or None, doc_ids=scope)
    if repl.json_mode:
        repl.show_json(found)
    else:
        repl.long([("", safe(timeline_text(found, repl._width())) + "\n")])
    return True


def _set_bound(repl: Repl, arg: str, which: str) -> bool:
    """/since DATE, /until DATE: answers only from articles published then; "off" clears."""
    if not arg:
        current = getattr(repl.conversation, which)
        repl.say(f"{which}: {human_date(current) if current else 'off'}.")
        return True
    if arg.casefold() in ("off", "none", "clear"):
        setattr(repl.conversation, which, None)
        other = repl.conversation.until if which == "since" else repl.conversation.since
        rest = (f" (/{'until' if which == 'since' else 'since'} "
                f"{human_date(other)} still holds)" if other else
                ": every article is read")
        repl.say(f"/{which} off{rest}.")
        return True
    try:
        day = parse_date(arg)
    except DateError as exc:
        repl.say(f"{exc}; write a date such as 2026-03-05, or 'off'.", "class:error")
        return True
    other = repl.conversation.until if which == "since" else repl.conversation.since
    if other is not None and (day > other if which == "since" else day < other):
        repl.say(f"/{which} {human_date(day)} is "
                 f"{'after' if which == 'since' else 'before'} "
                 f"{'/until' if which == 'since' else '/since'} "
                 f"{human_date(other)}: nothing to read; not set.",
                 "class:error")
        return True
    setattr(repl.conversation, which, day)
    repl.say(f"Only articles published {'on or after' if which == 'since' else 'on or before'} "
             f"{human_date(day)}.")
    return True


@command("/since", "/since DATE|off: only articles published on or after DATE")
def since_command(repl: Repl, arg: str) -> bool:
    return _set_bound(repl, arg, "since")


@command("/until", "/until DATE|off: only articles published on or before DATE")
def until_command(repl: Repl, arg: str) -> bool:
    return _set_bound(repl, arg, "until")


@command("/k", "/k N: how many passages to consider")
def set_k(repl: Repl, arg: str) -> bool:
    if not arg:
        repl.say(f"k is {repl.conversation.k or repl.bot.config.passages}.")
    elif _small_number(arg) and 1 <= int(arg) <= 1000:
        repl.conversation.k = int(arg)
        repl.say(f"Now considering {plural(repl.conversation.k, 'passage')} per question.")
    else:
        repl.say("Usage: /k N, with N from 1 to 1000.", "class:error")
    return True


@command("/json", "show answers as raw JSON (toggle)")
def json_command(repl: Repl, _: str) -> bool:
    repl.json_mode = not repl.json_mode
    repl.say(f"JSON output {'on' if repl.json_mode else 'off'}.")
    return True


@command("/reset", "forget the conversation (follow-ups start afresh)")
def reset(repl: Repl, _: str) -> bool:
    repl.conversation.reset()
    repl.say("Conversation forgotten.")
    return True


@command("/history", "this conversation's questions, with the start of each answer")
def history_command(repl: Repl, _: str) -> bool:
    if not repl.transcript:
        repl.note("No questions yet.")
        return True
    lines = [f"{n:>3}. {one_line(q, 70)}\n     → {one_line(a.answer, 70)}"
             for n, (q, a) in enumerate(repl.transcript, start=1)]
    cid = repl.conversation.cid
    if cid:
        lines.append(f"(logged as {cid}: qabot chat --cid {cid} continues it)")
    repl.long([("", safe("\n".join(lines)) + "\n")])
    return True


@command("/save", "/save FILE.md|FILE.json: write the conversation, cited")
def save(repl: Repl, arg: str) -> bool:
    if not arg:
        repl.say("Usage: /save FILE.md (Markdown: each question, its answer and sources) or "
                 "FILE.json (the answers as qabot ask --json writes them).", "class:error")
        return True
    path = Path(arg).expanduser()
    if not repl.transcript:
        repl.note("Nothing to save yet: ask a question first.")
        return True
    if path.suffix.casefold() == ".json":
        record = {"cid": repl.conversation.cid,
                  "turns": [a.model_dump(mode="json") for _, a in repl.transcript]}
        data = (to_json(record, indent=2) + "\n").encode("utf-8")
    else:
        data = transcript_markdown(repl.transcript).encode("utf-8", "replace")
    try:
        # Whole or not at all, and never over an existing file: on a full disk nothing
        # is left behind, so the same name works once there is room.
        create_new(path, data)
    except FileExistsError:
        repl.say(f"{one_line(str(path))} exists; give a new file name.", "class:error")
        return True
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        reason = getattr(exc, "strerror", None) or str(exc)
        repl.say(f"Cannot write {one_line(str(path))} ({reason}).", "class:error")
        return True
    repl.say(f"Saved {len(repl.transcript)} question{'s' * (len(repl.transcript) != 1)} "
             f"to {one_line(str(path))}.")
    return True


@command("/edit", "write a question (or several, one per line) in $EDITOR")
def edit(repl: Repl, _: str) -> bool:
    import shlex
    import subprocess
    import tempfile

    if not repl.on_terminal():
        # An editor started on a pipe reads the rest of the input as keystrokes: a
        # questions file could then run commands through it (vi's ':!').
        repl.say("/edit needs a terminal (standard input and output); on a pipe no "
                 "editor is started.", "class:error")
        return True

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "question.txt"
        path.write_text("", encoding="utf-8")
        try:
            subprocess.run([*shlex.split(editor), str(path)], check=False)
            text = path.read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError) as exc:
            repl.say(f"Cannot run the editor {one_line(editor)!r} ({exc}).", "class:error")
            return True
    if not text.strip():
        repl.note("Nothing written; nothing asked.")
        return True
    return repl.handle(text)


@command("/corpus", "/corpus PATH: ask another folder (alone: which one)")
def corpus(repl: Repl, arg: str) -> bool:
    corpus = repl.bot.retriever.corpus
    if not arg:
        n = len(corpus.documents)
        where = one_line(corpus.origin or corpus.root)
        repl.say(f"Asking {n} article{'s' * (n != 1)} in {where}.")
        return True
    if repl.loader is None:
        repl.say("Switching corpus is not available here.", "class:error")
        return True
    try:
        bot = repl.loader(os.path.expanduser(arg))
    except QabotError as exc:
        repl.say(one_line(str(exc)), "class:error")
        return True
    except KeyboardInterrupt:  # a long build or embedding: cancel the switch, stay
        repl.say("(interrupted: still asking the same articles)", "class:error")
        return True
    repl.bot = bot
    repl.conversation = Conversation(bot, k=repl.conversation.k, log=repl.conversation.log)
    repl.say(repl.banner())
    return True


@command("/quit", "leave (also: exit, quit, :q, Ctrl-D)")
def quit_command(repl: Repl, _: str) -> bool:
    return False


def _small_number(arg: str) -> bool:
    """ASCII digits only, at most four: "²" and "①" pass ``str.isdigit`` but not ``int``,
    and a 5,000-digit number passes both but exceeds Python's digit limit."""
    return regex.fullmatch(r"[0-9]{1,4}", arg) is not None
