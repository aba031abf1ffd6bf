"""The techniques models: a span tagger (SI), a technique classifier (TC), paragraph taggers.

All three are linear models over sparse features (a few MB); the span tagger can also mix in
the fine-tuned MiniLM span encoder of ``narrascope.techniques.neural`` (the shipped model does):

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

import sys
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack

from narrascope.artifacts import load_instance, save_joblib, shipped_path
from narrascope.narratives.encoder import DIM
from narrascope.techniques.features import (
    ArticleIndex,
    Float32Weights,
    context_of,
    hash_features,
    normal_words,
    sentence_bounds,
    sentence_index,
    sentences_of,
    span_cues,
    token_features,
    tokens,
)
from narrascope.techniques.phrases import PhraseScores, PhraseTagger

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
class SpanTagger(Float32Weights):
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
    # word -> cluster, for the token features (None: no cluster features)
    clusters: dict[str, int] | None = None
    # weight of the sentence's USE vector in the sentence classifier (0: no USE block)
    sentence_use_weight: float = 0.0
    # Share of the MiniLM span encoder (narrascope.techniques.neural, its own artifact) in
    # the token scores and in the phrase scores (weighted geometric means); 0: not used.
    encoder_weight: float = 0.0
    phrase_encoder_weight: float = 0.0
    # The encoder reads only the sentences the sentence classifier rates at least this; the
    # tokens of the others keep the token tagger's probability (0: it reads every sentence).
    # The encoder is the stage's costliest part, and techniques are rare in the sentences
    # it skips.
    encoder_gate: float = 0.0

    @property
    def uses_encoder(self) -> bool:
        return bool(self.encoder_weight or self.phrase_encoder_weight)

    def encoder(self) -> Any:
        """The span encoder these weights were chosen for: one attached with
        :meth:`attach_encoder`, else the shipped one."""
        attached = self.__dict__.get("_encoder")
        if attached is not None:
            return attached
        from narrascope.techniques.neural import shipped_encoder_path, shipped_span_encoder

        encoder = shipped_span_encoder()
        if encoder is None:
            raise FileNotFoundError(
                f"this techniques model mixes in the span encoder, but {shipped_encoder_path()} "
                "is missing (train it with `narrascope train techniques-encoder`)"
            )
        return encoder

    def attach_encoder(self, encoder: Any) -> None:
        """Use ``encoder`` (a ``SpanEncoder``) instead of the shipped one; never pickled."""
        self.__dict__["_encoder"] = encoder

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in super().__getstate__().items() if k != "_encoder"}

    def encoder_scores(self, text: str, p_sent: np.ndarray | None = None) -> np.ndarray | None:
        """Each token's encoder probability of lying in a span, NaN for the tokens of the
        sentences the gate keeps it from reading (None when the encoder is not used).
        ``p_sent``: ``sentence_scores(text)``, when already computed."""
        if not self.uses_encoder:
            return None
        read = None
        if self.encoder_gate > 0:
            p_sent = self.sentence_scores(text) if p_sent is None else p_sent
            read = p_sent >= self.encoder_gate
        return self.encoder().token_probabilities(text, read)[2]

    def tagger_token_scores(self, text: str) -> tuple[list[Interval], list[int], np.ndarray | None]:
        """Tokens, their sentence index and the token tagger's own probabilities (None when
        the blend leaves the token tagger out)."""
        if self.blend >= 1.0:
            # Sentence classifier alone: no token features needed (the costly part).
            toks = tokens(text)
            return toks, sentence_index(text, toks), None
        toks, sent, feats = token_features(text, self.use_sentence_words, self.clusters)
        if not toks:
            return toks, sent, np.zeros(0)
        x = hash_features(feats, self.n_features)
        return toks, sent, _sigmoid(x @ self.f32("token_coef") + self.token_intercept)

    def blend_token_scores(
        self,
        tagged: tuple[list[Interval], list[int], np.ndarray | None],
        p_sent: np.ndarray,
        p_enc: np.ndarray | None,
    ) -> tuple[list[Interval], list[int], np.ndarray]:
        """The token tagger's probabilities mixed with the encoder's, then blended with the
        sentence classifier's."""
        toks, sent, p_tok = tagged
        if not toks:
            return toks, sent, np.zeros(0)
        p_sent_tok = p_sent[np.asarray(sent, dtype=int)]
        if p_tok is None:
            return toks, sent, p_sent_tok
        if p_enc is not None:
            p_tok = geometric_mix(p_tok, p_enc, self.encoder_weight)
        return toks, sent, p_tok ** (1 - self.blend) * p_sent_tok**self.blend

    def sentence_scores(self, text: str) -> np.ndarray:
        """The sentence classifier's probability for each of ``sentence_bounds(text)``."""
        return sentence_probs(
            (
                self.sentence_vectorizers,
                self.f32("sentence_coef"),
                self.sentence_intercept,
                self.sentence_use_weight,
            ),
            text,
        )

    def spans(self, text: str) -> list[tuple[int, int, float]]:
        return self.analyse(text)[0]

    def analyse(
        self,
        text: str,
        encoder_scores: Callable[[], np.ndarray | None] | None = None,
        p_sent: np.ndarray | None = None,
    ) -> tuple[list[tuple[int, int, float]], SpanEvidence]:
        """The spans of ``text`` and the scores they were decoded from (reused as evidence
        for the English paragraph tagger). ``encoder_scores``: returns the encoder's token
        probabilities for ``text``, asked for only once the sparse models are done (so that
        the encoder can run meanwhile on another core; see ``TechniquesModel``). ``p_sent``:
        ``sentence_scores(text)``, when already computed."""
        found = self.phrases.scores(text) if self.phrases is not None else None
        p_sent = self.sentence_scores(text) if p_sent is None else p_sent
        tagged = self.tagger_token_scores(text) if self.mode != "phrases" else None
        if encoder_scores is not None:
            p_enc = encoder_scores()
        else:
            p_enc = self.encoder_scores(text, p_sent)
        if p_enc is not None:
            p_enc = unread_filled(text, p_enc, tagged, p_sent)
        short = []
        if found is not None and self.phrases is not None:
            # the paragraph evidence keeps the phrase classifier's own scores (it was
            # trained on them); only the spans see the encoder
            mixed = phrase_encoder_mix(found, p_enc, self.phrase_encoder_weight)
            short = mixed.pick(self.phrases.threshold)
        if tagged is None:
            spans = short
        else:
            toks, sent, probs = self.blend_token_scores(tagged, p_sent, p_enc)
            long = decode_spans(text, toks, sent, probs, self.low, self.high, self.gap)
            spans = combine_spans(short, long, self.mode)
        return spans, SpanEvidence(found, sentence_bounds(text), p_sent)


