"""Answer-type cues in a sentence: dates, numbers, money, names, places, quotations,
reasons, negation. Read once per sentence (they do not depend on the question); whether a
cue is new to the question is judged later, against the question's words."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from qabot.text.analysis import normalize, surface_words
from qabot.text.entities import name_runs
from qabot.text.lexicon import (
    CURRENCIES,
    MONTH_NAMES,
    NEGATIONS,
    NUMBER_WORDS,
    PLACE_PREPOSITIONS,
    REASON_CONNECTIVES,
    TIME_DEICTICS,
    WEEKDAYS,
)

_MONTH = ("|".join(m.capitalize() for m in MONTH_NAMES)
          + "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec")
_DATE = regex.compile(
    rf"\b(?:{_MONTH})\b|\b(?:1[0-9]|20)\d\ds?\b|\b\d{{1,2}}(?:st|nd|rd|th) century\b"
    rf"|(?i:\b(?:{'|'.join(sorted(WEEKDAYS | TIME_DEICTICS))})\b)"
)
_MONEY = regex.compile(
    rf"[$€£¥]\s?\d|(?i:\b\d[\d,.]*\s*(?:(?:thousand|million|billion|trillion|bn|m)\s+)?"
    rf"(?:{'|'.join(sorted(CURRENCIES))})\b)"
)
_REASON = regex.compile(
    rf"(?i:\b(?:{'|'.join(regex.escape(c) for c in REASON_CONNECTIVES)})\b)"
)
_QUOTE = regex.compile(r"[“”\"«»]")
_PLACE = regex.compile(
    rf"(?i:\b(?:{'|'.join(sorted(PLACE_PREPOSITIONS))})\s+(?:the\s+)?)(\p{{Lu}}[\p{{L}}’'-]+)"
)

Words = frozenset[str]


def _words(text: str) -> Words:
    return frozenset(normalize(w) for _, _, w in surface_words(text))


@dataclass(frozen=True, slots=True)
class Cues:
    """What one sentence holds, each match as its normalised words."""

    words: Words  # every word, normalised
    numbers: Words  # words with digits, and number words
    capitalised: tuple[str, ...]  # capitalised words after the first, normalised
    dates: tuple[Words, ...]
    persons: tuple[Words, ...]  # runs of two or more capitalised words
    places: tuple[Words, ...]  # the capitalised word after a preposition of place
    money: bool
    quote: bool
    reason: bool
    negated: bool


def read_cues(text: str) -> Cues:
    words = surface_words(text)
    folded = [normalize(w) for _, _, w in words]
    return Cues(
        words=frozenset(folded),
        numbers=frozenset(w for w in folded
                          if w in NUMBER_WORDS or any(c.isdigit() for c in w)),
        capitalised=tuple(f for (_, _, w), f in zip(words[1:], folded[1:], strict=True)
                          if w[0].isupper()),
        dates=tuple(_words(m.group(0)) for m in _DATE.finditer(text)),
        persons=tuple(_words(run) for _, _, run in name_runs(text) if len(run.split()) > 1),
        places=tuple(_words(m.group(1)) for m in _PLACE.finditer(text)),
        money=bool(_MONEY.search(text)),
        quote=bool(_QUOTE.search(text)),
        reason=bool(_REASON.search(text)),
        negated=negated(folded),
    )


def negated(words: frozenset[str] | set[str] | list[str]) -> bool:
    """Whether normalised words hold a negator ("not", "never", "didn't")."""
    return any(w in NEGATIONS or w.endswith("n't") for w in words)


def novel(matches: tuple[Words, ...], asked: frozenset[str]) -> bool:
    """Whether some match has a word the question does not."""
    return any(not m <= asked for m in matches)


def number(numbers: Words, asked: frozenset[str]) -> bool:
    """A number (digits or a number word) that the question does not have."""
    return not numbers <= asked
