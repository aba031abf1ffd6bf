"""Training and cross-validation of the techniques models.

Folds are by article (every span of an article in the same fold), seeded, so out-of-fold
scores are honest and reproducible. Settings searched here are small grids over decoding
thresholds and blend weights, which only re-read cached out-of-fold scores.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from narrascope.techniques.data import GoldSpan, article_lines
from narrascope.techniques.features import (
    context_of,
    hash_features,
    inside_labels,
    sentence_bounds,
    sentences_of,
    token_features,
)
from narrascope.techniques.model import (
    ParagraphTagger,
    SentenceModel,
    SpanEvidence,
    SpanTagger,
    TechniqueClassifier,
    build_span_matrix,
    combine_spans,
    decode_spans,
    geometric_mix,
    paragraph_evidence,
    phrase_encoder_mix,
    semantic_vectors,
    sentence_matrix,
    sentence_probs,
    sentence_use_rows,
    softmax,
    span_matrix_dense,
)
from narrascope.techniques.phrases import (
    ArticleTokens,
    PhraseScores,
    PhraseTagger,
    candidate_features,
    candidate_labels,
    candidates,
    learn_lexicon,
    lexicon_matrix,
)
from narrascope.techniques.scoring import (
    merge_overlapping,
    paragraph_f1,
    si_counts,
    si_from_counts,
    tc_micro_f1,
)

Log = Callable[[dict[str, Any]], None]
# One fold's phrase tagger and sentence classifier (vectorizers, coefficients, intercept).
FoldSpanModels = tuple[PhraseTagger, SentenceModel]
# (article id, article text, paragraph bounds) -> one row of span-model evidence per paragraph
Evidence = Callable[[str, str, list[tuple[int, int]]], np.ndarray]


def article_folds(ids: Sequence[str], folds: int, seed: int) -> dict[str, int]:
    """Article id -> fold number, a seeded shuffle dealt round-robin."""
    order = np.random.default_rng(seed).permutation(sorted(ids))
    return {str(a): i % folds for i, a in enumerate(order)}


# ---------------------------------------------------------------- span identification


def word_clusters_for(
    articles: dict[str, str], settings: dict[str, Any], seed: int, log: Log
) -> dict[str, int] | None:
    """The word clusters the span models use (None when ``settings["word_clusters"]`` is 0).

    The vocabulary may include every training article: a word's cluster uses no label."""
    if not settings.get("word_clusters"):
        return None
    from narrascope.techniques.clusters import encoder_vocabulary, text_vocabulary, word_clusters

    vocabulary = encoder_vocabulary() | text_vocabulary(articles.values())
    clusters = word_clusters(vocabulary, settings["word_clusters"], seed)
    log({"word_clusters": settings["word_clusters"], "words": len(clusters)})
    return clusters


