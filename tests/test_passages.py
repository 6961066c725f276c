from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qabot.corpus.passages import PassageConfig, build_passages, document_passages
from qabot.models import Corpus, Document


def test_passages_and_sentences_are_exact_slices(corpus: Corpus) -> None:
    passages = build_passages(corpus.documents)
    assert len(passages) > 20
    for i, p in enumerate(passages):
        doc = corpus.get(p.doc_id)
        assert p.index == i
        assert doc.text[p.start : p.end] == p.text
        assert p.sentences[0].start == p.start and p.sentences[-1].end == p.end
        for s in p.sentences:
            assert doc.text[s.start : s.end] == s.text and not s.heading


def test_sections_come_from_headings(corpus: Corpus) -> None:
    sections = {p.section for p in build_passages(corpus.documents)}
    assert None in sections
    assert "01. Why Did Lin Junyang Suddenly Resign? At Least Three Major Factors" in sections


def test_word_budget_and_overlap() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(10))
    doc = Document(id="d", title="t", source="d.txt", body_start=0, body_end=len(text), text=text)
    passages = document_passages(doc, PassageConfig(max_words=10, overlap=1))
    assert [len(p.sentences) for p in passages] == [2] * 9
    assert [p.sentences[0].text for p in passages[:2]] == [
        "Sentence number 0 is here.", "Sentence number 1 is here."
    ]
    no_overlap = document_passages(doc, PassageConfig(max_words=10, overlap=0))
    assert len(no_overlap) == 5
    assert " ".join(p.text for p in no_overlap) == text


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list("ab. ?\n“”")) | st.characters(), max_size=300),
       st.integers(1, 30), st.integers(0, 3))
def test_passage_offsets_hold_for_any_text(text: str, words: int, overlap: int) -> None:
    doc = Document(id="d", title="t", source="d.txt", body_start=0, body_end=len(text), text=text)
    for p in document_passages(doc, PassageConfig(max_words=words, overlap=overlap)):
        assert text[p.start : p.end] == p.text
        for s in p.sentences:
            assert text[s.start : s.end] == s.text


def test_passage_table_gives_the_same_passages(corpus: Corpus) -> None:
    import pytest

    from qabot.corpus.passages import PassageTable

    listed = build_passages(corpus.documents)
    table = PassageTable(corpus.documents)
    for p in listed:
        table.append(p)
    assert len(table) == len(listed)
    assert [p.model_dump() for p in table] == [p.model_dump() for p in listed]
    assert table[-1] == listed[-1] and table[2:4] == listed[2:4]
    for p in listed:
        assert table.position(p.id) == p.index
        assert table.bounds(p.index) == (p.doc_id, p.id, p.section, p.start, p.end)
    for doc in corpus.documents:
        mine = [p.index for p in listed if p.doc_id == doc.id]
        assert table.positions([doc.id]) == mine
        assert table.counts()[doc.id] == len(mine)
    assert table.positions([d.id for d in corpus.documents]) == list(range(len(listed)))
    assert table.positions(["no-such-doc"]) == []
    with pytest.raises(IndexError):
        table[len(listed)]
    with pytest.raises(KeyError):
        table.position(f"{listed[0].doc_id}#999")
