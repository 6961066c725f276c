"""Read a question: clean it, find the kind of answer it expects, and weigh its terms."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Literal

import regex
from pydantic import BaseModel, ConfigDict

from qabot.answering.cues import negated
from qabot.text.analysis import normalize, surface_words
from qabot.text.lexicon import (
    AGE_UNITS,
    AUXILIARIES,
    CAUSE_VERBS,
    DISTANCE_UNITS,
    DOCUMENT_NOUNS,
    DURATION_UNITS,
    EARLIEST_WORDS,
    LATEST_WORDS,
    PERSON_HEADS,
    PLACE_HEADS,
    PUBLISH_VERBS,
    QUANTITY_HEADS,
    SAYING_VERBS,
    TIME_HEADS,
    WH_WORDS,
)
from qabot.text.timeref import day_references

if TYPE_CHECKING:
    from qabot.retrieval.retriever import Retriever

Kind = Literal["who", "when", "where", "how-many", "why", "quote", "yes-no", "what"]
KINDS: tuple[Kind, ...] = ("who", "when", "where", "how-many", "why", "quote", "yes-no", "what")
MAX_QUESTION_CHARS = 2000

_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}\u2028\u2029]")
_SPACE = regex.compile(r"\s+")


def clean(question: str) -> tuple[str, bool]:
    """Control characters removed, white space collapsed, length bounded; (text, truncated)."""
    text = _SPACE.sub(" ", _CONTROL.sub(" ", question)).strip()
    if len(text) > MAX_QUESTION_CHARS:
        return text[:MAX_QUESTION_CHARS].rsplit(" ", 1)[0], True
    return text, False


def _words(text: str) -> list[str]:
    return [normalize(w) for _, _, w in surface_words(text)]


def classify(text: str) -> Kind:
    """The kind of answer a question expects, from its first question word (Li and Roth's
    coarse classes: a person, a time, a place, a quantity, a reason), "yes-no" for a
    question that opens with an auxiliary, "quote" for what someone said."""
    words = _words(text)
    wh = next((i for i, w in enumerate(words) if w in WH_WORDS), None)
    if wh is None:
        if words and words[0] in AUXILIARIES:
            return "yes-no"
        return "what"
    word = words[wh]
    after = words[wh + 1 : wh + 4]
    if word == "why" or (word == "how" and after[:1] == ["come"]):
        return "why"
    if word == "how":
        if after[:1] and after[0] in ("many", "much", "long", "old", "far", "big", "large",
                                     "fast", "often", "tall", "high", "wide", "deep"):
            return "how-many"
        return "what"
    if word == "when":
        return "when"
    if word == "where":
        return "where"
    if word in ("who", "whom", "whose"):
        return "who"
    # what / which: the head noun says more ("what year", "which city", "what caused").
    head = next((w for w in after if w not in ("the", "a", "an", "kind", "type", "of")), "")
    if head in TIME_HEADS:
        return "when"
    if head in PLACE_HEADS:
        return "where"
    if head in PERSON_HEADS:
        return "who"
    if head in QUANTITY_HEADS:
        return "how-many"
    if head in CAUSE_VERBS or head in ("reason", "reasons"):
        return "why"
    if any(w in SAYING_VERBS for w in words[wh + 1 :]):
        return "quote"
    return "what"


_ABOUT_ARTICLE = regex.compile(
    r"\b(?:when|what (?:day|date)|which (?:day|date))\b.*\b(?:"
    + "|".join(DOCUMENT_NOUNS) + r")\b.*\b(?:" + "|".join(PUBLISH_VERBS) + r")\b"
    r"|\bpublication date\b",
    regex.IGNORECASE,
)


def about_article(text: str) -> bool:
    """Whether the question asks for an article's own publication date ("When was the piece
    that ... published?"): metadata, which the answer states from the cited article."""
    return bool(_ABOUT_ARTICLE.search(text))


_ARTICLE_WORDS = regex.compile(
    r"\b(?:" + "|".join(regex.escape(w) for w in (*DOCUMENT_NOUNS, *PUBLISH_VERBS))
    + r"|publication|date)s?\b", regex.IGNORECASE)


