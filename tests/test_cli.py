from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARTICLE_B, CORPUS_DIR, file_text

from qabot.ui.cli import main

CONTRACT = {"question", "interpreted_as", "answer", "abstained", "confidence", "citations"}
CITATION = {"n", "doc_id", "title", "date", "source", "quote", "start", "end", "score", "line"}
PIPE_NOTICE = ("qabot: notice: reading questions from standard input, each line at a time "
               "(end of input to finish)\n")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# A question the bundled articles answer plainly, in one sentence of ARTICLE_B.
USERS = "How many monthly active users did the Qwen App secure?"


def test_ask_json_is_the_public_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ask", "--json", USERS)
    assert code == 0 and err == ""
    answer = json.loads(out)
    assert CONTRACT <= set(answer)
    assert answer["abstained"] is False and answer["answer"].endswith("[1]")
    assert 0.0 <= answer["confidence"] <= 1.0
    cite = answer["citations"][0]
    assert set(cite) == CITATION
    assert (cite["n"], cite["doc_id"], cite["date"]) == (1, ARTICLE_B, "2026-03-13")
    assert "203 million" in cite["quote"]
    text = file_text(CORPUS_DIR / cite["source"])
    assert text[cite["start"] : cite["end"]] == cite["quote"]
    assert text.count("\n", 0, cite["start"]) + 1 == cite["line"]


def test_ask_text_shows_sources_with_dates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", USERS)
    assert code == 0
    lines = out.splitlines()
    # The answer may open with the sentence before (a run the ranker prefers).
    assert "Qwen App secured 203 million" in " ".join(lines[: lines.index("Sources:")])
    assert "Sources:" in lines
    source = " ".join(lines[lines.index("Sources:") + 1 :])
    # The answer is the quote word for word, so only where it is follows, not the quote.
    assert " ".join(source.split()).startswith(
        f"[1] Lin Junyang’s departure has finally been officially acknowledged by Alibaba · "
        f"13 Mar 2026 · {ARTICLE_B}.txt:")
    assert "203 million" not in source


