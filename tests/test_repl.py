from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import ARTICLE_B
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.plain_text import PlainTextOutput

from qabot.answer import Bot
from qabot.repl import Repl, history_path


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
    assert text.startswith("qabot · 2 articles, 60 passages, 6 Mar 2026 – 13 Mar 2026 · "
                           f"/help for commands, Ctrl-D to quit {USERS_QUOTE}")
    # The answer is the quote word for word: the source shows where it is, not it again.
    assert ("the highest globally. [1] Sources: [1] Lin Junyang’s departure has finally been "
            f"officially acknowledged by Alibaba · 13 Mar 2026 · {ARTICLE_B}.txt:32 "
            "/open 1 shows the paragraph") in text
    assert "Sources:" in out.splitlines()


def test_output_is_word_wrapped_to_the_terminal(bot: Bot) -> None:
    _, out = transcript(bot, f"{USERS}\n/sources\n\x04")
    lines = out.splitlines()
    assert max(len(line) for line in lines if "·" not in line) <= 79  # 80 columns
    for word in ("month-over-month", "552.83%", "003_c0140778ee731637.txt"):
        assert word in out  # never split across lines


def test_wrapping_keeps_indents_and_never_splits_a_word_across_styles() -> None:
    from qabot.render import wrap

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
    assert f"{passage.id} · Lin Junyang’s departure" in text  # /sources: the passage
    doc = bot.retriever.document(cite.doc_id)
    line_end = doc.text.index("\n", cite.end)
    line_start = doc.text.rindex("\n", 0, cite.start) + 1
    # /open 1: the paragraph holding the citation, with its offsets.
    assert f"· characters {line_start}–{line_end}" in text
    assert f"Usage: /open N, where N is 1 to {len(answer.citations)}." in out
    assert "6 Mar 2026 · Following Junyang Lin’s announcement of his resignation · " in text
    assert "Now considering 3 passages per question." in out
    assert "Usage: /k N, with N from 1 to 1000." in out
    assert "Unknown command /bogus. Type /help for the list." in out


def test_help_lists_every_command(bot: Bot) -> None:
    _, out = transcript(bot, "/help\nexit\n")
    for name in ("/help", "/sources", "/open", "/docs", "/k", "/json", "/reset", "/quit"):
        assert f"  {name} " in out


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
    from prompt_toolkit.history import FileHistory

    def full_disk(self: FileHistory, string: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileHistory, "store_string", full_disk)
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


def test_banner_counts_a_single_article(tmp_path: Path) -> None:
    from qabot.corpus import load_corpus
    from qabot.retriever import Retriever

    (tmp_path / "one.txt").write_text("One sentence about bread.", encoding="utf-8")
    bot = Bot(Retriever.from_corpus(load_corpus(tmp_path)))
    _, out = transcript(bot, "\x04")
    assert out.splitlines()[0] == ("qabot · 1 article, 1 passage · /help for commands, "
                                   "Ctrl-D to quit")
