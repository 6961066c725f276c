"""Reading a question: cleaning, its expected answer type, and follow-up rewriting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import regex

from qabot.analysis import STOPWORDS
from qabot.entities import EntityTable
from qabot.models import Turn

QuestionType = Literal[
    "why", "when", "who", "how-many", "quote", "yes-no", "date-attribution", "what"
]
MAX_QUESTION_CHARS = 2000

_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}\u2028\u2029]")
_SPACE = regex.compile(r"\s+")

_DOC_WORDS = r"(?:article|piece|story|report|post|column|essay|op-?ed|write-?up|text|blog)"
_PUBLISH = (
    r"(?:published|come out|came out|written|released|appear(?:ed)?|run|ran|dated|posted|"
    r"out|publish)"
)
_DATE_ATTRIBUTION = regex.compile(
    rf"\b(?:(?:when|what (?:day|date|time)|which (?:day|date))\b.*\b{_DOC_WORDS}\b.*\b{_PUBLISH}\b"
    rf"|publication date|date of (?:the|that) {_DOC_WORDS}|when was .*\b{_DOC_WORDS}\b"
    rf"|(?:which|what) {_DOC_WORDS}\b.*\bwhen\b.*\b{_PUBLISH}\b)",
    regex.IGNORECASE,
)
# Words that describe the article rather than its content: dropped from the search query.
META_WORDS = regex.compile(
    rf"\b(?:{_DOC_WORDS}s?|{_PUBLISH}|publication|date|day|when|which|what|that|the|was|is"
    rf"|did|does|of|one|first|second|quotes?|quoting|mentions?|mentioning|lists?|cites?)\b",
    regex.IGNORECASE,
)
_YES_NO = regex.compile(
    r"^(?:is|are|was|were|do|does|did|will|would|can|could|has|have|had|should|shall)\b",
    regex.IGNORECASE,
)
_QUOTE = regex.compile(
    r"\b(?:what|how)\b.*\b(?:say|said|says|write|wrote|written|post|posted|tweet|tweeted|"
    r"state|stated|announce|announced|reply|replied|respond|responded|tell|told|call|called|"
    r"memo|email|message)\b",
    regex.IGNORECASE,
)


def clean(question: str) -> tuple[str, bool]:
    """Control characters removed, white space collapsed, length bounded; (text, truncated)."""
    text = _SPACE.sub(" ", _CONTROL.sub(" ", question)).strip()
    if len(text) > MAX_QUESTION_CHARS:
        return text[:MAX_QUESTION_CHARS].rsplit(" ", 1)[0], True
    return text, False


_AUX = (r"(?:do|does|did|is|are|was|were|has|have|had|will|would|can|could|should|might|may"
        r"|must)\b")

# Checked in order; the first pattern that matches gives the question's type.
_KINDS: list[tuple[QuestionType, regex.Pattern[str]]] = [
    ("date-attribution", _DATE_ATTRIBUTION),
    ("why", regex.compile(r"\bwhy\b|\bwhat (?:made|caused|led|drove|prompted)\b|\breasons?\b"
                          r"|\bhow come\b")),
    ("how-many", regex.compile(r"\bhow (?:many|much|fast|big|large|long|old)\b|\bwhat "
                               r"(?:percentage|share|number|amount)\b|\bby what (?:percentage"
                               r"|factor)\b|\bhow .* times\b")),
    # "when" asks for a time when it opens the question (or ends it: "he left when?");
    # "What did he write when he quit?" asks for what he wrote.
    ("when", regex.compile(r"^\W*(?:(?:and|so|but|then|ok|okay|also)\W+)?when\b|\bwhen\W*$"
                           r"|\b(?:since|until|till|by|from) when\b"
                           r"|\bwhat (?:day|date|year|month|time)\b"
                           r"|\bon what (?:day|date)\b|\bwhich (?:day|date|year|month)\b")),
    # "Which blogger ...", "which Qwen team members ..." ask for people; "what does
    # the writer say" does not.
    ("who", regex.compile(
        r"\bwho(?:m|se)?\b|\b(?:which|what) (?:(?!" + _AUX + r")\w+ ){0,2}(?:person|people"
        r"|executives?|members?|leaders?|researchers?|bloggers?|officials?|analysts?|experts?"
        r"|scientists?|engineers?|founders?|journalists?|reporters?|authors?|writers?"
        r"|employees?|managers?|directors?|presidents?|ministers?|players?|coach(?:es)?"
        r"|actors?|actress(?:es)?|singers?|artists?|politicians?|investors?"
        r"|spokes(?:man|woman|person))\b|\b(?:role|job|title|position|post)\b")),
    ("quote", _QUOTE),
    ("yes-no", _YES_NO),
]


# "the author", "the first writer": the article's own voice. The text seldom uses the word,
# so it is not searched for. Not "who is the author", nor "the author of the book".
_AUTHOR = regex.compile(
    r"(?<!\bwho\s+(?:is|was|are|were)\s+)\bthe\s+(?:(?:first|second|third|earlier|later"
    r"|latest|other|original)\s+)?(?:author|writer|columnist)s?\b(?!\s+of\b)",
    regex.IGNORECASE,
)


def author_voice(question: str) -> tuple[str, bool]:
    """The question without its "the author"/"the writer", and whether it had one."""
    stripped, n = _AUTHOR.subn(" ", question)
    return (_SPACE.sub(" ", stripped).strip(), True) if n else (question, False)


# What ``rewrite`` appends for "it": context for the search, not part of what is asked.
_TOPIC_SUFFIX = regex.compile(r"\s\((?:it|that|this): [^()]*\)$")


def classify(question: str) -> QuestionType:
    """The kind of answer a question expects, from its wording."""
    q = _TOPIC_SUFFIX.sub("", question).casefold()  # "(it: ...)" is context, not the ask
    for kind, pattern in _KINDS:
        if pattern.search(q):
            return kind
    return "what"


_PERSONAL = {"he": "", "him": "", "she": "", "her": "", "his": "'s", "hers": "'s"}
_PRONOUN = regex.compile(r"\b(he|him|she|his|hers|her)\b", regex.IGNORECASE)
_OBJECT = regex.compile(r"\b(him|her)\b(?!\s*self)", regex.IGNORECASE)
_ELLIPSIS = regex.compile(
    r"^(?:and|what about|how about|and what about|same for|what of)\s+(.+?)[\s?.!]*$",
    regex.IGNORECASE,
)
_NAME = regex.compile(r"\p{Lu}[\p{Ll}\p{Lu}]+(?:[ ](?:\p{Lu}[\p{Ll}]+|[\p{Lu}]{2,}))+")


def main_entity(text: str, entities: EntityTable) -> str | None:
    """The first name mentioned: a known name group, else a capitalised word run."""
    groups = entities.mentions(text)
    names = [m.group(0) for m in _NAME.finditer(text)]
    # Skip a capitalised question opener ("Who Is ...").
    names = [n for n in names if n.split()[0].casefold() not in {"who", "what", "why", "when"}]
    candidates: list[tuple[int, str]] = []
    if names:
        candidates.append((text.find(names[0]), names[0]))
    if groups:
        form = entities.forms(groups[0])
        for f in form:
            pos = text.casefold().find(f)
            if pos >= 0:
                candidates.append((pos, text[pos : pos + len(f)]))
                break
    if not candidates:
        return None
    return min(candidates)[1]


# "it" / "that" standing for the previous question's topic: "When did he hand it in?",
# "Why did that happen?" (not "that" introducing a clause, nor "this morning").
_THING = regex.compile(
    r"(?<!\b(?:before|after|since|until|till|than)\s+)\b(?:it|that|this)\b"
    r"(?=\s*(?:[?.!,]|$|in\b|out\b|up\b|down\b|on\b|off\b|over\b"
    r"|back\b|happen|mean|start|end|take|go\b|come\b|work))",
    regex.IGNORECASE,
)
_QUESTION_WORDS = frozenset(
    "what when why who whom whose which where how did does do is are was were will would can"
    " could should has have had".split()
)


def word_set(text: str) -> set[str]:
    """The casefolded runs of letters in ``text``: the words a cue or rule looks for."""
    return {w.casefold() for w in regex.findall(r"\p{L}+", text)}


def _topic(previous: str, question: str) -> str:
    """The previous question's words that say what it was about, minus those asked again."""
    asked = word_set(question)
    words = [w for w in regex.findall(r"[\p{L}\p{N}][\p{L}\p{N}'’.-]*", previous)
             if not any(w.casefold().startswith(a) for a in asked if len(a) >= 4)
             and w.casefold() not in asked and w.casefold() not in STOPWORDS
             and w.casefold() not in _QUESTION_WORDS]
    return " ".join(dict.fromkeys(w.rstrip(".") for w in words))


