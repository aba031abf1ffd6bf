"""Features shared by the technique models: tokens, span context, surface cues.

Everything here is plain Python over the article text (no spaCy), so training and inference
see identical tokens and the stage stays fast.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.sparse import csr_matrix

TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)
_SENT_END = re.compile(r"[.!?]+[\"'”’)]*\s+|\n+")
_WORD = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word and punctuation mark."""
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def inside_labels(
    intervals: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]
) -> list[int]:
    """1 for each (start, end) that overlaps one of ``spans``, else 0: the SI label of a token
    or a sentence."""
    return [int(any(s < ge and gs < e for gs, ge in spans)) for s, e in intervals]


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Cheap sentence split (punctuation or line break); spans cover the whole text."""
    bounds, start = [], 0
    for match in _SENT_END.finditer(text):
        if match.end() > start:
            bounds.append((start, match.end()))
            start = match.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def context_of(text: str, start: int, end: int, width: int = 120) -> str:
    """The text around a span, up to ``width`` characters each side, within its lines."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    right = len(text) if right < 0 else right
    return text[max(left, start - width) : start] + " " + text[end : min(right, end + width)]


def sentences_of(text: str, start: int, end: int, bounds: Sequence[tuple[int, int]]) -> str:
    """The sentence(s) a span lies in, from the start of the first to the end of the last
    (``bounds``: ``sentence_bounds(text)``, computed once per article)."""
    first = next((s for s, e in bounds if s <= start < e), start)
    last = next((e for s, e in bounds if s < end <= e), end)
    return text[first:last]


def normal_words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


class ArticleIndex:
    """Per-article counts used by span cues (how often a phrase recurs, for Repetition)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sequence = normal_words(text).split()
        self.words = Counter(self.sequence)
        self._starts: dict[str, list[int]] | None = None  # word -> its positions, when asked

    def occurrences(self, phrase: str) -> int:
        """How often the phrase's words occur in a row in the article, without overlaps (a
        regex search of the normalised text counted the same; compiling one per phrase
        overflowed ``re``'s cache)."""
        words = normal_words(phrase).split()
        if len(words) <= 1:
            return self.words.get(words[0], 0) if words else 0
        if self._starts is None:
            self._starts = {}
            for i, word in enumerate(self.sequence):
                self._starts.setdefault(word, []).append(i)
        count, free = 0, 0  # free: the first position a further match may start at
        n = len(words)
        for i in self._starts.get(words[0], []):
            if i >= free and self.sequence[i : i + n] == words:
                count, free = count + 1, i + n
        return count


_CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "question": r"\?",
        "exclaim": r"!",
        "quote": r"[\"“”]",
        "negation": r"\b(?:not|no|never|nothing|n't)\b",
        "doubt": r"\b(?:so-called|alleged\w*|claim\w*|supposed\w*|whether|really|question\w*)\b",
        "authority": r"\b(?:said|says|according|expert\w*|official\w*|scientist\w*|professor|"
        r"dr\.?|study|report\w*)\b",
        "nation": r"\b(?:america\w*|nation\w*|country|patriot\w*|our|we|us|people|flag|"
        r"freedom|constitution)\b",
        "fear": r"\b(?:threat\w*|danger\w*|terror\w*|kill\w*|death|destroy\w*|attack\w*|"
        r"crisis|fear\w*|invasion|war)\b",
        "causal": r"\b(?:because|cause[sd]?|therefore|thus|result\w*|lead\w* to|so that|since)\b",
        "absolute": r"\b(?:all|every\w*|always|never|only|either|nothing|none|must|no one)\b",
        "superlative": r"\b(?:\w+est|most|biggest|worst|best|greatest|huge|massive|"
        r"unprecedented|totally|completely|absolutely)\b",
        "hitler": r"\b(?:hitler|nazi\w*|fascis\w*|communis\w*|stalin|soviet|isis|"
        r"terrorist\w*)\b",
        "whatabout": r"\b(?:what about|hypocri\w*|double standard|same\s+\w+\s+who)\b",
        "bandwagon": r"\b(?:everyone|everybody|majority|millions|most people|all of us)\b",
        "cliche": r"\b(?:period|end of story|that's it|it is what it is|enough)\b",
    }.items()
}


