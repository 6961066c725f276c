"""Extractive answers: pick and cite the sentences that answer a question, or abstain."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import regex
from pydantic import BaseModel, ConfigDict

from qabot.cache import ZipfTable
from qabot.models import Answer, Citation, Document, Hit, Passage, Span, Turn
from qabot.question import (
    META_WORDS,
    QuestionType,
    author_voice,
    classify,
    clean,
    rewrite,
    word_set,
)
from qabot.retriever import Retriever
from qabot.timeref import MONTHS, day_references

NOT_IN_ARTICLES = "The articles don't say."
NO_CONTENT = ("The question has no words to look for (only common words like 'what' or 'it'); "
              "please ask about something specific.")

# General abbreviations a reader may spell out (or not): not specific to any corpus.
_EQUIVALENT_PHRASES = (
    ("ceo", "chief executive officer", "chief executive"),
    ("cto", "chief technology officer", "chief technical officer"),
    ("cfo", "chief financial officer"),
    ("coo", "chief operating officer"),
    ("ai", "artificial intelligence"),
    ("r&d", "research and development"),
    ("dau", "daily active users"),
    ("mau", "monthly active users"),
    ("us", "united states"),
    ("uk", "united kingdom"),
)

_CUES: dict[str, regex.Pattern[str]] = {
    "why": regex.compile(
        r"\b(?:because|reason(?:s|ing|ed)?|rationale|factors?|due to|led to|lead(?:s|ing)? to"
        r"|catalyst|trigger(?:ed|s)?|stem(?:s|med)? from|caus(?:e|ed|es)|result(?:ed|s)? (?:of|from"
        r"|in)|as a result|consequen(?:ce|ces|tly)|so that|in order to|so as to|in a bid to"
        r"|aim(?:s|ed|ing)? (?:to|at)|intended to|designed to|owing to|thanks to|driven by"
        r"|motivat(?:ed|ion)|explain(?:s|ed)?|clash(?:es)?|dissatisfaction|thus|therefore|hence"
        r"|since(?!\s+(?:\d|" + MONTHS + r"\b|then\b|last\b|early\b|late\b)))\b",
        regex.IGNORECASE,
    ),
    "when": regex.compile(
        rf"\b(?:{MONTHS}\b\.?(?:\s+\d{{1,2}})?|(?:19|20)\d\d|\d{{1,2}}/\d{{1,2}}"
        r"|yesterday|today|tonight|this (?:morning|afternoon|evening|week|month|year)"
        r"|last (?:week|month|year|night)|(?:early|late) hours|(?:days?|weeks?|months?|years?)"
        r" (?:prior|ago|later|earlier|before|after)|monday|tuesday|wednesday|thursday|friday"
        r"|saturday|sunday|that (?:morning|afternoon|evening|night|day))\b",
        regex.IGNORECASE,
    ),
    "how-many": regex.compile(
        r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|dozens?"
        r"|hundreds?|thousands?|millions?|billions?|half|twice|double)\b",
        regex.IGNORECASE,
    ),
    # A yes/no answer asserts or denies: a negation, a denial or a confirmation.
    "yes-no": regex.compile(
        r"\b(?:not|no|never|nothing|neither|nor|without|far from|refrain(?:s|ed)?|refus(?:e|ed|es)"
        r"|den(?:y|ies|ied)|reject(?:s|ed)?|confirm(?:s|ed)?|indeed|remain(?:s|ed)?"
        r"|continu(?:e|es|ed)|still)\b|n[’']t\b",
        regex.IGNORECASE,
    ),
    "quote": regex.compile(r"[“”\"]|\b(?:said|says|stated|stating|wrote|posted|told|noted"
                           r"|announced|responded|replied|articulated|memo)\b",
                           regex.IGNORECASE),
    "who": regex.compile(
        r"\b(?:ceo|cto|cfo|chief|head|lead|leader|founder|officer|president|director|researcher"
        r"|executive|manager|blogger|expert|scientist|engineer)\b"
        # Under IGNORECASE this is any two words, not only capitalised names, so nearly
        # every sentence that brings words beyond the question's counts. Kept on purpose:
        # names by case (the "who" cue alone) measured worse on SQuAD dev "who" questions
        # (answer-sentence accuracy, paragraph given: 0.799 -> 0.794; roles only: 0.716),
        # as many answers there are lower-case groups or open the sentence.
        r"|(?<!^)\b\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+",
        regex.IGNORECASE,
    ),
}


_HYPOTHETICAL = regex.compile(r"^\W*(?:if|unless|were|had|should|suppose|imagine)\b",
                              regex.IGNORECASE)
_ANAPHORIC = regex.compile(r"^(?:He|She|They|His|Her|Their|It|Its)\b")
_OPENS_QUOTE = regex.compile(r"^\W*[“\"]")


_AGE = regex.compile(r"\b\d+[- ]years?[- ]old\b|\baged? \d+|\b\d+, (?:who|was|is)\b",
                     regex.IGNORECASE)
_AMOUNT = regex.compile(
    r"[$€£¥]\s?\d|\d\s?%|\b\d[\d,.]*\s*(?:yuan|dollars?|euros?|pounds?|yen|rmb|usd"
    r"|percent|per cent|billion|million|thousand|trillion|tons?|kg|km|miles?)\b",
    regex.IGNORECASE,
)


# "How much was she paid?": the answer is money, not any large number.
_MONEY_WORDS = frozenset(
    "paid pay pays salary salaries cost costs costed earn earns earned earning earnings price"
    " priced worth spend spent spends fund funded funding raise raised invest invested"
    " investment valued valuation revenue revenues profit profits fine fined budget".split()
)
_MONEY = regex.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s*(?:(?:thousand|million|billion|trillion|k|m|bn)\s+)?"
    r"(?:yuan|dollars?|euros?|pounds?|yen|rmb|usd|hkd|eur|gbp)\b|\b(?:us|hk)\$",
    regex.IGNORECASE,
)


class AnswerConfig(BaseModel):
    """Answer selection settings (tuned on eval/gold.jsonl; see README, "Tuning")."""

    model_config = ConfigDict(frozen=True)

    passages: int = 5
    min_coverage: float = 0.4
    min_coverage_typed: float = 0.3
    missing_name_factor: float = 0.8
    unrelated_factor: float = 0.8  # the sentence (and the one before) names none of the names
    unknown_name_factor: float = 0.5
    min_specificity: float = 0.1
    min_content: float = 0.25
    type_bonus: float = 0.15
    passage_weight: float = 0.1
    phrase_weight: float = 0.05
    context_weight: float = 0.5
    second_ratio: float = 0.8
    related: int = 3


@dataclass
class _Unit:
    """A question concept: satisfied by any of its term alternatives."""

    weight: float
    alternatives: list[frozenset[str]]
    required: bool = False  # a name or number: must appear near any answer
    unknown: bool = False  # ... and the corpus never mentions it

    def met_by(self, terms: set[str] | frozenset[str]) -> bool:
        return any(alt <= terms for alt in self.alternatives)


@dataclass
class _Candidate:
    hit: Hit
    doc: Document
    span: Span
    position: int  # sentence number in the passage
    own: float = 0.0
    context: float = 0.0
    typed: bool = False
    missing_name: float = 1.0  # coverage factor: 1, or less when a name is not nearby
    content: float = 1.0  # share of the non-name concepts met in the sentence or context
    about: bool = True  # the sentence or its context names something the question names
    score: float = 0.0
    terms: frozenset[str] = field(default_factory=frozenset)

    def coverage(self, context_weight: float) -> float:
        return (self.own + context_weight * self.context) * self.missing_name


class Bot:
    """Question answering over a retriever: ``Bot.from_path().ask("why did Lin resign?")``."""

    def __init__(self, retriever: Retriever, config: AnswerConfig | None = None) -> None:
        self.retriever = retriever
        self.config = config or AnswerConfig()
        self.analyzer = retriever.analyzer
        self.entities = retriever.entities
        self._sentence_terms: dict[tuple[str, int], frozenset[str]] = {}
        self._titles: dict[str, frozenset[str]] = {}
        self._sorted_vocab: list[str] | None = None
        self._zipf = ZipfTable()
        self._equivalents = [
            [tuple(self.analyzer.tokenize(p)) for p in group] for group in _EQUIVALENT_PHRASES
        ]

    @classmethod
    def from_path(cls, path: str | Path | None = None) -> Bot:
        return cls(Retriever.from_path(path))

    # -- question analysis ---------------------------------------------------------------

    def _idf(self, term: str) -> float:
        n = self.retriever.index.n_passages
        df = self.retriever.index.document_frequency(term)
        return math.log(1.0 + n / (df if df else 0.5))

    def _specificity(self, question: str) -> dict[str, float]:
        """Per term, how informative its word is in general English (wordfreq's Zipf scale):
        question-framing words ("think", "get", "made") weigh little, rare words fully."""
        words = [w for w in self.analyzer.words(question) if self.analyzer.term(w)]
        zipf = self._zipf.zipf(words)
        out: dict[str, float] = {}
        for word in words:
            term = self.analyzer.term(word)
            assert term is not None
            term = self.retriever.known_term(term)
            value = min(1.0, max(self.config.min_specificity, (7.0 - zipf[word]) / 4.0))
            out[term] = min(out.get(term, 1.0), value)
        return out

    def _units(self, question: str) -> list[_Unit]:
        terms = self.retriever.query_terms(question)
        spec = self._specificity(question)
        units: list[_Unit] = []
        used: set[str] = set()
        # "Qwen 4", "Windows 11", "Qwen3.5": a number that names a version is part of the
        # name; "March 4" does not answer a question about "Qwen 4".
        for name, number in _numbered_names(question):
            parts = [self.retriever.known_term(t) for t in self.analyzer.tokenize(name)]
            numbers = self.analyzer.tokenize(number)
            if len(parts) != 1 or len(numbers) != 1:
                continue
            term, number = parts[0], numbers[0]
            # The number's unit asks for the pair; the name keeps its own unit.
            used.update((number, term + number))
            weight = self._idf(number)
            joined = self.retriever.index.document_frequency(term + number)
            units.append(_Unit(
                weight, [frozenset([f"{term} {number}"]), frozenset([term + number])],
                required=True, unknown=not joined and not self._numbered_in_corpus(term, number),
            ))
        for group in self.entities.mentions(question):
            forms = [frozenset(self.analyzer.tokenize(f)) for f in self.entities.forms(group)]
            forms = [f for f in forms if f]
            mentioned = [t for t in terms if any(t in f for f in forms)]
            if not mentioned:
                continue
            used.update(mentioned)
            weight = max(self._idf(t) * spec.get(t, 1.0) for t in mentioned)
            units.append(_Unit(weight, forms, required=True))
        for equivalents in self._equivalents:
            for phrase in equivalents:
                if phrase and _contains_run(terms, phrase) and not set(phrase) <= used:
                    used.update(phrase)
                    weight = max(self._idf(t) * spec.get(t, 1.0) for t in phrase)
                    units.append(_Unit(weight, [frozenset(p) for p in equivalents if p]))
        names = self._name_terms(question)
        for term in dict.fromkeys(terms):
            if term not in used:
                weight = self._idf(term) * spec.get(term, 1.0)
                unknown = self.retriever.index.document_frequency(term) == 0
                alts = [frozenset([term])] + [frozenset([v]) for v in self._derived(term)]
                units.append(_Unit(weight, alts, term in names, unknown))
        return units

    def _derived(self, term: str) -> list[str]:
        """Corpus terms that extend the stem or that it extends by a few letters
        ("europ" ~ "european", "departur" ~ "depart")."""
        if len(term) < 5 or not term.isalpha():
            return []
        if self._sorted_vocab is None:
            self._sorted_vocab = sorted(self.retriever.index.vocab)
        vocab = self._sorted_vocab
        out = []
        i = bisect.bisect_right(vocab, term)
        while i < len(vocab) and vocab[i].startswith(term):
            if len(vocab[i]) - len(term) <= 3 and vocab[i].isalpha():
                out.append(vocab[i])
            i += 1
        for n in range(max(5, len(term) - 3), len(term)):
            if self.retriever.index.document_frequency(term[:n]):
                out.append(term[:n])
        return out

    def _name_terms(self, question: str) -> set[str]:
        """Terms of capitalised words (not the first) and of words with digits."""
        out: set[str] = set()
        for i, m in enumerate(regex.finditer(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}.&'’]*", question)):
            word = m.group(0).rstrip(".")
            if (i > 0 and word[0].isupper() and word != "I") or any(c.isdigit() for c in word):
                out.update(self.analyzer.tokenize(word))
        return out

    def _sentence_before(self, passage_id: str, passage: Passage) -> frozenset[str]:
        """Terms of the sentence before the passage's first, when the same section has one
        (it sits in the previous passage): a passage's first sentence has context too."""
        if not passage.sentences:
            return frozenset()
        pos = self.retriever.passages.position(passage_id)
        if pos == 0:
            return frozenset()
        before = self.retriever.passages[pos - 1]
        first = passage.sentences[0].start
        if before.doc_id != passage.doc_id or before.section != passage.section:
            return frozenset()
        earlier = [sp for sp in before.sentences if sp.end <= first]
        return self._terms(passage.doc_id, earlier[-1]) if earlier else frozenset()

    def search_terms(self, question: str) -> list[str]:
        """The question's terms, plus, once each, the terms of the other names of the entities
        it mentions and of the spelled-out (or abbreviated) forms of its phrases ("chief
        executive" adds "ceo"). Repeating a term would multiply its weight in BM25 and drown
        the words that say what is asked about the entity. "The author" is not searched for
        (see ``author_voice``)."""
        terms = self.retriever.query_terms(author_voice(question)[0])
        extra: list[str] = []
        for group in self.entities.mentions(question):
            for form in self.entities.forms(group):
                extra += self.retriever.query_terms(form)
        for equivalents in self._equivalents:
            if any(p and _contains_run(terms, p) for p in equivalents):
                extra += [t for p in equivalents for t in p]
        seen = set(terms)
        return terms + [t for t in dict.fromkeys(extra) if t not in seen]

    # -- sentence scoring ----------------------------------------------------------------

    def _terms(self, doc_id: str, span: Span) -> frozenset[str]:
        """A sentence's terms plus its adjacent term pairs: numbered names ("qwen 4") and the
        question's phrases ("alibaba cto") are matched as pairs."""
        key = (doc_id, span.start)
        cached = self._sentence_terms.get(key)
        if cached is None:
            tokens = self.analyzer.tokenize(span.text)
            cached = frozenset(tokens).union(_pairs(tokens))
            self._sentence_terms[key] = cached
        return cached

    def _title_terms(self, doc: Document) -> frozenset[str]:
        cached = self._titles.get(doc.id)
        if cached is None:
            cached = self._titles[doc.id] = frozenset(self.analyzer.tokenize(doc.title))
        return cached

    def _numbered_in_corpus(self, term: str, number: str) -> bool:
        """Whether any passage holding both parts has them side by side ("Qwen 4")."""
        pair = f"{term} {number}"
        return any(pair in _pairs(self.analyzer.tokenize(hit.text))
                   for hit in self.retriever.search_terms([term, number], k=20))

    def _candidates(self, hits: Sequence[Hit], units: list[_Unit], qtype: QuestionType,
                    question: str) -> list[_Candidate]:
        total = sum(u.weight for u in units) or 1.0
        content_total = sum(u.weight for u in units if not u.required)
        top = hits[0].score if hits and hits[0].score > 0 else 1.0
        seen: set[tuple[str, int]] = set()
        out: list[_Candidate] = []
        cue = _CUES.get(qtype)
        question_words = word_set(question)
        cfg = self.config
        # The question's adjacent term pairs: a sentence with them side by side says it
        # the question's way ("Alibaba CTO" over "Alibaba Cloud CTO").
        q_terms = self.retriever.query_terms(question)
        # Not for "why": there, saying it the question's way is the risk (a restatement).
        phrases = ({f"{a} {b}" for a, b in itertools.pairwise(q_terms) if a != b}
                   if qtype != "why" else set())
        for hit in hits:
            passage = self.retriever.passage(hit.passage_id)
            doc = self.retriever.document(hit.doc_id)
            heading = frozenset(self.analyzer.tokenize(passage.section or ""))
            # The title says what the whole article is about: a name in it is near every
            # sentence of the article.
            nearby = heading.union(self._title_terms(doc),
                                   *(self._terms(doc.id, sp) for sp in passage.sentences))
            previous = heading | self._sentence_before(hit.passage_id, passage)
            for i, span in enumerate(passage.sentences):
                terms = self._terms(doc.id, span)
                key = (doc.id, span.start)
                context = previous | heading
                previous = terms
                if key in seen:
                    continue
                seen.add(key)
                own = sum(u.weight for u in units if u.met_by(terms)) / total
                ctx = sum(
                    u.weight for u in units if not u.met_by(terms) and u.met_by(context)
                ) / total
                if _ANAPHORIC.match(span.text):
                    # "He reported directly to ...": the previous sentence says who "he" is,
                    # so its names count in full; its other words only as context.
                    names = sum(
                        u.weight for u in units
                        if u.required and not u.met_by(terms) and u.met_by(context)
                    ) / total
                    own, ctx = own + names, ctx - names
                # A name the corpus never mentions is a strong sign the articles can't answer;
                # one that is mentioned, only not near this sentence, a weak one.
                missing = 1.0
                for u in units:
                    if u.required and not u.met_by(nearby):
                        # A yes/no question asserts a relation between its names: one
                        # missing near the answer counts like one the corpus lacks.
                        factor = (cfg.unknown_name_factor if u.unknown or qtype == "yes-no"
                                  else cfg.missing_name_factor)
                        missing = min(missing, factor)
                # Only a question that asks something beyond its names can miss its point.
                content = (
                    sum(u.weight for u in units if not u.required and u.met_by(terms | context))
                    / content_total if content_total >= 0.3 * total else 1.0
                )
                typed = bool(cue and _typed(cue, qtype, span.text, question_words))
                about = not any(u.required for u in units) or any(
                    u.required and u.met_by(terms | context) for u in units)
                if not about:
                    missing *= cfg.unrelated_factor
                cand = _Candidate(hit, doc, span, i, own, ctx, typed, missing, content, about,
                                  0.0, terms)
                cand.score = (
                    cand.coverage(cfg.context_weight)
                    + (cfg.type_bonus if typed else 0.0)
                    + cfg.passage_weight * max(hit.score, 0.0) / top
                    + (cfg.phrase_weight * len(phrases & terms) / len(phrases)
                       if phrases else 0.0)
                )
                out.append(cand)
        out.sort(key=lambda c: (-c.score, c.hit.rank, c.span.start))
        return out

    # -- answering -----------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[Turn] = (), k: int | None = None,
            doc_ids: Collection[str] | None = None) -> Answer:
        """Answer ``question`` from the articles (or only ``doc_ids``), citing every sentence."""
        text, _ = clean(question)
        interpreted = rewrite(text, history, self.entities) if text else text
        if not text:
            return self._abstain(question, interpreted, [], "Please ask a question.")
        k = self.config.passages if k is None else k
        qtype = classify(interpreted)
        if qtype == "date-attribution":
            dated = self._date_attribution(question, interpreted, k, doc_ids)
            if dated is not None:
                return dated
        # "What does the author think ...": the article's voice, not a quotation, and not
        # a word to look for.
        asked, voice = author_voice(interpreted)
        if voice and qtype == "quote":
            qtype = "what"
        units = self._units(asked)
        if not units:
            return self._abstain(question, interpreted, [], NO_CONTENT)
        hits = self.retriever.search_terms(self.search_terms(asked), k=max(k, 1),
                                           doc_ids=doc_ids)
        if not hits:
            return self._abstain(question, interpreted, hits, NOT_IN_ARTICLES)
        ranked = self._candidates(hits, units, qtype, asked)
        best = ranked[0]
        money = qtype == "how-many" and _wants_money(word_set(interpreted))
        if money:
            # Only an amount of money answers "how much was she paid?": the best sentence
            # that gives one, or none.
            best = next((c for c in ranked if c.typed and c.about), best)
        coverage = self._coverage(best)
        typed = best.typed and best.about
        needed = self.config.min_coverage_typed if typed else self.config.min_coverage
        if coverage < needed or (best.content < self.config.min_content and not typed) or (
                money and not typed):
            return self._abstain(question, interpreted, hits, NOT_IN_ARTICLES, coverage)
        chosen = self._select(best, ranked, qtype, asked)
        confidence = min(1.0, coverage * (1.0 if best.typed or qtype == "what" else 0.85))
        return self._compose(question, interpreted, chosen, confidence, qtype)

    def _coverage(self, cand: _Candidate) -> float:
        return cand.coverage(self.config.context_weight)

    def _select(self, best: _Candidate, ranked: list[_Candidate], qtype: QuestionType,
                question: str) -> list[_Candidate]:
        """The best sentence, plus another article's best when it answers nearly as well,
        plus (for "why") the neighbouring sentence that carries the reason, or (for "who")
        the one that names the person."""
        chosen = [best]
        floor = max(self.config.min_coverage, best.own * self.config.second_ratio)
        for cand in ranked[1:]:
            if cand.doc.id != best.doc.id and cand.own >= floor and (
                cand.score >= best.score * self.config.second_ratio
            ):
                chosen.append(cand)
                break
        near: _Candidate | None = None
        if qtype == "why" and not best.typed:
            # The reason is often next door: a neighbour with a reason word, or, when the
            # answer opens with a pronoun ("His determination ..."), the sentence before it.
            anaphoric = bool(_ANAPHORIC.match(best.span.text))
            near = next((c for before, c in self._neighbours(best, ranked)
                         if c.typed or (before and anaphoric)), None)
        question_words = word_set(question)
        if qtype == "who" and (_ANAPHORIC.match(best.span.text) or _OPENS_QUOTE.match(
                best.span.text)) and not _names_someone(best.span.text, question_words):
            # "He reported ...", "“If you judge ...”": the sentence before or after says who.
            near = next((c for _, c in self._neighbours(best, ranked)
                         if _names_someone(c.span.text, question_words)), None)
        if near is not None:
            chosen.insert(1, near)
        if qtype == "yes-no" and not any(c.typed for c in chosen):
            # The closest sentence neither asserts nor denies ("If Alibaba were to abandon
            # ..."): add the best one that does, when it is about the question's names and
            # covers it nearly as well as an answer must.
            for cand in ranked[1:]:
                if cand.typed and cand.about and cand.own >= self.config.min_coverage:
                    chosen.append(cand)
                    break
        # Different dated articles: oldest first, so the reader sees who said what when;
        # otherwise best first. Within one article: reading order.
        if all(c.doc.date for c in chosen):
            chosen.sort(key=lambda c: (str(c.doc.date), c.doc.id, c.span.start))
        else:
            order = {c.doc.id: i for i, c in reversed(list(enumerate(chosen)))}
            chosen.sort(key=lambda c: (order[c.doc.id], c.span.start))
        return chosen

    def _neighbours(self, best: _Candidate, ranked: list[_Candidate]
                    ) -> list[tuple[bool, _Candidate]]:
        """The scored sentences just before and after ``best`` in its passage, each with
        whether it comes before."""
        lookup = {(c.doc.id, c.span.start): c for c in ranked}
        sentences = self.retriever.passage(best.hit.passage_id).sentences
        out = []
        for pos in (best.position - 1, best.position + 1):
            if 0 <= pos < len(sentences):
                near = lookup.get((best.doc.id, sentences[pos].start))
                if near is not None:
                    out.append((pos < best.position, near))
        return out

    def _compose(self, question: str, interpreted: str, chosen: list[_Candidate],
                 confidence: float, qtype: QuestionType) -> Answer:
        parts: list[str] = []
        citations: list[Citation] = []
        for cand in chosen:
            n = len(citations) + 1
            citations.append(_citation(n, cand.doc, cand.span.start, cand.span.end,
                                       round(cand.score, 4)))
            parts.append(f"{cand.span.text} [{n}]")
        return Answer(
            question=question,
            interpreted_as=interpreted,
            answer=" ".join(parts),
            abstained=False,
            confidence=round(confidence, 3),
            citations=citations,
            notes=_date_notes(chosen, citations, qtype),
        )

    def _abstain(self, question: str, interpreted: str, hits: Sequence[Hit], message: str,
                 coverage: float = 0.0) -> Answer:
        related = list(hits[: self.config.related])
        if related and message == NOT_IN_ARTICLES:
            message += " The closest passages are listed as related, not as an answer."
        return Answer(
            question=question,
            interpreted_as=interpreted,
            answer=message,
            abstained=True,
            confidence=round(1.0 - min(coverage, 1.0), 3) if hits else 1.0,
            citations=[],
            related=related,
        )

    def _date_attribution(self, question: str, interpreted: str, k: int,
                          doc_ids: Collection[str] | None = None) -> Answer | None:
        """"When was the piece that ... published?": find the article, answer from its date.

        The article is the one whose retrieved passages together cover most of the
        description; the citation is its best-matching sentence."""
        description = META_WORDS.sub(" ", interpreted)
        units = self._units(description)
        hits = self.retriever.search_terms(self.search_terms(description), k=max(k, 10),
                                     doc_ids=doc_ids)
        if not units or not hits:
            return None
        total = sum(u.weight for u in units) or 1.0
        by_doc: dict[str, set[str]] = {}
        for hit in hits:
            by_doc.setdefault(hit.doc_id, set()).update(
                self.analyzer.tokenize(f"{hit.section or ''} {hit.text}"))
        covered = {
            doc_id: sum(u.weight for u in units if u.met_by(terms)) / total
            for doc_id, terms in by_doc.items()
        }
        doc_id = max(covered, key=lambda d: (covered[d], -min(
            h.rank for h in hits if h.doc_id == d)))
        if covered[doc_id] < self.config.min_coverage_typed:
            return None
        ranked = self._candidates([h for h in hits if h.doc_id == doc_id], units, "what",
                                  description)
        # Cite the sentence that matches the most parts of the description ("compared the
        # rumours to dream analysis"), then the best score.
        best = max(ranked, key=lambda c: (sum(u.met_by(c.terms) for u in units), c.score))
        doc = best.doc
        cite = _citation(1, doc, best.span.start, best.span.end, round(best.score, 4))
        if doc.date is None:
            text = f"The article “{doc.title}” ({doc.source}) carries no publication date [1]."
        else:
            text = (
                f"The article “{doc.title}” ({doc.source}) was published on "
                f"{human_date(doc.date.isoformat())} ({doc.date.isoformat()}) [1]."
            )
        return Answer(
            question=question,
            interpreted_as=interpreted,
            answer=text,
            abstained=False,
            confidence=round(min(1.0, covered[doc_id]), 3),
            citations=[cite],
        )


