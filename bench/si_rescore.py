"""Experiment: a second-stage span rescorer for SI, nested-cross-validated.

The shipped span tagger keeps phrases and runs by fixed thresholds on mixed probabilities.
Here the decoding of the train command runs with low thresholds (more, weaker spans), and a
gradient-boosted regressor predicts each span's precision credit (the share of its characters
inside a gold span) from what the span models say of it: its own score, its kind (phrase or
run), the sentence classifier's and the encoder's probabilities, length, quotes, how many
other spans its sentence holds. Spans whose predicted credit falls below a cut are dropped.

Everything is nested: the out-of-fold span scores are those of the train command (folds by
article, seed 13); the rescorer for fold k is fitted on the other folds' spans; the cut for
fold k is chosen on the other folds' out-of-fold rescorer predictions. Prints the SI F1 of
the shipped decoding (plain, i.e. chosen on all folds) and of the rescored spans (nested).

    PYTHONPATH=src .venv/bin/python bench/si_rescore.py   # about 10 minutes the first time
    (the span models' out-of-fold scores are cached in /tmp/si-rescore.pkl)
"""

from __future__ import annotations

import bisect
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.paths import SHARED_DATA
from narrascope.techniques.commands import SI_SETTINGS
from narrascope.techniques.data import read_articles, read_span_labels, spans_by_article
from narrascope.techniques.model import combine_spans, hash_features
from narrascope.techniques.neural import shipped_encoder_path
from narrascope.techniques.scoring import si_counts, si_from_counts
from narrascope.techniques.train import (
    article_folds,
    long_span_grid,
    phrase_grid,
    span_training_rows,
    token_and_sentence_oof,
    train_phrase_tagger,
    word_clusters_for,
)

CACHE = Path("/tmp/si-rescore.pkl")
SHIPPED = {"ew": 0.8, "pw": 0.9, "blend": 0.85, "low": 0.15, "high": 0.35, "gap": 1, "pt": 0.3}
POOL = {"low": 0.1, "high": 0.25, "pt": 0.1}  # the looser decoding the rescorer reads


def out_of_fold_scores() -> dict[str, Any]:
    if CACHE.exists():
        return pickle.loads(CACHE.read_bytes())
    from narrascope.techniques.neural import SpanEncoder

    ptc = SHARED_DATA / "ptc"
    articles = read_articles(ptc / "train-articles")
    gold = spans_by_article(read_span_labels(ptc / "train-task-si.labels"))
    encoder_oof = SpanEncoder.load(shipped_encoder_path()).info["oof"]
    settings, seed, folds = SI_SETTINGS, 13, 5
    ids = sorted(articles)
    clusters = word_clusters_for(articles, settings, seed, lambda _: None)
    data = span_training_rows(articles, gold, ids, settings["sentence_words"], None)
    x_tok = hash_features(data.rows, 2 ** settings["hash_bits"])
    fold_of = article_folds(ids, folds, seed)
    oof_tok, oof_sent, _ = token_and_sentence_oof(
        articles, data, x_tok, fold_of, seed, settings, (clusters, None), lambda _: None
    )
    phrase_oof, _, _ = train_phrase_tagger(
        articles, gold, folds, seed, settings, lambda _: None, clusters
    )
    out = {
        "articles": articles,
        "gold": {a: [(g.start, g.end) for g in gold.get(a, [])] for a in ids},
        "meta": data.meta,
        "sent_offset": data.sent_offset,
        "oof_tok": oof_tok,
        "oof_sent": oof_sent,
        "phrase_oof": phrase_oof,
        "encoder_oof": encoder_oof,
        "fold_of": fold_of,
    }
    CACHE.write_bytes(pickle.dumps(out))
    return out


def decoded(d: dict[str, Any], low: float, high: float, pt: float) -> dict[str, list]:
    """Each article's spans of the train command's decoding at these thresholds (the shipped
    encoder weights, blend and gap), with phrase spans marked: (start, end, score, is_phrase)."""
    grid = {
        "encoder_weights": [SHIPPED["ew"]],
        "blends": [SHIPPED["blend"]],
        "lows": [low],
        "rises": [high - low],
        "gaps": [SHIPPED["gap"]],
    }
    # one setting each, so each grid holds one entry
    (runs,) = long_span_grid(
        d["articles"], d["meta"], d["oof_tok"], d["oof_sent"], d["sent_offset"], grid,
        d["encoder_oof"],
    ).values()  # fmt: skip
    (phrases,) = phrase_grid(d["phrase_oof"], [pt], d["encoder_oof"], [SHIPPED["pw"]]).values()
    out = {}
    for a, short in phrases.items():
        kinds = {(s, e) for s, e, _ in short}
        out[a] = [(s, e, p, (s, e) in kinds) for s, e, p in combine_spans(short, runs[a], "add")]
    return out


