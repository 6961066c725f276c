"""Features of each candidate answer: general to any English text, one named column each.

Every column is computed from the question, the candidate, its neighbours, its passage and
the corpus statistics; none names a word of any particular corpus. The model file lists the
columns it was fitted on, so a new column (a dense similarity, say) is one more entry in
``FEATURES`` and one more value in ``_row``, then a refit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from qabot.answering.candidates import Candidate
from qabot.answering.cues import novel, number
from qabot.answering.query import KINDS, Query, QueryTerm, pairs
from qabot.text.lexicon import NUMBER_WORDS
from qabot.text.timeref import day_references

# BM25 over sentences uses the index's own defaults (k1 1.2, b 0.75; see index.BM25Params).
_K1, _B = 1.2, 0.75

FEATURES: dict[str, str] = {
    # the question
    "q_terms": "log(1 + number of the question's concepts)",
    "q_unknown": "share of the question's weight (idf x specificity) on terms the corpus "
                 "never uses",
    "q_negated": "the question holds a negator",
    **{f"kind_{k}": f"the question asks for: {k}" for k in KINDS},
    # the passage the candidate came from
    "p_rank": "log of the rank of the best passage holding the candidate",
    "p_score": "that passage's BM25 score over the best passage's",
    "p_cov": "weighted share of the question's concepts in that passage",
    "t_cov": "weighted share of the question's concepts in the article's title",
    # the candidate ("weighted": by idf x general-English specificity, QueryTerm.weight)
    "c_cov": "weighted share of the question's concepts in the candidate",
    "c_cov_count": "share of the question's concepts in the candidate, unweighted",
    "c_cov_idf": "share of the question's concepts in the candidate, weighted by idf alone",
    "c_cov_gap": "c_cov minus the best c_cov among this question's candidates",
    "w_cov": "weighted coverage of the candidate with one sentence on each side",
    "w_cov_gap": "w_cov minus the best w_cov among this question's candidates",
    "c_bm25": "the candidate's BM25 (sentence statistics) over the best candidate's",
    "c_bm25_norm": "the candidate's BM25 over its maximum possible for this question",
    "c_pairs": "share of the question's adjacent term pairs side by side in the candidate",
    "c_proximity": "matched concepts over the width of the token span that holds them",
    "c_lead": "where the first matched concept stands in the candidate, 0 (first term) to 1",
    "w_cov_idf": "w_cov weighted by idf alone",
    "c_miss_max": "highest weight of a concept missing from the window, over the highest",
    "c_miss_count": "log(1 + concepts missing from the window)",
    "c_miss_attr": "highest weight (over the highest) of a concept that is not a name or a "
                   "number missing from the window: what the question asks of its names",
    "d_miss": "weighted share of the question's concepts that the candidate's article "
              "never uses",
    "d_miss_names": "share of the question's names that the candidate's article never uses",
    "c_run": "longest run of question words (stopwords too) found in order in the candidate, "
             "over the question's length",
    "c_swap": "highest weight (over the highest) of a question word missing from the window "
              "whose neighbours in the question surround another word in the candidate",
    "c_miss_names": "share of the question's names (capitalised words) missing in the window",
    "c_miss_numbers": "share of the question's numbers missing in the window",
    "c_negated": "the candidate holds a negator",
    "c_neg_mismatch": "exactly one of question and candidate holds a negator",
    "c_type": "the candidate holds what the question's kind asks for, new to the question",
    "c_date": "a date or time expression not in the question",
    "c_number": "a number not in the question",
    "c_money": "an amount of money",
    "c_unit": "a number followed within three words by the unit a how-many question "
              "expects (\"how many users\" -> \"203 million monthly users\"; \"how old\" "
              "-> years, aged)",
    "c_name": "capitalised words (not sentence-initial) not in the question, log count",
    "c_person": "a run of two or more capitalised words not in the question",
    "c_place": "a preposition of place before a capitalised word not in the question",
    "c_quote": "quotation marks",
    "c_reason": "a causal or purposive connective",
    "c_novel": "log(1 + content terms of the candidate that the question lacks)",
    "c_novel_share": "share of the candidate's content terms that the question lacks",
    "c_len": "log of the candidate's length in terms",
    "c_size": "sentences in the candidate (1-3)",
    "c_position": "where the candidate starts in its article, 0 (top) to 1 (end)",
    "c_before_cov": "weighted coverage of the sentence before the candidate",
    "c_same_doc": "the candidate is from the best passage's article",
    "c_after_cov": "weighted coverage of the sentence after the candidate",
    "p_doc_rank": "log of the rank of the candidate's passage among the retrieved passages "
                  "of its own article (0: the article's best)",
    "d_rank": "log of the rank of the candidate's article among the retrieved articles, by "
              "its best passage",
    "c_day": "the question names a day (with its year) and the candidate's article is dated "
             "that day, or the candidate names it (relative days resolved against the "
             "article's date: \"yesterday\" in an article of 18 Sep is 17 Sep)",
    "d_latest": "the question asks for the latest (or earliest) report and the candidate's "
                "article is the latest (earliest) dated one among the candidates'",
    # with qabot[semantic] only (0 otherwise; the lexical model does not read them)
    "s_sim": "cosine of the question's and the candidate's sentence embeddings (the best "
             "of its sentences; qabot/retrieval/embeddings.py)",
    "s_sim_gap": "s_sim minus the best s_sim among this question's candidates",
    "s_prev": "cosine of the question's embedding and the sentence before the candidate's",
    "s_next": "cosine of the question's embedding and the sentence after the candidate's",
    "s_rank": "log of the candidate's rank by s_sim among this question's candidates",
    "s_doc_gap": "s_sim minus the best s_sim among the candidates of the same article",
    "s_attr": "cosine of the question without its names (what it asks of them) and the "
              "candidate's best sentence",
    "s_attr_gap": "s_attr minus the best s_attr among this question's candidates",
}
NAMES: tuple[str, ...] = tuple(FEATURES)
# The columns of the lexical model: every one but the embedding similarities, which come
# last so that a lexical matrix is a prefix of a semantic one.
SEMANTIC_NAMES: tuple[str, ...] = tuple(n for n in NAMES if n.startswith("s_"))
LEXICAL_NAMES: tuple[str, ...] = NAMES[: len(NAMES) - len(SEMANTIC_NAMES)]
_COLUMN = {name: i for i, name in enumerate(NAMES)}

def _coverage(units: Sequence[QueryTerm], terms: frozenset[str], total: float) -> float:
    """Weighted share of ``units`` met by ``terms``; ``total`` is the sum of their weights."""
    return sum(u.weight for u in units if u.met_by(terms)) / total if total else 0.0


def _idf_coverage(units: Sequence[QueryTerm], terms: frozenset[str], total: float) -> float:
    return sum(u.idf for u in units if u.met_by(terms)) / total if total else 0.0


def _tf(unit: QueryTerm, counts: Counter[str]) -> int:
    return max(min(counts[t] for t in alt) for alt in unit.alternatives)


class _Shared:
    """Per-question values that every candidate's row reads."""

    def __init__(self, query: Query, candidates: Sequence[Candidate]) -> None:
        units = query.terms
        self.total = sum(u.weight for u in units)
        self.idf_total = sum(u.idf for u in units)
        self.max_weight = max((u.weight for u in units), default=0.0)
        self.names = [u for u in units if u.name]
        self.numbers = [u for u in units if u.number]
        self.unknown = (sum(u.weight for u in units if not u.known) / self.total
                        if self.total else 0.0)
        lengths = [len(s.tokens) for c in candidates if c.size == 1 for s in c.sentences]
        self.avg_len = (sum(lengths) / len(lengths)) if lengths else 1.0
        self.bm25_max = sum(u.idf for u in units) * (_K1 + 1)
        self.top = candidates[0].hit if candidates else None
        # Each hit's rank among the hits of its own article, and each article's rank by
        # its best hit (1 = the first).
        hits = sorted({c.hit.passage_id: c.hit for c in candidates}.values(),
                      key=lambda h: h.rank)
        self.doc_rank: dict[str, int] = {}
        self.article_rank: dict[str, int] = {}
        seen: dict[str, int] = {}
        for h in hits:
            seen[h.doc_id] = seen.get(h.doc_id, 0) + 1
            self.doc_rank[h.passage_id] = seen[h.doc_id]
            self.article_rank.setdefault(h.doc_id, len(self.article_rank) + 1)
        self.query_terms = frozenset(t for u in units for alt in u.alternatives for t in alt)
        dates = [c.doc.date for c in candidates if c.doc.date is not None]
        self.extreme_date = (max(dates) if query.recency > 0 else min(dates)) if dates and (
            query.recency) else None


