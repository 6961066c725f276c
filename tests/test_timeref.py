from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from qabot.text.timeref import day_references

PUBLISHED = date(2026, 3, 6)


def _days(text: str, published: date | None = PUBLISHED) -> list[tuple[str, str, bool]]:
    return [(r.text, r.day.isoformat(), r.relative) for r in day_references(text, published)]


def test_absolute_days_take_the_articles_year_when_they_lack_one() -> None:
    assert _days("On March 5, 2026, the CEO wrote; on March 3 he quit; on 2 Feb 2025 too.") == [
        ("March 5, 2026", "2026-03-05", False), ("March 3", "2026-03-03", False),
        ("2 Feb 2025", "2025-02-02", False)]
    # A day well after the article's date is last year's.
    assert _days("On December 28 the deal closed.") == [("December 28", "2025-12-28", False)]
    # Without a publication date only days with their own year are resolved.
    assert _days("On March 3 and on March 5, 2026.", None) == [
        ("March 5, 2026", "2026-03-05", False)]


def test_relative_days_count_from_the_articles_date() -> None:
    assert _days("This morning he left; yesterday's memo; tomorrow a vote; last night too.") == [
        ("This morning", "2026-03-06", True), ("yesterday's", "2026-03-05", True),
        ("tomorrow", "2026-03-07", True), ("last night", "2026-03-05", True)]
    assert _days("yesterday", None) == []


def test_vague_or_impossible_days_are_not_resolved() -> None:
    assert _days("In early 2026, that evening, last week, he may 3 times try; February 30.") == []


@given(st.text(max_size=200), st.none() | st.dates())
def test_references_are_exact_slices_in_order(text: str, published: date | None) -> None:
    refs = day_references(text, published)
    assert [r.start for r in refs] == sorted(r.start for r in refs)
    for r in refs:
        assert text[r.start : r.end] == r.text


def test_first_and_last_representable_days_do_not_overflow() -> None:
    assert _days("yesterday, on January 1", date.min) == [("January 1", "0001-01-01", False)]
    assert _days("tomorrow, on December 31", date.max) == [
        ("December 31", "9999-12-31", False)]
