"""Short persuasive phrases (SI): a candidate-phrase classifier.

Loaded_Language and Name_Calling make up about half of the PTC gold spans and are 1-5 words
long ("crumbling morale", "desperate attempt"). A token tagger decodes them poorly: its runs
of tokens spill over into clauses. Here every phrase of 1-``max_len`` word tokens inside a
sentence (no sentence punctuation inside, words at both edges) is a candidate, scored by a
logistic model over hashed lexical features (the words, first/last word, neighbours, word
shapes and suffixes as a cheap stand-in for part of speech, quotes, recurrence) plus a
learned "loadedness" lexicon: each word's smoothed log-odds of lying inside vs outside a gold
span, computed on the training articles only. Decoding keeps the best-scoring candidates that
do not overlap, above a threshold chosen by cross-validation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from scipy.sparse import csr_matrix, hstack

from narrascope.techniques.features import Float32Weights, hash_features, tokens

Interval = tuple[int, int]
# A candidate never contains these tokens (they end clauses; PTC phrases rarely cross them).
_BREAK = set(".!?;:,()[]{}\n")
_QUOTES = set("\"“”'‘’")
# Stop words: a candidate may contain them but must not start or end with one.
_STOP_WORDS = (
    "a an the and or but of to in on at by for with from as is are was were be been being it its "
    "this that these those he she they we you i his her their our your my me him them us there "
    "here which who whom whose what when where how than then so if not no do does did has have "
    "had will would can could should may might must shall into about over after before up out"
)
_STOP = frozenset(_STOP_WORDS.split())
# Log-odds buckets (edges) for the lexicon features.
_EDGES = np.asarray([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0], dtype=np.float32)
_N_STATS = 8


def _shape(word: str) -> str:
    if word.isdigit():
        return "D"
    if not word[:1].isalnum():
        return "P"
    if word.isupper() and len(word) > 1:
        return "A"
    return "C" if word[:1].isupper() else "a"


@dataclass
class ArticleTokens:
    """Tokens of one article with their lower-cased words and sentence numbers."""

    toks: list[Interval]
    words: list[str]
    sent: list[int]

    @classmethod
    def of(cls, text: str) -> ArticleTokens:
        toks = tokens(text)
        words = [text[s:e].lower() for s, e in toks]
        sent, n = [], 0
        for w in words:
            sent.append(n)
            if w in {".", "!", "?"} or "\n" in w:
                n += 1
        # line breaks are not tokens: a new line starts a new sentence too
        for i in range(1, len(toks)):
            if "\n" in text[toks[i - 1][1] : toks[i][0]] and sent[i] == sent[i - 1]:
                sent[i:] = [s + 1 for s in sent[i:]]
        return cls(toks, words, sent)


def candidates(art: ArticleTokens, max_len: int) -> list[tuple[int, int]]:
    """Token ranges [i, j) of 1-``max_len`` words within a sentence, content words at edges."""
    words, sent = art.words, art.sent
    n = len(words)
    out = []
    for i in range(n):
        if not _edge_ok(words[i]):
            continue
        for j in range(i + 1, min(n, i + max_len) + 1):
            w = words[j - 1]
            if w in _BREAK or sent[j - 1] != sent[i]:
                break
            if _edge_ok(w):
                out.append((i, j))
    return out


def _edge_ok(word: str) -> bool:
    return word[:1].isalnum() and word not in _STOP


def candidate_features(
    art: ArticleTokens,
    cands: Sequence[tuple[int, int]],
    clusters: Mapping[str, int] | None = None,
) -> list[list[str]]:
    """Hashed-feature names of each candidate (the lexicon features are added separately).

    ``clusters`` (word -> cluster of similar words) adds the clusters of the phrase's words,
    edges and neighbours, so that a loaded word never seen in training still shares weights
    with the seen words it resembles."""
    words = art.words
    cl = [str(clusters.get(w, -1)) for w in words] if clusters else []
    counts = Counter(words)
    n = len(words)
    quoted = _inside_quotes(words)
    rows = []
    for i, j in cands:
        inner = words[i:j]
        phrase = " ".join(inner)
        prev1 = words[i - 1] if i > 0 else "<s>"
        next1 = words[j] if j < n else "</s>"
        prev2 = words[i - 2] if i > 1 else "<s>"
        length = str(j - i)
        row = [
            "b",
            "n=" + length,
            "ph=" + phrase,
            "f=" + inner[0],
            "l=" + inner[-1],
            "fl=" + inner[0] + "|" + inner[-1] + "|" + length,
            "pv=" + prev1,
            "pv2=" + prev2 + "|" + prev1,
            "nx=" + next1,
            "pvf=" + prev1 + "|" + inner[0],
            "lnx=" + inner[-1] + "|" + next1,
            "sh=" + "".join(_shape(w) for w in inner),
            "sfx=" + "|".join(w[-2:] for w in inner),
            "sf1=" + inner[0][-3:],
            "sfl=" + inner[-1][-3:],
            "q=" + str(quoted[i]) + str(j < n and words[j] in _QUOTES) + str(prev1 in _QUOTES),
            "rec=" + str(min(counts[inner[-1]], 4)) + "|" + length,
        ]
        row += ["w=" + w for w in inner]
        row += ["bg=" + a + "|" + b for a, b in pairwise(inner)]
        if cl:
            row += ["c=" + c for c in cl[i:j]]
            row += [
                "cf=" + cl[i] + "|" + length,
                "cl=" + cl[j - 1],
                "cfl=" + cl[i] + "|" + cl[j - 1],
                "cpv=" + (cl[i - 1] if i > 0 else "<s>"),
                "cnx=" + (cl[j] if j < n else "</s>"),
            ]
        rows.append(row)
    return rows


def _inside_quotes(words: Sequence[str]) -> list[bool]:
    out, inside = [], False
    for w in words:
        if w == '"':
            inside = not inside
        elif w == "“":
            inside = True
        elif w == "”":
            inside = False
        out.append(inside)
    return out


def learn_lexicon(
    arts: Sequence[ArticleTokens],
    labels: Sequence[np.ndarray],
    min_count: int = 3,
    clusters: Mapping[str, int] | None = None,
) -> dict[str, float]:
    """Smoothed log-odds of each word lying inside vs outside a gold span (training data only).

    With ``clusters``, each cluster of similar words also gets its pooled log-odds under the
    key ``" c<cluster>"``: the fallback for words too rare (or unseen) to have their own."""
    inside: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    for art, lab in zip(arts, labels, strict=True):
        for w, y in zip(art.words, lab, strict=True):
            (inside if y else outside)[w] += 1
    n_in, n_out = sum(inside.values()) + 1, sum(outside.values()) + 1
    prior = math.log(n_in / n_out)
    lex = {}
    for w in set(inside) | set(outside):
        if inside[w] + outside[w] >= min_count and w[:1].isalnum():
            lex[w] = round(math.log((inside[w] + 0.5) / (outside[w] + 0.5)) - prior, 3)
    if clusters:
        pooled_in: Counter[str] = Counter()
        pooled_out: Counter[str] = Counter()
        for w in set(inside) | set(outside):
            if w in clusters:
                pooled_in[_cluster_key(clusters[w])] += inside[w]
                pooled_out[_cluster_key(clusters[w])] += outside[w]
        for key in set(pooled_in) | set(pooled_out):
            odds = (pooled_in[key] + 0.5) / (pooled_out[key] + 0.5)
            lex[key] = round(math.log(odds) - prior, 3)
    return lex


def _cluster_key(cluster: int) -> str:
    # a leading space: no token can collide with it
    return f" c{cluster}"


def lexicon_values(
    words: Sequence[str], lexicon: Mapping[str, float], clusters: Mapping[str, int] | None
) -> list[float]:
    """Each word's lexicon log-odds, falling back to its cluster's, else 0."""
    if not clusters:
        return [lexicon.get(w, 0.0) for w in words]
    return [lexicon.get(w, lexicon.get(_cluster_key(clusters.get(w, -1)), 0.0)) for w in words]


def lexicon_matrix(
    art: ArticleTokens,
    cands: Sequence[tuple[int, int]],
    lexicon: dict[str, float],
    clusters: Mapping[str, int] | None = None,
) -> csr_matrix:
    """One-hot buckets of lexicon statistics: max, mean, min, first and last word of the
    phrase, its left and right neighbours (a good phrase stops where loadedness stops)."""
    v = np.asarray([*lexicon_values(art.words, lexicon, clusters), 0.0], dtype=np.float32)
    starts = np.asarray([c[0] for c in cands], dtype=np.int64)
    ends = np.asarray([c[1] for c in cands], dtype=np.int64)
    width_ = int((ends - starts).max()) if len(cands) else 1
    offsets = np.arange(width_)
    inside = offsets[None, :] < (ends - starts)[:, None]
    vals = v[np.minimum(starts[:, None] + offsets[None, :], len(v) - 1)]
    stats = np.stack(
        [
            np.where(inside, vals, -np.inf).max(axis=1),
            np.where(inside, vals, 0.0).sum(axis=1) / (ends - starts),
            np.where(inside, vals, np.inf).min(axis=1),
            v[starts],
            v[ends - 1],
            v[starts - 1] * (starts > 0),  # the word before (0 at the start of the text)
            v[ends],  # v[-1] is the padding 0: the word after the phrase or nothing
            _sentence_means(art, v)[starts],  # the tone of the whole sentence
        ],
        axis=1,
    )
    buckets = np.searchsorted(_EDGES, stats)  # 0 .. len(_EDGES)
    width = len(_EDGES) + 1
    cols = (buckets + np.arange(_N_STATS) * width).ravel()
    rows = np.repeat(np.arange(len(cands)), _N_STATS)
    data = np.ones(len(cols), dtype=np.float32)
    return csr_matrix((data, (rows, cols)), shape=(len(cands), _N_STATS * width))


def _sentence_means(art: ArticleTokens, v: np.ndarray) -> np.ndarray:
    """Mean lexicon value of each token's sentence, per token."""
    sent = np.asarray(art.sent, dtype=np.int64)
    if not len(sent):
        return np.zeros(0, dtype=np.float32)
    sums = np.bincount(sent, weights=v[: len(sent)])
    sizes = np.bincount(sent)
    return np.asarray((sums / np.maximum(sizes, 1))[sent] * 3, dtype=np.float32)


