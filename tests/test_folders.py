"""Users' own folders: wrapped text, Markdown with front matter, headline-first exports,
date headers, single files, path ids, JSONL records and grouped warnings.

The files under tests/data/userfolder were not written for qabot (see its NOTICE) except
the three news files, which have the shape of common news exports."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, file_text
from hypothesis import given, settings
from hypothesis import strategies as st

from qabot.answering.bot import Bot
from qabot.corpus.load import load_corpus
from qabot.paths import cache_dir
from qabot.retrieval.retriever import Retriever
from qabot.text.lexicon import ABBREVIATIONS
from qabot.text.segment import blocks, is_wrapped, segment_bounds
from qabot.text.timeref import DateError, parse_date

FOLDER = ROOT / "tests" / "data" / "userfolder"


@pytest.fixture(scope="module")
def folder_bot() -> Bot:
    return Bot(Retriever.from_corpus(load_corpus(FOLDER)))


def test_titles_and_dates_of_real_files() -> None:
    corpus = load_corpus(FOLDER)
    got = {d.source: (d.title, d.date) for d in corpus.documents}
    assert got == {
        "docs/nettle-README.txt": ("What is GNU Nettle", None),
        "docs/npm-install.md": ("Install", None),  # front matter title:
        "docs/systemd-TRANSLATORS.md": ("Notes for Translators", None),
        "licences/pip-LICENSE.txt": (
            "Copyright (c) 2008-present The pip developers (see AUTHORS.txt file)", None),
        "licences/python-LICENSE.txt": ("A. HISTORY OF THE SOFTWARE", None),  # ==== heading
        "news/coastal-storm.txt": (  # headline, blank line, "13/03 2026"
            "Storm closes coastal roads and cuts power to 40,000 homes", dt.date(2026, 3, 13)),
        "news/library-budget.txt": (  # headline, blank line, "Date: 2026-03-06"
            "Riverton council approves money for a new central library", dt.date(2026, 3, 6)),
        "news/museum-reopens.md": (  # front matter title: and date:
            "Harbour museum reopens after a two-year renovation", dt.date(2026, 2, 27)),
    }
    assert corpus.warnings == ()


def test_a_wrapped_sentence_is_one_sentence_across_lines(folder_bot: Bot) -> None:
    answer = folder_bot.ask("Who created Python?")
    assert not answer.abstained and "Guido van Rossum" in answer.answer
    cite = answer.citations[0]
    text = file_text(FOLDER / cite.source)
    assert text[cite.start : cite.end] == cite.quote
    assert cite.quote.startswith("Python was created in the early 1990s")
    assert "\n" in cite.quote and "called ABC." in cite.quote


def test_front_matter_is_metadata_not_text(folder_bot: Bot) -> None:
    hits = folder_bot.search("Staff reporter culture local tags", k=5)
    assert all("museum" not in h.source for h in hits)
    doc = load_corpus(FOLDER).get("news/museum-reopens")
    assert doc.body.startswith("The Harbour Museum reopened") and doc.titled


def test_the_date_line_of_a_headline_export_is_not_text() -> None:
    doc = load_corpus(FOLDER).get("news/library-budget")
    assert doc.body.startswith("The Riverton city council voted")


def test_the_bundled_articles_are_one_paragraph_per_line(corpus) -> None:  # type: ignore[no-untyped-def]
    for doc in corpus.documents:
        assert not any(is_wrapped(doc.text, b)
                       for b in blocks(doc.text, doc.body_start, doc.body_end))
        spans = segment_bounds(doc.text, doc.body_start, doc.body_end)
        assert all("\n" not in doc.text[a:b] for a, b, _ in spans)


def test_wrapped_capitals_are_not_headings_and_a_lone_short_line_is() -> None:
    text = ("Overview\n\nTHE SOFTWARE IS PROVIDED AS IS, WITHOUT WARRANTY OF ANY KIND,\n"
            "EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF\n"
            "MERCHANTABILITY. Another sentence follows here.\n")
    spans = segment_bounds(text)
    assert [(text[a:b].split()[0], h) for a, b, h in spans] == [
        ("Overview", True), ("THE", False), ("Another", False)]


def test_list_items_and_markdown_headings_start_new_paragraphs() -> None:
    text = ("Setup\n=====\nInstall it with pip and then run the tests in\nthe usual way.\n"
            "- first item of a list\n- second item\n## Usage\nRun it.\n")
    got = [(text[a:b], h) for a, b, h in segment_bounds(text)]
    assert got == [("Setup", True),
                   ("Install it with pip and then run the tests in\nthe usual way.", False),
                   ("- first item of a list", False), ("- second item", False),
                   ("## Usage", True), ("Run it.", False)]


@pytest.mark.parametrize(("value", "day"), [
    ("2026-03-06", dt.date(2026, 3, 6)),
    ("2026-03-06T09:30:00+01:00", dt.date(2026, 3, 6)),
    ("2026-03-06T09:30:00Z", dt.date(2026, 3, 6)),
    ("03/06 2026", dt.date(2026, 3, 6)),     # the bundled header: MM/DD YYYY
    ("13/03 2026", dt.date(2026, 3, 13)),    # only one reading is a date
    ("13/03/2026", dt.date(2026, 3, 13)),
    ("March 6, 2026", dt.date(2026, 3, 6)),
    ("6 Mar 2026", dt.date(2026, 3, 6)),
    ("Friday, March 6, 2026 10:30", dt.date(2026, 3, 6)),
    ("Fri, 06 Mar 2026 10:00:00 +0000", dt.date(2026, 3, 6)),
])
def test_date_forms(value: str, day: dt.date) -> None:
    assert parse_date(value) == day


@pytest.mark.parametrize(("value", "problem"), [
    ("03/06/2026", "ambiguous"), ("02/30 2026", "invalid"), ("2026-13-01", "invalid"),
    ("March 6", "not a date"), ("soon", "not a date"),
])
def test_dates_that_are_refused(value: str, problem: str) -> None:
    with pytest.raises(DateError, match=problem):
        parse_date(value)


def test_an_ambiguous_date_header_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline here\n\nDate: 03/06/2026\n\nBody text.\n",
                                    encoding="utf-8")
    corpus = load_corpus(tmp_path)
    doc = corpus.documents[0]
    assert doc.date is None and doc.title == "Headline here" and doc.body == "Body text."
    assert corpus.warnings == ("a.txt:3: ambiguous date '03/06/2026' (day/month or "
                               "month/day?); write it as YYYY-MM-DD; date unknown",)


def test_bad_front_matter_warns_and_is_still_not_text(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: [unclosed\n---\nBody text.\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.documents[0].body == "Body text."
    assert corpus.warnings[0].startswith("a.md:") and "not valid YAML" in corpus.warnings[0]


def test_a_rule_line_without_a_closing_one_is_not_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nJust text after a rule.\n", encoding="utf-8")
    assert load_corpus(tmp_path).documents[0].body == "---\nJust text after a rule."


def test_jsonl_records_split_on_newline_only(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    odd = "one\u2028two\u2029three\x85four\x0cfive\x0bsix\x1cseven"
    path.write_text(json.dumps({"id": "a", "text": f"Alpha {odd}."}, ensure_ascii=False)
                    + "\n{broken\n", encoding="utf-8")
    corpus = load_corpus(path)
    assert [d.id for d in corpus.documents] == ["a"]
    assert corpus.warnings == ("c.jsonl:2: invalid JSON (Expecting property name enclosed in "
                               "double quotes); skipped",)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qabot", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_warnings_are_grouped_and_not_repeated_on_a_warm_cache(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "good.txt").write_text("Alpha met Beta in Paris.\n", encoding="utf-8")
    for i in range(13):
        (folder / f"bad{i:02}.txt").write_bytes(b"caf\xe9")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = _cli("search", "--corpus", str(folder), "Paris", env=env)
    lines = first.stderr.splitlines()
    assert first.returncode == 0 and len(lines) == 11
    assert lines[-1] == "qabot: warning: and 3 more (qabot index --warnings lists all)"
    second = _cli("search", "--corpus", str(folder), "Paris", env=env)
    assert second.returncode == 0 and second.stderr == ""
    listed = _cli("index", "--corpus", str(folder), "--warnings", env=env)
    assert listed.stderr.count("not UTF-8") == 13


def test_a_single_file_and_an_empty_corpus_argument(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    one = _cli("ask", "--json", "--corpus", str(FOLDER / "licences" / "python-LICENSE.txt"),
               "Who created Python?", env=env)
    assert one.returncode == 0, one.stderr
    cite = json.loads(one.stdout)["citations"][0]
    assert cite["source"] == "python-LICENSE.txt" and "Guido" in cite["quote"]
    empty = _cli("ask", "--corpus", "", "Who?", env=env)
    assert empty.returncode == 2 and "empty corpus path" in empty.stderr
    assert "Traceback" not in empty.stderr


# -- offsets stay exact, whatever the file looks like ---------------------------------

_WORD = st.text(alphabet="abcdefghij", min_size=3, max_size=8).filter(
    lambda w: w not in ABBREVIATIONS)
_SENTENCE = st.lists(_WORD, min_size=1, max_size=14).map(
    lambda ws: " ".join([ws[0].capitalize(), *ws[1:]]) + ".")
_HEADERS = st.sampled_from([
    "", "03/06 2026\n372\n", "2026-03-06\n\n", "Date: 6 March 2026\n\n",
    "A headline standing alone\n\nDate: 2026-03-06T10:00:00Z\n\n",
    "---\ntitle: Hi\ndate: 2026-03-06\n---\n", "13/03 2026\n", "# A title\n\n",
])


@settings(max_examples=150, deadline=None)
@given(header=_HEADERS,
       paragraphs=st.lists(st.lists(_SENTENCE, min_size=1, max_size=5), min_size=1,
                           max_size=4),
       width=st.integers(min_value=20, max_value=90), crlf=st.booleans(),
       bom=st.booleans())
def test_offsets_stay_exact(tmp_path_factory: pytest.TempPathFactory, header: str,
                            paragraphs: list[list[str]], width: int, crlf: bool,
                            bom: bool) -> None:
    import textwrap

    body = "\n\n".join(textwrap.fill(" ".join(p), width) for p in paragraphs) + "\n"
    text = ("\ufeff" if bom else "") + header + body
    if crlf:
        text = text.replace("\n", "\r\n")
    folder = tmp_path_factory.mktemp("hyp")
    (folder / "a.md").write_bytes(text.encode("utf-8"))
    doc = load_corpus(folder).documents[0]
    raw = file_text(folder / "a.md")
    assert doc.text == raw
    spans = segment_bounds(raw, doc.body_start, doc.body_end)
    words_in_spans = [w for a, b, _ in spans for w in raw[a:b].split()]
    heading = header.split() if header.startswith("#") else []  # a "# " title is text
    assert words_in_spans == heading + body.split()  # every word once, in order
    sentences = [s for p in paragraphs for s in p]
    assert [" ".join(raw[a:b].split()) for a, b, h in spans if not h] == sentences


# -- the cache: superseded indexes, stray temp files, `qabot cache` ---------------------


def test_a_superseded_index_is_removed_and_stale_temp_files_cleaned(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha met Beta in Paris.\n", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    index = tmp_path / "cache" / "qabot" / "index"
    assert _cli("index", "--corpus", str(folder), env=env).returncode == 0
    (first,) = index.glob("*.npz")
    stray = index / ".qabot.x.npz.abc.tmp"
    stray.write_bytes(b"half")
    os.utime(stray, (0, 0))
    fresh = index / ".qabot.y.npz.abc.tmp"  # another process may be writing this one
    fresh.write_bytes(b"half")
    foreign = index / ".x.tmp"  # not named as qabot names its own: never swept
    foreign.write_bytes(b"theirs")
    os.utime(foreign, (0, 0))
    (folder / "a.txt").write_text("Alpha met Gamma in Rome.\n", encoding="utf-8")
    assert _cli("index", "--corpus", str(folder), env=env).returncode == 0
    (second,) = index.glob("*.npz")
    assert second != first and not stray.exists() and fresh.exists() and foreign.exists()
    shown = _cli("cache", env=env)
    assert shown.returncode == 0 and "index" in shown.stdout and "folders" in shown.stdout
    cleared = _cli("cache", "clear", env=env)
    assert cleared.returncode == 0 and not (tmp_path / "cache" / "qabot").exists()


def test_an_edited_file_is_parsed_again_and_a_damaged_parse_cache_ignored(
        tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    path = folder / "a.txt"
    path.write_text("Old headline\n\nDate: 2026-03-06\n\nBody one.\n", encoding="utf-8")
    first = load_corpus(folder).documents[0]
    assert (first.title, first.date) == ("Old headline", dt.date(2026, 3, 6))
    stat = path.stat()
    path.write_text("New headline\n\nDate: 2026-03-07\n\nBody two.\n", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and time
    again = load_corpus(folder).documents[0]
    assert (again.title, again.date, again.body) == (
        "New headline", dt.date(2026, 3, 7), "Body two.")
    saved = list((cache_dir() / "folders").glob("*.json"))
    assert saved
    for damaged in ("[]", "{", '{"code": 1}', "[" * 100_000):
        for cached in saved:
            cached.write_text(damaged, encoding="utf-8")
        assert load_corpus(folder).documents[0] == again


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record which files the loader opens."""
    from qabot.corpus import load as corpus
    opened: list[str] = []
    real = corpus.read_bytes

    def spy(path: str | Path, name: str, warnings: list[str]) -> bytes | None:
        opened.append(name)
        return real(path, name, warnings)

    monkeypatch.setattr(corpus, "read_bytes", spy)
    return opened


