"""Which articles a question about a time is read in first: those that date an event on
the day it names ("What did GM announce on May 27, 2009?": a sentence resolved to that day,
or an article published on it), or, for "the latest"/"the earliest" report, the newest or
oldest dated article among those the question's search finds. The bot reads this scope
first and the whole folder when it gives nothing sure enough, as it does for a follow-up's
articles (answering/followup.py). The dates are the index's (``Retriever.mentions``)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from qabot.answering.query import Query
from qabot.models import Hit
from qabot.retrieval.retriever import Retriever
from qabot.text.timeref import human_date

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
               search: Callable[[Query, int, Collection[str] | None], Sequence[Hit]]
               ) -> TimeScope | None:
    """The articles to read first for ``query`` (ids in corpus order); None when the
    question names no day and asks for no latest or earliest report (or none is dated)."""
    if query.days:
        first, last = min(query.days), max(query.days)
        named = {m.doc_id for m in retriever.mentions(doc_ids, first, last)
                 if m.precision == "day" and m.date in query.days}
        named |= {d.id for d in retriever.documents(doc_ids, first, last)
                  if d.date in query.days}
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
                f"“{chosen.title}” ({human_date(chosen.date.isoformat())}, {chosen.source}).")
        return TimeScope([chosen.id], note)
    return None
