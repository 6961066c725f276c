"""The XDG cache folder and what qabot keeps there: never trusted, always rebuildable."""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ZIPF_WORDS = 50_000  # English words whose frequency is kept; rarer ones count as rare
# Words whose frequency is remembered in memory: about 2 MB at most (each entry ~100 bytes).
ZIPF_CACHE_WORDS = 20_000
_ZIPF_SCHEMA = "zipf-en-v1"


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/qabot``, falling back to ``~/.cache/qabot``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qabot"


def config_path() -> Path:
    """``$XDG_CONFIG_HOME/qabot/config.toml``, falling back to ``~/.config/qabot/...``
    (read by ``qabot.settings``; here so that finding it imports nothing)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "qabot" / "config.toml"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then move it into place.

    Readers see the old file or the new one, never half of one; a crash leaves only a
    stray temporary file, which is ignored.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """``atomic_write`` of ``data``: the file holds the old bytes or these, never half."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    atomic_write(path, write)


# A temporary file this old was left by a process that was killed while saving.
STALE_TEMP_SECONDS = 60


def remove_stale_temp(folder: Path) -> int:
    """Delete the ``atomic_write`` temporary files in ``folder`` older than
    ``STALE_TEMP_SECONDS``; the number deleted."""
    now = time.time()
    removed = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(entry.path)
                        removed += 1
    return removed


def usage() -> list[tuple[str, int, int]]:
    """What the cache holds: (kind, files, bytes) for each sub-folder and loose file."""
    root = cache_dir()
    rows: dict[str, list[int]] = {}
    if root.is_dir():
        for dirpath, _, names in os.walk(root):
            kind = os.path.relpath(dirpath, root).split(os.sep)[0]
            for name in names:
                key = name if kind == "." else kind
                with contextlib.suppress(OSError):
                    size = os.stat(os.path.join(dirpath, name)).st_size
                    row = rows.setdefault(key, [0, 0])
                    row[0] += 1
                    row[1] += size
    return [(k, v[0], v[1]) for k, v in sorted(rows.items())]


def clear() -> int:
    """Delete everything in the cache folder; the bytes freed."""
    freed = sum(size for _, _, size in usage())
    root = cache_dir()
    if root.is_dir():
        shutil.rmtree(root, ignore_errors=True)
    return freed


class ZipfTable:
    """General-English word frequencies (Zipf scale) from wordfreq, kept in a small SQLite
    file so that a question needs a few indexed look-ups, not wordfreq's whole table."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._memory: dict[str, float] | None = None
        self._cache: dict[str, float] = {}

    def _path(self) -> Path:
        return cache_dir() / f"{_ZIPF_SCHEMA}.sqlite3"

    def _open(self) -> None:
        path = self._path()
        if path.is_file():
            try:
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
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
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        except (OSError, sqlite3.Error):
            # Same folder as the index cache, whose notice already told the user.
            self._memory = table

    def zipf(self, words: Iterable[str]) -> dict[str, float]:
        """Zipf frequency of each word; 0.0 for words outside the most common 50,000."""
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
