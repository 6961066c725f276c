"""The chat REPL: one prompt_toolkit session reading questions and slash commands
(``commands``), answers shown cited and in colour, or as JSON."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable

import regex
from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import Completer, WordCompleter
from prompt_toolkit.document import Document as PTDocument
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style
from pydantic import BaseModel

from qabot.answering.bot import Bot
from qabot.answering.query import MAX_QUESTION_CHARS, clean
from qabot.conversation import Conversation
from qabot.conversation.log import ChatLog
from qabot.models import Answer
from qabot.text.analysis import surface_words
from qabot.text.lexicon import FAREWELLS, GREETINGS, HELP_WORDS, THANKS
from qabot.text.timeref import human_date
from qabot.ui.pager import page
from qabot.ui.render import (
    Fragments,
    answer_fragments,
    one_line,
    plural,
    safe,
    terminal_width,
    to_json,
    valid_text,
    wrap,
)
from qabot.ui.repl.commands import COMMANDS
from qabot.ui.repl.history import open_history

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
        log: ChatLog | None = None,
    ) -> None:
        self.bot = bot
        self.loader = loader  # builds a bot for /corpus PATH
        self.conversation = Conversation(bot, k=k, log=log)
        self.json_mode = json_mode
        self._printer = printer
        # TERM=dumb: no escape codes at all, so output is written as plain text.
        self.dumb = os.environ.get("TERM") == "dumb" and printer is None
        self.colour = (not os.environ.get("NO_COLOR") and not self.dumb
                       ) if colour is None else colour
        self.transcript: list[tuple[str, Answer]] = []
        self.input = input
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
                # Without colour a suggestion looks typed (Enter then sent only what was
                # typed): shown only in colour.
                auto_suggest=AutoSuggestFromHistory() if self.colour else None,
                completer=_SlashCompleter(list(COMMANDS)),
                complete_while_typing=False,
                key_bindings=keys,
                enable_open_in_editor=True,  # Ctrl-X Ctrl-E, as in bash
                input=self.input,
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

    def _width(self) -> int:  # also the commands' (ui/repl/commands.py)
        cols = 0
        if self._session is not None:
            try:
                cols = self._session.output.get_size().columns
            except Exception:  # a dummy or closed output has no size
                cols = 0
        return max(40, cols or terminal_width()) - 1

    # -- the loop ------------------------------------------------------------------------

    def banner(self) -> str:
        """One line, within 80 columns for a corpus of up to thousands of articles."""
        docs = self.bot.retriever.corpus.documents
        dates = sorted(d.date for d in docs if d.date)
        span = ""
        if dates:
            first, last = human_date(dates[0]), human_date(dates[-1])
            if dates[0].year == dates[-1].year:  # "6 Mar – 13 Mar 2026"
                first = first.rsplit(" ", 1)[0]
            span = f", {first} – {last}" if dates[0] != dates[-1] else f", {last}"
        passages = len(self.bot.retriever.passages)
        counts = f"{plural(len(docs), 'article')}, {plural(passages, 'passage')}"
        return f"qabot · {counts}{span} · /help, Ctrl-D quits"

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
            parts = _questions(text)
            for part in parts:
                self.note(f"> {one_line(part, 200)}")
                if not self.handle(part):
                    return False
            return True
        said = " ".join(regex.sub(r"[!.,]+$", "", text.casefold()).split())
        if said in FAREWELLS:
            return False
        if said in HELP_WORDS:
            return COMMANDS["/help"].run(self, "")
        if said in GREETINGS:
            self.say("Hello. Ask me anything about the articles; /help lists the commands.")
            return True
        if said in THANKS:
            self.say("You're welcome.")
            return True
        if text.startswith("/"):
            name, _, arg = text.partition(" ")
            command = COMMANDS.get(name.casefold())
            if command is None:
                import difflib

                near = difflib.get_close_matches(name.casefold(), list(COMMANDS), n=1,
                                                 cutoff=0.75)
                hint = f"Did you mean {near[0]}? " if near else ""
                self.say(f"Unknown command {one_line(name, 40)}. {hint}Type /help for the "
                         "list.", "class:error")
                return True
            return command.run(self, arg.strip())
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

    def show_json(self, record: BaseModel) -> None:
        """One compact object on its own line, never wrapped (on a pipe, on stdout): a line
        copied from the screen is valid JSON."""
        if self.batch_mode or self.dumb:
            sys.stdout.write(to_json(record) + "\n")
            sys.stdout.flush()
        else:
            print_formatted_text(FormattedText([("", to_json(record) + "\n")]),
                                 output=self._printer, end="")

    def show(self, answer: Answer) -> None:
        if self.json_mode:
            self.show_json(answer)
            return
        terms = set(self.bot.analyzer.tokenize(answer.interpreted_as))
        self.emit([*answer_fragments(answer, lambda text: self.highlight(text, terms),
                                     hint=True), ("", "\n")])

    def highlight(self, text: str, terms: set[str]) -> Fragments:
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

    def on_terminal(self) -> bool:
        """Whether a person is at a terminal: standard input and output are both terminals
        and the chat reads them (not a pipe, not a test's pipe input)."""
        try:
            return (not self.batch_mode and self.input is None and sys.stdin.isatty()
                    and sys.stdout.isatty())
        except (AttributeError, ValueError):  # a closed or odd stream
            return False


_ENDS = regex.compile("[?.!\u2026\u3002\uff1f\uff01]['\"\u2019\u201d)]*$")


def _questions(text: str) -> list[str]:
    """The questions of several lines: a line of three words or more that does not end a
    sentence (no ? . ! or closing quote) goes on in the next one when that starts in lower
    case, so a pasted question wrapped over two lines is one question; "/commands" and
    short lines ("hello", "thanks") stay lines of their own."""
    found: list[str] = []
    for line in (p.strip() for p in text.splitlines()):
        if not line:
            continue
        if (found and not found[-1].startswith("/") and line[0].islower()
                and len(found[-1].split()) >= 3 and not _ENDS.search(found[-1])):
            found[-1] = f"{found[-1]} {line}"
        else:
            found.append(line)
    return found
