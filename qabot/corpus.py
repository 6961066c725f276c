"""Load articles from a folder of .txt/.md files or a .jsonl file into ``Document`` records."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import regex

from qabot import cache
from qabot.cache import atomic_write_bytes, remove_stale_temp
from qabot.errors import CorpusError
from qabot.models import Citation, Corpus, Document, line_number
from qabot.segment import heading_title, iter_lines, segment
from qabot.timeref import DateError, parse_date

TEXT_SUFFIXES = (".txt", ".md")
# The integer under the bundled header's date (kept as Document.ref): at most 18 digits, so
# it fits an int64 and never meets Python's 4,300-digit limit on int() (a 5,000-digit line
# failed every command over its folder).
_REF_LINE = regex.compile(r"^\s*[+-]?[0-9]{1,18}\s*$")
_TITLE_MAX = 80
_TITLE_BREAK = regex.compile(r"[,;:—–]\s|\s[—–]\s?")


def default_corpus_path() -> Path:
    """The bundled articles: inside the installed package, or ``corpus/`` in a source checkout."""
    bundled = Path(str(resources.files("qabot"))) / "_data" / "corpus"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent.parent / "corpus"


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


def parse_header(text: str, name: str, warnings: list[str]) -> Header:
    """Read what comes before a file's text (README, "Corpus formats"): YAML front matter
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


def _body_bounds(text: str, start: int) -> tuple[int, int]:
    end = len(text)
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def read_bytes(path: str | Path, name: str, warnings: list[str]) -> bytes | None:
    """The file's bytes, or None with a warning when it can't be read or is binary."""
    try:
        data = cache.read_regular(path)  # a FIFO put there after the walk can't hang it
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
    body_start, body_end = _body_bounds(text, header.body)
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


# Files larger than this are skipped with a warning: a news article is a few kilobytes,
# and a 6 GB file would be read whole into memory.
MAX_FILE_BYTES = 100_000_000


# File systems that hold no articles: the kernel's views of processes, devices and
# settings. Their files report sizes that are not their contents, some block when read,
# and /proc holds every process's memory map: a corpus there (or a link into one) is
# refused.
SPECIAL_FILE_SYSTEMS = frozenset({
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs",
    "securityfs", "pstore", "bpf", "configfs", "fusectl", "mqueue", "hugetlbfs",
    "efivarfs", "binfmt_misc", "autofs", "selinuxfs", "rpc_pipefs", "nsfs"})


