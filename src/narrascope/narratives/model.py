"""The narrative classifier: ridge heads over n-grams, sentence vectors and label similarity.

Each article becomes four feature blocks: word and character n-gram TF-IDF, the mean USE
vector of its sentences, and, per taxonomy label, how close the article's closest sentences
come to that label's definitions and description sentences (``sim``), which lets a narrative
that lives in two sentences of a long article still register. One linear head per coarse
narrative and per sub-narrative scores the article; per-language thresholds turn scores into
label sets. The same heads applied to single sentences, plus their similarity to the label
descriptions, rank the evidence sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from narrascope.artifacts import load_instance, save_joblib
from narrascope.narratives.data import OTHER
from narrascope.narratives.features import NgramBlock

MODEL_FILE = "model.joblib"
LANG_CODES = ("en", "ru", "bg", "pt", "hi")
TOP_SENTENCES = 3  # sentences averaged into the second similarity feature
MAX_EVIDENCE = 3


@dataclass
class Encoded:
    """An article as the models read it: text, language, sentences and their USE vectors."""

    text: str
    lang: str
    sentences: list[tuple[int, int]]
    vectors: np.ndarray  # (n_sentences, 512) float32, L2-normalised rows

    def sentence_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.sentences]


def encode_article(text: str, lang: str, sentences: list[tuple[int, int]] | None = None) -> Encoded:
    from narrascope.narratives.encoder import encode, split_sentences

    spans = sentences if sentences else split_sentences(text)
    return Encoded(text, lang, spans, encode([text[s:e] for s, e in spans]))


@dataclass
class Settings:
    alpha: float = 1.0
    w_word: float = 1.0
    w_char: float = 1.0
    w_use: float = 1.0
    w_sim: float = 1.0
    w_lang: float = 0.5
    # Weight of a language-specific copy of the USE and label-similarity blocks (a
    # multi-task kernel: shared weights plus one small set per language).
    w_by_language: float = 0.5
    word_features: int = 20_000
    char_features: int = 20_000
    seed: int = 13


@dataclass
class Thresholds:
    """Per language: coarse score threshold, discount on "Other", sub-narrative threshold,
    the score the best narrative needs to beat "Other" outright (``min_best``), and the
    fraction of the best narrative's score a runner-up needs (``ratio``, 0: none)."""

    coarse: float = 0.3
    other_discount: float = 0.0
    fine: float = 0.3
    min_best: float = -1.0  # below every ridge score in practice: off
    ratio: float = 0.0


def domain_of(label: str) -> str:
    return label.split(":", 1)[0]


@dataclass
class SimFeatures:
    """Similarity of an article's sentences to each label's descriptions (standardised)."""

    vectors: np.ndarray  # (n_descriptions, 512) float32
    owner: np.ndarray  # (n_descriptions,) index into ``labels``
    labels: list[str]
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    std: np.ndarray = field(default_factory=lambda: np.ones(0, dtype=np.float32))

    def per_sentence(self, vectors: np.ndarray) -> np.ndarray:
        """(n_sentences, n_labels): best cosine of each sentence to each label's texts."""
        if not len(vectors):
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        sims = vectors.astype(np.float32) @ self.vectors.T.astype(np.float32)
        # Descriptions are stored label by label, so each label's columns are one run.
        starts = np.flatnonzero(np.r_[True, self.owner[1:] != self.owner[:-1]])
        return np.maximum.reduceat(sims, starts, axis=1)

    def raw(self, article: Encoded) -> np.ndarray:
        per = self.per_sentence(article.vectors)
        if not len(per):
            return np.zeros(2 * len(self.labels), dtype=np.float32)
        top = np.sort(per, axis=0)[::-1][:TOP_SENTENCES].mean(axis=0)
        return np.concatenate([per.max(axis=0), top]).astype(np.float32)

    def fit(self, articles: Sequence[Encoded]) -> SimFeatures:
        raw = np.stack([self.raw(a) for a in articles])
        self.mean = raw.mean(axis=0)
        self.std = raw.std(axis=0) + 1e-3
        return self

    def transform(self, raw: np.ndarray) -> np.ndarray:
        scale = np.sqrt(raw.shape[1])  # the block's squared norm is ~1 on average
        return ((raw - self.mean) / self.std / scale).astype(np.float32)


