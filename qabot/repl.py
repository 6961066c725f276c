"""The chat REPL: one prompt_toolkit session, meta-commands, cited answers in colour."""

from __future__ import annotations

import datetime
import errno
import os
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import regex
from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import Completer, WordCompleter
from prompt_toolkit.document import Document as PTDocument
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style

from qabot.analysis import surface_words
from qabot.answer import Bot
from qabot.answering.query import MAX_QUESTION_CHARS, clean
from qabot.cache import create_new, state_dir
from qabot.conversation import Conversation
from qabot.errors import QabotError
from qabot.lexicon import FAREWELLS, GREETINGS, HELP_WORDS, THANKS
from qabot.models import Answer
from qabot.pager import page
from qabot.render import (
    Fragments,
    answer_fragments,
    one_line,
    safe,
    source_line,
    terminal_width,
    to_json,
    transcript_markdown,
    valid_text,
    wrap,
)
from qabot.segment import paragraphs
from qabot.timeref import human_date

STYLE = Style.from_dict(
    {
        "banner": "bold",
        "prompt": "ansicyan bold",
        "marker": "ansicyan bold",
        "source": "ansigreen",
        "quote": "",
        "hl": "bold underline",
        "abstain": "ansiyellow bold",
        "related": "ansibrightblack",
        "note": "italic ansibrightblack",
        "error": "ansired",
    }
)

def history_path() -> Path:
    """``$XDG_STATE_HOME/qabot/history``, falling back to ``~/.local/state/qabot/history``."""
    return state_dir() / "history"