def span_cues(text: str, start: int, end: int, index: ArticleIndex) -> list[float]:
    """Dense cues of one span: length, punctuation, lexicon hits, recurrence, case."""
    span = text[start:end]
    words = _WORD.findall(span)
    n_words = max(len(words), 1)
    caps = sum(1 for w in words if w[:1].isupper())
    upper = sum(1 for w in words if len(w) > 1 and w.isupper())
    recur = index.occurrences(span)
    left = text[max(0, start - 2) : start]
    right = text[end : end + 2]
    feats = [
        math.log1p(len(span)) / 6.0,
        math.log1p(n_words) / 4.0,
        float(n_words == 1),
        float(n_words <= 3),
        float(n_words >= 12),
        caps / n_words,
        float(upper > 0),
        min(recur, 10) / 10.0,
        float(recur >= 2),
        float(recur >= 3),
        float(any(q in left for q in "\"“'‘")),
        float(any(q in right for q in "\"”'’")),
        float(span.rstrip().endswith("?")),
        float(span.rstrip().endswith("!")),
        start / max(len(text), 1),
        float("\n" not in text[:start]),  # in the title
    ]
    feats += [float(bool(p.search(span))) for p in _CUES.values()]
    return feats


def cue_matrix(rows: Sequence[list[float]]) -> np.ndarray:
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), -1)


def _shape(word: str) -> str:
    if word.isdigit():
        return "D"
    if not word[:1].isalnum():
        return "P"
    if word.isupper() and len(word) > 1:
        return "AA"
    if word[:1].isupper():
        return "Aa"
    return "a"


def token_features(
    text: str, use_sentence: bool = True, clusters: Mapping[str, int] | None = None
) -> tuple[list[tuple[int, int]], list[int], list[list[str]]]:
    """Tokens of ``text``, the sentence index of each, and hashed-feature names per token.

    Each token sees its word, its neighbours (two each side), bigrams, shape, suffix, whether
    it recurs in the article, whether it sits inside quotes, its place in the sentence and
    (``use_sentence``) the bag of words of its sentence, which carries the sentence's tone.
    ``clusters`` (word -> cluster of similar words) adds the clusters of the word and its
    neighbours.
    """
    toks = tokens(text)
    words = [text[s:e].lower() for s, e in toks]
    counts = Counter(words)
    sent_of = sentence_index(text, toks)
    by_sent: dict[int, list[int]] = {}
    for i, sid in enumerate(sent_of):
        by_sent.setdefault(sid, []).append(i)
    feats: list[list[str]] = []
    in_quote = False
    for i, ((start, end), word) in enumerate(zip(toks, words, strict=True)):
        if word in {'"', "“", "”"}:
            in_quote = not in_quote if word == '"' else word == "“"
        members = by_sent[sent_of[i]]
        pos = i - members[0]
        prev1 = words[i - 1] if i > 0 else "<s>"
        prev2 = words[i - 2] if i > 1 else "<s>"
        next1 = words[i + 1] if i + 1 < len(words) else "</s>"
        next2 = words[i + 2] if i + 2 < len(words) else "</s>"
        raw = text[start:end]
        row = [
            "b",
            "w=" + word,
            "p1=" + prev1,
            "p2=" + prev2,
            "n1=" + next1,
            "n2=" + next2,
            "pw=" + prev1 + "|" + word,
            "wn=" + word + "|" + next1,
            "sh=" + _shape(raw),
            "sf=" + word[-3:],
            "rec=" + str(min(counts[word], 4)) if len(word) > 3 else "rec=short",
            "q=" + str(in_quote),
            "pos=" + str(min(pos, 5)),
            "end=" + str(min(members[-1] - i, 5)),
            "len=" + str(min(len(members) // 10, 5)),
        ]
        if use_sentence:
            row += ["s=" + words[j] for j in members if len(words[j]) > 2]
        if clusters:
            row += [
                f"c{k}=" + str(clusters.get(words[i + k], -1))
                for k in (-1, 0, 1)
                if 0 <= i + k < len(words)
            ]
        feats.append(row)
    return toks, sent_of, feats


def hash_features(rows: Sequence[Sequence[str]], n_features: int) -> csr_matrix:
    """The rows' feature names hashed into ``n_features`` columns (float32 counts)."""
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(n_features, input_type="string", alternate_sign=False)
    return hasher.transform(rows).astype(np.float32).tocsr()


def sentence_index(text: str, toks: list[tuple[int, int]]) -> list[int]:
    bounds = sentence_bounds(text)
    out, b = [], 0
    for start, _ in toks:
        while b + 1 < len(bounds) and start >= bounds[b][1]:
            b += 1
        out.append(b)
    return out


class Float32Weights:
    """Mixin for models that store float16 weights (a small artifact) but multiply in float32.

    Converting a 2^20-long weight vector on every call cost about 20 ms per article; the
    float32 copy is made once per loaded model and never pickled."""

    def f32(self, name: str) -> np.ndarray:
        key = "_f32_" + name
        cached = self.__dict__.get(key)
        if cached is None:
            cached = np.asarray(getattr(self, name), dtype=np.float32)
            self.__dict__[key] = cached
        return cached

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_f32_")}