def _sentence_vectorizers(clusters: dict[str, int] | None = None) -> list[Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from narrascope.techniques.clusters import ClusterAnalyzer

    vectorizers = [
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
    if clusters:
        # bag of word clusters: the tone of a sentence beyond the exact words seen in training
        analyzer = ClusterAnalyzer(clusters)
        vectorizers.append(
            TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=2, dtype=np.float32)
        )
    return vectorizers


def _fit_sentence_model(
    sentences: list[str],
    labels: np.ndarray,
    seed: int,
    clusters: dict[str, int] | None = None,
    use_rows: np.ndarray | None = None,
) -> tuple:
    """Vectorizers, coefficients and intercept of the sentence classifier (``use_rows``: the
    weighted USE block of the sentences, or None)."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    vecs = _sentence_vectorizers(clusters)
    blocks = [v.fit_transform(sentences) for v in vecs]
    if use_rows is not None:
        blocks.append(csr_matrix(use_rows))
    x = hstack(blocks).tocsr()
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


@dataclass
class SpanTrainingRows:
    """The SI training data of a set of articles, in ``ids`` order: token features and
    labels (a token is positive when it overlaps a gold span), sentences and their labels,
    and where each article's tokens and sentences start."""

    rows: list[list[str]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    # article -> (token offsets, sentence number of each token, index of its first token)
    meta: dict[str, tuple[list[tuple[int, int]], list[int], int]] = field(default_factory=dict)
    sent_text: list[str] = field(default_factory=list)
    sent_label: list[int] = field(default_factory=list)
    sent_offset: dict[str, int] = field(default_factory=dict)


def span_training_rows(
    articles: dict[str, str],
    gold: dict[str, list[GoldSpan]],
    ids: list[str],
    sentence_words: bool,
    token_clusters: dict[str, int] | None,
) -> SpanTrainingRows:
    data = SpanTrainingRows()
    for a in ids:
        text = articles[a]
        spans = merge_overlapping((g.start, g.end) for g in gold.get(a, []))
        toks, sent, feats = token_features(text, sentence_words, token_clusters)
        data.meta[a] = (toks, sent, len(data.labels))
        data.rows += feats
        data.labels += inside_labels(toks, spans)
        data.sent_offset[a] = len(data.sent_text)
        bounds = sentence_bounds(text)
        data.sent_text += [text[s:e] for s, e in bounds]
        data.sent_label += inside_labels(bounds, spans)
    return data


def train_span_tagger(
    articles: dict[str, str],
    gold: dict[str, list[GoldSpan]],
    folds: int,
    seed: int,
    settings: dict[str, Any],
    log: Log,
    encoder_oof: dict[str, np.ndarray] | None = None,
) -> tuple[SpanTagger, dict[str, Any], list[FoldSpanModels]]:
    """Cross-validate the SI tagger (decoding grid on out-of-fold scores), then fit on all.

    ``encoder_oof``: the MiniLM span encoder's out-of-fold token probabilities of every
    article (same folds; :mod:`narrascope.techniques.neural`), to mix in as the grid chooses.
    Also returns each fold's phrase tagger and sentence classifier (fitted without that
    fold's articles), for out-of-fold evidence to the English paragraph tagger."""
    ids = sorted(articles)
    n_features = 2 ** settings["hash_bits"]
    clusters = word_clusters_for(articles, settings, seed, log)
    token_clusters = clusters if settings.get("token_clusters") else None
    sentence_clusters = clusters if settings.get("sentence_clusters") else None
    data = span_training_rows(articles, gold, ids, settings["sentence_words"], token_clusters)
    meta, sent_text, sent_offset = data.meta, data.sent_text, data.sent_offset
    x_tok = hash_features(data.rows, n_features)
    y_tok = np.asarray(data.labels)
    y_sent = np.asarray(data.sent_label)
    fold_of = article_folds(ids, folds, seed)
    use_weight = float(settings.get("sentence_use", 0.0))
    # encoded once: a sentence's vector depends on no label, so every fold can share them
    use_rows = sentence_use_rows(sent_text, use_weight)
    oof_tok, oof_sent, fold_sentence_models = token_and_sentence_oof(
        articles, data, x_tok, fold_of, seed, settings, (sentence_clusters, use_rows), log
    )
    gold_spans = {a: [(g.start, g.end) for g in gold.get(a, [])] for a in ids}
    if encoder_oof is not None:
        for a, (toks, _, _) in meta.items():
            if len(encoder_oof.get(a, ())) != len(toks):
                raise ValueError(f"the encoder's out-of-fold scores do not fit article {a}")
        encoder_oof = gated_encoder_oof(
            encoder_oof, meta, oof_tok, oof_sent, sent_offset, settings.get("encoder_gate", 0.0)
        )
    long_spans = long_span_grid(
        articles, meta, oof_tok, oof_sent, sent_offset, settings, encoder_oof
    )
    phrase_oof, phrases, fold_phrases = train_phrase_tagger(
        articles, gold, folds, seed, settings, log, clusters
    )
    counts: list[np.ndarray] = []
    results = decoding_grid(
        gold_spans,
        long_spans,
        phrase_oof,
        settings["phrase_thresholds"],
        encoder_oof,
        settings.get("phrase_encoder_weights", [0.0]),
        counts=counts,
    )
    best = choose_decoding(results, settings["tolerance"])
    nested = nested_decoding_score(results, counts, ids, fold_of, settings["tolerance"])
    log({"si_best": best, "si_top": max(r["si_f1"] for r in results), "si_nested": nested})
    phrases.threshold = best["phrase_threshold"]
    coef, b = _fit_token_model(x_tok, y_tok, settings["alpha"], seed)
    vecs, scoef, sb = _fit_sentence_model(sent_text, y_sent, seed, sentence_clusters, use_rows)
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
        clusters=token_clusters,
        sentence_use_weight=use_weight,
        encoder_weight=best["encoder_weight"],
        phrase_encoder_weight=best["phrase_encoder_weight"],
        encoder_gate=settings.get("encoder_gate", 0.0) if encoder_oof is not None else 0.0,
    )
    by_mode = {
        f"{m} blend={b}": max(
            (r for r in results if (r["mode"], r["blend"]) == (m, b)), key=lambda r: r["si_f1"]
        )
        for m, b in sorted({(r["mode"], r["blend"]) for r in results})
    }
    for fold_tagger in fold_phrases:
        fold_tagger.threshold = best["phrase_threshold"]
    fold_models = list(zip(fold_phrases, fold_sentence_models, strict=True))
    cv = {"best": best, "nested": nested, "grid_size": len(results), "best_by_mode": by_mode}
    return tagger, cv, fold_models


def token_and_sentence_oof(
    articles: dict[str, str],
    data: Any,
    x_tok: Any,
    fold_of: dict[str, int],
    seed: int,
    settings: dict[str, Any],
    sentence_inputs: tuple[dict[str, int] | None, np.ndarray | None],
    log: Log,
) -> tuple[np.ndarray, np.ndarray, list[SentenceModel]]:
    """Out-of-fold probabilities of the token tagger (one per token of ``data``, whose hashed
    rows are ``x_tok``) and of the sentence classifier (one per sentence; ``sentence_inputs``:
    its word clusters and weighted USE rows, either None), and each fold's sentence classifier.
    Folds are ``fold_of``'s, in number order."""
    ids = sorted(articles)
    sentence_clusters, use_rows = sentence_inputs
    folds = max(fold_of.values()) + 1
    y_tok, y_sent = np.asarray(data.labels), np.asarray(data.sent_label)
    use_weight = float(settings.get("sentence_use", 0.0))
    tok_fold = np.concatenate([[fold_of[a]] * len(data.meta[a][0]) for a in ids]).astype(int)
    sent_fold = np.asarray(
        [fold_of[a] for a in ids for _ in sentence_bounds(articles[a])], dtype=int
    )
    oof_tok = np.zeros(len(y_tok), dtype=np.float32)
    oof_sent = np.zeros(len(y_sent), dtype=np.float32)
    fold_sentence_models: list[SentenceModel] = []
    for k in range(folds):
        tr, te = tok_fold != k, tok_fold == k
        coef, b = _fit_token_model(x_tok[tr], y_tok[tr], settings["alpha"], seed)
        oof_tok[te] = 1 / (1 + np.exp(-(x_tok[te] @ coef + b)))
        str_, ste = np.where(sent_fold != k)[0], np.where(sent_fold == k)[0]
        vecs, scoef, sb = _fit_sentence_model(
            [data.sent_text[i] for i in str_],
            y_sent[str_],
            seed,
            sentence_clusters,
            None if use_rows is None else use_rows[str_],
        )
        xs = sentence_matrix(
            vecs, [data.sent_text[i] for i in ste], None if use_rows is None else use_rows[ste]
        )
        oof_sent[ste] = 1 / (1 + np.exp(-(xs @ scoef + sb)))
        fold_sentence_models.append((vecs, scoef, sb, use_weight))
        log({"si_fold": k, "done": True})
    return oof_tok, oof_sent, fold_sentence_models


def gated_encoder_oof(
    encoder_oof: dict[str, np.ndarray],
    meta: dict[str, tuple[Any, Any, int]],
    token_probs: np.ndarray,
    sentence_probs: np.ndarray,
    sent_offset: dict[str, int],
    gate: float,
) -> dict[str, np.ndarray]:
    """The encoder's out-of-fold token probabilities as the stage uses them with ``gate``
    (``SpanTagger.encoder_gate``): a token whose sentence the out-of-fold sentence classifier
    rates below the gate, or that the encoder did not read (NaN), keeps the token tagger's
    out-of-fold probability (``model.unread_filled``).

    The stored probabilities come from the encoder reading whole articles; the stage packs
    only the sentences it reads into the encoder's windows, which moves a read sentence's
    probabilities a little (``bench/si_encoder_gate.py --encoder-cv`` measures what that does
    to SI)."""
    if gate <= 0:
        return encoder_oof
    out = {}
    for a, (toks, sent, off) in meta.items():
        p_enc = np.asarray(encoder_oof[a], dtype=np.float32)
        if toks:
            p_sent = sentence_probs[sent_offset[a] + np.asarray(sent, dtype=int)]
            unread = (p_sent < gate) | np.isnan(p_enc)
            p_enc = np.where(unread, token_probs[off : off + len(toks)], p_enc)
        out[a] = p_enc
    return out


def long_span_grid(
    articles: dict[str, str],
    meta: dict[str, tuple[Any, Any, int]],
    token_probs: np.ndarray,
    sentence_probs: np.ndarray,
    sent_offset: dict[str, int],
    settings: dict[str, Any],
    encoder_probs: dict[str, np.ndarray] | None = None,
) -> dict[tuple, dict[str, list]]:
    """Long spans of every article for each decoding setting of the grid (encoder weight,
    blend, low threshold, rise to the high threshold, gap), from out-of-fold token, sentence
    and (when given) encoder probabilities; keyed by (encoder weight, blend, low, high, gap)."""
    long_spans: dict[tuple, dict[str, list]] = {}
    encoder_weights = settings.get("encoder_weights", [0.0]) if encoder_probs else [0.0]
    for ew, blend, low, rise, gap in itertools.product(
        encoder_weights, settings["blends"], settings["lows"], settings["rises"], settings["gaps"]
    ):
        predicted = {}
        for a, (toks, sent, off) in meta.items():
            p_tok = token_probs[off : off + len(toks)]
            if encoder_probs:
                p_tok = geometric_mix(p_tok, encoder_probs[a].astype(np.float32), ew)
            p_sent = sentence_probs[sent_offset[a] + np.asarray(sent, dtype=int)] if toks else p_tok
            probs = p_tok ** (1 - blend) * p_sent**blend
            predicted[a] = decode_spans(articles[a], toks, sent, probs, low, low + rise, gap)
        long_spans[(ew, blend, low, round(low + rise, 3), gap)] = predicted
    return long_spans


def phrase_grid(
    phrase_oof: dict[str, tuple[ArticleTokens, list[tuple[int, int]], np.ndarray]],
    thresholds: Sequence[float],
    encoder_probs: dict[str, np.ndarray] | None = None,
    encoder_weights: Sequence[float] = (0.0,),
) -> dict[tuple[float, float], dict[str, list]]:
    """Phrase spans of every article, keyed by (encoder weight, threshold): out-of-fold
    phrase probabilities rescored with the encoder's (:func:`model.phrase_encoder_mix`)."""
    out: dict[tuple[float, float], dict[str, list]] = {}
    for pw in encoder_weights if encoder_probs else [0.0]:
        for a, (art, cands, probs) in phrase_oof.items():
            found = PhraseScores(art, cands, probs)
            if encoder_probs:
                found = phrase_encoder_mix(found, encoder_probs[a].astype(np.float32), pw)
            for t in thresholds:
                out.setdefault((pw, t), {})[a] = found.pick(t) if cands else []
    return out


def decoding_grid(
    gold_spans: dict[str, list[tuple[int, int]]],
    long_spans: dict[tuple, dict[str, list]],
    phrase_oof: dict[str, tuple[ArticleTokens, list[tuple[int, int]], np.ndarray]],
    thresholds: Sequence[float],
    encoder_probs: dict[str, np.ndarray] | None = None,
    phrase_encoder_weights: Sequence[float] = (0.0,),
    modes: Sequence[str] = ("add", "union"),
    counts: list[np.ndarray] | None = None,
) -> list[dict[str, Any]]:
    """SI scores of every decoding: token-decoder settings x phrase settings x combination.
    ``counts``: when given, gets each decoding's per-article ``si_counts`` (rows in
    ``sorted(gold_spans)`` order), in the order of the results."""
    short_spans = phrase_grid(phrase_oof, thresholds, encoder_probs, phrase_encoder_weights)
    results = []
    ids = sorted(gold_spans)

    def add(mode: str, key: tuple, short_key: tuple, predicted: dict[str, list]) -> None:
        spans = {a: [(s, e) for s, e, _ in p] for a, p in predicted.items()}
        per_article = si_counts(gold_spans, spans, ids)
        if counts is not None:
            counts.append(per_article)
        score = si_from_counts(per_article.sum(axis=0))
        ew, blend, low, high, gap = key
        row = {"mode": mode, "blend": blend, "low": low, "high": high, "gap": gap}
        row |= {"encoder_weight": ew, "phrase_encoder_weight": short_key[0]}
        row["phrase_threshold"] = short_key[1]
        results.append(row | {f"si_{k}": round(v, 4) for k, v in score.items()})

    first = next(iter(long_spans))
    for short_key, short in short_spans.items():
        add("phrases", first, short_key, short)
    for key, long in long_spans.items():
        add("long", key, (0.0, thresholds[0]), long)
        for short_key, short in short_spans.items():
            for mode in modes:
                add(mode, key, short_key, {a: combine_spans(short[a], long[a], mode) for a in long})
    return results


def train_phrase_tagger(
    articles: dict[str, str],
    gold: dict[str, list[GoldSpan]],
    folds: int,
    seed: int,
    settings: dict[str, Any],
    log: Log,
    clusters: dict[str, int] | None = None,
) -> tuple[
    dict[str, tuple[ArticleTokens, list[tuple[int, int]], np.ndarray]],
    PhraseTagger,
    list[PhraseTagger],
]:
    """Out-of-fold candidate probabilities (lexicon learned inside the training folds), the
    phrase tagger fitted on all articles and each fold's (thresholds are set by the caller)."""
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
        tok_labels[a] = np.asarray(inside_labels(art.toks, spans))
        xs[a] = hash_features(candidate_features(art, cands[a], clusters), n_features)

    def fit(train_ids: list[str]) -> tuple[dict[str, float], Any]:
        from sklearn.linear_model import SGDClassifier

        lex = learn_lexicon(
            [arts[a] for a in train_ids], [tok_labels[a] for a in train_ids], clusters=clusters
        )
        x = vstack(
            [hstack([xs[a], lexicon_matrix(arts[a], cands[a], lex, clusters)]) for a in train_ids]
        )
        y = np.concatenate([ys[a] for a in train_ids])
        clf = SGDClassifier(
            loss="log_loss",
            alpha=settings["phrase_alpha"],
            max_iter=8,
            tol=None,
            random_state=seed,
        )
        return lex, clf.fit(x.tocsr(), y)

    def tagger(lex: dict[str, float], clf: Any) -> PhraseTagger:
        return PhraseTagger(
            n_features=n_features,
            max_len=max_len,
            lexicon=lex,
            coef=clf.coef_[0].astype(np.float16),
            intercept=float(clf.intercept_[0]),
            threshold=1.0,
            clusters=clusters,
        )

    fold_of = article_folds(ids, folds, seed)
    oof = {}
    fold_taggers = []
    for k in range(folds):
        lex, clf = fit([a for a in ids if fold_of[a] != k])
        for a in (a for a in ids if fold_of[a] == k):
            x = hstack([xs[a], lexicon_matrix(arts[a], cands[a], lex, clusters)]).tocsr()
            oof[a] = (arts[a], cands[a], clf.predict_proba(x)[:, 1])
        fold_taggers.append(tagger(lex, clf))
        log({"phrase_fold": k, "done": True})
    return oof, tagger(*fit(ids)), fold_taggers


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
DECODING_KEYS = (
    "mode", "blend", "low", "high", "gap", "encoder_weight", "phrase_encoder_weight",
    "phrase_threshold",
)  # fmt: skip


def nested_decoding_score(
    results: Sequence[dict[str, Any]],
    counts: Sequence[np.ndarray],
    ids: Sequence[str],
    fold_of: dict[str, int],
    tolerance: float,
) -> dict[str, Any]:
    """SI of decodings chosen without the articles they are scored on.

    For each fold, ``choose_decoding`` picks a decoding on the other folds' out-of-fold
    scores and that decoding is scored on this fold; the folds' counts are pooled. The plain
    figure chooses one decoding on all articles' scores at once, which flatters it a little
    (thousands of settings are compared). ``results`` and ``counts`` as ``decoding_grid``
    gives them; ``ids`` in the order of the counts' rows."""
    stack = np.stack(counts)
    folds = np.asarray([fold_of[a] for a in ids])
    pooled = np.zeros(4)
    choices = []
    for k in sorted(set(folds.tolist())):
        sums = stack[:, folds != k].sum(axis=1)
        rows = [
            r | {"si_f1": round(si_from_counts(c)["f1"], 4)}
            for r, c in zip(results, sums, strict=True)
        ]
        best = choose_decoding(rows, tolerance)
        pooled += stack[rows.index(best)][folds == k].sum(axis=0)
        choices.append({key: best[key] for key in DECODING_KEYS})
    scores = {f"si_{k}": round(v, 4) for k, v in si_from_counts(pooled).items()}
    return scores | {"choices": choices}


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
) -> tuple[list[str], list[str], np.ndarray, list[str]]:
    """Span texts, contexts, dense cues and the sentence(s) holding each span, in the order
    of ``spans``."""
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
    bounds = {a: sentence_bounds(articles[a]) for a in by_article}
    sentences = [
        sentences_of(articles[g.article], g.start, g.end, bounds[g.article]) for g in spans
    ]
    return texts, contexts, dense, sentences


