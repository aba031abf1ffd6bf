"""The techniques models: a span tagger (SI), a technique classifier (TC), paragraph taggers.

All three are linear models over sparse features, so the stage runs at dozens of articles a
second on one CPU core and the artifact stays a few MB:

- ``SpanTagger``: short persuasive phrases from a candidate-phrase classifier
  (``narrascope.techniques.phrases``), plus runs of tokens from a token tagger (hashed
  lexical features, logistic loss) blended with a sentence classifier (word and character
  TF-IDF) where no phrase was found. The blend weight, the thresholds and the way the two
  combine are chosen by cross-validation.
- ``TechniqueClassifier``: one of the 14 PTC techniques for a span, from word and character
  TF-IDF of the span, the words around it and surface cues (length, punctuation, recurrence
  in the article for Repetition, lexicon hits); a linear SVM whose scores are turned into
  probabilities by a softmax with a temperature fitted on out-of-fold scores.
- ``ParagraphTagger``: SemEval-2023 Task 3 techniques of a paragraph, one-vs-rest logistic
  regression over word TF-IDF, one per language, with a threshold chosen by cross-validation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack

from narrascope.artifacts import load_instance, save_joblib, shipped_path
from narrascope.techniques.features import (
    ArticleIndex,
    context_of,
    normal_words,
    sentence_bounds,
    sentence_index,
    span_cues,
    token_features,
    tokens,
)
from narrascope.techniques.phrases import PhraseTagger

MODEL_FILE = "model.joblib"
Interval = tuple[int, int]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _trim(text: str, start: int, end: int) -> Interval:
    """Drop the spaces and punctuation PTC trims from span edges."""
    while end > start and text[end - 1] in " \n.,:;":
        end -= 1
    while end > start and text[start] in " \n.,:;":
        start += 1
    return start, end


def decode_spans(
    text: str,
    toks: Sequence[Interval],
    sent: Sequence[int],
    probs: np.ndarray,
    low: float,
    high: float,
    gap: int,
) -> list[tuple[int, int, float]]:
    """Runs of tokens scoring >= ``low`` within one sentence, bridging up to ``gap`` tokens
    below it; a run is kept when its best token reaches ``high``. Returns (start, end, score)
    with the run's mean score as its confidence."""
    n = len(toks)
    on = probs >= low
    out = []
    i = 0
    while i < n:
        if not on[i]:
            i += 1
            continue
        j = i
        while True:
            k = j + 1
            while k < n and k <= j + 1 + gap and not on[k] and sent[k] == sent[i]:
                k += 1
            if k < n and k <= j + 1 + gap and on[k] and sent[k] == sent[i]:
                j = k
            else:
                break
        if probs[i : j + 1].max() >= high:
            start, end = _trim(text, toks[i][0], toks[j][1])
            if end > start:
                out.append((start, end, float(probs[i : j + 1].mean())))
        i = j + 1
    return out