def _special_devices() -> dict[int, str]:
    """Device number -> file system type of every special mount (Linux's
    /proc/self/mounts; elsewhere, /proc, /sys and /dev by name)."""
    found: dict[int, str] = {}
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as f:
            mounts = [line.split()[1:3] for line in f if len(line.split()) >= 3]
    except OSError:
        mounts = [["/proc", "proc"], ["/sys", "sysfs"], ["/dev", "devtmpfs"]]
    for where, kind in mounts:
        if kind in SPECIAL_FILE_SYSTEMS:
            where = where.replace("\\040", " ")
            with contextlib.suppress(OSError):
                found[os.stat(where).st_dev] = kind
    return found


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _walk(root: Path, warnings: list[str], follow: bool = False
          ) -> list[tuple[str, str, os.stat_result]]:
    """(path below ``root``, path, stat) of every .txt/.md file, sorted; without recursion
    (no depth limit). A link whose target is inside the folder is followed (a linked
    folder once); a link out of it is skipped with a warning unless ``follow`` (as
    ripgrep and git do). Special file systems (/proc, /sys) are never entered. What is
    skipped is said: special files, broken links, files over MAX_FILE_BYTES, link loops,
    unreadable folders. Paths are plain strings: a ``Path`` per file cost 0.1 s of a warm
    start at 10,000 files."""
    found: list[tuple[str, str, os.stat_result]] = []
    seen: set[tuple[int, int]] = set()
    special = _special_devices()
    real_root = os.path.realpath(root)
    stack: list[tuple[str, str]] = [("", str(root))]
    while stack:
        rel, folder = stack.pop()
        where = rel.rstrip("/") or "."
        try:
            st = os.stat(folder)
            if st.st_dev in special:
                warnings.append(f"{where}: a {special[st.st_dev]} file system, not articles; "
                                "skipped")
                continue
            if (st.st_dev, st.st_ino) in seen:
                warnings.append(f"{where}: a link to a folder already read; skipped")
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = list(os.scandir(folder))
        except OSError as exc:
            warnings.append(f"{where}: cannot list ({exc.strerror}); skipped")
            continue
        for entry in entries:
            name = f"{rel}{entry.name}"
            try:
                link = entry.is_symlink()
                if link and not os.path.exists(entry.path):
                    if entry.name.lower().endswith(TEXT_SUFFIXES):
                        warnings.append(f"{name}: a broken link; skipped")
                    continue
                if link and not follow:
                    target = os.path.realpath(entry.path)
                    if not _inside(target, real_root) and (
                            entry.is_dir() or entry.name.lower().endswith(TEXT_SUFFIXES)):
                        warnings.append(f"{name}: a link out of the folder (to {target}); "
                                        "skipped (--follow follows it)")
                        continue
                if entry.is_dir():
                    if link:
                        warnings.append(f"{name}: a link to a folder; followed")
                    stack.append((name + "/", entry.path))
                elif not entry.name.lower().endswith(TEXT_SUFFIXES):
                    continue
                elif entry.is_file():
                    info = entry.stat()
                    if info.st_dev in special:
                        warnings.append(f"{name}: on a {special[info.st_dev]} file system, "
                                        "not an article; skipped")
                    elif info.st_size > MAX_FILE_BYTES:
                        warnings.append(f"{name}: {info.st_size / 1e6:,.0f} MB, over the "
                                        f"{MAX_FILE_BYTES // 1_000_000} MB limit; skipped")
                    else:
                        found.append((name, entry.path, info))
                else:
                    warnings.append(f"{name}: not a regular file; skipped")
            except OSError as exc:
                warnings.append(f"{name}: cannot be read ({exc.strerror}); skipped")
    found.sort()
    return found


# A file whose time is this close to when it was read may change again within the file
# system's time granularity (2 s on FAT, 1 s on some network file systems; Linux's clock
# for file times ticks every few ms) without its stat changing: it is read again next time,
# as git's index does for "racily clean" entries.
_RACY_NS = 2_000_000_000
# The text store copies the folder's text files into the cache so that a warm start need not
# open them. Above this size (a choice: disk and memory over start-up time) no copy is kept
# and every file is read and hashed on each start, as before the store.
_STORE_MAX_BYTES = 512_000_000


def _stat_key(st: os.stat_result) -> list[int]:
    # ctime is set by the kernel on every write and can't be put back by a user (touch,
    # cp -p and rsync restore only mtime), so an edit that keeps size and mtime still shows.
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


