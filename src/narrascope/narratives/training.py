"""Fitting the narrative model, choosing thresholds, and (nested) cross-validation.

Everything below reads a list of ``Article`` and their ``Encoded`` form (sentence vectors are
the slow part: callers cache them). Thresholds are always chosen on out-of-fold scores of the
training documents only (``commands.cross_validate`` refits everything inside each outer fold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy import sparse

from narrascope.narratives.data import OTHER, Article, Taxonomy
from narrascope.narratives.features import DualRidge, NgramBlock
from narrascope.narratives.model import (
    BLOCKS,
    BY_LANGUAGE,
    Encoded,
    FeatureSpace,
    NarrativeModel,
    Settings,
    SimFeatures,
    Thresholds,
    block_weights,
    decide,
)
from narrascope.narratives.scoring import samples_f1

COARSE_GRID = np.round(np.arange(0.1, 0.71, 0.05), 3)
OTHER_GRID = np.round(np.arange(-0.3, 0.31, 0.1), 3)
FINE_GRID = np.round(np.arange(0.05, 0.71, 0.05), 3)
MIN_BEST_GRID = np.round(np.arange(0.0, 0.41, 0.05), 3)
RATIO_GRID = (0.5, 0.6, 0.7, 0.8)


class LabelSpace:
    """Coarse and fine labels seen in training, with the taxonomy's parent -> children map."""

    def __init__(self, articles: Sequence[Article], taxonomy: Taxonomy) -> None:
        seen_c = {label for a in articles for label in a.narratives}
        seen_f = {label for a in articles for label in a.subnarratives} - {OTHER}
        self.coarse = sorted(seen_c)
        self.fine = sorted(seen_f)
        self.children = {
            c: [f for f in kids if f in seen_f] for c, kids in taxonomy.children.items()
        }

    def targets(self, articles: Sequence[Article]) -> np.ndarray:
        labels = [*self.coarse, *self.fine]
        index = {label: j for j, label in enumerate(labels)}
        y = np.zeros((len(articles), len(labels)), dtype=np.float64)
        for i, a in enumerate(articles):
            for label in [*a.narratives, *a.subnarratives]:
                if label in index:
                    y[i, index[label]] = 1.0
        return y


def description_vectors(taxonomy: Taxonomy, labels: Sequence[str]) -> SimFeatures:
    from narrascope.narratives.encoder import encode

    texts, owner, names = [], [], []
    for label in labels:
        descs = taxonomy.descriptions.get(label, [])
        if not descs:
            continue
        names.append(label)
        texts.extend(descs)
        owner.extend([len(names) - 1] * len(descs))
    return SimFeatures(encode(texts), np.asarray(owner, dtype=np.int32), names)


def fit_space(articles: Sequence[Encoded], sim: SimFeatures, settings: Settings) -> FeatureSpace:
    texts = [a.text for a in articles]
    word = NgramBlock.fit(texts, "word", (1, 2), settings.word_features, min_df=2)
    char = NgramBlock.fit(texts, "char_wb", (3, 5), settings.char_features, min_df=3)
    fitted = SimFeatures(sim.vectors, sim.owner, sim.labels).fit(articles)
    return FeatureSpace(word, char, fitted)


def block_kernels(rows: dict[str, Any], cols: dict[str, Any]) -> dict[str, np.ndarray]:
    out = {}
    for name in BLOCKS:
        a, b = rows[name], cols[name]
        k = a @ b.T
        out[name] = np.asarray(k.toarray() if sparse.issparse(k) else k, dtype=np.float64)
    return out


def combine(kernels: dict[str, np.ndarray], settings: Settings) -> np.ndarray:
    weights = block_weights(settings)
    total = sum(weights[n] ** 2 * kernels[n] for n in BLOCKS)
    if settings.w_by_language:
        # The one-hot language kernel is 1 for two articles of the same language, 0 otherwise:
        # multiplying by it adds a copy of these blocks that only same-language articles share.
        same = sum(kernels[n] for n in BY_LANGUAGE) * kernels["lang"]
        total = total + settings.w_by_language**2 * same
    return total  # type: ignore[return-value]


