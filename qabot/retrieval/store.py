"""Save and load a built index: one .npz of plain arrays (no pickle) per corpus fingerprint.

The file name is a hash of the corpus (sources, lengths, content hashes), the qabot version
and every analysis, passage and BM25 setting, so a changed corpus or setting never meets an
old index. The file is written beside its final name and moved into place; a file that does
not load and validate is rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import regex

from qabot import __version__, paths
from qabot.corpus.dates import DateTable
from qabot.corpus.passages import PassageConfig, PassageTable
from qabot.models import Corpus
from qabot.paths import atomic_write, atomic_write_bytes, remove_stale_temp
from qabot.retrieval.index import BM25Index, BM25Params
from qabot.text.analysis import AnalyzerConfig
from qabot.text.entities import EntityTable

FORMAT = "qabot-index-3"  # 2: a checksum, dtype and shape of every array in meta; 3: dates


class StaleCache(Exception):
    """The cache file is missing, foreign, truncated or inconsistent."""


# The code that decides what the index holds: every module of the layers up to and with
# retrieval (a stopword, a heading rule), so an index built by older code is never met.
_INDEX_CODE = ("models.py", "text", "corpus", "retrieval")


def fingerprint(corpus: Corpus, analysis: AnalyzerConfig, passages: PassageConfig,
                bm25: BM25Params) -> str:
    h = hashlib.sha256()
    h.update(paths.source_digest(*_INDEX_CODE))
    settings = [FORMAT, __version__, analysis.model_dump(), passages.model_dump(),
                bm25.model_dump()]
    h.update(json.dumps(settings, sort_keys=True).encode())
    # Each document's place and content: the hash of its file's bytes when the loader kept
    # one, else a hash of its text (json.dumps per document and hashing every text again
    # cost 0.07 s of a warm start at 10,000 files). Dumped 4,096 documents at a time, so
    # that 1M documents don't hold one 250 MB list (eval/bench_perf.py's peak memory).
    docs, digests = corpus.documents, corpus.digests
    for at in range(0, len(docs), 4096):
        h.update(json.dumps([
            [doc.id, doc.source, doc.body_start, doc.body_end, doc.titled,
             doc.title if doc.titled else "",
             digests.get(doc.id)
             or hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()]
            for doc in docs[at : at + 4096]]).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _registry() -> Path:
    return paths.root() / "corpora.json"


# What the registry may name: an index file of qabot's own, in its own index folder. Any
# other value (a path, a user's file name) is ignored, never deleted.
_INDEX_NAME = regex.compile(r"[0-9a-f]{40}\.npz")


def supersede(origin: str, path: Path, notice: Callable[[str], None] | None = None) -> None:
    """Record ``path`` as the index of the corpus loaded from ``origin``, and delete the
    index (and its learned names and sentence vectors) that it replaces, unless another
    corpus still uses it. Stale temporary files of killed saves are removed too. Best
    effort: a failure here leaves a file behind, never a wrong index. A registry entry
    that does not name one of qabot's index files is ignored, with a ``notice``."""
    folder = path.parent
    remove_stale_temp(folder)
    if not origin:
        return
    try:
        registry = _registry()
        current = json.loads(paths.read_regular(registry, follow=False).decode("utf-8"))
        if not isinstance(current, dict):
            current = {}
    except (OSError, ValueError, RecursionError):
        current = {}
    old = current.get(origin)
    current[origin] = path.name
    if isinstance(old, str) and old != path.name and old not in current.values():
        if _INDEX_NAME.fullmatch(old):
            old_path = folder / old
            for stale in (old_path, entities_path(old_path), vectors_path(old_path)):
                with contextlib.suppress(OSError):
                    stale.unlink()  # a link is removed, never followed
        elif notice is not None:
            notice(f"the cache's registry names {old!r}, not an index of qabot's; "
                   "ignored (nothing deleted)")
    current = {k: v for k, v in current.items()
               if isinstance(k, str) and isinstance(v, str) and _INDEX_NAME.fullmatch(v)}
    data = json.dumps(current, ensure_ascii=False).encode("utf-8", "surrogatepass")
    with contextlib.suppress(OSError):
        atomic_write_bytes(_registry(), data)