class _Parsed:
    """What an earlier run made of each file: its stat, a hash of its bytes, its header
    (title, date, text bounds), its warnings, and a copy of its bytes in one text store.

    A file whose stat (size, mtime, ctime, inode, device) is as recorded, and was not
    racily new when recorded, is taken from the store without being opened. The store is
    checked against its recorded hash as a whole, and each file's bytes against that
    file's own hash, so a damaged store means a read of the files, never a wrong text.
    Any other file is read and hashed, and parsed again only if its hash changed. Any
    unreadable or foreign state is ignored and rewritten."""

    _CODE = ("corpus.py", "segment.py", "timeref.py", "lexicon.py", "models.py")

    def __init__(self, root: Path) -> None:
        here = Path(__file__).resolve().parent
        code = hashlib.sha256()
        for name in self._CODE:
            code.update((here / name).read_bytes())
        self.code = code.hexdigest()
        where = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogatepass"))
        self.path = cache.folder("folders") / f"{where.hexdigest()[:40]}.json"
        self.store_path = self.path.with_suffix(".texts")
        self.now = time.time_ns()
        self.entries: dict[str, list[Any]] = {}
        self.used: dict[str, list[Any]] = {}
        self.texts: dict[str, bytes] = {}  # source -> bytes, for the store written by save()
        self.changed = False
        self.store = b""
        expected: object = None
        try:
            data = json.loads(cache.read_regular(self.path, follow=False).decode("utf-8"))
            if isinstance(data, dict) and data.get("code") == self.code:
                expected = data.get("texts")
                files = data.get("files")
                if isinstance(files, dict):
                    self.entries = {k: v for k, v in files.items()
                                    if isinstance(v, list) and len(v) == 5}
        except (OSError, ValueError, RecursionError):
            pass
        if self.entries:
            with contextlib.suppress(OSError):
                store = cache.read_regular(self.store_path, follow=False)
                # One hash over the whole store (10 ms at 10,000 files; one per file cost
                # 60 ms): a damaged or mismatched store is not used, and every file is read.
                if hashlib.blake2b(store, digest_size=16).hexdigest() == expected:
                    self.store = store

    def unchanged(self, source: str, st: os.stat_result, doc_id: str,
                  warnings: list[str]) -> Document | bool | None:
        """The document (or None for a file with no body) when the file's stat is as
        recorded and its stored bytes check out; False when it must be read."""
        entry = self.entries.get(source)
        if entry is None or entry[3] != _stat_key(st):
            return False
        try:
            start, end = entry[4]
            data = self.store[start:end]
            # Each file's bytes are checked against its own hash as well as the store's
            # whole: a store edited together with the manifest's hash of it served wrong
            # text ("999 million" where the file says 203).
            if len(data) != st.st_size or (
                    hashlib.blake2b(data, digest_size=16).hexdigest() != entry[0]):
                return False
            doc = self._restore(entry, data.decode("utf-8"), source, doc_id)
        except (TypeError, ValueError, KeyError):
            return False
        warnings.extend(str(w) for w in entry[2])
        self.used[source] = entry
        self.texts[source] = data
        return doc

    def document(self, source: str, st: os.stat_result, digest: str, data: bytes, text: str,
                 doc_id: str, warnings: list[str]) -> Document | None:
        key = _stat_key(st)
        if max(st.st_mtime_ns, st.st_ctime_ns) >= self.now - _RACY_NS:
            key = []  # racily new: never trusted by stat alone
        entry = self.entries.get(source)
        if entry is not None and entry[0] == digest:
            try:
                doc = self._restore(entry, text, source, doc_id)
                warnings.extend(str(w) for w in entry[2])
                self._use(source, [digest, entry[1], entry[2], key, None], data)
                return doc
            except (TypeError, ValueError, KeyError):
                pass
        said_here: list[str] = []
        doc = document_from_text(text, doc_id, source, said_here)
        warnings.extend(said_here)
        head = None if doc is None else [
            doc.title, doc.titled, None if doc.date is None else doc.date.isoformat(),
            doc.ref, doc.body_start, doc.body_end]
        self._use(source, [digest, head, said_here, key, None], data)
        return doc

    def _use(self, source: str, entry: list[Any], data: bytes) -> None:
        self.used[source] = entry
        self.texts[source] = data
        self.changed = True

    @staticmethod
    def _restore(entry: list[Any], text: str, source: str, doc_id: str) -> Document | None:
        head, said = entry[1], entry[2]
        if not isinstance(said, list):
            raise TypeError("warnings not a list")
        if head is None:
            return None
        title, titled, date, ref, body_start, body_end = head
        doc = Document(id=doc_id, text=text, source=source, title=title,
                       titled=titled, date=date, ref=ref, body_start=body_start,
                       body_end=body_end)  # validated: a foreign entry raises ValueError
        if not 0 <= doc.body_start < doc.body_end <= len(text):
            raise ValueError("bounds outside the text")
        return doc

    def save(self) -> None:
        if not self.changed and self.used.keys() == self.entries.keys():
            return
        parts: list[bytes] = []
        at = 0
        for source, entry in self.used.items():  # entry: digest, head, warnings, stat, span
            data = self.texts[source]
            entry[4] = [at, at + len(data)]
            parts.append(data)
            at += len(data)
        store = b"".join(parts) if at <= _STORE_MAX_BYTES else b""
        data = json.dumps({"code": self.code, "files": self.used,
                           "texts": hashlib.blake2b(store, digest_size=16).hexdigest()},
                          ensure_ascii=False).encode("utf-8", "surrogatepass")
        with contextlib.suppress(OSError):
            # The store first: a store that is not the one its manifest names fails the
            # hash check, which costs a read of every file, never a wrong text.
            atomic_write_bytes(self.store_path, store)
            atomic_write_bytes(self.path, data)
            remove_stale_temp(self.path.parent)


