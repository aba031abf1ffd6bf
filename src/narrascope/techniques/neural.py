"""A MiniLM tagger for persuasion-technique spans (PTC span identification).

The sparse span models (:mod:`narrascope.techniques.model`) see words, their neighbours and
learned lexicons; they miss loaded phrases whose words training never saw in a span. This
model fine-tunes the packaged all-MiniLM-L6-v2 encoder (:mod:`narrascope.encoders`) to give
each regex token of the techniques stage (:func:`features.tokens`) the probability that it
lies inside a technique span (the token tagger's binary label). The span tagger mixes that
probability into its own token and phrase scores (:class:`model.SpanTagger`).

Cross-validation uses the folds of ``narrascope train techniques`` (same seed), and the
artifact keeps every training article's out-of-fold probabilities, so that the train command
can choose how to mix the encoder in without fine-tuning it again.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.artifacts import shipped_path
from narrascope.encoders import (
    Encoded,
    Example,
    FineTunedEncoder,
    NeuralSettings,
    StateCache,
    encode_text_windows,
    fine_tune,
    tokenizer,
    window_examples,
    word_probabilities,
)
from narrascope.techniques.features import inside_labels, sentence_index, tokens

LABELS = ("O", "IN")  # outside / inside a technique span
MODEL_FILE = "encoder.joblib"
Interval = tuple[int, int]


def sentence_groups(sent: Sequence[int]) -> list[list[int]]:
    """Token indices grouped by sentence (``sent``: each token's sentence number, ascending)."""
    return [
        [i for i, _ in group] for _, group in itertools.groupby(enumerate(sent), lambda x: x[1])
    ]


def encode_article(
    text: str, max_wordpieces: int, read: Sequence[bool] | None = None
) -> tuple[list[Interval], list[int], list[Encoded]]:
    """The article's tokens, their sentence numbers and its encoded windows (``read``: per
    sentence of ``sentence_bounds(text)``, whether to encode it; None: all)."""
    toks = tokens(text)
    sent = sentence_index(text, toks)
    words = [text[s:e] for s, e in toks]
    groups = sentence_groups(sent)
    if read is not None:
        groups = [g for g in groups if read[sent[g[0]]]]
    return toks, sent, encode_text_windows(words, groups, tokenizer(), max_wordpieces)


def article_examples(
    articles: dict[str, str], spans: dict[str, list[Interval]], ids: Sequence[str], size: int
) -> list[Example]:
    out: list[Example] = []
    for a in ids:
        toks, _, encoded = encode_article(articles[a], size)
        out += window_examples(encoded, inside_labels(toks, spans.get(a, [])))
    return out


class SpanEncoder(FineTunedEncoder):
    """The fine-tuned span tagger; ``info["oof"]``: article id -> out-of-fold token
    probabilities (float16)."""

    labels = LABELS
    what = "techniques span encoder"
    train_command = "narrascope train techniques-encoder"

    def token_probabilities(
        self, text: str, read: Sequence[bool] | None = None
    ) -> tuple[list[Interval], list[int], np.ndarray]:
        """The text's tokens, their sentence numbers and each one's probability of lying in
        a technique span (``read``: per sentence, whether to read it; the tokens of the
        sentences not read get NaN). Windows pack the sentences read, so a sentence read
        may see other neighbours than when all are."""
        toks, sent, encoded = encode_article(text, self.settings.max_wordpieces, read)
        probs = word_probabilities(self.model, encoded, len(toks), len(LABELS))[:, 1]
        if read is not None:
            skipped = ~np.asarray(read, dtype=bool)[np.asarray(sent, dtype=int)]
            probs[skipped] = np.nan
        return toks, sent, probs


def shipped_encoder_path() -> Path:
    return shipped_path("techniques", MODEL_FILE)


@cache
def shipped_span_encoder() -> SpanEncoder | None:
    """The shipped span encoder, or None when the package has none."""
    path = shipped_encoder_path()
    return SpanEncoder.load(path) if path.exists() else None


def cross_validate(
    articles: dict[str, str],
    spans: dict[str, list[Interval]],
    fold_of: dict[str, int],
    settings: NeuralSettings,
    log: Callable[[str], None] = print,
    folds: Sequence[int] | None = None,
    done: Callable[[int, dict[str, Any]], None] | None = None,
    predict: Callable[[SpanEncoder, str], Any] | None = None,
) -> dict[str, Any]:
    """Out-of-fold token probabilities of every article: for each fold, fine-tune on the
    others and predict it (``folds``: only these; ``done``: called with each fold's result;
    ``predict``: what to keep of a held-out article, given the fold's encoder and the
    article's id, instead of its token probabilities in float16)."""
    ids = sorted(articles)
    out: dict[str, Any] = {}
    states: StateCache = {}  # the frozen layers' outputs, shared by the folds

    def probabilities(model: SpanEncoder, a: str) -> np.ndarray:
        return model.token_probabilities(articles[a])[2].astype(np.float16)

    for k in sorted(set(fold_of.values())) if folds is None else folds:
        started = time.time()
        train_ids = [a for a in ids if fold_of[a] != k]
        examples = article_examples(articles, spans, train_ids, settings.max_wordpieces)
        fold_model = SpanEncoder(fine_tune(examples, settings, len(LABELS), log, states), settings)
        result = {a: (predict or probabilities)(fold_model, a) for a in ids if fold_of[a] == k}
        log(f"fold {k}: {len(examples)} windows, {time.time() - started:.0f} s")
        if done is not None:
            done(k, result)
        out |= result
    return out
