"""The chat log (issue 25): every chat written to one SQLite file, listed and searched by
`qabot logs`, continued by `qabot chat -c` / `--cid`, and never in the way of a chat."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from qabot.conversation.log import ChatLog, log_path
from qabot.ui.cli import main


def chat(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, text: str,
         *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code = main(["chat", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_chat_is_logged_listed_and_continued(capsys, monkeypatch) -> None:
    code, _, _ = chat(capsys, monkeypatch, "Who is Zhou Hao?\nwho did he report to?\n")
    assert code == 0
    path = log_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # questions may be private
    assert main(["logs", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["conversations"]
    assert row["turns"] == 2 and row["first"] == "Who is Zhou Hao?"
    assert row["corpus"].endswith("corpus")
    # Continued: the follow-up reads the restored turns, and is added to the same log.
    code, out, err = chat(capsys, monkeypatch, "when did he join?\n/history\n", "-c")
    assert f"continuing conversation {row['id']} (2 turns" in err
    # ... as in one unbroken chat (whatever that reads "he" as: issue 25's part 2).
    _, whole, _ = chat(capsys, monkeypatch, "Who is Zhou Hao?\nwho did he report to?\n"
                       "when did he join?\n", "--no-log")
    said = [line for line in whole.splitlines() if line.startswith("(interpreted as:")][-1]
    assert said in out
    assert "  3. when did he join?" in out + err
    assert main(["logs", "--cid", row["id"][:12], "--json"]) == 0
    turns = json.loads(capsys.readouterr().out)["turns"]
    assert [t["question"] for t in turns] == ["Who is Zhou Hao?", "who did he report to?",
                                              "when did he join?"]
    assert all(c["quote"] for t in turns for c in t["citations"])
    assert main(["logs", "-q", "report to"]) == 0
    assert row["id"] in capsys.readouterr().out
    assert main(["logs", "-q", "no such words anywhere"]) == 1


def test_no_log_writes_nothing_and_a_bad_log_never_stops_a_chat(capsys, monkeypatch,
                                                                tmp_path: Path) -> None:
    code, _, _ = chat(capsys, monkeypatch, "Who is Zhou Hao?\n", "--no-log")
    assert code == 0 and not log_path().exists()
    assert main(["logs"]) == 1 and "No conversations logged yet." in capsys.readouterr().out
    # A link planted where the log goes is not followed: one warning, the chat goes on.
    target = tmp_path / "elsewhere.db"
    log_path().parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, log_path())
    code, out, err = chat(capsys, monkeypatch, "Who is Zhou Hao?\n")
    assert code == 0 and "Zhou Hao" in out and not target.exists()
    assert err.count("cannot write the chat log") == 1
    assert main(["chat", "-c", "--no-log"]) == 2


def test_continuing_what_is_not_there_is_one_line(capsys, monkeypatch) -> None:
    code, _, err = chat(capsys, monkeypatch, "", "-c")
    assert code == 2 and err == ("qabot: error: cannot continue a conversation: no "
                                 "conversations logged yet\n")
    chat(capsys, monkeypatch, "Who is Zhou Hao?\n")
    code, _, err = chat(capsys, monkeypatch, "", "--cid", "nope")
    assert code == 2 and "no conversation 'nope' in the log" in err


def test_save_json_holds_the_answers(capsys, monkeypatch, tmp_path: Path) -> None:
    target = tmp_path / "chat.json"
    chat(capsys, monkeypatch, f"Who is Zhou Hao?\n/save {target}\n")
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert saved["cid"] and [t["question"] for t in saved["turns"]] == ["Who is Zhou Hao?"]


def test_the_log_writes_and_reads_turns(tmp_path: Path) -> None:
    from qabot.models import Answer

    log = ChatLog(tmp_path / "logs.db")
    cid = log.start("corpus", "test")
    answer = Answer(question="q?", interpreted_as="q?", answer="a", abstained=False,
                    confidence=0.5, citations=[])
    log.add(cid, 1, answer)
    assert log.answers(cid) == [answer] and log.latest() == cid
    assert log.find(cid[:10]).turns == 1


def test_a_question_with_bytes_that_were_not_utf8_is_logged(capsys, monkeypatch) -> None:
    code, _, err = chat(capsys, monkeypatch, "Who is Zhou Hao \udcff?\n")
    assert code == 0 and "chat log" not in err
    (row,) = ChatLog().conversations()
    (answer,) = ChatLog().answers(row.id)
    assert answer.question == "Who is Zhou Hao \udcff?"  # kept as it was read
