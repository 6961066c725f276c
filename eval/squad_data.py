"""SQuAD v1.1 and v2.0 dev, read from ../shared/bench, split by article into fixed folds.

The split (eval/squad_split.json) puts an article of SQuAD 2.0 dev in the validation fold
when sha256(title) is divisible by 3: 14 of its 35 articles. The other 21, and the 13
articles that only SQuAD 1.1 dev has, are the training fold. Nothing is fitted to a
validation article; the gold set of qabot is not part of either fold.

The corpora are written as JSONL exactly as the reference scorer
(shared/tools/squad2_open.py) writes them, and read back with qabot's own loader, so the
features the model is fitted on are the ones a user's run computes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qabot.corpus.load import load_corpus
from qabot.models import Corpus

HERE = Path(__file__).resolve().parent
SPLIT_FILE = HERE / "squad_split.json"


def bench_dir(holding: str = "squad-v2.0") -> Path:
    """Where the public data sets are (the one place every script asks): the first of
    $QABOT_BENCH, ../shared/bench beside the project and /work/shared/bench that holds
    the folder ``holding``."""
    for candidate in (os.environ.get("QABOT_BENCH"), HERE.parent.parent / "shared" / "bench",
                      Path("/work/shared/bench")):
        if candidate and (Path(candidate) / holding).is_dir():
            return Path(candidate)
    raise SystemExit(f"{holding} not found: set QABOT_BENCH to the folder holding {holding}/ "
                     "(see ../shared/bench)")


def in_validation(title: str) -> bool:
    """The split rule: sha256 of the article title divisible by 3."""
    return int(hashlib.sha256(title.encode("utf-8")).hexdigest(), 16) % 3 == 0


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Question:
    id: str
    question: str
    article: str
    doc_id: str  # the paragraph's id in the corpus it is asked of
    answers: list[str]
    spans: list[tuple[int, int]]  # gold answer offsets in the paragraph
    impossible: bool = False
    excluded: list[str] = field(default_factory=list)  # doc ids searched around (corpus-level)


def _load(path: Path) -> list[dict]:  # type: ignore[type-arg]
    data: list[dict] = json.loads(path.read_text(encoding="utf-8"))["data"]  # type: ignore[type-arg]
    return data


def v2_path(bench: Path) -> Path:
    return bench / "squad-v2.0" / "dev-v2.0.json"


def v1_path(bench: Path) -> Path:
    return bench / "squad-v1.1" / "dev-v1.1.json"


def write_corpus(articles: Iterable[dict], path: Path) -> tuple[Corpus, dict[str, str]]:  # type: ignore[type-arg]
    """Paragraphs as JSONL records {"id": "p<n>", "title", "text"} in file order, as the
    reference scorer writes them; the loaded corpus and each paragraph's article."""
    article_of: dict[str, str] = {}
    with open(path, "w", encoding="utf-8") as f:
        n = 0
        for a in articles:
            for p in a["paragraphs"]:
                pid = f"p{n}"
                f.write(json.dumps({"id": pid, "title": a["title"], "text": p["context"]}) + "\n")
                article_of[pid] = a["title"]
                n += 1
    return load_corpus(path), article_of


def questions(articles: Iterable[dict]) -> list[Question]:  # type: ignore[type-arg]
    """Every question of ``articles``, with its paragraph's id as ``write_corpus`` numbers it."""
    out: list[Question] = []
    n = 0
    for a in articles:
        for p in a["paragraphs"]:
            for q in p["qas"]:
                answers = [x["text"] for x in q["answers"]]
                spans = [(x["answer_start"], x["answer_start"] + len(x["text"]))
                         for x in q["answers"]]
                out.append(Question(q["id"], q["question"].replace("\n", " ").strip(),
                                    a["title"], f"p{n}", answers, spans,
                                    bool(q.get("is_impossible", False))))
            n += 1
    return out


def check_split(bench: Path) -> dict[str, list[str]]:
    """The split as written down, checked against the rule and the data."""
    split: dict[str, list[str]] = json.loads(SPLIT_FILE.read_text(encoding="utf-8"))
    v2_titles = [a["title"] for a in _load(v2_path(bench))]
    v1_titles = [a["title"] for a in _load(v1_path(bench))]
    expected_val = [t for t in v2_titles if in_validation(t)]
    expected_train = [t for t in v1_titles if t not in expected_val]
    v1_only = [t for t in v1_titles if t not in v2_titles]
    if (split["validation"] != expected_val or split["train"] != expected_train
            or split["v1_only"] != v1_only):
        raise SystemExit(f"{SPLIT_FILE} does not match its rule on this data")
    return split


def load_v2(bench: Path) -> list[dict]:  # type: ignore[type-arg]
    return _load(v2_path(bench))


def load_v1(bench: Path) -> list[dict]:  # type: ignore[type-arg]
    return _load(v1_path(bench))
