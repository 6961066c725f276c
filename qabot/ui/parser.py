"""The ``qabot`` command line's grammar: commands, options, help and examples, and one-line
usage errors. Building it imports nothing beyond argparse (start-up time)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any, NoReturn

from qabot import __version__
from qabot.errors import QabotError

MAX_K = 1000
# The passages an answer reads by default (answering.bot.AnswerConfig.passages, written out so
# that parsing imports nothing; a test keeps the two equal) and that `search` shows.
ANSWER_PASSAGES = 10
SEARCH_HITS = 5

EPILOGS = {
    "qabot": """examples:
  qabot                                   open the chat (the REPL)
  qabot ask "Why did Lin Junyang resign?"
  qabot ask --json "why did Lin resign?"
  qabot search "Qwen3.5 parameter sizes" -k 3
  qabot eval --report eval/report.md
  qabot ask --corpus ~/news "who is the CEO?"
""",
    "ask": """examples:
  qabot ask "Why did Lin Junyang resign?"
  qabot ask --json -k 8 "what did Wu Yongming's memo say?"
  printf 'who is Zhou Hao?\\nwhen did he join?\\n' | qabot ask -     (each line answered alone)
""",
    "search": """examples:
  qabot search "resignation reasons"
  qabot search --json -k 10 "open-source strategy" | jq '.hits[0].source'
""",
    "chat": """examples:
  qabot chat
  printf 'who is Zhou Hao?\\nwho did he report to?\\n' | qabot chat --json
  qabot chat -c                     continue the last conversation (qabot logs lists them)
""",
    "eval": """examples:
  qabot eval
  qabot eval --report eval/report.md --check eval/thresholds.json
  qabot eval --gold my_questions.jsonl --corpus ~/news --json
""",
    "index": """examples:
  qabot index
  qabot index --corpus ~/news
""",
    "timeline": """examples:
  qabot timeline Lin
  qabot timeline --since 2026-03-04 --until "March 5, 2026" memo
  qabot timeline --json | jq '.events[] | [.date, .citation.source]'
""",
    "docs": """examples:
  qabot docs
  qabot docs --json --since 2026-03-01 | jq '.documents[].source'
""",
    "logs": """examples:
  qabot logs
  qabot logs -q Zhou -n 3
  qabot logs --cid 20261202 --json | jq '.turns[].answer'
  qabot chat -c                       continue the last conversation
""",
    "completion": """examples:
  qabot completion bash > ~/.local/share/bash-completion/completions/qabot
  qabot completion zsh > "${fpath[1]}/_qabot"
""",
    "cache": """examples:
  qabot cache          what the cache holds, and where
  qabot cache clear    delete it all (it is rebuilt when needed)
