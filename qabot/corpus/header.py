"""One file's text to a ``Document``: its bytes read and decoded, its header (front matter,
a headline and date line, or none) parsed, its title derived when it has none."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from dataclasses import dataclass
from pathlib import Path

import regex

from qabot import paths
from qabot.models import Document, line_number
from qabot.text.segment import FIELD_LINE, heading_title, iter_lines, segment
from qabot.text.timeref import DateError, parse_date

TEXT_SUFFIXES = (".txt", ".md")
# The integer under the bundled header's date (kept as Document.ref): at most 18 digits, so
# it fits an int64 and never meets Python's 4,300-digit limit on int() (a 5,000-digit line
# failed every command over its folder).
_REF_LINE = regex.compile(r"^\s*[+-]?[0-9]{1,18}\s*$")
_TITLE_MAX = 80
_TITLE_BREAK = regex.compile(r"[,;:—–]\s|\s[—–]\s?")


_LINK = regex.compile(r"!?\[([^\]]*)\]\([^)]*\)|<[^>]*>|https?://\S+")
_TITLE_SCAN = 8  # spans looked at for a heading before the first sentence is taken


def derive_title(text: str, body_start: int, body_end: int) -> str:
    """A short human-readable title: the first heading among the first few spans, else the
    first sentence with words in it (not a badge or a bare link), cut at a clause break if
    long; always one line."""
    spans = segment(text, body_start, min(body_end, body_start + 2000))
    readable = [sp for sp in spans[:_TITLE_SCAN]
                if regex.search(r"\p{L}{2}", _LINK.sub(r"\1", sp.text))]
    if not readable:
        return ""
    first = next((sp for sp in readable if sp.heading), readable[0])
    title = heading_title(first.text) if first.heading else first.text
    title = " ".join(_LINK.sub(r"\1", title).split()).rstrip(".!?…").strip()
    if len(title) <= _TITLE_MAX:
        return title
    for m in _TITLE_BREAK.finditer(title):
        if 25 <= m.start() <= _TITLE_MAX:
            return title[: m.start()].rstrip()
    cut = title.rfind(" ", 0, _TITLE_MAX)
    return title[: cut if cut > 20 else _TITLE_MAX].rstrip(" ,;:") + "…"


@dataclass
class Header:
    """What a file says about itself before its text: date, ``ref``, title, and where the
    text begins."""

    body: int = 0
    date: dt.date | None = None
    ref: int | None = None
    title: str | None = None


# A "Key: value" header line. The value is greedy and stripped afterwards: a lazy value
# followed by \s*$ was quadratic in a run of spaces (80,000 spaces took 20 s).
_KEY_LINE = regex.compile(r"^\s*(title|date|published|author|by|source|url)\s*:\s*(\S.*)$",
                          regex.IGNORECASE)
# A header line is short: a longer line is text, and is never matched against the header
# forms at all (which bounds their cost on any file).
_HEADER_LINE_MAX = 1000
_DATE_LIKE = regex.compile(r"^\s*(?:\d{1,2}/\d{1,2}[\s/]+\d{4}|\d{4}-\d{2}-\d{2}\S*)\s*$")
_HEADLINE_MAX = 120  # characters: longer first lines are body text, not a headline


# Front matter is a few fields; a bigger block is not read (PyYAML reads about 1 MB/s).
FRONT_MATTER_MAX = 64_000


# Brackets nested deeper than this are not fields: PyYAML's scanner is quadratic in the
# depth of a flow collection (a 15,000-deep "[[[..." took 16 s, found by eval/fuzz.py).
FRONT_MATTER_DEPTH = 50
_BRACKET = regex.compile(r"[\[\]{}]")


def _flow_depth(block: str) -> int:
    """The deepest nesting of [ ] and { } in ``block`` (quotes not read: an estimate that
    can only refuse a block, never accept a bad one)."""
    depth = deepest = 0
    for m in _BRACKET.finditer(block):
        depth += 1 if m.group(0) in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


@functools.cache
def _front_matter_loader() -> type:
    """PyYAML's safe loader, refusing aliases: an alias makes one value many (a 591-byte
    "billion laughs" block expanded to 2.2 GB when its date was turned into text), and
    front matter has no use for them."""
    import yaml

    class FrontMatterLoader(yaml.SafeLoader):
        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(None, None, "an alias (*name)", None)
            return super().compose_node(parent, index)

    return FrontMatterLoader


def _front_matter(text: str, start: int, name: str, warnings: list[str]
                  ) -> tuple[int, dict[str, object]]:
    """(offset after the block, its fields) for YAML front matter at ``start``; (start, {})
    when there is none. The block is metadata: it is never indexed."""
    rest = text[start:]
    if not rest.startswith("---"):
        return start, {}
    import yaml  # only for files that start like front matter: start-up stays quick
    from frontmatter.default_handlers import YAMLHandler

    handler = YAMLHandler()
    if not handler.detect(rest):
        return start, {}
    try:
        block, content = handler.split(rest)
    except ValueError:  # an opening --- with no closing one: a rule, not front matter
        return start, {}
    offset = len(text) - len(content)
    if len(block) > FRONT_MATTER_MAX:
        warnings.append(f"{name}:1: front matter over {FRONT_MATTER_MAX // 1000} kB; its "
                        "fields ignored")
        return offset, {}
    if _flow_depth(block) > FRONT_MATTER_DEPTH:
        warnings.append(f"{name}:1: front matter nested over {FRONT_MATTER_DEPTH} deep; its "
                        "fields ignored")
        return offset, {}
    try:
        fields = yaml.load(block, Loader=_front_matter_loader())  # a SafeLoader
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 1 + (mark.line + 1 if mark is not None else 0)
        warnings.append(f"{name}:{line}: front matter is not valid YAML; its fields ignored")
        return offset, {}
    if not isinstance(fields, dict):
        warnings.append(f"{name}:1: front matter is not a mapping of fields; ignored")
        return offset, {}
    return offset, {str(k).casefold(): v for k, v in fields.items()}


def _date_field(value: object, where: str, warnings: list[str]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(str(value))
    except DateError as exc:
        warnings.append(f"{where}: {exc}; date unknown")
        return None


# A field block (RFC 822 style: package METADATA, Debian copyright files, e-mail): lines
# "Name: value", each perhaps followed by continuation lines indented with white space, up
# to a blank line. A field name is one word of letters, digits and hyphens (``text.segment``
# reads the same lines as one unit per field).
_DATE_FIELD = regex.compile(r"^date:", regex.IGNORECASE | regex.MULTILINE)
_TITLE_FIELDS = ("title", "subject", "name", "upstream-name")
_FIELDS_SCAN = 200  # lines read for a block at the top of a file: METADATA has about 60


def _field_block(text: str, start: int) -> dict[str, str] | None:
    """The fields (names case-folded, the first of each name, values unfolded) of a field
    block starting the text at ``start``: at least two fields, one of them not a header
    line qabot already reads (``Title:``, ``Date:``, ``Author:`` ...); else None."""
    fields: dict[str, str] = {}
    current: str | None = None
    plain = True  # every field so far is one of the news header lines
    for line_start, line_end in itertools.islice(iter_lines(text, start, len(text)),
                                                 _FIELDS_SCAN):
        line = text[line_start:line_end]
        if not line.strip():
            break
        if line_end - line_start > _HEADER_LINE_MAX:
            return None
        m = FIELD_LINE.match(line)
        if m:
            current = m.group(1).casefold()
            plain = plain and _KEY_LINE.match(line) is not None
            fields.setdefault(current, " ".join(line[m.end():].split()))
        elif current is not None and line[0] in " \t":
            if fields[current] == "" or current in _TITLE_FIELDS:
                fields[current] = " ".join((fields[current] + " " + line).split())
        else:
            return None
    return fields if len(fields) >= 2 and not plain else None


def _fields_title(fields: dict[str, str]) -> str | None:
    """A title from a field block: ``Title``, ``Subject``, ``Name`` (with its ``Summary``)
    or Debian's ``Upstream-Name``, the first present."""
    for key in _TITLE_FIELDS:
        value = fields.get(key, "")
        if value:
            summary = fields.get("summary", "") if key == "name" else ""
            return f"{value} — {summary}" if summary else value
    return None


