"""When things happened: the time expressions of an article's text, each resolved to a date
with its precision, against the article's publication date and the narrative's last day.

What is read (docs/time.md has the table):

- absolute days: "March 5, 2026", "5 March", "on 3 March" (the year from the article's
  date), "2026-03-05";
- months and years: "February 2025", "early 2026", "late March", "in June", "last June";
- days relative to the publication date: "today", "this morning", "tonight", "yesterday",
  "last night", "tomorrow", a weekday ("on Tuesday", "early Wednesday", "last Friday"),
  "three days ago";
- periods relative to it: "last week", "this month", "earlier this month", "next year";
- days relative to the day the narrative is on (the last day named before it, else the
  publication date): "that afternoon", "the same day", "the following day", "the day
  before", "three days later", "two days prior".

A weekday names the latest such day on or before the publication date, unless its sentence
speaks of the future ("will", "is to", "next", "scheduled", "plans"), when it names the
next one. A bare month names the one within six months either side of the publication
date. Nothing is resolved that the text and the dates do not give: with no publication
date only expressions that carry their year are. The calendar arithmetic is dateutil's
``relativedelta`` (weekday, week, month and year steps).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import regex
from dateutil.relativedelta import MO, relativedelta, weekday

from qabot.text.lexicon import MONTHS
from qabot.text.segment import segment_bounds
from qabot.text.timeref import month_number

# How far before the article's date a yearless day spoken of in the future may lie: the
# 30 days timeref.day_references allows a yearless day after it.
GRACE = timedelta(30)

Precision = Literal["day", "week", "month", "year"]
PRECISIONS: tuple[Precision, ...] = ("day", "week", "month", "year")

_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                  "sunday")
_WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBER_WORDS |= {"a": 1, "an": 1}
_NUMBER = r"(?:[0-9]{1,3}|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven" \
          r"|twelve|an?)"
# A month written short, whose full stop is part of it ("Sept."); "June." ends a sentence.
_ABBREVIATED = r"\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
# The prepositions after which a bare month or year is a time ("in June", "since 2008").
_CUES = r"(?:in|since|by|during|until|till|from|through|throughout|before|after)"
# A sentence that speaks of the future: its weekday is the next one, not the last.
_FUTURE = regex.compile(
    r"\b(?:will|won't|shall|is to|are to|is due|are due|due to|next|scheduled|plans? to"
    r"|planned|expected to|set to|upcoming|going to|intends? to)\b", regex.IGNORECASE)


@dataclass(frozen=True)
class TimeMention:
    """A time expression of a text: ``text == source[start:end]``; ``day`` is the first day
    of the period it names (the day itself at day precision); ``relative`` when it was
    resolved against the publication date or the narrative's day, not read whole."""

    text: str
    start: int
    end: int
    day: date
    precision: Precision
    relative: bool
    sentence: tuple[int, int]  # the bounds of the sentence it is in


@functools.cache
def _patterns() -> list[tuple[str, regex.Pattern[str]]]:
    """The expression forms, most specific first (an overlap goes to the earlier one);
    compiled on first use, as the index build is the only reader."""
    i = regex.IGNORECASE
    day_suffix = r"(?:st|nd|rd|th)?"
    year = r"(?:1[5-9]|20)[0-9][0-9]"
    forms = [
        ("iso", rf"\b(?P<y>{year})-(?P<m>[01][0-9])-(?P<d>[0-3][0-9])\b"),
        ("mdy", rf"\b(?:{_WEEKDAYS},?\s+)?(?P<mon>{MONTHS})\.?\s+(?P<d>[0-9]{{1,2}}){day_suffix}"
                rf"\b(?:,?\s+(?P<y>{year})\b)?"),
        ("dmy", rf"\b(?:{_WEEKDAYS},?\s+)?(?:the\s+)?(?P<d>[0-9]{{1,2}}){day_suffix}\s+"
                rf"(?:of\s+)?(?P<mon>{MONTHS})\b\.?(?:,?\s+(?P<y>{year})\b)?"),
        ("my", rf"\b(?:(?P<part>early|mid|late|the end of|the start of|the beginning of)"
               rf"[\s-]+)?(?P<mon>{MONTHS})\.?,?\s+(?:of\s+)?(?P<y>{year})\b"),
        ("ago", rf"\b(?P<n>{_NUMBER})\s+(?P<unit>day|week|month|year)s?\s+ago\b"),
        # "three days later", "two days prior"; not "three days after it closed", whose
        # day is the closure's, named after it.
        ("shift", rf"\b(?P<n>{_NUMBER})\s+(?P<unit>day|week)s?\s+(?P<dir>later|earlier"
                  r"|prior(?!\s+to\b)|(?:before|after)(?=\s*(?:[.,;:!?)]|$)))\b"),
        ("anchor", r"\b(?:(?P<same>that (?:same )?(?:day|morning|afternoon|evening|night)"
                   r"|the same day|later that day|earlier that day)"
                   r"|(?P<next>the (?:next|following) (?:day|morning|afternoon|evening))"
                   r"|(?P<prev>the (?:day|night) before|the previous (?:day|night|evening)))\b"),
        # Not "the cars of tomorrow".
        ("deictic", r"\b(?:(?P<today>today|this (?:morning|afternoon|evening)|tonight)"
                    r"|(?P<yesterday>yesterday|last night)"
                    r"|(?P<tomorrow>(?<!\bof\s+)tomorrow))\b"),
        ("weekday", rf"(?:(?<=\b(?P<cue>until|till|by)\s+))?"
                    rf"\b(?:(?P<dir>last|next|this|early|late)\s+)?(?P<wd>{_WEEKDAYS})\b"
                    r"(?:\s+(?:morning|afternoon|evening|night))?"),
        ("period", r"\b(?P<when>last|this|next|earlier this|later this|past)\s+"
                   r"(?P<unit>week|month|year)\b"),
        # A month or a year alone is a time only after a cue: a preposition (looked
        # behind, not quoted) or a modifier ("last June", "early 2026"); "May" and
        # "2,000" alone are not.
        ("month", rf"(?:\b(?P<dir>last|next|this|early|mid|late)[\s-]+"
                  rf"|(?<=\b(?P<cue>{_CUES})\s+))"
                  rf"(?P<mon>{MONTHS})\b(?:(?<={_ABBREVIATED})\.)?(?!\s*[0-9])"),
        ("year", rf"(?:\b(?:early|mid|late|the end of|the start of|the beginning of)[\s-]+"
                 rf"|(?<=\b{_CUES}\s+))(?P<y>{year})\b(?![-/.,]?[0-9])"),
    ]
    return [(name, regex.compile(pattern, i)) for name, pattern in forms]