def human_date(iso: str | None) -> str:
    """``2026-03-13`` -> ``13 Mar 2026``; unknown dates say so."""
    if not iso:
        return "date unknown"
    year, month, day = iso.split("-")
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"{int(day)} {names[int(month) - 1]} {year}"


def _date_notes(chosen: Sequence[_Candidate], citations: Sequence[Citation],
                qtype: QuestionType) -> list[str]:
    """Relative days ("this morning") resolved against the article's date; and, for a
    "when" question, a warning when the articles cited give no day in common."""
    notes: list[str] = []
    days: dict[str, list[tuple[int, set[date]]]] = {}
    for cand, cite in zip(chosen, citations, strict=True):
        refs = day_references(cand.span.text, cand.doc.date)
        for ref in refs:
            if ref.relative and cand.doc.date is not None:
                notes.append(f"[{cite.n}] “{ref.text}” = {human_date(ref.day.isoformat())} "
                             f"(the article is dated {human_date(cand.doc.date.isoformat())}).")
        if refs:
            days.setdefault(cand.doc.id, []).append((cite.n, {r.day for r in refs}))
    if qtype == "when" and len(days) > 1:
        per_doc = [set().union(*(d for _, d in entries)) for entries in days.values()]
        if not set.intersection(*per_doc):
            sides = "; ".join(
                ", ".join(sorted(human_date(d.isoformat()) for d in found)) + f" [{n}]"
                for entries in days.values() for n, found in entries
            )
            notes.append(f"The articles give different dates: {sides}. "
                         "They may be about different events; check the quotes.")
    return notes