def rewrite(question: str, history: Sequence[Turn], entities: EntityTable) -> str:
    """Resolve a follow-up against the previous turn; a stand-alone question is returned as is."""
    if not history:
        return question
    last = history[-1]
    ellipsis = _ELLIPSIS.match(question)
    previous_entity = main_entity(last.interpreted_as, entities) or main_entity(
        last.answer, entities
    )
    if ellipsis and previous_entity:
        new = ellipsis.group(1)
        base = last.interpreted_as
        pos = base.find(previous_entity)
        if pos >= 0:
            return base[:pos] + new + base[pos + len(previous_entity) :]
        return f"{base.rstrip('?.! ')} ({new})?"
    if previous_entity:
        # With a subject of its own ("how did Lin respond to him?") only an object pronoun
        # points back; otherwise the first pronoun does ("who did he report to?").
        pattern = _OBJECT if main_entity(question, entities) else _PRONOUN

        def replace(m: regex.Match[str]) -> str:
            return f"{previous_entity}{_PERSONAL[m.group(1).casefold()]}"

        question = pattern.sub(replace, question, count=1)
    # "it" has no name to put in its place: the previous question's topic words go with it,
    # shown as "(it: ...)", so the search looks for what "it" was.
    thing = _THING.search(question)
    if thing:
        topic = _topic(last.interpreted_as, question)
        if topic:
            return f"{question.rstrip()} ({thing.group(0).casefold()}: {topic})"
    return question
