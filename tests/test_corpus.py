from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import ARTICLE_A, ARTICLE_B, CORPUS_DIR, file_text

from qabot.corpus.load import default_corpus_path, document_from_text, load_corpus
from qabot.errors import CorpusError
from qabot.models import Corpus


def test_bundled_articles_load_with_header_metadata(corpus: Corpus) -> None:
    assert [d.id for d in corpus.documents] == [ARTICLE_A, ARTICLE_B]
    a, b = corpus.documents
    assert (a.date, a.ref, a.source) == (dt.date(2026, 3, 6), 372, f"{ARTICLE_A}.txt")
    assert (b.date, b.ref, b.source) == (dt.date(2026, 3, 13), 534, f"{ARTICLE_B}.txt")
    assert corpus.warnings == ()


def test_titles_are_short_and_readable(corpus: Corpus) -> None:
    a, b = corpus.documents
    assert a.title == "Following Junyang Lin’s announcement of his resignation"
    assert b.title == "Lin Junyang’s departure has finally been officially acknowledged by Alibaba"
    assert all(len(d.title) <= 81 for d in corpus.documents)


def test_body_offsets_index_the_file_text(corpus: Corpus) -> None:
    for doc in corpus.documents:
        text = file_text(CORPUS_DIR / doc.source)
        assert doc.text == text
        assert text[doc.body_start : doc.body_end] == doc.body
        assert doc.body.startswith(("Following Junyang Lin", "Lin Junyang’s departure"))
        assert not doc.body[-1].isspace()


def test_default_corpus_is_the_bundled_copy() -> None:
    path = default_corpus_path()
    names = sorted(p.name for p in path.glob("*.txt"))
    assert names == [f"{ARTICLE_A}.txt", f"{ARTICLE_B}.txt"]
    for name in names:
        assert (path / name).read_bytes() == (CORPUS_DIR / name).read_bytes()


