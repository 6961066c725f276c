"""Score the bot against a gold question set: retrieval, answers, attribution, abstention."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from qabot.answering.bot import Bot
from qabot.conversation import Conversation
from qabot.errors import GoldSetError
from qabot.evaluation.bounds import outside_bounds, read_thresholds
from qabot.evaluation.metrics import (
    exact_match,
    f1_score,
    normalize_answer,
    retrieval_scores,
    strip_markers,
)
from qabot.models import Answer, Corpus, overlaps

GoldType = Literal[
    "why", "who", "when", "what", "how-many", "yes-no", "cross-doc", "date-attribution",
    "unanswerable", "off-topic", "follow-up",
]
ABSTAIN_TYPES = ("unanswerable", "off-topic")


# A gold answer or key phrase must hold something: an empty one is in every answer.
NonBlank = Annotated[str, Field(min_length=1, pattern=r"\S")]


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_id: str
    quote: str = Field(min_length=1)


class GoldItem(BaseModel):
    """One line of eval/gold.jsonl."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    type: GoldType
    answers: list[NonBlank]
    evidence: list[Evidence]
    dates: list[str] = Field(default_factory=list)
    key_phrases: list[NonBlank] = Field(default_factory=list)
    _where: str = PrivateAttr(default="")  # "file:line", for errors found later
    history: list[str] = Field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return self.type not in ABSTAIN_TYPES


def default_gold_path() -> Path:
    bundled = Path(str(resources.files("qabot"))) / "_data" / "gold.jsonl"
    if bundled.is_file():
        return bundled
    return Path(__file__).resolve().parents[2] / "eval" / "gold.jsonl"


def load_gold(path: str | Path) -> list[GoldItem]:
    """Parse and validate a gold file; errors name the line and the field."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise GoldSetError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldSetError(f"{path}: cannot read ({exc})") from None
    items: list[GoldItem] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = GoldItem.model_validate_json(line)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "line"
            raise GoldSetError(f"{path}:{lineno}: {where}: {err['msg']}") from None
        if item.id in seen:
            raise GoldSetError(f"{path}:{lineno}: id: duplicate id {item.id!r}")
        if item.answerable and not (item.answers and item.evidence):
            raise GoldSetError(f"{path}:{lineno}: answers/evidence: required for {item.type}")
        seen.add(item.id)
        item._where = f"{path}:{lineno}"
        items.append(item)
    if not items:
        raise GoldSetError(f"{path}: no questions")
    return items


# -- SQuAD answer metrics (official normalisation) -------------------------------------------

def answer_correct(prediction: str, item: GoldItem) -> bool:
    """Every key phrase present, or (without key phrases) any acceptable answer present."""
    text = normalize_answer(prediction)
    if item.key_phrases:
        return all(normalize_answer(k) in text for k in item.key_phrases)
    return any(normalize_answer(a) in text for a in item.answers)


# -- retrieval metrics -----------------------------------------------------------------------


def evidence_spans(item: GoldItem, corpus: Corpus) -> list[tuple[str, int, int]]:
    spans = []
    for ev in item.evidence:
        text = corpus.get(ev.doc_id).text
        start = text.find(ev.quote)
        if start < 0:
            raise GoldSetError(f"{item.id}: evidence quote not found in {ev.doc_id}")
        spans.append((ev.doc_id, start, start + len(ev.quote)))
    return spans


# -- the run ---------------------------------------------------------------------------------


class ItemResult(BaseModel):
    id: str
    type: str
    question: str
    interpreted_as: str
    expected: list[str]
    answer: str
    abstained: bool
    correct: bool
    em: float
    f1: float
    retrieval: dict[str, float] = Field(default_factory=dict)
    citation_precision: float | None = None
    citation_recall: float | None = None
    dates_ok: bool = True
    cited: list[str] = Field(default_factory=list)


class Report(BaseModel):
    """Everything ``qabot eval`` prints, as data."""

    questions: int
    overall: dict[str, float]
    by_type: dict[str, dict[str, float]]
    abstention: dict[str, float]
    results: list[ItemResult]

    @property
    def failures(self) -> list[ItemResult]:
        return [r for r in self.results if not r.correct]


def _ask(bot: Bot, item: GoldItem, k: int | None) -> Answer:
    """The item's question, asked after its earlier turns in one conversation."""
    conversation = Conversation(bot, k=k)
    conversation.replay(item.history)
    return conversation.ask(item.question)


def check_documents(gold: Sequence[GoldItem], corpus: Corpus) -> None:
    """Every evidence quote's document is in ``corpus`` and holds the quote; else a
    ``GoldSetError`` naming the gold file and line."""
    ids = {d.id for d in corpus.documents}
    for item in gold:
        for ev in item.evidence:
            where = item._where or item.id
            if ev.doc_id not in ids:
                raise GoldSetError(f"{where}: evidence.doc_id: no document {ev.doc_id!r} in "
                                   "the corpus")
            if ev.quote not in corpus.get(ev.doc_id).text:
                raise GoldSetError(f"{where}: evidence.quote: not in {ev.doc_id!r}")


