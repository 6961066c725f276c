"""Search passages: the library's entry point for ranked, citable hits."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from qabot.corpus.dates import DateTable
from qabot.corpus.load import load_corpus
from qabot.corpus.passages import PassageConfig, PassageTable, document_windows
from qabot.errors import require_count, require_ids, require_instance, require_range, require_text
from qabot.models import Corpus, DatedMention, Document, Hit, Passage
from qabot.retrieval.fusion import Fusion, fuse
from qabot.retrieval.index import BM25Index, BM25Params
from qabot.text.analysis import Analyzer, AnalyzerConfig, spelling_variants
from qabot.text.entities import EntityTable
from qabot.text.eventdates import time_mentions


class Retriever:
    """BM25 over the passages of a corpus. Build with ``Retriever.from_corpus``."""

    def __init__(
        self,
        corpus: Corpus,
        passages: PassageTable,
        index: BM25Index,
        analyzer: Analyzer,
        entities: EntityTable | None = None,
        dates: DateTable | None = None,
    ) -> None:
        self.corpus = corpus
        self.passages = passages
        self.dates = dates if dates is not None else DateTable(corpus.documents)
        self.index = index
        self.analyzer = analyzer
        self._entities = entities
        self._entities_lock = threading.Lock()  # built once, also when threads share this
        self._docs = {doc.id: doc for doc in corpus.documents}
        self._positions = {doc.id: i for i, doc in enumerate(corpus.documents)}
        self.cache_path: Path | None = None  # the index file this came from or went to
        self.from_cache = False  # loaded from a saved index (the corpus was seen before)
        self._cache_key = ""
        self._vocabulary: list[str] | None = None

    @property
    def document_ids(self) -> Collection[str]:
        """The ids of the corpus's documents (a set-like view)."""
        return self._docs.keys()

    def document_frequency(self, term: str) -> int:
        """Passages holding the index term ``term`` (an analysed term, not a word)."""
        return self.index.document_frequency(term)

    @property
    def passage_count(self) -> int:
        return self.index.n_passages

    def vocabulary(self) -> list[str]:
        """Every index term, sorted (made once)."""
        if self._vocabulary is None:
            self._vocabulary = sorted(self.index.vocab)
        return self._vocabulary

    def learn_names(self) -> None:
        """Learn (or load) the corpus's names now, not at the first question."""
        self.entities  # noqa: B018

    @property
    def entities(self) -> EntityTable:
        """Names and aliases learned from the passages (built on first use)."""
        if self._entities is not None:
            return self._entities
        with self._entities_lock:
            return self._learned_entities()

    def _learned_entities(self) -> EntityTable:
        if self._entities is None:
            names = None
            if self.cache_path is not None and self._cache_key:
                from qabot.retrieval import store
                names = store.entities_path(self.cache_path)
                self._entities = store.load_entities(names, self._cache_key)
            if self._entities is None:
                self._entities = EntityTable.from_texts(
                    span.text for p in self.passages for span in p.sentences)
                if names is not None:
                    with contextlib.suppress(OSError):
                        store.save_entities(names, self._cache_key, self._entities)
        return self._entities

    @classmethod
    def from_corpus(
        cls,
        corpus: Corpus,
        *,
        passages: PassageConfig | None = None,
        bm25: BM25Params | None = None,
        analysis: AnalyzerConfig | None = None,
        cache: bool = False,
        notice: Callable[[str], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
        rebuild: bool = False,
    ) -> Retriever:
        """Cut, tokenize and index ``corpus`` (a ``Corpus``, else TypeError).

        With ``cache``, a saved index for exactly this corpus and these settings is loaded
        from the XDG cache folder, or built and saved; ``notice`` hears about a cache that
        had to be rebuilt or could not be written (qabot goes on without it)."""
        require_instance("corpus", corpus, Corpus)
        analysis = analysis or AnalyzerConfig()
        passages = passages or PassageConfig()
        bm25 = bm25 or BM25Params()
        analyzer = Analyzer(analysis)
        say = notice or (lambda _: None)
        path = None
        if cache:
            from qabot.retrieval import store
            key = store.fingerprint(corpus, analysis, passages, bm25)
            try:
                path = store.index_path(key)
            except OSError as exc:  # a cache folder that is not qabot's, or unwritable
                say(f"cannot use the cache folder: {exc.strerror or exc}; going on without it")
            if path is not None and path.exists() and not rebuild:
                try:
                    cut, index, dates = store.load(path, key, corpus)
                    loaded = cls(corpus, cut, index, analyzer, dates=dates)
                    loaded.cache_path, loaded._cache_key = path, key
                    loaded.from_cache = True
                    return loaded
                except store.StaleCache as exc:
                    say(f"index cache {path.name} is {exc}; rebuilding it")
        built = cls.build(corpus, analyzer, passages, bm25, progress)
        if path is not None and built.passages:
            try:
                store.save(path, key, built.passages, built.index,
                           [d.id for d in corpus.documents], built.dates)
                built.cache_path, built._cache_key = path, key
                store.supersede(corpus.origin, path, say)
                if rebuild:  # the sentence vectors kept beside the index go with it
                    with contextlib.suppress(OSError):
                        store.vectors_path(path).unlink(missing_ok=True)
            except OSError as exc:
                say(f"cannot write the index cache in {path.parent} "
                    f"({exc.strerror or exc}); going on without it")
        return built

    @classmethod
    def build(cls, corpus: Corpus, analyzer: Analyzer, passages: PassageConfig,
              bm25: BM25Params, progress: Callable[[int, int], None] | None = None
              ) -> Retriever:
        """Cut and index in one pass; passages go straight into a compact table."""
        table = PassageTable(corpus.documents)
        dates = DateTable(corpus.documents)
        docs = corpus.documents

        def tokens() -> Iterator[list[str]]:
            for i, doc in enumerate(docs):
                # The title and each heading are tokenized once per document, not once per
                # passage (a 1.4 MB heading over 7,000 passages took 90 s and 2.7 GB).
                heads: dict[str | None, list[str]] = {}
                sentences: list[tuple[int, int]] = []  # each once (passages overlap)
                for section, window in document_windows(doc, passages):
                    table.add(doc.id, section, window)
                    sentences += [b for b in window if not sentences or b[0] >= sentences[-1][1]]
                    text = doc.text[window[0][0] : window[-1][1]]
                    head = heads.get(section)
                    if head is None:
                        head = heads[section] = head_terms(analyzer, doc, section)
                    yield head + analyzer.tokenize(text)
                dates.add(i, time_mentions(doc.text, doc.date, sentences=sentences))
                if progress is not None and i % 100 == 0:
                    progress(i, len(docs))
            if not table:
                yield []  # an index of one empty passage: every search finds nothing
            if progress is not None:
                progress(len(docs), len(docs))

        index = BM25Index.build(tokens(), bm25)
        return cls(corpus, table, index, analyzer, dates=dates)

    @classmethod
    def from_path(cls, path: str | Path | None = None) -> Retriever:
        """Load a corpus (the bundled articles when ``path`` is None) and index it."""
        return cls.from_corpus(load_corpus(path))

    def known_term(self, term: str) -> str:
        """``term``, or its other spelling when only that one is in the corpus ("rumour")."""
        if self.index.document_frequency(term):
            return term
        for variant in spelling_variants(term):
            if self.index.document_frequency(variant):
                return variant
        return term

    def query_terms(self, text: str) -> list[str]:
        """The index terms of a query, spelled as the corpus spells them."""
        return [self.known_term(t) for t in self.analyzer.tokenize(text)]

    def passage(self, passage_id: str) -> Passage:
        """The passage with this id (``doc#n``)."""
        return self.passages[self.passages.position(passage_id)]

    def document(self, doc_id: str) -> Document:
        return self._docs[doc_id]

    def documents(self, doc_ids: Collection[str] | None = None, since: dt.date | None = None,
                  until: dt.date | None = None) -> list[Document]:
        """The documents (of ``doc_ids``, all when None) published within [``since``,
        ``until``] (either may be None), in corpus order. With a bound, an undated
        document is left out: nothing is guessed about when it was published."""
        wanted = require_ids("doc_ids", doc_ids, self._docs)
        require_range(since, until)
        docs: Iterable[Document] = self.corpus.documents
        if wanted is not None:
            chosen = set(wanted)
            docs = (d for d in docs if d.id in chosen)
        if since is not None or until is not None:
            docs = (d for d in docs if d.date is not None
                    and (since is None or d.date >= since) and (until is None or d.date <= until))
        return list(docs)

    def mentions(self, doc_ids: Collection[str] | None = None, since: dt.date | None = None,
                 until: dt.date | None = None, within: Sequence[Hit] | None = None
                 ) -> list[DatedMention]:
        """The resolved time mentions (read when the index was built) of these documents,
        whose period meets [``since``, ``until``], in corpus order; only those inside the
        passages of ``within`` when given."""
        wanted = require_ids("doc_ids", doc_ids, self._docs)
        require_range(since, until)
        positions = None
        if wanted is not None:
            positions = [self._positions[d] for d in wanted]
        spans = None
        if within is not None:
            spans = [(self._positions[h.doc_id], h.start, h.end) for h in within]
        return self.dates.select(positions, since, until, spans)

    def hit(self, position: int, score: float, rank: int) -> Hit:
        # Only the bounds are needed: no sentence records for a hit.
        doc_id, passage_id, section, start, end = self.passages.bounds(position)
        doc = self._docs[doc_id]
        return Hit(
            rank=rank,
            score=score,
            passage_id=passage_id,
            doc_id=doc.id,
            title=doc.title,
            date=doc.date,
            source=doc.source,
            section=section,
            text=doc.text[start:end],
            start=start,
            end=end,
            line=doc.line_at(start),
        )

    def search(self, query: str, k: int = 5, doc_ids: Collection[str] | None = None,
               dense: np.ndarray | None = None, fusion: Fusion | None = None) -> list[Hit]:
        """The ``k`` best passages for ``query``, best first; only passages sharing a term,
        unless ``dense`` is given.

        ``doc_ids`` (a collection of document ids) restricts the search to those
        documents. ``dense``: a score per passage
        (by position; the sentence embeddings' ``passage_scores``) whose ranking is fused
        with BM25's (``fusion``); a hit's ``score`` stays its BM25 score. Raises TypeError
        for a ``query`` that is not a str, a ``k`` that is not an int or ``doc_ids`` that
        is a str, ValueError for k < 1 or an id not in the corpus."""
        require_text("query", query)
        k = require_count("k", k) or k
        wanted = require_ids("doc_ids", doc_ids, self._docs)
        return self.search_terms(self.query_terms(query), k, wanted, dense, fusion)

    def search_terms(self, terms: Sequence[str], k: int = 5,
                     doc_ids: Collection[str] | None = None,
                     dense: np.ndarray | None = None,
                     fusion: Fusion | None = None) -> list[Hit]:
        """``search`` for query terms already analysed (as ``query_terms`` gives them)."""
        if not self.passages:
            return []
        allowed = None if doc_ids is None else self.passages.positions(doc_ids)
        if dense is None:
            ranked = self.index.top_k(terms, k, allowed)
            return [self.hit(p, score, rank) for rank, (p, score) in enumerate(ranked, start=1)]
        f = fusion or Fusion()
        pool = max(k, f.pool)
        bm25 = dict(self.index.top_k(terms, pool, allowed))
        if allowed is not None:
            mask = np.zeros(len(dense), dtype=bool)
            mask[allowed] = True
            dense = np.where(mask, dense, -np.inf)
        ranked_dense = np.argsort(-dense, kind="stable")[:pool]
        ranked_dense = ranked_dense[np.isfinite(dense[ranked_dense])]
        order = fuse(list(bm25), ranked_dense.tolist(), k, f)
        if any(p not in bm25 for p in order):
            scores = self.index.scores(terms)
            bm25.update({p: float(scores[p]) for p in order if p not in bm25})
        return [self.hit(p, bm25[p], rank) for rank, p in enumerate(order, start=1)]


# The terms of a title and a heading indexed with each passage, at most: a label, not text.
# The longest of the 12,141 Markdown headings on this machine (README badges) has 73 terms;
# without a bound, a heading a file long was indexed again with each of its passages.
HEAD_TERMS_MAX = 100


def head_terms(analyzer: Analyzer, doc: Document, section: str | None) -> list[str]:
    """The label terms indexed with each passage of a section: the document's own title
    (when it came with one, as in a .jsonl corpus; derived titles repeat the first
    sentence) and the section heading, at most HEAD_TERMS_MAX of them."""
    head = analyzer.tokenize(doc.title[:20 * HEAD_TERMS_MAX]) if doc.titled else []
    if section:
        head += analyzer.tokenize(section[:20 * HEAD_TERMS_MAX])
    return head[:HEAD_TERMS_MAX]


def index_terms(analyzer: Analyzer, doc: Document, section: str | None, text: str
                ) -> list[str]:
    """What is indexed for a passage: ``head_terms``, then the text's."""
    return head_terms(analyzer, doc, section) + analyzer.tokenize(text)


def passage_terms(analyzer: Analyzer, passage: Passage, doc: Document) -> list[str]:
    """``index_terms`` of a passage record."""
    return index_terms(analyzer, doc, passage.section, passage.text)
