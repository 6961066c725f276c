"""Files with a "Name: value" header block (package METADATA, Debian copyright files), taken
from this machine: titles, field answers, and whether a block is ever quoted whole.

    python eval/bench_fields.py [--metadata N] [--copyright N] [--semantic]

Copies up to N METADATA files of the installed Python packages (sorted by name) and N
``/usr/share/doc/*/copyright`` files in machine-readable format into a temporary folder,
then, per file, reads what a reader would ask of it, with the gold taken from the file's
own fields (so no question is written for one file):

- METADATA: "What Python version does NAME require?" (``Requires-Python``), "Who is the
  author of NAME?" (``Author``, else ``Author-email``), "What license does NAME use?"
  (``License-Expression``, else a one-line ``License``).
- copyright: "What license is NAME under?" (the first ``License``), "Where does the source
  of NAME come from?" (``Source``).

An answer is right when it holds the field's value (white space collapsed, case
ignored). Also printed: titles equal to the file's ``Name``/``Upstream-Name`` field, and
quotes holding two or more field lines (a block quoted as one sentence: 0 expected). The
naive bot (the top BM25 passage, never abstaining) answers the same questions.
"""

from __future__ import annotations

import argparse
import email.parser
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import regex

FIELD = regex.compile(r"^[A-Za-z][A-Za-z0-9-]{0,39}:(?:[ \t]|$)", regex.MULTILINE)


def fields_of(text: str) -> dict[str, str]:
    """The header block's fields (first of each name, case-folded), as the standard
    library's RFC 822 parser reads them."""
    head = text.split("\n\n", 1)[0]
    message = email.parser.HeaderParser().parsestr(head + "\n\n")
    out: dict[str, str] = {}
    for key, value in message.items():
        out.setdefault(key.casefold(), " ".join(str(value).split()))
    return out


def metadata_files(limit: int) -> list[Path]:
    found: dict[str, Path] = {}
    for root in sorted({Path(p) for p in sys.path if p.endswith("site-packages")}):
        for meta in sorted(root.glob("*.dist-info/METADATA")):
            found.setdefault(meta.parent.name.split("-")[0].casefold(), meta)
    return [found[k] for k in sorted(found)][:limit]


def copyright_files(limit: int) -> list[Path]:
    out = []
    for path in sorted(Path("/usr/share/doc").glob("*/copyright")):
        try:
            head = path.read_text(encoding="utf-8")[:200]
        except (OSError, UnicodeDecodeError):
            continue
        if head.startswith("Format:") and "Upstream-Name:" in head:
            out.append(path)
    return out[:limit]


def questions(kind: str, fields: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(question, gold value) pairs from one file's fields."""
    if kind == "metadata":
        name = fields.get("name", "")
        if not name:
            return
        if fields.get("requires-python"):
            yield f"What Python version does {name} require?", fields["requires-python"]
        author = fields.get("author") or fields.get("author-email")
        if author:
            yield f"Who is the author of {name}?", author
        lic = fields.get("license-expression") or fields.get("license", "")
        if lic and len(lic) <= 60:
            yield f"What license does {name} use?", lic
    else:
        name = fields.get("upstream-name", "")
        if not name:
            return
        if fields.get("license"):
            yield f"What license is {name} under?", fields["license"].split()[0]
        if fields.get("source"):
            yield f"Where does the source of {name} come from?", fields["source"].split()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metadata", type=int, default=30, metavar="N")
    parser.add_argument("--copyright", type=int, default=30, metavar="N")
    parser.add_argument("--semantic", action="store_true",
                        help="answer with sentence embeddings too (default: lexical)")
    parser.add_argument("--misses", action="store_true", help="print the wrong answers")
    args = parser.parse_args()

    from qabot.answering.bot import Bot
    from qabot.corpus.load import load_corpus
    from qabot.retrieval.retriever import Retriever

    folder = Path(tempfile.mkdtemp(prefix="qabot-fields-"))
    try:
        files: dict[str, tuple[str, dict[str, str]]] = {}
        for kind, paths in (("metadata", metadata_files(args.metadata)),
                            ("copyright", copyright_files(args.copyright))):
            for path in paths:
                stem = path.parent.name.split("-")[0] if kind == "metadata" else (
                    path.parent.name)
                target = folder / f"{stem}.{kind}.txt"
                shutil.copyfile(path, target)
                text = target.read_text(encoding="utf-8", errors="replace")
                files[target.name] = (kind, fields_of(text))
        corpus = load_corpus(folder)
        retriever = Retriever.from_corpus(corpus)
        semantic = None
        if args.semantic:
            from qabot.retrieval import embeddings
            model = embeddings.encoder()
            if model is None:
                print("the semantic extra is not installed", file=sys.stderr)
                return 2
            semantic = embeddings.vectors_for(retriever, model)
        bot = Bot(retriever, semantic=semantic)

        titled = 0
        for doc in corpus.documents:
            kind, fields = files[doc.source]
            name = fields.get("name" if kind == "metadata" else "upstream-name", "")
            titled += bool(name) and doc.title.split(" — ")[0] == name
        right = naive = asked = abstained = blocks = 0
        for source, (kind, fields) in files.items():
            for question, gold in questions(kind, fields):
                asked += 1
                answer = bot.ask(question)
                said = " ".join(answer.answer.split()).casefold()
                ok = not answer.abstained and " ".join(gold.split()).casefold() in said
                right += ok
                abstained += answer.abstained
                blocks += sum(len(FIELD.findall(c.quote)) >= 2 for c in answer.citations)
                hits = retriever.search(question, 1)
                top = hits[0].text if hits else ""
                naive += " ".join(gold.split()).casefold() in " ".join(top.split()).casefold()
                if args.misses and not ok:
                    shown = "(abstained)" if answer.abstained else said[:100]
                    print(f"wrong  {source}: {question}\n       gold {gold!r}\n       {shown}")
        mode = "semantic" if args.semantic else "lexical"
        print(f"{len(corpus.documents)} files ({sum(k == 'metadata' for k, _ in files.values())}"
              f" METADATA, {sum(k == 'copyright' for k, _ in files.values())} copyright)")
        print(f"titles from the Name / Upstream-Name field: {titled}/{len(corpus.documents)}")
        print(f"answers ({mode}): {right}/{asked} right ({right / max(asked, 1):.3f}), "
              f"{abstained} abstained; naive top passage {naive}/{asked} "
              f"({naive / max(asked, 1):.3f})")
        print(f"quotes holding two or more field lines: {blocks}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
