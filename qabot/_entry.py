"""The console script: Ctrl-C while qabot is still importing ends quietly too."""

from __future__ import annotations

import signal
import sys


def _quiet_exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # SystemExit prints no traceback


def main() -> int:
    signal.signal(signal.SIGINT, _quiet_exit)
    from qabot.ui.cli import main as cli_main

    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C as KeyboardInterrupt
    return cli_main()


def run() -> None:
    sys.exit(main())
