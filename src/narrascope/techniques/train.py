"""Training and cross-validation of the techniques models.

Folds are by article (every span of an article in the same fold), seeded, so out-of-fold
scores are honest and reproducible. Settings searched here are small grids over decoding
thresholds and blend weights, which only re-read cached out-of-fold scores.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from narrascope.techniques.data import GoldSpan, article_lines
from narrascope.techniques.features import context_of, sentence_bounds, token_features
from narrascope.techniques.model import (
    ParagraphTagger,
    SpanTagger,
    TechniqueClassifier,
    build_span_matrix,
    combine_spans,
    decode_spans,
    hash_features,
    sentence_matrix,
    softmax,
    span_matrix_dense,
)
from narrascope.techniques.phrases import (
    ArticleTokens,
    PhraseTagger,
    candidate_features,
    candidate_labels,
    candidates,
    hashed,
    learn_lexicon,
    lexicon_matrix,
    pick,
)
from narrascope.techniques.scoring import (
    merge_overlapping,
    paragraph_f1,
    si_score,
    tc_micro_f1,
)

Log = Callable[[dict[str, Any]], None]


def article_folds(ids: Sequence[str], folds: int, seed: int) -> dict[str, int]:
    """Article id -> fold number, a seeded shuffle dealt round-robin."""
    order = np.random.default_rng(seed).permutation(sorted(ids))
    return {str(a): i % folds for i, a in enumerate(order)}


# ---------------------------------------------------------------- span identification


def _sentence_vectorizers() -> list[Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32),
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=3,
            max_features=60_000,
            dtype=np.float32,
        ),
    ]


def _fit_sentence_model(sentences: list[str], labels: np.ndarray, seed: int) -> tuple:
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    vecs = _sentence_vectorizers()
    x = hstack([v.fit_transform(sentences) for v in vecs]).tocsr()
    clf = LogisticRegression(C=2.0, solver="liblinear", class_weight="balanced", random_state=seed)
    clf.fit(x, labels)
    for v in vecs:
        v.stop_words_ = None  # not needed for inference; keeps the artifact small
    return vecs, clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def _fit_token_model(x: Any, y: np.ndarray, alpha: float, seed: int) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import SGDClassifier

    clf = SGDClassifier(loss="log_loss", alpha=alpha, max_iter=8, tol=None, random_state=seed)
    clf.fit(x, y)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def train_span_tagger(
    articles: dict[str, str],
    gold: dict[str, list[GoldSpan]],
    folds: int,
    seed: int,
    settings: dict[str, Any],
    log: Log,
) -> tuple[SpanTagger, dict[str, Any]]:
    """Cross-validate the SI tagger (decoding grid on out-of-fold scores), then fit on all."""
    ids = sorted(articles)
    n_features = 2 ** settings["hash_bits"]
    rows: list[list[str]] = []
    labels: list[int] = []
    meta: dict[str, tuple[list[tuple[int, int]], list[int], int]] = {}
    sent_text: list[str] = []
    sent_label: list[int] = []
    sent_offset: dict[str, int] = {}
    for a in ids:
        text = articles[a]
        spans = merge_overlapping((g.start, g.end) for g in gold.get(a, []))
        toks, sent, feats = token_features(text, settings["sentence_words"])
        meta[a] = (toks, sent, len(labels))
        rows += feats
        labels += [int(any(s < ge and gs < e for gs, ge in spans)) for s, e in toks]
        sent_offset[a] = len(sent_text)
        for s, e in sentence_bounds(text):
            sent_text.append(text[s:e])
            sent_label.append(int(any(s < ge and gs < e for gs, ge in spans)))
    x_tok = hash_features(rows, n_features)
    y_tok = np.asarray(labels)
    y_sent = np.asarray(sent_label)
    fold_of = article_folds(ids, folds, seed)
    tok_fold = np.concatenate([[fold_of[a]] * len(meta[a][0]) for a in ids]).astype(int)
    sent_fold = np.asarray(
        [fold_of[a] for a in ids for _ in sentence_bounds(articles[a])], dtype=int
    )
    oof_tok = np.zeros(len(y_tok), dtype=np.float32)
    oof_sent = np.zeros(len(y_sent), dtype=np.float32)
    for k in range(folds):
        tr, te = tok_fold != k, tok_fold == k
        coef, b = _fit_token_model(x_tok[tr], y_tok[tr], settings["alpha"], seed)
        oof_tok[te] = 1 / (1 + np.exp(-(x_tok[te] @ coef + b)))
        str_, ste = np.where(sent_fold != k)[0], np.where(sent_fold == k)[0]
        vecs, scoef, sb = _fit_sentence_model([sent_text[i] for i in str_], y_sent[str_], seed)
        xs = sentence_matrix(vecs, [sent_text[i] for i in ste])
        oof_sent[ste] = 1 / (1 + np.exp(-(xs @ scoef + sb)))
        log({"si_fold": k, "done": True})
    gold_spans = {a: [(g.start, g.end) for g in gold.get(a, [])] for a in ids}
    long_spans: dict[tuple, dict[str, list]] = {}
    for blend, low, rise, gap in itertools.product(
        settings["blends"], settings["lows"], settings["rises"], settings["gaps"]
    ):
        predicted = {}
        for a in ids:
            toks, sent, off = meta[a]
            p_tok = oof_tok[off : off + len(toks)]
            p_sent = oof_sent[sent_offset[a] + np.asarray(sent, dtype=int)] if toks else p_tok
            probs = p_tok ** (1 - blend) * p_sent**blend
            predicted[a] = decode_spans(articles[a], toks, sent, probs, low, low + rise, gap)
        long_spans[(blend, low, round(low + rise, 3), gap)] = predicted
    phrase_oof, phrases = train_phrase_tagger(articles, gold, folds, seed, settings, log)
    results = decoding_grid(gold_spans, long_spans, phrase_oof, settings["phrase_thresholds"])
    best = choose_decoding(results, settings["tolerance"])
    log({"si_best": best, "si_top": max(r["si_f1"] for r in results)})
    phrases.threshold = best["phrase_threshold"]
    coef, b = _fit_token_model(x_tok, y_tok, settings["alpha"], seed)
    vecs, scoef, sb = _fit_sentence_model(sent_text, y_sent, seed)
    tagger = SpanTagger(
        n_features=n_features,
        use_sentence_words=settings["sentence_words"],
        token_coef=coef.astype(np.float16),
        token_intercept=b,
        sentence_vectorizers=vecs,
        sentence_coef=scoef.astype(np.float16),
        sentence_intercept=sb,
        blend=best["blend"],
        low=best["low"],
        high=best["high"],
        gap=best["gap"],
        phrases=phrases,
        mode=best["mode"],
    )
    by_mode = {
        f"{m} blend={b}": max(
            (r for r in results if (r["mode"], r["blend"]) == (m, b)), key=lambda r: r["si_f1"]
        )
        for m, b in sorted({(r["mode"], r["blend"]) for r in results})
    }
    return tagger, {"best": best, "grid_size": len(results), "best_by_mode": by_mode}


def decoding_grid(
    gold_spans: dict[str, list[tuple[int, int]]],
    long_spans: dict[tuple, dict[str, list]],
    phrase_oof: dict[str, tuple[ArticleTokens, list[tuple[int, int]], np.ndarray]],
    thresholds: Sequence[float],
) -> list[dict[str, Any]]:
    """SI scores of every decoding: token-decoder settings x phrase threshold x combination."""
    short_spans = {
        t: {a: pick(art, cands, probs, t) for a, (art, cands, probs) in phrase_oof.items()}
        for t in thresholds
    }
    results = []

    def add(mode: str, key: tuple, t: float, predicted: dict[str, list]) -> None:
        score = si_score(gold_spans, {a: [(s, e) for s, e, _ in p] for a, p in predicted.items()})
        blend, low, high, gap = key
        row = {"mode": mode, "blend": blend, "low": low, "high": high, "gap": gap}
        row["phrase_threshold"] = t
        results.append(row | {f"si_{k}": round(v, 4) for k, v in score.items()})

    first = next(iter(long_spans))
    for t, short in short_spans.items():
        add("phrases", first, t, short)
    for key, long in long_spans.items():
        add("long", key, thresholds[0], long)
        for t, short in short_spans.items():
            for mode in ("add", "union"):
                add(mode, key, t, {a: combine_spans(short[a], long[a], mode) for a in long})
    return results


def train_phrase_tagger(
    articles: dict[str, str],
    gold: dict[str, list[GoldSpan]],
    folds: int,
    seed: int,
    settings: dict[str, Any],
    log: Log,
) -> tuple[dict[str, tuple[ArticleTokens, list[tuple[int, int]], np.ndarray]], PhraseTagger]:
    """Out-of-fold candidate probabilities (lexicon learned inside the training folds) and
    the phrase tagger fitted on all articles (its threshold is set by the caller)."""
    from scipy.sparse import hstack, vstack

    ids = sorted(articles)
    n_features = 2 ** settings["phrase_hash_bits"]
    max_len = settings["phrase_max_len"]
    arts, cands, ys, tok_labels, xs = {}, {}, {}, {}, {}
    for a in ids:
        spans = merge_overlapping((g.start, g.end) for g in gold.get(a, []))
        art = ArticleTokens.of(articles[a])
        arts[a], cands[a] = art, candidates(art, max_len)
        ys[a] = candidate_labels(art, cands[a], spans)
        tok_labels[a] = np.asarray(
            [int(any(s < ge and gs < e for gs, ge in spans)) for s, e in art.toks]
        )
        xs[a] = hashed(candidate_features(art, cands[a]), n_features)

    def fit(train_ids: list[str]) -> tuple[dict[str, float], Any]:
        from sklearn.linear_model import SGDClassifier

        lex = learn_lexicon([arts[a] for a in train_ids], [tok_labels[a] for a in train_ids])
        x = vstack([hstack([xs[a], lexicon_matrix(arts[a], cands[a], lex)]) for a in train_ids])
        y = np.concatenate([ys[a] for a in train_ids])
        clf = SGDClassifier(
            loss="log_loss",
            alpha=settings["phrase_alpha"],
            max_iter=8,
            tol=None,
            random_state=seed,
        )
        return lex, clf.fit(x.tocsr(), y)

    fold_of = article_folds(ids, folds, seed)
    oof = {}
    for k in range(folds):
        lex, clf = fit([a for a in ids if fold_of[a] != k])
        for a in (a for a in ids if fold_of[a] == k):
            x = hstack([xs[a], lexicon_matrix(arts[a], cands[a], lex)]).tocsr()
            oof[a] = (arts[a], cands[a], clf.predict_proba(x)[:, 1])
        log({"phrase_fold": k, "done": True})
    lex, clf = fit(ids)
    tagger = PhraseTagger(
        n_features=n_features,
        max_len=max_len,
        lexicon=lex,
        coef=clf.coef_[0].astype(np.float16),
        intercept=float(clf.intercept_[0]),
        threshold=1.0,
    )
    return oof, tagger


def choose_decoding(results: list[dict[str, Any]], tolerance: float) -> dict[str, Any]:
    """The best decoding by SI F1, preferring a lower sentence blend when within ``tolerance``.

    A high blend turns whole sentences into spans, which the partial-credit measure rewards
    about as much as phrase-level spans; a reader learns more from the phrase, so among
    near-ties the setting that leans on the token tagger wins.
    """
    top = max(r["si_f1"] for r in results)
    near = [r for r in results if r["si_f1"] >= top - tolerance]
    return max(near, key=lambda r: (_MODE_PREFERENCE[r["mode"]], -r["blend"], r["si_f1"]))


# Among near-ties: phrases tell a reader most, then phrases with runs, then runs alone.
_MODE_PREFERENCE = {"phrases": 3, "add": 2, "union": 1, "long": 0}


# ---------------------------------------------------------------- technique classification


def _span_vectorizers() -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return {
        "word": TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, dtype=np.float32),
        "char": TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=2,
            max_features=50_000,
            dtype=np.float32,
        ),
        "context": TfidfVectorizer(sublinear_tf=True, min_df=2, dtype=np.float32),
    }


def _tc_inputs(
    articles: dict[str, str], spans: list[GoldSpan]
) -> tuple[list[str], list[str], np.ndarray]:
    """Span texts, contexts and dense cues, in the order of ``spans``."""
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(spans):
        by_article[g.article].append(i)
    dense = np.zeros((len(spans), 0), dtype=np.float32)
    for a, idx in by_article.items():
        block = span_matrix_dense(articles[a], [(spans[i].start, spans[i].end) for i in idx])
        if dense.shape[1] == 0:
            dense = np.zeros((len(spans), block.shape[1]), dtype=np.float32)
        dense[idx] = block
    texts = [articles[g.article][g.start : g.end] for g in spans]
    contexts = [context_of(articles[g.article], g.start, g.end) for g in spans]
    return texts, contexts, dense


def _fit_tc(
    texts: list[str], contexts: list[str], dense: np.ndarray, y: np.ndarray, C: float, weights: dict
) -> tuple[dict[str, Any], np.ndarray, np.ndarray, list[str]]:
    from sklearn.svm import LinearSVC

    vecs = _span_vectorizers()
    vecs["word"].fit(texts)
    vecs["char"].fit(texts)
    vecs["context"].fit(contexts)
    for v in vecs.values():
        v.stop_words_ = None
    x = build_span_matrix(vecs, weights, texts, contexts, [dense])
    clf = LinearSVC(C=C)
    clf.fit(x, y)
    return vecs, clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32), list(clf.classes_)


def assign_labels(spans: Sequence[GoldSpan], probs: np.ndarray, classes: list[str]) -> list[str]:
    """Best label per span; copies of one span get its best distinct labels in turn."""
    groups: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    for i, g in enumerate(spans):
        groups[(g.article, g.start, g.end)].append(i)
    out = [""] * len(spans)
    for members in groups.values():
        order = np.argsort(-probs[members[0]])
        for rank, i in enumerate(members):
            out[i] = classes[order[rank % len(classes)]]
    return out


def _fit_temperature(scores: np.ndarray, y: np.ndarray, classes: list[str]) -> float:
    """The softmax temperature that minimises the log-loss of out-of-fold scores."""
    target = np.asarray([classes.index(c) for c in y])
    best = (np.inf, 1.0)
    for t in (0.5, 1, 1.5, 2, 3, 4, 5, 6, 8):
        p = softmax(scores, t)[np.arange(len(target)), target]
        best = min(best, (float(-np.log(np.maximum(p, 1e-9)).mean()), float(t)))
    return best[1]


def train_classifier(
    articles: dict[str, str],
    spans: list[GoldSpan],
    folds: int,
    seed: int,
    settings: dict[str, Any],
    log: Log,
) -> tuple[TechniqueClassifier, dict[str, Any]]:
    """Cross-validate the TC classifier, fit the temperature on out-of-fold scores, refit."""
    texts, contexts, dense = _tc_inputs(articles, spans)
    y = np.asarray([g.technique for g in spans])
    fold_of = article_folds(list(articles), folds, seed)
    fold = np.asarray([fold_of[g.article] for g in spans])
    classes = sorted(set(y))
    weights = settings["weights"]
    oof = np.zeros((len(spans), len(classes)), dtype=np.float32)
    for k in range(folds):
        tr, te = np.where(fold != k)[0], np.where(fold == k)[0]
        vecs, coef, b, cls = _fit_tc(
            [texts[i] for i in tr],
            [contexts[i] for i in tr],
            dense[tr],
            y[tr],
            settings["C"],
            weights,
        )
        x = build_span_matrix(
            vecs, weights, [texts[i] for i in te], [contexts[i] for i in te], [dense[te]]
        )
        scores = np.asarray(x @ coef.T + b)
        columns = np.asarray([classes.index(c) for c in cls], dtype=int)
        oof[np.ix_(te, columns)] = scores
        log({"tc_fold": k, "done": True})
    predicted = assign_labels(spans, oof, classes)
    gold = [(g.article, g.start, g.end, g.technique) for g in spans]
    f1 = tc_micro_f1(gold, predicted)
    temperature = _fit_temperature(oof, y, classes)
    vecs, coef, b, cls = _fit_tc(texts, contexts, dense, y, settings["C"], weights)
    model = TechniqueClassifier(vecs, weights, coef.astype(np.float16), b, cls, temperature)
    return model, {"tc_micro_f1": round(f1, 4), "temperature": temperature}


# ---------------------------------------------------------------- SemEval-2023 paragraphs


def paragraph_texts(articles: dict[str, str], keys: Sequence[tuple[str, int]]) -> list[str]:
    """The text of each (article, line) paragraph ('' when the line is blank or missing)."""
    lines = {a: article_lines(t) for a, t in articles.items()}
    out = []
    for a, n in keys:
        start, end = lines.get(a, {}).get(n, (0, 0))
        out.append(articles.get(a, "")[start:end])
    return out


def _fit_paragraph(
    texts: list[str], y: np.ndarray, classes: Sequence[str], C: float, seed: int
) -> tuple[Any, np.ndarray, np.ndarray]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=40_000, dtype=np.float32
    )
    x = vec.fit_transform(texts)
    vec.stop_words_ = None
    coef = np.zeros((len(classes), x.shape[1]), dtype=np.float32)
    intercept = np.full(len(classes), -10.0, dtype=np.float32)  # never seen: never predicted
    for j in range(len(classes)):
        if 0 < y[:, j].sum() < len(y):
            clf = LogisticRegression(
                C=C, solver="liblinear", class_weight="balanced", random_state=seed
            )
            clf.fit(x, y[:, j])
            coef[j] = clf.coef_[0]
            intercept[j] = clf.intercept_[0]
    return vec, coef, intercept


def train_paragraph_tagger(
    articles: dict[str, str],
    labels: dict[tuple[str, int], list[str]],
    classes: Sequence[str],
    folds: int,
    seed: int,
    C: float,
    log: Log,
) -> tuple[ParagraphTagger, dict[str, Any]]:
    """Cross-validate a one-vs-rest paragraph tagger, pick its threshold, refit on all."""
    keys = [k for k in labels if k[0] in articles]
    texts = paragraph_texts(articles, keys)
    y = np.asarray([[c in labels[k] for c in classes] for k in keys], dtype=int)
    fold_of = article_folds(list(articles), folds, seed)
    fold = np.asarray([fold_of[a] for a, _ in keys])
    oof = np.zeros(y.shape, dtype=np.float32)
    for k in range(folds):
        tr, te = np.where(fold != k)[0], np.where(fold == k)[0]
        vec, coef, b = _fit_paragraph([texts[i] for i in tr], y[tr], classes, C, seed)
        x = vec.transform([texts[i] for i in te])
        oof[te] = 1 / (1 + np.exp(-(np.asarray(x @ coef.T) + b)))
    gold = {k: labels[k] for k in keys}
    best: dict[str, Any] = {"micro_f1": -1.0}
    for threshold in np.round(np.arange(0.3, 0.91, 0.05), 2):
        predicted = {
            k: [c for c, p in zip(classes, oof[i], strict=True) if p >= threshold]
            for i, k in enumerate(keys)
        }
        score = paragraph_f1(gold, predicted, classes)
        if score["micro_f1"] > best["micro_f1"]:
            best = {**score, "threshold": float(threshold)}
    vec, coef, b = _fit_paragraph(texts, y, classes, C, seed)
    tagger = ParagraphTagger(vec, coef.astype(np.float16), b, list(classes), best["threshold"])
    result = {k: round(v, 4) if isinstance(v, float) else v for k, v in best.items()}
    result["paragraphs"] = len(keys)
    log({"paragraphs": result})
    return tagger, result
