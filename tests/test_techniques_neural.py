"""The MiniLM span encoder of the techniques stage and its mix into the span tagger."""

from __future__ import annotations

import sys
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


def _tiny_encoder() -> SpanEncoder:
    settings = NeuralSettings(epochs=1, batch_size=2, max_wordpieces=32, train_layers=1)
    examples = article_examples({"a": TEXT}, {"a": [(4, 17)]}, ["a"], 32)
    return SpanEncoder(fine_tune(examples, settings, len(LABELS), log=lambda _: None), settings)


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

    from narrascope.techniques.model import GIL_SWITCH_SECONDS, shipped_model

    encoder = _tiny_encoder()
    threads = []
    torch_threads = []
    switches = []

    class Recording(SpanEncoder):
        def token_probabilities(self, text: str, read=None):  # type: ignore[no-untyped-def]
            threads.append(threading.current_thread().name)
            torch_threads.append(torch.get_num_threads())
            switches.append(sys.getswitchinterval())
            return super().token_probabilities(text, read)

    model = copy.copy(shipped_model())
    model.span_tagger = copy.copy(model.span_tagger)
    model.span_tagger.encoder_weight = model.span_tagger.phrase_encoder_weight = 0.9
    model.span_tagger.attach_encoder(Recording(encoder.weights, encoder.settings))
    other = "A calm and factual report on the weather in Paris today."
    items = [(TEXT, "en", [(0, len(TEXT))]), (other, "xx", []), (other, "en", [])]
    before, switch_before = torch.get_num_threads(), sys.getswitchinterval()
    batch = model.analyse_documents(items)
    assert threads and all(name.startswith("span-encoder") for name in threads)
    assert len(threads) == 2  # the English texts only
    assert torch_threads == [1, 1]  # the encoder keeps to one core beside the sparse models
    assert torch.get_num_threads() == before  # and the caller's setting comes back
    assert switches == [GIL_SWITCH_SECONDS] * 2  # the GIL changes hands more often meanwhile
    assert sys.getswitchinterval() == switch_before
    assert batch == [model.analyse_document(*item) for item in items]
    assert batch[1] == ([], [])  # no span model and no paragraph tagger for "xx"


def test_the_encoder_reads_only_the_sentences_it_is_given() -> None:
    encoder = _tiny_encoder()
    _, sent, everything = encoder.token_probabilities(TEXT)
    _, _, gated = encoder.token_probabilities(TEXT, [True, False, True])
    skipped = np.asarray(sent) == 1  # "Voters met on Monday."
    assert skipped.any() and np.isnan(gated[skipped]).all()
    assert not np.isnan(gated[~skipped]).any() and not np.isnan(everything).any()
    # the windows hold only the sentences read
    _, _, encoded = encode_article(TEXT, 64, [True, False, True])
    assert sorted(i for w, _, _ in encoded for i in w) == list(np.flatnonzero(~skipped))
    # a text none of whose sentences pass reads nothing, and says so for every token
    _, _, nothing = encoder.token_probabilities(TEXT, [False, False, False])
    assert len(nothing) == len(everything) and np.isnan(nothing).all()


