"""The MiniLM attribution tagger and its mix with the CRF (narrascope.attribution.neural)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from narrascope.attribution.neural import (
    INDEX,
    LABELS,
    mix,
    shipped_encoder,
    shipped_mixed_tagger,
    tag_from_distribution,
    training_examples,
    viterbi,
    windows,
    word_indices,
)
from narrascope.encoders import FROZEN, NeuralSettings, encoder_dir, fine_tune


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    from narrascope.stages.linguistic import spacy_english

    return spacy_english()


class PieceTokenizer:
    """Stands in for the wordpiece tokenizer: a word of n letters is ceil(n / 4) pieces."""

    def tokenize(self, text: str) -> list[str]:
        return [text[i : i + 4] for i in range(0, len(text), 4)]


def one_hot(labels: list[str], weight: float = 0.9) -> np.ndarray:
    probs = np.full((len(labels), len(LABELS)), (1 - weight) / (len(LABELS) - 1))
    for i, label in enumerate(labels):
        probs[i, INDEX[label]] = weight
    return probs


def test_viterbi_never_opens_a_span_with_an_inside_label() -> None:
    probs = one_hot(["I-SRC", "I-SRC", "O"])
    labels = viterbi(probs, [0, 1, 2])
    assert labels[0] != "I-SRC"
    for prev, label in itertools.pairwise(labels):
        if label.startswith("I-"):
            assert prev[2:] == label[2:]


def test_viterbi_keeps_a_valid_sequence_and_carries_spans_over_whitespace() -> None:
    probs = one_hot(["B-CON", "I-CON", "O", "I-CON", "O"])
    # token 2 is whitespace (not kept): it continues the content running over it
    assert viterbi(probs, [0, 1, 3, 4]) == ["B-CON", "I-CON", "I-CON", "I-CON", "O"]
    assert viterbi(probs, []) == ["O"] * 5


def test_mix_is_a_weighted_product_of_the_two_distributions() -> None:
    crf = np.array([[0.6, 0.4, 0, 0, 0, 0, 0], [0.5, 0.5, 0, 0, 0, 0, 0]])
    encoder = np.array([[0.6, 0, 0.4, 0, 0, 0, 0], [0.1, 0.9, 0, 0, 0, 0, 0]])
    mixed = mix(crf, encoder, 0.5)
    assert np.allclose(mixed.sum(axis=1), 1.0)
    # a label only one tagger likes loses to one both find plausible
    assert mixed[0].argmax() == 0 and mixed[0, 1] < 0.01 and mixed[0, 2] < 0.01
    assert mixed[1].argmax() == 1 and mixed[1, 1] > 0.7
    assert np.allclose(mix(crf, encoder, 0.0), crf, atol=1e-5)
    assert np.allclose(mix(crf, encoder, 1.0), encoder, atol=1e-5)


def test_windows_hold_every_word_once_within_the_budget(nlp: Any) -> None:
    text = "The minister said on Monday that the talks had failed.\n\n" * 6
    doc = nlp(text)
    tokenizer = PieceTokenizer()
    counts = [len(tokenizer.tokenize(t.text)) if t.i in word_indices(doc) else 0 for t in doc]
    found = windows(doc, counts, max_wordpieces=24)
    flat = [i for window in found for i in window]
    assert flat == word_indices(doc)  # each word once, in order, no line breaks
    assert all(not doc[i].is_space for i in flat)
    for window in found:
        assert sum(len(tokenizer.tokenize(doc[i].text)) for i in window) <= 22


def test_piece_counts_match_the_wordpieces_of_each_word(nlp: Any) -> None:
    from transformers import AutoTokenizer

    from narrascope.attribution.neural import piece_counts

    doc = nlp("Zelenskyy's U.S. visit\n\nended.")
    tokenizer = AutoTokenizer.from_pretrained(str(encoder_dir()))
    counts = piece_counts(doc, tokenizer)
    seen = set(word_indices(doc))
    for token, n in zip(doc, counts, strict=True):
        expected = (len(tokenizer.tokenize(token.text)) or 1) if token.i in seen else 0
        assert n == expected, token.text
    assert max(counts) > 1  # a long name is several pieces


def test_distribution_becomes_grouped_relations(nlp: Any) -> None:
    doc = nlp("The minister said the talks failed.")
    labels = ["B-SRC", "I-SRC", "B-CUE", "B-CON", "I-CON", "I-CON", "O"]
    [candidate], cue_probs = tag_from_distribution(doc, one_hot(labels))
    text = doc.text
    assert candidate.source and text[slice(*candidate.source)] == "The minister"
    assert candidate.cue and text[slice(*candidate.cue)] == "said"
    assert candidate.content and text[slice(*candidate.content)] == "the talks failed"
    assert cue_probs[2] > 0.8 > cue_probs[0]


def test_fine_tune_returns_weights_without_the_frozen_embeddings(nlp: Any) -> None:
    from transformers import AutoTokenizer

    doc = nlp("The minister said the talks failed.")
    labels = ["B-SRC", "I-SRC", "B-CUE", "B-CON", "I-CON", "I-CON", "O"]
    tokenizer = AutoTokenizer.from_pretrained(str(encoder_dir()))
    examples = training_examples([doc], [(0, labels)], tokenizer, 32)
    ids, targets = examples[0]
    assert len(ids) == len(targets) and targets[0] == -100  # [CLS] is unlabelled
    assert [t for t in targets if t != -100] == [INDEX[label] for label in labels]
    weights = fine_tune(
        examples, NeuralSettings(epochs=1, batch_size=1), len(LABELS), log=lambda _: None
    )
    assert FROZEN not in weights
    assert all(w.dtype == np.float16 for w in weights.values())
    assert weights["classifier.weight"].shape == (len(LABELS), 384)


def test_shipped_mix_finds_a_reported_statement(nlp: Any) -> None:
    assert shipped_encoder() is not None, "the encoder tagger ships with the package"
    tagger = shipped_mixed_tagger()
    assert 0 < tagger.weight <= 1
    text = "The minister told reporters on Monday that the talks had failed."
    doc = nlp(text)
    found = tagger.tag(doc)
    cues = {text[slice(*c.cue)] for c in found if c.cue}
    sources = {text[slice(*c.source)] for c in found if c.source}
    assert "told" in cues
    assert "The minister" in sources


def test_encoder_reads_only_the_sentences_the_crf_finds_uncertain(nlp: Any) -> None:
    from narrascope.attribution.neural import uncertain_sentences

    doc = nlp("The sky is blue. Smith said the vote was rigged. Rain fell.")
    sents = list(doc.sents)
    crf = np.zeros((len(doc), len(LABELS)))
    crf[:, INDEX["O"]] = 1.0
    said = next(t.i for t in doc if t.text == "said")
    crf[said] = 0.0
    crf[said, INDEX["B-CUE"]], crf[said, INDEX["O"]] = 0.4, 0.6
    crf[1, INDEX["O"]], crf[1, INDEX["B-SRC"]] = 0.95, 0.05  # "sky": barely possible
    assert [s.text for s in uncertain_sentences(doc, crf, 0.1)] == [sents[1].text]
    assert len(uncertain_sentences(doc, crf, 0.0)) == 3  # 0: every sentence
    counts = [1] * len(doc)
    chosen = windows(doc, counts, 64, [sents[1]])
    assert sorted(i for w in chosen for i in w) == [
        t.i for t in sents[1] if not t.is_space
    ]  # only that sentence's words are encoded