def evaluate(bot: Bot, gold: Sequence[GoldItem], k: int | None = None) -> Report:
    corpus = bot.retriever.corpus
    check_documents(gold, corpus)
    passages = bot.retriever.passages
    results: list[ItemResult] = []
    for item in gold:
        answer = _ask(bot, item, k)
        text = strip_markers(answer.answer)
        result = ItemResult(
            id=item.id, type=item.type, question=item.question,
            interpreted_as=answer.interpreted_as, expected=item.answers, answer=text,
            abstained=answer.abstained, correct=False, em=0.0, f1=0.0,
            cited=[f"{c.doc_id}[{c.start}:{c.end}]" for c in answer.citations],
        )
        if not item.answerable:
            result.correct = answer.abstained
            result.em = result.f1 = float(answer.abstained)
            results.append(result)
            continue
        spans = evidence_spans(item, corpus)
        if not answer.abstained:
            result.correct = answer_correct(text, item)
            result.em = exact_match(text, item.answers)
            result.f1 = f1_score(text, item.answers)
            cits = answer.citations
            result.citation_precision = (
                sum(overlaps(c.doc_id, c.start, c.end, spans) for c in cits) / len(cits)
                if cits else 0.0
            )
            result.citation_recall = sum(
                any(overlaps(c.doc_id, c.start, c.end, [s]) for c in cits) for s in spans
            ) / len(spans)
            result.dates_ok = all(c.date == corpus.get(c.doc_id).date for c in cits)
        else:
            result.citation_precision = 0.0
            result.citation_recall = 0.0
        hits = bot.search(answer.interpreted_as, k=10)
        relevance = [overlaps(h.doc_id, h.start, h.end, spans) for h in hits]
        evidence_docs = {d for d, _, _ in spans}
        total = sum(
            overlaps(p.doc_id, p.start, p.end, spans)
            for p in (passages[i] for i in passages.positions(evidence_docs))
        )
        result.retrieval = retrieval_scores(relevance, total)
        results.append(result)
    return _report(results)


def _mean(values: Iterable[float]) -> float:
    vals = list(values)
    return sum(vals) / len(vals) if vals else 0.0


def _summary(rows: Sequence[ItemResult]) -> dict[str, float]:
    answerable = [r for r in rows if r.type not in ABSTAIN_TYPES]
    out: dict[str, float] = {"n": float(len(rows)), "accuracy": _mean(r.correct for r in rows)}
    if answerable:
        out["EM"] = _mean(r.em for r in answerable)
        out["F1"] = _mean(r.f1 for r in answerable)
        for key in ("R@1", "R@3", "R@5", "MRR@10", "nDCG@10"):
            out[key] = _mean(r.retrieval.get(key, 0.0) for r in answerable)
        out["cite_P"] = _mean(r.citation_precision or 0.0 for r in answerable)
        out["cite_R"] = _mean(r.citation_recall or 0.0 for r in answerable)
        out["dates_ok"] = _mean(r.dates_ok for r in answerable)
        out["refused"] = _mean(r.abstained for r in answerable)
    return out


def _report(results: list[ItemResult]) -> Report:
    by_type: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        by_type[r.type].append(r)
    negatives = [r for r in results if r.type in ABSTAIN_TYPES]
    positives = [r for r in results if r.type not in ABSTAIN_TYPES]
    abstained = [r for r in results if r.abstained]
    abstention = {
        "precision": _mean(r.type in ABSTAIN_TYPES for r in abstained) if abstained else 1.0,
        "recall": _mean(r.abstained for r in negatives),
        "false_refusal": _mean(r.abstained for r in positives),
    }
    return Report(
        questions=len(results),
        overall=_summary(results),
        by_type={t: _summary(rows) for t, rows in sorted(by_type.items())},
        abstention=abstention,
        results=results,
    )


def report_json(report: Report) -> str:
    return json.dumps(report.model_dump(), ensure_ascii=False, indent=2)


def check_thresholds(report: Report, path: str | Path) -> list[str]:
    """Figures that fall short of the ratchet file ``{"min": {...}, "max": {...}}``.

    Keys are dotted paths into the report: ``overall.accuracy``, ``abstention.recall``,
    ``by_type.why.accuracy``. A file of any other shape is a ``GoldSetError`` naming it.
    """
    problems, missing = outside_bounds(report.model_dump(), read_thresholds(path))
    if missing:
        raise GoldSetError(f"{path}: {missing[0]}: no such figure in the report")
    return problems