def has_unit(words: Sequence[str], units: frozenset[str]) -> bool:
    """Whether a number in ``words`` is followed, within three words, by one of ``units``."""
    for i, w in enumerate(words):
        if (w in NUMBER_WORDS or any(c.isdigit() for c in w)) and any(
                u in units for u in words[i + 1 : i + 4]):
            return True
    return False


def _bm25(units: Sequence[QueryTerm], tokens: Sequence[str], avg_len: float) -> float:
    counts = Counter(tokens)
    norm = _K1 * (1 - _B + _B * len(tokens) / avg_len)
    score = 0.0
    for u in units:
        tf = _tf(u, counts)
        if tf:
            score += u.idf * tf * (_K1 + 1) / (tf + norm)
    return score


def _matches(units: Sequence[QueryTerm], tokens: Sequence[str]) -> list[int]:
    wanted = {t for u in units for alt in u.alternatives for t in alt}
    return [i for i, t in enumerate(tokens) if t in wanted]


def _proximity(where: Sequence[int], tokens: Sequence[str]) -> float:
    if not where:
        return 0.0
    matched = len({tokens[i] for i in where})
    return matched / (where[-1] - where[0] + 1)


def swaps(sequence: Sequence[str], words: Sequence[str], missing: set[str]) -> list[str]:
    """Question words in ``missing`` whose context in the question stands in the candidate
    around a different word: "from East to North" against "from West to North". The
    context is the word on each side, or the two words on the one side a question's first
    or last word has."""
    if not missing:
        return []
    where: dict[str, list[int]] = {}
    for j, w in enumerate(words):
        where.setdefault(w, []).append(j)
    n = len(words)
    found = []
    for i, w in enumerate(sequence):
        if w not in missing:
            continue
        if 0 < i < len(sequence) - 1:
            left, right = sequence[i - 1], sequence[i + 1]
            hit = any(j + 2 < n and words[j + 2] == right for j in where.get(left, ()))
        elif i >= 2:  # the question's last word: two words before it
            a, b = sequence[i - 2], sequence[i - 1]
            hit = any(j + 2 < n and words[j + 1] == b for j in where.get(a, ()))
        elif i == 0 and len(sequence) > 2:  # its first word: two words after it
            a, b = sequence[1], sequence[2]
            hit = any(j >= 1 and j + 1 < n and words[j + 1] == b for j in where.get(a, ()))
        else:
            hit = False
        if hit:
            found.append(w)
    return found


