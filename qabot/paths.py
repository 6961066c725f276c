"""The XDG cache folder and what qabot keeps there: never trusted, always rebuildable."""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path


def xdg_home(variable: str, *fallback: str) -> Path:
    """``$variable`` when it is an absolute path, else ``~/<fallback>``: the XDG Base
    Directory spec says a relative value is invalid and must be ignored (honouring it made
    ``cache clear`` delete ``./rel/qabot`` in whatever folder qabot was run from)."""
    value = os.environ.get(variable, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home().joinpath(*fallback)


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/qabot``, falling back to ``~/.cache/qabot``."""
    return xdg_home("XDG_CACHE_HOME", ".cache") / "qabot"


def config_path() -> Path:
    """``$XDG_CONFIG_HOME/qabot/config.toml``, falling back to ``~/.config/qabot/...``
    (read by ``qabot.ui.settings``; here so that finding it imports nothing)."""
    return xdg_home("XDG_CONFIG_HOME", ".config") / "qabot" / "config.toml"


def data_dir() -> Path:
    """``$XDG_DATA_HOME/qabot``, falling back to ``~/.local/share/qabot`` (the chat log)."""
    return xdg_home("XDG_DATA_HOME", ".local", "share") / "qabot"


def state_dir() -> Path:
    """``$XDG_STATE_HOME/qabot``, falling back to ``~/.local/state/qabot`` (the history)."""
    return xdg_home("XDG_STATE_HOME", ".local", "state") / "qabot"


class CacheError(OSError):
    """The cache folder is not qabot's to use (``strerror`` says why); qabot goes on
    without a cache. An OSError, so every write that already copes with a full or
    read-only disk copes with this too."""

    def __init__(self, reason: str) -> None:
        super().__init__(errno.EPERM, reason)


# The cache folder is marked as the Cache Directory Tagging spec says (bford.info/cachedir:
# the file CACHEDIR.TAG starting with this signature), which backup tools also honour.
# qabot clears only a tagged folder, and only the names it makes there.
TAG_NAME = "CACHEDIR.TAG"
TAG_SIGNATURE = b"Signature: 8a477f597d28d172789f06886806bc55"
_TAG = (TAG_SIGNATURE + b"\n# This file is a cache directory tag created by qabot.\n"
        b"# For information about cache directory tags see https://bford.info/cachedir/\n")
# Every name qabot makes in its cache folder (index/, folders/, vectors/, the registry of corpora,
# the word-frequency table, the tag). A folder holding only these, or nothing, is adopted
# (a cache made before the tag existed); a folder holding anything else is not qabot's.
OWN_NAMES = frozenset({"index", "folders", "vectors", "corpora.json", "zipf-en-v1.sqlite3",
                       TAG_NAME})
# atomic_write's temporary files: ".qabot.<name>.<random>.tmp" (older versions wrote
# ".<name>.<random>.tmp"); only these are ever swept.
_TEMP_PREFIX = ".qabot."


def _own_name(name: str) -> bool:
    if name in OWN_NAMES:
        return True
    if not name.endswith(".tmp"):
        return False
    bare = name[len(_TEMP_PREFIX):] if name.startswith(_TEMP_PREFIX) else name[1:]
    return name.startswith(".") and bare.split(".", 1)[0] in {
        n.split(".", 1)[0] for n in OWN_NAMES}


def open_regular(path: str | Path, *, follow: bool = True) -> int:
    """A read-only descriptor of ``path`` when it is a regular file, else OSError: opened
    without blocking (a FIFO put in a file's place would hang a plain open) and, unless
    ``follow``, without following a link."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str | Path, *, follow: bool = True) -> bytes:
    """The bytes of a regular file (``open_regular``); OSError for anything else."""
    with os.fdopen(open_regular(path, follow=follow), "rb") as f:
        return f.read()


def _tagged(root: Path) -> bool:
    try:
        fd = os.open(root / TAG_NAME, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as f:
        return f.read(len(TAG_SIGNATURE)) == TAG_SIGNATURE


def _check_owner(path: Path, st: os.stat_result) -> None:
    if not stat.S_ISDIR(st.st_mode):
        raise CacheError(f"{path} is not a folder")
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise CacheError(f"{path} is owned by another user (uid {st.st_uid})")
    if st.st_mode & 0o022:
        raise CacheError(f"{path} is writable by others (chmod go-w {path})")


def root() -> Path:
    """The cache folder, made (0700, tagged) if missing, after checking it is qabot's to
    use: a folder owned by this user, writable by no one else, and tagged, or holding
    nothing but what qabot makes (then tagged now). Else ``CacheError``."""
    folder = cache_dir()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(folder, 0o700)
        made = True
    except FileExistsError:
        made = False
    except OSError as exc:
        raise CacheError(f"cannot make {folder} ({exc.strerror or exc})") from None
    try:
        _check_owner(folder, os.stat(folder))
        if made or not _tagged(folder):
            foreign = [n for n in os.listdir(folder) if not _own_name(n)]
            if foreign:
                raise CacheError(f"{folder} holds files qabot did not make (such as "
                                 f"{foreign[0]!r}) and no {TAG_NAME}; not used as qabot's "
                                 "cache (set XDG_CACHE_HOME to another folder)")
            atomic_write_bytes(folder / TAG_NAME, _TAG)
    except CacheError:
        raise
    except OSError as exc:
        raise CacheError(f"cannot use {folder} ({exc.strerror or exc})") from None
    return folder


def folder(name: str) -> Path:
    """A sub-folder of the checked cache folder (``index``, ``folders``), made if missing;
    never a link (a link there would send qabot's writes and deletes elsewhere)."""
    if name not in OWN_NAMES:
        raise ValueError(f"not a cache folder of qabot's: {name!r}")
    path = root() / name
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise CacheError(f"cannot make {path} ({exc.strerror or exc})") from None
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise CacheError(f"{path} is a link; qabot does not follow links in its cache")
    _check_owner(path, st)
    return path


def atomic_write(path: Path, write: Callable[[Path], None], *, mode: int = 0o600) -> None:
    """Call ``write`` on a temporary file beside ``path``, then move it into place.

    Readers see the old file or the new one, never half of one; a crash leaves only a
    stray temporary file, which is ignored. The file gets ``mode`` (cache files are
    private; a user's own file gets what their umask gives a new file). A link at
    ``path`` is replaced, never written through.
    """
    tmp = None
    try:
        with _signals_held():
            fd, tmp = _temp_beside(path)
        if mode != 0o600:
            os.fchmod(fd, mode)
        os.close(fd)
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


def _temp_beside(path: Path) -> tuple[int, str]:
    return tempfile.mkstemp(dir=path.parent, prefix=f"{_TEMP_PREFIX}{path.name}.",
                            suffix=".tmp")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait while a temporary file is made and its name kept: a signal
    between the two left a file no clean-up knew of (a flaky test under load). On leaving,
    a held signal's handler runs inside the caller's clean-up block."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):  # no pthread_sigmask here
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def user_file_mode() -> int:
    """The mode a new file of the user's gets (0666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """``atomic_write`` of ``data``: the file holds the old bytes or these, never half."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    atomic_write(path, write, mode=mode)


def create_new(path: Path, data: bytes) -> None:
    """Write a new file at ``path`` all at once, or not at all: FileExistsError when
    something is there (never overwritten), and on a full disk nothing is left behind.
    The bytes go to a temporary file beside it, which is then linked into place (a link
    fails when the name exists, atomically)."""
    tmp = None
    try:
        with _signals_held():
            fd, tmp = _temp_beside(path)
        os.fchmod(fd, user_file_mode())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive create instead
            with open(path, "xb") as f:
                try:
                    f.write(data)
                    f.flush()
                except BaseException:
                    os.unlink(path)
                    raise
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


# A temporary file this old was left by a process that was killed while saving.
STALE_TEMP_SECONDS = 60


def remove_stale_temp(folder: Path) -> int:
    """Delete qabot's own ``atomic_write`` temporary files in ``folder`` older than
    ``STALE_TEMP_SECONDS`` (regular files only, named as qabot names them); the number
    deleted."""
    now = time.time()
    removed = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(_TEMP_PREFIX) and entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    st = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(st.st_mode) and now - st.st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(entry.path)
                        removed += 1
    return removed


def usage() -> list[tuple[str, int, int]]:
    """What the cache holds: (kind, files, bytes) for each sub-folder and loose file."""
    root_path = cache_dir()
    rows: dict[str, list[int]] = {}
    if root_path.is_dir():
        for dirpath, _, names in os.walk(root_path):
            kind = os.path.relpath(dirpath, root_path).split(os.sep)[0]
            for name in names:
                key = name if kind == "." else kind
                with contextlib.suppress(OSError):
                    size = os.lstat(os.path.join(dirpath, name)).st_size
                    row = rows.setdefault(key, [0, 0])
                    row[0] += 1
                    row[1] += size
    return [(k, v[0], v[1]) for k, v in sorted(rows.items())]


def clear() -> int:
    """Delete what qabot made in its cache folder, and the folder when that leaves it
    empty; the bytes freed. Only a folder qabot tagged is cleared, only the names qabot
    makes, and links are removed, never followed; anything else raises ``CacheError``."""
    folder_path = cache_dir()
    try:
        st = os.stat(folder_path)
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise CacheError(f"cannot use {folder_path} ({exc.strerror or exc})") from None
    _check_owner(folder_path, st)
    if not _tagged(folder_path):
        raise CacheError(f"{folder_path} has no {TAG_NAME}, so qabot did not make it; "
                         "nothing deleted")
    freed = sum(size for _, _, size in usage())
    for entry in os.scandir(folder_path):
        if not _own_name(entry.name) or entry.name == TAG_NAME:
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)  # never follows a link (fd-based on Linux)
            else:
                os.unlink(entry.path)  # a file, or a link itself
    with contextlib.suppress(OSError):
        if {n for n in os.listdir(folder_path)} <= {TAG_NAME}:
            os.unlink(folder_path / TAG_NAME)
            os.rmdir(folder_path)
    return freed


_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def source_digest(*parts: str) -> bytes:
    """sha256 over the source of every module of qabot's ``parts`` (a layer's folder, as
    "text", or a top-level module, as "models.py"), in path order: what a cache key or a
    training cache holds, so that an edit to any module of a layer that shapes the cached
    data (a stopword, a heading rule) never meets data made by the old code."""
    h = hashlib.sha256()
    for part in parts:
        target = _PACKAGE / part
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        if not files or not files[0].is_file():
            raise ValueError(f"source_digest: no qabot module {part!r}")
        for path in files:
            h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
    return h.digest()