def test_warm_start_opens_only_files_whose_stat_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qabot.corpus import folder_cache
    folder = tmp_path / "f"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.txt").write_text(f"Headline {name}\n\nDate: 2026-03-06\n\n"
                                            f"Body of {name}.\n", encoding="utf-8")
    opened = _reads(monkeypatch)
    first = load_corpus(folder)
    assert sorted(opened) == ["a.txt", "b.txt", "c.txt"]
    # Just written, so racily new: read again, and trusted by stat from then on.
    opened.clear()
    assert load_corpus(folder) == first and len(opened) == 3
    monkeypatch.setattr(folder_cache, "_RACY_NS", 0)
    load_corpus(folder)
    opened.clear()
    assert load_corpus(folder) == first and opened == []
    # An edit that keeps the size and puts the time back still changes ctime: read again.
    path = folder / "b.txt"
    before = path.stat()
    time.sleep(0.05)
    path.write_text(path.read_text(encoding="utf-8").replace("Body", "Bodx"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    again = load_corpus(folder)
    assert opened == ["b.txt"] and again.get("b").body == "Bodx of b."
    # A damaged text store costs a read, never a wrong text.
    for store in (cache_dir() / "folders").glob("*.texts"):
        store.write_bytes(bytes(len(store.read_bytes())))
    opened.clear()
    assert load_corpus(folder) == again and sorted(opened) == ["a.txt", "b.txt", "c.txt"]


def test_linked_folders_are_followed_once_and_deep_trees_load(tmp_path: Path) -> None:
    root = tmp_path / "r"
    deep = str(root)
    os.mkdir(deep)
    for _ in range(1200):  # deeper than the recursion limit
        deep += "/d"
        os.mkdir(deep)
    with open(deep + "/deep.txt", "w", encoding="utf-8") as f:
        f.write("Deep down here.\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "linked.txt").write_text("Linked text.\n", encoding="utf-8")
    (root / "link").symlink_to(other, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    try:
        kept_in = load_corpus(root)
        ids = [d.id for d in load_corpus(root, follow=True).documents]
    finally:  # pytest's own clean-up of so deep a tree would hit the recursion limit
        os.unlink(deep + "/deep.txt")
        while deep != str(root):
            os.rmdir(deep)
            deep = deep.rsplit("/", 1)[0]
    assert ids[-1] == "link/linked" and ids[0].endswith("/deep") and len(ids) == 2
    # By default a link out of the folder is not followed, and the warning says so.
    assert [d.id for d in kept_in.documents] == ids[:1]
    assert any(w.startswith("link: a link out of the folder") for w in kept_in.warnings)


def test_fields_and_commands_stay_apart_while_narrow_prose_joins() -> None:
    text = ("Program: GNU bc\nAuthor: Philip A. Nelson\nE-mail: phil@example.com\n\n"
            "    make timetest\n    make\n\n"
            "The library is free\nsoftware; see the\nfile COPYING.\n\n"
            "    This program is free software; you can redistribute it and/or modify\n"
            "    it under the terms of the GNU General Public License as published by\n")
    got = [" ".join(text[a:b].split()) for a, b, _ in segment_bounds(text)]
    assert got == ["Program: GNU bc", "Author: Philip A. Nelson", "E-mail: phil@example.com",
                   "make timetest", "make",
                   "The library is free software; see the file COPYING.",
                   "This program is free software; you can redistribute it and/or modify it "
                   "under the terms of the GNU General Public License as published by"]


def test_titles_skip_badges_and_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "[![Build Status](https://travis-ci.org/x/y.svg)](https://travis-ci.org/x/y)\n\n"
        "# DejaVu fonts\n\nThe DejaVu fonts are a font family.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Format: https://www.debian.org/doc/packaging-manuals/\n"
                                    "Upstream-Name: curl, a tool for transferring data\n"
                                    "with URLs of many kinds\n", encoding="utf-8")
    titles = {d.source: d.title for d in load_corpus(tmp_path).documents}
    assert titles["a.md"] == "DejaVu fonts"
    assert "\n" not in titles["b.txt"]


def test_the_same_text_in_two_files_is_said_and_cited_once(tmp_path: Path) -> None:
    folder = tmp_path / "licences"
    folder.mkdir()
    body = ("Permission is hereby granted, free of charge, to any person obtaining a copy "
            "of this software, to deal in the Software without restriction, including the "
            "rights to use, copy, modify, merge, publish, distribute, sublicense, and sell "
            "copies of the Software.\n")
    for name in ("alpha", "beta"):
        (folder / f"{name}.txt").write_text(f"{name.title()} licence\n\n{body}",
                                            encoding="utf-8")
    bot = Bot(Retriever.from_corpus(load_corpus(folder)))
    answer = bot.ask("Can I sell copies of the software?")
    assert not answer.abstained
    assert len(answer.citations) == 1 and answer.answer.count("Permission is hereby") == 1