def oof_scores(
    kernel: np.ndarray, y: np.ndarray, alpha: float, folds: int, seed: int
) -> np.ndarray:
    """Out-of-fold ridge scores from a precomputed kernel."""
    from sklearn.model_selection import KFold

    out = np.zeros_like(y)
    for tr, te in KFold(folds, shuffle=True, random_state=seed).split(y):
        ridge = DualRidge(kernel[np.ix_(tr, tr)], y[tr])
        out[te] = ridge.scores(kernel[np.ix_(te, tr)], alpha)
    return out


def _f1s(
    space: Any, scores: np.ndarray, gold: Sequence[Article], t: Thresholds
) -> tuple[float, float]:
    n = len(space.coarse)
    preds = [decide(space, s[:n], s[n:], t) for s in scores]
    coarse = samples_f1([a.narratives for a in gold], [p[0] for p in preds])
    fine = samples_f1([a.subnarratives for a in gold], [p[1] for p in preds])
    return coarse, fine


def choose_thresholds(
    space: Any, scores: np.ndarray, articles: Sequence[Article]
) -> dict[str, Thresholds]:
    """Per language (and "all"): the grid point with the best out-of-fold samples-F1."""
    groups: dict[str, list[int]] = {"all": list(range(len(articles)))}
    for i, a in enumerate(articles):
        groups.setdefault(a.lang, []).append(i)
    chosen = {}
    for lang, idx in groups.items():
        sub_scores, sub_gold = scores[idx], [articles[i] for i in idx]
        best_t, best = Thresholds(), -1.0
        for tc in COARSE_GRID:
            for od in OTHER_GRID:
                t = Thresholds(float(tc), float(od), 0.3)
                value = sum(_f1s(space, sub_scores, sub_gold, t))
                if value > best + 1e-9:
                    best_t, best = t, value
        # Then, one at a time (kept only where they help on these out-of-fold scores): an
        # absolute floor for the best narrative, and a cut relative to the best score.
        for field, grid in (("min_best", MIN_BEST_GRID), ("ratio", RATIO_GRID)):
            for v in grid:
                t = replace(best_t, **{field: float(v)})
                value = sum(_f1s(space, sub_scores, sub_gold, t))
                if value > best + 1e-9:
                    best_t, best = t, value
        best_f = -1.0
        for tf in FINE_GRID:
            t = replace(best_t, fine=float(tf))
            value = _f1s(space, sub_scores, sub_gold, t)[1]
            if value > best_f + 1e-9:
                best_f, chosen[lang] = value, t
    return chosen


def fit_model(
    articles: Sequence[Article],
    encoded: Sequence[Encoded],
    taxonomy: Taxonomy,
    sim: SimFeatures,
    settings: Settings,
    folds: int = 5,
    info: dict[str, Any] | None = None,
    return_oof: bool = False,
) -> Any:
    """Fit on all ``articles``; thresholds from ``folds``-fold out-of-fold scores.

    With ``return_oof``, also the out-of-fold scores (coarse then fine columns), which the
    framing model trains on as the narrative context it will see at run time.
    """
    space = LabelSpace(articles, taxonomy)
    features = fit_space(encoded, sim, settings)
    blocks = features.blocks(encoded)
    kernel = combine(block_kernels(blocks, blocks), settings)
    y = space.targets(articles)
    oof = oof_scores(kernel, y, settings.alpha, folds, settings.seed)
    thresholds = choose_thresholds(space, oof, articles)
    ridge = DualRidge(kernel, y)
    dual = ridge.coefficients(settings.alpha)
    weights = {}
    for name, w in block_weights(settings).items():
        x = blocks[name]
        primal = (x.T @ dual) * w**2
        weights[name] = np.asarray(primal, dtype=np.float16)
    bias = (dual.sum(axis=0) + ridge.mean).astype(np.float32)
    by_language = {}
    if settings.w_by_language:
        langs = np.asarray(blocks["lang"]) > 0
        for name in BY_LANGUAGE:
            x = np.asarray(blocks[name], dtype=np.float64)
            per = [x[langs[:, j]].T @ dual[langs[:, j]] for j in range(langs.shape[1])]
            by_language[name] = (np.stack(per) * settings.w_by_language**2).astype(np.float16)
    model = NarrativeModel(
        features,
        space.coarse,
        space.fine,
        space.children,
        weights,
        bias,
        thresholds,
        dict(taxonomy.definitions),
        dict(info or {}),
        by_language,
    )
    return (model, oof) if return_oof else model