def unread_filled(
    text: str,
    p_enc: np.ndarray,
    tagged: tuple[list[Interval], list[int], np.ndarray | None] | None,
    p_sent: np.ndarray,
) -> np.ndarray:
    """The encoder's token probabilities, with those of the tokens it did not read (NaN)
    replaced by the token tagger's own (or, without a token tagger, the sentence's): mixed
    with them, such a token keeps the sparse score, as in the train command's decoding grid."""
    unread = np.isnan(p_enc)
    if not unread.any():
        return p_enc
    if tagged is not None and tagged[2] is not None:
        fallback = tagged[2]
    else:
        toks = tokens(text)
        fallback = p_sent[np.asarray(sentence_index(text, toks), dtype=int)]
    return np.where(unread, fallback, p_enc).astype(np.float32)


def geometric_mix(p: np.ndarray, q: np.ndarray, weight: float) -> np.ndarray:
    """``p^(1-weight) * q^weight``: a product of experts, high only where both agree."""
    if weight <= 0:
        return p
    return np.clip(p, 1e-6, 1.0) ** (1 - weight) * np.clip(q, 1e-6, 1.0) ** weight


def phrase_encoder_mix(
    found: PhraseScores, p_enc: np.ndarray | None, weight: float
) -> PhraseScores:
    """The candidate phrases rescored with the encoder's mean token probability over each."""
    if p_enc is None or weight <= 0 or not found.cands:
        return found
    cum = np.concatenate([[0.0], np.cumsum(np.asarray(p_enc, dtype=np.float64))])
    cands = np.asarray(found.cands)
    mean = (cum[cands[:, 1]] - cum[cands[:, 0]]) / (cands[:, 1] - cands[:, 0])
    return PhraseScores(found.art, found.cands, geometric_mix(found.probs, mean, weight))


