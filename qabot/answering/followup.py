"""Follow-up questions: resolve what leans on the conversation before the question is read.

- "he", "she", "his", ... with no name before them in the question stand for the person of
  the previous turn: the person its answer named when it asked "who", else the first name
  in the previous question (or, failing that, in its answer).
- "it", "its", and a closing "that"/"this" stand for the previous turn's event: its
  question's content words are carried along, shown as "(it: ...)".
- "and Jiang Fang?" / "what about X?" asks the previous question again about X.
- A bare "why?", "when?", "where?" asks it of the previous turn's event.
- With no earlier turn a personal pronoun cannot be resolved, and qabot asks back.

In a conversation every question is first answered from the articles the previous answer
cited (``focus``): a conversation is about what it has been citing, and a follow-up does not
always say so ("What was killing him?"). When those articles give nothing sure enough, the
whole folder is searched.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex
from pydantic import BaseModel, ConfigDict

from qabot.answering.query import classify
from qabot.models import Turn
from qabot.text.analysis import normalize, surface_words
from qabot.text.entities import EntityTable, name_runs
from qabot.text.lexicon import (
    AUXILIARIES,
    ELLIPSIS_OPENERS,
    MONTH_NAMES,
    PERSONAL_PRONOUNS,
    STOPWORDS,
    WEEKDAYS,
    WH_WORDS,
)


class Resolution(BaseModel):
    """A question as it will be read, after its references to earlier turns are resolved."""

    model_config = ConfigDict(frozen=True)

    text: str
    followup: bool = False  # it leans on an earlier turn
    # The articles the previous answer cited: searched first, then the whole folder.
    focus: tuple[str, ...] = ()
    clarify: str | None = None  # a question back to the reader instead of an answer


_PERSON = regex.compile(r"\b(he|him|she|his|hers|her)\b", regex.IGNORECASE)
_OBJECT = regex.compile(r"\b(him|her)\b(?!\s*self)", regex.IGNORECASE)
# "it"/"its" anywhere; "that"/"this" as a subject after an auxiliary ("why did that
# happen?") or closing the question ("who said that?").
_THING = regex.compile(
    r"\b(?:it|its)\b|(?<=\b(?:" + "|".join(sorted(AUXILIARIES)) + r")\s)(?:that|this)\b"
    r"|\b(?:that|this)(?=\s*[?.!]*\s*$)",
    regex.IGNORECASE,
)
_ELLIPSIS = regex.compile(
    r"^(?:" + "|".join(regex.escape(o) for o in ELLIPSIS_OPENERS) + r")\s+(.+?)[\s?.!]*$",
    regex.IGNORECASE,
)
_SUFFIX = regex.compile(r"\s\((?:it|that|this|of): [^()]*\)$")


_SENTENCE_START = regex.compile(r"(?:^|[.!?…]\s+|\n)\W*$")


def _names(text: str, entities: EntityTable) -> list[tuple[int, str]]:
    """Names in ``text`` with their positions: known entity forms, and runs of capitalised
    words; a single capitalised word that opens a sentence ("According", "At") is not
    taken for a name, nor is a question word."""
    found = [(start, name) for start, _, name in name_runs(text)
             if normalize(name.split()[0]) not in WH_WORDS | AUXILIARIES
             and (len(name.split()) > 1 or not _SENTENCE_START.search(text[:start]))
             and not _a_date(name)]
    folded = normalize(text)
    for group in entities.mentions(text):
        for form in entities.forms(group):
            pos = folded.find(form)
            if pos >= 0:
                found.append((pos, text[pos : pos + len(form)]))
                break
    return sorted(found)


def _a_date(run: str) -> bool:
    """Whether a run of capitalised words is a date, not a name: its words past a leading
    stopword ("On March", "In May") are all month or weekday names (an answer that opens
    "On March 5, 2026, Alibaba CEO Wu Yongming…" made "he" mean "On March")."""
    rest = [normalize(w) for w in run.split()]
    while rest and rest[0] in STOPWORDS:
        rest.pop(0)
    return bool(rest) and all(w in _CALENDAR for w in rest)


_CALENDAR = frozenset(MONTH_NAMES) | WEEKDAYS


def _asks(text: str) -> bool:
    """Whether ``text`` opens as a question of its own: a question word or an auxiliary."""
    found = surface_words(text)
    return bool(found) and normalize(found[0][2]) in WH_WORDS | AUXILIARIES


def main_entity(text: str, entities: EntityTable) -> str | None:
    """The first name mentioned in ``text``."""
    names = _names(_SUFFIX.sub("", text), entities)
    return names[0][1] if names else None


def _new_name(answer: str, question: str, entities: EntityTable) -> str | None:
    """The first name in ``answer`` that ``question`` did not already hold."""
    asked = {normalize(w) for _, _, w in surface_words(question)}
    for _, name in _names(answer, entities):
        if not {normalize(w) for _, _, w in surface_words(name)} <= asked:
            return name
    return None


# "Who is Zhou Hao?": the question is about the person it names (the whole rest of it);
# "Who is Alibaba's CTO?" asks for someone new.
_WHO_IS = regex.compile(r"^\W*(?i:who\s+(?:is|was|are|were))\s+(?:\p{Lu}[\p{L}.-]*\s*)+\W*$")


def salient_person(last: Turn, entities: EntityTable) -> str | None:
    """Who "he"/"she" means after ``last``: the person "he"/"she" meant in it, when its
    question had one (a pronoun kept from turn to turn keeps its referent: "who did he
    report to?" then "when did he join?" are both about the same man, as Centering Theory
    has it); else the person its answer named when it asked "who" about someone new ("Who
    leads Alibaba?"); else the first name of its question ("Who is Zhou Hao?" is about Zhou
    Hao), else of its answer."""
    if _PERSON.search(last.question) and last.interpreted_as != last.question:
        kept = _new_name(_SUFFIX.sub("", last.interpreted_as), last.question, entities)
        if kept:
            return kept
    asks_new = classify(last.interpreted_as) == "who" and not _WHO_IS.match(
        last.interpreted_as)
    if not last.abstained and asks_new:
        person = _new_name(last.answer, last.interpreted_as, entities)
        if person:
            return person
    return main_entity(last.interpreted_as, entities) or (
        None if last.abstained else main_entity(last.answer, entities))


def event(last: Turn) -> str:
    """What "it" or a bare "why?" is about: the previous question as a clause, without its
    question word and auxiliary ("Why did Tom Green sell the farm?" -> "Tom Green sell the
    farm")."""
    text = _SUFFIX.sub("", last.interpreted_as).strip().rstrip("?.!").strip()
    words = surface_words(text)
    i = 0
    while i < len(words) and normalize(words[i][2]) in WH_WORDS | AUXILIARIES:
        i += 1
    return text[words[i][0] :] if i < len(words) else ""


def _content(text: str) -> list[str]:
    return [w for _, _, w in surface_words(text)
            if normalize(w) not in STOPWORDS | WH_WORDS | AUXILIARIES]


def _antecedent_before(text: str, pos: int) -> bool:
    """Whether a name, or a noun after a determiner, comes before ``pos`` in the question."""
    words = surface_words(text[:pos])
    for i, (_, _, w) in enumerate(words):
        if i and w[0].isupper() and w != "I":
            return True
        if i and normalize(words[i - 1][2]) in ("the", "a", "an"):
            return True
    return False


def resolve(question: str, history: Sequence[Turn], entities: EntityTable) -> Resolution:
    """``question`` with its references to earlier turns resolved (see the module's doc)."""
    opened = _ELLIPSIS.match(question)
    if opened and _asks(opened.group(1)):
        # "and when did he announce it?" is a whole question after "and", not an ellipsis
        # ("and Zhou Hao?"): the opener goes, the question is resolved on its own.
        question = question[opened.start(1) :]
    person = _PERSON.search(question)
    if person and _antecedent_before(question, person.start()):
        # "Why did the CEO say he left?": the question names its own referent, unless an
        # object pronoun points elsewhere ("how did Lin respond to him?").
        person = _OBJECT.search(question)
    if not history:
        if person is not None:
            return Resolution(text=question,
                              clarify=f"Who do you mean by “{person.group(0)}”? "
                                      "Please ask again with the name.")
        return Resolution(text=question)
    last = history[-1]
    focus = () if last.abstained else last.doc_ids
    ellipsis = _ELLIPSIS.match(question)
    if ellipsis:
        subject = main_entity(last.interpreted_as, entities)
        new = ellipsis.group(1)
        base = _SUFFIX.sub("", last.interpreted_as)
        if subject and subject in base:
            text = base.replace(subject, new, 1)
        else:
            text = f"{base.rstrip('?.! ')} ({new})?"
        return Resolution(text=text, followup=True, focus=focus)
    text = question
    changed = False
    if person is not None:
        referent = salient_person(last, entities)
        if referent:
            suffix = PERSONAL_PRONOUNS[person.group(1).casefold()]
            text = text[: person.start()] + referent + suffix + text[person.end() :]
            changed = True
    words = {normalize(w) for _, _, w in surface_words(text)}
    bare = not _content(text) and bool(words & WH_WORDS)
    thing = _THING.search(text)
    if bare or thing:
        topic = event(last)
        if topic and not {normalize(w) for _, _, w in surface_words(topic)} <= words:
            label = "of" if bare else thing.group(0).casefold() if thing else "it"
            text = f"{text.rstrip()} ({label}: {topic})"
            changed = True
    return Resolution(text=text, followup=changed, focus=focus)
