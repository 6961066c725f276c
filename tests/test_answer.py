"""The whole pipeline through ``Bot``: question in, cited answer (or abstention) out."""

from __future__ import annotations

from pathlib import Path

from conftest import ARTICLE_B, small_bot
from hypothesis import given, settings
from hypothesis import strategies as st

from qabot.answering.bot import AnswerConfig, Bot
from qabot.models import Answer
from qabot.ui.render import LOW_CONFIDENCE


def _exact(bot: Bot, answer: Answer) -> None:
    for c in answer.citations:
        doc = bot.retriever.document(c.doc_id)
        assert doc.text[c.start : c.end] == c.quote
        assert c.date == doc.date
        assert c.title == doc.title and c.source == doc.source
        assert f"{c.quote} [{c.n}]" in answer.answer or answer.answer.endswith(f"[{c.n}].")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120))
def test_any_question_gives_an_answer_with_exact_citations(bot: Bot, question: str) -> None:
    answer = bot.ask(question)
    assert isinstance(answer, Answer) and 0.0 <= answer.confidence <= 1.0
    assert answer.abstained == (answer.citations == [])
    _exact(bot, answer)


def test_confidence_is_the_models_probability_and_one_threshold_decides(bot: Bot) -> None:
    question = "How many monthly active users did the Qwen App secure?"
    always = Bot(bot.retriever, AnswerConfig(threshold=0.0))
    never = Bot(bot.retriever, AnswerConfig(threshold=1.0))
    given_, refused = always.ask(question), never.ask(question)
    assert not given_.abstained and refused.abstained and refused.related
    assert given_.confidence == refused.confidence == bot.ask(question).confidence
    assert "203 million" in given_.answer


def test_clear_questions_are_answered_from_the_right_sentence(bot: Bot) -> None:
    cases = {
        "How many monthly active users did the Qwen App secure?": "203 million",
        "What rank had Lin been promoted to?": "P10",
        "Who is Alibaba's Chief Talent Officer?": "Jiang Fang",
        "When did Zhou Hao join Alibaba's Qwen Lab?": "early 2026",
    }
    for question, expected in cases.items():
        answer = bot.ask(question)
        assert not answer.abstained and expected in answer.answer, (question, answer.answer)
        _exact(bot, answer)


def test_questions_the_articles_do_not_answer_are_declined(bot: Bot) -> None:
    for question in ("How do I bake sourdough bread?", "Who won the 2022 football World Cup?"):
        answer = bot.ask(question)
        assert answer.abstained and answer.citations == [], question
        assert answer.answer.startswith("The articles don't say.")
        assert answer.confidence < bot.model.threshold


def test_an_off_topic_question_that_shares_a_word_is_at_least_flagged(bot: Bot) -> None:
    # "capital" occurs in the articles (in "not capital but confidence"). The news-fitted
    # model's threshold (5% false refusals on news-dev, out of fold) is low enough that this
    # is answered: a known weakness (issue 22's note). The reader is still told it is shaky.
    answer = bot.ask("What is the capital of Australia?")
    assert answer.abstained or answer.confidence < LOW_CONFIDENCE


def test_question_of_only_common_words_says_why(bot: Bot) -> None:
    answer = bot.ask("what is it?")
    assert answer.abstained and "no words to look for" in answer.answer


def test_a_pronoun_with_nobody_before_it_is_asked_back(bot: Bot) -> None:
    answer = bot.ask("What did he apologise for?")
    assert answer.abstained and answer.answer.startswith("Who do you mean by “he”?")


def test_restricting_to_documents_keeps_the_answer_there(bot: Bot) -> None:
    answer = bot.ask("What did Wu Yongming say?", doc_ids=[ARTICLE_B])
    assert all(c.doc_id == ARTICLE_B for c in answer.citations)


def test_a_folder_the_model_never_saw(tmp_path: Path) -> None:
    small = small_bot(tmp_path, {
        "oslo.txt": ("Nova Labs opened its Oslo office on 4 March 2026. "
                     "The office employs 40 engineers who work on battery software. "
                     "Ada Park, the chief executive, said the city had the talent it needed."),
        "rain.txt": ("Heavy rain closed the coastal road for two days. "
                     "Crews cleared the mud on Sunday, and the road reopened on Monday."),
    })
    opened = small.ask("When did Nova Labs open its Oslo office?")
    assert not opened.abstained and "4 March 2026" in opened.answer
    assert opened.citations[0].doc_id == "oslo"
    staff = small.ask("How many engineers work at the Oslo office?")
    assert "40 engineers" in staff.answer
    reopened = small.ask("When did the coastal road reopen?")
    assert "Monday" in reopened.answer and reopened.citations[0].doc_id == "rain"
    assert small.ask("Who won the election in Peru?").abstained
    for answer in (opened, staff, reopened):
        _exact(small, answer)