@dataclass
class SpanEvidence:
    """What the span tagger saw in one text: every candidate phrase's probability and every
    sentence's probability of holding a technique."""

    phrases: PhraseScores | None
    sentences: list[Interval]
    sentence_probs: np.ndarray


# Paragraph evidence: phrases down to this probability are named by the technique classifier.
EVIDENCE_PICK = 0.15
N_EVIDENCE_SCORES = 7


def paragraph_evidence(
    text: str,
    bounds: Sequence[Interval],
    evidence: SpanEvidence,
    classifier: TechniqueClassifier,
) -> np.ndarray:
    """Per paragraph, what the PTC span models found in it (one row per paragraph).

    The span models learnt from character-level PTC annotation of English news, which is
    much more precise supervision than paragraph labels; the English SemEval-2023 paragraph
    tagger stacks these scores on its TF-IDF. Columns: best phrase probability, mean of the
    best three, log counts of phrases at 0.2, 0.35 and 0.5, best and mean sentence
    probability, then per PTC technique the best and the log summed (phrase probability x
    technique probability) over phrases picked down to ``EVIDENCE_PICK``.
    """
    found = evidence.phrases
    probs = found.probs if found is not None else np.zeros(0, dtype=np.float32)
    cand = found.char_bounds() if found is not None else np.zeros((0, 2), dtype=int)
    picked = found.pick(EVIDENCE_PICK) if found is not None else []
    named = classifier.proba([text], [[(s, e) for s, e, _ in picked]])
    n_classes = len(classifier.classes)
    rows = np.zeros((len(bounds), N_EVIDENCE_SCORES + 2 * n_classes), dtype=np.float32)
    sent = np.asarray(evidence.sentences, dtype=int).reshape(-1, 2)
    for r, (start, end) in enumerate(bounds):
        inside = probs[(cand[:, 0] >= start) & (cand[:, 1] <= end)]
        in_sent = (sent[:, 0] < end) & (sent[:, 1] > start)
        p_sent = evidence.sentence_probs[in_sent] if len(sent) else np.zeros(0)
        best = np.zeros(n_classes)
        total = np.zeros(n_classes)
        for (s, _e, score), row in zip(picked, named, strict=True):
            if start <= s < end:
                best = np.maximum(best, score * row)
                total += score * row
        rows[r, :N_EVIDENCE_SCORES] = [
            inside.max() if len(inside) else 0.0,
            np.sort(inside)[-3:].mean() if len(inside) else 0.0,
            np.log1p((inside >= 0.2).sum()),
            np.log1p((inside >= 0.35).sum()),
            np.log1p((inside >= 0.5).sum()),
            p_sent.max() if len(p_sent) else 0.0,
            p_sent.mean() if len(p_sent) else 0.0,
        ]
        rows[r, N_EVIDENCE_SCORES:] = np.concatenate([best, np.log1p(total)])
    return rows


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


# A sentence classifier: (vectorizers, coefficients, intercept, weight of the USE block).
SentenceModel = tuple[Sequence[Any], np.ndarray, float, float]


def sentence_probs(model: SentenceModel, text: str) -> np.ndarray:
    """Probability of each of ``sentence_bounds(text)`` holding a technique span."""
    vectorizers, coef, intercept, use_weight = model
    bounds = sentence_bounds(text)
    if not bounds:
        return np.zeros(0, dtype=np.float32)
    sentences = [text[s:e] for s, e in bounds]
    use_rows = sentence_use_rows(sentences, use_weight)
    x = sentence_matrix(vectorizers, sentences, use_rows)
    return np.asarray(_sigmoid(x @ coef.astype(np.float32) + intercept))


def sentence_use_rows(sentences: Sequence[str], weight: float) -> np.ndarray | None:
    """The USE vector of each sentence times ``weight`` (None when the weight is 0).

    The TF-IDF blocks see a sentence's exact words; the vector also knows sentences that say
    the same thing in words training never saw. The span classifier encodes the sentences of
    the spans found later, so those come from the recent-vector cache."""
    if not weight:
        return None
    from narrascope.narratives.encoder import encode, single_thread

    with single_thread():
        return _encode_unique(encode, sentences) * np.float32(weight)