def index_path(key: str) -> Path:
    """Where the index of ``key`` is kept, in the checked cache folder (``CacheError``
    when the cache is not qabot's to use)."""
    return paths.folder("index") / f"{key[:40]}.npz"


def save(path: Path, key: str, passages: PassageTable, index: BM25Index,
         doc_ids: list[str], dates: DateTable) -> None:
    arrays = {
        "indptr": index.indptr, "postings": index.postings, "weights": index.weights,
        "idf": index.idf_values,
        "p_doc": np.asarray(passages.doc, dtype=np.int32),
        "p_section": np.asarray(passages.section, dtype=np.int32),
        "s_ptr": np.asarray(passages.sent_ptr, dtype=np.int64),
        "s_start": np.asarray(passages.sent_start, dtype=np.int64),
        "s_end": np.asarray(passages.sent_end, dtype=np.int64),
        **dates.arrays(),
    }
    meta = {
        "format": FORMAT, "key": key, "docs": doc_ids, "sections": passages.sections,
        "vocab": sorted(index.vocab, key=index.vocab.__getitem__),
        "n_passages": index.n_passages, "params": index.params.model_dump(),
        "arrays": {name: _describe(a) for name, a in arrays.items()},
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]

    atomic_write(path, write)


# What kind of numbers each saved array holds (numpy dtype kinds: signed integer, float).
_KINDS = {"indptr": "i", "postings": "i", "weights": "f", "idf": "f", "p_doc": "i",
          "p_section": "i", "s_ptr": "i", "s_start": "i", "s_end": "i",
          "t_doc": "i", "t_start": "i", "t_end": "i", "t_day": "i", "t_precision": "i",
          "t_relative": "i", "t_sent_start": "i", "t_sent_end": "i"}


def _describe(a: np.ndarray) -> list[Any]:
    """dtype, shape and sha256 of an array: what ``load`` checks before trusting it."""
    data = np.ascontiguousarray(a)
    # Hashed in place: a copy through tobytes() cost 12 ms a load at 10,000 files.
    return [data.dtype.str, list(data.shape), hashlib.sha256(data.data.cast("B")).hexdigest()]


