from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import ir_measures
import pytest
from conftest import ROOT

from qabot.answering.bot import Bot
from qabot.errors import GoldSetError
from qabot.evaluation.gold import (
    ABSTAIN_TYPES,
    check_thresholds,
    evaluate,
    load_gold,
)
from qabot.evaluation.metrics import exact_match, f1_score, normalize_answer, retrieval_scores
from qabot.models import Corpus
from qabot.ui.report import format_report

GOLD = ROOT / "eval" / "gold.jsonl"
HOLDOUT = ROOT / "eval" / "holdout.jsonl"


@pytest.mark.parametrize("path", [GOLD, HOLDOUT])
def test_gold_files_are_valid_and_quotes_exact(path: Path, corpus: Corpus) -> None:
    items = load_gold(path)
    assert len({i.id for i in items}) == len(items)
    for item in items:
        for ev in item.evidence:
            assert ev.quote in corpus.get(ev.doc_id).text, (item.id, ev.quote)
        dates = sorted({corpus.get(e.doc_id).date.isoformat() for e in item.evidence})  # type: ignore[union-attr]
        assert item.dates == dates, item.id


def test_gold_set_covers_every_type_and_both_articles() -> None:
    items = load_gold(GOLD)
    types = Counter(i.type for i in items)
    assert len(items) >= 60
    assert set(types) == {"why", "who", "when", "what", "how-many", "yes-no", "cross-doc",
                          "date-attribution", "unanswerable", "off-topic", "follow-up"}
    assert types["unanswerable"] + types["off-topic"] >= 5 and types["follow-up"] >= 4
    assert {e.doc_id for i in items for e in i.evidence} == {
        "000_c91c0fb47a5e568b", "003_c0140778ee731637"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "question": "q?", "type": "why"}', ":2: answers: Field required"),
        ('{"id": "x", "question": "q?", "type": "nope", "answers": [], "evidence": []}',
         ":2: type: Input should be"),
        ("not json", ":2: line: Invalid JSON"),
        ('{"id": "a", "question": "q?", "type": "off-topic", "answers": [], "evidence": []}',
         ":2: id: duplicate id 'a'"),
    ],
)
def test_malformed_gold_line_names_line_and_field(tmp_path: Path, line: str,
                                                  message: str) -> None:
    good = {"id": "a", "question": "q?", "type": "off-topic", "answers": [], "evidence": []}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(good) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(GoldSetError, match=message):
        load_gold(path)


def test_squad_normalisation_em_and_f1() -> None:
    assert normalize_answer("The  Quick, brown fox!") == "quick brown fox"
    assert exact_match("the three reasons", ["Three reasons."]) == 1.0
    assert f1_score("three primary reasons behind", ["three reasons"]) == pytest.approx(
        2 * (2 / 4) * (2 / 2) / (2 / 4 + 2 / 2))
    assert f1_score("nothing", ["three reasons"]) == 0.0


def test_retrieval_metrics_match_ir_measures() -> None:
    rankings = {
        "q1": ([False, True, False, True, False], 2),
        "q2": ([True] + [False] * 11, 3),
        "q3": ([False] * 12, 1),
        "q4": ([False, False, False, False, False, False, True], 1),
    }
    qrels, run = [], []
    ours: dict[str, dict[str, float]] = {}
    for qid, (rel, total) in rankings.items():
        for i in range(total):
            qrels.append(ir_measures.Qrel(qid, f"rel{i}", 1))
        seen = 0
        for rank, r in enumerate(rel):
            doc = f"rel{seen}" if r else f"{qid}-d{rank}"
            seen += r
            run.append(ir_measures.ScoredDoc(qid, doc, 100.0 - rank))
        ours[qid] = retrieval_scores(rel, total)
    measures = {"nDCG@10": ir_measures.nDCG @ 10, "MRR@10": ir_measures.RR @ 10,
                "R@1": ir_measures.Success @ 1, "R@5": ir_measures.Success @ 5}
    for m in ir_measures.iter_calc(list(measures.values()), qrels, run):
        name = next(k for k, v in measures.items() if v == m.measure)
        assert math.isclose(ours[m.query_id][name], m.value, abs_tol=1e-9), (m, name)


def test_full_run_reports_every_type(bot: Bot) -> None:
    items = load_gold(GOLD)
    report = evaluate(bot, items)
    assert report.questions == len(items)
    assert set(report.by_type) == {i.type for i in items}
    text = format_report(report)
    assert "| **overall** |" in text and "Abstention: precision" in text
    for r in report.results:
        if r.type in ABSTAIN_TYPES:
            assert r.correct == r.abstained
    assert report.overall["dates_ok"] == 1.0


def test_ratchet(bot: Bot, tmp_path: Path) -> None:
    report = evaluate(bot, load_gold(GOLD)[:10])
    spec = tmp_path / "t.json"
    spec.write_text(json.dumps({"min": {"overall.accuracy": 1.01},
                                "max": {"abstention.false_refusal": 1.0}}), encoding="utf-8")
    assert check_thresholds(report, spec) == [
        f"overall.accuracy = {report.overall['accuracy']:.3f} (min 1.01)"]
    spec.write_text(json.dumps({"min": {"overall.nope": 1}}), encoding="utf-8")
    with pytest.raises(GoldSetError, match="overall.nope: no such figure"):
        check_thresholds(report, spec)


def test_thresholds_file_holds_for_the_current_code(bot: Bot) -> None:
    problems = check_thresholds(evaluate(bot, load_gold(GOLD)), ROOT / "eval" / "thresholds.json")
    assert problems == []
