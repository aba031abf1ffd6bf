"""Shared MiniLM word-tagger machinery (narrascope.encoders)."""

from __future__ import annotations

import numpy as np
import pytest

from narrascope.encoders import (
    FROZEN,
    NeuralSettings,
    _top_logits,
    base_model,
    encode_text_windows,
    encode_words,
    fine_tune,
    fine_tuned_model,
    pack_windows,
    packaged_keys,
    tokenizer,
    window_examples,
    word_piece_counts,
)


def test_pack_windows_keeps_sentences_whole_within_the_budget() -> None:
    counts = [3, 3, 3, 3, 10, 2]
    sentences = [[0, 1], [2, 3], [4], [5]]
    found = pack_windows(sentences, counts, max_wordpieces=12)
    # budget 10 pieces: a sentence that no longer fits starts a new window
    assert found == [[0, 1], [2, 3], [4], [5]]
    assert pack_windows([[0, 1, 2, 3]], counts, max_wordpieces=8) == [[0, 1], [2, 3]]


def test_word_piece_counts_and_first_piece_labels() -> None:
    words = ["Zelenskyy", "visited", "Washington", "."]
    counts = word_piece_counts(words, tokenizer())
    assert counts[0] > 1 and counts[1] == 1 and counts[3] == 1
    [(window, ids, firsts)] = encode_text_windows(words, [[0, 1, 2, 3]], tokenizer(), 32)
    assert window == [0, 1, 2, 3] and len(ids) == sum(counts) + 2
    assert (ids, firsts) == tuple(encode_words(words, tokenizer(), 32))  # same as the wrapper
    [(_, targets)] = window_examples([(window, ids, firsts)], [1, 0, 1, 0])
    assert [t for t in targets if t != -100] == [1, 0, 1, 0]  # one label per word


def test_top_layers_over_cached_states_match_the_whole_model() -> None:
    import torch

    from narrascope.encoders import _cache_lower_states, pad

    model = base_model(2).eval()
    batch = [([101, 2023, 2003, 1037, 3231, 102], [-100] * 6), ([101, 7592, 102], [-100] * 3)]
    cache: dict = {}
    _cache_lower_states(model, batch, 4, cache)
    model.eval()  # caching returns the model in training mode
    ids, mask, _ = pad(batch)
    with torch.inference_mode():
        whole = model(input_ids=ids, attention_mask=mask).logits
        top = _top_logits(model, batch, 4, cache)
    assert torch.allclose(whole[0], top[0], atol=1e-4)
    assert torch.allclose(whole[1, :3], top[1, :3], atol=1e-4)  # padding aside


@pytest.mark.parametrize(
    ("train_layers", "layers", "expected"),
    [(None, None, {"0", "1", "2", "3", "4", "5"}), (2, None, {"4", "5"}), (2, 3, {"1", "2"})],
)
def test_fine_tune_ships_only_the_weights_it_changed(
    train_layers: int | None, layers: int | None, expected: set[str]
) -> None:
    settings = NeuralSettings(epochs=1, batch_size=2, train_layers=train_layers, layers=layers)
    examples = [([101, 2023, 2003, 102], [-100, 1, 0, -100])] * 2
    weights = fine_tune(examples, settings, 2, log=lambda _: None)
    assert FROZEN not in weights
    assert all(w.dtype == np.float16 for w in weights.values())
    trained_layers = {k.split(".")[3] for k in weights if k.startswith("bert.encoder.layer.")}
    assert trained_layers == expected
    model = fine_tuned_model(weights, 2, settings)  # the packaged rest fills in the gaps
    assert packaged_keys(model, settings) >= {FROZEN}
    assert len(model.bert.encoder.layer) == (layers or 6)