@dataclass
class SpanTagger:
    """Token tagger blended with a sentence classifier; decodes propaganda spans."""

    n_features: int
    use_sentence_words: bool
    token_coef: np.ndarray
    token_intercept: float
    sentence_vectorizers: list[Any]
    sentence_coef: np.ndarray
    sentence_intercept: float
    blend: float = 0.7
    low: float = 0.3
    high: float = 0.4
    gap: int = 1
    # Short phrases (Loaded_Language, Name_Calling) come from a candidate-phrase classifier;
    # ``mode`` says how its spans combine with the token decoder's runs (``combine_spans``).
    phrases: PhraseTagger | None = None
    mode: str = "long"

    def token_scores(self, text: str) -> tuple[list[Interval], list[int], np.ndarray]:
        """Tokens, their sentence index and the blended probability of being in a span."""
        if self.blend >= 1.0:
            # Sentence classifier alone: no token features needed (the costly part).
            toks = tokens(text)
            sent = sentence_index(text, toks)
            p_sent = self.sentence_scores(text) if toks else np.zeros(0)
            return toks, sent, p_sent[np.asarray(sent, dtype=int)]
        toks, sent, feats = token_features(text, self.use_sentence_words)
        if not toks:
            return toks, sent, np.zeros(0)
        x = hash_features(feats, self.n_features)
        p_tok = _sigmoid(x @ self.token_coef.astype(np.float32) + self.token_intercept)
        p_sent = self.sentence_scores(text)
        p_sent_tok = p_sent[np.asarray(sent)]
        return toks, sent, p_tok ** (1 - self.blend) * p_sent_tok**self.blend

    def sentence_scores(self, text: str) -> np.ndarray:
        sentences = [text[s:e] for s, e in sentence_bounds(text)]
        x = sentence_matrix(self.sentence_vectorizers, sentences)
        return np.asarray(
            _sigmoid(x @ self.sentence_coef.astype(np.float32) + self.sentence_intercept)
        )

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        short = self.phrases.spans(text) if self.phrases is not None else []
        if self.mode == "phrases":
            return short
        toks, sent, probs = self.token_scores(text)
        long = decode_spans(text, toks, sent, probs, self.low, self.high, self.gap)
        return combine_spans(short, long, self.mode)


def combine_spans(
    short: list[tuple[int, int, float]], long: list[tuple[int, int, float]], mode: str
) -> list[tuple[int, int, float]]:
    """Phrase spans and token-decoder runs together.

    ``long``: the runs only; ``phrases``: the phrases only; ``add``: the phrases plus the runs
    that overlap no phrase; ``union``: both, overlapping or not (the scorer merges overlaps).
    """
    if mode == "long":
        return long
    if mode == "phrases":
        return short
    if mode == "union":
        return sorted(short + long)
    if mode == "add":
        kept = [r for r in long if not any(s < r[1] and r[0] < e for s, e, _ in short)]
        return sorted(short + kept)
    raise ValueError(f"unknown span combination mode {mode!r}")


def hash_features(rows: Sequence[list[str]], n_features: int) -> csr_matrix:
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(n_features, input_type="string", alternate_sign=False)
    return hasher.transform(rows).astype(np.float32).tocsr()


def sentence_matrix(vectorizers: Sequence[Any], sentences: Sequence[str]) -> csr_matrix:
    return hstack([v.transform(sentences) for v in vectorizers]).tocsr().astype(np.float32)


def span_matrix_dense(text: str, spans: Sequence[Interval]) -> np.ndarray:
    """Dense cues of each span of one article, given all the article's spans.

    Besides ``span_cues``: how many copies of the span are given (PTC repeats a span once per
    technique), how many other spans overlap it, how many other spans have the same words
    (Repetition), how many of its content words recur in the article, how much of its
    sentence it covers.
    """
    index = ArticleIndex(text)
    copies = Counter(spans)
    norms = Counter(normal_words(text[s:e]) for s, e in set(spans))
    rows = []
    for start, end in spans:
        norm = normal_words(text[start:end])
        content = [w for w in norm.split() if len(w) > 3]
        recurring = sum(1 for w in content if index.words[w] >= 2) / max(len(content), 1)
        overlaps = sum(1 for s, e in set(spans) if s < end and start < e and (s, e) != (start, end))
        same = norms[norm] - 1
        left = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start))
        right = text.find("\n", end)
        right = len(text) if right < 0 else right
        cover = min((end - start) / max(right - left, 1), 1.0)
        rows.append(
            [
                *span_cues(text, start, end, index),
                min(copies[(start, end)] - 1, 3) / 3,
                min(overlaps, 4) / 4,
                min(same, 4) / 4,
                float(same > 0),
                recurring,
                cover,
                float(cover > 0.8),
            ]
        )
    return np.asarray(rows, dtype=np.float32).reshape(len(spans), -1)