def spans_with_features(d: dict[str, Any], a: str, spans: list):  # type: ignore[no-untyped-def]
    """Article ``a``'s decoded spans (from :func:`decoded`) and one feature row per span."""
    text = d["articles"][a]
    toks, sent, off = d["meta"][a]
    enc = d["encoder_oof"][a].astype(np.float32)
    p_tok_sparse = d["oof_tok"][off : off + len(toks)]
    sent_ids = np.asarray(sent, dtype=int)
    p_sent_by_sentence = (
        d["oof_sent"][d["sent_offset"][a] + np.arange(sent_ids.max() + 1)] if toks else np.zeros(0)
    )
    art, cands, pprobs = d["phrase_oof"][a]
    raw = {
        (art.toks[i][0], art.toks[j - 1][1]): float(p)
        for (i, j), p in zip(cands, pprobs, strict=True)
    }
    starts = [t[0] for t in toks]
    rows = []
    per_sentence: dict[int, int] = {}
    located = []
    for s, e, _, _ in spans:
        i = bisect.bisect_left(starts, s)
        j = max(i + 1, bisect.bisect_left(starts, e))
        k = int(sent_ids[min(i, len(sent_ids) - 1)]) if len(sent_ids) else 0
        per_sentence[k] = per_sentence.get(k, 0) + 1
        located.append((i, j, k))
    for (s, e, score, is_phrase), (i, j, k) in zip(spans, located, strict=True):
        words = text[s:e]
        before = text[max(0, s - 1) : s]
        after = text[e : e + 1]
        rows.append(
            [
                score,
                float(is_phrase),
                raw.get((s, e), 0.0),
                float(enc[i:j].mean()) if j > i else 0.0,
                float(enc[i:j].max()) if j > i else 0.0,
                float(p_tok_sparse[i:j].mean()) if j > i else 0.0,
                float(p_tok_sparse[i:j].max()) if j > i else 0.0,
                float(p_sent_by_sentence[k]) if len(p_sent_by_sentence) else 0.0,
                np.log1p(e - s),
                j - i,
                per_sentence[k],
                float(words[:1].isupper()),
                float(before in "\"'“‘" and before != ""),
                float(after in "\"'”’" and after != ""),
                float("!" in words or "?" in words),
                s / max(len(text), 1),
            ]
        )
    return [(s, e) for s, e, _, _ in spans], np.asarray(rows, dtype=np.float32).reshape(-1, 16)


def credit(spans, gold):  # type: ignore[no-untyped-def]
    out = []
    for s, e in spans:
        inside = sum(max(0, min(e, ge) - max(s, gs)) for gs, ge in gold)
        out.append(min(1.0, inside / max(e - s, 1)))
    return np.asarray(out, dtype=np.float32)


def main() -> None:
    for arg in sys.argv[1:]:  # low=0.15 high=0.35 pt=0.3: the pool's decoding
        key, value = arg.split("=")
        POOL[key] = float(value)
    d = out_of_fold_scores()
    ids = sorted(d["articles"])
    fold_of = d["fold_of"]
    gold = d["gold"]
    shipped_spans = decoded(d, SHIPPED["low"], SHIPPED["high"], SHIPPED["pt"])
    shipped = {a: [(s, e) for s, e, _, _ in shipped_spans[a]] for a in ids}
    base = si_from_counts(si_counts(gold, shipped, ids).sum(axis=0))
    result: dict[str, Any] = {
        "pool": POOL,
        "shipped_decoding_plain": {k: round(v, 4) for k, v in base.items()},
    }
    pool_spans = decoded(d, POOL["low"], POOL["high"], POOL["pt"])
    pool = {a: spans_with_features(d, a, pool_spans[a]) for a in ids}
    y = {a: credit(pool[a][0], gold[a]) for a in ids}
    from sklearn.ensemble import HistGradientBoostingRegressor

    # out-of-fold rescorer predictions
    pred: dict[str, np.ndarray] = {}
    for k in range(5):
        train = [a for a in ids if fold_of[a] != k and len(pool[a][0])]
        x = np.concatenate([pool[a][1] for a in train])
        t = np.concatenate([y[a] for a in train])
        model = HistGradientBoostingRegressor(
            max_iter=200,
            learning_rate=0.05,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            random_state=13,
        ).fit(x, t)
        for a in ids:
            if fold_of[a] == k:
                pred[a] = model.predict(pool[a][1]) if len(pool[a][0]) else np.zeros(0)
    cuts = np.round(np.arange(0.05, 0.61, 0.025), 3)
    counts = []
    for c in cuts:
        kept = {a: [sp for sp, p in zip(pool[a][0], pred[a], strict=True) if p >= c] for a in ids}
        counts.append(si_counts(gold, kept, ids))
    counts_arr = np.stack(counts)  # cuts x articles x 4
    fold_arr = np.asarray([fold_of[a] for a in ids])
    total = np.zeros(4)
    chosen = []
    for k in range(5):
        others = counts_arr[:, fold_arr != k].sum(axis=1)
        best = int(np.argmax([si_from_counts(r)["f1"] for r in others]))
        chosen.append(float(cuts[best]))
        total += counts_arr[best, fold_arr == k].sum(axis=0)
    result["rescored_nested"] = {k: round(v, 4) for k, v in si_from_counts(total).items()}
    result["cuts_chosen"] = chosen
    result["rescored_plain_by_cut"] = {
        float(c): round(si_from_counts(counts_arr[n].sum(axis=0))["f1"], 4)
        for n, c in enumerate(cuts)
    }
    pool_score = si_from_counts(si_counts(gold, {a: pool[a][0] for a in ids}, ids).sum(axis=0))
    result["pool_unfiltered"] = {k: round(v, 4) for k, v in pool_score.items()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