def test_ask_dash_reads_questions_from_stdin(capsys, monkeypatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{USERS}\n\nhow do I bake bread?\n"))
    code, out, _ = run(capsys, "ask", "-", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    # Like grep: status 1 because one question was declined.
    assert code == 1 and [r["question"] for r in rows] == [USERS, "how do I bake bread?"]
    assert [r["abstained"] for r in rows] == [False, True]


def test_search_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "--json", "-k", "2", "Qwen3.5 parameter sizes")
    data = json.loads(out)
    assert code == 0 and data["query"] == "Qwen3.5 parameter sizes"
    assert [h["rank"] for h in data["hits"]] == [1, 2]
    assert "0.8B, 2B, 4B, and 9B" in data["hits"][0]["text"]
    code, out, _ = run(capsys, "search", "-k", "1", "Qwen3.5 parameter sizes")
    flat = " ".join(out.split())  # a source line wider than 80 columns breaks at a " · "
    assert flat.startswith("1. Lin Junyang’s departure has finally been officially acknowledged"
                           f" by Alibaba · 13 Mar 2026 · {ARTICLE_B}.txt:")
    assert " · score " in flat


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ask", "-k", "0", "x"], "qabot ask: error: argument -k: must be between 1 and 1000"),
        (["ask", "-k", "-1", "x"], "qabot ask: error: argument -k: must be between 1 and 1000"),
        (["ask", "-k", "many", "x"], "qabot ask: error: argument -k: takes a whole number"),
        (["search", "--frobnicate", "x"], "qabot: error: unrecognized arguments: --frobnicate"),
        (["ask", "--corpus", "/no/such/dir", "x"], "qabot: error: /no/such/dir: no such file"),
    ],
)
def test_usage_errors_are_one_line_status_2(capsys, argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("command", ["ask", "search", "chat", "eval", "timeline", "docs", "logs"])
def test_every_command_has_help_with_examples(capsys, command: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    out, _ = capsys.readouterr()
    assert exit_info.value.code == 0 and "examples:" in out and f"qabot {command}" in out


def test_installed_command_works_from_any_directory(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qabot", "ask", "--json", USERS],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert "203 million" in answer["answer"]
    assert proc.stderr == ""


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    script = (f"{sys.executable} -m qabot ask - < /dev/stdin | head -c 1 > /dev/null; "
              "exit ${PIPESTATUS[0]}")
    proc = subprocess.run(["bash", "-c", script], input="who is Zhou Hao?\n" * 200,
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "Traceback" not in proc.stderr and proc.stderr == ""
    assert proc.returncode == 0


def test_chat_reads_a_conversation_from_a_pipe(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qabot", "chat", "--json"], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, input="Who is Zhou Hao?\nwho did he report to?\n",
    )
    assert proc.returncode == 0 and proc.stderr == PIPE_NOTICE
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["interpreted_as"] for r in rows] == ["Who is Zhou Hao?",
                                                   "who did Zhou Hao report to?"]


def test_bare_qabot_with_empty_stdin_ends_cleanly(tmp_path: Path) -> None:
    with open(os.devnull, encoding="utf-8") as devnull:
        proc = subprocess.run([sys.executable, "-m", "qabot"], cwd=tmp_path, stdin=devnull,
                              capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", PIPE_NOTICE)


def test_chat_text_transcript(capsys, monkeypatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("Who is Zhou Hao?\nwho did he report to?\n"))
    code, out, _ = run(capsys, "chat")
    assert code == 0
    assert out.startswith("> Who is Zhou Hao?\n")
    assert "> who did he report to?\n(interpreted as: who did Zhou Hao report to?)\n" in out


def test_shell_completion_is_generated_from_the_parser(capsys) -> None:
    for shell in ("bash", "zsh"):
        code, out, _ = run(capsys, "completion", shell)
        assert code == 0 and "qabot" in out
        for word in ("ask", "search", "chat", "--corpus", "--json"):
            assert word in out
    script = run(capsys, "completion", "bash")[1]
    proc = subprocess.run(["bash", "-c", "source /dev/stdin; complete -p qabot"],
                          input=script, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "qabot" in proc.stdout
    # --corpus completes paths: a folder name is offered.
    completing = ("source /dev/stdin; COMP_WORDS=(qabot ask --corpus cor); COMP_CWORD=3; "
                  "COMP_LINE='qabot ask --corpus cor'; COMP_POINT=${#COMP_LINE}; "
                  "_shtab_qabot; echo \"${COMPREPLY[@]}\"")
    proc = subprocess.run(["bash", "-c", completing], input=script, capture_output=True,
                          text=True, timeout=60, cwd=CORPUS_DIR.parent)
    assert "corpus" in proc.stdout.split()


def test_bare_options_typos_and_unquoted_questions(capsys) -> None:
    code, out, _ = run(capsys, "ask", "How", "many", "monthly", "active", "users", "did", "the",
                       "Qwen", "App", "secure?")
    assert code == 0 and "203 million" in out
    code, _, err = run(capsys, "ask", "How do I bake bread?")
    assert code == 1  # declined, like grep finding nothing
    with pytest.raises(SystemExit) as info:
        main(["aks", "x"])
    _, err = capsys.readouterr()
    assert info.value.code == 2 and "did you mean 'ask'?" in err
    assert main(["ask", "   "]) == 2
    _, err = capsys.readouterr()
    assert "the question is empty" in err


def test_the_config_file_and_environment_set_defaults(tmp_path: Path, capsys,
                                                      monkeypatch) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("The storm closed the coastal road on Friday.\n",
                                  encoding="utf-8")
    config = tmp_path / "config" / "qabot" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'corpus = "{folder}"\nk = 2\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    code, out, _ = run(capsys, "search", "--json", "storm")
    assert code == 0 and json.loads(out)["hits"][0]["source"] == "a.txt"
    monkeypatch.setenv("QABOT_CORPUS", str(CORPUS_DIR))
    code, out, _ = run(capsys, "search", "--json", "Qwen")
    assert len(json.loads(out)["hits"]) == 2  # k from the file, corpus from the environment
    config.write_text("k = 0\n", encoding="utf-8")
    assert main(["search", "x"]) == 2
    _, err = capsys.readouterr()
    assert f"{config}: k = 0 is not valid: expected a whole number from 1 to 1000" in err
    config.write_text('colour = "never"\n', encoding="utf-8")
    assert main(["search", "x"]) == 2
    _, err = capsys.readouterr()
    assert f"{config}: unknown key 'colour' (the keys are corpus, k, semantic)" in err
    config.write_text('semantic = "yes"\n', encoding="utf-8")
    assert main(["search", "x"]) == 2
    _, err = capsys.readouterr()
    assert "semantic = 'yes' is not valid: expected true or false" in err


def test_search_exits_1_when_nothing_matches(capsys) -> None:
    code, out, _ = run(capsys, "search", "zzzqqq")
    assert code == 1 and out == "No passage matches.\n"


def test_the_parser_states_the_answerers_own_default_k() -> None:
    from qabot.answering.bot import AnswerConfig
    from qabot.ui.parser import ANSWER_PASSAGES

    assert ANSWER_PASSAGES == AnswerConfig().passages


def test_the_cli_reference_is_generated_from_the_parser() -> None:
    """docs/cli.md can't drift: it is the parser's own help (python -m qabot.ui.clidoc)."""
    from conftest import ROOT

    from qabot.ui.clidoc import reference

    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == reference()


def test_the_chat_hint_does_not_leak_into_the_next_call(
        capsys: pytest.CaptureFixture[str]) -> None:
    # The hint was a class attribute: set by "qabot --json --bogus", it stayed set, and
    # the next main() in the same process (a library user, a test) got the wrong hint.
    for argv, hinted in ((["--json", "--bogus"], True), (["search", "x", "--bogus"], False)):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        err = capsys.readouterr().err
        assert exc.value.code == 2 and "--bogus" in err
        assert ("qabot ask QUESTION" in err) == hinted


def test_doc_narrows_ask_and_search_by_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "--json", "--doc", f"{ARTICLE_B}.txt", "Lin")
    assert code == 0 and {h["doc_id"] for h in json.loads(out)["hits"]} == {ARTICLE_B}
    code, out, _ = run(capsys, "ask", "--json", "--doc", ARTICLE_B, "Who is Zhou Hao?")
    assert {c["doc_id"] for c in json.loads(out)["citations"]} <= {ARTICLE_B}
    code, _, err = run(capsys, "ask", "--doc", "nope.txt", "Who is Zhou Hao?")
    assert code == 2 and err == ("qabot: error: --doc: not an article of this corpus: "
                                 "'nope.txt' (qabot docs lists them)\n")


def test_counts_read_as_english(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from qabot.ui.render import plural

    assert [plural(1, "passage"), plural(2, "passage"), plural(1024, "file")] == [
        "1 passage", "2 passages", "1,024 files"]
    (tmp_path / "one.txt").write_text("Bread rose on Monday.\n", encoding="utf-8")
    code, out, err = run(capsys, "index", "--corpus", str(tmp_path), "--warnings")
    assert code == 0 and "dates:     1 of 1 article has no date; 0 time mentions" in out
    assert err == "qabot: notice: no warnings about the corpus's files\n"


def test_source_lines_fit_the_terminal_exactly() -> None:
    """The Sources line ran one column over at 80 and 79 columns (issue 25)."""
    from qabot import Bot, Retriever, load_corpus
    from qabot.ui.render import answer_text

    answer = Bot(Retriever.from_corpus(load_corpus())).ask("Why did Lin Junyang resign?")
    for width in (40, 60, 79, 80, 100):
        text = answer_text(answer, width)
        assert max(len(line) for line in text.splitlines()) <= width, width
        assert "003_c0140778ee731637.txt:" in text  # the file name whole, copyable