def sentence_matrix(
    vectorizers: Sequence[Any], sentences: Sequence[str], use_rows: np.ndarray | None = None
) -> csr_matrix:
    blocks = [v.transform(sentences) for v in vectorizers]
    if use_rows is not None:
        blocks.append(csr_matrix(use_rows))
    return hstack(blocks).tocsr().astype(np.float32)


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
class TechniqueClassifier(Float32Weights):
    """PTC technique of a span: TF-IDF of span and context plus cues, linear SVM."""

    vectorizers: dict[str, Any]
    weights: dict[str, float]
    coef: np.ndarray
    intercept: np.ndarray
    classes: list[str]
    temperature: float = 1.0

    def features(self, texts: Sequence[str], spans: Sequence[Sequence[Interval]]) -> csr_matrix:
        """Rows for every span of every article (articles in order, spans in order)."""
        span_text, contexts, sentences, dense = [], [], [], []
        for text, article_spans in zip(texts, spans, strict=True):
            bounds = sentence_bounds(text)
            span_text += [text[s:e] for s, e in article_spans]
            contexts += [context_of(text, s, e) for s, e in article_spans]
            sentences += [sentences_of(text, s, e, bounds) for s, e in article_spans]
            dense.append(span_matrix_dense(text, list(article_spans)))
        semantic = semantic_vectors(self.weights, span_text, sentences)
        return build_span_matrix(
            self.vectorizers, self.weights, span_text, contexts, dense, semantic
        )

    def proba(self, texts: Sequence[str], spans: Sequence[Sequence[Interval]]) -> np.ndarray:
        if not any(spans):
            return np.zeros((0, len(self.classes)))
        x = self.features(texts, spans)
        scores = x @ self.f32("coef").T + self.intercept
        return softmax(np.asarray(scores), self.temperature)


def build_span_matrix(
    vectorizers: dict[str, Any],
    weights: dict[str, float],
    span_text: Sequence[str],
    contexts: Sequence[str],
    dense: Sequence[np.ndarray],
    semantic: np.ndarray | None = None,
) -> csr_matrix:
    """The classifier's input rows; ``semantic``: the weighted USE block of
    ``semantic_vectors`` (None or no columns: the model has none)."""
    blocks = [
        vectorizers["word"].transform(span_text) * weights["word"],
        vectorizers["char"].transform(span_text) * weights["char"],
        vectorizers["context"].transform(contexts) * weights["context"],
        csr_matrix(np.vstack(dense)) * weights["cues"],
    ]
    if semantic is not None and semantic.shape[1]:
        blocks.append(csr_matrix(semantic))
    return hstack(blocks).tocsr().astype(np.float32)


def semantic_vectors(
    weights: dict[str, float], span_text: Sequence[str], sentences: Sequence[str]
) -> np.ndarray:
    """Multilingual USE vectors of the span and of its sentence(s), each times its weight
    (``use_span``, ``use_sentence``; absent or 0: left out).

    TF-IDF sees the exact words only; the sentence vector places "traitors" near "enemies of
    the people", which names the technique of a span whose words training never saw. The
    encoder is the one the narratives stage caches (one copy per process)."""
    from narrascope.narratives.encoder import encode, single_thread

    parts = []
    with single_thread():
        for key, inputs in (("use_span", span_text), ("use_sentence", sentences)):
            weight = weights.get(key, 0.0)
            if weight:
                parts.append(_encode_unique(encode, inputs) * np.float32(weight))
    if not parts:
        return np.zeros((len(span_text), 0), dtype=np.float32)
    return np.hstack(parts)


# Recently encoded texts -> vector. The stage names the spans, then names the phrases again
# (down to a lower threshold) for the paragraph evidence: same spans, same sentences.
_RECENT_VECTORS: OrderedDict[str, np.ndarray] = OrderedDict()
_RECENT_LIMIT = 4096


