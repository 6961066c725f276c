"""The import rule of docs/architecture.md: each layer imports only the layers before it.

    base (models, errors, paths, lru) -> text -> corpus -> retrieval -> answering
        -> conversation, evaluation -> ui

Read from the source with ``ast``: every ``import`` counts, at the top of a module, inside
a function or under ``TYPE_CHECKING`` alike. The package's ``__init__`` (the library's
front door) and ``_entry``/``__main__`` (the console script) sit above every layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import qabot

PACKAGE = Path(qabot.__file__).parent
LAYERS = {"models": 0, "errors": 0, "paths": 0, "lru": 0, "text": 1, "corpus": 2,
          "retrieval": 3, "answering": 4, "conversation": 5, "evaluation": 5, "ui": 6}
ABOVE = {"__init__", "_entry", "__main__"}


def layer_of(module: str) -> int | None:
    """The layer of ``qabot.X...`` (None for the modules above every layer)."""
    head = module.split(".")[1] if "." in module else ""
    if head in ABOVE or not head:
        return None
    assert head in LAYERS, f"qabot.{head} is in no layer: add it to docs/architecture.md"
    return LAYERS[head]


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("qabot")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.startswith("qabot"):
            if node.module == "qabot":  # from qabot import paths
                found += [(node.lineno, f"qabot.{a.name}") for a in node.names
                          if not a.name.startswith("__")]
            else:
                found.append((node.lineno, node.module))
    return found


def modules() -> list[tuple[str, Path]]:
    return [("qabot." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts), p)
            for p in sorted(PACKAGE.rglob("*.py"))]


def test_every_module_is_in_a_layer() -> None:
    for name, _ in modules():
        layer_of(name)


def test_no_layer_imports_a_later_one() -> None:
    broken = []
    for name, path in modules():
        mine = layer_of(name)
        if mine is None:
            continue
        for line, target in imports(path):
            theirs = layer_of(target)
            if theirs is not None and theirs > mine:
                broken.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name} (layer "
                              f"{mine}) imports {target} (layer {theirs})")
    assert not broken, "\n".join(broken)


def test_no_relative_imports() -> None:
    # The rule reads absolute names; a relative import would slip past it.
    for _, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level], path
