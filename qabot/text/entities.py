"""Names and their aliases, learned from the corpus text itself (no hand-made table).

Rules: capitalised word sequences are name candidates; "A B" and "B A" are one name (order
swap, "Lin Junyang"/"Junyang Lin"); "X (Y)" makes X an alias of Y ("'Wu Ma' (Wu Yongming)");
a single word of a name found in exactly one such name group is an alias too ("Lin").
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable

import regex

from qabot.text.analysis import surface_words, words
from qabot.text.lexicon import STOPWORDS

_CAP = r"\p{Lu}\p{Ll}+"
_CAPRUN = regex.compile(rf"(?<![\p{{L}}\p{{N}}]){_CAP}(?:[ \t]+{_CAP})*(?![\p{{L}}\p{{N}}])")


@functools.cache
def _paren() -> regex.Pattern[str]:
    """'Name (Other Name)' links, compiled on first use: only building an index reads
    them, and compiling cost 1.1 ms of every start (measured)."""
    return regex.compile(
        rf"['‘\"“]?((?:{_CAP})(?:[ \t]+{_CAP})*)['’\"”]?[ \t]*\(((?:{_CAP})(?:[ \t]+{_CAP})+)\)"
    )


def name_runs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, run) of each run of capitalised words ("Lin Junyang", "Alibaba"): the
    one pattern by which qabot finds names in text."""
    return [(m.start(), m.end(), m.group(0)) for m in _CAPRUN.finditer(text)]


def _after_lower_word(text: str, pos: int) -> bool:
    """Whether the word before ``pos`` (across spaces and punctuation) is lower case."""
    j = pos - 1
    while j >= 0 and not text[j].isalnum():
        j -= 1
    if j < 0:
        return False
    while j > 0 and text[j - 1].isalnum():
        j -= 1
    return text[j].islower()


Name = tuple[str, ...]


def _key(surface: str) -> Name:
    return tuple(words(surface))


class EntityTable:
    """Groups of surface forms (as normalised word tuples) that name the same thing."""

    def __init__(self, groups: Iterable[set[Name]], single: dict[str, int]) -> None:
        self.groups: list[frozenset[Name]] = [frozenset(g) for g in groups]
        self._single = single  # one-word alias -> group number
        self._by_form: dict[Name, int] = {}
        for i, group in enumerate(self.groups):
            for form in group:
                self._by_form.setdefault(form, i)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> EntityTable:
        # One pass over the text: every word (for the set of words seen in lower case, which
        # are ordinary words such as "Following", not names), runs of capitalised words, and
        # "X (Y)" links.
        seen: set[str] = set()
        runs: list[tuple[str, bool]] = []  # (run, whether a lower-case word comes before)
        links: list[tuple[Name, Name]] = []
        for text in texts:
            seen.update(w for _, _, w in surface_words(text))
            for m in _CAPRUN.finditer(text):
                runs.append((m.group(0), _after_lower_word(text, m.start())))
            if "(" in text:
                for m in _paren().finditer(text):
                    links.append((_key(m.group(1)), _key(m.group(2))))
        common = set(STOPWORDS) | {w for w in seen if w[:1].islower()}
        standalone: set[str] = set()  # capitalised words also used alone ("Lin said")
        counts: Counter[Name] = Counter()
        for run, after_lower in runs:
            name = _key(run)
            if len(name) == 1:
                if after_lower:
                    standalone.add(name[0])
                continue
            while name and name[0] in common:
                name = name[1:]
            while name and name[-1] in common:
                name = name[:-1]
            if 2 <= len(name) <= 3 and not any(w in common for w in name):
                counts[name] += 1
        names = set(counts)
        for name in names:
            if len(name) == 2 and (name[1], name[0]) in names:
                links.append((name, (name[1], name[0])))
        # Union-find over the linked names.
        parent: dict[Name, Name] = {}

        def find(x: Name) -> Name:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in links:
            parent[find(a)] = find(b)
        grouped: dict[Name, set[Name]] = {}
        for a, _ in links:
            grouped.setdefault(find(a), set()).add(a)
        for _, b in links:
            grouped.setdefault(find(b), set()).add(b)
        groups = [g for g in grouped.values() if len(g) > 1]
        # A word is a one-word alias when it belongs to exactly one linked group's names and
        # to no other multi-word name candidate.
        owners: dict[str, set[int]] = {}
        for i, group in enumerate(groups):
            for form in group:
                if len(form) > 1:
                    for word in form:
                        owners.setdefault(word, set()).add(i)
        elsewhere: Counter[str] = Counter()
        grouped_forms = {f for g in groups for f in g}
        for name in names - grouped_forms:
            for word in name:
                elsewhere[word] += 1
        single = {
            w: next(iter(o))
            for w, o in owners.items()
            if len(o) == 1 and not elsewhere[w] and len(w) > 1 and w in standalone
        }
        return cls(groups, single)

    def to_json(self) -> dict[str, object]:
        return {"groups": [sorted(list(f) for f in g) for g in self.groups],
                "single": self._single}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> EntityTable:
        groups = data["groups"]
        single = data["single"]
        if not isinstance(groups, list) or not isinstance(single, dict):
            raise TypeError("entity table")
        return cls([{tuple(str(w) for w in f) for f in g} for g in groups],
                   {str(k): int(v) for k, v in single.items()})

    def group_of(self, name: Name) -> int | None:
        if name in self._by_form:
            return self._by_form[name]
        if len(name) == 1:
            return self._single.get(name[0])
        return None

    def mentions(self, text: str) -> list[int]:
        """Groups named in ``text``, in order of first mention (longest match first)."""
        tokens = words(text)
        found: list[int] = []
        i = 0
        while i < len(tokens):
            for size in (3, 2, 1):
                group = self.group_of(tuple(tokens[i : i + size]))
                if group is not None and i + size <= len(tokens):
                    if group not in found:
                        found.append(group)
                    i += size
                    break
            else:
                i += 1
        return found

    def forms(self, group: int) -> list[str]:
        """Every surface form of a group, longest first, as plain text."""
        forms = sorted(self.groups[group], key=lambda f: (-len(f), f))
        singles = sorted(w for w, g in self._single.items() if g == group)
        return [" ".join(f) for f in forms] + singles
