"""The MiniLM span encoder of the techniques stage and its mix into the span tagger."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from narrascope.encoders import NeuralSettings, fine_tune
from narrascope.techniques.features import inside_labels
from narrascope.techniques.model import geometric_mix, phrase_encoder_mix
from narrascope.techniques.neural import (
    LABELS,
    SpanEncoder,
    article_examples,
    encode_article,
    sentence_groups,
)
from narrascope.techniques.phrases import ArticleTokens, PhraseScores

TEXT = "The corrupt elite lied again. Voters met on Monday.\nTurnout was low."


def test_sentence_groups_and_inside_labels_follow_the_token_tagger() -> None:
    assert sentence_groups([0, 0, 1, 2, 2]) == [[0, 1], [2], [3, 4]]
    toks, sent, encoded = encode_article(TEXT, 64)
    assert [TEXT[s:e] for s, e in toks][:3] == ["The", "corrupt", "elite"]
    assert sorted(i for w, _, _ in encoded for i in w) == list(range(len(toks)))
    labels = inside_labels(toks, [(4, 17)])  # "corrupt elite"
    assert [TEXT[s:e] for (s, e), y in zip(toks, labels, strict=True) if y] == [
        "corrupt",
        "elite",
    ]
    assert len(set(sent)) == 3  # the line break ends a sentence too


def test_geometric_mix_and_phrase_rescoring() -> None:
    p, q = np.array([0.8, 0.2]), np.array([0.2, 0.2])
    assert np.allclose(geometric_mix(p, q, 0.0), p)
    assert np.allclose(geometric_mix(p, q, 0.5), [0.4, 0.2])
    art = ArticleTokens.of(TEXT)
    found = PhraseScores(art, [(1, 3), (5, 6)], np.array([0.5, 0.5]))
    p_enc = np.zeros(len(art.toks))
    p_enc[1:3] = 0.9  # the encoder likes "corrupt elite", not "again"
    mixed = phrase_encoder_mix(found, p_enc, 0.5)
    assert mixed.probs[0] > 0.6 > 0.1 > mixed.probs[1]
    assert phrase_encoder_mix(found, None, 0.5) is found


def test_span_encoder_trains_saves_and_scores_every_token(tmp_path: Path) -> None:
    settings = NeuralSettings(epochs=1, batch_size=2, max_wordpieces=32, train_layers=1)
    examples = article_examples({"a": TEXT}, {"a": [(4, 17)]}, ["a"], 32)
    assert all(len(ids) <= 32 for ids, _ in examples)
    encoder = SpanEncoder(fine_tune(examples, settings, len(LABELS), log=lambda _: None), settings)
    encoder.save(tmp_path / "encoder.joblib")
    loaded = SpanEncoder.load(tmp_path / "encoder.joblib")
    toks, _, probs = loaded.token_probabilities(TEXT)
    assert len(probs) == len(toks) and np.all((probs > 0) & (probs < 1))


def test_a_batch_runs_the_encoder_beside_the_sparse_models_with_the_same_results() -> None:
    """``analyse_documents`` hands the encoder to a background thread; the spans must be
    those of reading each document in turn."""
    import copy
    import threading

    import torch

    from narrascope.techniques.model import shipped_model

    settings = NeuralSettings(epochs=1, batch_size=2, max_wordpieces=32, train_layers=1)
    examples = article_examples({"a": TEXT}, {"a": [(4, 17)]}, ["a"], 32)
    encoder = SpanEncoder(fine_tune(examples, settings, len(LABELS), log=lambda _: None), settings)
    threads = []
    torch_threads = []

    class Recording(SpanEncoder):
        def token_probabilities(self, text: str):  # type: ignore[no-untyped-def]
            threads.append(threading.current_thread().name)
            torch_threads.append(torch.get_num_threads())
            return super().token_probabilities(text)

    model = copy.copy(shipped_model())
    model.span_tagger = copy.copy(model.span_tagger)
    model.span_tagger.encoder_weight = model.span_tagger.phrase_encoder_weight = 0.9
    model.span_tagger.attach_encoder(Recording(encoder.weights, settings))
    other = "A calm and factual report on the weather in Paris today."
    items = [(TEXT, "en", [(0, len(TEXT))]), (other, "xx", []), (other, "en", [])]
    before = torch.get_num_threads()
    batch = model.analyse_documents(items)
    assert threads and all(name.startswith("span-encoder") for name in threads)
    assert len(threads) == 2  # the English texts only
    assert torch_threads == [1, 1]  # the encoder keeps to one core beside the sparse models
    assert torch.get_num_threads() == before  # and the caller's setting comes back
    assert batch == [model.analyse_document(*item) for item in items]
    assert batch[1] == ([], [])  # no span model and no paragraph tagger for "xx"
