from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qabot.models import Corpus
from qabot.text.segment import is_heading, segment, split_sentences


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, 0, len(text))]


def test_headings_of_both_articles_are_found(corpus: Corpus) -> None:
    headings = [s.text for d in corpus.documents for s in segment(d.text, d.body_start, d.body_end)
                if s.heading]
    assert headings == [
        "Dreams Are the Reverse of Reality",
        "Alibaba AI: Moving Forward",
        "01. Why Did Lin Junyang Suddenly Resign? At Least Three Major Factors",
        "02. Intensifying Industry Competition: ‘AI Leadership’ Adjustments Become the Norm",
        "03. AI Assistants Fall into the ‘Scale Trap’: Is Qwen on the Wrong Path?",
    ]


def test_short_sentences_are_not_headings() -> None:
    assert not is_heading("This statement is highly pertinent.")
    assert not is_heading("His personal choices are understandable.")
    assert is_heading("## Market Outlook")


def test_decimals_model_sizes_and_initials_do_not_split() -> None:
    text = ("Qwen had open-sourced four compact Qwen3.5 models with sizes of 0.8B, 2B, 4B, "
            "and 9B. Dr. J. R. Smith met Mr. Lee at 3.5 p.m. in the U.S. office. It worked.")
    assert _sentences(text) == [
        "Qwen had open-sourced four compact Qwen3.5 models with sizes of 0.8B, 2B, 4B, and 9B.",
        "Dr. J. R. Smith met Mr. Lee at 3.5 p.m. in the U.S. office.",
        "It worked.",
    ]


def test_quotes_stay_whole_and_close_with_their_sentence() -> None:
    text = ("He announced: “I’ve stepped down. Farewell, my beloved Qwen.” However, Alibaba "
            "declined to comment. “We may not have handled it well.” She said so.")
    assert _sentences(text) == [
        "He announced: “I’ve stepped down. Farewell, my beloved Qwen.”",
        "However, Alibaba declined to comment.",
        "“We may not have handled it well.”",
        "She said so.",
    ]


def test_em_dashes_do_not_split() -> None:
    text = "I liken this to dream analysis—where evidence is ignored. Next one."
    assert _sentences(text) == [
        "I liken this to dream analysis—where evidence is ignored.", "Next one."
    ]


def test_every_span_is_exact_in_both_articles(corpus: Corpus) -> None:
    for doc in corpus.documents:
        spans = segment(doc.text, doc.body_start, doc.body_end)
        assert len(spans) > 40
        for span in spans:
            assert doc.text[span.start : span.end] == span.text
            assert span.text == span.text.strip() and span.text


_alphabet = st.sampled_from([*"ab Zé.!?“”\"'’—\n\r\t0123456789#", "Mr.", " A. ", "\r\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_alphabet, max_size=80).map("".join) | st.text(max_size=200))
def test_spans_are_exact_ordered_and_cover_all_text(text: str) -> None:
    spans = segment(text)
    last = 0
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.text and span.text == span.text.strip()
        assert span.start >= last
        assert text[last : span.start].strip() == "" or text[last : span.start].isspace()
        last = span.end
    assert text[last:].strip() == ""
