from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import ARTICLE_B
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.plain_text import PlainTextOutput

from qabot.answering.bot import Bot
from qabot.ui.repl import Repl, history_path


def transcript(bot: Bot, keys: str, **kwargs: object) -> tuple[int, str]:
    """Drive the REPL with keystrokes; return its exit status and what it printed."""
    buf = io.StringIO()
    with create_pipe_input() as inp:
        inp.send_text(keys)
        repl = Repl(bot, input=inp, output=DummyOutput(), printer=PlainTextOutput(buf),
                    colour=False, **kwargs)  # type: ignore[arg-type]
        code = repl.run()
    return code, buf.getvalue()


def flat(text: str) -> str:
    return " ".join(text.split())


# A question the bundled articles answer plainly, in one sentence of ARTICLE_B.
USERS = "How many monthly active users did the Qwen App secure?"
USERS_QUOTE = "The high-profile strategy paid off: Qwen App secured 203 million"


def test_banner_answer_and_ctrl_d(bot: Bot) -> None:
    code, out = transcript(bot, f"{USERS}\n\x04")
    assert code == 0
    text = flat(out)
    assert text.startswith("qabot · 2 articles, 60 passages, 6 Mar – 13 Mar 2026 · "
                           "/help, Ctrl-D quits ")
    assert len("qabot · 2 articles, 60 passages, 6 Mar – 13 Mar 2026 · /help, Ctrl-D quits") < 80
    assert USERS_QUOTE in text
    # The answer is the quote word for word: the source shows where it is, not it again.
    assert ("[1] Sources: [1] Lin Junyang’s departure has finally been "
            f"officially acknowledged by Alibaba · 13 Mar 2026 · {ARTICLE_B}.txt:") in text
    assert "/open 1 shows the paragraph" in text
    assert "Sources:" in out.splitlines()


def test_output_is_word_wrapped_to_the_terminal(bot: Bot) -> None:
    _, out = transcript(bot, f"{USERS}\n/sources\n\x04")
    lines = out.splitlines()
    assert max(len(line) for line in lines if "·" not in line and "§" not in line) <= 79
    for word in ("month-over-month", "552.83%", "003_c0140778ee731637.txt"):
        assert word in out  # never split across lines


def test_wrapping_keeps_indents_and_never_splits_a_word_across_styles() -> None:
    from qabot.ui.render import wrap

    fragments = [("", "    “"), ("class:hl", "203"), ("", " mil"), ("class:hl", "lion"),
                 ("", " monthly active users " * 4 + "”\n")]
    text = "".join(t for _, t in wrap(fragments, 14))
    lines = text.splitlines()
    assert all(line.startswith("    ") for line in lines)
    assert "million" in text  # "mil" + "lion" in two styles is still one word


def test_ctrl_c_clears_the_line_and_does_not_exit(bot: Bot) -> None:
    code, out = transcript(bot, f"how do I bake\x03{USERS}\n\x04")
    assert code == 0
    assert "bake" not in out and "203 million" in out


def test_follow_up_shows_its_interpretation(bot: Bot) -> None:
    _, out = transcript(bot, "Who is Zhou Hao?\nwho did he report to?\n\x04")
    assert "(interpreted as: who did Zhou Hao report to?)" in out


def test_reset_forgets_the_conversation(bot: Bot) -> None:
    _, out = transcript(bot, "Who is Zhou Hao?\n/reset\nwho did he report to?\n\x04")
    assert "Conversation forgotten." in out and "(interpreted as" not in out


def test_meta_commands(bot: Bot) -> None:
    keys = (f"/sources\n{USERS}\n/sources\n/open 1\n/open 9\n/docs\n/k 3\n/k x\n"
            "/bogus\n/quit\n")
    code, out = transcript(bot, keys)
    assert code == 0
    assert "No sources yet: ask a question first." in out
    text = flat(out)
    answer = bot.ask(USERS)
    cite = answer.citations[0]
    passage = next(p for p in bot.retriever.passages
                   if p.doc_id == cite.doc_id and p.start <= cite.start and cite.end <= p.end)
    doc = bot.retriever.document(cite.doc_id)
    # /sources: the passage, headed by its file and line as a citation is.
    assert (f"Lin Junyang’s departure has finally been officially acknowledged by Alibaba · "
            f"13 Mar 2026 · {doc.source}:{doc.line_at(passage.start)}") in text
    assert passage.id not in text
    doc = bot.retriever.document(cite.doc_id)
    line_start = doc.text.rindex("\n", 0, cite.start) + 1
    # /open 1: the paragraph holding the citation, with its offsets.
    assert f"· characters {line_start}–" in text
    assert len(answer.citations) == 1
    assert "Usage: /open N, where N is 1 (the last answer has 1 source)." in text
    assert "6 Mar 2026 · Following Junyang Lin’s announcement of his resignation · " in text
    assert "Now considering 3 passages per question." in out
    assert "Usage: /k N, with N from 1 to 1000." in out
    assert "Unknown command /bogus. Type /help for the list." in out
    _, out = transcript(bot, "/hlep\n\x04")
    assert "Unknown command /hlep. Did you mean /help? Type /help for the list." in out