def parse_header(text: str, name: str, warnings: list[str]) -> Header:
    """Read what comes before a file's text (docs/corpus-formats.md): YAML front matter
    (``title:``, ``date:``); a date line (the bundled ``MM/DD YYYY``, optionally followed
    by an integer kept as ``ref``, or any form ``timeref.parse_date`` reads); ``Date:``,
    ``Title:``, ``Author:`` ... lines; and a headline standing alone before such a date
    line. A date that can't be read, or can be read two ways, is refused with a warning
    naming the file and line; no date is ever guessed (never from the file's time)."""
    header = Header(body=1 if text.startswith("\ufeff") else 0)
    header.body, fields = _front_matter(text, header.body, name, warnings)
    title = fields.get("title")
    if isinstance(title, str) and title.strip():
        header.title = " ".join(title.split())
    date = fields.get("date")
    if isinstance(date, str | int | float | dt.date) and not isinstance(date, bool):
        header.date = _date_field(date, f"{name}:1", warnings)
    elif date is not None:  # a list, a mapping: only a single value is a date
        warnings.append(f"{name}:1: front matter date is not a single value; date unknown")

    block = _field_block(text, header.body)
    if block is not None:  # metadata, and kept as text: each field is searched on its own
        header.title = header.title or _fields_title(block)
        if header.date is None and block.get("date"):
            at = _DATE_FIELD.search(text, header.body)
            where = f"{name}:{line_number(text, at.start() if at else header.body)}"
            header.date = _date_field(block["date"], where, warnings)
        return header

    lines = list(itertools.islice(iter_lines(text, header.body, len(text)), 12))

    def content(i: int) -> str:
        return text[lines[i][0] : lines[i][1]].strip()

    def short(i: int) -> bool:  # could be a header line at all
        return lines[i][1] - lines[i][0] <= _HEADER_LINE_MAX

    def after(i: int) -> int:
        end = lines[i][1]
        return end + (2 if text.startswith("\r\n", end) else 1 if end < len(text) else 0)

    def next_filled(i: int) -> int | None:
        return next((j for j in range(i, len(lines)) if content(j)), None)

    def is_date_line(i: int) -> bool:
        if not short(i):
            return False
        line = content(i)
        return bool(_DATE_LIKE.match(line) or (len(line) <= 40 and _written_date(line)))

    i = next_filled(0)
    if i is None:
        return header
    # A headline, then a date line (directly below it or after a blank line; the commonest
    # layout of news exports): the headline is the title, a Markdown heading's "#" marks
    # dropped. A first line that is itself a date or a "Key: value" field is not a headline.
    first = content(i) if short(i) else ""
    j = next_filled(i + 1)
    if (j is not None and first and len(first) <= _HEADLINE_MAX
            and not first.endswith((".", ":")) and not is_date_line(i)
            and not _KEY_LINE.match(first) and short(j)
            and (is_date_line(j) or _KEY_LINE.match(content(j)))):
        header.title = header.title or " ".join(heading_title(first).split())
        i = j
    consumed = None
    while i is not None and i < len(lines) and short(i):
        line = content(i)
        where = f"{name}:{line_number(text, lines[i][0])}"
        key = _KEY_LINE.match(line)
        if key and key.group(1).casefold() in ("date", "published"):
            header.date = header.date or _date_field(key.group(2).strip(), where, warnings)
        elif key and key.group(1).casefold() == "title":
            header.title = header.title or " ".join(key.group(2).split())
        elif key:
            pass  # author, source, url: metadata, not text
        elif is_date_line(i):
            date = _date_field(line, where, warnings)
            header.date = header.date or date
            if i + 1 < len(lines) and _REF_LINE.match(content(i + 1)):
                header.ref = int(content(i + 1))
                i += 1
        elif (consumed is None and i + 1 < len(lines) and _REF_LINE.match(content(i + 1))
              and len(line) <= 40 and not regex.search(r"[.!?]\s*$", line)):
            warnings.append(f"{where}: not a date {line!r} (expected a date such as "
                            "2026-03-06 or 03/06 2026); date unknown")
            header.ref = int(content(i + 1))
            i += 1
        else:
            break
        consumed = i
        i = next_filled(i + 1)
    if consumed is not None:
        header.body = after(consumed)
    return header


