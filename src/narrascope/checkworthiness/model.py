"""The check-worthiness classifier: sparse TF-IDF n-grams plus claim cues, logistic regression.

A linear model over sparse features keeps inference to a few microseconds per sentence, so
the stage runs at thousands of sentences a second on one CPU core. The fitted pipeline and
its decision threshold ship as one joblib file under ``narrascope/models/checkworthiness``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator, TransformerMixin

from narrascope.artifacts import load_joblib, save_joblib, shipped_path

MODEL_FILE = "model.joblib"
DEFAULT_THRESHOLD = 0.5

_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|billion|trillion|dozens?|half|percent|twice|double)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"%|\bpercent\b|\bper cent\b", re.IGNORECASE)
_MONEY = re.compile(r"[$€£]|\bdollars?\b|\beuros?\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'll|me|my|we|we're|we've|our|us)\b")
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're)\b", re.IGNORECASE)
_PAST_VERB = re.compile(r"\b\w{3,}ed\b|\b(?:was|were|had|did|said|voted|went|made|lost)\b", re.I)
_COMPARATIVE = re.compile(
    r"\b(?:more|less|fewer|most|least|increase\w*|decrease\w*|"
    r"\w+est|higher|lower|largest|biggest|record)\b",
    re.IGNORECASE,
)
_OPINION = re.compile(
    r"\b(?:think|believe|feel|hope|want|should|must|going to|will|"
    r"thank|thanks|let me|glad|proud)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")


def cue_vector(text: str) -> list[float]:
    """Surface cues of a factual claim: numbers, dates, named things, tense, person, mood."""
    words = max(len(text.split()), 1)
    return [
        float(bool(_DIGIT.search(text))),
        float(bool(_NUMBER_WORD.search(text))),
        float(bool(_PERCENT.search(text))),
        float(bool(_MONEY.search(text))),
        float(bool(_YEAR.search(text))),
        float(bool(_FIRST_PERSON.search(text))),
        float(bool(_SECOND_PERSON.search(text))),
        float(bool(_PAST_VERB.search(text))),
        float(bool(_COMPARATIVE.search(text))),
        float(bool(_OPINION.search(text))),
        min(len(_CAPITALISED.findall(text)), 5) / 5.0,
        float(text.rstrip().endswith("?")),
        min(words, 60) / 60.0,
        float(words <= 5),
    ]


class ClaimCues(BaseEstimator, TransformerMixin):
    """Dense claim-cue features as a sparse block, scaled by ``weight``."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, texts: Sequence[str], y: Any = None) -> ClaimCues:
        return self

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        rows = np.array([cue_vector(t) for t in texts], dtype=np.float64) * self.weight
        return csr_matrix(rows)


@dataclass
class Settings:
    """What a model was trained with; recorded in the artifact and the model card."""

    C: float = 4.0
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    use_char: bool = True
    use_cues: bool = True
    cue_weight: float = 1.0
    max_char_features: int = 150_000
    min_df: int = 2
    seed: int = 13
    extra: dict[str, Any] = field(default_factory=dict)


def build_pipeline(settings: Settings) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    parts: list[tuple[str, Any]] = [
        (
            "word",
            TfidfVectorizer(
                ngram_range=settings.word_ngrams,
                min_df=settings.min_df,
                sublinear_tf=True,
                dtype=np.float32,
            ),
        )
    ]
    if settings.use_char:
        parts.append(
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=settings.char_ngrams,
                    min_df=max(settings.min_df, 3),
                    sublinear_tf=True,
                    max_features=settings.max_char_features,
                    dtype=np.float32,
                ),
            )
        )
    if settings.use_cues:
        parts.append(("cues", ClaimCues(settings.cue_weight)))
    classifier = LogisticRegression(
        C=settings.C, max_iter=3000, class_weight="balanced", random_state=settings.seed
    )
    return Pipeline([("features", FeatureUnion(parts)), ("lr", classifier)])


def slim(pipeline: Any) -> Any:
    """Drop what inference never reads (the vectorizers' discarded-term sets) before saving."""
    for _, part in pipeline.named_steps["features"].transformer_list:
        if hasattr(part, "stop_words_"):
            part.stop_words_ = None
    return pipeline


@dataclass
class CheckworthinessModel:
    """A fitted pipeline and the probability above which a sentence counts as check-worthy."""

    pipeline: Any
    threshold: float = DEFAULT_THRESHOLD
    info: dict[str, Any] = field(default_factory=dict)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0)
        return np.asarray(self.pipeline.predict_proba(list(texts))[:, 1], dtype=float)

    def predict(self, texts: Sequence[str]) -> list[bool]:
        return [bool(s >= self.threshold) for s in self.scores(texts)]

    def save(self, path: str | Path) -> None:
        payload = {"pipeline": slim(self.pipeline), "threshold": self.threshold, "info": self.info}
        save_joblib(payload, path)

    @classmethod
    def load(cls, path: str | Path) -> CheckworthinessModel:
        payload = load_joblib(path, "check-worthiness model")
        return cls(payload["pipeline"], float(payload["threshold"]), dict(payload["info"]))


def shipped_model_path() -> Path:
    return shipped_path("checkworthiness", MODEL_FILE)


@cache
def shipped_model() -> CheckworthinessModel:
    """The model shipped with the package, loaded once per process."""
    return CheckworthinessModel.load(shipped_model_path())