def mean_vector(article: Encoded) -> np.ndarray:
    if not len(article.vectors):
        return np.zeros(512, dtype=np.float32)
    v = article.vectors.mean(axis=0)
    return (v / (np.linalg.norm(v) + 1e-8)).astype(np.float32)


def lang_vector(lang: str) -> np.ndarray:
    return np.array([float(lang == c) for c in LANG_CODES], dtype=np.float32)


@dataclass
class FeatureSpace:
    """Turns articles (or single sentences) into named feature blocks."""

    word: NgramBlock
    char: NgramBlock
    sim: SimFeatures

    def blocks(
        self, articles: Sequence[Encoded], sim_raw: np.ndarray | None = None
    ) -> dict[str, Any]:
        texts = [a.text for a in articles]
        raw = sim_raw if sim_raw is not None else np.stack([self.sim.raw(a) for a in articles])
        return {
            "word": self.word.transform(texts),
            "char": self.char.transform(texts),
            "use": np.stack([mean_vector(a) for a in articles]),
            "sim": self.sim.transform(raw),
            "lang": np.stack([lang_vector(a.lang) for a in articles]),
        }


BLOCKS = ("word", "char", "use", "sim", "lang")
BY_LANGUAGE = ("use", "sim")  # the blocks with a per-language copy (small, dense)


def block_weights(settings: Settings) -> dict[str, float]:
    return {b: float(getattr(settings, f"w_{b}")) for b in BLOCKS}


def linear_scores(
    blocks: dict[str, Any], weights: dict[str, np.ndarray], bias: np.ndarray
) -> np.ndarray:
    total = np.zeros((next(iter(blocks.values())).shape[0], len(bias)), dtype=np.float32)
    for name, x in blocks.items():
        w = weights[name]
        total += np.asarray(x @ w if sparse.issparse(x) else x.astype(np.float32) @ w)
    return total + bias.astype(np.float32)


def language_scores(blocks: dict[str, Any], by_language: dict[str, np.ndarray]) -> np.ndarray:
    """Scores from the per-language copies: each row uses its own language's weights."""
    langs = np.asarray(blocks["lang"]) > 0  # (n, n_languages) one-hot
    total: np.ndarray | None = None
    for name, w in by_language.items():  # w: (n_languages, n_features, n_labels)
        x = np.asarray(blocks[name], dtype=np.float32)
        if total is None:
            total = np.zeros((x.shape[0], w.shape[2]), dtype=np.float32)
        for j in range(w.shape[0]):
            rows = langs[:, j]
            if rows.any():
                total[rows] += x[rows] @ w[j].astype(np.float32)
    return total if total is not None else np.zeros((len(langs), 0), dtype=np.float32)


