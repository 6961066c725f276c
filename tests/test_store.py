from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qabot import paths
from qabot.corpus.load import load_corpus
from qabot.paths import atomic_write, cache_dir
from qabot.retrieval import store
from qabot.retrieval.retriever import Retriever

QUERIES = ["why did Lin resign?", "Qwen3.5 0.8B", "Wu Yongming memo", "nothing matches"]


def _build(folder: Path) -> tuple[Retriever, list[str]]:
    notices: list[str] = []
    r = Retriever.from_corpus(load_corpus(folder), cache=True, notice=notices.append)
    return r, notices


def _same(a: Retriever, b: Retriever) -> None:
    assert [p.model_dump() for p in a.passages] == [p.model_dump() for p in b.passages]
    for q in QUERIES:
        assert [h.model_dump() for h in a.search(q, k=10)] == [
            h.model_dump() for h in b.search(q, k=10)]
    assert a.entities.groups == b.entities.groups


def test_built_once_then_loaded(articles: Path) -> None:
    fresh = Retriever.from_corpus(load_corpus(articles))
    first, notices = _build(articles)
    assert notices == [] and first.cache_path is not None and first.cache_path.exists()
    second, notices = _build(articles)
    assert notices == [] and second.cache_path == first.cache_path
    _same(fresh, second)
    with np.load(first.cache_path, allow_pickle=False) as data:  # plain arrays only
        assert "meta" in data.files


@pytest.mark.parametrize("damage", ["delete", "truncate", "garbage", "empty"])
def test_damaged_cache_is_rebuilt(articles: Path, damage: str) -> None:
    first, _ = _build(articles)
    path = first.cache_path
    assert path is not None
    data = path.read_bytes()
    if damage == "delete":
        path.unlink()
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(os.urandom(len(data)))
    else:
        path.write_bytes(b"")
    again, notices = _build(articles)
    if damage == "delete":
        assert notices == []
    else:
        assert len(notices) == 1 and "is unreadable" in notices[0] and "rebuilding" in notices[0]
    _same(first, again)
    _, notices = _build(articles)
    assert notices == []  # the rebuilt file is good


def test_foreign_file_under_the_right_name_is_not_trusted(articles: Path, tmp_path: Path) -> None:
    first, _ = _build(articles)
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("A completely different corpus about bread.", encoding="utf-8")
    foreign, _ = _build(other)
    assert first.cache_path and foreign.cache_path
    shutil.copy(foreign.cache_path, first.cache_path)
    again, notices = _build(articles)
    assert notices == [f"index cache {first.cache_path.name} is built for another corpus or "
                       "version; rebuilding it"]
    _same(first, again)


def test_changed_corpus_or_version_gets_a_new_file(articles: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    first, _ = _build(articles)
    with open(articles / "000_c91c0fb47a5e568b.txt", "a", encoding="utf-8") as f:
        f.write("\nA new closing sentence about bread.")
    changed, _ = _build(articles)
    assert changed.cache_path != first.cache_path
    assert changed.search("bread") and not first.search("bread")
    monkeypatch.setattr(store, "__version__", "99.0")
    newer, _ = _build(articles)
    assert newer.cache_path not in (first.cache_path, changed.cache_path)


def test_unwritable_cache_folder_degrades_with_one_notice(articles: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    r, notices = _build(articles)
    assert len(notices) == 1 and notices[0].startswith("cannot use the cache folder: ")
    assert r.search("why did Lin resign?")


def test_interrupted_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.npz"
    target.parent.mkdir()

    def write(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, write)
    assert list(target.parent.iterdir()) == []


def test_two_processes_building_at_once_both_succeed(articles: Path) -> None:
    env = {**os.environ}
    cmd = [sys.executable, "-m", "qabot", "index", "--corpus", str(articles)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    files = sorted((cache_dir() / "index").iterdir())
    # The index and its learned names (index builds them for the first question); no
    # temporary file left.
    assert [f.name.split(".", 1)[1] for f in files] == ["names.json", "npz"]
    loaded, notices = _build(articles)
    assert notices == [] and loaded.cache_path == files[1]


def test_index_command_prints_its_figures(articles: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "qabot", "index", "--corpus", str(articles)],
                          capture_output=True, text=True, timeout=120)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0 and proc.stderr == ""
    assert lines[:3] == ["documents: 2", "passages:  60", "terms:     867"]
    assert lines[3] == ("dates:     every article of 2 is dated; 19 time mentions resolved "
                        "in the text")
    assert lines[4].startswith("cache:     ") and lines[4].endswith(" MB)")
    assert lines[5].startswith("semantic:  off")  # QABOT_SEMANTIC=off in every test
    assert lines[6].startswith("time:      ")


def test_learned_names_are_saved_beside_the_index(articles: Path) -> None:
    first, _ = _build(articles)
    assert first.cache_path is not None
    names = store.entities_path(first.cache_path)
    assert not names.exists()  # search alone never learns names
    groups = first.entities.groups
    assert names.exists()
    again, _ = _build(articles)
    assert again.entities.groups == groups
    names.write_text("{not json", encoding="utf-8")
    third, _ = _build(articles)
    assert third.entities.groups == groups  # unreadable: learned again


def test_changed_index_code_gets_a_new_file(articles: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # An edit to the analysis or splitting code (say, a stopword) within one version must
    # not reuse an index built by the old code.
    first, _ = _build(articles)
    monkeypatch.setattr(paths, "source_digest", lambda *parts: b"edited text/analysis.py")
    second, _ = _build(articles)
    assert second.cache_path != first.cache_path


def test_the_code_digest_covers_every_module_of_a_layer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = Path(paths.__file__).parent
    copy = tmp_path / "qabot"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("_data", "__pycache__"))
    digest = paths.source_digest.__wrapped__
    monkeypatch.setattr(paths, "_PACKAGE", copy)
    before = digest("models.py", "text")
    assert digest("models.py", "text") == before != digest("models.py", "corpus")
    (copy / "text" / "new_module.py").write_text("X = 1\n")  # a module no list names
    assert digest("models.py", "text") != before
    with pytest.raises(ValueError, match="no qabot module 'nowhere'"):
        digest("nowhere")
