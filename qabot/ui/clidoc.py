"""The command-line reference (docs/cli.md), made from the parser itself so it can't drift:
``python -m qabot.ui.clidoc > docs/cli.md`` writes it, and a test checks the file is current."""

from __future__ import annotations

import argparse
import os
import sys

from qabot.ui.parser import build_parser

HEADER = """# The qabot command line

Generated from the parser by `python -m qabot.ui.clidoc > docs/cli.md`; a test fails when this
file and the parser disagree. Every command's `--help` prints the same text.
"""


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help(parser: argparse.ArgumentParser) -> str:
    # A fixed width, so that the file does not depend on the terminal it was made in.
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        return parser.format_help().rstrip()
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def summary_table(parser: argparse.ArgumentParser | None = None) -> str:
    """The README's command table: each command and its one-line help."""
    parser = parser or build_parser()
    rows = ["| command | what it does |", "|---|---|"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                rows.append(f"| `qabot {choice.dest}` | {choice.help} |")
    return "\n".join(rows)


def reference(parser: argparse.ArgumentParser | None = None) -> str:
    """docs/cli.md: the summary table, then each command's full help."""
    parser = parser or build_parser()
    out = [HEADER, summary_table(parser), "", "## qabot", "", "```text", _help(parser), "```"]
    for name, sub in _subcommands(parser).items():
        out += ["", f"## qabot {name}", "", "```text", _help(sub), "```"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(reference())
