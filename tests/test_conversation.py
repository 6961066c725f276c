"""Conversations: follow-ups read the turns before them (qabot/conversation.py)."""

from __future__ import annotations

from qabot.answering.bot import Bot
from qabot.conversation import Conversation


def test_a_follow_up_pronoun_takes_the_previous_questions_person(bot: Bot) -> None:
    chat = Conversation(bot)
    first, second = chat.replay(["Who is Zhou Hao?", "who did he report to?"])
    assert second.interpreted_as == "who did Zhou Hao report to?"
    # A follow-up is answered first from the articles the previous answer cited.
    assert not first.abstained and not second.abstained
    assert {c.doc_id for c in second.citations} <= {c.doc_id for c in first.citations}
    assert [t.question for t in chat.turns] == ["Who is Zhou Hao?", "who did he report to?"]
    assert chat.turns[1].doc_ids == tuple(dict.fromkeys(c.doc_id for c in second.citations))
    assert chat.last is second and not first.abstained


def test_after_a_who_question_he_is_the_person_in_the_answer(bot: Bot) -> None:
    chat = Conversation(bot)
    first = chat.ask("Who is Alibaba's Chief Talent Officer?")
    assert "Jiang Fang" in first.answer
    second = chat.ask("What did she say at the all-hands meeting?")
    assert second.interpreted_as == "What did Jiang Fang say at the all-hands meeting?"


def test_ellipsis_and_a_bare_why(bot: Bot) -> None:
    chat = Conversation(bot)
    chat.ask("What was Hui Binyuan's role?")
    assert chat.ask("and Yu Bowen?").interpreted_as == "What was Yu Bowen's role?"
    chat.reset()
    chat.ask("Did Lin Junyang resign?")
    why = chat.ask("why?")
    assert why.interpreted_as == "why? (of: Lin Junyang resign)"  # the previous clause
    assert not why.abstained


def test_reset_forgets_the_conversation(bot: Bot) -> None:
    chat = Conversation(bot)
    chat.ask("Who is Zhou Hao?")
    chat.reset()
    assert chat.turns == [] and chat.last is None
    assert chat.ask("who did he report to?").abstained  # no one to refer to: asked back
