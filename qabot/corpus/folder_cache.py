"""The warm-start folder cache: what an earlier run made of each file of a folder (its
stat, hash, header and a copy of its bytes), so a start need not open unchanged files."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from qabot import paths
from qabot.corpus.header import document_from_text
from qabot.models import Document
from qabot.paths import atomic_write_bytes, remove_stale_temp

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


class FolderCache:
    """What an earlier run made of each file: its stat, a hash of its bytes, its header
    (title, date, text bounds), its warnings, and a copy of its bytes in one text store.

    A file whose stat (size, mtime, ctime, inode, device) is as recorded, and was not
    racily new when recorded, is taken from the store without being opened. The store is
    checked against its recorded hash as a whole, and each file's bytes against that
    file's own hash, so a damaged store means a read of the files, never a wrong text.
    Any other file is read and hashed, and parsed again only if its hash changed. Any
    unreadable or foreign state is ignored and rewritten."""

    # What shapes a parsed document: the text layer and the corpus layer's code.
    _CODE = ("models.py", "text", "corpus")

    def __init__(self, root: Path) -> None:
        self.code = paths.source_digest(*self._CODE).hex()
        where = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogatepass"))
        self.path = paths.folder("folders") / f"{where.hexdigest()[:40]}.json"
        self.store_path = self.path.with_suffix(".texts")
        self.now = time.time_ns()
        self.entries: dict[str, list[Any]] = {}
        self.used: dict[str, list[Any]] = {}
        self.texts: dict[str, bytes] = {}  # source -> bytes, for the store written by save()
        self.changed = False
        self.store = b""
        expected: object = None
        try:
            data = json.loads(paths.read_regular(self.path, follow=False).decode("utf-8"))
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
                store = paths.read_regular(self.store_path, follow=False)
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
