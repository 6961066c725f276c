"""Compose the public ``Answer``: the chosen sentences verbatim, each cited exactly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import regex

from qabot.answering.candidates import Candidate
from qabot.answering.decide import Decision
from qabot.answering.query import Query
from qabot.models import Answer, Citation, DatedMention, Document, Hit
from qabot.text.timeref import day_references, human_date, human_period

NOT_IN_ARTICLES = "The articles don't say."
NO_CONTENT = ("The question has no words to look for (only common words like 'what' or 'it'); "
              "please ask about something specific.")
EMPTY = "Please ask a question."


def no_article_between(since: date | None, until: date | None) -> str:
    """The abstention when no article was published in the range asked for."""
    def say(d: date | None) -> str:
        return human_date(d) if d else "…"
    return (f"No article is dated between {say(since)} and {say(until)}; undated articles "
            "are left out of a date range.")


def answer(query: Query, decision: Decision, candidates: Sequence[Candidate],
           probs: np.ndarray, hits: Sequence[Hit], related: int,
           mentions: Sequence[DatedMention] = (),
           term: Callable[[str], str | None] = lambda _: None,
           scope_note: str | None = None) -> Answer:
    """The answer for ``decision``: the chosen candidates, the best-scoring first (on a
    tie the older article), or an abstention with the closest passages as related
    reading. A "when" answer leads with the first date its best
    sentence gives (``mentions``: the resolved time mentions of the chosen articles)."""
    if not decision.answered:
        return abstain(query.question, query.text, hits[:related], NOT_IN_ARTICLES,
                       decision.confidence)
    # The same words in two files (a licence copied into many packages) are said once,
    # cited from the better candidate (found by a new-user trial).
    picked: list[int] = []
    said: set[str] = set()
    for i in decision.chosen:
        c = candidates[i]
        words = " ".join(c.text.split())
        # Said once: the same words, or a span inside one already chosen (the two parts
        # of a question may choose the same sentence, or one a run holding the other).
        inside = any(candidates[j].doc.id == c.doc.id and candidates[j].start <= c.start
                     and c.end <= candidates[j].end for j in picked)
        if words not in said and not inside:
            said.add(words)
            picked.append(i)
    chosen = [candidates[i] for i in picked]
    scores = [float(probs[i]) for i in picked]
    # The best-scoring first (issue 28: an undated article's weaker sentence was put
    # before the one that answered); on a tie, the older article, undated ones last.
    order = sorted(range(len(chosen)), key=lambda i: (
        -round(scores[i], 4), chosen[i].doc.date is None, str(chosen[i].doc.date or ""),
        chosen[i].doc.id, chosen[i].start))
    chosen = [chosen[i] for i in order]
    scores = [scores[i] for i in order]
    citations = [Citation.of(n, c.doc, c.start, c.end, s)
                 for n, (c, s) in enumerate(zip(chosen, scores, strict=True), start=1)]
    if query.about_article:
        text = _article_date(chosen[0].doc)
    else:
        text = " ".join(f"{c.text} [{n}]" for n, c in enumerate(chosen, start=1))
        lead = _lead_date(query, chosen, scores, mentions, term) if query.kind == "when" else None
        if lead:
            text = f"{lead}: {text}"
    return Answer(
        question=query.question, interpreted_as=query.text, answer=text, abstained=False,
        confidence=round(decision.confidence, 3), citations=citations,
        notes=[*([scope_note] if scope_note else []),
               *date_notes(chosen, citations, query.kind == "when")],
    )


def _lead_date(query: Query, chosen: Sequence[Candidate], scores: Sequence[float],
               mentions: Sequence[DatedMention], term: Callable[[str], str | None]
               ) -> str | None:
    """The date a "when" answer leads with, as resolved in the index ("4 Mar 2026"): in
    the best-scored candidate, the sentence that shares most of the question's terms among
    those that name a time, and in it the time mention nearest a word of the question ("on
    March 3" in "reported that evening that he had resigned on March 3"); None when no
    sentence names a time. ``term``: a word's index term (the analyzer's)."""
    best = chosen[max(range(len(chosen)), key=lambda i: scores[i])]
    asked = set(query.search)
    dated = []
    for rank, sentence in enumerate(best.sentences):
        inside = [m for m in mentions if m.doc_id == best.doc.id
                  and sentence.start <= m.start and m.end <= sentence.end]
        if inside:
            dated.append((-len(asked & sentence.terms), rank, sentence, inside))
    if not dated:
        return None
    _, _, sentence, inside = min(dated, key=lambda d: d[:2])
    text = best.doc.text
    places = [w.span() for w in _WORD.finditer(text, sentence.start, sentence.end)
              if term(w.group(0)) in asked]  # offsets in the text (finditer's pos kept)

    def distance(m: DatedMention) -> int:  # characters between the word and the date
        return min((m.start - e if e <= m.start else s - m.end for s, e in places),
                   default=0)

    first = min(inside, key=lambda m: (distance(m), m.start))
    said = human_period(first.date, first.precision)
    # A date resolved from words ("next Friday", "that day") shows them: the reader can
    # see where it came from and check it.
    return f"{said} (“{first.text}”)" if first.relative else said


_WORD = regex.compile(r"\w+(?:['’]\w+)*")


def dated_answer(question: str, interpreted: str,
                 items: Sequence[tuple[Document, int, int, date, str, str | None]],
                 note: str) -> Answer:
    """An answer read from the dates, not scored (a question that asks only what happened
    at a time, or which article is the newest): each item (document, start, end, date,
    precision, the words that dated it when it was resolved from them) is a sentence, led
    by its date, cited; ``note`` says how they were chosen."""
    citations = [Citation.of(n, doc, start, end, 1.0)
                 for n, (doc, start, end, *_) in enumerate(items, start=1)]
    parts = []
    for c, (_, _, _, day, precision, words) in zip(citations, items, strict=True):
        lead = human_period(day, precision) + (f" (“{words}”)" if words else "")
        parts.append(f"{lead}: {c.quote} [{c.n}]")
    return Answer(question=question, interpreted_as=interpreted, answer=" ".join(parts),
                  abstained=False, confidence=1.0, citations=citations, notes=[note])


def abstain(question: str, interpreted: str, related: Sequence[Hit], message: str,
            confidence: float = 0.0) -> Answer:
    """No answer: ``message`` says why; ``confidence`` is the (low) probability the best
    candidate had of being right."""
    if related and message == NOT_IN_ARTICLES:
        message += " The closest passages are listed as related, not as an answer."
    return Answer(
        question=question, interpreted_as=interpreted, answer=message, abstained=True,
        confidence=round(confidence, 3), citations=[], related=list(related),
    )


def _article_date(doc: Document) -> str:
    if doc.date is None:
        return f"The article “{doc.title}” ({doc.source}) carries no publication date [1]."
    return (f"The article “{doc.title}” ({doc.source}) was published on "
            f"{human_date(doc.date)} ({doc.date.isoformat()}) [1].")


def date_notes(chosen: Sequence[Candidate], citations: Sequence[Citation],
               when: bool) -> list[str]:
    """Relative days ("this morning") resolved against the article's date; and, for a
    "when" question, a warning when the articles cited give no day in common."""
    notes: list[str] = []
    days: dict[str, list[tuple[int, set[date]]]] = {}
    for cand, cite in zip(chosen, citations, strict=True):
        published = cand.doc.date
        refs = day_references(cand.text, published)
        for ref in refs:
            if ref.relative and published is not None:
                note = (f"[{cite.n}] “{ref.text}” = {human_date(ref.day)} "
                        f"(the article is dated {human_date(published)}).")
                if note not in notes:  # "today" twice in one quote is one note
                    notes.append(note)
        if refs:
            days.setdefault(cand.doc.id, []).append((cite.n, {r.day for r in refs}))
    if when and len(days) > 1:
        per_doc = [set().union(*(d for _, d in entries)) for entries in days.values()]
        if not set.intersection(*per_doc):
            sides = "; ".join(
                ", ".join(sorted(human_date(d) for d in found)) + f" [{n}]"
                for entries in days.values() for n, found in entries
            )
            notes.append(f"The articles give different dates: {sides}. "
                         "They may be about different events; check the quotes.")
    return notes
