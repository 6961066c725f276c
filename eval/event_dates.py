"""Event-date resolution against hand-labelled time expressions (eval/data/event_dates.jsonl).

The labels cover every time expression of 14 whole files (the two bundled articles and 12
of news-dev's), each resolved as a careful reader would, with its precision; see
eval/data/README.md. The files' text is read from where it lives (corpus/ and
../shared/bench/news-dev/corpus/), never copied.

Scored at the day level, as issue 24 asks:
- recall: labelled day-precision expressions that qabot resolves to the same day (an
  overlapping span);
- precision: qabot's day-precision resolutions that a labelled expression confirms (an
  overlapping span with the same day); one over an expression labelled with no date (a
  generic "today"), or over none, is wrong.
Also at any precision (same period start and precision). Beside qabot, the raw output of
dateparser's ``search_dates`` (with the article's date as its base) is scored the same
way, each of its results taken as a day.

    python eval/event_dates.py [--dateparser] [--misses] [--check PRECISION RECALL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import squad_data

from qabot.corpus.load import load_corpus
from qabot.text.eventdates import time_mentions

HERE = Path(__file__).resolve().parent
LABELS = HERE / "data" / "event_dates.jsonl"
FILES = HERE / "data" / "event_dates.files.json"


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    day: dt.date
    precision: str


def _path(name: str) -> Path:
    if name.startswith("news-dev/"):
        return squad_data.bench_dir("news-dev") / name
    return HERE.parent / name


def _dateparser(text: str, start: int, end: int, published: dt.date | None) -> list[Found]:
    from dateparser.search import search_dates

    settings: dict[str, object] = {"PREFER_DATES_FROM": "past"}
    if published is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(published, dt.time())
    found: list[Found] = []
    body = text[start:end]
    at = 0
    for phrase, when in search_dates(body, languages=["en"], settings=settings) or []:
        pos = body.find(phrase, at)
        if pos < 0:
            continue
        at = pos + len(phrase)
        found.append(Found(start + pos, start + at, when.date(), "day"))
    return found


def score(system: str, misses: bool) -> dict[str, float]:
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()
              if line.strip()]
    files = json.loads(FILES.read_text(encoding="utf-8"))
    gold_day = found_day = right_found = right_gold = any_gold = any_right = 0
    outside = 0
    for name in files:
        (doc,) = load_corpus(_path(name)).documents
        mine = [g for g in labels if g["file"] == name]
        body = [g for g in mine if g["start"] >= doc.body_start]
        outside += len(mine) - len(body)  # in the header (a headline): metadata, not text
        if system == "qabot":
            found = [Found(m.start, m.end, m.day, m.precision) for m in
                     time_mentions(doc.text, doc.date, doc.body_start, doc.body_end)]
        else:
            found = _dateparser(doc.text, doc.body_start, doc.body_end, doc.date)

        def over(f: Found, g: dict[str, object]) -> bool:
            return f.start < int(str(g["end"])) and int(str(g["start"])) < f.end

        for g in body:
            day = g["date"] and dt.date.fromisoformat(g["date"])
            hits = [f for f in found if over(f, g)]
            if g["precision"] == "day":
                gold_day += 1
                ok = any(f.day == day and f.precision == "day" for f in hits)
                right_gold += ok
                if misses and not ok:
                    print(f"miss  {name}:{g['start']} {g['text']!r} = {g['date']}; got "
                          f"{[(f.day.isoformat(), f.precision) for f in hits]}")
            if g["date"]:
                any_gold += 1
                any_right += any(f.day == day and f.precision == g["precision"]
                                 for f in hits)
        for f in found:
            if f.precision != "day":
                continue
            found_day += 1
            ok = any(over(f, g) and g["precision"] == "day"
                     and dt.date.fromisoformat(str(g["date"])) == f.day for g in body)
            right_found += ok
            if misses and not ok:
                said = [(g["text"], g["date"]) for g in body if over(f, g)]
                print(f"wrong {name}:{f.start} {doc.text[f.start:f.end]!r} -> {f.day}; "
                      f"labelled {said or 'not a time'}")
    return {"day_precision": right_found / max(found_day, 1),
            "day_recall": right_gold / max(gold_day, 1),
            "any_precision_recall": any_right / max(any_gold, 1),
            "day_labelled": gold_day, "day_resolved": found_day,
            "labelled": any_gold, "in_headers": outside}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dateparser", action="store_true",
                    help="also score dateparser's search_dates (pip install dateparser)")
    ap.add_argument("--misses", action="store_true", help="print each miss and wrong date")
    ap.add_argument("--check", nargs=2, type=float, metavar=("PRECISION", "RECALL"),
                    help="exit 1 when qabot's day precision or recall is below these")
    args = ap.parse_args()
    systems = ["qabot"] + (["dateparser"] if args.dateparser else [])
    print(f"{'system':<11} {'day P':>6} {'day R':>6} {'any R':>6}   (day: labelled, resolved)")
    failed = False
    for system in systems:
        r = score(system, args.misses)
        if system == "qabot" and args.check:
            failed = (r["day_precision"] < args.check[0] or r["day_recall"] < args.check[1])
        print(f"{system:<11} {r['day_precision']:>6.3f} {r['day_recall']:>6.3f} "
              f"{r['any_precision_recall']:>6.3f}   ({r['day_labelled']:.0f}, "
              f"{r['day_resolved']:.0f}); {r['in_headers']:.0f} labels in headers left out")
    if failed:
        raise SystemExit(f"event dates below the floor {args.check}")


if __name__ == "__main__":
    main()
