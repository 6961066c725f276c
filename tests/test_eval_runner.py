"""``python -m eval NAME``: the one runner over eval/'s scripts."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_main", ROOT / "eval" / "__main__.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_name_is_a_script_and_an_unknown_one_is_an_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    runner = _runner()
    assert all((ROOT / "eval" / script).is_file() for script, _ in runner.SUITE.values())
    assert runner.main([]) == 0 and "news-dev" in capsys.readouterr().out
    assert runner.main(["nope"]) == 2 and "no benchmark 'nope'" in capsys.readouterr().err


def test_a_script_runs_through_it_with_its_own_options() -> None:
    done = subprocess.run([sys.executable, "-m", "eval", "news-dev", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--oof" in done.stdout, done.stderr


def test_a_scripts_exit_message_is_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    runner = _runner()
    (tmp_path / "x.py").write_text('raise SystemExit("news-dev not found: set QABOT_BENCH")\n')
    monkeypatch.setattr(runner, "HERE", tmp_path)
    monkeypatch.setattr(runner, "SUITE", {"x": ("x.py", "a script")})
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    assert runner.main(["x"]) == 1
    assert "news-dev not found" in capsys.readouterr().err
