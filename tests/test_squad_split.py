"""The fixed article split of the public data (eval/squad_split.json) and the ratchet."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parent.parent / "eval"
sys.path.insert(0, str(EVAL))

from bench_answers import check, ece  # noqa: E402
from squad_data import in_validation  # noqa: E402


def test_the_written_split_follows_its_rule() -> None:
    split = json.loads((EVAL / "squad_split.json").read_text(encoding="utf-8"))
    assert len(split["validation"]) == 14 and len(split["train"]) == 34
    assert all(in_validation(t) for t in split["validation"])
    # The rule splits SQuAD 2.0's articles; those only SQuAD 1.1 has are all training.
    assert not any(in_validation(t) for t in split["train"] if t not in split["v1_only"])
    assert set(split["v1_only"]) <= set(split["train"]) and len(split["v1_only"]) == 13
    assert not set(split["validation"]) & set(split["train"])
    assert set(split["data"]) == {"squad-v1.1/dev-v1.1.json", "squad-v2.0/dev-v2.0.json"}


def test_the_model_was_fitted_on_the_training_articles_only() -> None:
    from qabot.answering.model import AnswerModel

    split = json.loads((EVAL / "squad_split.json").read_text(encoding="utf-8"))
    provenance = AnswerModel.load().provenance
    assert provenance["split"]["validation"] == split["validation"]
    squad = {k: v for k, v in provenance["data"].items() if k.startswith("squad-")}
    assert squad == split["data"]


def test_calibration_error_and_reliability_table() -> None:
    import numpy as np

    conf = np.array([0.05, 0.15, 0.95, 0.95])
    right = np.array([0.0, 1.0, 1.0, 1.0])
    err, table = ece(conf, right)
    assert err == pytest.approx((0.05 + 0.85 + 2 * 0.05) / 4)
    assert [row[:2] for row in table] == [("0.0-0.1", 1), ("0.1-0.2", 1), ("0.9-1.0", 2)]


def test_the_ratchet_reads_dotted_figures(tmp_path: Path) -> None:
    spec = tmp_path / "t.json"
    spec.write_text(json.dumps({"min": {"squad2.overall": 0.5, "squad2.has_acc": 0.9},
                                "max": {"squad2.ece": 0.2}}), encoding="utf-8")
    figures = {"squad2": {"overall": 0.6, "has_acc": 0.8, "ece": 0.3}}
    assert check(figures, spec) == ["squad2.has_acc = 0.8 (min 0.9)",
                                    "squad2.ece = 0.3 (max 0.2)"]
