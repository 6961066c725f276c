"""Time in the news (issue 24): event dates resolved with their precision, stored in the
index, narrowing by date, the timeline, `qabot docs`, and "when" answers led by a date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qabot.answering.bot import Bot
from qabot.answering.timeline import timeline
from qabot.corpus.load import load_corpus
from qabot.retrieval import store
from qabot.retrieval.retriever import Retriever
from qabot.text.eventdates import time_mentions
from qabot.ui.cli import main

WEDNESDAY = date(2026, 6, 10)


def _said(text: str, published: date | None = WEDNESDAY) -> list[tuple[str, str, str]]:
    return [(m.text, m.day.isoformat(), m.precision) for m in time_mentions(text, published)]


def test_absolute_days_months_and_years_with_their_precision() -> None:
    assert _said("On March 5, 2026, the CEO wrote. It began in February 2025, in 2008 and "
                 "early 2026. The plan dated 2026-03-05 was kept.") == [
        ("March 5, 2026", "2026-03-05", "day"), ("February 2025", "2025-02-01", "month"),
        ("2008", "2008-01-01", "year"), ("early 2026", "2026-01-01", "year"),
        ("2026-03-05", "2026-03-05", "day")]


def test_relative_days_count_from_the_articles_date() -> None:
    # Wednesday 10 June 2026: a past-tense Tuesday is the day before; a future one next week.
    assert _said("The bridge reopened to traffic on Tuesday. It will close on Tuesday.") == [
        ("Tuesday", "2026-06-09", "day"), ("Tuesday", "2026-06-16", "day")]
    assert _said("Yesterday it rained; this morning it cleared; last Friday it snowed.") == [
        ("Yesterday", "2026-06-09", "day"), ("this morning", "2026-06-10", "day"),
        ("last Friday", "2026-06-05", "day")]
    assert _said("Last week sales fell, and earlier this month, and two weeks ago.") == [
        ("Last week", "2026-06-01", "week"), ("earlier this month", "2026-06-01", "month"),
        ("two weeks ago", "2026-05-25", "week")]


def test_the_narratives_day_anchors_that_afternoon_and_days_later() -> None:
    text = ("He quit on March 3. That afternoon the board met. Three days later he left. "
            "The next day he spoke.")
    assert _said(text) == [("March 3", "2026-03-03", "day"),
                           ("That afternoon", "2026-03-03", "day"),
                           ("Three days later", "2026-03-06", "day"),
                           ("The next day", "2026-03-07", "day")]
    # With no day named before it, "that afternoon" is not guessed.
    assert _said("That afternoon the board met.") == []


def test_a_yearless_day_is_the_nearest_unless_the_future_is_spoken_of() -> None:
    jan = date(2026, 1, 3)
    assert _said("The deal closed on December 28.", jan) == [
        ("December 28", "2025-12-28", "day")]
    may = date(2015, 5, 7)
    assert _said("Voting is to be held from November 20.", may) == [
        ("November 20", "2015-11-20", "day")]
    assert _said("Apple announced Friday that it will give cases.", date(2010, 7, 17)) == [
        ("Friday", "2010-07-16", "day")]


def test_words_that_only_look_like_times_are_not_dates() -> None:
    assert _said("This may not help; troops march on; 2,000 staff; the 5000 index; "
                 "for three years.") == []
    assert _said("Yesterday and March 3 are unknown here.", None) == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Mon Tuesday March 5, 2026 yesterday that "
                                               "afternoon days later in\n.")), max_size=160),
       st.none() | st.dates())
def test_mentions_are_exact_slices_in_order(text: str, published: date | None) -> None:
    found = time_mentions(text, published)
    assert [m.start for m in found] == sorted(m.start for m in found)
    for m in found:
        assert text[m.start : m.end] == m.text


@pytest.fixture
def dated(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Elm Street bridge closed after inspectors find cracks\nMarch 3, 2026\n\n"
        "The bridge was closed on Monday after inspectors found cracks.\n", encoding="utf-8")
    (folder / "b.txt").write_text(
        "Elm Street bridge reopens\nWednesday, June 10, 2026\n\n"
        "The Elm Street bridge reopened to traffic on Tuesday. The bridge had been closed "
        "on March 1 after inspectors found cracks.\n", encoding="utf-8")
    (folder / "c.txt").write_text("Council notes\n\nThe council met about the budget.\n",
                                  encoding="utf-8")
    return folder


def test_mentions_are_kept_in_the_index_and_checked_on_load(dated: Path) -> None:
    corpus = load_corpus(dated)
    built = Retriever.from_corpus(corpus, cache=True)
    loaded = Retriever.from_corpus(corpus, cache=True)
    assert loaded.from_cache and loaded.mentions() == built.mentions()
    said = [(m.text, m.date.isoformat()) for m in loaded.mentions()]
    assert said == [("Monday", "2026-03-02"), ("Tuesday", "2026-06-09"),
                    ("March 1", "2026-03-01")]
    for m in loaded.mentions():
        assert loaded.document(m.doc_id).text[m.start : m.end] == m.text
    # A date row out of range is refused (even with its checksum made to match), and the
    # index is rebuilt, never trusted.
    path = loaded.cache_path
    assert path is not None
    with np.load(path) as data:
        arrays = {name: data[name].copy() for name in data.files}
    meta = json.loads(bytes(arrays["meta"]).decode())
    arrays["t_day"][0] = 0
    meta["arrays"]["t_day"] = store._describe(arrays["t_day"])
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, **arrays)  # type: ignore[arg-type]
    with pytest.raises(store.StaleCache, match="inconsistent"):
        store.load(path, meta["key"], corpus)
    assert Retriever.from_corpus(corpus, cache=True).mentions() == built.mentions()


def test_since_and_until_narrow_answers_and_search_by_publication_date(dated: Path) -> None:
    retriever = Retriever.from_corpus(load_corpus(dated))
    assert [d.source for d in retriever.documents(since=date(2026, 6, 1))] == ["b.txt"]
    assert [d.source for d in retriever.documents(until=date(2026, 3, 31))] == ["a.txt"]
    bot = Bot(retriever)
    answer = bot.ask("When did the bridge reopen?", since=date(2026, 6, 1))
    assert {c.source for c in answer.citations} <= {"b.txt"}
    none = bot.ask("When did the bridge reopen?", since=date(2027, 1, 1))
    assert none.abstained and "No article is dated between" in none.answer


def test_a_when_answer_leads_with_the_resolved_date(dated: Path) -> None:
    bot = Bot(Retriever.from_corpus(load_corpus(dated)))
    answer = bot.ask("When did the bridge reopen to traffic?")
    assert not answer.abstained
    assert answer.answer.startswith("9 Jun 2026 (“Tuesday”): ")  # the words it came from


def test_the_lead_date_is_the_one_nearest_the_questions_words(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "Bridge history\nMay 13, 2026\n\nThe bridge was built in 1958 and last repaired in "
        "2019.\n", encoding="utf-8")
    bot = Bot(Retriever.from_corpus(load_corpus(tmp_path)))
    assert bot.ask("When was the bridge built?").answer.startswith("1958: ")
    assert bot.ask("When was the bridge last repaired?").answer.startswith("2019: ")


def test_the_timeline_orders_cites_and_marks_disagreement(dated: Path) -> None:
    found = timeline(Retriever.from_corpus(load_corpus(dated)), "bridge cracks")
    assert [(e.date.isoformat(), e.mention) for e in found.events] == [
        ("2026-03-01", "March 1"), ("2026-03-02", "Monday"), ("2026-06-09", "Tuesday")]
    for e in found.events:
        text = (dated / e.citation.source).read_text(encoding="utf-8")
        assert text[e.citation.start : e.citation.end] == e.quote == e.citation.quote
    # The closure after the cracks: 1 March in one article, Monday 2 March in the other.
    assert found.events[0].disagrees_with == [1]
    assert found.events[1].disagrees_with == [0]
    assert found.events[2].disagrees_with == []


def test_timeline_and_docs_commands(dated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", "--json", "--corpus", str(dated), "--since", "2026-06-01"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"query", "since", "until", "events"}
    assert [e["date"] for e in data["events"]] == ["2026-06-09"]
    event = data["events"][0]
    assert {"date", "precision", "quote", "citation", "disagrees_with"} <= set(event)
    assert event["citation"]["source"] == "b.txt" and event["citation"]["line"] == 4
    assert main(["docs", "--corpus", str(dated)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" · ")[-1] for line in lines] == ["a.txt", "b.txt", "c.txt"]
    assert lines[-1].strip().startswith("undated")
    with pytest.raises(SystemExit) as bad:  # argparse's exit, with one line
        main(["timeline", "--corpus", str(dated), "--until", "13/13/2026"])
    assert bad.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--until" in err and "13/13/2026" in err
    assert main(["timeline", "--corpus", str(dated), "nothing", "here"]) == 1


@pytest.fixture
def month(tmp_path: Path) -> Path:
    folder = tmp_path / "month"
    folder.mkdir()
    files = {
        "a.txt": ("Elm Street bridge closed\nMarch 3, 2026\n\n"
                  "The Elm Street bridge was closed on Monday after inspectors found cracks."),
        "c.txt": ("Library opens new wing\nMarch 22, 2026\n\n"
                  "The public library opened its new children wing on Sunday."),
        "d.txt": ("Spring marathon draws record crowd\n2 Apr 2026\n\n"
                  "A record 12,000 runners took part in the spring marathon on Wednesday."),
        "u.txt": "Undated note\n\nA note about runners and the library.",
    }
    for name, text in files.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return folder


def test_a_question_about_a_time_alone_is_answered_from_the_dates(month: Path) -> None:
    bot = Bot(Retriever.from_corpus(load_corpus(month)))
    april = bot.ask("What happened in April?")
    assert april.answer.startswith("1 Apr 2026 (“Wednesday”): A record 12,000 runners")
    assert [c.source for c in april.citations] == ["d.txt"]
    march = bot.ask("What happened in March?")
    assert [c.source for c in march.citations] == ["a.txt", "c.txt"]  # oldest first
    day = bot.ask("What happened on 22 March 2026?")
    assert [c.source for c in day.citations] == ["c.txt"]
    before = bot.ask("What happened before March 10, 2026?")
    assert [c.source for c in before.citations] == ["a.txt"]
    for answer in (april, march, day, before):
        for c in answer.citations:
            text = (month / c.source).read_text(encoding="utf-8")
            assert text[c.start : c.end] == c.quote
    newest = bot.ask("Which article is the most recent?")
    assert [c.source for c in newest.citations] == ["d.txt"]
    assert "newest of the 3 dated articles" in newest.notes[0]
    # Typed in lower case, or without a year: the latest such day or month the corpus has.
    assert [c.source for c in bot.ask("what happened in april").citations] == ["d.txt"]
    assert [c.source for c in bot.ask("What happened on March 22?").citations] == ["c.txt"]
    oldest = bot.ask("What is the oldest article?")
    assert [c.source for c in oldest.citations] == ["a.txt"]
    # A topic beside the time goes the usual way (the time only scopes the search).
    assert not bot.ask("How many runners took part in the marathon in April?").abstained


def test_what_a_new_user_found_is_read_right() -> None:
    thursday = date(2011, 8, 25)
    assert _said("A survey of 1709 schoolchildren; the cars of tomorrow.", thursday) == []
    assert _said("He has been on leave since January.", thursday) == [
        ("January", "2011-01-01", "month")]
    assert _said("The markets stay closed until Friday.", date(2008, 9, 18)) == [
        ("Friday", "2008-09-19", "day")]
    assert _said("It opened in June. He left in Sept. and came back.", thursday) == [
        ("June", "2011-06-01", "month"), ("Sept.", "2011-09-01", "month")]


def test_ranges_that_hold_nothing_are_refused(dated: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="since .* is after until"):
        Retriever.from_corpus(load_corpus(dated)).documents(since=date(2026, 5, 1),
                                                            until=date(2026, 3, 1))
    assert main(["docs", "--corpus", str(dated), "--since", "2026-05-01",
                 "--until", "2026-03-01"]) == 2
    err = capsys.readouterr().err
    assert err == ("qabot docs: error: --since 2026-05-01 is after --until 2026-03-01: no "
                   "article could be in the range\n")


def test_chat_json_on_a_pipe_writes_the_timeline_as_one_json_line(dated: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "qabot", "chat", "--json", "--corpus",
                           str(dated)], input="/timeline bridge\n/until 2026-03-01\n"
                          "/since 2026-06-01\n", capture_output=True, text=True, timeout=120)
    (line,) = proc.stdout.splitlines()
    assert [e["mention"] for e in json.loads(line)["events"]] == ["March 1", "Monday",
                                                                  "Tuesday"]
    assert "/since 1 Jun 2026 is after /until 1 Mar 2026: nothing to read; not set." in (
        proc.stderr)