def test_help_lists_every_command(bot: Bot) -> None:
    _, out = transcript(bot, "/help\nexit\n")
    for name in ("/help", "/sources", "/open", "/docs", "/k", "/json", "/reset", "/quit"):
        assert f"  {name} " in out


def test_help_continues_under_its_own_column_at_60_columns(bot: Bot, monkeypatch) -> None:
    monkeypatch.setattr(Repl, "_width", lambda self: 59)  # a 60-column terminal
    _, out = transcript(bot, "/help\nexit\n")
    lines = out.splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith("  /help "))
    column = lines[start].index("this list")
    rows = lines[start:start + 20]
    for row in rows:
        if row.startswith(" ") and not row.lstrip().startswith("/"):
            assert row[:column].isspace() and not row[column].isspace(), row  # aligned
        assert len(row) <= 60
def test_json_toggle(bot: Bot) -> None:
    _, out = transcript(bot, f"/json\n{USERS}\n\x04")
    assert "JSON output on." in out and '"citations": [' in out
    line = next(x for x in out.splitlines() if x.startswith("{"))
    assert json.loads(line)["citations"][0]["quote"]  # one line, never wrapped


def test_abstention_is_visibly_different(bot: Bot) -> None:
    _, out = transcript(bot, "how do I bake bread?\n\x04")
    assert "The articles don't say." in out and "Sources:" not in out


def test_history_is_persisted(bot: Bot) -> None:
    transcript(bot, "who is Zhou Hao?\n\x04")
    assert history_path().read_text(encoding="utf-8").splitlines()[-1] == "+who is Zhou Hao?"


def test_history_is_private_and_keeps_no_commands(bot: Bot) -> None:
    transcript(bot, "/docs\nwho is Zhou Hao?\n\x04")
    lines = history_path().read_text(encoding="utf-8").splitlines()
    assert "+who is Zhou Hao?" in lines and "+/docs" not in lines
    assert history_path().stat().st_mode & 0o777 == 0o600


