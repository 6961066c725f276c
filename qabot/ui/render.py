"""The one renderer of answers and hits: styled fragments, which the REPL prints in colour
and the command line flattens to plain, wrapped text."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import regex
from pydantic import BaseModel

from qabot.models import Answer, Citation, Document, Hit, Timeline
from qabot.text.timeref import human_date, human_period

# What is never written raw to a terminal or a report, because a terminal acts on it: C0
# controls other than tab and newline, DEL and the C1 controls (VTE, screen and mosh read
# U+009B as CSI and U+009D as OSC), and the Unicode bidi controls, which reorder what is
# shown (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates, the marks U+200E,
# U+200F, U+061C). Each is shown as its escape (\x1b, \x9b, \u202e) instead.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = regex.compile(f"[{_CONTROLS}]")
_UNSAFE_LINE = regex.compile(f"[{_CONTROLS}\n\t\u2028\u2029\x85]")
# What JSON must escape beyond what json.dumps does (it escapes U+0000-U+001F only): DEL,
# C1, the bidi controls and the two Unicode line separators, as \u escapes, so that no
# consumer of --json output meets a raw control (they can only occur inside strings).
_JSON_UNSAFE = regex.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029"
                             "\u2066-\u2069]")

# An answer whose confidence (the calibrated probability that it is right) is below this is
# marked "(low confidence: 0.31)": more likely wrong than right, it should not look as sure
# as a firm one.
LOW_CONFIDENCE = 0.5

# (style class, text) pairs, as prompt_toolkit's FormattedText takes them.
Fragments = list[tuple[str, str]]
Highlighter = Callable[[str], Fragments]


# Lone surrogates: what Python makes of bytes that are not UTF-8 in file names, arguments
# and standard input (U+DC80-U+DCFF for byte 0x80-0xFF), or of a broken UTF-16 pair.
_SURROGATE = regex.compile(r"[\ud800-\udfff]")


def _unsurrogate(m: regex.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def valid_text(text: str) -> str:
    """``text`` as valid Unicode: a byte that was not UTF-8 is shown as ``\\xNN`` (so a
    file name stays recognisable and round-trips through ``os.fsencode`` by hand), any
    other lone surrogate as U+FFFD."""
    return _SURROGATE.sub(_unsurrogate, text) if _SURROGATE.search(text) else text


def _json_ready(value: Any) -> Any:
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {valid_text(str(k)): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    return value


def to_json(value: BaseModel | dict[str, Any], indent: int | None = None) -> str:
    """One JSON document, always valid: strings made ``valid_text``, a score that is not
    finite written as null; on one line unless ``indent``."""
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    text = json.dumps(_json_ready(data), ensure_ascii=False, allow_nan=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _visible(m: regex.Match[str]) -> str:
    code = ord(m.group(0))
    return {10: "\\n", 9: "\\t"}.get(code) or (
        f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def safe(text: str) -> str:
    """The one sanitiser of what qabot writes to a terminal or a report: control and bidi
    characters shown as visible escapes (``\\x1b``, ``\\x9b``, ``\\u202e``), lone surrogates
    made ``valid_text``; newlines and tabs kept."""
    return _UNSAFE.sub(_visible, valid_text(text))


def safe_line(text: str) -> str:
    """``safe`` for what must stay one line (a warning, an error, a path): newlines, tabs
    and line separators shown as escapes too, so a file name can't forge a line."""
    return _UNSAFE_LINE.sub(_visible, valid_text(text))


def one_line(text: str, limit: int = 0) -> str:
    flat = " ".join(safe(text).split())
    if limit and len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat


def terminal_width() -> int:
    """Columns to wrap to: the terminal's ($COLUMNS, else the terminal's size), else 80."""
    return shutil.get_terminal_size((80, 24)).columns or 80


def source_line(title: str, date: dt.date | None, source: str, line: int | None = None
                ) -> str:
    """title · date (only when known) · file:line."""
    where = one_line(source) + (f":{line}" if line else "")
    return " · ".join([one_line(title), *([human_date(date)] if date else []), where])


_QUOTES = "“”\"'‘’"


def quoted(text: str) -> str:
    """``text`` in curly quotes, unless it already opens and closes with quote marks."""
    if len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
        return text
    return f"“{text}”"


def _plain(text: str) -> Fragments:
    return [("class:quote", one_line(text))]