def _load_folder(root: Path, warnings: list[str], remember: bool = True, follow: bool = False
                 ) -> tuple[list[Document], dict[str, str]]:
    """The folder's documents, and each one's hash of its file's bytes (when remembered)."""
    files = _walk(root, warnings, follow)
    if not files:
        raise CorpusError(f"{root}: no .txt or .md files found")
    parsed = None
    if remember:
        # Without a usable cache folder (not qabot's, unwritable) every file is read; the
        # retriever says why, once.
        with contextlib.suppress(OSError):
            parsed = _Parsed(root)
    docs: list[Document] = []
    seen: dict[str, str] = {}
    for source, path, st in files:
        # The path below the root without its extension: the same name in two folders is
        # two documents. Only "a.txt" beside "a.md" falls back to the name with extension.
        doc_id = source.rsplit(".", 1)[0]
        if doc_id in seen:
            warnings.append(f"{source}: id {doc_id!r} already used by {seen[doc_id]}; "
                            f"using {source!r}")
            doc_id = source
        doc: Document | bool | None = False
        if parsed is not None:
            doc = parsed.unchanged(source, st, doc_id, warnings)
        if doc is False:
            data = read_bytes(path, source, warnings)
            text = None if data is None else decode(data, source, warnings)
            if data is None or text is None:
                continue
            if parsed is None:
                doc = document_from_text(text, doc_id, source, warnings)
            else:
                digest = hashlib.blake2b(data, digest_size=16).hexdigest()
                doc = parsed.document(source, st, digest, data, text, doc_id, warnings)
        if isinstance(doc, Document):
            seen[doc_id] = source
            docs.append(doc)
    if parsed is None:
        return docs, {}
    parsed.save()
    return docs, {doc.id: parsed.used[doc.source][0] for doc in docs}


# A JSON string may spell a lone surrogate ("\udfff"); it is no character, JSON output
# (which must be UTF-8) cannot hold it, and a quote holding it would differ between the
# library and ``--json``. One code point replaces one, so offsets into the text hold.
_LONE_SURROGATE = regex.compile(r"[\ud800-\udfff]")


def _without_surrogates(value: str, where: str, field: str, warnings: list[str]) -> str:
    if not _LONE_SURROGATE.search(value):
        return value
    warnings.append(f"{where}: '{field}' holds a lone surrogate (an escaped half of a "
                    "UTF-16 pair); read as U+FFFD")
    return _LONE_SURROGATE.sub("\ufffd", value)


