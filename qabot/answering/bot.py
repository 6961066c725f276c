"""Extractive answers: the pipeline from a question to a cited answer, or an abstention.

    question -> followup.resolve -> query.read -> retriever.search -> candidates.gather
             -> features.featurize -> model (ranker, answerability) -> decide -> compose
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from qabot.answering import compose, parts
from qabot.answering.candidates import Candidate, SentenceCache, gather
from qabot.answering.decide import (
    ANSWER_MAX_CHARS,
    QUESTION_NAMES,
    Decision,
    decide,
    question_row,
    spans,
)
from qabot.answering.features import NAMES, featurize, sizes
from qabot.answering.followup import main_entity, resolve
from qabot.answering.model import AnswerModel, columns
from qabot.answering.query import Query, QueryReader, clean
from qabot.answering.similarity import Similarity
from qabot.answering.timescope import Period, asked_period, asks_only_time, time_scope
from qabot.errors import require_count, require_ids, require_instance, require_range, require_text
from qabot.lru import LRU
from qabot.models import Answer, DatedMention, Document, Hit, Turn, overlaps
from qabot.retrieval.embeddings import SentenceVectors
from qabot.retrieval.retriever import Retriever, index_terms
from qabot.text.lexicon import EVENT_WORDS

# A question about a time alone is answered with at most this many dated sentences, one an
# article: issue 22's limit for an answer (3 sentences).
TIME_ANSWER_ITEMS = 3


class AnswerConfig(BaseModel):
    """The answerer's settings; the model's own parameters live in its file."""

    model_config = ConfigDict(frozen=True)

    passages: int = Field(
        default=10, ge=1, le=1000,
        description="Passages whose sentences compete to answer (the -k option). The "
        "model was fitted with 10 (eval/train_answerer.py, K): on news-dev the right "
        "sentence is among the candidates for 0.87 of answerable questions at 10, 0.81 "
        "at 5 (with semantics; 0.82 and 0.73 without).")
    related: int = Field(
        default=3, ge=0, le=50,
        description="Closest passages listed as related reading when qabot abstains.")
    other_article: bool = Field(
        default=True,
        description="Also cite the best candidate of a second article when it passes the "
        "same threshold on its own (\"what did the memo say?\" asked of two articles).")
    threshold: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="Abstain when the answer's confidence is below this; None takes the "
        "threshold shipped with the model (chosen on SQuAD training articles).")


@dataclass(frozen=True)
class Considered:
    """One pass of the pipeline over one scope of the corpus."""

    query: Query
    hits: list[Hit]
    candidates: list[Candidate]
    features: np.ndarray
    probs: np.ndarray
    decision: Decision


def joined(query: Query, a: Considered, b: Considered) -> Considered:
    """Two passes as one (a question of two parts): the candidates, scores and hits of both,
    and a decision that answers with what each part chose when either part is answered, at
    the lower of the two confidences (an answer is as sure as its weaker half)."""
    offset = len(a.candidates)
    chosen = (a.decision.chosen if a.decision.answered else ()) + (
        tuple(i + offset for i in b.decision.chosen) if b.decision.answered else ())
    decision = Decision(
        answered=bool(chosen), confidence=min(a.decision.confidence, b.decision.confidence),
        chosen=chosen, best=a.decision.best if a.decision.best is not None else (
            None if b.decision.best is None else b.decision.best + offset))
    return Considered(query, [*a.hits, *b.hits], [*a.candidates, *b.candidates],
                      np.concatenate([a.features, b.features]),
                      np.concatenate([a.probs, b.probs]), decision)


class Bot:
    """Question answering over a retriever: ``Bot.from_path().ask("why did Lin resign?")``."""

    def __init__(self, retriever: Retriever, config: AnswerConfig | None = None,
                 model: AnswerModel | None = None,
                 semantic: SentenceVectors | None = None) -> None:
        """``semantic``: the corpus's sentence vectors (``qabot.retrieval.embeddings.
        vectors_for``) to answer with embeddings too, and the model fitted with them; None:
        lexical only."""
        require_instance("retriever", retriever, Retriever)
        self.retriever = retriever
        self.config = config or AnswerConfig()
        self.analyzer = retriever.analyzer
        self.reader = QueryReader(retriever)
        self.sentences = SentenceCache(retriever)
        self._model = model
        self.semantic = semantic
        self._similarity = Similarity(semantic) if semantic is not None else None
        # The terms of the last 1,000 documents' titles and texts.
        self._titles: LRU[str, frozenset[str]] = LRU(1000)
        self._docs: LRU[str, frozenset[str]] = LRU(1000)

    @classmethod
    def from_path(cls, path: str | Path | None = None) -> Bot:
        return cls(Retriever.from_path(path))

    @property
    def model(self) -> AnswerModel:
        if self._model is None:
            self._model = AnswerModel.load(semantic=self.semantic is not None)
        return self._model

    def ask(self, question: str, history: Sequence[Turn] = (), k: int | None = None,
            doc_ids: Collection[str] | None = None, since: dt.date | None = None,
            until: dt.date | None = None) -> Answer:
        """Answer ``question`` from the articles (or only ``doc_ids``, and only those
        published within [``since``, ``until``]), citing every sentence.

        ``history`` is the conversation so far, a sequence of ``Turn``. Raises TypeError
        for a question that is not a str, a history that is not a list or tuple of
        ``Turn``, a ``k`` that is not an int, ``doc_ids`` that is a str, or ``since``/
        ``until`` that are not dates; ValueError for k < 1 or an id not in the corpus."""
        return self.respond(question, history, k, doc_ids, since, until)[0]

    def respond(self, question: str, history: Sequence[Turn] = (), k: int | None = None,
                doc_ids: Collection[str] | None = None, since: dt.date | None = None,
                until: dt.date | None = None) -> tuple[Answer, Considered | None]:
        """``ask``, with the pipeline's last pass (None when no search was made): what the
        benchmarks read the best candidate and its probability from."""
        require_text("question", question)
        require_count("k", k, optional=True)
        doc_ids = require_ids("doc_ids", doc_ids, self.retriever.document_ids)
        require_range(since, until)
        if not isinstance(history, list | tuple) or not all(
                isinstance(t, Turn) for t in history):
            raise TypeError("history must be a list or tuple of Turn")
        text, _ = clean(question)
        if not text:
            return compose.abstain(question, text, [], compose.EMPTY), None
        resolved = resolve(text, history, self.retriever.entities)
        if resolved.clarify:
            return compose.abstain(question, resolved.text, [], resolved.clarify), None
        query = self.reader.read(question, resolved.text)
        if since is not None or until is not None:
            doc_ids = [d.id for d in self.retriever.documents(doc_ids, since, until)]
            if not doc_ids:
                return compose.abstain(question, query.text, [],
                                       compose.no_article_between(since, until)), None
        period = asked_period(query.text, self.retriever.dates.days())
        timed = self._about_time(question, query, doc_ids, period)
        if timed is not None:
            return timed, None
        if not query.terms:
            return compose.abstain(question, query.text, [], compose.NO_CONTENT), None
        k = self.config.passages if k is None else k
        # In a conversation, the articles the previous answer cited come first; the whole
        # folder (or the articles asked for) when they give nothing sure enough (see
        # answering/followup.py).
        scopes: list[Collection[str] | None] = [doc_ids]
        if resolved.focus:
            focus = [d for d in resolved.focus if doc_ids is None or d in set(doc_ids)]
            if focus:
                scopes = [focus, doc_ids]
        # A question about a day, or about the latest report, reads the articles that date
        # it first (answering/timescope.py).
        dated = time_scope(self.retriever, query, doc_ids, self._search, period)
        if dated is not None:
            scopes = [dated.doc_ids, *scopes]
        found = self._answer_parts(question, query, k, scopes)
        mentions = []
        if query.kind == "when" and found.decision.answered:
            chosen = {found.candidates[i].doc.id for i in found.decision.chosen}
            mentions = self.retriever.mentions(chosen)
        said = None
        if dated is not None and dated.note and found.decision.answered and any(
                found.candidates[i].doc.id == dated.doc_ids[0] for i in found.decision.chosen):
            said = dated.note
        answer = compose.answer(query, found.decision, found.candidates, found.probs,
                                found.hits, self.config.related, mentions,
                                self.retriever.analyzer.term, said)
        return answer, found

    def _about_time(self, question: str, query: Query, doc_ids: Collection[str] | None,
                    period: Period | None) -> Answer | None:
        """The answer to a question that names nothing but a time ("what happened in
        April?", "which article is the most recent?"), read from the dates; None for any
        other question (answering/timescope.py). ``period``: the time it names."""
        tokenize = self.analyzer.tokenize
        terms = set(tokenize(query.text))
        events = set(tokenize(" ".join(EVENT_WORDS)))
        if query.recency and asks_only_time(terms, set(), events):
            dated = [d for d in self.retriever.documents(doc_ids) if d.date is not None]
            if not dated:
                return None
            pick = max if query.recency > 0 else min
            doc = pick(dated, key=lambda d: d.date or dt.date.min)
            assert doc.date is not None
            start, end = self._lede(doc.id)
            which = "newest" if query.recency > 0 else "oldest"
            return compose.dated_answer(question, query.text, [
                (doc, start, end, doc.date, "day", None)],
                f"The {which} of the {len(dated)} dated articles is “{doc.title}” "
                f"({doc.source}); the date is its publication date.")
        if period is None or not asks_only_time(terms, set(tokenize(period.words)), events):
            return None
        mentions = self.retriever.mentions(doc_ids, period.since, period.until)
        return self._in_period(question, query, self.retriever.documents(doc_ids), mentions,
                               period)

    def _in_period(self, question: str, query: Query, docs: Sequence[Document],
                   mentions: Sequence[DatedMention], period: Period) -> Answer:
        """What the articles date within ``period``: one sentence an article (its first
        dated within the period, else its lede when it was published then), oldest first,
        at most ``TIME_ANSWER_ITEMS``."""
        items: dict[str, tuple[Document, int, int, dt.date, str, str | None]] = {}
        for m in sorted(mentions, key=lambda m: (m.date, m.start)):
            if period.since <= m.date <= period.until and m.doc_id not in items:
                items[m.doc_id] = (self.retriever.document(m.doc_id), m.sentence_start,
                                   m.sentence_end, m.date, m.precision,
                                   m.text if m.relative else None)
        for d in docs:
            if d.date is not None and period.since <= d.date <= period.until and (
                    d.id not in items):
                items[d.id] = (d, *self._lede(d.id), d.date, "day", None)
        if not items:
            return compose.abstain(question, query.text, [],
                                   f"No article dates anything {period.label}.")
        ordered = sorted(items.values(), key=lambda i: (i[3], i[0].id))
        shown = ordered[:TIME_ANSWER_ITEMS]
        more = (f" {len(ordered) - len(shown)} more: qabot timeline --since "
                f"{period.since} --until {period.until}." if len(ordered) > len(shown) else "")
        return compose.dated_answer(
            question, query.text, shown,
            f"What the articles date {period.label}, oldest first, one sentence an "
            f"article (an article published then gives its first sentence).{more}")

    def _lede(self, doc_id: str) -> tuple[int, int]:
        """The bounds of a document's first sentence."""
        first = self.retriever.passage(f"{doc_id}#0").sentences[0]
        return first.start, first.end

    def _in_scopes(self, query: Query, k: int, scopes: Sequence[Collection[str] | None],
                   budget: int = ANSWER_MAX_CHARS,
                   exclude: Sequence[tuple[str, int, int]] = ()) -> Considered:
        for scope in scopes:
            found = self.consider(query, k, scope, budget, exclude)
            if found.decision.answered:
                break
        return found

    def _answer_parts(self, question: str, query: Query, k: int,
                      scopes: Sequence[Collection[str] | None]) -> Considered:
        """The pass that answers ``query``: one, or for a question that asks two things
        (``parts.split``) one per part, the second read as a follow-up of the first, and
        the two passes joined (``joined``)."""
        pieces = () if query.about_article else parts.split(query.text)
        if len(pieces) != 2:
            return self._in_scopes(query, k, scopes)
        first = self.reader.read(question, pieces[0])
        if not first.terms:
            return self._in_scopes(query, k, scopes)
        # The first part says at most half the answer, the second the rest.
        a = self._in_scopes(first, k, scopes, ANSWER_MAX_CHARS // 2)
        said = " ".join(a.candidates[i].text for i in a.decision.chosen)
        before = Turn(question=pieces[0], interpreted_as=pieces[0], answer=said,
                      abstained=not a.decision.answered,
                      doc_ids=tuple(dict.fromkeys(a.candidates[i].doc.id
                                                  for i in a.decision.chosen)))
        entities = self.retriever.entities
        second = resolve(pieces[1], [before], entities)
        if second.clarify:
            return a
        text = second.text
        subject = main_entity(pieces[0], entities)
        if subject and main_entity(text, entities) is None:
            # "..., and how old when he died?" names no one: it is about the first part's
            # subject, carried as a follow-up carries it.
            text = f"{text.rstrip(' ?.!')} ({subject})?"
        then = self.reader.read(question, text)
        if not then.terms:
            return a
        room = ANSWER_MAX_CHARS - sum(len(a.candidates[i].text) + 1 for i in a.decision.chosen)
        # Two questions have two answers: the second part may not cite again what the first
        # part cited (its best candidate is often the same sentence, which names both).
        cited = [(a.candidates[i].doc.id, a.candidates[i].start, a.candidates[i].end)
                 for i in a.decision.chosen]
        return joined(query, a, self._in_scopes(then, k, scopes, max(room, 1), cited))

    def consider(self, query: Query, k: int, doc_ids: Collection[str] | None = None,
                 budget: int = ANSWER_MAX_CHARS,
                 exclude: Sequence[tuple[str, int, int]] = ()) -> Considered:
        """Search, gather candidates, score them and decide, within ``doc_ids``; no
        candidate overlapping an ``exclude`` span (document id, start, end) may answer."""
        hits, candidates, features = self.prepare(query, k, doc_ids)
        allowed = None
        if exclude:
            allowed = np.array([not overlaps(c.doc.id, c.start, c.end, exclude)
                                for c in candidates], dtype=bool)
        model = self.model
        probs = model.ranker.predict(features[:, columns(NAMES, model.ranker.features)])
        threshold = model.threshold if self.config.threshold is None else self.config.threshold
        where = spans(candidates)
        part = model.answerability
        cols = columns(QUESTION_NAMES, part.features)

        def confidence(i: int) -> float:
            row = question_row(where, features, probs, i)[None, :]
            return float(part.predict(row[:, cols])[0])

        decision = decide(where, probs, sizes(features), confidence, threshold,
                          self.config.other_article, model.policy,
                          both=parts.two_sided(query.text), budget=budget,
                          allowed=allowed)
        return Considered(query, hits, candidates, features, probs, decision)

    def prepare(self, query: Query, k: int, doc_ids: Collection[str] | None = None
                ) -> tuple[list[Hit], list[Candidate], np.ndarray]:
        """The model-free part of the pipeline: hits, candidates and their features (what
        eval/train_answerer.py fits the model on)."""
        hits = self._search(query, k, doc_ids)
        candidates = gather(self.retriever, hits, self.sentences)
        passage_terms = {h.passage_id: self._passage_terms(h) for h in hits}
        titles = {c.doc.id: self._title_terms(c.doc.id) for c in candidates}
        docs = {c.doc.id: self._doc_terms(c.doc.id) for c in candidates}
        similarity = (self._similarity(query.text, candidates)
                      if self._similarity is not None else None)
        return hits, candidates, featurize(query, candidates, passage_terms, titles, docs,
                                           similarity)

    def _search(self, query: Query, k: int, doc_ids: Collection[str] | None) -> list[Hit]:
        """The retriever's best ``k`` passages: BM25's, fused with the dense ranking when
        every sentence is embedded."""
        return self.retriever.search_terms(query.search, k, doc_ids,
                                           dense=self.dense_scores(query.text))

    def dense_scores(self, question: str) -> np.ndarray | None:
        """Each passage's best sentence cosine to ``question`` (by position), for the
        retriever to fuse with BM25; None without sentence vectors for every sentence."""
        vectors, similarity = self.semantic, self._similarity
        if vectors is None or similarity is None or not vectors.precomputed:
            return None
        return vectors.passage_scores(similarity.question(question), self.retriever)

    def search(self, question: str, k: int = 10) -> list[Hit]:
        """The passages the answerer would read for ``question`` (aliases added once; fused
        with the dense ranking when semantic matching is on), as ``qabot eval`` scores
        them."""
        return self._search(self.reader.read(question), k, None)

    def _passage_terms(self, hit: Hit) -> frozenset[str]:
        doc = self.retriever.document(hit.doc_id)
        return frozenset(index_terms(self.analyzer, doc, hit.section, hit.text))

    def _title_terms(self, doc_id: str) -> frozenset[str]:
        return self._terms_of(self._titles, doc_id, lambda d: d.title)

    def _doc_terms(self, doc_id: str) -> frozenset[str]:
        return self._terms_of(self._docs, doc_id, lambda d: d.title + "\n" + d.body)

    def _terms_of(self, cache: LRU[str, frozenset[str]], doc_id: str,
                  text: Callable[[Document], str]) -> frozenset[str]:
        """The terms of a document's text, remembered for the last 1,000 documents."""
        return cache.get(doc_id, lambda: frozenset(
            self.analyzer.tokenize(text(self.retriever.document(doc_id)))))