def _open_private(path: Path) -> int:
    """A descriptor for appending to ``path``, made private (0600) if new; never through a
    link (O_NOFOLLOW: a link planted there fails with ELOOP rather than send the questions,
    or a chmod, to its target)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


class _GuardedFileHistory(FileHistory):
    """prompt_toolkit's file history that survives the file becoming unwritable (a full
    disk, a revoked permission): one warning, then the history goes on in memory. Slash
    commands are kept in memory only, so is a line that repeats the one before, and the file
    is private (0600) and never written through a link: questions may be private."""

    def __init__(self, path: Path, warn: Callable[[str], None]) -> None:
        super().__init__(str(path))
        self._path = path
        self._warn = warn
        self._writable = True

    def store_string(self, string: str) -> None:
        last, self._last = getattr(self, "_last", None), string
        if not self._writable or string.lstrip().startswith("/") or string == last:
            return
        # prompt_toolkit's own file format ("# date", then "+line" per line), written
        # through a descriptor opened without following links.
        lines = [f"\n# {datetime.datetime.now()}\n", *(f"+{line}\n" for line in
                                                    string.split("\n"))]
        try:
            with os.fdopen(_open_private(self._path), "ab") as f:
                f.write("".join(lines).encode("utf-8", errors="replace"))
        except OSError as exc:
            self._writable = False
            self._warn(f"history no longer saved: cannot write {self._path} "
                       f"({exc.strerror or exc}); kept in memory for this session")


def open_history(warn: Callable[[str], None]) -> History:
    """A persistent history, or an in-memory one (with one warning) if it cannot be written
    (or is a link: it is never written through one)."""
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(_open_private(path))
    except OSError as exc:
        reason = "it is a link" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        warn(f"history disabled: cannot write {path} ({reason})")
        return InMemoryHistory()
    return _GuardedFileHistory(path, warn)


class _SlashCompleter(Completer):
    """Completes meta-commands, only when the line starts with '/'."""

    def __init__(self, words: list[str]) -> None:
        self._inner = WordCompleter(words, sentence=True)

    def get_completions(self, document: PTDocument, complete_event):  # type: ignore[no-untyped-def]
        if document.text_before_cursor.lstrip().startswith("/"):
            yield from self._inner.get_completions(document, complete_event)


class Repl:
    """A conversation with the bot on a terminal. ``run()`` returns the exit status."""

    def __init__(
        self,
        bot: Bot,
        *,
        k: int | None = None,
        json_mode: bool = False,
        input: Input | None = None,
        output: Output | None = None,
        printer: Output | None = None,
        colour: bool | None = None,
        loader: Callable[[str], Bot] | None = None,
    ) -> None:
        self.bot = bot
        self._loader = loader  # builds a bot for /corpus PATH
        self.conversation = Conversation(bot, k=k)
        self.json_mode = json_mode
        self._printer = printer
        # TERM=dumb: no escape codes at all, so output is written as plain text.
        self.dumb = os.environ.get("TERM") == "dumb" and printer is None
        self.colour = (not os.environ.get("NO_COLOR") and not self.dumb
                       ) if colour is None else colour
        self.commands: dict[str, tuple[Callable[[str], bool], str]] = {
            "/help": (self._help, "this list"),
            "/sources": (self._sources, "the full passages behind the last answer"),
            "/open": (self._open, "/open N: citation N's paragraph in its article"),
            "/docs": (self._docs, "the articles, with dates and passage counts"),
            "/k": (self._set_k, "/k N: how many passages to consider"),
            "/json": (self._toggle_json, "show answers as raw JSON (toggle)"),
            "/reset": (self._reset, "forget the conversation (follow-ups start afresh)"),
            "/save": (self._save, "/save FILE: write the conversation as Markdown, cited"),
            "/edit": (self._edit, "write a question (or several, one per line) in $EDITOR"),
            "/corpus": (self._corpus, "/corpus PATH: ask another folder (alone: which one)"),
            "/quit": (self._quit, "leave (also: exit, quit, :q, Ctrl-D)"),
        }
        self.transcript: list[tuple[str, Answer]] = []
        self._input = input
        self._output = output
        self._session: PromptSession[str] | None = None
        self.batch_mode = False

    @property
    def session(self) -> PromptSession[str]:
        """The prompt_toolkit session, made on first use (a pipe never needs one)."""
        if self._session is None:
            keys = KeyBindings()

            @keys.add("escape", "enter")  # Alt-Enter: a new line instead of sending
            def _newline(event: KeyPressEvent) -> None:
                event.current_buffer.insert_text("\n")

            self._session = PromptSession(
                history=open_history(self.note),
                auto_suggest=AutoSuggestFromHistory(),
                completer=_SlashCompleter(list(self.commands)),
                complete_while_typing=False,
                key_bindings=keys,
                enable_open_in_editor=True,  # Ctrl-X Ctrl-E, as in bash
                input=self._input,
                output=self._output,
            )
        return self._session

    # -- output --------------------------------------------------------------------------

    def emit(self, fragments: Fragments) -> None:
        if self.batch_mode or self.dumb:  # plain text; in a JSON batch stdout holds answers
            stream = sys.stderr if self.json_mode and self.batch_mode else sys.stdout
            stream.write(valid_text("".join(t for _, t in wrap(fragments, self._width()))))
            stream.flush()
            return
        fragments = wrap(fragments, self._width())
        if not self.colour:
            fragments = [("", text) for _, text in fragments]
        print_formatted_text(FormattedText(fragments), style=STYLE, output=self._printer,
                             end="")

    def long(self, fragments: Fragments) -> None:
        """Output that may be long (/docs, /sources, /help): through the pager when it is
        taller than the terminal."""
        if not self.batch_mode and self._session is not None:
            text = "".join(t for _, t in wrap(fragments, self._width()))
            if page(valid_text(text)):
                return
        self.emit(fragments)

    def say(self, text: str, style: str = "") -> None:
        self.emit([(style, safe(text) + "\n")])

    def note(self, text: str) -> None:
        self.say(text, "class:note")

    def _width(self) -> int:
        cols = 0
        if self._session is not None:
            try:
                cols = self._session.output.get_size().columns
            except Exception:  # a dummy or closed output has no size
                cols = 0
        return max(40, cols or terminal_width()) - 1

    # -- the loop ------------------------------------------------------------------------

    def banner(self) -> str:
        docs = self.bot.retriever.corpus.documents
        dates = sorted(d.date.isoformat() for d in docs if d.date)
        span = f", {human_date(dates[0])} – {human_date(dates[-1])}" if dates else ""
        n = len(self.bot.retriever.passages)
        articles = f"{len(docs)} article{'s' if len(docs) != 1 else ''}"
        passages = f"{n} passage{'s' if n != 1 else ''}"
        return f"qabot · {articles}, {passages}{span} · /help for commands, Ctrl-D to quit"

    def run(self) -> int:
        self.say(self.banner(), "class:banner")
        if self.dumb:
            try:  # GNU readline gives input() line editing and Up-arrow recall, plainly
                import readline  # noqa: F401
            except ImportError:
                pass
        while True:
            try:
                if self.dumb:  # no escape codes at all: the plain line editor
                    line = input("ask› ")
                else:
                    line = self.session.prompt([("class:prompt", "ask› ")], style=STYLE)
            except KeyboardInterrupt:
                continue  # Ctrl-C clears the line
            except EOFError:
                return 0
            if not self.handle(line):
                return 0

    def batch(self, lines: Iterable[str]) -> int:
        """The chat without a prompt: each line as if typed (commands included), each
        question echoed before its answer unless in JSON mode. The exit status."""
        self.batch_mode = True
        for line in lines:
            if not line.strip():
                continue
            if not self.json_mode:
                self.say(f"> {line}")
            if not self.handle(line):
                break
        return 0

    def handle(self, line: str) -> bool:
        """Act on one input line; False means leave. Several lines (pasted, typed with
        Alt-Enter, or from /edit) are several questions, answered in turn."""
        text = line.strip()
        if not text:
            return True
        if "\n" in text:
            parts = [p for p in text.splitlines() if p.strip()]
            for part in parts:
                self.note(f"> {one_line(part, 200)}")
                if not self.handle(part):
                    return False
            return True
        said = " ".join(regex.sub(r"[!.,]+$", "", text.casefold()).split())
        if said in FAREWELLS:
            return False
        if said in HELP_WORDS:
            return self._help("")
        if said in GREETINGS:
            self.say("Hello. Ask me anything about the articles; /help lists the commands.")
            return True
        if said in THANKS:
            self.say("You're welcome.")
            return True
        if text.startswith("/"):
            name, _, arg = text.partition(" ")
            command = self.commands.get(name.casefold())
            if command is None:
                import difflib

                near = difflib.get_close_matches(name.casefold(), list(self.commands), n=1,
                                                 cutoff=0.75)
                hint = f"Did you mean {near[0]}? " if near else ""
                self.say(f"Unknown command {one_line(name, 40)}. {hint}Type /help for the "
                         "list.", "class:error")
                return True
            return command[0](arg.strip())
        if clean(text)[1]:
            self.note(f"(question cut to its first {MAX_QUESTION_CHARS:,} characters)")
        try:
            answer = self.conversation.ask(text)
        except KeyboardInterrupt:
            self.note("(interrupted)")
            return True
        self.transcript.append((text, answer))
        self.show(answer)
        return True

    # -- answers -------------------------------------------------------------------------

    def show(self, answer: Answer) -> None:
        if self.json_mode:
            # One compact object, never wrapped: a line copied from the screen is valid JSON.
            if self.batch_mode or self.dumb:
                sys.stdout.write(to_json(answer) + "\n")
                sys.stdout.flush()
            else:
                print_formatted_text(FormattedText([("", to_json(answer) + "\n")]),
                                     output=self._printer, end="")
            return
        terms = set(self.bot.analyzer.tokenize(answer.interpreted_as))
        self.emit([*answer_fragments(answer, lambda text: self._highlight(text, terms),
                                     hint=True), ("", "\n")])

    def _highlight(self, text: str, terms: set[str]) -> Fragments:
        """The text with the question's terms in the highlight style."""
        out: Fragments = []
        pos = 0
        flat = one_line(text)
        for start, end, word in surface_words(flat):
            tokens = self.bot.analyzer.tokenize(word)
            if tokens and tokens[0] in terms:
                out.append(("class:quote", flat[pos:start]))
                out.append(("class:hl", word))
                pos = end
        out.append(("class:quote", flat[pos:]))
        return out

    # -- meta-commands (each returns False to leave) -------------------------------------

    def _help(self, _: str) -> bool:
        lines = ["Ask a question in plain English, or use a command:"]
        lines += [f"  {name:<9} {text}" for name, (_, text) in self.commands.items()]
        if self.batch_mode:
            lines.append("Reading one line at a time from standard input; /quit stops.")
        else:
            lines.append("Alt-Enter starts a new line; Ctrl-C clears the line; Ctrl-D or "
                         "/quit leaves.")
        self.long([("", safe("\n".join(lines)) + "\n")])
        return True

    def _need_answer(self) -> Answer | None:
        last = self.conversation.last
        if last is None or not (last.citations or last.related):
            self.note("No sources yet: ask a question first.")
            return None
        return last

    def _sources(self, _: str) -> bool:
        answer = self._need_answer()
        if answer is None:
            return True
        shown: set[str] = set()
        terms = set(self.bot.analyzer.tokenize(answer.interpreted_as))
        spans = [(c.doc_id, c.start, c.end) for c in answer.citations] or [
            (h.doc_id, h.start, h.end) for h in answer.related
        ]
        table = self.bot.retriever.passages
        out: Fragments = []
        for doc_id, start, end in spans:
            for p in (table[i] for i in table.positions([doc_id])):
                if p.start <= start and end <= p.end and p.id not in shown:
                    shown.add(p.id)
                    doc = self.bot.retriever.document(doc_id)
                    head = source_line(doc.title, doc.date.isoformat() if doc.date else None,
                                       doc.source, doc.line_at(p.start))
                    if p.section:
                        head += f" · § {one_line(p.section)}"
                    out += [("class:source", head + "\n"), *self._highlight(p.text, terms),
                            ("", "\n\n")]
                    break
        self.long(out)
        return True

    def _open(self, arg: str) -> bool:
        answer = self._need_answer()
        if answer is None:
            return True
        if not answer.citations:
            self.note("The last answer cites nothing to open (it was declined); /sources "
                      "shows the related passages.")
            return True
        if not _small_number(arg) or not 1 <= int(arg) <= len(answer.citations):
            n = len(answer.citations)
            which = "1" if n == 1 else f"1 to {n}"
            self.say(f"Usage: /open N, where N is {which} (the last answer has {n} "
                     f"source{'s' * (n != 1)}).", "class:error")
            return True
        c = answer.citations[int(arg) - 1]
        doc = self.bot.retriever.document(c.doc_id)
        para = (c.start, c.end)
        for a, b, _ in paragraphs(doc.text, doc.body_start, doc.body_end):
            if a <= c.start < b + 1:
                para = (a, max(b, c.end))
                break
        a, b = para
        self.emit([
            ("class:source",
             f"{source_line(doc.title, c.date, doc.source, c.line)} · characters {a}–{b}\n"),
            ("", one_line(doc.text[a : c.start])),
            ("class:hl", " " * (c.start > a) + one_line(c.quote)),
            ("", " " * (c.end < b) + one_line(doc.text[c.end : b]) + "\n"),
        ])
        return True

    def _docs(self, _: str) -> bool:
        counts = self.bot.retriever.passages.counts()
        lines = []
        for d in self.bot.retriever.corpus.documents:
            date = human_date(d.date.isoformat()) if d.date else "–"
            lines.append(f"{date:>12} · {one_line(d.title)} · {one_line(d.source)}"
                         f" · {counts.get(d.id, 0)} passages")
        self.long([("", safe("\n".join(lines)) + "\n")])
        return True

    def _set_k(self, arg: str) -> bool:
        if not arg:
            self.say(f"k is {self.conversation.k or self.bot.config.passages}.")
        elif _small_number(arg) and 1 <= int(arg) <= 1000:
            self.conversation.k = int(arg)
            self.say(f"Now considering {self.conversation.k} passages per question.")
        else:
            self.say("Usage: /k N, with N from 1 to 1000.", "class:error")
        return True

    def _toggle_json(self, _: str) -> bool:
        self.json_mode = not self.json_mode
        self.say(f"JSON output {'on' if self.json_mode else 'off'}.")
        return True

    def _reset(self, _: str) -> bool:
        self.conversation.reset()
        self.say("Conversation forgotten.")
        return True

    def _save(self, arg: str) -> bool:
        if not arg:
            self.say("Usage: /save FILE (Markdown: each question, its answer and sources).",
                     "class:error")
            return True
        path = Path(arg).expanduser()
        if not self.transcript:
            self.note("Nothing to save yet: ask a question first.")
            return True
        data = transcript_markdown(self.transcript).encode("utf-8", "replace")
        try:
            # Whole or not at all, and never over an existing file: on a full disk nothing
            # is left behind, so the same name works once there is room.
            create_new(path, data)
        except FileExistsError:
            self.say(f"{one_line(str(path))} exists; give a new file name.", "class:error")
            return True
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            reason = getattr(exc, "strerror", None) or str(exc)
            self.say(f"Cannot write {one_line(str(path))} ({reason}).", "class:error")
            return True
        self.say(f"Saved {len(self.transcript)} question{'s' * (len(self.transcript) != 1)} "
                 f"to {one_line(str(path))}.")
        return True

    def _on_terminal(self) -> bool:
        """Whether a person is at a terminal: standard input and output are both terminals
        and the chat reads them (not a pipe, not a test's pipe input)."""
        try:
            return (not self.batch_mode and self._input is None and sys.stdin.isatty()
                    and sys.stdout.isatty())
        except (AttributeError, ValueError):  # a closed or odd stream
            return False

    def _edit(self, _: str) -> bool:
        import shlex
        import subprocess
        import tempfile

        if not self._on_terminal():
            # An editor started on a pipe reads the rest of the input as keystrokes: a
            # questions file could then run commands through it (vi's ':!').
            self.say("/edit needs a terminal (standard input and output); on a pipe no "
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
                self.say(f"Cannot run the editor {one_line(editor)!r} ({exc}).", "class:error")
                return True
        if not text.strip():
            self.note("Nothing written; nothing asked.")
            return True
        return self.handle(text)

    def _corpus(self, arg: str) -> bool:
        corpus = self.bot.retriever.corpus
        if not arg:
            n = len(corpus.documents)
            where = one_line(corpus.origin or corpus.root)
            self.say(f"Asking {n} article{'s' * (n != 1)} in {where}.")
            return True
        if self._loader is None:
            self.say("Switching corpus is not available here.", "class:error")
            return True
        try:
            bot = self._loader(os.path.expanduser(arg))
        except QabotError as exc:
            self.say(one_line(str(exc)), "class:error")
            return True
        except KeyboardInterrupt:  # a long build or embedding: cancel the switch, stay
            self.say("(interrupted: still asking the same articles)", "class:error")
            return True
        self.bot = bot
        self.conversation = Conversation(bot, k=self.conversation.k)
        self.say(self.banner())
        return True

    def _quit(self, _: str) -> bool:
        return False


def _small_number(arg: str) -> bool:
    """ASCII digits only, at most four: "²" and "①" pass ``str.isdigit`` but not ``int``,
    and a 5,000-digit number passes both but exceeds Python's digit limit."""
    return regex.fullmatch(r"[0-9]{1,4}", arg) is not None