def _citation(n: int, doc: Document, start: int, end: int, score: float) -> Citation:
    return Citation(
        n=n,
        doc_id=doc.id,
        title=doc.title,
        date=doc.date.isoformat() if doc.date else None,
        source=doc.source,
        quote=doc.text[start:end],
        start=start,
        end=end,
        score=score,
    )


_NUMBERED_NAME = regex.compile(
    rf"(?<=[\p{{L}}\p{{N}},;:]\s)(?!{MONTHS}\b)(\p{{Lu}}[\p{{L}}]*)[ -]?(\d+(?:\.\d+)?)"
    r"(?![\p{L}\p{N}]|[-–:/.,]\d)",
    regex.IGNORECASE,
)


def _numbered_names(question: str) -> list[tuple[str, str]]:
    """Capitalised words (not the question's first) directly followed by a version number:
    ("Qwen", "4"). Not a month ("March 4"), a year ("Spring 2026"), or a range ("Denver 0-4")."""
    out = []
    for m in _NUMBERED_NAME.finditer(question):
        if m.group(1)[0].isupper() and not regex.fullmatch(r"(?:1[89]|20)\d\d", m.group(2)):
            out.append((m.group(1), m.group(2)))
    return out


def _pairs(tokens: Sequence[str]) -> set[str]:
    """Adjacent tokens as "a b" strings."""
    return {f"{a} {b}" for a, b in itertools.pairwise(tokens)}


