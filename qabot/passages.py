"""Cut documents into passages: overlapping runs of whole sentences within one section."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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