def longest_run(sequence: Sequence[str], words: Sequence[str]) -> int:
    """The length of the longest run of consecutive question words that the candidate has
    consecutively too."""
    best = 0
    prev = [0] * (len(words) + 1)
    for a in sequence:
        cur = [0] * (len(words) + 1)
        for j, b in enumerate(words, start=1):
            if a == b:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def _row(query: Query, cand: Candidate, shared: _Shared, passage_terms: frozenset[str],
         title_terms: frozenset[str], doc_terms: frozenset[str]) -> dict[str, float]:
    units = query.terms
    total = shared.total
    words = query.words
    terms = cand.terms()
    tokens = cand.tokens()
    window = cand.window()
    met = [u for u in units if u.met_by(terms)]
    missing = [u for u in units if not u.met_by(window)]
    where = _matches(units, tokens)
    swapped = set(swaps(query.sequence, cand.words(),
                        {t for u in missing for alt in u.alternatives for t in alt}))
    content = [t for t in terms if t not in shared.query_terms]
    cues = cand.cues()
    capitalised = [w for w in cues.capitalised if w not in words]
    date = novel(cues.dates, words)
    numeric = number(cues.numbers, words)
    person = novel(cues.persons, words)
    place = novel(cues.places, words)
    typed = {
        "who": person or bool(capitalised), "when": date, "where": place or bool(capitalised),
        "how-many": numeric or cues.money, "why": cues.reason, "quote": cues.quote,
        "yes-no": cues.negated, "what": bool(content),
    }[query.kind]
    before = cand.before()
    after = cand.after()
    top = shared.top
    hit = cand.hit
    bm25 = _bm25(units, tokens, shared.avg_len)
    row = {
        "q_terms": math.log1p(len(units)),
        "q_unknown": shared.unknown,
        "q_negated": float(query.negated),
        **{f"kind_{k}": float(query.kind == k) for k in KINDS},
        "p_rank": math.log(hit.rank),
        "p_score": hit.score / top.score if top and top.score > 0 else 0.0,
        "p_cov": _coverage(units, passage_terms, total),
        "t_cov": _coverage(units, title_terms, total),
        "c_cov": _coverage(units, terms, total),
        "c_cov_count": len(met) / len(units) if units else 0.0,
        "c_cov_idf": _idf_coverage(units, terms, shared.idf_total),
        "c_cov_gap": 0.0,  # filled in once every row is known
        "w_cov": _coverage(units, window, total),
        "w_cov_gap": 0.0,
        "c_bm25": bm25,  # divided by the best once every row is known
        "c_bm25_norm": bm25 / shared.bm25_max if shared.bm25_max else 0.0,
        "c_pairs": (len(query.pairs & pairs(tokens)) / len(query.pairs)) if query.pairs else 0.0,
        "c_proximity": _proximity(where, tokens),
        "c_lead": where[0] / len(tokens) if where else 1.0,
        "w_cov_idf": _idf_coverage(units, window, shared.idf_total),
        "c_miss_max": (max((u.weight for u in missing), default=0.0) / shared.max_weight
                       if shared.max_weight else 0.0),
        "c_miss_count": math.log1p(len(missing)),
        "c_miss_attr": (max((u.weight for u in missing if not u.name and not u.number),
                            default=0.0) / shared.max_weight if shared.max_weight else 0.0),
        "d_miss": 1.0 - _coverage(units, doc_terms, total) if total else 0.0,
        "d_miss_names": (sum(not u.met_by(doc_terms) for u in shared.names) / len(shared.names)
                         if shared.names else 0.0),
        "c_run": (longest_run(query.sequence, cand.words()) / len(query.sequence)
                  if query.sequence else 0.0),
        "c_swap": (max((u.weight for u in missing if any(t in swapped for alt in u.alternatives
                                                         for t in alt)), default=0.0)
                   / shared.max_weight if shared.max_weight else 0.0),
        "c_miss_names": (sum(not u.met_by(window) for u in shared.names) / len(shared.names)
                         if shared.names else 0.0),
        "c_miss_numbers": (sum(not u.met_by(window) for u in shared.numbers)
                           / len(shared.numbers) if shared.numbers else 0.0),
        "c_negated": float(cues.negated),
        "c_neg_mismatch": float(cues.negated != query.negated),
        "c_type": float(typed),
        "c_date": float(date),
        "c_number": float(numeric),
        "c_money": float(cues.money),
        "c_unit": float(bool(query.units) and has_unit(cand.words(), query.units)),
        "c_name": math.log1p(len(capitalised)),
        "c_person": float(person),
        "c_place": float(place),
        "c_quote": float(cues.quote),
        "c_reason": float(cues.reason),
        "c_novel": math.log1p(len(content)),
        "c_novel_share": len(content) / len(terms) if terms else 0.0,
        "c_len": math.log1p(len(tokens)),
        "c_size": float(cand.size),
        "c_position": _position(cand),
        "c_before_cov": _coverage(units, before.terms, total) if before else 0.0,
        "c_same_doc": float(top is not None and hit.doc_id == top.doc_id),
        "c_after_cov": _coverage(units, after.terms, total) if after else 0.0,
        "p_doc_rank": math.log(shared.doc_rank[hit.passage_id]),
        "d_rank": math.log(shared.article_rank[hit.doc_id]),
        "c_day": float(bool(query.days) and (cand.doc.date in query.days or any(
            r.day in query.days for r in day_references(cand.text, cand.doc.date)))),
        "d_latest": float(query.recency != 0 and cand.doc.date is not None
                          and cand.doc.date == shared.extreme_date),
        # filled in by featurize from the embeddings, when given
        "s_sim": 0.0, "s_sim_gap": 0.0, "s_prev": 0.0, "s_next": 0.0, "s_rank": 0.0,
        "s_doc_gap": 0.0, "s_attr": 0.0, "s_attr_gap": 0.0,
    }
    return row