def citation_fragments(c: Citation, highlight: Highlighter = _plain, *,
                       shown: bool = False, hint: bool = False) -> Fragments:
    """One source: its line, then the quote, unless ``shown`` (the answer already says it
    word for word), when a ``hint`` to ``/open`` the paragraph may take its place."""
    out: Fragments = [("class:source",
                       f"[{c.n}] {source_line(c.title, c.date, c.source, c.line)}\n")]
    if shown:
        if hint:
            out.append(("class:note", f"    /open {c.n} shows the paragraph\n"))
        return out
    text = quoted(c.quote)
    lead, inner, tail = text[0], text[1:-1], text[-1]
    return [*out, ("", f"    {lead}"), *highlight(inner), ("", f"{tail}\n")]


def answer_fragments(answer: Answer, highlight: Highlighter = _plain, *,
                     hint: bool = False) -> Fragments:
    """An answer: how it was read, the answer with its [n] markers, notes, then the
    sources (or, for an abstention, the related passages). A source's quote is repeated
    only when the answer does not already hold it word for word."""
    out: Fragments = []
    if answer.interpreted_as != answer.question:
        out.append(("class:note", f"(interpreted as: {one_line(answer.interpreted_as, 300)})\n"))
    if answer.abstained:
        out.append(("class:abstain", one_line(answer.answer) + "\n"))
    else:
        for part in regex.split(r"(\[\d+\])", one_line(answer.answer)):
            if part:
                out.append(("class:marker" if regex.fullmatch(r"\[\d+\]", part) else "", part))
        out.append(("", "\n"))
        if answer.confidence < LOW_CONFIDENCE:
            out.append(("class:note", f"(low confidence: {answer.confidence:.2f})\n"))
    for note in answer.notes:
        out.append(("class:note", f"Note: {one_line(note)}\n"))
    if answer.citations:
        said = one_line(answer.answer)
        out.append(("", "\nSources:\n"))
        for c in answer.citations:
            out.extend(citation_fragments(c, highlight, shown=one_line(c.quote) in said,
                                          hint=hint))
    if answer.related:
        out.append(("class:related", "\nRelated passages (not an answer):\n"))
        for h in answer.related:
            # The source line wraps as a citation's does (its continuation indented).
            out.append(("class:related class:source",
                        f"- {source_line(h.title, h.date, h.source, h.line)}\n"))
            out.append(("class:related", f"    {one_line(h.text, 240)}\n"))
    return out


def hits_fragments(hits: Sequence[Hit]) -> Fragments:
    if not hits:
        return [("", "No passage matches.\n")]
    out: Fragments = []
    for h in hits:
        out.append(("class:source",
                    f"{h.rank}. {source_line(h.title, h.date, h.source, h.line)} · "
                    f"score {h.score:.3f}\n"))
        if h.section:
            out.append(("", f"    § {one_line(h.section)}\n"))
        out.append(("", f"    {one_line(h.text, 400)}\n"))
    return out


def _fit_source(text: str, width: int, start: int = 0) -> str:
    """A source line too wide for the terminal, broken only between its " · " parts (the
    file name stays whole and copyable); continuation lines are indented. ``start``: the
    column it begins at (after a "[1] "); no line, with its " ·", passes ``width``."""
    lines = []
    for n, line in enumerate(text.split("\n")):
        offset = start if n == 0 else 0
        parts = line.split(" · ")
        # A title wider than the terminal is itself broken between words (a new-user
        # trial at 60 columns saw it cut mid-word by the terminal); room is kept for the
        # " ·" that ends a broken line.
        first = textwrap.wrap(" " * offset + parts[0], width - 2, subsequent_indent="    ",
                              break_long_words=False, break_on_hyphens=False) or [""]
        first[0] = first[0][offset:]
        lines.extend(first[:-1])
        current = first[-1]
        used = offset if len(first) == 1 else 0
        for part in parts[1:]:
            if used + len(current) + 3 + len(part) + 2 > width and current.strip():
                lines.append(current + " ·")
                current, used = "    " + part, 0
            else:
                current += " · " + part
        lines.append(current)
    return "\n".join(lines)


