"""Hostile input, third pass: what reaches a terminal, what the cache may touch, links out
of the corpus, bounded time and memory, no traceback from any value, shared threads.

Each test names the attack it holds against (issue "Robustness and security, third pass").
Most run ``cli.main`` in-process; a process is started only where one is the point.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ARTICLE_B, CORPUS_DIR
from hypothesis import given, settings
from hypothesis import strategies as st

from qabot import paths
from qabot.answering.bot import Bot
from qabot.conversation import Conversation
from qabot.corpus.load import document_from_text, load_corpus
from qabot.errors import CorpusError
from qabot.retrieval.retriever import Retriever
from qabot.text.segment import MAX_SENTENCE_CHARS, segment_bounds
from qabot.ui import cli, output
from qabot.ui.render import safe, safe_line, to_json

QUESTION = "How many monthly active users did the Qwen App secure?"
# Every character a terminal acts on, or that reorders what it shows.
RAW = ["\x1b", "\x07", "\x9b", "\x9d", "\x7f", "\x85", "\u202e", "\u2066", "\u200f"]


def run(args: list[str], capsys: pytest.CaptureFixture[str], stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    """``qabot ARGS`` in this process: (status, stdout, stderr)."""
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def no_raw_controls(text: str) -> bool:
    return not any(c in text for c in RAW) and "\r" not in text


# -- 2. terminal escapes: one sanitiser for every byte written -------------------------------


def test_the_sanitiser_shows_every_control_visibly() -> None:
    text = "a\x1b]2;pwned\x07b\x9b31mc\x9d52;d\x7fe\u202ef\u2066g\u200fh\ti\nj"
    assert safe(text) == ("a\\x1b]2;pwned\\x07b\\x9b31mc\\x9d52;d\\x7fe\\u202ef\\u2066g\\u200fh"
                          "\ti\nj")
    assert safe_line("two\nlines\tand\u2028more") == "two\\nlines\\tand\\u2028more"
    assert safe(safe(text)) == safe(text)  # idempotent: sinks may apply it again


def test_json_escapes_c1_del_and_bidi_controls() -> None:
    out = to_json({"quote": "x\x9b31my\x9d52z\x7f\u202e\u2028", "n": 1})
    assert out == '{"quote": "x\\u009b31my\\u009d52z\\u007f\\u202e\\u2028", "n": 1}'
    assert json.loads(out)["quote"] == "x\x9b31my\x9d52z\x7f\u202e\u2028"


@pytest.fixture()
def hostile_folder(articles: Path) -> Path:
    """The bundled articles, one of them carrying escape sequences in its text."""
    path = articles / f"{ARTICLE_B}.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("203 million", "203 \x1b]2;pwned\x07\x9b2J\u202emillion"),
                    encoding="utf-8")
    return articles


def test_ask_text_and_json_carry_no_raw_control(hostile_folder: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ask", "--corpus", str(hostile_folder), QUESTION], capsys)
    assert code == 0 and "203 \\x1b]2;pwned\\x07\\x9b2J\\u202emillion" in " ".join(out.split())
    assert no_raw_controls(out)
    code, out, _ = run(["ask", "--json", "--corpus", str(hostile_folder), QUESTION], capsys)
    assert code == 0 and no_raw_controls(out)
    quote = json.loads(out)["citations"][0]["quote"]
    assert "\x1b]2;pwned\x07\x9b2J\u202emillion" in quote  # the data is exact, escaped


def test_eval_failures_and_report_carry_no_raw_control(
        hostile_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({
        "id": "q1", "question": "How many users did the app\x1b[2J get?", "type": "how-many",
        "answers": ["five thousand"], "evidence": [
            {"doc_id": ARTICLE_B, "quote": "Qwen App secured 203"}]}) + "\n", encoding="utf-8")
    report = tmp_path / "report.md"
    code, out, _ = run(["eval", "--gold", str(gold), "--corpus", str(hostile_folder),
                        "--report", str(report)], capsys)
    assert code == 0 and "Failures (1)" in out and no_raw_controls(out)
    written = report.read_text(encoding="utf-8")
    assert "\\x1b[2J" in written and no_raw_controls(written)


def test_a_newline_in_a_file_name_cannot_forge_a_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "f"
    shutil.copytree(CORPUS_DIR, folder)
    (folder / "x\nqabot: error: forged.txt").write_bytes(b"\xff not utf-8")
    code, _, err = run(["index", "--corpus", str(folder)], capsys)
    assert code == 0 and err.count("\n") == 1
    assert err.startswith("qabot: warning: x\\nqabot: error: forged.txt:1: not UTF-8")


def test_argument_errors_and_paths_from_the_environment_are_sanitised(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit):
        cli.main(["ask", "--bogus\x1b[2J\x9b", "x"])
    err = capsys.readouterr().err
    assert "--bogus\\x1b[2J\\x9b" in err and no_raw_controls(err)
    monkeypatch.setenv("QABOT_CORPUS", "/nowhere/\x1b]0;x\x07\nnews")
    code, _, err = run(["ask", "who?"], capsys)
    assert code == 2 and err.count("\n") == 1 and no_raw_controls(err)


# -- 3. the cache owns only what it made -----------------------------------------------------


def test_a_relative_cache_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", "rel")
    assert paths.cache_dir() == Path.home() / ".cache" / "qabot"
    monkeypatch.setenv("XDG_CONFIG_HOME", "rel")
    assert paths.config_path() == Path.home() / ".config" / "qabot" / "config.toml"


def test_cache_clear_never_deletes_a_folder_qabot_did_not_make(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    """XDG_CACHE_HOME=$HOME made `qabot cache clear` delete ~/qabot/src/main.py."""
    home = tmp_path / "home"
    (home / "qabot" / "src").mkdir(parents=True)
    (home / "qabot" / "src" / "main.py").write_text("print('mine')\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    code, _, err = run(["cache", "clear"], capsys)
    assert code == 2 and "CACHEDIR.TAG" in err and err.count("\n") == 1
    assert (home / "qabot" / "src" / "main.py").exists()
    # Nor is such a folder used as the cache: answers go on without it, and say so.
    code, out, err = run(["ask", QUESTION], capsys)
    assert code == 0 and "203 million" in out and "holds files qabot did not make" in err
    assert sorted(p.name for p in (home / "qabot").iterdir()) == ["src"]


def test_cache_clear_deletes_only_what_qabot_made(
        articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["index", "--corpus", str(articles)], capsys)[0] == 0
    root = paths.cache_dir()
    assert (root / "CACHEDIR.TAG").read_bytes().startswith(paths.TAG_SIGNATURE)
    (root / "notes.txt").write_text("someone else's\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep\n", encoding="utf-8")
    shutil.rmtree(root / "folders")
    (root / "folders").symlink_to(outside, target_is_directory=True)
    code, out, _ = run(["cache", "clear"], capsys)
    assert code == 0 and out.startswith("cleared ")
    assert sorted(p.name for p in root.iterdir()) == ["CACHEDIR.TAG", "notes.txt"]
    assert (outside / "keep.txt").exists()  # the link was removed, not followed


def test_no_write_or_delete_through_a_link_in_the_cache(
        articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """index/ as a link, and a registry naming thesis.txt, made `qabot index` delete the
    thesis in the link's target."""
    assert run(["index", "--corpus", str(articles)], capsys)[0] == 0
    root = paths.cache_dir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "thesis.txt").write_text("years of work\n", encoding="utf-8")
    (elsewhere / ".x.tmp").write_text("another program's\n", encoding="utf-8")
    os.utime(elsewhere / ".x.tmp", (0, 0))
    shutil.rmtree(root / "index")
    (root / "index").symlink_to(elsewhere, target_is_directory=True)
    registry = root / "corpora.json"
    registry.write_text(json.dumps({str(articles.resolve()): "thesis.txt"}), encoding="utf-8")
    (articles / "new.txt").write_text("A new article about Qwen.\n", encoding="utf-8")
    code, out, err = run(["index", "--corpus", str(articles)], capsys)
    assert code == 0 and "is a link" in err and "(not written)" in out
    assert sorted(p.name for p in elsewhere.iterdir()) == [".x.tmp", "thesis.txt"]
    # A registry entry that is not one of qabot's index files is ignored with a notice.
    (root / "index").unlink()
    code, _, err = run(["index", "--corpus", str(articles)], capsys)
    assert code == 0 and "not an index of qabot's" in err
    assert (elsewhere / "thesis.txt").exists()


