"""Exceptions the library raises; only the front ends turn them into messages."""

from __future__ import annotations

from collections.abc import Collection, Iterable


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


def require_ids(name: str, value: object, known: Collection[str]) -> list[str] | None:
    """``value`` as a list when it is a collection of known document ids (None stays
    None); TypeError for a str or a non-collection (a str would be read as its letters),
    ValueError naming the ids that are not in the corpus."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a collection of document ids (a list or set of "
                        f"str), not {type(value).__name__}")
    ids = list(value)
    if not all(isinstance(i, str) for i in ids):
        raise TypeError(f"{name} must hold str document ids")
    unknown = [i for i in ids if i not in known]
    if unknown:
        shown = ", ".join(repr(i) for i in unknown[:3]) + (" …" if len(unknown) > 3 else "")
        raise ValueError(f"{name}: not a document of this corpus: {shown}")
    return ids


def require_date(name: str, value: object) -> None:
    """TypeError naming the argument unless ``value`` is a datetime.date or None."""
    import datetime as dt

    if value is not None and not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def require_range(since: object, until: object) -> None:
    """``since`` and ``until`` dates or None (TypeError otherwise), and not since > until
    (ValueError: no article could be in the range)."""
    require_date("since", since)
    require_date("until", until)
    if since is not None and until is not None and since > until:  # type: ignore[operator]
        raise ValueError(f"since ({since}) is after until ({until})")
