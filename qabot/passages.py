"""Cut documents into passages: overlapping runs of whole sentences within one section."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

from pydantic import BaseModel, ConfigDict, Field

from qabot.models import Document, Passage, Span
from qabot.segment import heading_title, segment


class PassageConfig(BaseModel):
    """How passages are cut. Chosen by measuring the gold set (see README, "Tuning")."""

    model_config = ConfigDict(frozen=True)

    max_words: int = Field(default=80, ge=1, description="Word budget of one passage.")
    overlap: int = Field(default=1, ge=0, description="Sentences shared with the next passage.")


def _words(span: Span) -> int:
    return len(span.text.split())


def _windows(sentences: list[Span], config: PassageConfig) -> Iterator[list[Span]]:
    """Greedy runs of sentences within the word budget, each run at least one sentence."""
    i = 0
    n = len(sentences)
    while i < n:
        j = i
        words = 0
        while j < n and (j == i or words + _words(sentences[j]) <= config.max_words):
            words += _words(sentences[j])
            j += 1
        yield sentences[i:j]
        if j >= n:
            return
        i = max(i + 1, j - config.overlap)


def _sections(spans: list[Span]) -> Iterator[tuple[str | None, list[Span]]]:
    section: str | None = None
    run: list[Span] = []
    for span in spans:
        if span.heading:
            if run:
                yield section, run
            section, run = heading_title(span.text), []
        else:
            run.append(span)
    if run:
        yield section, run


def document_passages(doc: Document, config: PassageConfig, first_index: int = 0) -> list[Passage]:
    """The passages of one document, numbered from ``first_index`` in corpus order."""
    spans = segment(doc.text, doc.body_start, doc.body_end)
    out: list[Passage] = []
    for section, sentences in _sections(spans):
        for window in _windows(sentences, config):
            start, end = window[0].start, window[-1].end
            out.append(
                Passage.model_construct(
                    id=f"{doc.id}#{len(out)}",
                    doc_id=doc.id,
                    index=first_index + len(out),
                    section=section,
                    text=doc.text[start:end],
                    start=start,
                    end=end,
                    sentences=tuple(window),
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
        d = self._doc_pos[passage.doc_id]
        self._first.setdefault(d, len(self.doc))
        self.doc.append(d)
        if passage.section is None:
            self.section.append(-1)
        else:
            pos = self._section_pos.get(passage.section)
            if pos is None:
                pos = self._section_pos[passage.section] = len(self.sections)
                self.sections.append(passage.section)
            self.section.append(pos)
        for span in passage.sentences:
            self.sent_start.append(span.start)
            self.sent_end.append(span.end)
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

    def __iter__(self) -> Iterator[Passage]:
        for i in range(len(self)):
            yield self[i]

    def position(self, passage_id: str) -> int:
        """The position of passage ``doc#n``."""
        doc_id, _, number = passage_id.rpartition("#")
        first = self._first[self._doc_pos[doc_id]]
        pos = first + int(number)
        if pos >= len(self) or self._docs[int(self.doc[pos])].id != doc_id:
            raise KeyError(passage_id)
        return pos
