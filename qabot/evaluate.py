"""Score the bot against a gold question set: retrieval, answers, attribution, abstention."""

from __future__ import annotations

import json
import math
import string
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from qabot.answer import Bot
from qabot.conversation import Conversation
from qabot.errors import GoldSetError
from qabot.models import Answer, Corpus

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
    return Path(__file__).resolve().parent.parent / "eval" / "gold.jsonl"


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

_MARKER = regex.compile(r"\s*\[\d+\]")


def normalize_answer(text: str) -> str:
    """Lower case, strip punctuation and articles, collapse white space (SQuAD v1.1)."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = regex.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def _answer_text(answer: str) -> str:
    return _MARKER.sub("", answer)


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in golds))


def f1_score(prediction: str, golds: Sequence[str]) -> float:
    pred = normalize_answer(prediction).split()
    best = 0.0
    for gold in golds:
        ref = normalize_answer(gold).split()
        common = Counter(pred) & Counter(ref)
        same = sum(common.values())
        if same == 0:
            continue
        precision, recall = same / len(pred), same / len(ref)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


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


def _iso(corpus: Corpus, doc_id: str) -> str | None:
    date = corpus.get(doc_id).date
    return date.isoformat() if date else None


def _overlaps(doc_id: str, start: int, end: int, spans: Iterable[tuple[str, int, int]]) -> bool:
    return any(d == doc_id and start < e and s < end for d, s, e in spans)


def retrieval_scores(relevance: Sequence[bool], total_relevant: int) -> dict[str, float]:
    """Recall@1/3/5 (any relevant in top k), MRR@10 and binary nDCG@10 of one ranking."""
    out = {f"R@{k}": float(any(relevance[:k])) for k in (1, 3, 5)}
    first = next((i for i, r in enumerate(relevance[:10]) if r), None)
    out["MRR@10"] = 0.0 if first is None else 1.0 / (first + 1)
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(relevance[:10]) if r)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(total_relevant, 10)))
    out["nDCG@10"] = dcg / ideal if ideal else 0.0
    return out


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
        text = _answer_text(answer.answer)
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
                sum(_overlaps(c.doc_id, c.start, c.end, spans) for c in cits) / len(cits)
                if cits else 0.0
            )
            result.citation_recall = sum(
                any(_overlaps(c.doc_id, c.start, c.end, [s]) for c in cits) for s in spans
            ) / len(spans)
            result.dates_ok = all(c.date == _iso(corpus, c.doc_id) for c in cits)
        else:
            result.citation_precision = 0.0
            result.citation_recall = 0.0
        hits = bot.search(answer.interpreted_as, k=10)
        relevance = [_overlaps(h.doc_id, h.start, h.end, spans) for h in hits]
        evidence_docs = {d for d, _, _ in spans}
        total = sum(
            _overlaps(p.doc_id, p.start, p.end, spans)
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


_COLUMNS = ("n", "accuracy", "EM", "F1", "R@1", "R@3", "R@5", "MRR@10", "nDCG@10",
            "cite_P", "cite_R", "refused")


def format_report(report: Report, failures: bool = True) -> str:
    """The report as a Markdown table, abstention line and failure list."""
    head = "| type | " + " | ".join(_COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(_COLUMNS) + 1)]

    def row(name: str, stats: dict[str, float]) -> str:
        cells = []
        for col in _COLUMNS:
            if col not in stats:
                cells.append("–")
            elif col == "n":
                cells.append(str(int(stats[col])))
            else:
                cells.append(f"{stats[col]:.3f}")
        return f"| {name} | " + " | ".join(cells) + " |"

    for name, stats in report.by_type.items():
        lines.append(row(name, stats))
    lines.append(row("**overall**", report.overall))
    ab = report.abstention
    lines.append("")
    lines.append(
        f"Abstention: precision {ab['precision']:.3f}, recall {ab['recall']:.3f}, "
        f"answerable refused {ab['false_refusal']:.3f}. "
        f"Cited dates correct: {report.overall.get('dates_ok', 1.0):.3f}."
    )
    if failures and report.failures:
        from qabot.render import safe_line

        lines.append("")
        lines.append(f"Failures ({len(report.failures)}):")
        for r in report.failures:
            # Answers and questions are the articles' and the gold file's text: each is
            # one sanitised line, so an escape sequence in an article can't reach the
            # terminal or the report raw, nor a newline forge a line of the list.
            expected = " | ".join(r.expected) if r.expected else "(abstain)"
            got = "(abstained) " + r.answer if r.abstained else r.answer
            lines.append(safe_line(f"- {r.id} [{r.type}] {r.question}"))
            if r.interpreted_as != r.question:
                lines.append(safe_line(f"  interpreted as: {r.interpreted_as}"))
            lines.append(safe_line(f"  expected: {expected}"))
            lines.append(safe_line(f"  got: {_shorten(got)}"))
            if r.cited:
                lines.append(safe_line(f"  cited: {', '.join(r.cited)}"))
    return "\n".join(lines)


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def outside_bounds(data: dict[str, Any], spec: dict[str, dict[str, float]]
                   ) -> tuple[list[str], list[str]]:
    """The figures of ``data`` outside ``spec``'s bounds (``read_thresholds``' shape), as
    ``"key = 0.412 (min 0.49)"``, and the dotted keys ``data`` has no number for. Serves
    ``qabot eval --check`` and the benchmark scripts' ``--check``."""
    problems: list[str] = []
    missing: list[str] = []
    for bound, items in spec.items():
        for key, limit in items.items():
            value: object = data
            for part in key.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if not isinstance(value, int | float):
                missing.append(key)
            elif (bound == "min" and value < limit) or (bound == "max" and value > limit):
                problems.append(f"{key} = {value:.3f} ({bound} {limit})")
    return problems, missing


def read_thresholds(path: str | Path) -> dict[str, dict[str, float]]:
    """A thresholds file, checked: an object with ``min`` and/or ``max``, each mapping a
    figure's dotted name to a number; else ``GoldSetError`` naming the file and what is
    wrong (never a traceback, whatever the file holds)."""
    try:
        raw = Path(path).read_bytes()
        if len(raw) > 1_000_000:
            raise GoldSetError(f"{path}: over 1 MB; not a thresholds file")
        spec = json.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise GoldSetError(f"{path}: cannot read thresholds ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise GoldSetError(f"{path}: not UTF-8; not a thresholds file") from None
    except json.JSONDecodeError as exc:
        raise GoldSetError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError):  # a number over 4,300 digits; nesting too deep
        raise GoldSetError(f"{path}: not a thresholds file (a number over 4,300 digits or "
                           "nesting too deep)") from None
    if not isinstance(spec, dict):
        raise GoldSetError(f"{path}: expected a JSON object with 'min' and/or 'max'")
    out: dict[str, dict[str, float]] = {}
    for bound, items in spec.items():
        if bound not in ("min", "max"):
            raise GoldSetError(f"{path}: unknown key {bound!r} (expected 'min' or 'max')")
        if not isinstance(items, dict):
            raise GoldSetError(f"{path}: {bound}: expected an object of figure: number")
        for key, limit in items.items():
            if not isinstance(limit, int | float) or isinstance(limit, bool) or not (
                    math.isfinite(limit)):
                raise GoldSetError(f"{path}: {bound}.{key}: expected a finite number, not "
                                   f"{json.dumps(limit)[:40]}")
        out[bound] = {str(k): float(v) for k, v in items.items()}
    return out
