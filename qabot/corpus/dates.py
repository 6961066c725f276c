"""The resolved time mentions of a corpus (``text.eventdates``), as compact arrays.

Built with the index from the same sentences as the passages, saved in the index file and
checked on load, so a question or a timeline never parses a date again: narrowing by day
is a numpy mask over a few integers a mention.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np

from qabot.models import DatedMention, Document
from qabot.text.eventdates import PRECISIONS, TimeMention


class DateTable:
    """One row per time mention: document position, offsets, day (proleptic ordinal),
    precision (index into ``PRECISIONS``) and whether it was resolved relatively."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self._docs = list(docs)
        self.doc: Any = array("l")
        self.start: Any = array("q")
        self.end: Any = array("q")
        self.day: Any = array("l")
        self.precision: Any = array("b")
        self.relative: Any = array("b")
        self.sent_start: Any = array("q")  # the sentence each mention is in
        self.sent_end: Any = array("q")
        self._days: list[date] | None = None  # days(), made once (add() resets it)

    @classmethod
    def from_arrays(cls, docs: Sequence[Document], doc: Any, start: Any, end: Any, day: Any,
                    precision: Any, relative: Any, sent_start: Any, sent_end: Any
                    ) -> DateTable:
        table = cls(docs)
        table.doc, table.start, table.end = doc, start, end
        table.day, table.precision, table.relative = day, precision, relative
        table.sent_start, table.sent_end = sent_start, sent_end
        return table

    def add(self, position: int, mentions: Iterable[TimeMention]) -> None:
        """The mentions of the document at ``position``, in order."""
        self._days = None
        for m in mentions:
            self.doc.append(position)
            self.start.append(m.start)
            self.end.append(m.end)
            self.day.append(m.day.toordinal())
            self.precision.append(PRECISIONS.index(m.precision))
            self.relative.append(int(m.relative))
            self.sent_start.append(m.sentence[0])
            self.sent_end.append(m.sentence[1])

    def __len__(self) -> int:
        return len(self.doc)

    def arrays(self) -> dict[str, np.ndarray]:
        """The columns as numpy arrays, for saving."""
        return {"t_doc": np.asarray(self.doc, dtype=np.int32),
                "t_start": np.asarray(self.start, dtype=np.int64),
                "t_end": np.asarray(self.end, dtype=np.int64),
                "t_day": np.asarray(self.day, dtype=np.int32),
                "t_precision": np.asarray(self.precision, dtype=np.int8),
                "t_relative": np.asarray(self.relative, dtype=np.int8),
                "t_sent_start": np.asarray(self.sent_start, dtype=np.int64),
                "t_sent_end": np.asarray(self.sent_end, dtype=np.int64)}

    def days(self) -> list[date]:
        """Every distinct date the corpus knows, publication and event dates, sorted; made
        once (it took 11 ms at 10,000 files, and every question that names a time reads
        it)."""
        if self._days is None:
            known = {d.date for d in self._docs if d.date is not None}
            known |= {date.fromordinal(int(x))
                      for x in np.unique(np.asarray(self.day)).tolist()}
            self._days = sorted(known)
        return self._days

    def select(self, doc_positions: Sequence[int] | None = None, since: date | None = None,
               until: date | None = None,
               within: Sequence[tuple[int, int, int]] | None = None) -> list[DatedMention]:
        """The mentions of these documents (all when None) whose period meets
        [``since``, ``until``], and that start inside one of the ``within`` spans
        (document position, start, end) when given, in corpus order."""
        if not len(self):
            return []
        cols = self.arrays()
        keep = np.ones(len(self), dtype=bool)
        if doc_positions is not None:
            keep &= np.isin(cols["t_doc"], np.asarray(list(doc_positions), dtype=np.int32))
        if within is not None:
            inside = np.zeros(len(self), dtype=bool)
            candidates = np.flatnonzero(np.isin(cols["t_doc"], [d for d, _, _ in within]))
            docs, starts = cols["t_doc"][candidates], cols["t_start"][candidates]
            for d, s, e in within:
                inside[candidates[(docs == d) & (starts >= s) & (starts < e)]] = True
            keep &= inside
        if until is not None:
            keep &= cols["t_day"] <= until.toordinal()
        if since is not None:
            keep &= _period_end(cols["t_day"], cols["t_precision"]) >= since.toordinal()
        return [self._record(int(i), cols) for i in np.flatnonzero(keep).tolist()]

    def _record(self, i: int, cols: dict[str, np.ndarray]) -> DatedMention:
        doc = self._docs[int(cols["t_doc"][i])]
        start, end = int(cols["t_start"][i]), int(cols["t_end"][i])
        # Checked when built or loaded (store._dates): made without validating again, as
        # PassageTable makes its records (44,000 mentions validated took 1 s).
        return DatedMention.model_construct(
            doc_id=doc.id, start=start, end=end, text=doc.text[start:end],
            date=date.fromordinal(int(cols["t_day"][i])),
            precision=PRECISIONS[int(cols["t_precision"][i])],
            relative=bool(cols["t_relative"][i]),
            sentence_start=int(cols["t_sent_start"][i]), sentence_end=int(cols["t_sent_end"][i]))


_EPOCH = date(1970, 1, 1).toordinal()  # numpy's datetime64 counts days from here


def _period_end(day: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """The last day (ordinal) of each mention's period, with numpy's calendar: a month
    named meets a range that starts within it."""
    first = (day.astype(np.int64) - _EPOCH).astype("datetime64[D]")
    ends = [
        first,
        first + np.timedelta64(6, "D"),
        (first.astype("datetime64[M]") + 1).astype("datetime64[D]") - np.timedelta64(1, "D"),
        (first.astype("datetime64[Y]") + 1).astype("datetime64[D]") - np.timedelta64(1, "D"),
    ]
    last = np.select([precision == p for p in range(len(ends))],
                     [e.astype(np.int64) for e in ends])
    return last + _EPOCH
