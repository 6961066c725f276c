"""A conversation: the turns so far, so that follow-ups resolve against them.

The REPL, ``qabot chat`` reading a pipe, and the eval's follow-up questions all talk to the
bot through one of these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from qabot.models import Answer, Turn

if TYPE_CHECKING:
    from qabot.answer import Bot


class Conversation:
    """``Conversation(bot).ask("who is Zhou Hao?")``, then ``.ask("who did he report to?")``."""

    def __init__(self, bot: Bot, k: int | None = None) -> None:
        self.bot = bot
        self.k = k
        self.turns: list[Turn] = []
        self.last: Answer | None = None

    def ask(self, question: str) -> Answer:
        answer = self.bot.ask(question, history=self.turns, k=self.k)
        self.turns.append(answer.as_turn())
        self.last = answer
        return answer

    def replay(self, questions: Iterable[str]) -> list[Answer]:
        """Ask each question in turn; the answers, in order."""
        return [self.ask(q) for q in questions]

    def reset(self) -> None:
        self.turns.clear()
        self.last = None