""",
}

# At most this many warnings are printed one per line; the rest are counted.
WARNINGS_SHOWN = 10


class UsageError(QabotError):
    """A command line that can't be run as typed (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``qabot ask: error: ... (see --help)``, status 2, and
    a suggestion for a mistyped command."""

    def __init__(self, *args: Any, chat_words: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The words were taken as the bare command's chat options ("qabot --json ..."):
        # an unknown one then hints at `qabot ask`. Per parser, never global, so one
        # main() call can't change the next one's message.
        self.chat_words = chat_words

    def error(self, message: str) -> NoReturn:
        import re

        m = re.search(r"argument COMMAND: invalid choice: '([^']*)' \(choose from (.*)\)",
                      message)
        if m:
            import difflib

            choices = re.findall(r"'([^']*)'", m.group(2))
            near = difflib.get_close_matches(m.group(1), choices, n=1, cutoff=0.6)
            if near:
                message = f"no command {m.group(1)!r}; did you mean {near[0]!r}?"
            else:
                words = m.group(1) if " " in m.group(1) else f"{m.group(1)} ..."
                message = (f"no command {m.group(1)!r} (commands: {', '.join(choices)}); "
                           f"to ask a question, use: qabot ask \"{words}\"")
        elif "unrecognized arguments" in message and self.chat_words:
            message += "; to ask one question, use: qabot ask QUESTION"
        from qabot.ui.render import safe_line

        # The message echoes what was typed: sanitised, as every line qabot writes.
        self.exit(2, safe_line(f"{self.prog}: error: {message} (see '{self.prog} --help')")
                  + "\n")


def _day(value: str) -> dt.date:
    """A --since/--until date, in any form a date header may take (timeref.parse_date)."""
    from qabot.text.timeref import DateError, parse_date

    try:
        return parse_date(value)
    except DateError as exc:
        hint = "" if "YYYY-MM-DD" in str(exc) else " (write a date such as 2026-03-05)"
        raise argparse.ArgumentTypeError(f"{exc}{hint}") from None


def _range_options(p: argparse.ArgumentParser, what: str = "articles published",
                   undated: str = "; undated articles are left out") -> None:
    p.add_argument("--since", type=_day, metavar="DATE",
                   help=f"only {what} on or after DATE (2026-03-05, \"March 5, 2026\", "
                   f"13/05/2026 when only one reading is a date){undated}")
    p.add_argument("--until", type=_day, metavar="DATE", help=f"only {what} on or before DATE")


def _k(value: str) -> int:
    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a whole number, not {value!r}") from None
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_K}, not {k}")
    return k


# What shell completion offers for a path (shtab's FILE, written out so that building the
# parser never imports shtab).
_PATHS = {"bash": "_shtab_compgen_files", "zsh": "_files"}


def _corpus_option(p: argparse.ArgumentParser, help: str) -> None:
    action = p.add_argument("--corpus", metavar="PATH", help=help)
    action.complete = _PATHS  # type: ignore[attr-defined]
    p.add_argument("--follow", action="store_true",
                   help="follow links that lead out of the corpus folder (skipped, with a "
                   "warning, by default)")


def _common(p: argparse.ArgumentParser, k_default: int, semantic_default: str | None = None
            ) -> None:
    _corpus_option(p, "a folder of .txt/.md articles, one such file, or a .jsonl file "
                   "(default: $QABOT_CORPUS, the config file's corpus, else the bundled "
                   "articles)")
    p.add_argument("-k", type=_k, default=None, metavar="N",
                   help=f"passages to consider (default: the config file's k, else "
                   f"{k_default})")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    _semantic_option(p, semantic_default)
    _range_options(p)
    p.add_argument("--doc", action="append", metavar="FILE", default=None,
                   help="only this article: its file (as `qabot docs` lists it) or id; "
                   "repeat for several")


def _semantic_option(p: argparse.ArgumentParser, default: str | None = None) -> None:
    p.add_argument("--semantic", action=argparse.BooleanOptionalAction, default=None,
                   help="match by meaning too, with sentence embeddings (default: "
                   + (default or "the config file's semantic, else on for corpora up to "
                      "2,000 sentences; --semantic embeds a larger one too") + ")")


def build_parser(chat_words: bool = False) -> argparse.ArgumentParser:
    """The ``qabot`` parser; ``chat_words``: the words are the bare command's chat options
    (an unrecognised one then hints at ``qabot ask``)."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        chat_words=chat_words,
        prog="qabot",
        description="Ask questions about a folder of news articles; every answer is cited.",
        epilog=EPILOGS["qabot"], formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"qabot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    ask = sub.add_parser("ask", help="answer a question with citations", epilog=EPILOGS["ask"],
                         description="Answer a question from the articles, with citations.",
                         formatter_class=fmt)
    ask.add_argument("question", metavar="QUESTION", nargs="+",
                     help="the question (quotes optional: the words are joined); '-' reads "
                     "one question per line from standard input")
    _common(ask, ANSWER_PASSAGES)

    search = sub.add_parser("search", help="ranked passages for a query", epilog=EPILOGS["search"],
                            description="Rank passages by BM25 and show them with their source.",
                            formatter_class=fmt)
    search.add_argument("query", metavar="QUERY", nargs="+",
                        help="the words to look for (quotes optional)")
    _common(search, SEARCH_HITS, "the config file's semantic, else off: BM25 alone")

    chat = sub.add_parser("chat", help="a conversation (the REPL on a terminal)",
                          epilog=EPILOGS["chat"], formatter_class=fmt,
                          description="Chat with follow-up questions. Reads one question per "
                          "line when standard input is not a terminal.")
    _common(chat, ANSWER_PASSAGES)
    chat.add_argument("-c", "--continue", dest="resume", action="store_true",
                      help="continue the last logged conversation (over its corpus, unless "
                      "--corpus is given)")
    chat.add_argument("--cid", metavar="ID", help="continue the logged conversation ID (as "
                      "`qabot logs` lists it; a unique prefix is enough)")
    chat.add_argument("--no-log", action="store_true",
                      help="do not write this chat to the log ($XDG_DATA_HOME/qabot/logs.db)")
    logs = sub.add_parser("logs", help="list and search past conversations",
                          epilog=EPILOGS["logs"], formatter_class=fmt,
                          description="The logged conversations, newest first: id, start, "
                          "corpus, turns and first question; with --cid, one conversation's "
                          "turns.")
    logs.add_argument("-n", type=_k, default=10, metavar="N",
                      help="how many conversations (default 10)")
    logs.add_argument("-q", metavar="TEXT", help="only conversations whose questions or "
                      "answers hold TEXT")
    logs.add_argument("--cid", metavar="ID", help="show this conversation's turns")
    logs.add_argument("--json", action="store_true", help="print JSON instead of text")

    tl = sub.add_parser("timeline", help="the dated events about a query, oldest first",
                        epilog=EPILOGS["timeline"], formatter_class=fmt,
                        description="The events the articles date (\"on March 5\", "
                        "\"yesterday\", \"that afternoon\"), resolved against each "
                        "article's date, in order, each quoted and cited; a mark where two "
                        "articles date one event differently.")
    tl.add_argument("query", metavar="QUERY", nargs="*",
                    help="what the events are about (default: every dated event)")
    _corpus_option(tl, "a folder, a file or a .jsonl (default: as for ask)")
    tl.add_argument("--json", action="store_true", help="print JSON instead of text")
    _range_options(tl, "events dated", " (the event's date, as resolved; an undated "
                   "article's events that carry their year are listed too)")
    docs = sub.add_parser("docs", help="the articles, by publication date",
                          epilog=EPILOGS["docs"], formatter_class=fmt,
                          description="List the corpus's articles oldest first, with title, "
                          "date and file; undated ones last.")
    _corpus_option(docs, "a folder, a file or a .jsonl (default: as for ask)")
    docs.add_argument("--json", action="store_true", help="print JSON instead of text")
    _range_options(docs)

    ev = sub.add_parser("eval", help="score qabot against a gold question set",
                        epilog=EPILOGS["eval"], formatter_class=fmt,
                        description="Retrieval, answer, attribution and abstention metrics.")
    ev.add_argument("--gold", metavar="FILE", help="gold .jsonl (default: eval/gold.jsonl)")
    _corpus_option(ev, "corpus (default: bundled articles)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    _semantic_option(ev)
    ev.add_argument("--report", metavar="FILE.md", help="also write the report as Markdown")
    ev.add_argument("--check", metavar="THRESHOLDS",
                    help="exit 1 if any figure is below the thresholds in this JSON file")
    idx = sub.add_parser("index", help="build the search index cache and show its figures",
                         epilog=EPILOGS["index"], formatter_class=fmt,
                         description="Build (or load) the cached index of a corpus in "
                         "$XDG_CACHE_HOME/qabot and print documents, passages, terms, size "
                         "and time.")
    _corpus_option(idx, "corpus (default: bundled articles)")
    idx.add_argument("--rebuild", action="store_true", help="ignore an existing cache file")
    _semantic_option(idx)
    idx.add_argument("--warnings", action="store_true",
                     help=f"list every warning about the corpus's files (else the first "
                     f"{WARNINGS_SHOWN})")
    cache = sub.add_parser("cache", help="show or clear the cache (indexes, parsed folders)",
                           epilog=EPILOGS["cache"], formatter_class=fmt,
                           description="What qabot keeps in $XDG_CACHE_HOME/qabot, or clear "
                           "it. Everything there is rebuilt when needed.")
    cache.add_argument("action", nargs="?", choices=("show", "clear"), default="show",
                       help="show (default) or clear")
    comp = sub.add_parser("completion", help="print a shell completion script (bash, zsh)",
                          epilog=EPILOGS["completion"], formatter_class=fmt,
                          description="Print the completion script for your shell, made "
                          "from this command line's own options (by shtab).")
    comp.add_argument("shell", choices=("bash", "zsh"))
    for command in sub.choices.values():
        command.chat_words = chat_words
    return parser
