"""Which articles a question about a time is read in first: those that date an event on
the day it names ("What did GM announce on May 27, 2009?": a sentence resolved to that day,
or an article published on it), or, for "the latest"/"the earliest" report, the newest or
oldest dated article among those the question's search finds. The bot reads this scope
first and the whole folder when it gives nothing sure enough, as it does for a follow-up's
articles (answering/followup.py). The dates are the index's (``Retriever.mentions``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import regex

from qabot.answering.query import Query
from qabot.models import Hit
from qabot.retrieval.retriever import Retriever
from qabot.text.eventdates import period_end, time_mentions
from qabot.text.lexicon import MONTHS
from qabot.text.timeref import human_date, human_period, month_number

# The passages whose articles are "the reports on" a latest/earliest question's topic: the
# answerer's own default pool (AnswerConfig.passages).
TOPIC_PASSAGES = 10


@dataclass(frozen=True)
class TimeScope:
    """The articles to read first, and what an answer from them should say of the choice
    (for "the latest report": which article is the newest, with its date)."""

    doc_ids: list[str]
    note: str | None = None  # said when the answer cites doc_ids[0]


def time_scope(retriever: Retriever, query: Query, doc_ids: Collection[str] | None,
               search: Callable[[Query, int, Collection[str] | None], Sequence[Hit]],
               period: Period | None) -> TimeScope | None:
    """The articles to read first for ``query`` (ids in corpus order); None when the
    question names no day and asks for no latest or earliest report (or none is dated).
    ``period``: the time the question names (``asked_period``), read once by the bot."""
    # A year beside a topic is no scope: the articles that name a year are many and often
    # not about the event (SQuAD validation: 1.1 0.833 -> 0.829 with years scoped).
    if period is not None and period.precision != "year":
        named = {m.doc_id for m in retriever.mentions(doc_ids, period.since, period.until)
                 if period.since <= m.date <= period.until}
        named |= {d.id for d in retriever.documents(doc_ids, period.since, period.until)}
        ids = [d.id for d in retriever.documents(named)]
        return TimeScope(ids) if ids else None
    if query.recency:
        found = list(dict.fromkeys(h.doc_id for h in search(query, TOPIC_PASSAGES, doc_ids)))
        dated = [d for d in retriever.documents(found) if d.date is not None]
        if len(dated) < 2:
            return None
        pick = max if query.recency > 0 else min
        chosen = pick(dated, key=lambda d: (d.date, -found.index(d.id)))
        which = "newest" if query.recency > 0 else "oldest"
        assert chosen.date is not None
        note = (f"Of the {len(dated)} dated articles found on this, the {which} is "
                f"“{chosen.title}” ({human_date(chosen.date)}, {chosen.source}).")
        return TimeScope([chosen.id], note)
    return None


@dataclass(frozen=True)
class Period:
    """A time a question asks about: [since, until], and how a reader says it."""

    since: dt.date
    until: dt.date
    label: str
    words: str  # the question's words that name it
    precision: str = "day"  # of the time named: day, week, month or year


def asked_period(text: str, dates: Sequence[dt.date]) -> Period | None:
    """The day, month or year ``text`` asks about ("on 22 March 2026", "in April 2026",
    "in 2008", "before March 10, 2026"); one without a year ("in April", "on March 2") is
    the latest such the corpus's ``dates`` (publication and event dates) hold. Month names
    may be typed in lower case. None when it names no time."""
    text = _MONTH_WORD.sub(lambda m: m.group(0).capitalize(), text)  # "in april"
    found = [m for m in time_mentions(text, None, sentences=[(0, len(text))])
             if not m.relative]
    if found:
        start, end = found[0].start, found[0].end
        first, precision = found[0].day, str(found[0].precision)
    else:
        guessed = _yearless(text, dates)
        if guessed is None:
            return None
        start, end, first, precision = guessed
    since, until = first, period_end(first, precision)
    label = human_period(first, precision)
    cue = _CUE.search(text, 0, start)
    if cue is not None:  # "before 2008": the time before it, not 2008
        word = cue.group(1).casefold()
        if word == "before":
            since, until, label = dt.date.min, since - dt.timedelta(1), f"before {label}"
        elif word in ("after", "since"):
            since, until, label = until + dt.timedelta(word == "after"), dt.date.max, (
                f"{word} {label}")
        else:  # by, until
            since, until, label = dt.date.min, until, f"until {label}"
    else:
        label = f"on {label}" if precision == "day" else f"in {label}"
    return Period(since, until, label, text[cue.start() if cue else start : end], precision)


def _yearless(text: str, dates: Sequence[dt.date]
              ) -> tuple[int, int, dt.date, str] | None:
    """(start, end, first day, precision) of a day or month named without a year ("on
    March 2", "in April"), in the latest year the corpus's ``dates`` have it."""
    m = _YEARLESS_DAY.search(text)
    if m is not None:
        month = month_number(m.group("mon") or m.group("mon2"))
        day = int(m.group("d") or m.group("d2"))
        years = sorted({d.year for d in dates if (d.month, d.day) == (month, day)}
                       or {d.year for d in dates if d.month == month})
        if years:
            try:
                return m.start(), m.end(), dt.date(years[-1], month, day), "day"
            except ValueError:
                return None  # "February 30"
    bare = _BARE_MONTH.search(text)
    if bare is None:
        return None
    month = month_number(bare.group(1))
    years = sorted({d.year for d in dates if d.month == month})
    if not years:
        return None
    return bare.start(1), bare.end(1), dt.date(years[-1], month, 1), "month"


_MONTH_WORD = regex.compile(
    r"(?<=\b(?:in|on|during|of|since|before|after|until|till|by)\s+(?:[0-9]{1,2}\s+)?)"
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december)\b")
_YEARLESS_DAY = regex.compile(
    rf"\b(?P<mon>{MONTHS})\.?\s+(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s*[0-9]{{4}})"
    rf"|\b(?P<d2>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>{MONTHS})\b"
    rf"(?!,?\s*[0-9]{{4}})", regex.IGNORECASE)


# A constraint word right before the time: the period is on one side of it.
_CUE = regex.compile(r"\b(before|after|since|until|till|by)\s+(?:the\s+)?$", regex.IGNORECASE)
_BARE_MONTH = regex.compile(
    rf"\b(?:in|during|of|before|after|since|until|till|by)\s+({MONTHS})\b\.?(?!\s*[0-9])",
    regex.IGNORECASE)


def asks_only_time(question_terms: Collection[str], time_terms: Collection[str],
                   event_terms: Collection[str]) -> bool:
    """Whether a question names nothing but a time and the fact of events ("what happened
    in April?"): every term of it is a term of its time expressions or an event word."""
    return bool(question_terms) and all(t in time_terms or t in event_terms
                                        for t in question_terms)
