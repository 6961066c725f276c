"""Exceptions the library raises; only the front ends turn them into messages."""

from __future__ import annotations


class QabotError(Exception):
    """Base class: a problem the user can fix, with a one-line message."""


class CorpusError(QabotError):
    """The corpus path or a corpus file cannot be used."""


class GoldSetError(QabotError):
    """The gold question file is malformed."""