def _position(cand: Candidate) -> float:
    doc = cand.doc
    span = doc.body_end - doc.body_start
    return (cand.start - doc.body_start) / span if span > 0 else 0.0


def sizes(matrix: np.ndarray) -> np.ndarray:
    """Each candidate's number of sentences, read from its feature rows."""
    return np.asarray(matrix[:, _COLUMN["c_size"]])


def featurize(query: Query, candidates: Sequence[Candidate],
              passage_terms: dict[str, frozenset[str]],
              title_terms: dict[str, frozenset[str]],
              doc_terms: dict[str, frozenset[str]],
              similarity: np.ndarray | None = None) -> np.ndarray:
    """The feature matrix: one row per candidate, one column per ``FEATURES`` entry.

    ``passage_terms`` maps a passage id to its indexed terms; ``title_terms`` and
    ``doc_terms`` a document id to the terms of its title and of its whole text;
    ``similarity``, with semantics on, each candidate's row of ``Similarity``: its
    ``s_sim``, ``s_prev``, ``s_next`` and ``s_attr``."""
    shared = _Shared(query, candidates)
    rows = [[row[name] for name in NAMES] for row in (
        _row(query, c, shared, passage_terms[c.hit.passage_id], title_terms[c.doc.id],
             doc_terms[c.doc.id]) for c in candidates)]
    matrix = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(NAMES))
    if len(rows):
        for name in ("c_cov", "w_cov"):
            col = matrix[:, _COLUMN[name]]
            matrix[:, _COLUMN[name + "_gap"]] = col - col.max()
        bm25 = matrix[:, _COLUMN["c_bm25"]]
        best = bm25.max()
        matrix[:, _COLUMN["c_bm25"]] = bm25 / best if best > 0 else 0.0
        if similarity is not None:
            sim = similarity[:, 0]
            matrix[:, _COLUMN["s_sim"]] = sim
            matrix[:, _COLUMN["s_sim_gap"]] = sim - sim.max()
            matrix[:, _COLUMN["s_prev"]] = similarity[:, 1]
            matrix[:, _COLUMN["s_next"]] = similarity[:, 2]
            matrix[:, _COLUMN["s_attr"]] = similarity[:, 3]
            matrix[:, _COLUMN["s_attr_gap"]] = similarity[:, 3] - similarity[:, 3].max()
            order = np.argsort(-sim, kind="stable")
            ranks = np.empty(len(sim))
            ranks[order] = np.arange(1, len(sim) + 1)
            matrix[:, _COLUMN["s_rank"]] = np.log(ranks)
            docs = np.array([c.doc.id for c in candidates])
            for doc in set(docs.tolist()):
                mine = docs == doc
                matrix[mine, _COLUMN["s_doc_gap"]] = sim[mine] - sim[mine].max()
    return matrix