def _encode_unique(encode: Any, texts: Sequence[str]) -> np.ndarray:
    """Encode each distinct text once (a sentence often holds several spans), reusing the
    vectors of recently encoded texts."""
    missing = [t for t in dict.fromkeys(texts) if t not in _RECENT_VECTORS]
    for i in range(0, len(missing), 256):  # batches: the encoder pads to the longest text
        batch = missing[i : i + 256]
        for text, vector in zip(batch, encode(batch), strict=True):
            _RECENT_VECTORS[text] = vector
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        out[i] = _RECENT_VECTORS[text]
        _RECENT_VECTORS.move_to_end(text)
    while len(_RECENT_VECTORS) > _RECENT_LIMIT:
        _RECENT_VECTORS.popitem(last=False)
    return out


def paragraph_surface(paragraphs: Sequence[str]) -> np.ndarray:
    """Length and punctuation cues of each paragraph, which TF-IDF normalises away: longer
    paragraphs hold more techniques; quotes, questions and exclamations mark some."""
    rows = np.zeros((len(paragraphs), _LENGTH_BINS + 7), dtype=np.float32)
    for r, text in enumerate(paragraphs):
        n = len(text.split())
        rows[r, min(int(np.log2(n + 1) * 2), _LENGTH_BINS - 1)] = 1.0
        for k, mark in enumerate(('"', "?", "!", "“", "'")):
            rows[r, _LENGTH_BINS + k] = min(text.count(mark), 4) / 4
        rows[r, _LENGTH_BINS + 5] = float(text.isupper())
        rows[r, _LENGTH_BINS + 6] = min(n, 200) / 200
    return rows


_LENGTH_BINS = 21


@dataclass
class ParagraphTagger(Float32Weights):
    """SemEval-2023 Task 3 techniques of one paragraph, for one language.

    Features: word TF-IDF, the surface cues of ``paragraph_surface`` (when ``surface``) and,
    for English, the PTC span models' ``paragraph_evidence`` times ``evidence_weight``.
    ``thresholds`` holds one probability threshold per technique.
    """

    vectorizer: Any
    coef: np.ndarray
    intercept: np.ndarray
    classes: list[str]
    thresholds: np.ndarray
    surface: bool = True
    evidence_weight: float = 0.0

    @property
    def uses_evidence(self) -> bool:
        return self.evidence_weight > 0

    def matrix(self, paragraphs: Sequence[str], evidence: np.ndarray | None = None) -> Any:
        blocks = [self.vectorizer.transform(list(paragraphs)).astype(np.float32)]
        if self.surface:
            blocks.append(csr_matrix(paragraph_surface(paragraphs)))
        if self.uses_evidence:
            if evidence is None:
                raise ValueError("this paragraph tagger needs the span models' evidence")
            blocks.append(csr_matrix(evidence * self.evidence_weight))
        return hstack(blocks).tocsr()

    def proba(self, paragraphs: Sequence[str], evidence: np.ndarray | None = None) -> np.ndarray:
        if not paragraphs:
            return np.zeros((0, len(self.classes)))
        x = self.matrix(paragraphs, evidence)
        return np.asarray(_sigmoid(x @ self.f32("coef").T + self.intercept))

    def labels(
        self, paragraphs: Sequence[str], evidence: np.ndarray | None = None
    ) -> list[list[tuple[str, float]]]:
        out = []
        for row in self.proba(paragraphs, evidence):
            hits = [(j, float(row[j])) for j in np.argsort(-row)]
            out.append([(self.classes[j], p) for j, p in hits if p >= self.thresholds[j]])
        return out


# How often Python hands the GIL between threads while the encoder runs beside the sparse
# models (see ``TechniquesModel.analyse_documents``; Python's default is 0.005 s).
GIL_SWITCH_SECONDS = 0.001
_switch_lock = threading.Lock()
_switch_users = 0  # batches running now (the web API may run several, one per thread)
_switch_saved = 0.005