def _fit_tc(
    texts: list[str],
    contexts: list[str],
    dense: np.ndarray,
    semantic: np.ndarray,
    y: np.ndarray,
    C: float,
    weights: dict,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray, list[str]]:
    from sklearn.svm import LinearSVC

    vecs = _span_vectorizers()
    vecs["word"].fit(texts)
    vecs["char"].fit(texts)
    vecs["context"].fit(contexts)
    for v in vecs.values():
        v.stop_words_ = None
    x = build_span_matrix(vecs, weights, texts, contexts, [dense], semantic)
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
) -> tuple[TechniqueClassifier, dict[str, Any], list[TechniqueClassifier]]:
    """Cross-validate the TC classifier, fit the temperature on out-of-fold scores, refit.
    Also returns each fold's classifier (for out-of-fold paragraph evidence)."""
    texts, contexts, dense, sentences = _tc_inputs(articles, spans)
    weights = settings["weights"]
    # encoded once: the USE vectors depend on no label, so every fold can share them
    semantic = semantic_vectors(weights, texts, sentences)
    y = np.asarray([g.technique for g in spans])
    fold_of = article_folds(list(articles), folds, seed)
    fold = np.asarray([fold_of[g.article] for g in spans])
    classes = sorted(set(y))
    oof = np.zeros((len(spans), len(classes)), dtype=np.float32)
    fold_models = []
    for k in range(folds):
        tr, te = np.where(fold != k)[0], np.where(fold == k)[0]
        vecs, coef, b, cls = _fit_tc(
            [texts[i] for i in tr],
            [contexts[i] for i in tr],
            dense[tr],
            semantic[tr],
            y[tr],
            settings["C"],
            weights,
        )
        x = build_span_matrix(
            vecs,
            weights,
            [texts[i] for i in te],
            [contexts[i] for i in te],
            [dense[te]],
            semantic[te],
        )
        scores = np.asarray(x @ coef.T + b)
        columns = np.asarray([classes.index(c) for c in cls], dtype=int)
        oof[np.ix_(te, columns)] = scores
        fold_models.append(TechniqueClassifier(vecs, weights, coef, b, cls))
        log({"tc_fold": k, "done": True})
    predicted = assign_labels(spans, oof, classes)
    gold = [(g.article, g.start, g.end, g.technique) for g in spans]
    f1 = tc_micro_f1(gold, predicted)
    temperature = _fit_temperature(oof, y, classes)
    for fold_model in fold_models:
        fold_model.temperature = temperature
    vecs, coef, b, cls = _fit_tc(texts, contexts, dense, semantic, y, settings["C"], weights)
    model = TechniqueClassifier(vecs, weights, coef.astype(np.float16), b, cls, temperature)
    return model, {"tc_micro_f1": round(f1, 4), "temperature": temperature}, fold_models