def _load_jsonl(path: Path, warnings: list[str]) -> list[Document]:
    name = path.name
    text = read_text_file(path, name, warnings)
    if text is None:
        raise CorpusError(warnings.pop())
    docs: list[Document] = []
    seen: set[str] = set()
    # Records end at "\n" only: JSON strings may hold U+2028, form feeds and the like,
    # which str.splitlines() would also split at.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            warnings.append(f"{where}: invalid JSON ({exc.msg}); skipped")
            continue
        except (ValueError, RecursionError):  # a number over Python's digit limit; deep
            warnings.append(f"{where}: a number over 4,300 digits or nesting too deep; "
                            "skipped")
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
        doc_id = _without_surrogates(str(raw_id), where, "id", warnings)
        body = _without_surrogates(body, where, "text", warnings)
        if doc_id in seen:
            warnings.append(f"{where}: duplicate id {doc_id!r}; skipped")
            continue
        title = record.get("title")
        if isinstance(title, str):
            title = _without_surrogates(title, where, "title", warnings)
        url = record.get("url")
        if isinstance(url, str):
            url = _without_surrogates(url, where, "url", warnings)
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


def load_corpus(path: str | Path | None = None, *, follow: bool = False) -> Corpus:
    """Load a folder of articles (or a .jsonl file); the bundled articles when ``path`` is None.

    Unusable files are skipped with a one-line warning in ``Corpus.warnings``; a path
    that cannot be a corpus at all raises ``CorpusError``. Links out of the folder are
    skipped (with a warning) unless ``follow``.
    """
    if path is not None and not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}")
    if path is not None and not str(path).strip():
        raise CorpusError("empty corpus path: give a folder, a .txt/.md file or a .jsonl file")
    if path is not None and "\0" in str(path):
        raise CorpusError(f"{str(path)!r}: a path can't hold a NUL character")
    root = default_corpus_path() if path is None else Path(path)
    try:
        origin = str(root.resolve())
    except (OSError, RuntimeError) as exc:  # a link loop, a name too long
        raise CorpusError(f"{root}: cannot be used ({exc})") from None
    warnings: list[str] = []
    digests: dict[str, str] = {}
    try:
        exists = root.exists()
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise CorpusError(f"{root}: cannot be used ({exc.strerror or exc})") from None
    if not exists:
        raise CorpusError(f"{root}: no such file or folder")
    if root.is_file() and root.suffix.lower() == ".jsonl":
        docs = _load_jsonl(root, warnings)
    elif root.is_file() and root.suffix.lower() in TEXT_SUFFIXES:
        text = read_text_file(root, root.name, warnings)
        doc = None if text is None else document_from_text(
            text, root.stem, root.name, warnings)
        docs = [doc] if doc is not None else []
        root = root.parent  # sources are relative to the folder holding the file
    elif root.is_file():
        raise CorpusError(f"{root}: expected a folder, a .txt/.md file or a .jsonl file")
    elif root.is_dir():
        kind = _special_devices().get(root.stat().st_dev)
        if kind is not None:
            raise CorpusError(f"{root}: a {kind} file system, not a folder of articles")
        docs, digests = _load_folder(root, warnings, follow=follow)
    else:
        raise CorpusError(f"{root}: not a regular file or folder")
    if not docs:
        detail = f" ({warnings[-1]})" if warnings else ""
        raise CorpusError(f"{root}: no readable documents{detail}")
    return Corpus(root=str(root), documents=tuple(docs), warnings=tuple(warnings),
                  origin=origin, digests=digests)


def changed_on_disk(corpus: Corpus, citations: Sequence[Citation]) -> list[int]:
    """The numbers of the citations whose quote is no longer the text of its file at its
    offsets (the file was edited or removed after the corpus was loaded). A .jsonl
    corpus is not checked: its quotes index a field, not the file."""
    root = Path(corpus.root)
    if root.is_file():
        return []
    changed = []
    texts: dict[str, str | None] = {}
    for c in citations:
        if c.source not in texts:
            try:
                texts[c.source] = cache.read_regular(root / c.source).decode("utf-8")
            except (OSError, UnicodeDecodeError):
                texts[c.source] = None
        text = texts[c.source]
        if text is None or text[c.start : c.end] != c.quote:
            changed.append(c.n)
    return changed