def _check_arrays(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    described = meta.get("arrays")
    if not isinstance(described, dict) or set(described) != set(_KINDS) or set(arrays) != set(
            _KINDS):
        raise ValueError("arrays missing")
    for name, kind in _KINDS.items():
        a = arrays[name]
        if a.ndim != 1 or a.dtype.kind != kind or _describe(a) != described[name]:
            raise ValueError(f"array {name} damaged")
        if kind == "f" and not np.isfinite(a).all():
            raise ValueError(f"array {name} not finite")


def load(path: Path, key: str, corpus: Corpus
         ) -> tuple[PassageTable, BM25Index, DateTable]:
    """The saved passages, index and names for ``corpus``; StaleCache if anything is off."""
    try:
        with os.fdopen(paths.open_regular(path, follow=False), "rb") as f, np.load(
                f, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        meta: dict[str, Any] = json.loads(bytes(arrays.pop("meta")).decode())
        if not isinstance(meta, dict):
            raise ValueError("meta is not an object")
    except FileNotFoundError:
        raise StaleCache("missing") from None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError,
            io.UnsupportedOperation, RecursionError) as exc:
        raise StaleCache(f"unreadable ({type(exc).__name__})") from None
    if meta.get("format") != FORMAT or meta.get("key") != key:
        raise StaleCache("built for another corpus or version")
    try:
        _check_arrays(meta, arrays)
        return _rebuild(meta, arrays, corpus)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise StaleCache(f"inconsistent ({type(exc).__name__})") from None


def _rebuild(meta: dict[str, Any], a: dict[str, np.ndarray], corpus: Corpus
             ) -> tuple[PassageTable, BM25Index, DateTable]:
    doc_ids = [str(d) for d in meta["docs"]]
    if doc_ids != [d.id for d in corpus.documents]:
        raise ValueError("documents differ")
    vocab = {str(t): i for i, t in enumerate(meta["vocab"])}
    n = int(meta["n_passages"])
    indptr, postings, weights = a["indptr"], a["postings"], a["weights"]
    p_doc, p_section, s_ptr = a["p_doc"], a["p_section"], a["s_ptr"]
    s_start, s_end = a["s_start"], a["s_end"]
    sections = [str(s) for s in meta["sections"]]
    if (len(indptr) != len(vocab) + 1 or int(indptr[-1]) != len(postings)
            or len(weights) != len(postings) or len(a["idf"]) != len(vocab)
            or len(p_doc) != n or len(p_section) != n or len(s_ptr) != n + 1
            or int(s_ptr[0]) != 0 or int(s_ptr[-1]) != len(s_start) or len(s_end) != len(s_start)
            or (postings.size and (postings.min() < 0 or postings.max() >= n))
            or (n and (p_doc.min() < 0 or p_doc.max() >= len(doc_ids)))
            or (n and (p_section.min() < -1 or p_section.max() >= len(sections)))
            or (s_ptr.size > 1 and (np.diff(s_ptr) <= 0).any())
            or (indptr.size > 1 and (np.diff(indptr) < 0).any()) or int(indptr[0]) != 0
            or not np.isfinite(weights).all()):
        raise ValueError("array shapes")
    lengths = np.array([len(d.text) for d in corpus.documents], dtype=np.int64)
    sent_doc = np.repeat(p_doc.astype(np.int64), np.diff(s_ptr))
    if len(s_start) and ((s_start < 0).any() or (s_end <= s_start).any()
                         or (s_end > lengths[sent_doc]).any()):
        raise ValueError("sentence offsets")
    table = PassageTable.from_arrays(corpus.documents, p_doc, p_section, sections, s_ptr,
                                     s_start, s_end)
    index = BM25Index(vocab, indptr, postings, weights, a["idf"], n,
                      BM25Params.model_validate(meta["params"]))
    return table, index, _dates(a, corpus, lengths)


def _dates(a: dict[str, np.ndarray], corpus: Corpus, lengths: np.ndarray) -> DateTable:
    """The saved time mentions, checked: each within its document, its day a real date and
    its precision one of the four."""
    cols = [a[f"t_{name}"] for name in ("doc", "start", "end", "day", "precision",
                                          "relative", "sent_start", "sent_end")]
    doc, start, end, day, precision, relative, sent_start, sent_end = cols
    if len({len(c) for c in cols}) != 1:
        raise ValueError("date shapes")
    if len(doc) and ((doc < 0).any() or (doc >= len(lengths)).any() or (start < 0).any()
                     or (end <= start).any() or (end > lengths[doc]).any()
                     or (day < 1).any() or (day > 3_652_059).any()  # date.max's ordinal
                     or (precision < 0).any() or (precision > 3).any()
                     or ((relative != 0) & (relative != 1)).any()
                     or (sent_start > start).any() or (sent_end < end).any()):
        raise ValueError("date rows")
    return DateTable.from_arrays(corpus.documents, doc, start, end, day, precision, relative,
                                 sent_start, sent_end)


def entities_path(index_file: Path) -> Path:
    """The learned names live beside their index, learned on first use by the answerer."""
    return index_file.with_suffix(".names.json")


def vectors_path(index_file: Path) -> Path:
    """Sentence embeddings (qabot[semantic]) live beside their index too."""
    return index_file.with_suffix(".e5.npz")


def save_entities(path: Path, key: str, entities: EntityTable) -> None:
    data = json.dumps({"format": FORMAT, "key": key, "entities": entities.to_json()})
    atomic_write_bytes(path, data.encode("utf-8"))


def load_entities(path: Path, key: str) -> EntityTable | None:
    """The saved names, or None when missing, unreadable or for another corpus."""
    try:
        data = json.loads(paths.read_regular(path, follow=False).decode("utf-8"))
        if data.get("format") != FORMAT or data.get("key") != key:
            return None
        return EntityTable.from_json(data["entities"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
