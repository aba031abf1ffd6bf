"""Targeted CV of the PTC span tagger with a USE sentence-vector block in the sentence classifier.

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python bench/si_use_cv.py --weights 0.5,1,2

Same folds, seed, settings and decoding grid as ``narrascope train techniques``' SI
cross-validation (``train_span_tagger``), so the baseline row reproduces the card's SI F1. The
variants add the multilingual USE vector (``narrascope.narratives.encoder``) of each sentence,
times a weight, as a dense block of the sentence classifier ("does this sentence hold a
technique span?"); the token tagger and the phrase classifier are shared by every variant.
Sentence vectors, word clusters, token and phrase out-of-fold scores are cached in ``--cache``
(default /tmp/si-use) so that trying weights only refits the sentence classifier. Prints one
JSON line per variant: the decoding ``choose_decoding`` picks, and the best SI F1 overall.
"""

from __future__ import annotations

import argparse
import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack

from narrascope.paths import SHARED_DATA
from narrascope.techniques.commands import SI_SETTINGS
from narrascope.techniques.data import read_articles, read_span_labels, spans_by_article
from narrascope.techniques.features import hash_features, sentence_bounds
from narrascope.techniques.model import sentence_matrix
from narrascope.techniques.train import (
    _fit_token_model,
    _sentence_vectorizers,
    article_folds,
    choose_decoding,
    decoding_grid,
    long_span_grid,
    span_training_rows,
    train_phrase_tagger,
    word_clusters_for,
)


def cached(path: Path, compute: Any) -> Any:
    """``compute()``, pickled at ``path`` (read back when already there)."""
    if path.exists():
        return pickle.loads(path.read_bytes())
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(value))
    return value


def sentence_vectors(sentences: list[str]) -> np.ndarray:
    from narrascope.narratives.encoder import encode, single_thread

    unique = sorted(set(sentences))
    with single_thread():
        vectors = np.vstack([encode(unique[i : i + 256]) for i in range(0, len(unique), 256)])
    row = {t: i for i, t in enumerate(unique)}
    return vectors[[row[t] for t in sentences]]


