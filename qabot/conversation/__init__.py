"""A conversation: the turns so far, so that follow-ups resolve against them.

The REPL, ``qabot chat`` reading a pipe, and the eval's follow-up questions all talk to the
bot through one of these.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from qabot.conversation.log import ChatLog
from qabot.models import Answer, Turn

if TYPE_CHECKING:
    from qabot.answering.bot import Bot


class Conversation:
    """``Conversation(bot).ask("who is Zhou Hao?")``, then ``.ask("who did he report to?")``."""

    def __init__(self, bot: Bot, k: int | None = None, since: dt.date | None = None,
                 until: dt.date | None = None, log: ChatLog | None = None) -> None:
        self.bot = bot
        # Every turn is written to ``log`` when given (conversation/log.py); the
        # conversation gets its id with its first turn, so an empty chat leaves no trace.
        self.log = log
        self.cid: str | None = None
        self.k = k
        self.since = since  # only articles published within [since, until]
        self.until = until
        self.doc_ids: list[str] | None = None  # only these articles (--doc)
        self.turns: list[Turn] = []
        self.last: Answer | None = None
        # A conversation is one thread of turns: threads sharing one take turns (each
        # question is answered against the turns before it, never half of another's).
        self._lock = threading.Lock()

    def ask(self, question: str) -> Answer:
        with self._lock:
            answer = checked(self.bot, self.bot.ask(question, history=tuple(self.turns),
                                                    k=self.k, doc_ids=self.doc_ids,
                                                    since=self.since, until=self.until))
            self.turns.append(answer.as_turn())
            self.last = answer
            if self.log is not None:
                if self.cid is None:
                    self.cid = self.log.start(self.bot.retriever.corpus.root, self.model)
                self.log.add(self.cid, len(self.turns), answer)
            return answer

    @property
    def model(self) -> str:
        """What answered, as the log keeps it."""
        from qabot import __version__

        kind = "semantic" if self.bot.semantic is not None else "lexical"
        return f"qabot {__version__}, {kind}"

    def resume(self, cid: str) -> list[Answer]:
        """Continue the logged conversation ``cid``: its turns become this one's (follow-ups
        read them), and new turns are added to it. The answers restored, in order."""
        if self.log is None:
            raise ValueError("a conversation without a log can't be resumed")
        answers = self.log.answers(cid)
        with self._lock:
            self.turns = [a.as_turn() for a in answers]
            self.last = answers[-1] if answers else None
            self.cid = cid
        return answers

    def replay(self, questions: Iterable[str]) -> list[Answer]:
        """Ask each question in turn; the answers, in order."""
        return [self.ask(q) for q in questions]

    def reset(self) -> None:
        """Forget the turns; the next one starts a new conversation in the log."""
        with self._lock:
            self.turns.clear()
            self.last = None
            self.cid = None


def checked(bot: Bot, answer: Answer) -> Answer:
    """``answer`` with a note when a cited file changed on disk since it was loaded (its
    quote may no longer be in it): a long session can outlive an edit."""
    from qabot.corpus.load import changed_on_disk

    changed = changed_on_disk(bot.retriever.corpus, answer.citations)
    if not changed:
        return answer
    marks = ", ".join(f"[{n}]" for n in changed)
    note = (f"{marks}: the file changed after qabot loaded it, so this quote may no longer "
            "be in it; start qabot again to reload the articles.")
    return answer.model_copy(update={"notes": [*answer.notes, note]})