def test_folder_is_searched_recursively_sorted_by_path(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_text("# A Heading\n\nSecond doc body.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("First doc, no header.", encoding="utf-8")
    (tmp_path / "ignored.csv").write_text("x,y", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [(d.id, d.source, d.date) for d in corpus.documents] == [
        ("a", "a.txt", None), ("b/z", "b/z.md", None)
    ]
    assert corpus.documents[1].title == "A Heading"


def test_crlf_and_bom_keep_exact_offsets(tmp_path: Path) -> None:
    raw = "\ufeff03/06 2026\r\n7\r\nFirst line here.\r\nSecond line. Third one!\r\n"
    (tmp_path / "x.txt").write_bytes(raw.encode("utf-8"))
    doc = load_corpus(tmp_path).documents[0]
    assert doc.date == dt.date(2026, 3, 6) and doc.ref == 7
    text = file_text(tmp_path / "x.txt")
    assert text[doc.body_start : doc.body_end] == "First line here.\r\nSecond line. Third one!"


def test_jsonl_corpus_beir_style(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    rows = [
        {"_id": 1, "title": "Alpha", "text": "Alpha text.", "date": "2024-02-01"},
        {"id": "b", "text": "Beta text here.", "url": "https://example.org/b"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    corpus = load_corpus(path)
    a, b = corpus.documents
    assert (a.id, a.title, a.date) == ("1", "Alpha", dt.date(2024, 2, 1))
    assert (b.id, b.title, b.url) == ("b", "Beta text here", "https://example.org/b")
    assert corpus.warnings == ("docs.jsonl:3: invalid JSON (Expecting value); skipped",)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no such file or folder"),
        (lambda p: p, "no .txt or .md files found"),
    ],
)
def test_unusable_paths_raise_one_line_errors(tmp_path: Path, make, message: str) -> None:
    with pytest.raises(CorpusError, match=message) as info:
        load_corpus(make(tmp_path))
    assert "\n" not in str(info.value)


def test_a_single_text_file_is_a_corpus(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("Hi there.", encoding="utf-8")
    corpus = load_corpus(f)
    (doc,) = corpus.documents
    assert (doc.id, doc.source, corpus.root) == ("a", "a.txt", str(tmp_path))
    other = tmp_path / "a.csv"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(CorpusError, match="expected a folder"):
        load_corpus(other)


def test_an_empty_corpus_path_is_an_error_not_the_current_folder() -> None:
    for path in ("", "  "):
        with pytest.raises(CorpusError, match="empty corpus path"):
            load_corpus(path)


def test_bad_files_are_skipped_with_warnings(tmp_path: Path) -> None:
    shutil.copy(CORPUS_DIR / f"{ARTICLE_A}.txt", tmp_path)
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "header_only.txt").write_text("03/06 2026\n12\n", encoding="utf-8")
    (tmp_path / "baddate.txt").write_text("13/45 2026\n12\nBody text.", encoding="utf-8")
    (tmp_path / "yesterday.txt").write_text("yesterday\n12\nBody text.", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert sorted(d.id for d in corpus.documents) == [ARTICLE_A, "baddate", "yesterday"]
    assert corpus.get("baddate").date is None and corpus.get("baddate").body == "Body text."
    assert corpus.get("yesterday").body == "Body text."
    assert sorted(corpus.warnings) == [
        "baddate.txt:1: invalid date '13/45 2026'; date unknown",
        "bin.txt: binary file (NUL byte); skipped",
        "empty.txt: empty file; skipped",
        "header_only.txt: no text after the header; skipped",
        "latin1.txt:1: not UTF-8 (byte 0xe9); skipped",
        "yesterday.txt:1: not a date 'yesterday' (expected a date such as 2026-03-06 or "
        "03/06 2026); date unknown",
    ]


def test_ids_are_paths_so_the_same_name_in_two_folders_is_two_documents(
        tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("One.", encoding="utf-8")
    (tmp_path / "a.md").write_text("Three.", encoding="utf-8")
    (tmp_path / "sub" / "a.txt").write_text("Two.", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["a", "a.txt", "sub/a"]
    assert corpus.warnings == ("a.txt: id 'a' already used by a.md; using 'a.txt'",)


@pytest.mark.parametrize("date_line", ["March 3, 2026", "2026-03-03", "03/03/2026",
                                       "Tuesday, March 3, 2026", "Date: 3 Mar 2026"])
@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_a_headline_directly_above_its_date_is_the_title(date_line: str, gap: str) -> None:
    """The commonest layout of news exports: the date was lost and joined the title."""
    text = f"Elm Street bridge closed after inspectors find cracks{gap}{date_line}\n\nThe " \
           "bridge was closed on Monday.\n"
    warnings: list[str] = []
    doc = document_from_text(text, "a", "a.txt", warnings)
    assert doc is not None and warnings == []
    assert doc.title == "Elm Street bridge closed after inspectors find cracks"
    assert doc.date is not None and doc.date.isoformat() == "2026-03-03"
    assert doc.body == "The bridge was closed on Monday."


def test_a_heading_headline_loses_its_marks_and_fields_are_not_headlines() -> None:
    doc = document_from_text("# Council passes 2026 budget\n\nDate: 12 Feb 2026\n\nText.\n",
                             "b", "b.md", [])
    assert doc is not None and doc.title == "Council passes 2026 budget"
    doc = document_from_text("Title: Foo\nDate: 2026-05-13\n\nText.\n", "c", "c.txt", [])
    assert doc is not None and doc.title == "Foo" and str(doc.date) == "2026-05-13"


@pytest.mark.parametrize(("first", "date_line", "day"), [
    ("# Elm Street bridge closed", "March 3, 2026", "2026-03-03"),
    ("Elm Street bridge closed", "13/05/2026", "2026-05-13"),
    ("# Elm Street bridge closed", "Date: 13/05/2026", "2026-05-13"),
])
def test_headline_layouts_keep_their_date_out_of_the_title(first: str, date_line: str,
                                                           day: str) -> None:
    text = f"{first}\n{date_line}\n\nThe bridge was closed on Monday.\n"
    warnings: list[str] = []
    doc = document_from_text(text, "a", "a.md", warnings)
    assert doc is not None and warnings == []
    assert doc.title == "Elm Street bridge closed" and str(doc.date) == day
    assert doc.text[doc.body_start : doc.body_end] == "The bridge was closed on Monday."


# --- "Name: value" field blocks (RFC 822 style: METADATA, Debian copyright, e-mail) ---

METADATA = """Metadata-Version: 2.4
Name: demo-pkg
Version: 1.2.3
Summary: A small package for demonstrations
Author-email: Ada Example <ada@example.org>
License-Expression: MIT
Requires-Python: >=3.11
Classifier: Programming Language :: Python :: 3

# demo-pkg

Demo-pkg shows how a package is described. It has no code worth running.
"""

COPYRIGHT = """Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tinytool
Source: https://example.org/tinytool

Files: *
Copyright: 2020, Ada Example <ada@example.org>
           2021, Bob Example
License: GPL-2+
 This program is free software; you can redistribute it and/or modify it under
 the terms of the GNU General Public License.
 .
 On Debian systems the full text is in /usr/share/common-licenses/GPL-2.
"""

EMAIL = """From: Ada Example <ada@example.org>
To: team@example.org
Subject: The dam will cost four million
Date: Fri, 06 Mar 2026 10:00:00 +0000

The council agreed the cost on Thursday.
"""


@pytest.mark.parametrize(("text", "title", "date"), [
    (METADATA, "demo-pkg — A small package for demonstrations", None),
    (COPYRIGHT, "tinytool", None),
    (EMAIL, "The dam will cost four million", dt.date(2026, 3, 6)),
])
def test_a_field_block_gives_the_title_and_date_and_stays_searchable(
        text: str, title: str, date: dt.date | None) -> None:
    warnings: list[str] = []
    doc = document_from_text(text, "f", "f.txt", warnings)
    assert doc is not None and warnings == []
    assert (doc.title, doc.titled, doc.date) == (title, True, date)
    # The block is metadata and text at once: its fields are searched, so it stays in.
    assert doc.body_start == 0


def test_each_field_is_its_own_unit_and_passage() -> None:
    from qabot.corpus.passages import PassageConfig, document_passages
    from qabot.text.segment import segment_units

    doc = document_from_text(METADATA, "m", "m.txt", [])
    assert doc is not None
    units = segment_units(doc.text, doc.body_start, doc.body_end)
    fields = [doc.text[a:b] for a, b, kind in units if kind == "field"]
    assert fields[0] == "Metadata-Version: 2.4" and "Requires-Python: >=3.11" in fields
    assert len(fields) == 8
    passages = document_passages(doc, PassageConfig())
    assert [p.text for p in passages[:8]] == fields  # one field a passage
    assert passages[8].text.startswith("Demo-pkg shows")  # the prose is cut as before


def test_continuation_lines_are_text_under_their_field() -> None:
    from qabot.text.segment import segment_units

    units = [(COPYRIGHT[a:b], kind) for a, b, kind in segment_units(COPYRIGHT)]
    assert ("License: GPL-2+", "field") in units
    assert ("Copyright: 2020, Ada Example <ada@example.org>", "field") in units
    texts = [t for t, kind in units if kind == "text"]
    # Debian's " ." line ends a paragraph of the licence text and is not itself a unit.
    assert any(t.startswith("This program is free software") for t in texts)
    assert any(t.startswith("On Debian systems") for t in texts)
    assert "." not in texts


@pytest.mark.parametrize("text", [
    "Note: the council met on Thursday.\nIt agreed the cost of the dam.\n",  # one field
    "Title: A headline\nDate: 2026-03-06\n\nThe text.\n",  # a news header: read as before
    "Update: one\nnot indented, so not a continuation\nSecond: two\n",
])
def test_what_is_not_a_field_block(text: str) -> None:
    from qabot.text.segment import segment_units

    doc = document_from_text(text, "n", "n.txt", [])
    assert doc is not None
    kinds = {kind for _, _, kind in segment_units(doc.text, doc.body_start, doc.body_end)}
    assert "field" not in kinds


def test_is_field_agrees_with_the_segmentation() -> None:
    from qabot.text.segment import is_field, segment_units

    prose = ("The council met on Thursday.\nNote: the dam will cost four million.\n"
             "It opens in 2029.\n")
    for text in (METADATA, COPYRIGHT, EMAIL, prose, METADATA.replace("\n", "\r\n")):
        for a, b, kind in segment_units(text):
            assert is_field(text, a, b) == (kind == "field"), text[a:b]
    line = prose.index("Note:")
    assert not is_field(prose, line, prose.index("\n", line))  # a prose line, not a field