def test_unread_tokens_keep_the_token_taggers_score() -> None:
    from narrascope.techniques.model import unread_filled
    from narrascope.techniques.train import gated_encoder_oof

    p_enc = np.array([0.9, np.nan, 0.1], dtype=np.float32)
    p_tok = np.array([0.2, 0.3, 0.4], dtype=np.float32)
    toks = [(0, 3), (4, 7), (8, 9)]
    filled = unread_filled("abc def .", p_enc, (toks, [0, 0, 0], p_tok), np.array([0.5]))
    assert np.allclose(filled, [0.9, 0.3, 0.1])
    # without a token tagger, the sentence's score stands in
    filled = unread_filled("abc def .", p_enc, (toks, [0, 0, 0], None), np.array([0.5]))
    assert np.allclose(filled, [0.9, 0.5, 0.1])
    # the train command gates the stored out-of-fold scores the same way
    meta = {"a": (toks[:2], [0, 1], 0), "b": (toks[:1], [0], 2)}
    oof = {"a": np.array([0.9, 0.8]), "b": np.array([0.7])}
    sentence_probs = np.array([0.5, 0.05, 0.01])  # a's two sentences, then b's one
    gated = gated_encoder_oof(oof, meta, p_tok, sentence_probs, {"a": 0, "b": 2}, 0.1)
    assert np.allclose(gated["a"], [0.9, 0.3]) and np.allclose(gated["b"], [0.4])
    assert gated_encoder_oof(oof, meta, p_tok, sentence_probs, {"a": 0, "b": 2}, 0.0) is oof


def test_a_gated_batch_gives_the_spans_of_reading_each_text_alone() -> None:
    """With a gate the batch scores sentences before handing texts to the encoder thread;
    the result must still be that of ``analyse_document`` on each text in turn, and the
    encoder must skip the sentences the gate rates low."""
    import copy

    from narrascope.techniques.model import shipped_model

    reads = []

    class Recording(SpanEncoder):
        def token_probabilities(self, text: str, read=None):  # type: ignore[no-untyped-def]
            reads.append(read)
            return super().token_probabilities(text, read)

    tiny = _tiny_encoder()
    model = copy.copy(shipped_model())
    model.span_tagger = copy.copy(model.span_tagger)
    tagger = model.span_tagger
    tagger.encoder_weight = tagger.phrase_encoder_weight = 0.9
    tagger.attach_encoder(Recording(tiny.weights, tiny.settings))
    text = TEXT + " Our brave heroes will crush the evil traitors!"
    p_sent = tagger.sentence_scores(text)
    tagger.encoder_gate = float(np.sort(p_sent)[1])  # above the lowest sentence's score
    items = [(text, "en", [(0, len(text))]), (TEXT, "en", [])]
    batch = model.analyse_documents(items)
    assert reads[0] is not None and list(reads[0]) == list(p_sent >= tagger.encoder_gate)
    assert not all(reads[0])
    assert batch == [model.analyse_document(*item) for item in items]


def test_overlapping_batches_put_the_gil_switch_interval_back_once_all_are_done() -> None:
    from narrascope.techniques.model import GIL_SWITCH_SECONDS, frequent_gil_switches

    before = sys.getswitchinterval()
    first, second = frequent_gil_switches(), frequent_gil_switches()
    first.__enter__()
    second.__enter__()
    assert sys.getswitchinterval() == GIL_SWITCH_SECONDS
    first.__exit__(None, None, None)  # the first batch ends while the second still runs
    assert sys.getswitchinterval() == GIL_SWITCH_SECONDS
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before


def test_cross_validation_keeps_what_predict_asks_of_each_held_out_article() -> None:
    from narrascope.techniques.neural import cross_validate

    other = "Turnout was low. Voters met on Monday."
    articles, spans = {"a": TEXT, "b": other}, {"a": [(4, 17)], "b": []}
    settings = NeuralSettings(epochs=1, batch_size=2, max_wordpieces=32, train_layers=1)
    fold_of = {"a": 0, "b": 1}
    probs = cross_validate(articles, spans, fold_of, settings, log=lambda _: None)
    assert set(probs) == {"a", "b"} and probs["a"].dtype == np.float16
    assert len(probs["b"]) == len(encode_article(other, 32)[0])
    done = []
    kept = cross_validate(
        articles,
        spans,
        fold_of,
        settings,
        log=lambda _: None,
        folds=[1],
        done=lambda k, result: done.append((k, sorted(result))),
        predict=lambda model, a: (a, len(model.token_probabilities(articles[a])[0])),
    )
    assert kept == {"b": ("b", len(probs["b"]))} and done == [(1, ["b"])]