def wrap(fragments: Fragments, width: int) -> Fragments:
    """Word-wrap styled text to ``width`` columns; continuation lines keep the indent of
    the line they continue (the quoted snippets are indented by four spaces). A word is
    never split, even when its letters are in two styles (a highlighted stem). Source
    lines ("title · date · file") break only between their parts, so a file name can be
    copied whole."""
    # Pieces: (style, text), each a newline, a run of spaces or part of a word.
    pieces: list[tuple[str, str]] = []
    for style, text in fragments:
        if "class:source" in style.split():
            pieces.append((style, text))  # fitted where it lands (its start column)
            continue
        pieces.extend((style, p) for p in regex.split(r"(\n|[ ]+)", text) if p)
    out: Fragments = []
    column = 0
    indent = ""
    i = 0
    while i < len(pieces):
        style, piece = pieces[i]
        if "class:source" in style.split():
            piece = _fit_source(piece, width, column)
            out.append((style, piece))
            column = len(piece) - piece.rfind("\n") - 1 if "\n" in piece else column + len(piece)
            i += 1
        elif piece == "\n":
            out.append((style, piece))
            column, indent = 0, ""
            i += 1
        elif piece.isspace():
            if column == 0:
                indent = piece  # leading spaces set the line's indent
            out.append((style, piece))
            column += len(piece)
            i += 1
        else:
            j = i  # the whole word: every following piece up to a space or newline
            while (j < len(pieces) and "class:source" not in pieces[j][0].split()
                   and not pieces[j][1].isspace()):
                j += 1
            size = sum(len(p) for _, p in pieces[i:j])
            if column + size > width and column > len(indent):
                while out and out[-1][1].isspace() and out[-1][1] != "\n":
                    out.pop()  # no trailing spaces before the break
                out.append(("", "\n" + indent))
                column = len(indent)
            out.extend(pieces[i:j])
            column += size
            i = j
    return out


def plain(fragments: Fragments, width: int | None = None) -> str:
    """Fragments as plain text wrapped to ``width`` (default: the terminal's), without the
    final newline."""
    return "".join(text for _, text in wrap(fragments, width or terminal_width())).rstrip("\n")


def answer_text(answer: Answer, width: int | None = None) -> str:
    """An answer as the command line prints it."""
    return plain(answer_fragments(answer), width)


def hits_text(hits: Sequence[Hit], width: int | None = None) -> str:
    return plain(hits_fragments(hits), width)


def transcript_markdown(turns: Sequence[tuple[str, Answer]]) -> str:
    """A conversation as Markdown: each question, its answer, and its sources with their
    quotes, dates and exact offsets (what /save writes)."""
    out = ["# qabot conversation", ""]
    for question, answer in turns:
        out += [f"## {one_line(question)}", ""]
        if answer.interpreted_as != answer.question:
            out += [f"*Interpreted as: {one_line(answer.interpreted_as)}*", ""]
        out += [one_line(answer.answer), ""]
        out += [f"> Note: {one_line(n)}" for n in answer.notes]
        if answer.notes:
            out.append("")
        for c in answer.citations:
            where = f"{one_line(c.source)}" + (f":{c.line}" if c.line else "")
            date = f", {human_date(c.date)}" if c.date else ""
            out += [f"{c.n}. *{one_line(c.title)}*{date}, `{where}` (characters "
                    f"{c.start}–{c.end}): {quoted(one_line(c.quote))}"]
        out.append("")
    return "\n".join(out)


def timeline_text(timeline: Timeline, width: int | None = None) -> str:
    """A timeline for a reader: one entry per event, its date (with the precision the text
    gives), the quote, and where it is from; a mark where articles disagree."""
    if not timeline.events:
        about = f" about “{one_line(timeline.query, 80)}”" if timeline.query else ""
        return f"No dated events{about} in the articles."
    blocks = []
    for i, e in enumerate(timeline.events, start=1):
        c = e.citation
        head = f"{i:>3}. {human_period(e.date, e.precision)}  (“{one_line(e.mention, 60)}”)"
        lines = [head, f"     {quoted(c.quote)}",
                 f"     {source_line(c.title, c.date, c.source, c.line)}"]
        if e.disagrees_with:
            others = ", ".join(str(j + 1) for j in e.disagrees_with)
            lines.append(f"     ! another article dates this differently: see {others}")
        blocks.append("\n".join(lines))
    return plain([("", "\n".join(blocks))], width)


def documents_text(docs: Sequence[Document], counts: dict[str, int] | None = None) -> str:
    """The articles, one line each: date, title, file (and passages, when counted)."""
    lines = []
    for d in docs:
        date = human_date(d.date) if d.date else "undated"
        extra = f" · {plural(counts.get(d.id, 0), 'passage')}" if counts is not None else ""
        lines.append(f"{date:>12} · {one_line(d.title)} · {one_line(d.source)}{extra}")
    return "\n".join(lines) if lines else "No articles."


def plural(n: int, word: str) -> str:
    """``1 passage``, ``2 passages``, ``1,024 files``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def by_date(docs: Sequence[Document]) -> list[Document]:
    """Oldest first; undated articles last, in corpus order."""
    return sorted(docs, key=lambda d: (d.date is None, d.date or dt.date.min))
