"""Long output on a terminal goes through a pager, as pgcli and git do: ``$PAGER``, else
``less -R`` (-F: quit at once when it fits; -X: leave the text on screen)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

DEFAULT_PAGER = "less -FRX"


def page(text: str) -> bool:
    """Show ``text`` through the pager when stdout is a terminal and ``text`` is taller than
    it; True when it was shown. Nothing is paged into or from a pipe, under TERM=dumb, or with
    PAGER set empty; a pager that can't start leaves the caller to print."""
    try:
        # Both ends a terminal: a pager (like an editor) is never started for a pipe.
        if (not sys.stdout.isatty() or not sys.stdin.isatty()
                or os.environ.get("TERM") == "dumb"):
            return False
    except (AttributeError, ValueError):  # a closed or odd stdout
        return False
    if text.count("\n") + 1 < shutil.get_terminal_size((80, 24)).lines - 1:
        return False
    command = os.environ.get("PAGER", DEFAULT_PAGER)
    if not command.strip():
        return False
    try:
        args = shlex.split(command)
        env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, env=env)
    except (OSError, ValueError):
        return False
    try:
        proc.communicate(text.encode("utf-8", "replace"))
    except (BrokenPipeError, KeyboardInterrupt):
        proc.kill()
        proc.wait()
    return True
