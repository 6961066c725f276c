"""Incremental sentence embeddings (issue 27): an edit embeds only the new sentences, and
an interrupted first embedding resumes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from qabot.corpus.load import load_corpus
from qabot.retrieval import embeddings
from qabot.retrieval.retriever import Retriever
from qabot.retrieval.vectorstore import VectorStore


class Counting:
    """An encoder that makes a unit vector from each text's hash, and counts its texts."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.texts: list[str] = []
        self.fail_after = fail_after

    def encode(self, texts: Sequence[str],
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        if self.fail_after is not None and len(self.texts) + len(texts) > self.fail_after:
            raise KeyboardInterrupt
        self.texts.extend(texts)
        rows = np.stack([np.random.default_rng(abs(hash(t)) % 2**32).normal(
            size=embeddings.DIMENSIONS) for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _folder(tmp_path: Path, sentences: int, changed: str = "") -> Path:
    """Four stories; their words are the test's own (the store is shared by the run, and
    finds a sentence another test embedded, as it should)."""
    folder = tmp_path / "news"
    folder.mkdir(exist_ok=True)
    tag = tmp_path.name.replace("_", "")
    for f in range(4):
        body = " ".join(f"Story {f} sentence {i} tells of {tag}{i}." for i in range(sentences))
        (folder / f"{f}.txt").write_text(f"Story {f}\n\n{body}{changed if f == 0 else ''}\n",
                                         encoding="utf-8")
    return folder


def _vectors(folder: Path, encoder: Counting) -> embeddings.SentenceVectors:
    retriever = Retriever.from_corpus(load_corpus(folder), cache=True)
    return embeddings.vectors_for(retriever, encoder)  # type: ignore[arg-type]


def test_an_edit_embeds_only_the_new_sentences(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 30)
    first = Counting()
    before = _vectors(folder, first)
    assert len(first.texts) == len(before) == 4 * 30  # every sentence
    again = Counting()
    _vectors(folder, again)
    assert again.texts == []  # the index's own vectors file: nothing embedded
    _folder(tmp_path, 30, changed=" A new sentence about rye.")
    edited = Counting()
    after = _vectors(folder, edited)
    assert edited.texts == ["A new sentence about rye."]
    assert len(after) == len(before) + 1
    key = next(k for k in before._memory if k[0] == "1")
    assert np.array_equal(before._memory[key], after._memory[key])


def test_an_interrupted_first_embedding_resumes(tmp_path: Path) -> None:
    folder = _folder(tmp_path, 150)  # 600 sentences: three chunks of 256 (the last 88)
    with pytest.raises(KeyboardInterrupt):
        _vectors(folder, Counting(fail_after=300))
    resumed = Counting()
    assert len(_vectors(folder, resumed)) == 600
    assert len(resumed.texts) == 600 - 256  # the first chunk was kept


def test_a_damaged_chunk_is_ignored(tmp_path: Path) -> None:
    store = VectorStore("f" * 64, 4, folder=tmp_path)
    store.add(["a", "b"], np.ones((2, 4), dtype=np.float32))
    (tmp_path / ("f" * 16 + "-99999999999999999999-1.npz")).write_bytes(b"not a zip")
    found = store.lookup(["b", "c", "a"])
    assert sorted(found) == [0, 2] and found[0].dtype == np.float32
