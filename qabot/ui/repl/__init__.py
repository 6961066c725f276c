"""The chat: the session (``session``), its slash commands (``commands``, a registry) and
its question history (``history``)."""

from qabot.ui.repl.history import history_path
from qabot.ui.repl.session import Repl

__all__ = ["Repl", "history_path"]