@dataclass
class NarrativeModel:
    """Fitted feature space, one linear head per label, and per-language thresholds."""

    features: FeatureSpace
    coarse: list[str]
    fine: list[str]
    children: dict[str, list[str]]
    weights: dict[str, np.ndarray]  # block -> (n_features, n_coarse + n_fine) float16
    bias: np.ndarray
    thresholds: dict[str, Thresholds]
    definitions: dict[str, str]
    info: dict[str, Any] = field(default_factory=dict)
    by_language: dict[str, np.ndarray] = field(default_factory=dict)  # float16, per language

    def head_scores(self, blocks: dict[str, Any]) -> np.ndarray:
        out = linear_scores(blocks, self.weights32(), self.bias)
        if self.by_language:
            out += language_scores(blocks, self.by_language)
        return out

    def scores(self, articles: Sequence[Encoded]) -> tuple[np.ndarray, np.ndarray]:
        """(coarse scores, fine scores), one row per article."""
        if not articles:
            return np.zeros((0, len(self.coarse))), np.zeros((0, len(self.fine)))
        out = self.head_scores(self.features.blocks(articles))
        return out[:, : len(self.coarse)], out[:, len(self.coarse) :]

    def weights32(self) -> dict[str, np.ndarray]:
        """The heads in float32, converted once (they ship as float16 to halve the file)."""
        cached = self.__dict__.get("_weights32")
        if cached is None:
            cached = {k: w.astype(np.float32) for k, w in self.weights.items()}
            self.__dict__["_weights32"] = cached
        return cached

    def thresholds_for(self, lang: str) -> Thresholds:
        return self.thresholds.get(lang, self.thresholds.get("all", Thresholds()))

    def decide(
        self, coarse_scores: np.ndarray, fine_scores: np.ndarray, lang: str
    ) -> tuple[list[str], list[str]]:
        return decide(self, coarse_scores, fine_scores, self.thresholds_for(lang))

    def sentence_scores(self, article: Encoded) -> np.ndarray:
        """(n_sentences, n_coarse + n_fine): each head on each sentence alone, plus similarity."""
        if not article.sentences:
            return np.zeros((0, len(self.coarse) + len(self.fine)), dtype=np.float32)
        singles = [
            Encoded(article.text[s:e], article.lang, [(0, e - s)], article.vectors[i : i + 1])
            for i, (s, e) in enumerate(article.sentences)
        ]
        sim = self.features.sim.per_sentence(article.vectors)
        # For a one-sentence "article" the best and the top-3 mean are that sentence's own.
        blocks = self.features.blocks(singles, sim_raw=np.hstack([sim, sim]))
        head = self.head_scores(blocks)
        head = (head - head.mean(axis=0)) / (head.std(axis=0) + 1e-6)
        index = {label: j for j, label in enumerate(self.features.sim.labels)}
        labels = [*self.coarse, *self.fine]
        sim_all = np.zeros_like(head)
        for k, label in enumerate(labels):
            if label in index:
                column = sim[:, index[label]]
                sim_all[:, k] = (column - column.mean()) / (column.std() + 1e-6)
        return (head + sim_all) / 2

    def evidence(self, article: Encoded, label: str, table: np.ndarray) -> list[tuple[int, float]]:
        """Up to three (sentence index, score) that most support ``label``, best first."""
        labels = [*self.coarse, *self.fine]
        if label not in labels or not len(table):
            return []
        column = table[:, labels.index(label)]
        order = np.argsort(-column, kind="stable")[:MAX_EVIDENCE]
        best = float(column[order[0]])
        # Keep runners-up only when they stand out from the article's average sentence.
        return [
            (int(i), float(column[i]))
            for i in order
            if i == order[0] or column[i] >= min(1.0, best)
        ]

    def save(self, path: str | Path) -> None:

        self.__dict__.pop("_weights32", None)  # derived; the file keeps float16 only
        save_joblib(self, path)

    @classmethod
    def load(cls, path: str | Path) -> NarrativeModel:
        return load_instance(path, cls, "narratives model")


def decide(
    model: NarrativeModel | Any, coarse_scores: np.ndarray, fine_scores: np.ndarray, t: Thresholds
) -> tuple[list[str], list[str]]:
    """Label sets from one article's scores.

    "Other" wins when its (discounted) score beats every narrative, or when no narrative
    reaches ``min_best``; otherwise the narratives at or above the threshold and at or above
    ``ratio`` times the best score, at least the best one, all from the best one's domain.
    Each chosen narrative gets its sub-narratives at or above the fine threshold, at least its
    best one (which may be "<narrative>: Other").
    """
    coarse, fine, children = model.coarse, model.fine, model.children
    other = coarse.index(OTHER) if OTHER in coarse else -1
    candidates = [j for j in range(len(coarse)) if j != other]
    best = max(candidates, key=lambda j: coarse_scores[j])
    best_score = coarse_scores[best]
    if other >= 0 and (
        coarse_scores[other] - t.other_discount > best_score or best_score < t.min_best
    ):
        return [OTHER], [OTHER]
    domain = domain_of(coarse[best])
    cut = max(t.coarse, t.ratio * best_score)
    chosen = [
        j
        for j in candidates
        if (j == best or coarse_scores[j] >= cut) and domain_of(coarse[j]) == domain
    ]
    chosen.sort(key=lambda j: -coarse_scores[j])
    fine_index = {label: k for k, label in enumerate(fine)}
    subs: list[str] = []
    for j in chosen:
        kids = [fine_index[c] for c in children.get(coarse[j], []) if c in fine_index]
        if not kids:
            subs.append(f"{coarse[j]}: {OTHER}")
            continue
        top = max(kids, key=lambda k: fine_scores[k])
        subs.extend(fine[k] for k in kids if k == top or fine_scores[k] >= t.fine)
    return [coarse[j] for j in chosen], subs


def shipped_model_path() -> Path:
    return Path(str(resources.files("narrascope") / "models" / "narratives" / MODEL_FILE))


@cache
def shipped_model() -> NarrativeModel:
    return NarrativeModel.load(shipped_model_path())