def candidate_labels(
    art: ArticleTokens, cands: Sequence[tuple[int, int]], gold: Sequence[Interval]
) -> np.ndarray:
    """1 when the candidate matches a (merged) gold span: Dice overlap of characters >= 0.5."""
    y = np.zeros(len(cands), dtype=np.int8)
    if not gold:
        return y
    starts = np.asarray([g[0] for g in gold])
    ends = np.asarray([g[1] for g in gold])
    for r, (i, j) in enumerate(cands):
        s, e = art.toks[i][0], art.toks[j - 1][1]
        inter = np.minimum(ends, e) - np.maximum(starts, s)
        dice = 2 * inter / ((e - s) + (ends - starts))
        y[r] = int(dice.max() >= 0.5)
    return y


def pick(
    art: ArticleTokens, cands: Sequence[tuple[int, int]], probs: np.ndarray, threshold: float
) -> list[tuple[int, int, float]]:
    """Best candidates first, skipping any that overlaps one already kept."""
    taken = np.zeros(len(art.words) + 1, dtype=bool)
    out = []
    for r in np.argsort(-probs):
        if probs[r] < threshold:
            break
        i, j = cands[r]
        if taken[i:j].any():
            continue
        taken[i:j] = True
        out.append((art.toks[i][0], art.toks[j - 1][1], float(probs[r])))
    return sorted(out)


