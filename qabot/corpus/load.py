"""Load articles from a folder of .txt/.md files or a .jsonl file into ``Document`` records."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import regex

from qabot import paths
from qabot.corpus.folder_cache import FolderCache
from qabot.corpus.header import (
    TEXT_SUFFIXES,
    body_bounds,
    decode,
    derive_title,
    document_from_text,
    read_bytes,
    read_text_file,
)
from qabot.errors import CorpusError
from qabot.models import Citation, Corpus, Document


def default_corpus_path() -> Path:
    """The bundled articles: inside the installed package, or ``corpus/`` in a source checkout."""
    bundled = Path(str(resources.files("qabot"))) / "_data" / "corpus"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[2] / "corpus"


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
            parsed = FolderCache(root)
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
        body_start, body_end = body_bounds(body, 0)
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
                texts[c.source] = paths.read_regular(root / c.source).decode("utf-8")
            except (OSError, UnicodeDecodeError):
                texts[c.source] = None
        text = texts[c.source]
        if text is None or text[c.start : c.end] != c.quote:
            changed.append(c.n)
    return changed
