"""Day references in article text, resolved against the article's publication date.

Only references that name one day are resolved: "March 5, 2026", "5 March 2026", "March 5"
(the year taken from the article's date), and "today", "this morning", "tonight",
"yesterday", "last night", "tomorrow". Vague ones ("early 2026", "that evening", "last
week") are left alone, so nothing is resolved to a day the text does not give.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import regex

from qabot.text.lexicon import MONTH_NAMES, MONTHS

_MONTH_ABBREVIATIONS = {name[:3]: i for i, name in enumerate(MONTH_NAMES, start=1)}
_MONTH_ABBREVIATIONS["sept"] = 9
_ABSOLUTE = regex.compile(
    rf"\b(?P<month>{MONTHS})\.?\s+(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+(?P<year>(?:19|20)[0-9][0-9])\b)?"
    rf"|\b(?P<day2>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?P<month2>{MONTHS})\b\.?"
    r"(?:,?\s+(?P<year2>(?:19|20)[0-9][0-9])\b)?",
    regex.IGNORECASE,
)
_RELATIVE = regex.compile(
    r"\b(?:(?P<today>today(?:'s|’s)?|this (?:morning|afternoon|evening)|tonight(?:'s|’s)?)"
    r"|(?P<yesterday>yesterday(?:'s|’s)?|last night)|(?P<tomorrow>tomorrow(?:'s|’s)?))\b",
    regex.IGNORECASE,
)
_OFFSETS = {"today": 0, "yesterday": -1, "tomorrow": 1}
_LATER = timedelta(30)  # a yearless day this far after the article's date is last year's


@dataclass(frozen=True)
class DayReference:
    """A reference to one day: ``text == sentence[start:end]``; ``relative`` for "today"."""

    text: str
    start: int
    end: int
    day: date
    relative: bool


def month_number(name: str) -> int:
    name = name.casefold().rstrip(".")
    return MONTH_NAMES.index(name) + 1 if name in MONTH_NAMES else _MONTH_ABBREVIATIONS[name]


def day_references(text: str, published: date | None) -> list[DayReference]:
    """The day references in ``text``, in order. Without ``published`` only those that carry
    their own year are resolved."""
    found: list[DayReference] = []
    for m in _ABSOLUTE.finditer(text):
        month = m.group("month") or m.group("month2")
        day = int(m.group("day") or m.group("day2"))
        year_text = m.group("year") or m.group("year2")
        if month.casefold() == "may" and not year_text and m.group("month"):
            continue  # "may 3 of them": the verb, not the month
        if year_text:
            year = int(year_text)
        elif published is not None:
            year = published.year
        else:
            continue
        try:
            resolved = date(year, month_number(month), day)
        except ValueError:
            continue  # "February 30"
        if not year_text and published is not None and resolved - published > _LATER:
            # "December 28" in an article of 3 January is last year's.
            try:
                resolved = resolved.replace(year=year - 1)
            except ValueError:
                continue  # 29 February
        found.append(DayReference(m.group(0), m.start(), m.end(), resolved, False))
    if published is not None:
        for m in _RELATIVE.finditer(text):
            kind = next(k for k in _OFFSETS if m.group(k))
            try:
                moved = published + timedelta(_OFFSETS[kind])
            except OverflowError:
                continue  # the day before 1 January of year 1
            found.append(DayReference(m.group(0), m.start(), m.end(), moved, True))
    found.sort(key=lambda r: r.start)
    return found


def human_date(day: date | None) -> str:
    """``date(2026, 3, 13)`` -> ``13 Mar 2026``; unknown dates say so."""
    if day is None:
        return "date unknown"
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3].capitalize()} {day.year}"


def human_period(day: date, precision: str) -> str:
    """A resolved time as a reader says it: "4 Mar 2026", "week of 2 Mar 2026", "Mar
    2026", "2026"."""
    if precision == "day":
        return human_date(day)
    if precision == "week":
        return f"week of {human_date(day)}"
    if precision == "month":
        return f"{MONTH_NAMES[day.month - 1][:3].capitalize()} {day.year}"
    return str(day.year)


class DateError(ValueError):
    """A date header that is not a date, or could be read two ways."""


@functools.cache
def _date_forms() -> tuple[regex.Pattern[str], regex.Pattern[str], regex.Pattern[str]]:
    """ISO, numeric and written date headers, compiled on first use: only a cold parse of
    a folder reads headers, and compiling them cost 2.7 ms of every start (measured)."""
    return (
        regex.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
                      r"(?:[T ][0-9:.]+(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?$"),
        regex.compile(r"^([0-9]{1,2})/([0-9]{1,2})(\s+|/)([0-9]{4})$"),
        regex.compile(rf"^(?:\p{{L}}+,?\s+)?(?:{_ABSOLUTE.pattern})"
                      r"(?:,?\s+[0-9]{1,2}:[0-9]{2}.*)?$", regex.IGNORECASE),
    )


def parse_date(value: str) -> date:
    """A publication date written in one of the forms qabot reads (docs/corpus-formats.md):
    ISO ``2026-03-06`` or an ISO date-time; the bundled ``MM/DD YYYY``;
    ``13/03 2026`` when only one reading is a date; "March 6, 2026", "6 Mar 2026" (a
    weekday before it and a time after it are allowed); RFC 2822 ("Fri, 06 Mar 2026
    10:00:00 +0000"). Raises ``DateError`` naming the problem for anything else, and for
    ``03/06/2026``, which is 3 June in most of the world and 6 March in the US."""
    text = " ".join(value.split())
    iso_date, numeric, written = _date_forms()
    if iso_date.match(text):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError as exc:
            raise DateError(f"invalid ISO date {text!r}") from exc
    m = numeric.match(text)
    if m:
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(4))
        if m.group(3).isspace():  # the bundled header: MM/DD YYYY, unless only DD/MM is one
            month, day = (second, first) if first > 12 >= second else (first, second)
        elif first > 12 >= second or first == second:
            month, day = second, first
        elif second > 12 >= first:
            month, day = first, second
        else:
            raise DateError(f"ambiguous date {text!r} (day/month or month/day?); "
                            "write it as YYYY-MM-DD")
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise DateError(f"invalid date {text!r}") from exc
    m = written.match(text)
    if m and (m.group("year") or m.group("year2")):
        try:
            return date(int(m.group("year") or m.group("year2")),
                        month_number(m.group("month") or m.group("month2")),
                        int(m.group("day") or m.group("day2")))
        except ValueError as exc:
            raise DateError(f"invalid date {text!r}") from exc
    from email.utils import parsedate_to_datetime  # only here: it imports much of email

    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    raise DateError(f"not a date {text!r}")
