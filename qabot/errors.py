"""Exceptions the library raises; only the front ends turn them into messages."""

from __future__ import annotations


class QabotError(Exception):
    """Base class: a problem the user can fix, with a one-line message."""


class CorpusError(QabotError):
    """The corpus path or a corpus file cannot be used."""


class GoldSetError(QabotError):
    """The gold question file is malformed."""


# -- the library's argument checks: Python's conventions (TypeError for a wrong type,
# ValueError for a wrong value), raised at the public boundary, not deep inside.


def require_text(name: str, value: object) -> str:
    """``value`` when it is a str; else TypeError naming the argument."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def require_count(name: str, value: object, *, optional: bool = False) -> int | None:
    """``value`` when it is a positive int (or None, if ``optional``); else TypeError or
    ValueError naming the argument."""
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


def require_instance(name: str, value: object, kind: type) -> None:
    """TypeError naming the argument unless ``value`` is a ``kind``."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__}, not {type(value).__name__}")
