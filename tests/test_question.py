from __future__ import annotations

import pytest

from qabot.entities import EntityTable
from qabot.models import Turn
from qabot.question import author_voice, classify, clean, rewrite


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Why did Lin resign?", "why"),
        ("What made Lin feel sidelined?", "why"),
        ("When did he join?", "when"),
        ("Since when has Lin pushed for bundling?", "when"),
        ("Who is Zhou Hao?", "who"),
        ("What was Yu Bowen's role?", "who"),
        ("How many users does Qwen have?", "how-many"),
        ("How much did Alibaba invest?", "how-many"),
        ("What did Wu Yongming say in the memo?", "quote"),
        ("Is Alibaba abandoning open source?", "yes-no"),
        ("When was the article about dream analysis published?", "date-attribution"),
        ("What is the scale trap?", "what"),
        # "when" opening (or closing) a question asks for a time; inside one it does not.
        ("and when did he go?", "when"),
        ("He left when?", "when"),
        ("What did Lin write online when he quit?", "quote"),
        ("Which team did he play for when he won?", "what"),
        ("Who was CEO when Lin left?", "who"),
        # "which/what" + a noun for people asks for people.
        ("Which blogger criticised the metrics?", "who"),
        ("Which Qwen team members have resigned?", "who"),
        ("What does the writer say models are not like?", "quote"),
        ("Which company did he join?", "what"),
    ],
)
def test_classify(question: str, kind: str) -> None:
    assert classify(question) == kind


def test_clean_strips_controls_and_bounds_length() -> None:
    assert clean("  why\x1b[31m did\x00 Lin\u202e resign?\n") == ("why [31m did Lin resign?", False)
    text, truncated = clean("word " * 2000)
    assert truncated and len(text) <= 2000


def _table() -> EntityTable:
    # A corpus that is not about Alibaba: the same rules learn its names.
    return EntityTable.from_texts([
        "Maria Rossi joined the board. The press quoted Rossi Maria, and Rossi agreed.",
        "'Big Boss' (Maria Rossi) then met Tom Green, the mayor of the city.",
        "Tom Green said the city was fine.",
    ])


def test_aliases_are_learned_from_the_text() -> None:
    table = _table()
    group = table.mentions("What did Maria Rossi say?")
    assert len(group) == 1
    assert set(table.forms(group[0])) >= {"maria rossi", "rossi maria", "big boss", "rossi"}
    assert table.mentions("What did Big Boss say?") == group
    assert table.mentions("Tom Green") == []  # a name with no alias is not a group


def test_pronoun_and_ellipsis_rewrites() -> None:
    table = _table()
    turn = Turn(question="Who is Tom Green?", interpreted_as="Who is Tom Green?", answer="x")
    assert rewrite("what did he say?", [turn], table) == "what did Tom Green say?"
    assert rewrite("what is his job?", [turn], table) == "what is Tom Green's job?"
    assert rewrite("and Maria Rossi?", [turn], table) == "Who is Maria Rossi?"
    assert rewrite("Who is Maria Rossi?", [turn], table) == "Who is Maria Rossi?"
    assert rewrite("what did he say?", [], table) == "what did he say?"


def test_it_carries_the_previous_questions_topic() -> None:
    table = _table()
    turn = Turn(question="Why did Tom Green sell the farm?",
                interpreted_as="Why did Tom Green sell the farm?", answer="x")
    assert rewrite("When did he do it?", [turn], table) == \
        "When did Tom Green do it? (it: sell farm)"
    # "that" after "before" is a time, not a thing; a stand-alone question is left alone.
    assert rewrite("Where did he live before that?", [turn], table) == \
        "Where did Tom Green live before that?"
    assert rewrite("Did Maria Rossi say that the farm was sold?", [turn], table) == \
        "Did Maria Rossi say that the farm was sold?"
    # The topic is context: the question's type comes from its own words.
    reasons = Turn(question="What were the reasons for the sale?",
                   interpreted_as="What were the reasons for the sale?", answer="x")
    asked = rewrite("When did it happen?", [reasons], table)
    assert asked == "When did it happen? (it: reasons sale)" and classify(asked) == "when"


@pytest.mark.parametrize(("question", "expected"), [
    ("What does the writer say foundation models are not like?",
     ("What does say foundation models are not like?", True)),
    ("Does the first author expect Qwen to fall apart?",
     ("Does expect Qwen to fall apart?", True)),
    ("Why do the authors think so?", ("Why do think so?", True)),
    # Asking about an author, not in the article's voice: left alone.
    ("Who is the author of the book?", ("Who is the author of the book?", False)),
    ("Who was the writer?", ("Who was the writer?", False)),
    ("What did the author of the memo say?", ("What did the author of the memo say?", False)),
    ("Which authorities spoke?", ("Which authorities spoke?", False)),
])
def test_author_voice_drops_the_articles_own_voice(question: str,
                                                   expected: tuple[str, bool]) -> None:
    assert author_voice(question) == expected