@contextmanager
def frequent_gil_switches() -> Iterator[None]:
    """Context: the GIL changes hands every ``GIL_SWITCH_SECONDS`` at most. The interval is
    process-wide, so overlapping batches share one change: the first sets it, the last puts
    the caller's value back."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_saved, GIL_SWITCH_SECONDS))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


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
        return self._named_spans(text, self.span_tagger.spans(text))

    def paragraph_labels(
        self,
        text: str,
        bounds: Sequence[Interval],
        language: str,
        evidence: SpanEvidence | None = None,
    ) -> list[list[tuple[str, float]]]:
        """SemEval-2023 techniques of each paragraph ``text[start:end]`` of ``bounds``
        (``evidence``: the span tagger's, when it has already read the text)."""
        tagger = self.paragraph_taggers[language]
        paragraphs = [text[s:e] for s, e in bounds]
        rows = None
        if tagger.uses_evidence:
            if evidence is None:
                evidence = self.span_tagger.analyse(text)[1]
            rows = paragraph_evidence(text, bounds, evidence, self.classifier)
        return tagger.labels(paragraphs, rows)

    def analyse_documents(
        self, items: Sequence[tuple[str, str, Sequence[Interval]]]
    ) -> list[tuple[list[dict[str, Any]], list[list[tuple[str, float]]]]]:
        """``analyse_document`` of each (text, language, paragraph bounds).

        When the span tagger mixes in the MiniLM encoder, the encoder reads the English texts
        in a background thread while the sparse models work in this one: torch releases the
        GIL during a forward pass, so the two share the machine's cores instead of taking
        turns (the sparse models are pure Python and numpy on one core). Both threads run
        torch on one thread meanwhile (torch's setting is per thread, and new threads start
        from the caller's): with two, the encoder's threads contend with the sparse models
        for the second core (techniques bench, three runs each: 6.2-6.6 600-word articles/s
        against 5.6-5.9). Python hands the GIL between threads every millisecond meanwhile
        instead of every 5: the encoder thread needs the GIL between torch operations, and
        waited for the busy sparse models to release it (encoder thread busy 119-121 ms per
        600 words instead of 135-140; stage 7.7 articles/s against 6.7-7.0, two runs each)."""
        tagger = self.span_tagger
        if not tagger.uses_encoder or not any(language == "en" for _, language, _ in items):
            return [self.analyse_document(*item) for item in items]
        import torch

        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with frequent_gil_switches():
                return self._analyse_beside_encoder(items)
        finally:
            torch.set_num_threads(before)

    def _analyse_beside_encoder(
        self, items: Sequence[tuple[str, str, Sequence[Interval]]]
    ) -> list[tuple[list[dict[str, Any]], list[list[tuple[str, float]]]]]:
        """``analyse_documents`` with the encoder in a background thread.

        With a gate, the encoder needs a text's sentence scores before it starts on it: this
        thread scores the sentences of every English text first, handing each text to the
        encoder as soon as they are scored, then does the rest of the work text by text."""
        tagger = self.span_tagger
        p_sent: dict[int, np.ndarray] = {}
        # the worker thread starts from this thread's torch setting (one thread, see above)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="span-encoder") as pool:
            pending = {}
            for i, (text, language, _) in enumerate(items):
                if language != "en":
                    continue
                if tagger.encoder_gate > 0:
                    p_sent[i] = tagger.sentence_scores(text)
                pending[i] = pool.submit(tagger.encoder_scores, text, p_sent.get(i))
            return [
                self.analyse_document(text, language, bounds, pending[i].result, p_sent.get(i))
                if i in pending
                else self.analyse_document(text, language, bounds)
                for i, (text, language, bounds) in enumerate(items)
            ]

    def analyse_document(
        self,
        text: str,
        language: str,
        bounds: Sequence[Interval],
        encoder_scores: Callable[[], np.ndarray | None] | None = None,
        p_sent: np.ndarray | None = None,
    ) -> tuple[list[dict[str, Any]], list[list[tuple[str, float]]]]:
        """PTC spans (English only) and SemEval-2023 paragraph labels (every language with a
        paragraph tagger; none otherwise) of one text, reading it once (``encoder_scores``,
        ``p_sent``: see ``SpanTagger.analyse``)."""
        spans: list[dict[str, Any]] = []
        evidence = None
        if language == "en":
            found, evidence = self.span_tagger.analyse(text, encoder_scores, p_sent)
            spans = self._named_spans(text, found)
        if language not in self.paragraph_taggers:
            return spans, []
        return spans, self.paragraph_labels(text, bounds, language, evidence)

    def _named_spans(self, text: str, found: list[tuple[int, int, float]]) -> list[dict[str, Any]]:
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
