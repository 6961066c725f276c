"""What the command line writes: one sanitised piece of output, one-line warnings and
notices on stderr, a progress bar for long builds, and standard input read a line at a
time. Every front end prints through these (only ``ui/`` prints)."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from qabot.errors import QabotError
from qabot.ui.parser import WARNINGS_SHOWN


def out(text: str) -> None:
    """One piece of output on stdout, through the one sanitiser (render.safe): whatever a
    file or an argument held, no control character reaches the terminal raw."""
    from qabot.ui.render import safe

    sys.stdout.write(safe(text) + "\n")
    sys.stdout.flush()


def show(text: str) -> None:
    """Text for a reader: through the pager when it is longer than the terminal."""
    from qabot.ui.pager import page
    from qabot.ui.render import safe

    if not page(safe(text) + "\n"):
        out(text)


def err(line: str) -> None:
    """One line on stderr, sanitised as one line (a newline in a file name can't forge a
    second message)."""
    from qabot.ui.render import safe_line

    sys.stderr.write(safe_line(line) + "\n")
    sys.stderr.flush()


def warn(message: str) -> None:
    err(f"qabot: warning: {message}")


def check_length(question: str, length: int | None = None) -> None:
    from qabot.answering.query import MAX_QUESTION_CHARS, clean

    if clean(question)[1]:  # the answerer's own test, so the notice matches the cut
        notice(f"question of {length or len(question):,} characters cut to the first "
               f"{MAX_QUESTION_CHARS:,}")


# A build shorter than this shows no progress bar ("about 1 s", as the issue asks).
PROGRESS_DELAY = 1.0


class Progress:
    """A progress bar (tqdm) on stderr for a build, shown only on a terminal and only once
    the build has taken PROGRESS_DELAY seconds, so quick builds print nothing."""

    def __init__(self, what: str, unit: str = "documents",
                 notice_seconds: float | None = None) -> None:
        self.what = what
        self.unit = unit
        self.bar: Any = None
        # Off a terminal: one notice when the whole build is expected to take longer than
        # PROGRESS_DELAY, at this many seconds a unit.
        self.notice_seconds = notice_seconds

    def __enter__(self) -> Callable[[int, int], None]:
        return self.update

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
                if self.notice_seconds is not None:
                    expected = total * self.notice_seconds
                    if expected > PROGRESS_DELAY:
                        notice(f"{self.what} {total:,} {self.unit} once, about "
                               f"{expected:.0f} s")
                    self.notice_seconds = None  # said once
                return
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.what, unit=f" {self.unit}", leave=False,
                            delay=PROGRESS_DELAY, file=sys.stderr, dynamic_ncols=True)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()




def warn_grouped(warnings: Sequence[str], limit: int | None = WARNINGS_SHOWN) -> None:
    shown = warnings if limit is None else warnings[:limit]
    for warning in shown:
        warn(warning)
    if len(warnings) > len(shown):
        warn(f"and {len(warnings) - len(shown):,} more (qabot index --warnings lists all)")


def notice(message: str) -> None:
    err(f"qabot: notice: {message}")


# The longest stdin line kept: a question is cut to its first 2,000 characters anyway
# (answering.query.MAX_QUESTION_CHARS), and a stream with no newline (ask - < /dev/zero)
# must not fill memory. The rest of a longer line is read and dropped, a piece at a time.
MAX_LINE_CHARS = 100_000


def lines(stream: TextIO, lengths: dict[int, int] | None = None) -> Iterator[str]:
    """The non-blank lines of ``stream``, each at most MAX_LINE_CHARS long; ``lengths``
    hears the true length of each line that was cut (by its number among those yielded)."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE_CHARS)
        if not line:
            return
        length = len(line)
        rest = line
        while len(rest) == MAX_LINE_CHARS and not rest.endswith("\n"):
            rest = stream.readline(MAX_LINE_CHARS)
            length += len(rest)
        if line.strip():
            number += 1
            if length > len(line) and lengths is not None:
                lengths[number] = length - (1 if rest.endswith("\n") else 0)
            yield line.rstrip("\r\n")


def stdin() -> TextIO:
    """Standard input, read so that a byte that is not UTF-8 can't stop a batch (it becomes
    a lone surrogate, shown as \\xNN)."""
    if sys.stdin is None:
        raise QabotError("standard input is closed; give the question as an argument")
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")
    return sys.stdin
