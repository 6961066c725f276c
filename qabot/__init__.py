"""qabot: cited, extractive question answering over a folder of news articles.

    from qabot import load_corpus, Retriever, Bot
    retriever = Retriever.from_corpus(load_corpus("corpus/"))
    hits = retriever.search("why did Lin resign?", k=3)
    answer = Bot(retriever).ask("why did Lin resign?")
    chat = Conversation(Bot(retriever)); chat.ask("who is Zhou Hao?"); chat.ask("who hired him?")

Names are imported on first use, so ``import qabot`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_corpus": "qabot.corpus.load",
    "Retriever": "qabot.retrieval.retriever",
    "Bot": "qabot.answering.bot",
    "AnswerConfig": "qabot.answering.bot",
    "Conversation": "qabot.conversation",
    "AnswerModel": "qabot.answering.model",
    "PassageConfig": "qabot.corpus.passages",
    "BM25Params": "qabot.retrieval.index",
    "AnalyzerConfig": "qabot.text.analysis",
    "Analyzer": "qabot.text.analysis",
    "Answer": "qabot.models",
    "Citation": "qabot.models",
    "Corpus": "qabot.models",
    "Document": "qabot.models",
    "Hit": "qabot.models",
    "Passage": "qabot.models",
    "Turn": "qabot.models",
    "QabotError": "qabot.errors",
    "CorpusError": "qabot.errors",
}

__all__ = [
    "Analyzer",
    "AnalyzerConfig",
    "Answer",
    "AnswerConfig",
    "AnswerModel",
    "BM25Params",
    "Bot",
    "Citation",
    "Conversation",
    "Corpus",
    "CorpusError",
    "Document",
    "Hit",
    "Passage",
    "PassageConfig",
    "QabotError",
    "Retriever",
    "Turn",
    "load_corpus",
]

if TYPE_CHECKING:
    from qabot.answering.bot import AnswerConfig, Bot
    from qabot.answering.model import AnswerModel
    from qabot.conversation import Conversation
    from qabot.corpus.load import load_corpus
    from qabot.corpus.passages import PassageConfig
    from qabot.errors import CorpusError, QabotError
    from qabot.models import Answer, Citation, Corpus, Document, Hit, Passage, Turn
    from qabot.retrieval.index import BM25Params
    from qabot.retrieval.retriever import Retriever
    from qabot.text.analysis import Analyzer, AnalyzerConfig


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qabot' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
