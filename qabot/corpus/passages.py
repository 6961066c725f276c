"""Cut documents into passages: overlapping runs of whole sentences within one section."""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any, overload

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from qabot.models import Document, Passage, Span
from qabot.text.segment import heading_title, segment_units


class PassageConfig(BaseModel):
    """How passages are cut (see docs/architecture.md, "Settings and where they came from").

    80 words with one sentence of overlap was chosen on the gold set by an earlier version
    of qabot, before the answer model; it has not yet been re-measured on public data. The
    answer model was fitted with it, so changing it means refitting."""

    model_config = ConfigDict(frozen=True)

    max_words: int = Field(default=80, ge=1, description="Word budget of one passage.")
    overlap: int = Field(default=1, ge=0, description="Sentences shared with the next passage.")
    max_chars: int = Field(
        default=4000, ge=1, description="Character budget of one passage: bounds what a hit "
        "carries when words are long (80 words of prose are about 500 characters, so it "
        "binds only on text without spaces; a sentence is at most 2,000, "
        "segment.MAX_SENTENCE_CHARS).")


Bounds = tuple[int, int]


def _windows(sentences: list[Bounds], words: list[int], config: PassageConfig
             ) -> Iterator[list[Bounds]]:
    """Greedy runs of sentences within the word and character budgets, each run at least
    one sentence."""
    i = 0
    n = len(sentences)
    while i < n:
        j = i
        total = 0
        while j < n and (j == i or (
                total + words[j] <= config.max_words
                and sentences[j][1] - sentences[i][0] <= config.max_chars)):
            total += words[j]
            j += 1
        yield sentences[i:j]
        if j >= n:
            return
        i = max(i + 1, j - config.overlap)


def document_windows(doc: Document, config: PassageConfig
                     ) -> Iterator[tuple[str | None, list[Bounds]]]:
    """(section, sentence bounds) of each passage of ``doc``, in order: the cutting rule,
    shared by the records of ``document_passages`` and the arrays of ``PassageTable``."""
    text = doc.text
    section: str | None = None
    run: list[Bounds] = []
    for s, e, kind in [*segment_units(text, doc.body_start, doc.body_end), (0, 0, "heading")]:
        if kind == "text":
            run.append((s, e))
            continue
        if run:
            words = [len(text[a:b].split()) for a, b in run]
            for window in _windows(run, words, config):
                yield section, window
            run = []
        if kind == "field":  # a "Name: value" field is a record: a passage of its own
            yield section, [(s, e)]
        elif e > s:
            section = heading_title(text[s:e])


def document_passages(doc: Document, config: PassageConfig, first_index: int = 0) -> list[Passage]:
    """The passages of one document, numbered from ``first_index`` in corpus order."""
    out: list[Passage] = []
    text = doc.text
    for section, window in document_windows(doc, config):
        start, end = window[0][0], window[-1][1]
        out.append(
            Passage.model_construct(
                id=f"{doc.id}#{len(out)}",
                doc_id=doc.id,
                index=first_index + len(out),
                section=section,
                text=text[start:end],
                start=start,
                end=end,
                sentences=tuple(Span.model_construct(start=a, end=b, text=text[a:b],
                                                     heading=False) for a, b in window),
            )
        )
    return out


def build_passages(docs: Iterable[Document], config: PassageConfig | None = None) -> list[Passage]:
    """All passages of all documents, in corpus order."""
    config = config or PassageConfig()
    out: list[Passage] = []
    for doc in docs:
        out.extend(document_passages(doc, config, first_index=len(out)))
    return out


