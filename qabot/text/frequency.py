"""General-English word frequencies (wordfreq's Zipf scale), kept in qabot's cache folder
as a small SQLite table: how informative a question's word is outside any corpus."""

from __future__ import annotations

import contextlib
import math
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from qabot.paths import atomic_write, root

ZIPF_WORDS = 50_000  # English words whose frequency is kept; rarer ones count as rare
# Words whose frequency is remembered in memory: about 2 MB at most (each entry ~100 bytes).
ZIPF_CACHE_WORDS = 20_000
_ZIPF_SCHEMA = "zipf-en-v1"


class ZipfTable:
    """General-English word frequencies (Zipf scale) from wordfreq, kept in a small SQLite
    file so that a question needs a few indexed look-ups, not wordfreq's whole table.

    Thread-safe: one lock serialises look-ups (a few indexed reads, well under a
    millisecond), and the connection may be used from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._memory: dict[str, float] | None = None
        self._cache: dict[str, float] = {}

    def _path(self) -> Path:
        return root() / f"{_ZIPF_SCHEMA}.sqlite3"

    def _open(self) -> None:
        try:
            path = self._path()
        except OSError:  # not qabot's cache folder: the table lives in memory
            self._memory = _wordfreq_table()
            return
        if path.is_file() and not path.is_symlink():
            try:
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
                row = db.execute("SELECT z FROM zipf WHERE w = 'the'").fetchone()
                # A table that can't answer for 'the' is foreign; rows read later are
                # checked as they are read (a whole-table scan here cost 8 ms a start).
                if row is not None and _frequency(row[0]) is not None:
                    self._db = db
                    return
                db.close()
            except sqlite3.Error:
                pass  # unreadable or foreign: rebuild below
        table = _wordfreq_table()
        try:
            atomic_write(path, lambda tmp: _write_sqlite(tmp, table.items()))
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                       check_same_thread=False)
        except (OSError, sqlite3.Error):
            # Same folder as the index cache, whose notice already told the user.
            self._memory = table

    def zipf(self, words: Iterable[str]) -> dict[str, float]:
        """Zipf frequency of each word; 0.0 for words outside the most common 50,000."""
        with self._lock:
            return self._zipf(words)

    def _zipf(self, words: Iterable[str]) -> dict[str, float]:
        words = list(words)
        unique = list(dict.fromkeys(words))
        wanted = [w for w in unique if w not in self._cache]
        if wanted and len(self._cache) + len(wanted) > ZIPF_CACHE_WORDS:
            self._cache.clear()  # bounded: a long session can't grow it for ever
            wanted = unique
        if wanted:
            found = self._look_up(wanted)
            for w in wanted:
                self._cache[w] = found.get(w, 0.0)
        return {w: self._cache[w] for w in words}

    def _look_up(self, wanted: list[str]) -> dict[str, float]:
        for _attempt in range(2):
            if self._db is None and self._memory is None:
                self._open()
            if self._memory is not None:
                return {w: self._memory[w] for w in wanted if w in self._memory}
            assert self._db is not None
            marks = ",".join("?" * len(wanted))
            try:
                rows = self._db.execute(
                    f"SELECT w, z FROM zipf WHERE w IN ({marks})", wanted).fetchall()
            except sqlite3.Error:
                rows = [(None, None)]
            found = {w: _frequency(z) for w, z in rows}
            if all(isinstance(w, str) and z is not None for w, z in found.items()):
                return {w: z for w, z in found.items() if z is not None}
            # A damaged row: drop the file, rebuild it once and ask again.
            self._db.close()
            self._db = None
            with contextlib.suppress(OSError):
                self._path().unlink(missing_ok=True)
        return {}


def _frequency(value: object) -> float | None:
    """A stored Zipf frequency, or None when the row is not a finite real number."""
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


def _wordfreq_table() -> dict[str, float]:
    from wordfreq import top_n_list, zipf_frequency

    return {w: zipf_frequency(w, "en") for w in top_n_list("en", ZIPF_WORDS)}


def _write_sqlite(path: Path, rows: Iterable[tuple[str, float]]) -> None:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.execute("CREATE TABLE zipf (w TEXT PRIMARY KEY, z REAL) WITHOUT ROWID")
        db.executemany("INSERT OR IGNORE INTO zipf VALUES (?, ?)", rows)
        db.commit()
    finally:
        db.close()
