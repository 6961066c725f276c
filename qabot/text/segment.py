"""Split an article body into headings and sentences, keeping exact character offsets."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from typing import Literal

import regex

from qabot.models import Span
from qabot.text.lexicon import ABBREVIATIONS

# Lines: any of the three newline conventions, so CRLF files keep exact offsets.
_LINE = regex.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_MD_HEADING = regex.compile(r"^#{1,6}\s+\S")
# A heading is a short line: of the 12,145 Markdown headings on this machine the longest has
# 611 characters (a row of README badges), the 99.9th percentile 112. A longer "# " line is
# text (a heading of a file's length was shown with every search hit of its section).
HEADING_MAX_CHARS = 1000
_NUMBERED_HEADING = regex.compile(r"^\d{1,2}[.)]\s+[\p{Lu}‘“\"']")
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}'’&-]*")

# A candidate sentence end: terminal punctuation, closing quotes/brackets, then white space.
# Possessive, and only from the start of a run of punctuation: a match tried from every
# dot of a run of 60,000 was quadratic (over 120 s); this is linear in any input.
_END = regex.compile(r"(?<![.!?…])[.!?…]++[\"”’'»)\]]*+(?=\s)")
_OPENERS = "“\"‘'([«¿¡"
_INITIALS = regex.compile(r"\p{Lu}|(?:\p{L}\.)+\p{L}")  # "J." or "U.S." before the stop


def iter_lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each line's content in ``text[start:end]``, without newline."""
    for m in _LINE.finditer(text, start, end):
        if m.start() == m.end():
            break
        line_end = m.end()
        while line_end > m.start() and text[line_end - 1] in "\r\n":
            line_end -= 1
        yield m.start(), line_end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def is_heading(line: str) -> bool:
    """A short title-cased line without closing punctuation, a numbered title or a # heading
    (of at most HEADING_MAX_CHARS)."""
    if _MD_HEADING.match(line):
        return len(line) <= HEADING_MAX_CHARS
    if len(line) > 160:
        return False
    numbered = bool(_NUMBERED_HEADING.match(line))
    if not numbered and (len(line) > 100 or line[-1] in ".,;:!…\"”’')"):
        return False
    if not numbered and line.endswith("?") and len(line) > 60:
        return False
    tokens = _WORD.findall(line)
    words = [w for w in tokens if len(w) > 3 and w[0].isalpha()]
    if not words or len(tokens) > 18:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised / len(words) >= 0.6


def heading_title(line: str) -> str:
    """The display text of a heading: markdown hashes removed."""
    return regex.sub(r"^#{1,6}\s+", "", line).strip()


_QUOTE_MARK = regex.compile(r'[“”"]')


def _quote_events(text: str, start: int, end: int) -> tuple[list[int], list[int]] | None:
    """Positions of double quotes and the nesting depth after each, or None when the
    quotes of the paragraph do not balance (then they are ignored)."""
    positions: list[int] = []
    depths: list[int] = []
    depth = 0
    straight_open = False
    for m in _QUOTE_MARK.finditer(text, start, end):
        ch = m.group(0)
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth -= 1
        else:
            straight_open = not straight_open
            depth += 1 if straight_open else -1
        if depth < 0:
            return None
        positions.append(m.start())
        depths.append(depth)
    return (positions, depths) if depth == 0 else None


def _depth_at(events: tuple[list[int], list[int]], pos: int) -> int:
    """Quote depth just before ``pos``."""
    i = bisect.bisect_left(events[0], pos)
    return events[1][i - 1] if i else 0


def _is_boundary(text: str, para_start: int, match_start: int, next_pos: int) -> bool:
    if next_pos >= len(text):
        return True
    nxt = text[next_pos]
    if nxt.islower():
        return False
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS or not nxt.isalpha()):
        return False
    if text[match_start] != ".":
        return True
    # The word before a full stop: abbreviations and initials do not end a sentence.
    word_start = match_start
    while word_start > para_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:match_start].lstrip("“\"‘'([")
    if word.casefold().rstrip(".") in ABBREVIATIONS and not word.isupper():
        return False
    return not _INITIALS.fullmatch(word)


# A sentence longer than this is cut, at the last space before it (else at the limit), into
# pieces that are each quoted and indexed as a sentence: a 5 MB file of one sentence put
# 5 MB into an answer's JSON. Real sentences are shorter: the longest of the 16,329 in
# SQuAD 1.1 and 2.0 dev, and of the 43 news-dev articles, has 1,412 characters.
MAX_SENTENCE_CHARS = 2000


