"""Plain-text rendering of answers and hits, shared by the CLI and the REPL."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import regex

from qabot.answer import human_date
from qabot.models import Answer, Citation, Hit

# C0 and C1 control characters other than tab and newline, plus DEL: never sent raw to a
# terminal (an article or question could carry escape sequences).
_UNSAFE = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """Text with control characters shown as visible escapes (``\\x1b``)."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def one_line(text: str, limit: int = 0) -> str:
    flat = " ".join(safe(text).split())
    if limit and len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat


def source_line(title: str, date: str | None, source: str) -> str:
    return f"{one_line(title)} · {human_date(date)} · {one_line(source)}"


def _indent(text: str, width: int) -> str:
    return textwrap.fill(one_line(text), width=width, initial_indent="    ",
                         subsequent_indent="    ")


def citation_block(citations: Sequence[Citation], width: int = 88) -> list[str]:
    lines = ["Sources:"]
    for c in citations:
        lines.append(f"[{c.n}] {source_line(c.title, c.date, c.source)}")
        lines.append(_indent(f"“{c.quote}”", width))
    return lines


def related_block(hits: Sequence[Hit], width: int = 88) -> list[str]:
    lines = ["Related passages (not an answer):"]
    for h in hits:
        lines.append(f"- {source_line(h.title, h.date, h.source)}")
        lines.append(_indent(one_line(h.text, 240), width))
    return lines


def answer_text(answer: Answer, width: int = 88) -> str:
    """An answer as the CLI prints it: interpretation, answer, then sources or related."""
    lines: list[str] = []
    if answer.interpreted_as != answer.question:
        lines.append(f"(interpreted as: {one_line(answer.interpreted_as)})")
    lines.append(textwrap.fill(one_line(answer.answer), width=width))
    for note in answer.notes:
        lines.append(textwrap.fill(f"Note: {one_line(note)}", width=width))
    if answer.citations:
        lines.append("")
        lines.extend(citation_block(answer.citations, width))
    if answer.related:
        lines.append("")
        lines.extend(related_block(answer.related, width))
    return "\n".join(lines)


def hits_text(hits: Sequence[Hit], width: int = 88) -> str:
    if not hits:
        return "No passage matches."
    lines: list[str] = []
    for h in hits:
        lines.append(f"{h.rank}. {source_line(h.title, h.date, h.source)} · score {h.score:.3f}")
        if h.section:
            lines.append(f"    § {one_line(h.section)}")
        lines.append(_indent(one_line(h.text, 400), width))
    return "\n".join(lines)