# ---------------------------------------------------------------- SemEval-2023 paragraphs


def paragraph_bounds(text: str, line_numbers: Sequence[int]) -> list[tuple[int, int]]:
    """Character range of each 1-based line ((0, 0) when the line is blank or missing)."""
    lines = article_lines(text)
    return [lines.get(n, (0, 0)) for n in line_numbers]


def paragraph_texts(articles: dict[str, str], keys: Sequence[tuple[str, int]]) -> list[str]:
    """The text of each (article, line) paragraph ('' when the line is blank or missing)."""
    out = []
    for a, n in keys:
        text = articles.get(a, "")
        start, end = paragraph_bounds(text, [n])[0]
        out.append(text[start:end])
    return out


def out_of_fold_evidence(
    fold_of: dict[str, int],
    fold_spans: Sequence[FoldSpanModels],
    fold_classifiers: Sequence[TechniqueClassifier],
    final: tuple[SpanTagger, TechniqueClassifier],
) -> Evidence:
    """Paragraph evidence of a PTC training article from the span models of the fold that
    left it out (any other article: from the final models, which never saw it either)."""

    def evidence(article: str, text: str, bounds: list[tuple[int, int]]) -> np.ndarray:
        if article not in fold_of:
            tagger, classifier = final
            found = tagger.analyse(text)[1]
            return paragraph_evidence(text, bounds, found, classifier)
        k = fold_of[article]
        phrases, sentence_model = fold_spans[k]
        found = SpanEvidence(
            phrases.scores(text), sentence_bounds(text), sentence_probs(sentence_model, text)
        )
        return paragraph_evidence(text, bounds, found, fold_classifiers[k])

    return evidence


