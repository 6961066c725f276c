"""Hostile input, second pass: the JSON contract, a cache that is checked rather than
trusted, closed and full outputs, signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS_DIR

from qabot.corpus.load import load_corpus
from qabot.retrieval.retriever import Retriever
from qabot.ui.render import to_json, valid_text

QUESTION = "How many monthly active users did the Qwen App secure?"


def _run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "qabot", *args], input=stdin,
                          capture_output=True, timeout=120)


def test_valid_text_and_to_json_never_fail() -> None:
    assert valid_text("caf\udce9 \ud800x") == "caf\\xe9 \ufffdx"
    out = to_json({"q": "a\udcffb", "score": float("inf"), "n": [float("nan"), 1.5]})
    assert json.loads(out) == {"q": "a\\xffb", "score": None, "n": [None, 1.5]}
    out.encode("utf-8")  # valid UTF-8


def test_a_non_utf8_question_and_file_name_give_valid_json(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copy(CORPUS_DIR / "003_c0140778ee731637.txt", folder / os.fsdecode(b"q\xe9.txt"))
    question = os.fsencode(QUESTION.replace("How", "H\udce9ow", 1))
    proc = subprocess.run([os.fsencode(sys.executable), b"-m", b"qabot", b"ask", b"--json",
                           b"--corpus", os.fsencode(str(folder)), question],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout.decode("utf-8"))
    assert answer["question"].startswith("H\\xe9ow")
    assert answer["citations"][0]["source"] == "q\\xe9.txt"


def test_one_bad_line_in_a_batch_does_not_stop_it() -> None:
    stdin = f"{QUESTION}\n\xff\xfe not utf-8\n{QUESTION}\n".encode("latin-1")
    proc = _run("ask", "--json", "-", stdin=stdin)
    assert proc.returncode == 1, proc.stderr  # the middle line is declined
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(rows) == 3 and rows[1]["question"].startswith("\\xff\\xfe")
    assert "203 million" in rows[0]["answer"] and "203 million" in rows[2]["answer"]


def test_search_json_is_valid_and_finite() -> None:
    proc = _run("search", "--json", "-k", "3", "Qwen App users")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and len(data["hits"]) == 3
    assert all(np.isfinite(h["score"]) for h in data["hits"])


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_and_closed_streams_end_in_one_line() -> None:
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "qabot", "ask", QUESTION], stdout=full,
                              stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.decode().splitlines() == [
        "qabot: error: cannot write the output (No space left on device)"]
    closed = subprocess.run(f"{sys.executable} -m qabot ask x >&-", shell=True,
                            capture_output=True, timeout=120)
    assert closed.returncode == 1 and closed.stderr == b"qabot: error: standard output is closed\n"
    no_in = subprocess.run(f"{sys.executable} -m qabot ask - <&-", shell=True,
                           capture_output=True, timeout=120)
    assert no_in.returncode == 2 and b"standard input is closed" in no_in.stderr
    assert b"Traceback" not in no_in.stderr + closed.stderr


def test_sigint_and_sigterm_leave_no_traceback_and_no_temp_file(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for sig in (signal.SIGINT, signal.SIGTERM):
        # From 0.15 s on, qabot's own code is running; a signal within the interpreter's
        # start-up (tens of milliseconds, before any qabot code) is Python's to report.
        for delay in (0.15, 0.3, 0.8):
            proc = subprocess.Popen([sys.executable, "-m", "qabot", "index", "--rebuild"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            time.sleep(delay)
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=60)
            assert b"Traceback" not in err, (sig, delay, err)
    index = tmp_path / "cache" / "qabot" / "index"
    assert not list(index.glob(".*.tmp")) if index.exists() else True


# -- a cache checked, not trusted ---------------------------------------------------------


def _damage(arrays: dict[str, np.ndarray], how: str) -> None:
    if how == "float postings":
        arrays["postings"] = arrays["postings"].astype(np.float64)
    elif how == "swapped":
        arrays["postings"], arrays["weights"] = arrays["weights"], arrays["postings"]
    elif how == "2-D postings":
        arrays["postings"] = arrays["postings"].reshape(1, -1)
    elif how == "nan idf":
        arrays["idf"] = arrays["idf"].copy()
        arrays["idf"][0] = np.nan
    elif how == "inf idf":
        arrays["idf"] = arrays["idf"].copy()
        arrays["idf"][0] = np.inf
    elif how == "shuffled weights":
        arrays["weights"] = arrays["weights"][::-1].copy()
    elif how == "meta a list":
        arrays["meta"] = np.frombuffer(b"[1, 2]", dtype=np.uint8)


@pytest.mark.parametrize("how", ["float postings", "swapped", "2-D postings", "nan idf",
                                 "inf idf", "shuffled weights", "meta a list"])
def test_a_wrong_but_well_formed_index_is_rebuilt_once(articles: Path, how: str) -> None:
    first = Retriever.from_corpus(load_corpus(articles), cache=True)
    path = first.cache_path
    assert path is not None
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    _damage(arrays, how)
    with open(path, "wb") as f:
        np.savez(f, **arrays)  # type: ignore[arg-type]
    notices: list[str] = []
    second = Retriever.from_corpus(load_corpus(articles), cache=True, notice=notices.append)
    assert len(notices) == 1 and "rebuilding" in notices[0]
    assert [h.model_dump() for h in second.search(QUESTION)] == [
        h.model_dump() for h in first.search(QUESTION)]
    again: list[str] = []
    Retriever.from_corpus(load_corpus(articles), cache=True, notice=again.append)
    assert again == []


def test_an_article_edited_during_a_session_is_flagged_before_it_is_cited(
        tmp_path: Path) -> None:
    from qabot.answering.bot import Bot
    from qabot.conversation import Conversation

    folder = tmp_path / "f"
    shutil.copytree(CORPUS_DIR, folder)
    chat = Conversation(Bot(Retriever.from_corpus(load_corpus(folder))))
    assert chat.ask(QUESTION).notes == []
    path = folder / "003_c0140778ee731637.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("203 million", "2 million"),
                    encoding="utf-8")
    answer = chat.ask(QUESTION)
    assert any("changed after qabot loaded it" in n for n in answer.notes)


def test_library_arguments_are_checked_at_the_boundary(bot) -> None:  # type: ignore[no-untyped-def]
    from qabot import Bot
    from qabot.errors import CorpusError

    r = bot.retriever
    for call in (lambda: r.search(None), lambda: r.search(42), lambda: r.search(b"x"),
                 lambda: r.search("x", k="3"), lambda: r.search("x", k=2.5),
                 lambda: bot.ask(42), lambda: bot.ask("x", history="str"),
                 lambda: bot.ask("x", history=[{}]), lambda: load_corpus(42),
                 lambda: Retriever.from_corpus(None), lambda: Bot(None)):
        with pytest.raises(TypeError):
            call()
    with pytest.raises(ValueError):
        r.search("x", k=0)
    with pytest.raises(CorpusError):
        load_corpus("")
    with pytest.raises(CorpusError, match="cannot be used"):
        load_corpus("x" * 5000)


def test_special_files_and_big_files_are_skipped_with_a_word(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qabot.corpus import load as corpus_module
    folder = tmp_path / "f"
    shutil.copytree(CORPUS_DIR, folder)
    os.mkfifo(folder / "pipe.txt")
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere")
    (folder / "dir.txt").mkdir()
    (folder / "big.txt").write_text("x" * 3_000_000, encoding="utf-8")
    monkeypatch.setattr(corpus_module, "MAX_FILE_BYTES", 2_000_000)
    loaded = load_corpus(folder)
    assert len(loaded.documents) == 2
    said = " ".join(loaded.warnings)
    for needle in ("pipe.txt: not a regular file", "dangling.txt: a broken link",
                   "big.txt: 3 MB, over the 2 MB limit"):
        assert needle in said


def test_the_word_frequency_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from qabot.text import frequency
    monkeypatch.setattr(frequency, "ZIPF_CACHE_WORDS", 5)
    table = frequency.ZipfTable()
    assert table.zipf(["the", "of"])["the"] > 7
    for i in range(20):
        got = table.zipf(["the", f"word{i}", "of", f"other{i}"])
        assert set(got) == {"the", f"word{i}", "of", f"other{i}"}
        assert len(table._cache) <= 5


def test_deeply_nested_learned_names_are_relearned_not_a_crash(articles: Path) -> None:
    from qabot.retrieval import store
    first = Retriever.from_corpus(load_corpus(articles), cache=True)
    assert first.cache_path is not None
    groups = first.entities.groups
    names = store.entities_path(first.cache_path)
    names.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    again = Retriever.from_corpus(load_corpus(articles), cache=True)
    assert again.entities.groups == groups


def test_gold_files_with_unknown_documents_or_blank_answers_name_the_line(
        tmp_path: Path, bot) -> None:  # type: ignore[no-untyped-def]
    from qabot.errors import GoldSetError
    from qabot.evaluation.gold import evaluate, load_gold

    row = {"id": "a", "question": "Who?", "type": "who", "answers": ["x"],
           "evidence": [{"doc_id": "nope", "quote": "x"}]}
    path = tmp_path / "gold.jsonl"
    path.write_text("\n" + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(GoldSetError, match=r"gold.jsonl:2: evidence.doc_id: no document 'nope'"):
        evaluate(bot, load_gold(path))
    path.write_text(json.dumps({**row, "answers": [" "]}) + "\n", encoding="utf-8")
    with pytest.raises(GoldSetError, match=r"gold.jsonl:1: answers.0"):
        load_gold(path)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_stopped_run_says_so_in_one_line(tmp_path: Path, sig: signal.Signals) -> None:
    """Waits for what it checks: the chat reading a pipe that stays open, so the signal
    always arrives inside qabot's own code (never during the interpreter's start-up)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "qabot", "chat"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    line = proc.stderr.readline()  # the notice that it reads standard input, now
    assert b"reading questions from standard input" in line, line
    proc.send_signal(sig)
    _, rest = proc.communicate(timeout=60)
    said = {signal.SIGINT: b"qabot: interrupted\n",
            signal.SIGTERM: b"qabot: stopped by SIGTERM\n",
            signal.SIGHUP: b"qabot: stopped by SIGHUP\n"}[sig]
    assert rest == said and proc.returncode == 128 + sig
