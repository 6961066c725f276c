"""The commands that browse rather than answer: ``qabot timeline`` (a story's dated
events), ``qabot docs`` (the articles by date) and ``qabot logs`` (past conversations).
Each needs the index or the log only, never the answer model."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from qabot.errors import QabotError
from qabot.ui.output import Progress, notice, out, show, warn_grouped

if TYPE_CHECKING:
    from qabot.retrieval.retriever import Retriever


def _retriever(args: argparse.Namespace) -> Retriever:
    """The corpus's index, without the answerer or the sentence model (timeline, docs)."""
    from qabot.corpus.load import load_corpus
    from qabot.retrieval.retriever import Retriever

    loaded = load_corpus(args.corpus, follow=args.follow)
    with Progress("indexing") as progress:
        retriever = Retriever.from_corpus(loaded, cache=True, notice=notice,
                                          progress=progress)
    if not retriever.from_cache:
        warn_grouped(loaded.warnings)
    return retriever


def cmd_timeline(args: argparse.Namespace) -> int:
    from qabot.answering.timeline import timeline
    from qabot.ui.render import timeline_text, to_json

    query = " ".join(args.query) or None
    found = timeline(_retriever(args), query, since=args.since, until=args.until)
    if args.json:
        out(to_json(found))
    else:
        show(timeline_text(found))
    return 0 if found.events else 1  # like grep: 1 when nothing is dated


def cmd_docs(args: argparse.Namespace) -> int:
    from qabot.ui.render import by_date, documents_text, to_json

    retriever = _retriever(args)
    docs = by_date(retriever.documents(since=args.since, until=args.until))
    if args.json:
        out(to_json({"since": args.since and args.since.isoformat(),
                     "until": args.until and args.until.isoformat(), "documents": [
            {"id": d.id, "title": d.title, "date": d.date.isoformat() if d.date else None,
             "source": d.source} for d in docs]}))
    else:
        show(documents_text(docs))
    return 0 if docs else 1


def cmd_logs(args: argparse.Namespace) -> int:
    from qabot.conversation.log import ChatLog, LogError
    from qabot.ui.render import one_line, to_json

    log = ChatLog()
    try:
        if args.cid:
            found = log.find(args.cid)
            answers = log.answers(found.id)
            if args.json:
                out(to_json({"id": found.id, "started": found.started,
                             "corpus": found.corpus, "model": found.model,
                             "turns": [a.model_dump(mode="json") for a in answers]}))
            else:
                turns = [f"{n:>3}. {one_line(a.question, 70)}\n     → "
                         f"{one_line(a.answer, 70)}" for n, a in enumerate(answers, start=1)]
                show("\n".join([f"{found.id} · {found.started} · {found.corpus}", *turns]))
            return 0
        rows = log.conversations(args.n, args.q)
    except LogError as exc:
        if "no conversations logged yet" in str(exc):
            rows = []
        else:
            raise QabotError(f"logs: {exc}") from None
    if args.json:
        out(to_json({"conversations": [row.__dict__ for row in rows]}))
    else:
        show("\n".join(f"{r.id}  {r.started}  {r.turns:>3} turn{' ' if r.turns == 1 else 's'}"
                       f"  {one_line(r.first, 50)}  ({one_line(r.corpus, 40)})"
                       for r in rows) if rows else "No conversations logged yet.")
    return 0 if rows else 1
