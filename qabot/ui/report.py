"""The gold evaluation's report as Markdown for a terminal or a file: every line that
holds an article's or the gold file's text goes through the sanitiser."""

from __future__ import annotations

from qabot.evaluation.gold import Report
from qabot.ui.render import safe_line

# The report's columns, in order.
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
