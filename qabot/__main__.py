"""``python -m qabot``."""

from qabot.cli import run

run()
