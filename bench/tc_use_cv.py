"""Targeted CV of the PTC technique classifier with a USE sentence-vector block added.

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python bench/tc_use_cv.py --weights 0.5,1,2

Same folds, seed, settings and labelling as ``narrascope train techniques``' TC cross-validation
(``train_classifier``), so the baseline row reproduces the card's TC micro-F1. Adds the
multilingual USE vector (``narrascope.narratives.encoder``) of the span text and/or of the
sentence(s) holding it as an extra dense block times a weight. The vectors are cached in
``--cache`` (default /tmp/tc-use) so that trying weights does not re-encode. Prints one JSON
line per variant.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.svm import LinearSVC

from narrascope.paths import SHARED_DATA
from narrascope.techniques.commands import TC_SETTINGS
from narrascope.techniques.data import read_articles, read_span_labels
from narrascope.techniques.model import build_span_matrix
from narrascope.techniques.scoring import tc_micro_f1
from narrascope.techniques.train import _fit_tc, _tc_inputs, article_folds, assign_labels


def cached_vectors(name: str, texts: list[str], cache: Path) -> np.ndarray:
    from narrascope.narratives.encoder import encode, single_thread

    path = cache / f"{name}.npy"
    if path.exists():
        return np.load(path)
    unique = sorted(set(texts))
    with single_thread():
        vectors = encode(unique)
    row = {t: i for i, t in enumerate(unique)}
    out = vectors[[row[t] for t in texts]]
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


def with_block(
    base: csr_matrix, use: dict[str, np.ndarray], block: str, weight: float, idx: np.ndarray
) -> csr_matrix:
    """The baseline rows with the chosen USE block (rows ``idx``) times ``weight`` added."""
    if block == "none":
        return base
    return hstack([base, csr_matrix(use[block][idx] * weight)]).tocsr()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ptc", type=Path, default=SHARED_DATA / "ptc")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/tc-use"))
    parser.add_argument("--weights", default="0.5,1,2")
    parser.add_argument("--blocks", default="span,sentence,both")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    articles = read_articles(args.ptc / "train-articles")
    spans = read_span_labels(args.ptc / "train-task-flc-tc.labels")
    texts, contexts, dense, sentences = _tc_inputs(articles, spans)
    use = {
        "span": cached_vectors("span", texts, args.cache),
        "sentence": cached_vectors("sentence", sentences, args.cache),
    }
    use["both"] = np.hstack([use["span"], use["sentence"]])
    y = np.asarray([g.technique for g in spans])
    fold_of = article_folds(list(articles), args.folds, args.seed)
    fold = np.asarray([fold_of[g.article] for g in spans])
    classes = sorted(set(y))
    # the TF-IDF and cue blocks only; this script adds the USE blocks itself
    weights = {k: v for k, v in TC_SETTINGS["weights"].items() if not k.startswith("use_")}
    variants = [("none", 0.0)] + [
        (block, float(w)) for block in args.blocks.split(",") for w in args.weights.split(",")
    ]
    oof = {v: np.zeros((len(spans), len(classes)), dtype=np.float32) for v in variants}
    for k in range(args.folds):
        tr, te = np.where(fold != k)[0], np.where(fold == k)[0]
        vecs, _, _, _ = _fit_tc(
            [texts[i] for i in tr],
            [contexts[i] for i in tr],
            dense[tr],
            np.zeros((len(tr), 0), dtype=np.float32),
            y[tr],
            TC_SETTINGS["C"],
            weights,
        )
        base = {
            part: build_span_matrix(
                vecs, weights, [texts[i] for i in idx], [contexts[i] for i in idx], [dense[idx]]
            )
            for part, idx in (("tr", tr), ("te", te))
        }
        for block, w in variants:
            x_tr, x_te = (
                with_block(base[p], use, block, w, idx) for p, idx in (("tr", tr), ("te", te))
            )
            clf = LinearSVC(C=TC_SETTINGS["C"]).fit(x_tr, y[tr])
            scores = np.asarray(clf.decision_function(x_te))
            columns = np.asarray([classes.index(c) for c in clf.classes_], dtype=int)
            oof[(block, w)][np.ix_(te, columns)] = scores
        print(json.dumps({"fold": k, "done": True}), flush=True)
    gold = [(g.article, g.start, g.end, g.technique) for g in spans]
    for block, w in variants:
        predicted = assign_labels(spans, oof[(block, w)], classes)
        f1 = tc_micro_f1(gold, predicted)
        print(json.dumps({"block": block, "weight": w, "tc_micro_f1": round(f1, 4)}), flush=True)


if __name__ == "__main__":
    main()
