"""Candidate answers: each sentence of the retrieved passages and runs of adjacent ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qabot.answering.cues import Cues, read_cues
from qabot.lru import LRU
from qabot.models import Document, Hit
from qabot.text.segment import is_field

if TYPE_CHECKING:
    from qabot.corpus.passages import PassageTable
    from qabot.retrieval.retriever import Retriever

# Runs of up to 3 sentences (the design): enough for a reason given in the next
# sentence or a pronoun resolved in the one before, short enough to read as an answer.
MAX_RUN = 3
# A run longer than this is not offered: the SQuAD 2.0 reference scorer (shared/tools)
# counts answers over 800 characters as wrong, and a terminal answer should stay short.
MAX_RUN_CHARS = 600


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a document with its analysed terms in order."""

    start: int
    end: int
    tokens: tuple[str, ...]  # index terms
    terms: frozenset[str]
    words: tuple[str, ...]  # every word: index terms and stopwords (Analyzer.sequence)
    cues: Cues
    field: bool = False  # a "Name: value" field of a block of them (text.segment.is_field)


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive sentences of one section of one document, around retrieved passages."""

    doc: Document
    sentences: tuple[Sentence, ...]
    hits: tuple[Hit | None, ...]  # per sentence, the best hit whose passage holds it


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible answer: ``size`` sentences of a block from ``first`` on."""

    block: Block
    first: int
    size: int
    hit: Hit

    @property
    def doc(self) -> Document:
        return self.block.doc

    @property
    def start(self) -> int:
        return self.block.sentences[self.first].start

    @property
    def end(self) -> int:
        return self.block.sentences[self.first + self.size - 1].end

    @property
    def text(self) -> str:
        return self.block.doc.text[self.start : self.end]

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return self.block.sentences[self.first : self.first + self.size]

    def tokens(self) -> list[str]:
        return [t for s in self.sentences for t in s.tokens]

    def words(self) -> list[str]:
        return [w for s in self.sentences for w in s.words]

    def cues(self) -> Cues:
        """The cues of its sentences together."""
        if self.size == 1:
            return self.block.sentences[self.first].cues
        parts = [s.cues for s in self.sentences]
        return Cues(
            words=frozenset().union(*(c.words for c in parts)),
            numbers=frozenset().union(*(c.numbers for c in parts)),
            capitalised=tuple(w for c in parts for w in c.capitalised),
            dates=tuple(m for c in parts for m in c.dates),
            persons=tuple(m for c in parts for m in c.persons),
            places=tuple(m for c in parts for m in c.places),
            money=any(c.money for c in parts), quote=any(c.quote for c in parts),
            reason=any(c.reason for c in parts), negated=any(c.negated for c in parts),
        )

    def terms(self) -> frozenset[str]:
        if self.size == 1:
            return self.block.sentences[self.first].terms
        return frozenset().union(*(s.terms for s in self.sentences))

    def window(self) -> frozenset[str]:
        """Terms of the candidate and of the sentence on each side of it."""
        lo = max(0, self.first - 1)
        hi = min(len(self.block.sentences), self.first + self.size + 1)
        return frozenset().union(*(s.terms for s in self.block.sentences[lo:hi]))

    def before(self) -> Sentence | None:
        return self.block.sentences[self.first - 1] if self.first else None

    def after(self) -> Sentence | None:
        """The sentence that follows the candidate in its block, if any."""
        nxt = self.first + self.size
        return self.block.sentences[nxt] if nxt < len(self.block.sentences) else None


class SentenceCache:
    """Analysed sentences by (document, start, end); bounded, least recently used dropped."""

    def __init__(self, retriever: Retriever, size: int = 20_000) -> None:
        self.retriever = retriever
        self._data: LRU[tuple[str, int, int], Sentence] = LRU(size)

    def get(self, doc: Document, start: int, end: int) -> Sentence:
        def make() -> Sentence:
            analyzer = self.retriever.analyzer
            text = doc.text[start:end]
            tokens = tuple(analyzer.tokenize(text))
            words = tuple(analyzer.sequence(text))
            field = is_field(doc.text, start, end)
            # A field's subject is its record, which the file's title names ("Name: numpy"
            # above "Requires-Python: >=3.11"): its terms count as the field's own.
            terms = frozenset(tokens).union(analyzer.tokenize(doc.title) if field else ())
            return Sentence(start, end, tokens, terms, words, read_cues(text), field)

        return self._data.get((doc.id, start, end), make)


def gather(retriever: Retriever, hits: Sequence[Hit], cache: SentenceCache) -> list[Candidate]:
    """Every sentence of the hit passages, and runs of 2..3 adjacent ones, in rank order of
    their passage. Each block also holds the passage before and after each hit (same
    section), so a candidate at a passage's edge still has its neighbours as context."""
    table = retriever.passages
    ranges: dict[tuple[str, str | None], list[list[int]]] = {}
    for hit in hits:
        p = table.position(hit.passage_id)
        lo, hi = p, p
        if p > 0 and _same_section(table, p - 1, hit):
            lo = p - 1
        if p + 1 < len(table) and _same_section(table, p + 1, hit):
            hi = p + 1
        ranges.setdefault((hit.doc_id, hit.section), []).append([lo, hi])
    out: list[Candidate] = []
    for (doc_id, _), spans in ranges.items():
        doc = retriever.document(doc_id)
        doc_hits = [h for h in hits if h.doc_id == doc_id]
        for lo, hi in _merge(spans):
            bounds = sorted({(s.start, s.end) for p in range(lo, hi + 1)
                             for s in table[p].sentences})
            sentences = tuple(cache.get(doc, a, b) for a, b in bounds)
            owners = tuple(min((h for h in doc_hits if h.start <= a and b <= h.end),
                               key=lambda h: h.rank, default=None) for a, b in bounds)
            block = Block(doc, sentences, owners)
            for i in range(len(sentences)):
                for size in range(1, MAX_RUN + 1):
                    j = i + size
                    if j > len(sentences) or any(o is None for o in owners[i:j]):
                        break
                    if size > 1 and (sentences[j - 1].end - sentences[i].start > MAX_RUN_CHARS
                                     or sentences[i].field or sentences[j - 1].field):
                        break  # a field is a record: it answers alone
                    hit = min((o for o in owners[i:j] if o is not None), key=lambda h: h.rank)
                    out.append(Candidate(block, i, size, hit))
    out.sort(key=lambda c: (c.hit.rank, c.start, c.size))
    return out


def _same_section(table: PassageTable, position: int, hit: Hit) -> bool:
    doc_id, _, section, _, _ = table.bounds(position)
    return doc_id == hit.doc_id and section == hit.section


def _merge(spans: list[list[int]]) -> list[tuple[int, int]]:
    """Overlapping or touching position ranges joined."""
    out: list[list[int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]
