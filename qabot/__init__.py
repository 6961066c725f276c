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
    "load_corpus": "qabot.corpus",
    "Retriever": "qabot.retriever",
    "Bot": "qabot.answer",
    "AnswerConfig": "qabot.answer",
    "Conversation": "qabot.conversation",
    "AnswerModel": "qabot.answering.model",
    "PassageConfig": "qabot.passages",
    "BM25Params": "qabot.index",
    "AnalyzerConfig": "qabot.analysis",
    "Analyzer": "qabot.analysis",
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
    from qabot.analysis import Analyzer, AnalyzerConfig
    from qabot.answer import AnswerConfig, Bot
    from qabot.answering.model import AnswerModel
    from qabot.conversation import Conversation
    from qabot.corpus import load_corpus
    from qabot.errors import CorpusError, QabotError
    from qabot.index import BM25Params
    from qabot.models import Answer, Citation, Corpus, Document, Hit, Passage, Turn
    from qabot.passages import PassageConfig
    from qabot.retriever import Retriever


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qabot' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