@dataclass
class PhraseTagger(Float32Weights):
    """Candidate-phrase classifier for short persuasive phrases."""

    n_features: int
    max_len: int
    lexicon: dict[str, float]
    coef: np.ndarray
    intercept: float
    threshold: float
    # word -> cluster of similar words (k-means of sentence-encoder word vectors), or None
    clusters: dict[str, int] | None = None

    def matrix(self, art: ArticleTokens, cands: Sequence[tuple[int, int]]) -> csr_matrix:
        x = hash_features(candidate_features(art, cands, self.clusters), self.n_features)
        return hstack([x, lexicon_matrix(art, cands, self.lexicon, self.clusters)]).tocsr()

    def scores(self, text: str) -> PhraseScores:
        """Every candidate phrase of ``text`` with its probability of being a span."""
        art = ArticleTokens.of(text)
        cands = candidates(art, self.max_len)
        if not cands:
            return PhraseScores(art, cands, np.zeros(0, dtype=np.float32))
        z = self.matrix(art, cands) @ self.f32("coef") + self.intercept
        return PhraseScores(art, cands, 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))))

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        found = self.scores(text)
        return found.pick(self.threshold)


@dataclass
class PhraseScores:
    """The candidate phrases of one text and their probabilities."""

    art: ArticleTokens
    cands: list[tuple[int, int]]
    probs: np.ndarray

    def pick(self, threshold: float) -> list[tuple[int, int, float]]:
        return pick(self.art, self.cands, self.probs, threshold) if self.cands else []

    def char_bounds(self) -> np.ndarray:
        """(start, end) character offsets of every candidate, one row each."""
        toks = self.art.toks
        return np.asarray([(toks[i][0], toks[j - 1][1]) for i, j in self.cands]).reshape(-1, 2)