def _contains_run(terms: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(terms[i : i + n]) == phrase for i in range(len(terms) - n + 1))


_CAPITALISED_RUN = regex.compile(r"\p{Lu}[\p{Ll}’'-]+(?:\s+\p{Lu}[\p{Ll}’'-]+)+")


def _names_someone(sentence: str, question_words: set[str]) -> bool:
    """Whether the sentence has a run of capitalised words ("Xinyu Yang") the question lacks."""
    for m in _CAPITALISED_RUN.finditer(sentence):
        if not word_set(m.group(0)) <= question_words:
            return True
    return False


def _wants_money(question_words: set[str]) -> bool:
    """'How much was she paid?': only an amount of money answers it."""
    return {"how", "much"} <= question_words and bool(question_words & _MONEY_WORDS)


def _typed(cue: regex.Pattern[str], qtype: QuestionType, sentence: str,
           question_words: set[str]) -> bool:
    """Whether the sentence holds the kind of thing the question asks for."""
    if qtype == "how-many":
        sentence = _CUES["when"].sub(" ", sentence)  # a date is not a quantity
        if {"how", "old"} <= question_words:
            cue = _AGE
        elif _wants_money(question_words):
            cue = _MONEY
        elif {"how", "much"} <= question_words:
            cue = _AMOUNT
    if qtype == "yes-no" and _HYPOTHETICAL.match(sentence):
        return False  # "If Alibaba were to abandon ..., it would not ...": asserts nothing
    for m in cue.finditer(sentence):
        if qtype != "who":
            return True
        # A person or role the question did not already name.
        if not set(regex.findall(r"\p{L}+", m.group(0).casefold())) <= question_words:
            return True
    return False
