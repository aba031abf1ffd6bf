"""Check-worthiness: which sentences contain a factual claim worth checking.

Every sentence is scored by the shipped classifier (TF-IDF n-grams and claim cues, logistic
regression, trained on CheckThat! 2024 Task 1). Sentences at or above the model's threshold
become "check-worthy" spans with the probability as score; all scores are kept in
``layer.data["sentence_scores"]`` so a reader can see the near misses too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from narrascope.document import Document
from narrascope.pipeline import Stage

LAYER = "checkworthiness"
LABEL = "check-worthy"
EXPLANATIONS = {
    LABEL: "The sentence states something factual that a fact-checker could verify "
    "(a number, an event, a quote of record), as judged by a classifier trained on "
    "CheckThat! 2024 debate sentences.",
}


class CheckworthinessStage(Stage):
    name = "checkworthiness"
    requires = ("sentences",)
    provides = ("checkworthiness",)
    languages = frozenset({"en"})

    def predict(self, docs: Sequence[Document]) -> list[list[float]]:
        from narrascope.checkworthiness.model import shipped_model

        model = shipped_model()
        texts = [doc.span_text(s) for doc in docs for s in doc.sentences]
        scores = iter(model.scores(texts).tolist())
        return [[next(scores) for _ in doc.sentences] for doc in docs]

    def set_annotations(self, docs: Sequence[Document], predictions: Sequence[Any]) -> None:
        from narrascope.checkworthiness.model import shipped_model

        threshold = shipped_model().threshold
        for doc, scores in zip(docs, predictions, strict=True):
            layer = doc.layer(LAYER, display=False)  # the claims layer highlights them
            for sentence, score in zip(doc.sentences, scores, strict=True):
                if score >= threshold:
                    layer.add_span(sentence.start, sentence.end, LABEL, round(score, 4))
            layer.data["threshold"] = threshold
            layer.data["sentence_scores"] = [
                {"start": s.start, "end": s.end, "score": round(score, 4)}
                for s, score in zip(doc.sentences, scores, strict=True)
            ]
            layer.data["explanations"] = dict(EXPLANATIONS)
            layer.data["model"] = (
                "narrascope/models/checkworthiness (see docs/models/checkworthiness.md)"
            )
