"""Word clusters for the phrase classifier: words that mean alike share a cluster id.

The phrase classifier learns loadedness word by word, so a loaded word it never saw in a
training span ("crumbling") gets no credit. Grouping words by meaning lets the classifier
and its lexicon generalise from the words it saw to their neighbours. The vectors come from
the multilingual Universal Sentence Encoder the project already packages (each word encoded
alone); the vocabulary is the English whole-word pieces of that encoder's sub-word vocabulary
plus the words of the training articles. K-means (seeded) groups them; only the word ->
cluster dict ships in the artifact, so inference needs no encoder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

# Lower-case alphabetic words of 3+ letters (with inner hyphens or apostrophes).
_WORD = re.compile(r"[a-z]{3,}(?:['-][a-z]+)*")
_PIECE_MARK = "\u2581"  # sentencepiece's word-start mark


def encoder_vocabulary() -> set[str]:
    """English-looking whole words of the sentence encoder's sub-word vocabulary."""
    from narrascope.narratives.encoder import encoder

    pieces = encoder()._tokenizer._pieces  # the package exposes no public vocabulary list
    words = set()
    for piece in pieces:
        text = piece.decode("utf-8", "ignore") if isinstance(piece, bytes) else str(piece)
        if text.startswith(_PIECE_MARK) and _WORD.fullmatch(text[1:]):
            words.add(text[1:])
    return words


def text_vocabulary(texts: Iterable[str]) -> set[str]:
    return {w for t in texts for w in _WORD.findall(t.lower())}


def word_clusters(words: Iterable[str], k: int, seed: int) -> dict[str, int]:
    """``{word: cluster}``: k-means (seeded) of the encoder's vector of each word alone."""
    from sklearn.cluster import KMeans

    from narrascope.narratives.encoder import encode, single_thread

    vocabulary = sorted(set(words))
    with single_thread():
        vectors = np.vstack(
            [encode(vocabulary[i : i + 512]) for i in range(0, len(vocabulary), 512)]
        )
        labels = KMeans(n_clusters=k, n_init=1, max_iter=50, random_state=seed).fit_predict(vectors)
    return {w: int(c) for w, c in zip(vocabulary, labels, strict=True)}


class ClusterAnalyzer:
    """A ``TfidfVectorizer`` analyzer: the cluster ids of a text's words (unknown words are
    dropped), so a sentence classifier sees "a word like 'vile'" as well as the word."""

    def __init__(self, clusters: dict[str, int]) -> None:
        self.clusters = clusters

    def __call__(self, text: str) -> list[str]:
        from narrascope.techniques.features import normal_words

        return [f"c{self.clusters[w]}" for w in normal_words(text).split() if w in self.clusters]