def fit_sentence(x: csr_matrix, y: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    """The sentence classifier of ``train._fit_sentence_model`` on a given matrix."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=2.0, solver="liblinear", class_weight="balanced", random_state=seed)
    clf.fit(x, y)
    return clf.coef_[0], float(clf.intercept_[0])


@dataclass
class SparseOOF:
    """The SI training data and the sparse models' out-of-fold scores, as the train command
    computes them (everything but the sentence classifier, which the benches vary)."""

    articles: dict[str, str]
    gold: dict[str, Any]
    ids: list[str]
    data: Any  # train.SpanTrainingRows
    oof_tok: np.ndarray
    phrase_oof: dict[str, Any]
    sentence_clusters: dict[str, int] | None
    sent_fold: np.ndarray


def load_sparse_oof(ptc: Path, cache: Path, folds: int, seed: int, log: Any) -> SparseOOF:
    settings = SI_SETTINGS
    articles = read_articles(ptc / "train-articles")
    gold = spans_by_article(read_span_labels(ptc / "train-task-si.labels"))
    ids = sorted(articles)
    clusters = cached(
        cache / "clusters.pkl", lambda: word_clusters_for(articles, settings, seed, log)
    )
    sentence_clusters = clusters if settings.get("sentence_clusters") else None
    token_clusters = clusters if settings.get("token_clusters") else None
    fold_of = article_folds(ids, folds, seed)

    # the token tagger and sentence labels, exactly as train_span_tagger builds them
    data = span_training_rows(articles, gold, ids, settings["sentence_words"], token_clusters)
    rows, meta = data.rows, data.meta
    y_tok = np.asarray(data.labels)
    tok_fold = np.concatenate([[fold_of[a]] * len(meta[a][0]) for a in ids]).astype(int)
    sent_fold = np.asarray([fold_of[a] for a in ids for _ in sentence_bounds(articles[a])])

    def token_oof() -> np.ndarray:
        x_tok = hash_features(rows, 2 ** settings["hash_bits"])
        out = np.zeros(len(y_tok), dtype=np.float32)
        for k in range(folds):
            tr, te = tok_fold != k, tok_fold == k
            coef, b = _fit_token_model(x_tok[tr], y_tok[tr], settings["alpha"], seed)
            out[te] = 1 / (1 + np.exp(-(x_tok[te] @ coef + b)))
        return out

    oof_tok = cached(cache / "token_oof.pkl", token_oof)
    phrase_oof = cached(
        cache / "phrase_oof.pkl",
        lambda: train_phrase_tagger(articles, gold, folds, seed, settings, log, clusters)[0],
    )
    return SparseOOF(articles, gold, ids, data, oof_tok, phrase_oof, sentence_clusters, sent_fold)


def sentence_oof(
    oof: SparseOOF, folds: int, seed: int, weights: list[float], use: np.ndarray | None, log: Any
) -> dict[float, np.ndarray]:
    """Out-of-fold sentence-classifier probabilities with the USE block at each weight."""
    sent_text, y_sent = oof.data.sent_text, np.asarray(oof.data.sent_label)
    out = {w: np.zeros(len(y_sent), dtype=np.float32) for w in weights}
    for k in range(folds):
        tr, te = np.where(oof.sent_fold != k)[0], np.where(oof.sent_fold == k)[0]
        vecs = _sentence_vectorizers(oof.sentence_clusters)
        x_tr = hstack([v.fit_transform([sent_text[i] for i in tr]) for v in vecs]).tocsr()
        x_te = sentence_matrix(vecs, [sent_text[i] for i in te])
        for w in weights:
            blocks_tr, blocks_te = x_tr, x_te
            if w and use is not None:
                blocks_tr = hstack([x_tr, csr_matrix(use[tr] * w)]).tocsr()
                blocks_te = hstack([x_te, csr_matrix(use[te] * w)]).tocsr()
            coef, b = fit_sentence(blocks_tr, y_sent[tr], seed)
            out[w][te] = 1 / (1 + np.exp(-(blocks_te @ coef + b)))
        log({"sentence_fold": k, "done": True})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ptc", type=Path, default=SHARED_DATA / "ptc")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/si-use"))
    parser.add_argument("--weights", default="0.5,1,2")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    settings, seed, folds = SI_SETTINGS, args.seed, args.folds

    def log(row: dict[str, Any]) -> None:
        print(json.dumps(row), flush=True)

    oof = load_sparse_oof(args.ptc, args.cache, folds, seed, log)
    articles, gold, ids, data = oof.articles, oof.gold, oof.ids, oof.data
    meta, sent_offset, y_sent = data.meta, data.sent_offset, np.asarray(data.sent_label)
    use = cached(args.cache / "sentence_use.pkl", lambda: sentence_vectors(data.sent_text))
    log({"cached": True, "sentences": len(data.sent_text), "tokens": len(oof.oof_tok)})

    weights = [0.0] + [float(w) for w in args.weights.split(",")]
    oof_sent = sentence_oof(oof, folds, seed, weights, use, log)

    gold_spans = {a: [(g.start, g.end) for g in gold.get(a, [])] for a in ids}
    for w in weights:
        long_spans = long_span_grid(articles, meta, oof.oof_tok, oof_sent[w], sent_offset, settings)
        results = decoding_grid(
            gold_spans, long_spans, oof.phrase_oof, settings["phrase_thresholds"]
        )
        best = choose_decoding(results, settings["tolerance"])
        sentence_auc = _auc(y_sent, oof_sent[w])
        log(
            {
                "use_sentence_weight": w,
                "chosen": best,
                "si_top": max(r["si_f1"] for r in results),
                "sentence_auc": round(sentence_auc, 4),
            }
        )


def _auc(y: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores))


if __name__ == "__main__":
    main()
