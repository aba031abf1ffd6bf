"""Persuasion techniques: spans that use a technique, which one, and how sure the model is.

English articles get PTC (SemEval-2020 Task 11) spans: the span tagger finds the stretches of
text that use a technique, the classifier names one of 14 techniques. Each span's ``score`` is
the tagger's confidence (what the report's threshold slider filters on); ``attrs`` carry the
classifier's confidence and the runner-up techniques. Every article in a SemEval-2023 Task 3
language (en fr de it pl ru) also gets paragraph-level labels in the 23-technique scheme, in
``layer.data["paragraphs"]``, summarised as document labels in ``layer.labels``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from narrascope.document import DocLabel, Document
from narrascope.pipeline import Stage
from narrascope.report import register_explanations
from narrascope.techniques.data import article_lines
from narrascope.techniques.labels import PTC_TECHNIQUES

LAYER = "techniques"
register_explanations(LAYER, PTC_TECHNIQUES)


def _paragraph_bounds(doc: Document) -> list[tuple[int, int]]:
    if doc.paragraphs:
        return [(p.start, p.end) for p in doc.paragraphs]
    return list(article_lines(doc.text).values())


class TechniquesStage(Stage):
    name = "techniques"
    requires = ("sentences",)
    provides = ("techniques",)
    languages = frozenset({"en", "fr", "de", "it", "pl", "ru"})

    def predict(self, docs: Sequence[Document]) -> list[dict[str, Any]]:
        from narrascope.techniques.model import shipped_model

        model = shipped_model()
        bounds_of = [_paragraph_bounds(doc) for doc in docs]
        analysed = model.analyse_documents(
            [
                (doc.text, doc.meta.language or "", bounds)
                for doc, bounds in zip(docs, bounds_of, strict=True)
            ]
        )
        out = []
        for bounds, (spans, labels) in zip(bounds_of, analysed, strict=True):
            paragraphs = [
                {"start": s, "end": e, "techniques": [[c, round(p, 4)] for c, p in found]}
                for (s, e), found in zip(bounds, labels, strict=False)
            ]
            out.append({"spans": spans, "paragraphs": paragraphs})
        return out

    def set_annotations(self, docs: Sequence[Document], predictions: Sequence[Any]) -> None:
        from narrascope.techniques.model import shipped_model

        model = shipped_model()
        for doc, pred in zip(docs, predictions, strict=True):
            layer = doc.layer(LAYER)
            for item in pred["spans"]:
                layer.add_span(
                    item["start"],
                    item["end"],
                    item["technique"],
                    item["span_score"],
                    technique_confidence=item["technique_score"],
                    alternatives=item["alternatives"],
                    scheme="ptc",
                )
            layer.labels.extend(_document_labels(pred["paragraphs"]))
            layer.data["paragraphs"] = pred["paragraphs"]
            layer.data["span_threshold"] = model.span_tagger.low
            layer.data["explanations"] = dict(PTC_TECHNIQUES)
            layer.data["schemes"] = {
                "spans": "PTC (SemEval-2020 Task 11), 14 techniques, English only",
                "paragraphs": "SemEval-2023 Task 3, 23 techniques, paragraph level",
            }
            layer.data["model"] = "narrascope/models/techniques (see docs/models/techniques.md)"


def _document_labels(paragraphs: list[dict[str, Any]]) -> list[DocLabel]:
    """One label per SemEval-2023 technique found in any paragraph, with its best score."""
    best: dict[str, float] = {}
    count: dict[str, int] = {}
    for para in paragraphs:
        for label, score in para["techniques"]:
            best[label] = max(best.get(label, 0.0), score)
            count[label] = count.get(label, 0) + 1
    return [
        DocLabel(label, round(score, 4), {"scheme": "semeval2023", "paragraphs": count[label]})
        for label, score in sorted(best.items(), key=lambda kv: -kv[1])
    ]
