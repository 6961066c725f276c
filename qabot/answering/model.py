"""The fitted answer model, read from a small JSON file and run with numpy alone.

Two parts, both fitted by ``eval/train_answerer.py`` on public data (SQuAD training
articles; see the file's ``provenance``):

- the *ranker* gives each candidate the probability that it is the answer;
- the *answerability* model gives the probability that the best candidate is a right
  answer: the ``confidence`` of the public JSON. One threshold on it decides abstention.

Each part is either a linear model (standardised inputs, logistic link) or a sum of
regression trees (gradient boosting, logistic link); the file says which.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from qabot.answering.decide import Policy
from qabot.errors import QabotError

MODEL_FORMAT = "qabot-answerer-1"


def default_model_path(semantic: bool = False) -> Path:
    """The shipped weights: lexical, or with the embedding columns (qabot[semantic])."""
    name = "answerer-semantic.json" if semantic else "answerer.json"
    return Path(str(resources.files("qabot"))) / "_data" / name


class Part:
    """One fitted scorer over named feature columns: ``predict`` gives probabilities."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.kind: str = spec["kind"]
        self.features: tuple[str, ...] = tuple(spec["features"])
        if self.kind == "linear":
            self.mean = np.asarray(spec["mean"], dtype=np.float64)
            self.scale = np.asarray(spec["scale"], dtype=np.float64)
            self.coef = np.asarray(spec["coef"], dtype=np.float64)
            self.intercept = float(spec["intercept"])
        elif self.kind == "trees":
            trees = spec["trees"]
            width = max(len(t["feature"]) for t in trees)

            def pad(key: str, fill: float, dtype: type) -> np.ndarray:
                return np.array([t[key] + [fill] * (width - len(t[key])) for t in trees],
                                dtype=dtype)

            self.feature = pad("feature", -1, np.int64)  # -1 marks a leaf
            self.threshold = pad("threshold", 0.0, np.float64)
            self.left = pad("left", 0, np.int64)
            self.right = pad("right", 0, np.int64)
            self.value = pad("value", 0.0, np.float64)
            self.depth = int(spec["depth"])
            self.init = float(spec.get("init", 0.0))
        else:
            raise ValueError(f"unknown model kind {self.kind!r}")

    def margin(self, x: np.ndarray) -> np.ndarray:
        """The log-odds for each row of ``x`` (columns in ``self.features`` order)."""
        if x.shape[0] == 0:
            return np.zeros(0)
        if self.kind == "linear":
            return np.asarray(((x - self.mean) / self.scale) @ self.coef + self.intercept)
        n, t = x.shape[0], self.feature.shape[0]
        node = np.zeros((n, t), dtype=np.int64)
        trees = np.arange(t)[None, :]
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            feat = self.feature[trees, node]
            leaf = feat < 0
            if leaf.all():
                break
            values = x[rows, np.where(leaf, 0, feat)]
            go_left = values <= self.threshold[trees, node]
            step = np.where(go_left, self.left[trees, node], self.right[trees, node])
            node = np.where(leaf, node, step)
        return np.asarray(self.value[trees, node].sum(axis=1) + self.init)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(-self.margin(x))))


class AnswerModel:
    """The ranker, the answerability model, the abstention threshold and their provenance."""

    def __init__(self, spec: dict[str, Any]) -> None:
        if spec.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a {MODEL_FORMAT} file")
        self.ranker = Part(spec["ranker"])
        self.answerability = Part(spec["answerability"])
        self.threshold = float(spec["threshold"])
        # A file without a fitted policy cites a second article at the answer threshold.
        self.policy = Policy.model_validate(
            spec.get("decision", {"second": self.threshold}))
        self.provenance: dict[str, Any] = spec.get("provenance", {})

    @classmethod
    def load(cls, path: str | Path | None = None, semantic: bool = False) -> AnswerModel:
        path = Path(path) if path is not None else default_model_path(semantic)
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise QabotError(f"{path}: cannot load the answer model ({exc}); "
                             "reinstall qabot or refit with eval/train_answerer.py") from None


def columns(names: tuple[str, ...], wanted: tuple[str, ...]) -> list[int]:
    """Positions of ``wanted`` among ``names``; a name the code does not compute means the
    model file and the code disagree."""
    where = {n: i for i, n in enumerate(names)}
    missing = [n for n in wanted if n not in where]
    if missing:
        raise QabotError(f"the answer model needs features this qabot does not compute: "
                         f"{', '.join(missing)}; refit with eval/train_answerer.py")
    return [where[n] for n in wanted]