def _fit_paragraph(
    texts: list[str],
    evidence: np.ndarray | None,
    y: np.ndarray,
    classes: Sequence[str],
    settings: dict[str, Any],
    seed: int,
) -> ParagraphTagger:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=40_000, dtype=np.float32
    )
    vec.fit(texts)
    vec.stop_words_ = None
    weight = settings["evidence_weight"] if evidence is not None else 0.0
    tagger = ParagraphTagger(
        vec, np.zeros(0), np.zeros(0), list(classes), np.full(len(classes), 0.5), True, weight
    )
    x = tagger.matrix(texts, evidence)
    coef = np.zeros((len(classes), x.shape[1]), dtype=np.float32)
    intercept = np.full(len(classes), -10.0, dtype=np.float32)  # never seen: never predicted
    for j in range(len(classes)):
        if 0 < y[:, j].sum() < len(y):
            clf = LogisticRegression(
                C=settings["C"], solver="liblinear", class_weight="balanced", random_state=seed
            )
            clf.fit(x, y[:, j])
            coef[j] = clf.coef_[0]
            intercept[j] = clf.intercept_[0]
    tagger.coef, tagger.intercept = coef.astype(np.float16), intercept
    return tagger


_THRESHOLD_GRID = np.round(np.arange(0.2, 0.91, 0.05), 2)


