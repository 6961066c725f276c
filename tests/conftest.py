"""Shared fixtures: the bundled corpus, a bot over it, and isolated XDG folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qabot.answering.bot import Bot
from qabot.corpus.load import load_corpus
from qabot.models import Corpus
from qabot.retrieval.retriever import Retriever

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"
ARTICLE_A = "000_c91c0fb47a5e568b"
ARTICLE_B = "003_c0140778ee731637"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the run (building the word-frequency table takes seconds)."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def _isolated_xdg(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, shared_cache: Path
) -> None:
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(base / var.lower()))
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    monkeypatch.setenv("HOME", str(base / "home"))
    # Lexical answers in every test, whether or not qabot[semantic] is installed here;
    # tests/test_semantic.py turns it on where it means to.
    monkeypatch.setenv("QABOT_SEMANTIC", "off")


@pytest.fixture()
def articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled articles with a cache folder of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "articles"
    shutil.copytree(CORPUS_DIR, folder)
    return folder


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus(CORPUS_DIR)


@pytest.fixture(scope="session")
def retriever(corpus: Corpus) -> Retriever:
    return Retriever.from_corpus(corpus)


@pytest.fixture(scope="session")
def bot(retriever: Retriever) -> Bot:
    return Bot(retriever)


def file_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def small_bot(folder: Path, articles: dict[str, str]) -> Bot:
    """A bot over a folder written for the test: each article dated 1 May 2026."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in articles.items():
        (folder / name).write_text(f"05/01 2026\n7\n{body}\n", encoding="utf-8")
    return Bot(Retriever.from_corpus(load_corpus(folder)))