@dataclass
class TechniqueClassifier:
    """PTC technique of a span: TF-IDF of span and context plus cues, linear SVM."""

    vectorizers: dict[str, Any]
    weights: dict[str, float]
    coef: np.ndarray
    intercept: np.ndarray
    classes: list[str]
    temperature: float = 1.0

    def features(self, texts: Sequence[str], spans: Sequence[Sequence[Interval]]) -> csr_matrix:
        """Rows for every span of every article (articles in order, spans in order)."""
        span_text, contexts, dense = [], [], []
        for text, article_spans in zip(texts, spans, strict=True):
            span_text += [text[s:e] for s, e in article_spans]
            contexts += [context_of(text, s, e) for s, e in article_spans]
            dense.append(span_matrix_dense(text, list(article_spans)))
        return build_span_matrix(self.vectorizers, self.weights, span_text, contexts, dense)

    def proba(self, texts: Sequence[str], spans: Sequence[Sequence[Interval]]) -> np.ndarray:
        if not any(spans):
            return np.zeros((0, len(self.classes)))
        x = self.features(texts, spans)
        scores = x @ self.coef.astype(np.float32).T + self.intercept
        return softmax(np.asarray(scores), self.temperature)


def build_span_matrix(
    vectorizers: dict[str, Any],
    weights: dict[str, float],
    span_text: Sequence[str],
    contexts: Sequence[str],
    dense: Sequence[np.ndarray],
) -> csr_matrix:
    blocks = [
        vectorizers["word"].transform(span_text) * weights["word"],
        vectorizers["char"].transform(span_text) * weights["char"],
        vectorizers["context"].transform(contexts) * weights["context"],
        csr_matrix(np.vstack(dense)) * weights["cues"],
    ]
    return hstack(blocks).tocsr().astype(np.float32)


@dataclass
class ParagraphTagger:
    """SemEval-2023 Task 3 techniques of one paragraph, for one language."""

    vectorizer: Any
    coef: np.ndarray
    intercept: np.ndarray
    classes: list[str]
    threshold: float

    def proba(self, paragraphs: Sequence[str]) -> np.ndarray:
        if not paragraphs:
            return np.zeros((0, len(self.classes)))
        x = self.vectorizer.transform(list(paragraphs)).astype(np.float32)
        return np.asarray(_sigmoid(x @ self.coef.astype(np.float32).T + self.intercept))

    def labels(self, paragraphs: Sequence[str]) -> list[list[tuple[str, float]]]:
        out = []
        for row in self.proba(paragraphs):
            hits = [(self.classes[j], float(row[j])) for j in np.argsort(-row)]
            out.append([(c, p) for c, p in hits if p >= self.threshold])
        return out


@dataclass
class TechniquesModel:
    """Everything the stage needs, saved as one joblib file."""

    span_tagger: SpanTagger
    classifier: TechniqueClassifier
    paragraph_taggers: dict[str, ParagraphTagger] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def save(self, path: str | Path) -> None:
        save_joblib(self, path)

    @classmethod
    def load(cls, path: str | Path) -> TechniquesModel:
        return load_instance(path, cls, "techniques model")

    def analyse(self, text: str) -> list[dict[str, Any]]:
        """PTC spans of one English text: offsets, technique, confidences, runner-up labels."""
        found = self.span_tagger.spans(text)
        if not found:
            return []
        probs = self.classifier.proba([text], [[(s, e) for s, e, _ in found]])
        out = []
        for (start, end, score), row in zip(found, probs, strict=True):
            order = np.argsort(-row)
            out.append(
                {
                    "start": start,
                    "end": end,
                    "span_score": round(score, 4),
                    "technique": self.classifier.classes[order[0]],
                    "technique_score": round(float(row[order[0]]), 4),
                    "alternatives": [
                        [self.classifier.classes[j], round(float(row[j]), 4)] for j in order[1:3]
                    ],
                }
            )
        return out


def shipped_model_path() -> Path:
    return shipped_path("techniques", MODEL_FILE)


@cache
def shipped_model() -> TechniquesModel:
    """The model shipped with the package, loaded once per process."""
    return TechniquesModel.load(shipped_model_path())
