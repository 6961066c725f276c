"""A story's timeline: the dated events about a query, oldest first, each the verbatim
sentence that dates it, cited; where two articles date the same event differently, both
entries say so.

The dates are the ones resolved when the index was built (``Retriever.mentions``), so a
timeline parses nothing. An event is about the query when its sentence lies in one of the
passages the query's search returns (the same ranking as ``search``) and holds one of the
query's terms; with no query every dated sentence is listed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection

from qabot.models import Citation, DatedMention, Timeline, TimelineEvent
from qabot.retrieval.retriever import Retriever

# Passages searched for the events of a query. Enough for a story told over tens of
# articles (news-dev's longest story has 4 articles of about 10 passages each); events
# outside them are not about the query.
POOL = 200
# Two sentences of different articles describe one event when this share of the smaller
# one's term weight (idf, from the index) is shared: chosen by reading the pairs it marks
# on the bundled articles and news-dev (docs/time.md); below it, unrelated sentences of one
# story (both about "Lin", "Alibaba") were marked.
SAME_EVENT = 0.35
# Dates further apart than this are two events, not one misdated: the articles that
# disagree on the bundled story differ by a day or two.
SAME_EVENT_DAYS = 7


def timeline(retriever: Retriever, query: str | None = None,
             doc_ids: Collection[str] | None = None, since: dt.date | None = None,
             until: dt.date | None = None) -> Timeline:
    """The dated events (of ``doc_ids``, all when None) about ``query`` whose period meets
    [``since``, ``until``], oldest first."""
    within = None
    if query is not None and query.strip():
        within = retriever.search(query, k=POOL, doc_ids=doc_ids)
    mentions = retriever.mentions(doc_ids, since, until, within)
    mentions.sort(key=lambda m: (m.date, _published(retriever, m.doc_id), m.doc_id, m.start))
    marks = _disagreements(retriever, mentions)
    keep = list(range(len(mentions)))
    if within is not None and query is not None:
        # About the query: its sentence holds one of the query's terms (a passage of 80
        # words holds other events too; found by a new-user trial), or it dates
        # differently an event such a sentence tells.
        asked = set(retriever.query_terms(query))
        said: dict[tuple[str, int], bool] = {}
        for m in mentions:
            key = (m.doc_id, m.sentence_start)
            if key not in said:
                text = retriever.document(m.doc_id).text[m.sentence_start : m.sentence_end]
                said[key] = bool(asked & set(retriever.query_terms(text)))
        about = {i for i, m in enumerate(mentions) if said[(m.doc_id, m.sentence_start)]}
        keep = [i for i in keep if i in about or any(j in about for j in marks.get(i, []))]
    place = {old: new for new, old in enumerate(keep)}
    events = [_event(retriever, mentions[i], [place[j] for j in marks.get(i, []) if j in place])
              for i in keep]
    return Timeline(query=query or None, since=since, until=until, events=events)


def _published(retriever: Retriever, doc_id: str) -> dt.date:
    return retriever.document(doc_id).date or dt.date.max


def _event(retriever: Retriever, m: DatedMention, disagrees: list[int]) -> TimelineEvent:
    doc = retriever.document(m.doc_id)
    cite = Citation.of(1, doc, m.sentence_start, m.sentence_end, 0.0)
    # Made from the index's checked rows: not validated again (44,000 events took 1 s).
    return TimelineEvent.model_construct(date=m.date, precision=m.precision, mention=m.text,
                                         quote=cite.quote, citation=cite,
                                         disagrees_with=disagrees)


def _disagreements(retriever: Retriever, rows: list[DatedMention]) -> dict[int, list[int]]:
    """For each day-precision event, the events of other articles that tell the same event
    (``SAME_EVENT``) on another day within ``SAME_EVENT_DAYS``."""
    n = max(retriever.passage_count, 1)
    weights: dict[int, tuple[dict[str, float], float]] = {}
    by_text: dict[str, tuple[dict[str, float], float]] = {}

    def weight(i: int) -> tuple[dict[str, float], float]:  # only for the rows compared
        if i not in weights:
            m = rows[i]
            text = retriever.document(m.doc_id).text
            words = (text[m.sentence_start : m.start] + " "  # the date's words left out
                     + text[m.end : m.sentence_end])
            if words not in by_text:  # one sentence copied into many files: weighed once
                w = {t: _idf(retriever.document_frequency(t), n)
                     for t in retriever.query_terms(words)}
                by_text[words] = (w, sum(w.values()))
            weights[i] = by_text[words]
        return weights[i]

    marks: dict[int, list[int]] = {}
    days = [m.precision == "day" for m in rows]
    for i, a in enumerate(rows):
        if not days[i]:
            continue
        for j in range(i + 1, len(rows)):
            b = rows[j]
            if (b.date - a.date).days > SAME_EVENT_DAYS:
                break  # rows are in date order
            if not days[j] or a.doc_id == b.doc_id or a.date == b.date:
                continue
            (wa, ta), (wb, tb) = weight(i), weight(j)
            smaller = min(ta, tb)
            if smaller and sum(wa[t] for t in wa.keys() & wb.keys()) >= SAME_EVENT * smaller:
                marks.setdefault(i, []).append(j)
                marks.setdefault(j, []).append(i)
    return marks


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
