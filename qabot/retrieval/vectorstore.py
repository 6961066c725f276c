"""Sentence vectors kept by what they embed: a hash of the sentence's text, per model, in
chunk files of the cache (``vectors/<model>-<time>-<pid>.npz``).

A corpus's own vectors file (beside its index, keyed by sentence positions) stays the fast
path of a warm start. This store is read only when that file is missing, after an edit
made a new index: the sentences that did not change are found here, and only new ones
are embedded. Each chunk of new vectors is written as it is made, so an interrupted first
embedding resumes where it stopped. Every chunk is checked when read (shape, dtype,
finite values); a damaged one is ignored, never trusted. The store keeps at most
``MAX_ROWS`` vectors: the oldest chunks go first.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qabot import paths

# At most this many vectors (float16, 384 dimensions: 0.75 kB each, so about 150 MB).
MAX_ROWS = 200_000
# New vectors are written this many at a time: an interruption loses at most one chunk
# (256 sentences are about 7 s of embedding on 2 cores, embeddings.SECONDS_PER_SENTENCE).
CHUNK = 256
_HASH = 16  # bytes of blake2b per sentence


def text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_HASH).digest()


class VectorStore:
    """The vectors of one model (``model``: its sha256), by sentence text."""

    def __init__(self, model: str, dimensions: int, folder: Path | None = None) -> None:
        self.prefix = model[:16]
        self.dimensions = dimensions
        self.folder = folder if folder is not None else paths.folder("vectors")

    def _chunks(self) -> list[Path]:
        return sorted(self.folder.glob(f"{self.prefix}-*.npz"))

    def lookup(self, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """The stored vector (float32) of each text that has one, by its position."""
        wanted: dict[bytes, list[int]] = {}
        for i, t in enumerate(texts):
            wanted.setdefault(text_hash(t), []).append(i)
        found: dict[int, np.ndarray] = {}
        for chunk in reversed(self._chunks()):  # the newest first
            if len(found) == len(texts):
                break
            read = self._read(chunk)
            if read is None:
                continue
            hashes, vectors = read
            for row, h in enumerate(hashes):
                for i in wanted.get(bytes(h), ()):
                    if i not in found:
                        found[i] = vectors[row].astype(np.float32)
        return found

    def _read(self, chunk: Path) -> tuple[np.ndarray, np.ndarray] | None:
        try:
            with os.fdopen(paths.open_regular(chunk, follow=False), "rb") as f, np.load(
                    f, allow_pickle=False) as data:
                hashes, vectors = data["hashes"], data["vectors"]
        except Exception:  # truncated, not a zip, not ours: ignored, never trusted
            return None
        if (hashes.dtype != np.uint8 or hashes.ndim != 2 or hashes.shape[1] != _HASH
                or vectors.dtype != np.float16
                or vectors.shape != (len(hashes), self.dimensions)
                or not np.isfinite(vectors).all()):
            return None
        return hashes, vectors

    def add(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep these vectors (one chunk file, written whole or not at all); best effort."""
        if not len(texts):
            return
        hashes = np.frombuffer(b"".join(text_hash(t) for t in texts), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, hashes=hashes.reshape(len(texts), _HASH),
                 vectors=np.asarray(vectors, dtype=np.float16))
        name = f"{self.prefix}-{time.time_ns():020d}-{os.getpid()}.npz"
        with contextlib.suppress(OSError):
            paths.atomic_write_bytes(self.folder / name, buffer.getvalue())
            self._trim()

    def _trim(self) -> None:
        chunks = self._chunks()
        rows = [(c, self._rows(c)) for c in chunks]
        total = sum(n for _, n in rows)
        for chunk, n in rows:  # the oldest first
            if total <= MAX_ROWS:
                break
            with contextlib.suppress(OSError):
                chunk.unlink()
            total -= n

    def _rows(self, chunk: Path) -> int:
        """A chunk's rows, from its size (no read): 16 bytes of hash and 2 a dimension."""
        with contextlib.suppress(OSError):
            return chunk.stat().st_size // (_HASH + 2 * self.dimensions)
        return 0