def class_thresholds(probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """One threshold per technique maximising micro-F1 over ``probs`` (two rounds of
    coordinate ascent from 0.5; micro-F1 couples the techniques through the totals)."""
    gold = y.astype(bool)
    thresholds = np.full(y.shape[1], 0.5)
    for _ in range(2):
        for j in range(y.shape[1]):
            best = (-1.0, thresholds[j])
            for t in _THRESHOLD_GRID:
                thresholds[j] = t
                hit = probs >= thresholds
                f1 = 2 * (gold & hit).sum() / max(hit.sum() + gold.sum(), 1)
                best = max(best, (float(f1), float(t)))
            thresholds[j] = best[1]
    return thresholds


def train_paragraph_tagger(
    articles: dict[str, str],
    labels: dict[tuple[str, int], list[str]],
    classes: Sequence[str],
    folds: int,
    seed: int,
    settings: dict[str, Any],
    log: Log,
    evidence: Evidence | None = None,
) -> tuple[ParagraphTagger, dict[str, Any]]:
    """Cross-validate a one-vs-rest paragraph tagger, pick its thresholds, refit on all.

    The reported CV score uses, for each fold, per-technique thresholds chosen on the other
    folds' out-of-fold probabilities only; the shipped thresholds are chosen on all of them.
    """
    keys = [k for k in labels if k[0] in articles]
    texts = paragraph_texts(articles, keys)
    rows = None
    if evidence is not None:
        rows = np.zeros((len(keys), 0), dtype=np.float32)
        by_article: dict[str, list[int]] = defaultdict(list)
        for i, (a, _) in enumerate(keys):
            by_article[a].append(i)
        for a, idx in by_article.items():
            block = evidence(
                a, articles[a], paragraph_bounds(articles[a], [keys[i][1] for i in idx])
            )
            if rows.shape[1] == 0:
                rows = np.zeros((len(keys), block.shape[1]), dtype=np.float32)
            rows[idx] = block
    y = np.asarray([[c in labels[k] for c in classes] for k in keys], dtype=int)
    fold_of = article_folds(list(articles), folds, seed)
    fold = np.asarray([fold_of[a] for a, _ in keys])
    oof = np.zeros(y.shape, dtype=np.float32)
    for k in range(folds):
        tr, te = np.where(fold != k)[0], np.where(fold == k)[0]
        part = _fit_paragraph(
            [texts[i] for i in tr],
            None if rows is None else rows[tr],
            y[tr],
            classes,
            settings,
            seed,
        )
        oof[te] = part.proba([texts[i] for i in te], None if rows is None else rows[te])
    gold = {k: labels[k] for k in keys}

    def score(hit: np.ndarray) -> dict[str, float]:
        predicted = {
            k: [c for c, h in zip(classes, hit[i], strict=True) if h] for i, k in enumerate(keys)
        }
        return paragraph_f1(gold, predicted, classes)

    crossfit = np.zeros(y.shape, dtype=bool)
    for k in range(folds):
        other, this = fold != k, fold == k
        crossfit[this] = oof[this] >= class_thresholds(oof[other], y[other])
    best_single = max((score(oof >= t)["micro_f1"], float(t)) for t in _THRESHOLD_GRID)
    tagger = _fit_paragraph(texts, rows, y, classes, settings, seed)
    tagger.thresholds = class_thresholds(oof, y)
    result: dict[str, Any] = {k: round(v, 4) for k, v in score(crossfit).items()}
    result["single_threshold"] = {"micro_f1": round(best_single[0], 4), "threshold": best_single[1]}
    result["thresholds"] = dict(zip(classes, tagger.thresholds.round(2).tolist(), strict=True))
    result["paragraphs"] = len(keys)
    result["evidence"] = rows is not None
    log({"paragraphs": result})
    return tagger, result