def article_description(text: str) -> str:
    """What an "about the article" question says of the article's content: the words for a
    piece of writing and for publishing are not in its text and are not searched for."""
    return _SPACE.sub(" ", _ARTICLE_WORDS.sub(" ", text)).strip()


class QueryTerm(BaseModel):
    """One concept of the question: satisfied by any of its alternative term sets (its own
    term, a derived form in the corpus, or another name of the same entity)."""

    model_config = ConfigDict(frozen=True)

    term: str
    idf: float
    alternatives: tuple[frozenset[str], ...]
    name: bool = False  # from a capitalised word (not the first) or a word with digits
    number: bool = False
    known: bool = True  # the corpus has it
    specificity: float = 1.0  # how informative the word is in general English, 0.1..1

    @property
    def weight(self) -> float:
        """idf times specificity: rare in the corpus and informative in English. In a small
        folder idf alone gives a common verb the folder happens not to use ("run") more
        weight than the names asked about."""
        return self.idf * self.specificity

    def met_by(self, terms: frozenset[str] | set[str]) -> bool:
        return any(alt <= terms for alt in self.alternatives)


class Query(BaseModel):
    """What the rest of the pipeline needs to know about a question."""

    model_config = ConfigDict(frozen=True)

    question: str  # as asked
    text: str  # as interpreted (follow-ups rewritten)
    kind: Kind
    about_article: bool
    terms: tuple[QueryTerm, ...]
    search: tuple[str, ...]  # BM25 query terms
    pairs: frozenset[str]  # adjacent term pairs of the question, "a b"
    sequence: tuple[str, ...]  # every word in order: terms as the corpus spells them, and
    # stopwords as they are (Analyzer.sequence)
    words: frozenset[str]  # the question's words, casefolded (stopwords included)
    negated: bool
    units: frozenset[str] = frozenset()  # terms a how-many question expects after a number
    days: frozenset[date] = frozenset()  # days the question names with their year
    recency: int = 0  # 1: asks for the latest report; -1: the earliest; 0: neither



def idf(retriever: Retriever, term: str) -> float:
    """Passage-level inverse document frequency, log(1 + N / df); unseen terms count as
    half a passage (the rarest possible)."""
    df = retriever.document_frequency(term)
    return math.log(1.0 + retriever.passage_count / (df if df else 0.5))


def _name_terms(retriever: Retriever, text: str) -> tuple[set[str], set[str]]:
    """Terms of capitalised words (not the first word) and terms of words with digits."""
    names: set[str] = set()
    numbers: set[str] = set()
    for i, (_, _, word) in enumerate(surface_words(text)):
        if any(c.isdigit() for c in word):
            numbers.update(retriever.query_terms(word))
        elif i > 0 and word[0].isupper() and word != "I":
            names.update(retriever.query_terms(word))
    return names, numbers