def test_history_that_fails_mid_session_warns_once_and_goes_on(
        bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    from qabot.ui.repl import history as repl
    opened = repl._open_private
    calls = []

    def full_disk(path: Path) -> int:  # the history opens, then the disk fills
        calls.append(path)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return opened(path)

    monkeypatch.setattr(repl, "_open_private", full_disk)
    _, out = transcript(bot, f"{USERS}\nwho is Zhou Hao?\n\x04")
    assert out.count("history no longer saved") == 1 and "203 million" in out
    assert "Traceback" not in out and "Press ENTER" not in out


def test_unwritable_history_warns_once_and_goes_on(bot: Bot, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    _, out = transcript(bot, f"{USERS}\n\x04")
    assert out.count("history disabled") == 1 and "203 million" in out


def test_control_characters_never_reach_the_terminal(bot: Bot) -> None:
    _, out = transcript(bot, "/bogus\x1b[2J\n\x04")
    assert "\x1b" not in out


def test_real_terminal_session(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path), "TERM": "xterm", "NO_COLOR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "qabot"], env=env, encoding="utf-8",
                          timeout=60, dimensions=(40, 120), cwd=str(tmp_path))
    child.expect("qabot · 2 articles")
    child.expect("ask› ")
    child.sendline(USERS)
    child.expect("13 Mar 2026")
    child.expect("ask› ")
    child.sendcontrol("c")
    child.expect("ask› ")
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_edit_starts_the_editor_on_a_real_terminal_only(tmp_path: Path) -> None:
    script = tmp_path / "editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'w').write('Who is Zhou Hao?\\n"
                      "who did he report to?\\n')\n", encoding="utf-8")
    env = {**_pty_env(tmp_path), "XDG_STATE_HOME": str(tmp_path), "NO_COLOR": "1",
           "EDITOR": f"{sys.executable} {script}"}
    child = pexpect.spawn(sys.executable, ["-m", "qabot"], env=env, encoding="utf-8",
                          timeout=60, dimensions=(40, 120), cwd=str(tmp_path))
    child.expect("ask› ")
    child.sendline("/edit")
    child.expect("interpreted as: who did Zhou Hao report to")
    child.expect("ask› ")
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_piped_questions_file_never_starts_an_editor(tmp_path: Path) -> None:
    """The attack of the third hostile pass: /edit in a piped file started vi on the same
    stdin, and the rest of the file, read as keystrokes, ran ':!touch PWNED'."""
    marker = tmp_path / "PWNED"
    editor = tmp_path / "editor.py"
    editor.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    questions = "/edit\n" + "who is Zhou Hao?\n" * 3 + "\x1b:!touch PWNED\r:qa!\r\n"
    env = {**os.environ, "EDITOR": f"{sys.executable} {editor}", "VISUAL": ""}
    done = subprocess.run([sys.executable, "-m", "qabot", "chat"], input=questions, env=env,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0 and not marker.exists()
    assert "/edit needs a terminal" in done.stdout and "Zhou Hao" in done.stdout
    assert "\x1b" not in done.stdout and "Traceback" not in done.stderr


def test_banner_counts_a_single_article(tmp_path: Path) -> None:
    from qabot.corpus.load import load_corpus
    from qabot.retrieval.retriever import Retriever

    (tmp_path / "one.txt").write_text("One sentence about bread.", encoding="utf-8")
    bot = Bot(Retriever.from_corpus(load_corpus(tmp_path)))
    _, out = transcript(bot, "\x04")
    assert out.splitlines()[0] == "qabot · 1 article, 1 passage · /help, Ctrl-D quits"


def _pty_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    return {**env, "TERM": "xterm", **extra}


def test_long_output_goes_through_the_pager_on_a_terminal(tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    pager = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write(sys.stdin.read())\""
    env = _pty_env(tmp_path, PAGER=f"{pager} {paged}")
    child = pexpect.spawn(sys.executable, ["-m", "qabot", "search", "-k", "20", "Qwen"], env=env,
                          encoding="utf-8", timeout=60, dimensions=(24, 80), cwd=str(tmp_path))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = paged.read_text(encoding="utf-8")
    assert text.startswith("1. ") and "20. " in text


def test_a_60_column_terminal_and_term_dumb(tmp_path: Path) -> None:
    env = _pty_env(tmp_path, TERM="dumb")
    child = pexpect.spawn(sys.executable, ["-m", "qabot"], env=env, encoding="utf-8",
                          timeout=60, dimensions=(40, 60), cwd=str(tmp_path))
    log = io.StringIO()
    child.logfile_read = log
    child.expect("ask")
    child.sendline(USERS)
    child.expect("/open 1 shows the paragraph")
    child.expect("ask› ")
    child.send("\x1b[A")  # Up: the last question comes back, visibly
    child.expect("secure\\?")
    child.sendcontrol("u")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    out = log.getvalue()
    assert child.exitstatus == 0 and "203 million" in " ".join(out.split())
    answer_lines = [line for line in out.splitlines() if "·" not in line and "ask›" not in line]
    assert all(len(line) <= 60 for line in answer_lines)
    assert "\x1b" not in out  # not one escape code under TERM=dumb


def test_several_lines_are_several_questions_and_edit_uses_the_editor(
        bot: Bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'w').write('Who is Zhou Hao?\\n"
                      "who did he report to?\\n')\n", encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    # Several lines in one message are several questions, in one conversation.
    _, out = transcript(bot, "Who is Zhou Hao?\x1b\rwho did he report to?\n\x04")
    assert "> Who is Zhou Hao?" in out and "> who did he report to?" in out
    assert "(interpreted as: who did Zhou Hao report to?)" in out
    # Off a real terminal (here prompt_toolkit's pipe input) /edit starts no editor.
    _, out = transcript(bot, "/edit\n\x04")
    assert "/edit needs a terminal" in out and "Who is Zhou Hao?" not in out
    # Alt-Enter puts a new line in the message instead of sending it.
    _, out = transcript(bot, "hello\x1b\rthanks\n\x04")
    assert "Hello. Ask me anything" in out and "You're welcome." in out


def test_ctrl_c_while_switching_corpus_keeps_the_chat_on_the_old_one(bot: Bot) -> None:
    def loader(path: str) -> Bot:
        raise KeyboardInterrupt  # Ctrl-C during a long build or embedding

    buf = io.StringIO()
    with create_pipe_input() as inp:
        inp.send_text("/corpus /some/big/folder\n/corpus\n\x04")
        code = Repl(bot, input=inp, output=DummyOutput(), printer=PlainTextOutput(buf),
                    colour=False, loader=loader).run()
    out = " ".join(buf.getvalue().split())
    assert code == 0 and "(interrupted: still asking the same articles)" in out
    assert "Asking 2 articles in" in out


def test_corpus_switches_folders_and_save_writes_markdown(bot: Bot, tmp_path: Path) -> None:
    from qabot.corpus.load import load_corpus
    from qabot.retrieval.retriever import Retriever

    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("Storm hits\n\nDate: 2026-03-06\n\nThe storm closed the "
                                  "coastal road on Friday.\n", encoding="utf-8")

    def loader(path: str) -> Bot:
        return Bot(Retriever.from_corpus(load_corpus(path)))

    saved = tmp_path / "chat.md"
    buf = io.StringIO()
    with create_pipe_input() as inp:
        inp.send_text(f"/corpus\n/corpus {folder}\nWhat did the storm close?\n/save {saved}\n"
                      f"/save {saved}\n/corpus /no/such\n\x04")
        Repl(bot, input=inp, output=DummyOutput(), printer=PlainTextOutput(buf), colour=False,
             loader=loader).run()
    out = " ".join(buf.getvalue().split())
    assert "Asking 2 articles in" in out and "qabot · 1 article, 1 passage, 6 Mar 2026" in out
    assert "The storm closed the coastal road on Friday. [1]" in out
    assert "exists; give a new file name." in out and "/no/such: no such file" in out
    md = saved.read_text(encoding="utf-8")
    assert md.startswith("# qabot conversation\n\n## What did the storm close?")
    assert "1. *Storm hits*, 6 Mar 2026, `a.txt:5` (characters" in md


def test_a_source_line_wider_than_the_terminal_breaks_between_words() -> None:
    from qabot.ui.render import plain

    title = "Lin Junyang’s departure has finally been officially acknowledged by Alibaba"
    line = f"[1] {title} · 13 Mar 2026 · 003_c0140778ee731637.txt:32\n"
    text = plain([("class:source", line)], width=60)
    assert all(len(row) <= 60 for row in text.splitlines())
    assert " ".join(text.split()) == " ".join(line.split())  # nothing lost or cut mid-word
    assert text.splitlines()[-1].strip() == "003_c0140778ee731637.txt:32"  # the file whole


def test_a_related_passage_source_line_wraps_indented_like_a_citation() -> None:
    from qabot.ui.render import plain

    line = ("- Following Junyang Lin’s announcement of his resignation · 6 Mar 2026 · "
            "000_c91c0fb47a5e568b.txt:19\n")
    text = plain([("class:related class:source", line),
                  ("class:related", "    However, establishing technical influence.\n")],
                 width=80)
    rows = text.splitlines()
    assert rows[0] == "- Following Junyang Lin’s announcement of his resignation · 6 Mar 2026 ·"
    assert rows[1] == "    000_c91c0fb47a5e568b.txt:19"  # indented, the file whole
    assert rows[2] == "    However, establishing technical influence."


def test_history_suggestions_only_in_colour(bot: Bot) -> None:
    """Without colour a grey suggestion looks typed, and Enter sent only what was typed."""
    with create_pipe_input() as inp:
        plain = Repl(bot, input=inp, output=DummyOutput(), colour=False)
        coloured = Repl(bot, input=inp, output=DummyOutput(), colour=True)
        assert plain.session.auto_suggest is None
        assert coloured.session.auto_suggest is not None


def test_a_question_wrapped_over_two_pasted_lines_is_one_question() -> None:
    from qabot.ui.repl.session import _questions

    assert _questions("Why did Lin Junyang\nresign from Qwen?\nWho is Zhou Hao?\n/docs") == [
        "Why did Lin Junyang resign from Qwen?", "Who is Zhou Hao?", "/docs"]
