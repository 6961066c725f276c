"""Questions that ask two things: split into two questions, or marked as asking of two
sides, so that the answer has what each part needs.

- Two questions joined by "and" (or "but", "while") are two questions: "How old was Jobs
  when he went on leave, and how old when he died?" is answered as "How old was Jobs when he
  went on leave" and then "how old when he died", the second read as a follow-up of the
  first (its "he" is the first's person), and the two answers are given together.
- A question that compares or asks of both sides ("... compared with ...", "both", "each
  of", "differ") cites the best sentence of a second article when it passes the answer
  threshold on its own, as a question about two articles' stories needs.

Only the grammar of the question is read (a coordinating conjunction before a question word
or an auxiliary; a comparing phrase), never a word of any corpus.
"""

from __future__ import annotations

import regex

from qabot.text.analysis import normalize, surface_words
from qabot.text.lexicon import AUXILIARIES, WH_WORDS

_OPENERS = sorted(WH_WORDS | AUXILIARIES, key=len, reverse=True)
# ", and who ...", " and did ...", "; and how ...": a second interrogative clause.
_JOIN = regex.compile(
    r"\s*[,;]?\s+(?:and|but|while)\s+(?=(?:" + "|".join(map(regex.escape, _OPENERS))
    + r")\b)", regex.IGNORECASE)
_TWO_SIDED = regex.compile(
    r"\b(?:compared\s+(?:with|to)|in\s+comparison\s+(?:with|to)|versus|vs\.|both|each\s+of"
    r"|differ(?:s|ed|ent|ence|ences)?|respectively)\b", regex.IGNORECASE)
# Each part keeps at least this many words: "what and why?" is one question.
_MIN_WORDS = 2


def _words(text: str) -> int:
    return len(surface_words(text))


def split(question: str) -> tuple[str, ...]:
    """``question`` as one or two questions (the first join of two interrogative clauses;
    a third part stays with the second)."""
    for m in _JOIN.finditer(question):
        first, second = question[: m.start()].strip(), question[m.end() :].strip()
        head = surface_words(first)
        if (_words(first) >= _MIN_WORDS + 1 and _words(second) >= _MIN_WORDS and head
                and normalize(head[0][2]) in WH_WORDS | AUXILIARIES):
            return (first.rstrip(",;") + "?", second)
    return (question,)


def two_sided(question: str) -> bool:
    """Whether ``question`` compares, or asks of both sides: its answer needs a sentence
    from each of two articles when two say it."""
    return bool(_TWO_SIDED.search(question))
