"""The one tokenizer used for indexing, querying and answer scoring."""

from __future__ import annotations

from functools import lru_cache

import regex
import Stemmer
from pydantic import BaseModel, ConfigDict

# Letters/digits, with inner dots, ampersands or apostrophes kept ("Qwen3.5", "0.8B", "R&D",
# "don't"); hyphens and dashes split ("open-source" -> "open", "source").
_TOKEN = regex.compile(r"[\p{L}\p{N}\p{M}]+(?:[.&'][\p{L}\p{N}\p{M}]+)*")
_POSSESSIVE = regex.compile(r"(?<=[\p{L}\p{N}])'s\b")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "`": "'"})

# English function words plus question words: they carry no topic. Question words are read
# by the answerer from the raw question, not from tokens.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have haven't
    having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll
    i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor
    not of off on once or other ought our ours ourselves out over own same shan't she she'd
    she'll she's should shouldn't so some such than that that's the their theirs them themselves
    then there there's these they they'd they'll they're they've this those through to too under
    until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where
    where's which while who who's whom why why's with won't would wouldn't you you'd you'll
    you're you've your yours yourself yourselves s t also just will much many""".split()
)


class AnalyzerConfig(BaseModel):
    """Analysis settings; part of the index fingerprint."""

    model_config = ConfigDict(frozen=True)

    stem: bool = True
    stopwords: bool = True


def normalize(text: str) -> str:
    """Casefold and unify apostrophes."""
    return text.translate(_APOSTROPHES).casefold()


@lru_cache(maxsize=4)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


class _Terms(dict[str, str]):
    """word -> index term ("" for a stopword), computed on first sight of a word."""

    def __init__(self, config: AnalyzerConfig) -> None:
        super().__init__()
        self.config = config

    def __missing__(self, word: str) -> str:
        if self.config.stopwords and word in STOPWORDS:
            term = ""
        elif self.config.stem and word.isalpha():
            term = _stemmer().stemWord(word)
        else:
            term = word
        if len(self) < 500_000:
            self[word] = term
        return term


class Analyzer:
    """Turns text into index terms: casefolded, stopwords dropped, Snowball-stemmed."""

    def __init__(self, config: AnalyzerConfig | None = None) -> None:
        self.config = config or AnalyzerConfig()
        self._terms = _Terms(self.config)

    def words(self, text: str) -> list[str]:
        """Normalised word tokens, before stopword removal and stemming."""
        # Tokens never start or end with "'" or "."; possessives go before matching.
        words: list[str] = _TOKEN.findall(_POSSESSIVE.sub("", normalize(text)))
        return words

    def term(self, word: str) -> str | None:
        """The index term of one normalised word, or None for a stopword."""
        return self._terms[word] or None

    def tokenize(self, text: str) -> list[str]:
        """Index terms of ``text`` in order (repeats kept, as BM25 needs)."""
        return [t for t in map(self._terms.__getitem__, self.words(text)) if t]


# British/American spelling pairs, on stems: colour/color, organis/organiz, analys/analyz,
# centr(e)/center, catalogu(e)/catalog, defenc(e)/defens(e).
_SPELLINGS = [
    (regex.compile(r"our"), "or"), (regex.compile(r"or(?!$)"), "our"),
    (regex.compile(r"is(?=$|a|e|i)"), "iz"), (regex.compile(r"iz(?=$|a|e|i)"), "is"),
    (regex.compile(r"ys(?=$|e|i)"), "yz"), (regex.compile(r"yz(?=$|e|i)"), "ys"),
    (regex.compile(r"tr$"), "ter"), (regex.compile(r"ter$"), "tr"),
    (regex.compile(r"ogu$"), "og"), (regex.compile(r"enc$"), "ens"),
]


def spelling_variants(term: str) -> list[str]:
    """Other spellings of a stemmed term (British <-> American), most likely first."""
    out = []
    for pattern, repl in _SPELLINGS:
        variant = pattern.sub(repl, term, count=1)
        if variant != term and variant not in out:
            out.append(variant)
    return out
