"""The answer model file and its numpy inference (answering/model.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from qabot.answering.decide import QUESTION_NAMES
from qabot.answering.features import NAMES
from qabot.answering.model import AnswerModel, Part, columns, default_model_path
from qabot.errors import QabotError


def test_linear_part_is_a_logistic_regression_on_standardised_inputs() -> None:
    part = Part({"kind": "linear", "features": ["a", "b"], "mean": [1.0, 0.0],
                 "scale": [2.0, 1.0], "coef": [0.5, -1.0], "intercept": 0.25})
    x = np.array([[3.0, 1.0], [1.0, 0.0]])
    margin = np.array([0.5 * 1.0 - 1.0 + 0.25, 0.25])
    assert np.allclose(part.margin(x), margin)
    assert np.allclose(part.predict(x), 1 / (1 + np.exp(-margin)))
    assert part.predict(np.zeros((0, 2))).shape == (0,)


def test_trees_part_walks_each_tree_to_a_leaf_and_sums() -> None:
    # Tree 1: x0 <= 0.5 ? (x1 <= 2 ? 1.0 : 2.0) : 3.0.  Tree 2: a single leaf, -0.5.
    tree1 = {"feature": [0, 1, -1, -1, -1], "threshold": [0.5, 2.0, 0, 0, 0],
             "left": [1, 2, 0, 0, 0], "right": [4, 3, 0, 0, 0],
             "value": [0, 0, 1.0, 2.0, 3.0]}
    tree2 = {"feature": [-1], "threshold": [0.0], "left": [0], "right": [0], "value": [-0.5]}
    part = Part({"kind": "trees", "features": ["x0", "x1"], "depth": 3, "init": 0.1,
                 "trees": [tree1, tree2]})
    x = np.array([[0.0, 1.0], [0.5, 2.5], [0.7, 0.0]])
    assert np.allclose(part.margin(x), [1.0 - 0.5 + 0.1, 2.0 - 0.5 + 0.1, 3.0 - 0.5 + 0.1])


def test_the_shipped_model_loads_and_needs_only_computed_features() -> None:
    model = AnswerModel.load()
    columns(NAMES, model.ranker.features)
    columns(QUESTION_NAMES, model.answerability.features)
    assert 0.0 < model.threshold < 1.0
    prov = model.provenance
    assert prov["script"] == "eval/train_answerer.py"
    assert set(prov["data"]) == {"squad-v1.1/dev-v1.1.json", "squad-v2.0/dev-v2.0.json",
                                 "news-dev/qa.jsonl", "news-dev/folds.json"}
    assert prov["split"]["file"] == "eval/squad_split.json" and prov["split"]["validation"]
    # Small enough to ship (the issue: "a small data file").
    assert default_model_path().stat().st_size < 2_000_000
    for key in ("has_acc", "noans_abst", "overall"):
        assert not math.isnan(prov["validation"][key])


def test_a_model_and_code_that_disagree_say_so() -> None:
    with pytest.raises(QabotError, match="does not compute: nope"):
        columns(NAMES, ("c_cov", "nope"))


def test_a_broken_model_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "answerer.json"
    bad.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    with pytest.raises(QabotError, match="cannot load the answer model"):
        AnswerModel.load(bad)
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(QabotError, match="cannot load the answer model"):
        AnswerModel.load(bad)


def test_numpy_trees_match_lightgbm_when_it_is_installed() -> None:
    lgb = pytest.importorskip("lightgbm")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))
    from train_answerer import trees_spec

    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 4))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(float)
    booster = lgb.train({"objective": "binary", "verbose": -1, "num_leaves": 7}, lgb.Dataset(x, y),
                        num_boost_round=20)
    part = Part(trees_spec(booster, ("a", "b", "c", "d")))
    assert np.allclose(part.margin(x), booster.predict(x, raw_score=True), atol=1e-9)
