"""The chat's question history: kept in the state folder, private to the user, and never
written through a link or into a file that is not a regular one."""

from __future__ import annotations

import datetime
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from prompt_toolkit.history import FileHistory, History, InMemoryHistory

from qabot.paths import state_dir


def history_path() -> Path:
    """``$XDG_STATE_HOME/qabot/history``, falling back to ``~/.local/state/qabot/history``."""
    return state_dir() / "history"


def _open_private(path: Path) -> int:
    """A descriptor for appending to ``path``, made private (0600) if new; never through a
    link (O_NOFOLLOW: a link planted there fails with ELOOP rather than send the questions,
    or a chmod, to its target)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


class _GuardedFileHistory(FileHistory):
    """prompt_toolkit's file history that survives the file becoming unwritable (a full
    disk, a revoked permission): one warning, then the history goes on in memory. Slash
    commands are kept in memory only, so is a line that repeats the one before, and the file
    is private (0600) and never written through a link: questions may be private."""

    def __init__(self, path: Path, warn: Callable[[str], None]) -> None:
        super().__init__(str(path))
        self._path = path
        self._warn = warn
        self._writable = True

    def store_string(self, string: str) -> None:
        last, self._last = getattr(self, "_last", None), string
        if not self._writable or string.lstrip().startswith("/") or string == last:
            return
        # prompt_toolkit's own file format ("# date", then "+line" per line), written
        # through a descriptor opened without following links.
        lines = [f"\n# {datetime.datetime.now()}\n", *(f"+{line}\n" for line in
                                                    string.split("\n"))]
        try:
            with os.fdopen(_open_private(self._path), "ab") as f:
                f.write("".join(lines).encode("utf-8", errors="replace"))
        except OSError as exc:
            self._writable = False
            self._warn(f"history no longer saved: cannot write {self._path} "
                       f"({exc.strerror or exc}); kept in memory for this session")


def open_history(warn: Callable[[str], None]) -> History:
    """A persistent history, or an in-memory one (with one warning) if it cannot be written
    (or is a link: it is never written through one)."""
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(_open_private(path))
    except OSError as exc:
        reason = "it is a link" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        warn(f"history disabled: cannot write {path} ({reason})")
        return InMemoryHistory()
    return _GuardedFileHistory(path, warn)
