"""Typed records passed between the pipeline stages (corpus -> ... -> answer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field


def line_number(text: str, pos: int) -> int:
    """The line (from 1) of ``text`` that offset ``pos`` is on."""
    return text.count("\n", 0, pos) + 1


def overlaps(doc_id: str, start: int, end: int, spans: Iterable[tuple[str, int, int]]) -> bool:
    """Whether ``doc_id[start:end]`` shares a character with any ``(doc_id, start, end)``
    of ``spans``: a citation against evidence, or a candidate against what was cited."""
    return any(d == doc_id and start < e and s < end for d, s, e in spans)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Document(_Frozen):
    """One article. Offsets index ``text``, the file as read with UTF-8 and ``newline=''``."""

    id: str
    title: str
    date: dt.date | None = None
    ref: int | None = Field(
        default=None, description="The integer on line 2 of the header; meaning unknown."
    )
    url: str | None = None
    titled: bool = Field(default=False, description="The title came with the document.")
    source: str = Field(description="Path relative to the corpus root (or the .jsonl file name).")
    body_start: int
    body_end: int
    text: str = Field(repr=False)

    @property
    def body(self) -> str:
        return self.text[self.body_start : self.body_end]

    def line_at(self, pos: int) -> int | None:
        """The file's line number (from 1) at offset ``pos``; None for a .jsonl record,
        whose offsets index a field, not the file."""
        if self.source.endswith(f"#{self.id}"):
            return None
        return line_number(self.text, pos)


class Span(_Frozen):
    """A sentence or heading: ``doc.text[start:end] == text``."""

    start: int
    end: int
    text: str
    heading: bool = False


class Passage(_Frozen):
    """A run of whole sentences from one section of one document."""

    id: str
    doc_id: str
    index: int = Field(description="Position of the passage in corpus order.")
    section: str | None = None
    text: str
    start: int
    end: int
    sentences: tuple[Span, ...]


class Corpus(_Frozen):
    """The loaded documents plus the one-line warnings about files that were skipped."""

    root: str
    documents: tuple[Document, ...]
    warnings: tuple[str, ...] = ()
    origin: str = Field(default="", description="The path it was loaded from, resolved: the "
                        "cache's name for this corpus, so a superseded index is removed.")
    # Kept here, not on each Document: an eleventh field doubled every Document's dict
    # (CPython sizes dicts in powers of two) and cost 200 MiB at 1M documents.
    digests: dict[str, str] = Field(default_factory=dict, repr=False, description="Document "
                                    "id -> hash of its file's bytes, for folders: the index's "
                                    "fingerprint uses it rather than hashing each text again.")

    def get(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise KeyError(doc_id)


class Hit(_Frozen):
    """A retrieved passage with its score and everything needed to cite it."""

    rank: int
    score: float
    passage_id: str
    doc_id: str
    title: str
    date: dt.date | None = Field(description="The article's publication date, or None "
                                 "(in JSON an ISO string, or null).")
    source: str
    section: str | None
    text: str
    start: int
    end: int
    line: int | None = Field(default=None, description="The file's line where the passage "
                             "starts (None for a .jsonl record).")


class DatedMention(_Frozen):
    """A time expression of an article, resolved: ``text`` is the document's
    ``text[start:end]``; ``date`` the first day of the period it names."""

    doc_id: str
    start: int
    end: int
    text: str
    date: dt.date
    precision: str = Field(description="day, week, month or year.")
    relative: bool = Field(description="Resolved against the article's date or the day the "
                                       "narrative is on, not read whole.")
    sentence_start: int = Field(description="Where the sentence it is in starts.")
    sentence_end: int


class Citation(_Frozen):
    """One numbered source of an answer: ``quote == file_text[start:end]``."""

    n: int
    doc_id: str
    title: str
    date: dt.date | None = Field(description="The article's publication date, or None "
                                 "(in JSON an ISO string, or null).")
    source: str
    quote: str
    start: int
    end: int
    score: float
    line: int | None = Field(default=None, description="The file's line where the quote "
                             "starts (None for a .jsonl record).")

    @classmethod
    def of(cls, n: int, doc: Document, start: int, end: int, score: float) -> Citation:
        """Citation ``n`` of ``doc.text[start:end]``: its quote is exactly that text."""
        return cls(n=n, doc_id=doc.id, title=doc.title,
                   date=doc.date, source=doc.source,
                   quote=doc.text[start:end], start=start, end=end, score=round(score, 4),
                   line=doc.line_at(start))


class Turn(_Frozen):
    """A previous exchange, used to resolve follow-up questions."""

    question: str
    interpreted_as: str
    answer: str
    abstained: bool = False
    doc_ids: tuple[str, ...] = Field(default=(), description="Articles the answer cited.")


class Answer(_Frozen):
    """The public JSON contract of ``qabot ask --json``."""

    question: str
    interpreted_as: str
    answer: str
    abstained: bool
    confidence: float
    citations: list[Citation]
    related: list[Hit] = Field(default_factory=list)
    # Reading aids computed from the citations, never from outside the articles: relative
    # days resolved against the article's date, and dates on which the sources differ.
    notes: list[str] = Field(default_factory=list)

    def as_turn(self) -> Turn:
        return Turn(
            question=self.question, interpreted_as=self.interpreted_as, answer=self.answer,
            abstained=self.abstained,
            doc_ids=tuple(dict.fromkeys(c.doc_id for c in self.citations)),
        )


class TimelineEvent(_Frozen):
    """One dated event of a timeline: the sentence that dates it, verbatim and cited."""

    date: dt.date = Field(description="The first day of the period the text names.")
    precision: str = Field(description="day, week, month or year.")
    mention: str = Field(description="The words that date it, as the article has them.")
    quote: str = Field(description="The sentence, verbatim (the citation's quote).")
    citation: Citation
    disagrees_with: list[int] = Field(
        default_factory=list, description="Positions (from 0) in ``events`` of the same "
        "event dated differently by another article.")


class Timeline(_Frozen):
    """The dated events about ``query`` (all, when None), oldest first."""

    query: str | None
    since: dt.date | None = None
    until: dt.date | None = None
    events: list[TimelineEvent]