def _count(word: str) -> int:
    word = word.casefold()
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _nearest_month(month: int, published: date) -> date:
    """The first day of ``month`` within six months either side of ``published``."""
    best = date(published.year, month, 1)
    for candidate in (date(published.year - 1, month, 1), date(published.year + 1, month, 1)):
        if abs((candidate - published).days) < abs((best - published).days):
            best = candidate
    return best


_Resolved = tuple[date, Precision, bool] | None


def _absolute(name: str, m: regex.Match[str], published: date | None, future: bool
              ) -> _Resolved:
    if name == "iso":
        return date(int(m["y"]), int(m["m"]), int(m["d"])), "day", False
    if name in ("mdy", "dmy"):
        month, day_number = month_number(m["mon"]), int(m["d"])
        if m["y"]:
            return date(int(m["y"]), month, day_number), "day", False
        if published is None:
            return None
        return _yearless(month, day_number, published, future), "day", True
    if name == "my":
        return date(int(m["y"]), month_number(m["mon"]), 1), "month", False
    if name == "year":
        return date(int(m["y"]), 1, 1), "year", False
    return None


def _yearless(month: int, day: int, published: date, future: bool) -> date:
    """"September 30" in an article: when the words before it speak of the future ("will
    be free until September 30"), the first one after GRACE days before the article's date
    (a run "from January 23" may have begun); else the one nearest the article's date (the
    earlier on a tie): "December 28" in an article of 3 January is last year's, "June 28"
    in one of April this year's. (Raises ValueError for "February 30".)"""
    options = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue  # 29 February of a common year
    if not options:
        raise ValueError("no such day")
    if future:
        ahead = [d for d in options if d >= published - GRACE]
        if ahead:
            return ahead[0]
    return min(options, key=lambda d: (abs((d - published).days), d))


def _capitalised(m: regex.Match[str]) -> bool:
    """Month and weekday names are written capitalised in English: a lowercase one is
    another word."""
    groups = m.groupdict()
    return all(groups.get(g) is None or groups[g][0].isupper() for g in ("mon", "wd"))


