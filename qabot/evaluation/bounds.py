"""Bounds on figures (``{"min": {...}, "max": {...}}`` files, keys as dotted paths):
``qabot eval --check`` and the benchmark scripts' ``--check`` read them one way."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from qabot.errors import GoldSetError


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