def test_a_cache_writable_by_others_is_refused(
        articles: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = paths.cache_dir()
    root.mkdir(parents=True)
    root.chmod(0o777)
    code, out, err = run(["ask", "--corpus", str(articles), QUESTION], capsys)
    assert code == 0 and "203 million" in out
    assert "writable by others" in err and err.count("\n") == 1
    assert list(root.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="making a folder another user owns needs root")
def test_a_cache_owned_by_another_user_is_refused(
        articles: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = paths.cache_dir()
    root.mkdir(parents=True, mode=0o700)
    os.chown(root, 65534, 65534)
    code, out, err = run(["ask", "--corpus", str(articles), QUESTION], capsys)
    assert code == 0 and "203 million" in out and "owned by another user" in err
    assert list(root.iterdir()) == []
    code, _, err = run(["cache", "clear"], capsys)
    assert code == 2 and "owned by another user" in err and root.exists()


def test_an_edited_text_store_is_caught_by_each_files_hash(
        articles: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    """A text store edited along with its manifest's hash served '999 million'."""
    import hashlib

    from qabot.corpus import folder_cache
    # The files were just copied: without this they are "racily new" and read every time,
    # so the store would not be used at all.
    monkeypatch.setattr(folder_cache, "_RACY_NS", 0)

    assert run(["search", "--corpus", str(articles), "monthly active users"], capsys)[0] == 0
    (manifest,) = (paths.cache_dir() / "folders").glob("*.json")
    store = manifest.with_suffix(".texts")
    forged = store.read_bytes().replace(b"203 million", b"999 million")
    store.write_bytes(forged)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["texts"] = hashlib.blake2b(forged, digest_size=16).hexdigest()
    manifest.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run(["search", "--corpus", str(articles), "monthly active users"], capsys)
    assert code == 0 and "203 million" in out and "999" not in out


def test_a_report_is_written_whole_or_not_at_all(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    report = tmp_path / "report.md"
    report.write_text("the old report\n", encoding="utf-8")

    def full_disk(self: Path, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    code, _, err = run(["eval", "--report", str(report)], capsys)
    assert code == 2 and "No space left on device" in err
    assert report.read_text(encoding="utf-8") == "the old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_save_on_a_full_disk_leaves_nothing_and_the_retry_works(
        bot: Bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_repl import transcript

    target = tmp_path / "chat.md"
    fsync = os.fsync
    calls: list[int] = []

    def full_once(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        fsync(fd)

    monkeypatch.setattr(os, "fsync", full_once)
    _, out = transcript(bot, f"{QUESTION}\n/save {target}\n/save {target}\n\x04")
    out = " ".join(out.split())
    assert "Cannot write" in out and "No space left on device" in out
    assert f"Saved 1 question to {target}." in out
    assert "203 million" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.md"]


# -- 4. links stay inside the corpus ----------------------------------------------------------


def test_links_out_of_the_corpus_are_skipped_unless_followed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "download"
    shutil.copytree(CORPUS_DIR, folder)
    private = tmp_path / "private"
    private.mkdir()
    (private / "diary.txt").write_text("My bank PIN is 1234.\n", encoding="utf-8")
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (folder / "passwd.txt").symlink_to(secret)
    (folder / "notes").symlink_to(private, target_is_directory=True)
    (folder / "inside.txt").symlink_to(folder / f"{ARTICLE_B}.txt")  # stays in: followed
    loaded = load_corpus(folder)
    ids = sorted(d.id for d in loaded.documents)
    assert "passwd" not in ids and "notes/diary" not in ids and "inside" in ids
    said = "\n".join(loaded.warnings)
    assert "passwd.txt: a link out of the folder" in said and "--follow" in said
    code, out, err = run(["search", "--corpus", str(folder), "bank PIN"], capsys)
    assert code == 1 and "1234" not in out and "notes: a link out of the folder" in err
    code, out, _ = run(["search", "--follow", "--corpus", str(folder), "bank PIN"], capsys)
    assert code == 0 and "notes/diary.txt" in out


def test_special_file_systems_are_refused(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    code, _, err = run(["search", "--corpus", "/proc", "x"], capsys)
    assert code == 2 and err == "qabot: error: /proc: a proc file system, not a folder of " \
        "articles\n"
    folder = tmp_path / "f"
    shutil.copytree(CORPUS_DIR, folder)
    (folder / "root").symlink_to("/proc/self", target_is_directory=True)
    code, _, err = run(["index", "--warnings", "--follow", "--corpus", str(folder)], capsys)
    assert code == 0 and "root: a proc file system, not articles; skipped" in err


def test_the_history_is_never_written_through_a_link(bot: Bot, tmp_path: Path) -> None:
    from test_repl import transcript

    from qabot.ui.repl import history_path

    target = tmp_path / "victim"
    target.write_text("unchanged\n", encoding="utf-8")
    target.chmod(0o644)
    history_path().parent.mkdir(parents=True)
    history_path().symlink_to(target)
    _, out = transcript(bot, f"{QUESTION}\n\x04")
    out = " ".join(out.split())
    assert "history disabled" in out and "it is a link" in out and "203 million" in out
    assert target.read_text(encoding="utf-8") == "unchanged\n"
    assert target.stat().st_mode & 0o777 == 0o644


# -- 5. linear time and bounded memory on any file --------------------------------------------

# Long runs of each kind of character, where a backtracking pattern could go quadratic.
RUNS = [" ", ".", ". ", "!", "”", '"', "'", "a", "A ", "7", "\n", "\r\n", "\t", "-", "=",
        "#", "# ", ":", "[", "<", "(", "* ", ", ", "word ", "Lin ", "March 5, 2026 ", "…",
        "Title:  ", "[a](", "\u00a0", "\u2028", "- x\n", "http://x "]


@settings(max_examples=60, deadline=None)
@given(unit=st.sampled_from(RUNS), n=st.integers(1, 20_000),
       before=st.sampled_from(["", "Headline\n2026-03-05\n\n", "Title: ", "---\ntitle: "]),
       after=st.sampled_from(["", " end.", "\n\nThe end. Really."]))
def test_segmentation_of_long_runs_is_exact_and_bounded(unit: str, n: int, before: str,
                                                        after: str) -> None:
    text = before + unit * n + after
    doc = document_from_text(text, "x", "x.txt", [])
    if doc is None:
        return
    spans = segment_bounds(text, doc.body_start, doc.body_end)
    last = doc.body_start
    for start, end, heading in spans:
        assert last <= start < end <= doc.body_end
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert heading or end - start <= MAX_SENTENCE_CHARS
        last = end


def test_megabyte_runs_take_seconds_not_hours(tmp_path: Path) -> None:
    """A header line of 80,000 spaces took 20 s, a run of 60,000 dots over 120 s (both
    quadratic). Each 1 MB run here would take hours if either came back; linear, the lot
    takes a few seconds (the timeout is only a backstop; timings are in eval/fuzz.py)."""
    script = (
        "import sys\n"
        "from qabot.corpus.load import document_from_text\n"
        "from qabot.text.segment import segment_bounds\n"
        "for unit in [' ', '.', '!', '”', 'Title:' + ' ' * 10, '\\n', '\\r', '#', '[', 'a.']:\n"
        "    text = 'Headline\\nDate: ' + unit * (1_000_000 // len(unit)) + 'x\\n\\nBody.'\n"
        "    doc = document_from_text(text, 'x', 'x.txt', [])\n"
        "    segment_bounds(text, 0, len(text))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=120, capture_output=True)
    assert done.returncode == 0, done.stderr


def test_front_matter_aliases_are_refused(tmp_path: Path) -> None:
    """A 591-byte "billion laughs" block in `date:` expanded to 2.2 GB, then a traceback."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    text = "---\n" + "\n".join(lines) + "\ndate: *i\ntitle: Laughs\n---\n\nThe text.\n"
    warnings: list[str] = []
    doc = document_from_text(text, "x", "x.md", warnings)
    assert doc is not None and doc.date is None and doc.body == "The text."
    assert warnings == ["x.md:1: front matter is not valid YAML; its fields ignored"]
    text = "---\ndate: [2026-03-05, 2026-03-06]\n---\n\nThe text.\n"
    warnings = []
    doc = document_from_text(text, "x", "x.md", warnings)
    assert doc is not None and doc.date is None
    assert warnings == ["x.md:1: front matter date is not a single value; date unknown"]


def test_a_long_heading_is_indexed_once_per_passage_not_again_in_full(tmp_path: Path) -> None:
    """A heading a file long was tokenized and indexed again for each of its passages."""
    heading = "# " + " ".join(f"w{i}" for i in range(5000))
    body = " ".join(f"Sentence number {i} is here." for i in range(3000))
    (tmp_path / "a.md").write_text(f"{heading}\n\n{body}\n", encoding="utf-8")
    r = Retriever.from_corpus(load_corpus(tmp_path))
    # A line that long is text, not a heading: each of its words is in one or two passages
    # (the overlap), not in every passage of the article.
    assert 1 <= r.index.document_frequency("w1") <= 2 and len(r.passages) > 100
    for hit in r.search("sentence number 7", k=3):
        assert hit.section is None or len(hit.section) < 1000


def test_a_five_megabyte_sentence_stays_out_of_the_answer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    words = " ".join(["paragraph"] * 500_000)
    (tmp_path / "a.txt").write_text(f"One huge {words} without end\n", encoding="utf-8")
    code, out, _ = run(["ask", "--json", "--corpus", str(tmp_path), "what huge thing?"],
                       capsys)
    answer = json.loads(out)
    assert code in (0, 1) and len(out) < 50_000
    text = (tmp_path / "a.txt").read_text(encoding="utf-8")
    for item in answer["citations"] + answer["related"]:
        quoted = item.get("quote", item.get("text"))
        assert quoted == text[item["start"] : item["end"]]


def test_a_config_file_that_is_not_a_regular_file_is_refused(
        capsys: pytest.CaptureFixture[str]) -> None:
    path = paths.config_path()
    path.parent.mkdir(parents=True)
    os.mkfifo(path)  # reading it used to hang every command
    code, _, err = run(["ask", QUESTION], capsys)
    assert code == 2 and err == f"qabot: error: {path}: not a regular file; not read\n"
    path.unlink()
    path.symlink_to("/dev/zero")
    code, _, err = run(["ask", QUESTION], capsys)
    assert code == 2 and "not a regular file" in err


def test_a_line_without_end_is_read_in_bounded_memory() -> None:
    """`ask -` from /dev/zero read one line without bound."""
    import tracemalloc

    stream = io.TextIOWrapper(io.BytesIO(b"\0" * 20_000_000 + b"\nwho?\n"))
    tracemalloc.start()
    try:
        lines = list(output.lines(stream))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [len(line) for line in lines] == [output.MAX_LINE_CHARS, 4]
    assert peak < 5_000_000  # the 20 MB line is never held whole


def test_stdin_lines_are_bounded(capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    endless = "why " * 100_000  # 400,000 characters, no newline
    code, out, err = run(["ask", "--json", "-"], capsys, stdin=endless + "\n" + QUESTION + "\n",
                         monkeypatch=monkeypatch)
    assert code == 1  # the first line, all "why", is declined
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 2 and "203 million" in rows[1]["answer"]
    assert "question of 400,000 characters cut to the first 2,000" in err


# -- 6. no traceback from any value -----------------------------------------------------------


def test_huge_numbers_in_a_header_or_a_jsonl_line_skip_only_that_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "f"
    shutil.copytree(CORPUS_DIR, folder)
    (folder / "big.txt").write_text("03/06 2026\n" + "9" * 5000 + "\nSome text.\n",
                                    encoding="utf-8")
    code, out, _ = run(["ask", "--corpus", str(folder), QUESTION], capsys)
    assert code == 0 and "203 million" in out
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text('{"id": ' + "9" * 5000 + ', "text": "x"}\n'
                     '{"id": "ok", "text": "The Qwen App secured 203 million users."}\n',
                     encoding="utf-8")
    code, out, err = run(["search", "--corpus", str(jsonl), "Qwen"], capsys)
    assert code == 0 and "203 million" in out and "c.jsonl:1: a number over 4,300" in err


def test_chat_commands_take_only_ascii_numbers_and_paths_without_nul(
        bot: Bot, capsys: pytest.CaptureFixture[str]) -> None:
    from qabot.ui.repl import Repl

    # As a piped questions file gives them (a terminal can't type a NUL).
    repl = Repl(bot, colour=False, loader=lambda path: Bot.from_path(path))
    repl.batch([QUESTION, "/k ²", "/k ①", f"/k {'9' * 5000}", "/open ²", "/corpus a\x00b",
                "/save a\x00b"])
    out = " ".join(capsys.readouterr().out.split())
    assert out.count("Usage: /k N") == 3 and "Usage: /open N" in out
    assert "a path can't hold a NUL character" in out and "Cannot write a\\x00b" in out


def test_bad_config_values_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    path = paths.config_path()
    path.parent.mkdir(parents=True)
    path.write_text('corpus = "a\\u0000b"\n', encoding="utf-8")
    code, _, err = run(["ask", QUESTION], capsys)
    assert code == 2 and err == f"qabot: error: {path}: corpus: a path can't hold a NUL " \
        "character\n"
    path.write_text("k = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    code, _, err = run(["ask", QUESTION], capsys)
    assert code == 2 and err.count("\n") == 1 and str(path) in err


@pytest.mark.parametrize("content", [
    "[" * 100_000 + "]" * 100_000, "[1, 2]", '{"min": 5}', '{"min": {"overall.accuracy": "x"}}',
    '{"min": {"overall.accuracy": 1e999}}', '{"min": {"x": ' + "9" * 5000 + "}}", "\xff",
    '{"bogus": {}}'])
def test_eval_check_files_of_any_shape_are_one_line(
        content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "thresholds.json"
    path.write_bytes(content.encode("latin-1" if content == "\xff" else "utf-8"))
    code, _, err = run(["eval", "--check", str(path)], capsys)
    assert code == 2 and err.startswith(f"qabot: error: {path}") and err.count("\n") == 1


def test_a_nul_in_a_corpus_path_is_a_corpus_error() -> None:
    with pytest.raises(CorpusError, match="NUL"):
        load_corpus("a\x00b")


# -- 7. threads --------------------------------------------------------------------------------

THREAD_QUESTIONS = [QUESTION, "Why did Lin Junyang resign?", "Who is Zhou Hao?",
                    "When was Wu Yongming's memo sent?", "How do I bake bread?",
                    "What rank was Lin promoted to?", "Who leads Alibaba?",
                    "What is Qwen3.5?"]


def test_one_bot_retriever_and_conversation_shared_by_eight_threads(
        articles: Path) -> None:
    """One Bot from 8 threads failed inside sqlite3 ('objects created in a thread can only
    be used in that same thread')."""
    fresh = Bot(Retriever.from_corpus(load_corpus(articles)))  # nothing opened yet
    alone = {q: Bot(fresh.retriever).ask(q).model_dump() for q in THREAD_QUESTIONS}
    got: dict[str, list[dict[str, object]]] = {q: [] for q in THREAD_QUESTIONS}
    errors: list[BaseException] = []
    shared = Bot(Retriever.from_corpus(load_corpus(articles)))
    conversation = Conversation(shared)

    def work(offset: int) -> None:
        try:
            for i in range(len(THREAD_QUESTIONS)):
                q = THREAD_QUESTIONS[(i + offset) % len(THREAD_QUESTIONS)]
                got[q].append(shared.ask(q).model_dump())
                shared.retriever.search(q, k=3)
                conversation.ask(q)
        except BaseException as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for q, answers in got.items():
        assert len(answers) == 8 and all(a == alone[q] for a in answers)
    assert len(conversation.turns) == 64


def test_a_fifo_in_the_cache_cannot_hang_qabot(articles: Path) -> None:
    load_corpus(articles)  # writes the folder's manifest
    (manifest,) = (paths.cache_dir() / "folders").glob("*.json")
    manifest.unlink()
    os.mkfifo(manifest)
    with pytest.raises(OSError, match="not a regular file"):
        paths.read_regular(manifest)
    assert len(load_corpus(articles).documents) == 2  # read from the files instead


def test_front_matter_nested_too_deep_is_not_read() -> None:
    """A 15,000-deep "[[[..." took PyYAML's scanner 16 s (found by eval/fuzz.py)."""
    warnings: list[str] = []
    text = "---\ndate: " + "[" * 15_000 + "]" * 15_000 + "\n---\n\nThe text.\n"
    doc = document_from_text(text, "x", "x.md", warnings)
    assert doc is not None and doc.body == "The text."
    assert warnings == ["x.md:1: front matter nested over 50 deep; its fields ignored"]


def test_a_digit_python_cannot_read_after_a_month_is_not_a_day(bot: Bot) -> None:
    # Found by eval/fuzz.py (100,000 questions): the regex module's \d matched U+11DE9, a
    # decimal digit of a newer Unicode than Python's int() knows, and int() raised.
    from qabot.text.timeref import day_references

    assert [r.text for r in day_references("March \U00011de9, and March 5, 2026", None)] == [
        "March 5, 2026"]
    assert bot.ask("what happened on March \U00011de9?").question


def test_a_lone_surrogate_in_a_jsonl_record_is_one_replacement_character(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Found by eval/fuzz.py (1,000 folders): "\udfff" in a record's text was quoted with
    # it by the library, but --json (which must be UTF-8) wrote U+FFFD, so the two quotes
    # differed. It is now read as U+FFFD, one code point for one, with a warning.
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text('{"id": "a\\ud800", "title": "T\\udfff", "text": '
                     '"The Qwen App secured 203 million users \\udfff in March."}\n',
                     encoding="utf-8")
    corpus = load_corpus(jsonl)
    doc = corpus.documents[0]
    assert doc.text == "The Qwen App secured 203 million users \ufffd in March."
    assert (doc.id, doc.title) == ("a\ufffd", "T\ufffd")
    assert [w.split(":", 2)[:2] for w in corpus.warnings] == [["c.jsonl", "1"]] * 3
    code, out, err = run(["search", "--corpus", str(jsonl), "--json", "Qwen App users"], capsys)
    assert code == 0 and "c.jsonl:1: 'text' holds a lone surrogate" in err
    shown = json.loads(out)["hits"][0]
    hit = Retriever.from_corpus(corpus).search("Qwen App users")[0]
    assert shown["text"] == hit.text == doc.text[hit.start:hit.end]
