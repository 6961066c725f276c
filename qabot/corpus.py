"""Load articles from a folder of .txt/.md files or a .jsonl file into ``Document`` records."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import regex

from qabot.errors import CorpusError
from qabot.models import Corpus, Document
from qabot.segment import heading_title, iter_lines, segment

TEXT_SUFFIXES = (".txt", ".md")
_DATE_LINE = regex.compile(r"^\s*(\d{1,2})/(\d{1,2})\s+(\d{4})\s*$")
_REF_LINE = regex.compile(r"^\s*[+-]?\d+\s*$")
_TITLE_MAX = 80
_TITLE_BREAK = regex.compile(r"[,;:—–]\s|\s[—–]\s?")


def default_corpus_path() -> Path:
    """The bundled articles: inside the installed package, or ``corpus/`` in a source checkout."""
    bundled = Path(str(resources.files("qabot"))) / "_data" / "corpus"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent.parent / "corpus"


def derive_title(text: str, body_start: int, body_end: int) -> str:
    """A short human-readable title: the first sentence, cut at a clause break if long."""
    spans = segment(text, body_start, min(body_end, body_start + 2000))
    if not spans:
        return ""
    first = spans[0]
    title = heading_title(first.text) if first.heading else first.text
    title = title.rstrip(".!?…").strip()
    if len(title) <= _TITLE_MAX:
        return title
    for m in _TITLE_BREAK.finditer(title):
        if 25 <= m.start() <= _TITLE_MAX:
            return title[: m.start()].rstrip()
    cut = title.rfind(" ", 0, _TITLE_MAX)
    return title[: cut if cut > 20 else _TITLE_MAX].rstrip(" ,;:") + "…"


def _parse_header(
    text: str, name: str, warnings: list[str]
) -> tuple[dt.date | None, int | None, int]:
    """Read the optional ``MM/DD YYYY`` + integer header; return (date, ref, body offset)."""
    lines = []
    for line_start, line_end in iter_lines(text, 0, len(text)):
        lines.append((line_start, line_end))
        if len(lines) == 2:
            break
    if not lines:
        return None, None, 0
    start = 1 if text.startswith("\ufeff") else 0
    first = text[max(start, lines[0][0]) : lines[0][1]]
    second = text[lines[1][0] : lines[1][1]] if len(lines) > 1 else ""

    def after(line: tuple[int, int]) -> int:
        end = line[1]
        if text.startswith("\r\n", end):
            return end + 2
        return end + 1 if end < len(text) else end

    m = _DATE_LINE.match(first)
    has_ref = bool(_REF_LINE.match(second))
    if not m:
        if has_ref and len(first.strip()) <= 40 and not regex.search(r"[.!?]\s*$", first):
            warnings.append(
                f"{name}:1: not a date {first.strip()!r} (expected MM/DD YYYY); date unknown"
            )
            return None, int(second), after(lines[1])
        return None, None, start
    date: dt.date | None
    try:
        date = dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        warnings.append(f"{name}:1: invalid date {first.strip()!r} (expected MM/DD YYYY)")
        date = None
    if has_ref:
        return date, int(second), after(lines[1])
    if len(lines) > 1:
        warnings.append(f"{name}:2: expected a number after the date line; read as text")
    return date, None, after(lines[0])


def _body_bounds(text: str, start: int) -> tuple[int, int]:
    end = len(text)
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def read_text_file(path: Path, name: str, warnings: list[str]) -> str | None:
    """The file's text (UTF-8, newlines untouched), or None with a warning when unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        warnings.append(f"{name}: cannot read ({exc.strerror}); skipped")
        return None
    if b"\x00" in data:
        warnings.append(f"{name}: binary file (NUL byte); skipped")
        return None
    try:
        # Same as open(path, encoding="utf-8", newline="").read(): \r\n is kept.
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        warnings.append(f"{name}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); skipped")
        return None


