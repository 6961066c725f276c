"""The chat log: every conversation, turn by turn, in one SQLite file
(``$XDG_DATA_HOME/qabot/logs.db``), as ``llm`` keeps its logs, so that a chat can be
listed, searched and continued (``qabot logs``, ``qabot chat -c``).

Each turn keeps the question, how it was read and the whole answer with its citations (the
``Answer`` record as JSON). The file is private (0600) and never opened through a link;
when it can't be written the chat goes on unlogged, after one warning. A write is one
small transaction in WAL mode (``synchronous=NORMAL``): eval/bench_chatlog.py times it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qabot.models import Answer
from qabot.paths import data_dir

SCHEMA = 1
_TABLES = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, started TEXT NOT NULL, corpus TEXT NOT NULL, model TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
    cid TEXT NOT NULL REFERENCES conversations(id), n INTEGER NOT NULL, at TEXT NOT NULL,
    question TEXT NOT NULL, interpreted TEXT NOT NULL, answer TEXT NOT NULL,
    PRIMARY KEY (cid, n));
"""


def _text(value: str) -> str:
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def log_path() -> Path:
    return data_dir() / "logs.db"


@dataclass(frozen=True)
class Logged:
    """One logged conversation: its id, when it started, over which corpus and model, how
    many turns, and its first question."""

    id: str
    started: str
    corpus: str
    model: str
    turns: int
    first: str


class LogError(Exception):
    """The log can't be used (its folder is not writable, the file is not a database)."""


class ChatLog:
    """The log file, opened on first use. ``warn`` hears, once, that it can't be written;
    after that every write is skipped."""

    def __init__(self, path: Path | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        self.path = path or log_path()
        self._warn = warn
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def _connect(self, create: bool = True) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if self.path.is_symlink():
                raise LogError(f"{self.path} is a link; not followed")
            if self.path.exists() and not stat.S_ISREG(self.path.stat().st_mode):
                raise LogError(f"{self.path} is not a regular file")
            if not create and not self.path.exists():
                raise LogError("no conversations logged yet")
            fresh = not self.path.exists()
            db = sqlite3.connect(self.path, timeout=2.0, isolation_level=None)
            if fresh:
                os.chmod(self.path, 0o600)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_TABLES)
            db.execute(f"PRAGMA user_version={SCHEMA}")
        except (OSError, sqlite3.Error) as exc:
            raise LogError(f"{self.path}: {getattr(exc, 'strerror', None) or exc}") from None
        self._db = db
        return db

    def _write(self, sql: str, params: tuple[object, ...]) -> None:
        if self._broken:
            return
        try:
            self._connect().execute(sql, params)
        except (LogError, sqlite3.Error, ValueError) as exc:
            self._broken = True
            if self._warn is not None:
                self._warn(f"cannot write the chat log ({exc}); this chat is not logged")

    def start(self, corpus: str, model: str) -> str:
        """A new conversation's id (time-ordered, then random)."""
        now = dt.datetime.now(dt.UTC)
        cid = now.strftime("%Y%m%d%H%M%S") + secrets.token_hex(3)
        self._write("INSERT INTO conversations VALUES (?, ?, ?, ?)",
                    (cid, now.isoformat(timespec="seconds"), corpus, model))
        return cid

    def add(self, cid: str, n: int, answer: Answer) -> None:
        """Turn ``n`` (from 1) of conversation ``cid``."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        # A question read from a pipe may hold lone surrogates (bytes that were not UTF-8):
        # json.dumps escapes them (they come back as they were), the text columns get
        # U+FFFD.
        self._write("INSERT OR REPLACE INTO turns VALUES (?, ?, ?, ?, ?, ?)",
                    (cid, n, at, _text(answer.question), _text(answer.interpreted_as),
                     json.dumps(answer.model_dump(mode="python"), default=str)))

    # -- reading ---------------------------------------------------------------------------

    def conversations(self, limit: int = 10, query: str | None = None) -> list[Logged]:
        """The latest ``limit`` conversations, newest first; with ``query``, only those
        with a turn whose question or answer holds it (case-insensitive)."""
        db = self._connect(create=False)
        where, params = "", tuple[str, ...]()
        if query:
            where = ("WHERE c.id IN (SELECT cid FROM turns WHERE question LIKE ? ESCAPE '\\' "
                     "OR answer LIKE ? ESCAPE '\\')")
            like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params = (like, like)
        rows = db.execute(
            "SELECT c.id, c.started, c.corpus, c.model, COUNT(t.n), "
            "COALESCE((SELECT question FROM turns WHERE cid = c.id ORDER BY n LIMIT 1), '') "
            f"FROM conversations c LEFT JOIN turns t ON t.cid = c.id {where} "
            "GROUP BY c.id ORDER BY c.id DESC LIMIT ?", (*params, limit)).fetchall()
        return [Logged(*row) for row in rows]

    def latest(self) -> str | None:
        """The id of the newest conversation with a turn."""
        found = self._connect(create=False).execute(
            "SELECT cid FROM turns ORDER BY cid DESC LIMIT 1").fetchone()
        return None if found is None else str(found[0])

    def find(self, cid: str) -> Logged:
        """The conversation ``cid`` (a unique prefix is enough); LogError when none."""
        prefix = cid.replace("\\", "").replace("%", "").replace("_", "")
        rows = self._connect(create=False).execute(
            "SELECT c.id, c.started, c.corpus, c.model, "
            "(SELECT COUNT(*) FROM turns WHERE cid = c.id), "
            "COALESCE((SELECT question FROM turns WHERE cid = c.id ORDER BY n LIMIT 1), '') "
            "FROM conversations c WHERE c.id = ? OR c.id LIKE ? ORDER BY c.id = ? DESC "
            "LIMIT 2", (cid, prefix + "%", cid)).fetchall()
        if rows and rows[0][0] == cid:
            return Logged(*rows[0])
        if len(rows) != 1:
            raise LogError(f"no conversation {cid!r} in the log" if not rows
                           else f"{cid!r} names more than one conversation")
        return Logged(*rows[0])

    def answers(self, cid: str) -> list[Answer]:
        """The turns of ``cid``, in order, as their answers."""
        rows = self._connect(create=False).execute(
            "SELECT answer FROM turns WHERE cid = ? ORDER BY n", (cid,)).fetchall()
        found = []
        for (text,) in rows:
            with contextlib.suppress(ValueError):  # a damaged row is skipped, not fatal
                found.append(Answer.model_validate(json.loads(text)))
        return found

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
