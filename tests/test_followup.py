"""Follow-up questions resolved against the conversation (answering/followup.py)."""

from __future__ import annotations

from qabot.answering.followup import event, resolve, salient_person
from qabot.models import Turn
from qabot.text.entities import EntityTable


def _table() -> EntityTable:
    # A corpus that is not about Alibaba: the same rules learn its names.
    return EntityTable.from_texts([
        "Maria Rossi joined the board. The press quoted Rossi Maria, and Rossi agreed.",
        "'Big Boss' (Maria Rossi) then met Tom Green, the mayor of the city.",
        "Tom Green said the city was fine.",
    ])


def _turn(question: str, answer: str = "x", docs: tuple[str, ...] = ("d1",),
          abstained: bool = False) -> Turn:
    return Turn(question=question, interpreted_as=question, answer=answer,
                abstained=abstained, doc_ids=docs)


def test_aliases_are_learned_from_the_text() -> None:
    table = _table()
    group = table.mentions("What did Maria Rossi say?")
    assert len(group) == 1
    assert set(table.forms(group[0])) >= {"maria rossi", "rossi maria", "big boss", "rossi"}
    assert table.mentions("What did Big Boss say?") == group
    assert table.mentions("Tom Green") == []  # a name with no alias is not a group


def test_a_pronoun_takes_the_previous_questions_person() -> None:
    table = _table()
    turn = _turn("Who is Tom Green?", "Tom Green is the mayor.")
    got = resolve("what did he say?", [turn], table)
    assert got.text == "what did Tom Green say?" and got.followup and got.focus == ("d1",)
    assert resolve("what is his job?", [turn], table).text == "what is Tom Green's job?"


def test_after_a_who_question_he_is_the_person_the_answer_named() -> None:
    table = _table()
    turn = _turn("Who leads the city?", "The mayor, Tom Green, leads the city.")
    assert salient_person(turn, table) == "Tom Green"
    assert resolve("What did he apologise for?", [turn], table).text == \
        "What did Tom Green apologise for?"


def test_a_date_that_opens_the_answer_is_not_the_person_he_means() -> None:
    table = _table()
    for opening in ("On March 5, 2026,", "In May", "On Monday,", "March 3:"):
        turn = _turn("Who leads the city?", f"{opening} the mayor Tom Green spoke.")
        assert salient_person(turn, table) == "Tom Green", opening


def test_it_carries_the_previous_event_and_a_bare_why_asks_about_it() -> None:
    table = _table()
    turn = _turn("Why did Tom Green sell the farm?")
    assert event(turn) == "Tom Green sell the farm"
    assert resolve("When did he do it?", [turn], table).text == \
        "When did Tom Green do it? (it: Tom Green sell the farm)"
    assert resolve("why?", [_turn("Did Tom Green sell the farm?")], table).text == \
        "why? (of: Tom Green sell the farm)"
    # "that" introducing a clause is not a reference; a stand-alone question stays.
    stays = resolve("Did Maria Rossi say that the farm was sold?", [turn], table)
    assert stays.text == "Did Maria Rossi say that the farm was sold?" and not stays.followup
    assert stays.focus == ("d1",)  # the conversation's articles come first


def test_ellipsis_asks_the_previous_question_about_someone_else() -> None:
    table = _table()
    turn = _turn("What did Tom Green say?")
    assert resolve("and Maria Rossi?", [turn], table).text == "What did Maria Rossi say?"
    assert resolve("what about the mayor?", [turn], table).text == "What did the mayor say?"
    # A whole question after "and" is not an ellipsis: it is resolved on its own
    # (found by a new-user trial: "and when did he announce it?" became "What did when
    # did he announce it say?").
    got = resolve("and when did he say it?", [turn], table)
    assert got == resolve("when did he say it?", [turn], table)
    assert got.text.startswith("when did Tom Green say it?")


def test_a_pronoun_with_no_earlier_turn_is_asked_back() -> None:
    table = _table()
    got = resolve("What did he apologise for?", [], table)
    assert got.clarify is not None and "“he”" in got.clarify
    # The question names its own referent: nothing to ask.
    assert resolve("Why did Tom Green say he left?", [], table).clarify is None
    assert resolve("Why did the mayor say he left?", [], table).clarify is None
    assert resolve("Who is Tom Green?", [], table).clarify is None


def test_no_focus_after_an_abstention() -> None:
    table = _table()
    turn = _turn("Who is Tom Green?", "The articles don't say.", docs=(), abstained=True)
    got = resolve("what did he say?", [turn], table)
    assert got.text == "what did Tom Green say?" and got.focus == ()


def test_a_pronoun_kept_from_turn_to_turn_keeps_its_referent() -> None:
    """'Who is Zhou Hao?' / 'who did he report to?' / 'when did he join?': the second 'he'
    is still the first one's man, not the person the last answer named (issue 25)."""
    table = _table()
    second = Turn(question="who did he report to?", interpreted_as="who did Tom Green "
                  "report to?", answer="Tom Green reported to Maria Rossi.",
                  abstained=False, doc_ids=("d1",))
    assert resolve("when did he join?", [second], table).text == "when did Tom Green join?"