def document_from_text(
    text: str, doc_id: str, source: str, warnings: list[str]
) -> Document | None:
    """Parse one article file's text; None (with a warning) when it has no body."""
    date, ref, offset = _parse_header(text, source, warnings)
    body_start, body_end = _body_bounds(text, offset)
    if body_start >= body_end:
        what = "no text after the header" if offset else "empty file"
        warnings.append(f"{source}: {what}; skipped")
        return None
    title = derive_title(text, body_start, body_end) or doc_id
    return Document(
        id=doc_id,
        title=title,
        date=date,
        ref=ref,
        source=source,
        body_start=body_start,
        body_end=body_end,
        text=text,
    )


def _load_folder(root: Path, warnings: list[str]) -> list[Document]:
    files = sorted(
        p for p in root.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file()
    )
    if not files:
        raise CorpusError(f"{root}: no .txt or .md files found")
    docs: list[Document] = []
    seen: dict[str, str] = {}
    for path in files:
        source = path.relative_to(root).as_posix()
        text = read_text_file(path, source, warnings)
        if text is None:
            continue
        doc_id = path.stem
        if doc_id in seen:
            unique = Path(source).with_suffix("").as_posix()
            if unique in seen:
                unique = source
            warnings.append(
                f"{source}: id {doc_id!r} already used by {seen[doc_id]}; using {unique!r}"
            )
            doc_id = unique
        doc = document_from_text(text, doc_id, source, warnings)
        if doc is not None:
            seen[doc_id] = source
            docs.append(doc)
    return docs


def _load_jsonl(path: Path, warnings: list[str]) -> list[Document]:
    name = path.name
    text = read_text_file(path, name, warnings)
    if text is None:
        raise CorpusError(warnings.pop())
    docs: list[Document] = []
    seen: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            warnings.append(f"{where}: invalid JSON ({exc.msg}); skipped")
            continue
        if not isinstance(record, dict):
            warnings.append(f"{where}: expected a JSON object; skipped")
            continue
        raw_id = record.get("id", record.get("_id"))
        body = record.get("text")
        if not isinstance(raw_id, str | int) or isinstance(raw_id, bool) or raw_id == "":
            warnings.append(f"{where}: missing or invalid 'id'; skipped")
            continue
        if not isinstance(body, str):
            warnings.append(f"{where}: missing or non-string 'text'; skipped")
            continue
        doc_id = str(raw_id)
        if doc_id in seen:
            warnings.append(f"{where}: duplicate id {doc_id!r}; skipped")
            continue
        title = record.get("title")
        url = record.get("url")
        date = None
        if record.get("date") is not None:
            try:
                date = dt.date.fromisoformat(str(record["date"])[:10])
            except ValueError:
                warnings.append(f"{where}: invalid 'date' {record['date']!r}; date unknown")
        body_start, body_end = _body_bounds(body, 0)
        if body_start >= body_end:
            warnings.append(f"{where}: empty 'text'; skipped")
            continue
        titled = isinstance(title, str) and bool(title.strip())
        if not isinstance(title, str) or not titled:
            title = derive_title(body, body_start, body_end) or doc_id
        seen.add(doc_id)
        docs.append(
            Document(
                id=doc_id,
                title=title.strip(),
                titled=titled,
                date=date,
                url=url if isinstance(url, str) else None,
                source=f"{name}#{doc_id}",
                body_start=body_start,
                body_end=body_end,
                text=body,
            )
        )
    return docs


def load_corpus(path: str | Path | None = None) -> Corpus:
    """Load a folder of articles (or a .jsonl file); the bundled articles when ``path`` is None.

    Unusable files are skipped with a one-line warning in ``Corpus.warnings``; a path
    that cannot be a corpus at all raises ``CorpusError``.
    """
    root = default_corpus_path() if path is None else Path(path)
    warnings: list[str] = []
    if not root.exists():
        raise CorpusError(f"{root}: no such file or folder")
    if root.is_file():
        if root.suffix.lower() != ".jsonl":
            raise CorpusError(f"{root}: expected a folder of .txt/.md files or a .jsonl file")
        docs = _load_jsonl(root, warnings)
    elif root.is_dir():
        docs = _load_folder(root, warnings)
    else:
        raise CorpusError(f"{root}: not a regular file or folder")
    if not docs:
        detail = f" ({warnings[-1]})" if warnings else ""
        raise CorpusError(f"{root}: no readable documents{detail}")
    return Corpus(root=str(root), documents=tuple(docs), warnings=tuple(warnings))
