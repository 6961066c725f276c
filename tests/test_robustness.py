"""Bad input, faults and hostile text: clear one-line errors, nothing lost or corrupted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS_DIR
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qabot.answering.bot import Bot
from qabot.corpus.load import load_corpus
from qabot.errors import CorpusError
from qabot.paths import cache_dir
from qabot.retrieval.retriever import Retriever


def qabot(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qabot", *args], input=stdin,
                          capture_output=True, text=True, timeout=180, cwd=cwd)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    for needle in needles:
        assert needle in proc.stderr


# -- corpus paths ------------------------------------------------------------------------


def test_bad_corpus_paths_exit_2_naming_the_path(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    (other / "data.csv").write_text("a,b", encoding="utf-8")
    a_file = tmp_path / "a.csv"
    a_file.write_text("Some text.", encoding="utf-8")
    for path, needle in [(tmp_path / "missing", "no such file or folder"),
                         (empty, "no .txt or .md files found"),
                         (other, "no .txt or .md files found"),
                         (a_file, "expected a folder, a .txt/.md file or a .jsonl file")]:
        assert_one_line_error(qabot("ask", "--corpus", str(path), "why?"), str(path), needle)


def test_folder_of_only_unreadable_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01")
    proc = qabot("search", "--corpus", str(tmp_path), "x")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1].startswith(f"qabot: error: {tmp_path}: no readable")


# -- corpus files ------------------------------------------------------------------------


def test_bad_files_warn_and_the_rest_still_answers(tmp_path: Path) -> None:
    shutil.copy(CORPUS_DIR / "003_c0140778ee731637.txt", tmp_path)
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "notnum.txt").write_text("03/06 2026\nabc\nBody line here.", encoding="utf-8")
    proc = qabot("ask", "--json", "--corpus", str(tmp_path), "why did Lin resign?")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "qabot: warning: latin1.txt:1: not UTF-8 (byte 0xe9); skipped",
    ]
    assert json.loads(proc.stdout)["citations"][0]["date"] == "2026-03-13"


def test_header_line_two_not_a_number_is_body(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("03/06 2026\nabc\nBody line here.", encoding="utf-8")
    doc = load_corpus(tmp_path).documents[0]
    assert doc.body == "abc\nBody line here." and doc.ref is None


def test_jsonl_bad_lines_warn_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join([
        '{"id": "a", "text": "Alpha is here."}',
        "{broken",
        '{"id": "b"}',
        '{"id": "c", "text": 42}',
        '{"id": ["x"], "text": "t"}',
        '["not", "an", "object"]',
        '{"id": "a", "text": "Duplicate."}',
        '{"id": "d", "text": "Delta.", "date": "yesterday"}',
    ]) + "\n", encoding="utf-8")
    corpus = load_corpus(path)
    assert [d.id for d in corpus.documents] == ["a", "d"]
    assert corpus.warnings == (
        "c.jsonl:2: invalid JSON (Expecting property name enclosed in double quotes); skipped",
        "c.jsonl:3: missing or non-string 'text'; skipped",
        "c.jsonl:4: missing or non-string 'text'; skipped",
        "c.jsonl:5: missing or invalid 'id'; skipped",
        "c.jsonl:6: expected a JSON object; skipped",
        "c.jsonl:7: duplicate id 'a'; skipped",
        "c.jsonl:8: invalid 'date' 'yesterday'; date unknown",
    )


def test_large_article_loads_with_exact_offsets(tmp_path: Path) -> None:
    body = (CORPUS_DIR / "003_c0140778ee731637.txt").read_text(encoding="utf-8")
    big = body + ("\n" + body.split("\n", 2)[2]) * 150  # ~1.8 MB
    (tmp_path / "big.txt").write_text(big, encoding="utf-8")
    r = Retriever.from_corpus(load_corpus(tmp_path))
    hit = r.search("three primary reasons", k=1)[0]
    assert r.document("big").text[hit.start : hit.end] == hit.text
    assert len(r.passages) > 5000


# -- questions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["", "   \t ", "what is it?", "?!?...", "🤖🔥 why 🙃", "林俊旸为什么辞职？",
     "لماذا استقال لين؟", "why\x00did\x07Lin\x1b[2Jresign?", "\u202eLin resign\u202c",
     "a" * 5000],
)
def test_odd_questions_get_an_answer_or_abstention(bot: Bot, question: str) -> None:
    answer = bot.ask(question)
    assert answer.abstained == (answer.citations == [])
    assert "\x00" not in answer.interpreted_as and "\x1b" not in answer.interpreted_as


def test_huge_question_is_cut_with_a_notice() -> None:
    proc = qabot("ask", "-", "--json", stdin="why did Lin resign? " * 60_000 + "\n")
    assert proc.returncode == 0
    assert proc.stderr == "qabot: notice: question of 1,200,000 characters cut to the first 2,000\n"
    assert len(json.loads(proc.stdout)["interpreted_as"]) <= 2000


# -- terminal safety ---------------------------------------------------------------------


def test_escape_sequences_in_articles_never_reach_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "evil\x1b[31m.txt").write_text(
        "Evil \x1b[2J\x1b]0;pwned\x07 article about bread.\nBread is \x9b31m baked daily.",
        encoding="utf-8")
    for args in (["search", "bread"], ["ask", "what is baked daily?"]):
        proc = qabot(*args, "--corpus", str(tmp_path))
        assert proc.returncode == 0, proc.stderr
        assert not any(c in proc.stdout + proc.stderr for c in "\x1b\x07\x9b")
        assert "\\x1b[2J" in proc.stdout or "\\x9b" in proc.stdout
    proc = qabot("search", "--json", "bread", "--corpus", str(tmp_path))
    assert "\x1b" not in proc.stdout and "\\u001b" in proc.stdout  # JSON keeps it, escaped


def test_control_characters_in_a_question_are_not_echoed(tmp_path: Path) -> None:
    proc = qabot("ask", "why\x1b[2J did Lin resign?")
    assert proc.returncode in (0, 1) and "\x1b" not in proc.stdout  # answered or declined


# -- cache files -------------------------------------------------------------------------


def test_corrupt_word_frequency_cache_is_rebuilt(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache_dir().mkdir(parents=True)
    (cache_dir() / "zipf-en-v1.sqlite3").write_bytes(b"not a database" * 100)
    bot = Bot(Retriever.from_corpus(load_corpus()))
    assert not bot.ask("why did Lin resign?").abstained


def test_damaged_word_frequency_rows_are_rebuilt(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from qabot.text.frequency import ZipfTable

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache_dir().mkdir(parents=True)
    path = cache_dir() / "zipf-en-v1.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE zipf (w TEXT PRIMARY KEY, z REAL) WITHOUT ROWID")
    db.executemany("INSERT INTO zipf VALUES (?, ?)",
                   [("the", 7.7), ("resign", "lots"), ("company", float("nan"))])
    db.commit()
    db.close()
    got = ZipfTable().zipf(["the", "resign", "company"])
    # Rebuilt from wordfreq: real frequencies, not the damaged rows or zero.
    assert 3 < got["resign"] < 6 and 4 < got["company"] < 7 and got["the"] > 7


def test_history_file_is_appended_never_truncated(bot: Bot, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from qabot.ui.repl import Repl, history_path

    path = history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    old = "\n# 2026-01-01 00:00:00.000000\n+an old question\n"
    path.write_text(old, encoding="utf-8")
    with create_pipe_input() as inp:
        inp.send_text("who is Zhou Hao?\n\x04")
        Repl(bot, input=inp, output=DummyOutput(), printer=DummyOutput(), colour=False).run()
    text = path.read_text(encoding="utf-8")
    assert text.startswith(old) and text.rstrip().endswith("+who is Zhou Hao?")


# -- properties --------------------------------------------------------------------------


_line = st.one_of(st.text(max_size=60), st.sampled_from(
    ["03/06 2026", "13/45 2026", "7", "# Heading", "Lin Junyang resigned. He left.", ""]))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_line, max_size=6).map("\n".join), min_size=1, max_size=4),
       st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_loader_and_retriever_on_generated_folders(tmp_path_factory: pytest.TempPathFactory,
                                                   files: list[str], newline: str,
                                                   bom: bool) -> None:
    folder = tmp_path_factory.mktemp("gen")
    for i, text in enumerate(files):
        data = ("\ufeff" if bom else "") + text.replace("\n", newline)
        (folder / f"f{i}.txt").write_bytes(data.encode("utf-8", "surrogatepass"))
    try:
        corpus = load_corpus(folder)
    except CorpusError as exc:
        assert "\n" not in str(exc)
        return
    r = Retriever.from_corpus(corpus)
    for p in r.passages:
        with open(folder / r.document(p.doc_id).source, encoding="utf-8", newline="",
                  errors="surrogatepass") as f:
            assert f.read()[p.start : p.end] == p.text
    for q in ("Lin", "resigned heading", "zzz"):
        hits = r.search(q, k=5)
        assert all(h.score == h.score and abs(h.score) != float("inf") for h in hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_query_gives_sorted_finite_hits(retriever: Retriever, query: str) -> None:
    hits = retriever.search(query, k=7)
    assert isinstance(hits, list) and len(hits) <= 7
    scores = [h.score for h in hits]
    assert all(s == s and abs(s) != float("inf") for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_no_traceback_anywhere_in_stderr(tmp_path: Path) -> None:
    runs = [qabot("ask", "-k", "0", "x"), qabot("search", "--nope"), qabot("eval", "--gold",
            str(tmp_path / "missing.jsonl")), qabot("ask", "--corpus", os.devnull, "x")]
    assert all("Traceback" not in p.stderr and p.returncode == 2 for p in runs), runs


def test_padded_question_under_the_limit_gets_no_notice() -> None:
    # 3,000 characters of which most are spaces: nothing is cut, so nothing is said.
    proc = qabot("ask", "-", "--json", stdin="why" + " " * 2990 + "did Lin resign?\n")
    assert proc.returncode == 0 and proc.stderr == ""