def _written_date(line: str) -> bool:
    try:
        parse_date(line)
    except DateError:
        return False
    return True


def body_bounds(text: str, start: int) -> tuple[int, int]:
    end = len(text)
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def read_bytes(path: str | Path, name: str, warnings: list[str]) -> bytes | None:
    """The file's bytes, or None with a warning when it can't be read or is binary."""
    try:
        data = paths.read_regular(path)  # a FIFO put there after the walk can't hang it
    except OSError as exc:
        warnings.append(f"{name}: cannot read ({exc.strerror}); skipped")
        return None
    if b"\x00" in data:
        warnings.append(f"{name}: binary file (NUL byte); skipped")
        return None
    return data


def decode(data: bytes, name: str, warnings: list[str]) -> str | None:
    """UTF-8 text with newlines untouched (as ``open(..., newline="")`` reads it), or None
    with a warning naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        warnings.append(f"{name}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); skipped")
        return None


def read_text_file(path: Path, name: str, warnings: list[str]) -> str | None:
    """The file's text (UTF-8, newlines untouched), or None with a warning when unusable."""
    data = read_bytes(path, name, warnings)
    return None if data is None else decode(data, name, warnings)


def document_from_text(
    text: str, doc_id: str, source: str, warnings: list[str]
) -> Document | None:
    """Parse one article file's text; None (with a warning) when it has no body."""
    header = parse_header(text, source, warnings)
    body_start, body_end = body_bounds(text, header.body)
    if body_start >= body_end:
        what = "no text after the header" if header.body else "empty file"
        warnings.append(f"{source}: {what}; skipped")
        return None
    # A title from the header is not part of the text, so it is indexed with it (titled);
    # one derived from the text (a "# " heading, a headline, the first sentence) is not.
    title = header.title or derive_title(text, body_start, body_end) or doc_id
    return Document(
        id=doc_id,
        title=title,
        titled=header.title is not None,
        date=header.date,
        ref=header.ref,
        source=source,
        body_start=body_start,
        body_end=body_end,
        text=text,
    )