class PassageTable(Sequence[Passage]):
    """All passages of a corpus as compact arrays; ``Passage`` records are made on access.

    A million passages as pydantic records (each with a copy of its text and its sentence
    spans) take gigabytes; here they take a few integers each. Passages of one document are
    contiguous and in order, so an id ``doc#n`` is the document's first position plus n.
    """

    def __init__(self, docs: Sequence[Document]) -> None:
        self._docs = list(docs)
        self._doc_pos = {d.id: i for i, d in enumerate(self._docs)}
        # Python arrays while building (append), numpy arrays when loaded from the cache.
        self.doc: Any = array("l")  # document position of each passage
        self.section: Any = array("l")  # section number, -1 for none
        self.sent_ptr: Any = array("q", [0])  # sentences of i: sent_ptr[i]:sent_ptr[i+1]
        self.sent_start: Any = array("q")
        self.sent_end: Any = array("q")
        self.sections: list[str] = []
        self._section_pos: dict[str, int] = {}
        self._first: dict[int, int] = {}  # document position -> its first passage

    @classmethod
    def from_arrays(cls, docs: Sequence[Document], doc: Any, section: Any, sections: list[str],
                    sent_ptr: Any, sent_start: Any, sent_end: Any) -> PassageTable:
        table = cls(docs)
        table.doc, table.section, table.sections = doc, section, sections
        table.sent_ptr, table.sent_start, table.sent_end = sent_ptr, sent_start, sent_end
        table._section_pos = {s: i for i, s in enumerate(sections)}
        for i, d in enumerate(doc.tolist()):
            table._first.setdefault(d, i)
        return table

    def append(self, passage: Passage) -> None:
        self.add(passage.doc_id, passage.section, [(s.start, s.end) for s in passage.sentences])

    def add(self, doc_id: str, section: str | None, sentences: list[tuple[int, int]]) -> None:
        """Append one passage given as its sentences' bounds."""
        d = self._doc_pos[doc_id]
        self._first.setdefault(d, len(self.doc))
        self.doc.append(d)
        if section is None:
            self.section.append(-1)
        else:
            pos = self._section_pos.get(section)
            if pos is None:
                pos = self._section_pos[section] = len(self.sections)
                self.sections.append(section)
            self.section.append(pos)
        for start, end in sentences:
            self.sent_start.append(start)
            self.sent_end.append(end)
        self.sent_ptr.append(len(self.sent_start))

    def __len__(self) -> int:
        return len(self.doc)

    @overload
    def __getitem__(self, i: int) -> Passage: ...

    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...

    def __getitem__(self, i: int | slice) -> Passage | list[Passage]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        d = int(self.doc[i])
        doc = self._docs[d]
        lo, hi = int(self.sent_ptr[i]), int(self.sent_ptr[i + 1])
        spans = tuple(
            Span.model_construct(start=s, end=e, text=doc.text[s:e], heading=False)
            for s, e in zip(self.sent_start[lo:hi].tolist(), self.sent_end[lo:hi].tolist(),
                            strict=True)
        )
        start, end = spans[0].start, spans[-1].end
        sec = int(self.section[i])
        return Passage.model_construct(
            id=f"{doc.id}#{i - self._first[d]}", doc_id=doc.id, index=i,
            section=self.sections[sec] if sec >= 0 else None, text=doc.text[start:end],
            start=start, end=end, sentences=spans,
        )

    def bounds(self, i: int) -> tuple[str, str, str | None, int, int]:
        """(doc_id, passage id, section, start, end) of passage ``i``, without its sentences."""
        d = int(self.doc[i])
        doc_id = self._docs[d].id
        sec = int(self.section[i])
        start = int(self.sent_start[int(self.sent_ptr[i])])
        end = int(self.sent_end[int(self.sent_ptr[i + 1]) - 1])
        return (doc_id, f"{doc_id}#{i - self._first[d]}",
                self.sections[sec] if sec >= 0 else None, start, end)

    def __iter__(self) -> Iterator[Passage]:
        for i in range(len(self)):
            yield self[i]

    def _doc_array(self) -> np.ndarray:
        """The document position of every passage, as numpy (a view while building)."""
        if not len(self.doc):
            return np.zeros(0, np.int64)
        if isinstance(self.doc, array):
            return np.frombuffer(self.doc, dtype=np.int64)
        return np.asarray(self.doc)

    def positions(self, doc_ids: Collection[str]) -> list[int]:
        """Positions of the passages of these documents, in corpus order."""
        wanted = [self._doc_pos[d] for d in doc_ids if d in self._doc_pos]
        if not wanted or not len(self):
            return []
        found: list[int] = np.flatnonzero(np.isin(self._doc_array(), wanted)).tolist()
        return found

    def counts(self) -> dict[str, int]:
        """Passages per document id (documents without passages are left out)."""
        if not len(self):
            return {}
        per_doc = np.bincount(self._doc_array().astype(np.int64), minlength=len(self._docs))
        return {d.id: int(c) for d, c in zip(self._docs, per_doc.tolist(), strict=True) if c}

    def position(self, passage_id: str) -> int:
        """The position of passage ``doc#n``."""
        doc_id, _, number = passage_id.rpartition("#")
        first = self._first[self._doc_pos[doc_id]]
        pos = first + int(number)
        if pos >= len(self) or self._docs[int(self.doc[pos])].id != doc_id:
            raise KeyError(passage_id)
        return pos