def _bounded(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``(start, end)``, or pieces of it of at most MAX_SENTENCE_CHARS, each cut at the last
    white space of its final 200 characters (else at the limit), offsets exact."""
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        space = next((i for i in range(limit, limit - 200, -1) if text[i].isspace()), limit)
        piece_end = space
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        yield start, piece_end
        start = space
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph ``text[start:end]`` (already stripped); none longer
    than MAX_SENTENCE_CHARS."""
    spans = _split_sentences(text, start, end)
    if any(e - s > MAX_SENTENCE_CHARS for s, e in spans):
        spans = [piece for s, e in spans for piece in _bounded(text, s, e)]
    return spans


def _split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    events = _quote_events(text, start, end)
    spans: list[tuple[int, int]] = []
    sent_start = start
    for m in _END.finditer(text, start, end):
        next_pos = m.end()
        while next_pos < end and text[next_pos].isspace():
            next_pos += 1
        if next_pos >= end:
            break
        if events is not None and _depth_at(events, m.end()) > 0:
            continue
        if not _is_boundary(text, start, m.start(), next_pos):
            continue
        spans.append((sent_start, m.end()))
        sent_start = next_pos
    if sent_start < end:
        spans.append((sent_start, end))
    return spans


# Hard-wrapped text: a block of lines is read as wrapped paragraphs when its longest line
# is at most WRAP_WIDTH characters and some line but the last stops short of
# sentence-final punctuation or runs on into a lower-case word. Measured on 587 licence
# files on this machine: 99.0% of their multi-line blocks read as wrapped, and the rest
# end every line with a sentence, so they split the same either way; no block of the
# bundled articles' text does (docs/corpus-formats.md). 100 columns: the widest common
# wrap (72-80 is usual).
WRAP_WIDTH = 100
# ...and the median line but the last is at least this long: wrapped lines are filled to
# near the width (72-80 usually), while "Program: GNU bc" / "Author: ..." fields, addresses
# and commands are short lines that must stay apart.
WRAP_FILLED = 40
_LINE_END_STOP = regex.compile(r"[.!?…][\"”’')\]]*$")
_SETEXT = regex.compile(r"^(?:=+|-+)$")
_ITEM = regex.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+\S")


def blocks(text: str, start: int, end: int) -> Iterator[list[tuple[int, int]]]:
    """Runs of non-blank lines (stripped bounds) of ``text[start:end]``: a blank line ends
    a paragraph."""
    block: list[tuple[int, int]] = []
    for line_start, line_end in iter_lines(text, start, end):
        s, e = _strip(text, line_start, line_end)
        if s == e:
            if block:
                yield block
            block = []
        else:
            block.append((s, e))
    if block:
        yield block


def _indent(text: str, start: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    return text[line_start:start]


def is_wrapped(text: str, lines: list[tuple[int, int]]) -> bool:
    """Whether a block's lines are hard-wrapped paragraphs rather than one paragraph (or
    heading, field, command) per line. Wrapped: no line wider than WRAP_WIDTH, and either
    the lines are filled (median at least WRAP_FILLED) and some line stops short of a
    sentence's end or runs on into a lower-case word, or, with short lines not indented as
    code, some line runs on into a lower-case word."""
    if len(lines) < 2 or max(e - s for s, e in lines) > WRAP_WIDTH:
        return False
    pairs = list(itertools.pairwise(lines))
    runs_on = any(text[nxt].islower() for _, (nxt, _) in pairs)
    open_ended = runs_on or any(not _LINE_END_STOP.search(text, s, e) for (s, e), _ in pairs)
    lengths = sorted(e - s for s, e in lines[:-1])
    if lengths[len(lengths) // 2] >= WRAP_FILLED:
        return open_ended  # filled lines: prose, indented or not
    # Short lines run on only when they are not indented as code (4 spaces or a tab):
    # "make timetest" then "make" are two commands.
    code = all(_indent(text, s).expandtabs(4).startswith("    ") for s, _ in lines)
    return runs_on and not code


# A field line of a "Name: value" block (package METADATA, Debian copyright, e-mail
# headers): a one-word name of letters, digits and hyphens, a colon, then space or nothing.
FIELD_LINE = regex.compile(r"([A-Za-z][A-Za-z0-9-]{0,39}):(?:[ \t]|$)")


# A blank line (only spaces or tabs between two newlines, a CRLF never split in two):
# what ends a block. The first searches backwards (the regex module's REVERSE flag), for
# the block's start.
_NEWLINE = r"(?:\r\n|\r(?!\n)|(?<!\r)\n)"
_BLANK_BEFORE = regex.compile(rf"(?r){_NEWLINE}[ \t]*{_NEWLINE}")
_BLANK_AFTER = regex.compile(rf"{_NEWLINE}[ \t]*{_NEWLINE}")


def is_field(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a field unit, as ``segment_units`` cuts it: a whole
    unindented "Name: value" line in a block that ``_field_units`` reads as fields (a
    prose line starting "Note: " is not one)."""
    if (start and text[start - 1] not in "\r\n") or FIELD_LINE.match(text, start, end) is None \
            or any(c in text[start:end] for c in "\r\n"):
        return False
    before = _BLANK_BEFORE.search(text, 0, start)
    after = _BLANK_AFTER.search(text, end)
    block = next(blocks(text, before.end() if before else 0,
                        after.start() if after else len(text)), [])
    return _field_units(text, block) is not None


Kind = Literal["heading", "text", "field"]


def _field_units(text: str, lines: list[tuple[int, int]]
                 ) -> Iterator[tuple[int, int, Kind]] | None:
    """A block of fields as units: each field line alone, and each field's continuation
    lines (indented) read as a block of text of their own; None unless the block starts
    with a field, has two or more, and every other line is indented under one."""
    def field(s: int, e: int) -> bool:
        return FIELD_LINE.match(text, s, e) is not None and not _indent(text, s)

    if not lines or not field(*lines[0]):  # the common case, said without reading the rest
        return None
    fields = [field(s, e) for s, e in lines]
    if sum(fields) < 2:
        return None
    if not all(f or _indent(text, s)[:1] in (" ", "\t")
               for f, (s, _) in zip(fields, lines, strict=True)):
        return None
    return _fields_of(text, lines, fields)


def _fields_of(text: str, lines: list[tuple[int, int]], fields: list[bool]
               ) -> Iterator[tuple[int, int, Kind]]:
    rest: list[tuple[int, int]] = []
    for (s, e), field in zip(lines, fields, strict=True):
        if field or text[s:e] == ".":  # Debian's " ." line: a paragraph break in a field
            yield from _paragraphs_of(text, rest)
            rest = []
            if field:
                yield s, e, "field"
        else:
            rest.append((s, e))
    yield from _paragraphs_of(text, rest)


def _units(text: str, lines: list[tuple[int, int]]) -> Iterator[tuple[int, int, Kind]]:
    """(start, end, is_heading) of the paragraphs and headings of one block. Markdown
    headings ("# Title", or a line underlined with = or -) stand apart; each run of lines
    between them is judged on its own: in wrapped text its lines join, and only a list item
    starts a new paragraph; otherwise each line is a paragraph, or a heading when
    ``is_heading``. A block of "Name: value" fields is one unit per field."""
    fields = _field_units(text, lines)
    if fields is not None:
        yield from fields
        return
    run: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        s, e = lines[i]
        short = e - s <= HEADING_MAX_CHARS
        setext = short and i + 1 < len(lines) and bool(
            _SETEXT.match(text[slice(*lines[i + 1])]))
        if setext or (short and _MD_HEADING.match(text[s:e])):
            yield from _paragraphs_of(text, run)
            run = []
            yield s, e, "heading"
            i += 2 if setext else 1
            continue
        run.append((s, e))
        i += 1
    yield from _paragraphs_of(text, run)


def _paragraphs_of(text: str, lines: list[tuple[int, int]]
                   ) -> Iterator[tuple[int, int, Kind]]:
    if not lines:
        return
    if not is_wrapped(text, lines):
        for s, e in lines:
            yield s, e, "heading" if is_heading(text[s:e]) else "text"
        return
    start, end = lines[0]
    for s, e in lines[1:]:
        if _ITEM.match(text[s:e]):
            yield start, end, "text"
            start = s
        end = e
    yield start, end, "text"


def segment_units(text: str, start: int = 0, end: int | None = None
                  ) -> list[tuple[int, int, Kind]]:
    """(start, end, kind) of the headings, sentences and fields of ``text[start:end]``: a
    sentence of wrapped text may cross line ends; a field ("Name: value" in a block of
    them) is one unit, its value's continuation lines the sentences after it. Offsets
    stay exact."""
    out: list[tuple[int, int, Kind]] = []
    for s, e, kind in paragraph_units(text, start, end):
        if kind == "text":
            out.extend((a, b, "text") for a, b in split_sentences(text, s, e))
        else:
            out.append((s, e, kind))
    return out


def segment_bounds(text: str, start: int = 0, end: int | None = None
                   ) -> list[tuple[int, int, bool]]:
    """(start, end, is_heading) of the headings and sentences (fields among them) of
    ``text[start:end]``."""
    return [(a, b, kind == "heading") for a, b, kind in segment_units(text, start, end)]


def paragraph_units(text: str, start: int = 0, end: int | None = None
                    ) -> Iterator[tuple[int, int, Kind]]:
    """(start, end, kind) of the paragraphs, headings and fields of ``text[start:end]``."""
    end = len(text) if end is None else end
    for lines in blocks(text, start, end):
        yield from _units(text, lines)


def paragraphs(text: str, start: int = 0, end: int | None = None
               ) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is_heading) of the paragraphs and headings of ``text[start:end]``."""
    for a, b, kind in paragraph_units(text, start, end):
        yield a, b, kind == "heading"


def segment(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Headings and sentences of ``text[start:end]`` in order, each a line or part of one."""
    return [Span.model_construct(start=a, end=b, text=text[a:b], heading=h)
            for a, b, h in segment_bounds(text, start, end)]
