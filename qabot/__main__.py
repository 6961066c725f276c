"""``python -m qabot``."""

from qabot._entry import run

run()