def _relative(name: str, m: regex.Match[str], published: date, future: bool,
              anchor: date | None) -> _Resolved:
    step = {"day": relativedelta(days=1), "week": relativedelta(weeks=1),
            "month": relativedelta(months=1), "year": relativedelta(years=1)}
    if name == "deictic":
        shift = 0 if m["today"] else -1 if m["yesterday"] else 1
        return published + timedelta(shift), "day", True
    if name == "weekday":
        wd = weekday(_WEEKDAY_NAMES.index(m["wd"].casefold()))
        direction = (m["dir"] or "").casefold()
        if direction == "next" or (direction != "last" and (future or m["cue"])):
            return published + relativedelta(days=1, weekday=wd(+1)), "day", True
        if direction == "last":
            return published + relativedelta(days=-1, weekday=wd(-1)), "day", True
        return published + relativedelta(weekday=wd(-1)), "day", True
    if name == "ago":
        unit = m["unit"].casefold()
        moved = published - _count(m["n"]) * step[unit]
        return _period_start(moved, unit), _precision(unit), True
    if name == "period":
        unit = m["unit"].casefold()
        when = m["when"].casefold()
        moved = published + {"last": -1, "past": -1, "next": 1}.get(when, 0) * step[unit]
        return _period_start(moved, unit), _precision(unit), True
    if name == "month":
        month = month_number(m["mon"])
        direction = (m["dir"] or "").casefold()
        if direction == "last":
            first = date(published.year - (month >= published.month), month, 1)
        elif direction == "next":
            first = date(published.year + (month <= published.month), month, 1)
        elif direction == "this":
            first = date(published.year, month, 1)
        elif (m["cue"] or "").casefold() == "since":  # "since January": the past one
            first = date(published.year - (month > published.month), month, 1)
        elif future or (m["cue"] or "").casefold() in ("until", "till", "by"):
            first = date(published.year + (month < published.month), month, 1)
        else:
            first = _nearest_month(month, published)
        return first, "month", True
    if anchor is None:
        return None  # "three days later", "that afternoon": no day named before them
    if name == "shift":
        n = _count(m["n"]) * (-1 if m["dir"].casefold() in ("earlier", "prior", "before")
                              else 1)
        return anchor + n * step[m["unit"].casefold()], "day", True
    if name == "anchor":
        shift = 0 if m["same"] else 1 if m["next"] else -1
        return anchor + timedelta(shift), "day", True
    return None


def _precision(unit: str) -> Precision:
    return "day" if unit == "day" else "week" if unit == "week" else (
        "month" if unit == "month" else "year")


def period_end(first: date, precision: str) -> date:
    """The last day of the period of ``precision`` that starts on ``first``."""
    if precision == "day":
        return first
    if precision == "week":
        return first + timedelta(6)
    if precision == "month":
        return first + relativedelta(months=1, days=-1)
    return date(first.year, 12, 31)


def _period_start(day: date, unit: str) -> date:
    if unit == "week":
        return day + relativedelta(weekday=MO(-1))
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return date(day.year, 1, 1)
    return day


@functools.cache
def _any_time() -> regex.Pattern[str]:
    """A word that every form holds: a sentence without one is skipped at once (most are)."""
    return regex.compile(
        rf"\b(?:{MONTHS}|{_WEEKDAYS}|today|tonight|yesterday|tomorrow|ago"
        r"|(?:week|month|year|day|morning|afternoon|evening|night)s?"
        r"|(?:1[5-9]|20)[0-9][0-9])\b", regex.IGNORECASE)


def time_mentions(text: str, published: date | None, start: int = 0, end: int | None = None,
                  sentences: Iterable[tuple[int, int]] | None = None) -> list[TimeMention]:
    """The time expressions of ``text[start:end]`` in order, each resolved (offsets index
    ``text``). Sentences (``sentences``, else ``text`` segmented) are read in order, so
    that "that afternoon" takes the day the narrative is on."""
    if sentences is None:
        end = len(text) if end is None else end
        sentences = ((s, e) for s, e, heading in segment_bounds(text, start, end)
                     if not heading)
    found: list[TimeMention] = []
    # The day the narrative is on, which "that afternoon" and "three days later" count
    # from: the first day named in the sentence so far, else the first day named in the
    # last sentence that named one. A sentence's first time is its own ("Later that
    # evening, X reported that he had resigned on March 3" is on the evening, not the 3rd).
    anchor: date | None = None
    any_time = _any_time()
    for s, e in sentences:
        sentence = text[s:e]
        if not any_time.search(sentence):
            continue
        own: date | None = None  # this sentence's first day
        taken: list[tuple[int, int, str, regex.Match[str]]] = []
        for name, pattern in _patterns():
            for m in pattern.finditer(sentence):
                if any(m.start() < b and a < m.end() for a, b, _, _ in taken):
                    continue
                if not _capitalised(m):
                    continue  # "this may not", "march on": a verb, not the month
                taken.append((m.start(), m.end(), name, m))
        taken.sort(key=lambda t: t[0])
        for a, b, name, m in taken:
            # The future is spoken of before the date: "will meet on Tuesday", not
            # "announced Friday that it will".
            future = bool(_FUTURE.search(sentence, 0, a))
            try:
                resolved = _absolute(name, m, published, future)
                if resolved is None and published is not None:
                    resolved = _relative(name, m, published, future, own or anchor)
            except (ValueError, OverflowError):
                continue  # "February 30", a day before year 1
            if resolved is None:
                continue
            day, precision, relative = resolved
            found.append(TimeMention(m.group(0), s + a, s + b, day, precision, relative,
                                     (s, e)))
            if precision == "day" and own is None:
                own = day
        if own is not None:
            anchor = own
    return found
