"""Search passages: the library's entry point for ranked, citable hits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from qabot.analysis import Analyzer, AnalyzerConfig
from qabot.corpus import load_corpus
from qabot.index import BM25Index, BM25Params
from qabot.models import Corpus, Document, Hit, Passage
from qabot.passages import PassageConfig, build_passages


class Retriever:
    """BM25 over the passages of a corpus. Build with ``Retriever.from_corpus``."""

    def __init__(
        self,
        corpus: Corpus,
        passages: Sequence[Passage],
        index: BM25Index,
        analyzer: Analyzer,
    ) -> None:
        self.corpus = corpus
        self.passages = list(passages)
        self.index = index
        self.analyzer = analyzer
        self._docs = {doc.id: doc for doc in corpus.documents}

    @classmethod
    def from_corpus(
        cls,
        corpus: Corpus,
        *,
        passages: PassageConfig | None = None,
        bm25: BM25Params | None = None,
        analysis: AnalyzerConfig | None = None,
    ) -> Retriever:
        analyzer = Analyzer(analysis)
        cut = build_passages(corpus.documents, passages)
        if not cut:
            cut = []
        docs = {d.id: d for d in corpus.documents}
        tokens = [passage_terms(analyzer, p, docs[p.doc_id]) for p in cut] or [[]]
        return cls(corpus, cut, BM25Index.build(tokens, bm25), analyzer)

    @classmethod
    def from_path(cls, path: str | Path | None = None) -> Retriever:
        """Load a corpus (the bundled articles when ``path`` is None) and index it."""
        return cls.from_corpus(load_corpus(path))

    def document(self, doc_id: str) -> Document:
        return self._docs[doc_id]

    def hit(self, position: int, score: float, rank: int) -> Hit:
        passage = self.passages[position]
        doc = self._docs[passage.doc_id]
        return Hit(
            rank=rank,
            score=score,
            passage_id=passage.id,
            doc_id=doc.id,
            title=doc.title,
            date=doc.date.isoformat() if doc.date else None,
            source=doc.source,
            section=passage.section,
            text=passage.text,
            start=passage.start,
            end=passage.end,
        )

    def search(self, query: str, k: int = 5, doc_ids: Collection[str] | None = None
               ) -> list[Hit]:
        """The ``k`` best passages for ``query``, best first; only passages sharing a term.

        ``doc_ids`` restricts the search to those documents."""
        if not self.passages:
            return []
        terms = self.analyzer.tokenize(query)
        allowed = None
        if doc_ids is not None:
            wanted = set(doc_ids)
            allowed = [i for i, p in enumerate(self.passages) if p.doc_id in wanted]
        ranked = self.index.top_k(terms, k, allowed)
        return [self.hit(pos, score, rank) for rank, (pos, score) in enumerate(ranked, start=1)]


def passage_terms(analyzer: Analyzer, passage: Passage, doc: Document) -> list[str]:
    """What is indexed for a passage: the document's own title (when it came with one, as in
    a .jsonl corpus; derived titles repeat the first sentence), the section heading, the text."""
    head = analyzer.tokenize(doc.title) if doc.titled else []
    if passage.section:
        head += analyzer.tokenize(passage.section)
    return head + analyzer.tokenize(passage.text)