class QueryReader:
    """Builds ``Query`` records against one retriever's corpus statistics."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        from qabot.text.frequency import ZipfTable

        self._zipf = ZipfTable()

    def units(self, text: str) -> set[str]:
        """``expected_units`` as index terms."""
        return {t for w in expected_units(text) for t in self.retriever.query_terms(w)}

    def derived(self, term: str) -> list[str]:
        """Corpus terms that extend the stem by up to 3 letters or that it extends ("europ" ~
        "european", "departur" ~ "depart"): stems the stemmer did not join."""
        if len(term) < 5 or not term.isalpha():
            return []
        vocab = self.retriever.vocabulary()
        out = []
        i = bisect.bisect_right(vocab, term)
        while i < len(vocab) and vocab[i].startswith(term):
            if len(vocab[i]) - len(term) <= 3 and vocab[i].isalpha():
                out.append(vocab[i])
            i += 1
        for n in range(max(5, len(term) - 3), len(term)):
            if self.retriever.document_frequency(term[:n]):
                out.append(term[:n])
        return out

    def specificity(self, text: str) -> dict[str, float]:
        """Per term, how informative its word is in general English on wordfreq's Zipf scale:
        (7 - zipf) / 4 clipped to 0.1..1, so "the" (7.7) weighs 0.1, "resign" (4.0) 0.75 and
        words outside the commonest 50,000 1.0."""
        analyzer = self.retriever.analyzer
        words = [w for w in analyzer.words(text) if analyzer.term(w)]
        zipf = self._zipf.zipf(words)
        out: dict[str, float] = {}
        for word in words:
            term = analyzer.term(word)
            assert term is not None
            term = self.retriever.known_term(term)
            value = min(1.0, max(0.1, (7.0 - zipf[word]) / 4.0))
            out[term] = min(out.get(term, 1.0), value)
        return out

    def read(self, question: str, text: str | None = None) -> Query:
        """The ``Query`` of ``question`` (asked as ``text`` after a follow-up rewrite)."""
        text = question if text is None else text
        article = about_article(text)
        asked = article_description(text) if article else text
        retriever = self.retriever
        entities = retriever.entities
        tokens = retriever.query_terms(asked)
        names, numbers = _name_terms(retriever, asked)
        spec = self.specificity(asked)
        terms: list[QueryTerm] = []
        used: set[str] = set()
        extra: list[str] = []
        for group in entities.mentions(asked):
            forms = [frozenset(retriever.query_terms(f)) for f in entities.forms(group)]
            forms = [f for f in dict.fromkeys(forms) if f]
            mentioned = [t for t in tokens if any(t in f for f in forms) and t not in used]
            if not mentioned:
                continue
            used.update(mentioned)
            extra += [t for f in forms for t in sorted(f)]
            best = max(mentioned, key=lambda t: idf(retriever, t))
            terms.append(QueryTerm(
                term=" ".join(mentioned), idf=idf(retriever, best), alternatives=tuple(forms),
                name=True, known=True, specificity=spec.get(best, 1.0)))
        for term in dict.fromkeys(tokens):
            if term in used:
                continue
            alts = (frozenset([term]), *(frozenset([d]) for d in self.derived(term)))
            terms.append(QueryTerm(
                term=term, idf=idf(retriever, term), alternatives=alts,
                name=term in names, number=term in numbers,
                known=bool(retriever.document_frequency(term)),
                specificity=spec.get(term, 1.0)))
        seen = set(tokens)
        search = tokens + [t for t in dict.fromkeys(extra) if t not in seen]
        words = frozenset(_words(asked))
        analyzer = retriever.analyzer
        sequence: list[str] = []
        for word in analyzer.words(asked):
            found = analyzer.term(word)
            sequence.append(retriever.known_term(found) if found else word)
        return Query(
            question=question, text=text, kind=classify(text), about_article=article,
            terms=tuple(terms), search=tuple(search), pairs=frozenset(pairs(tokens)),
            sequence=tuple(sequence), units=frozenset(self.units(asked)),
            words=words, negated=negated(words),
            days=frozenset(r.day for r in day_references(text, None)),
            recency=recency(text),
        )


def recency(text: str) -> int:
    """1 when ``text`` asks for the newest report ("the latest article"), -1 for the oldest,
    0 otherwise."""
    folded = " ".join(_words(text))
    def has(words: frozenset[str]) -> bool:
        return any(regex.search(rf"\b{regex.escape(w)}\b", folded) for w in words)
    return 1 if has(LATEST_WORDS) else -1 if has(EARLIEST_WORDS) else 0


def expected_units(text: str) -> list[str]:
    """The words a quantity question expects next to its number: what follows "how many"
    or "how much" ("how many monthly users" -> monthly, users), or the units of age,
    duration or distance for "how old", "how long", "how far"."""
    words = _words(text)
    for i, (a, b) in enumerate(itertools.pairwise(words)):
        if a != "how":
            continue
        if b in ("many", "much"):
            # The noun phrase before the verb: "how many monthly users did ..."
            return list(itertools.takewhile(lambda w: w not in AUXILIARIES,
                                            words[i + 2 : i + 5]))
        if b == "old":
            return list(AGE_UNITS)
        if b == "long":
            return list(DURATION_UNITS)
        if b == "far":
            return list(DISTANCE_UNITS)
    return []


def pairs(tokens: Sequence[str]) -> set[str]:
    """Adjacent tokens as "a b" strings."""
    return {f"{a} {b}" for a, b in itertools.pairwise(tokens)}
