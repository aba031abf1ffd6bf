"""Narratives: which SemEval-2025 narratives and sub-narratives an article advances.

The shipped model (see docs/models/narratives.md) scores every narrative of the Ukraine-war
and climate-change taxonomies; per-language thresholds pick the article's labels ("Other"
when none fits). For each label found, the 1-3 sentences that most support it are kept as
evidence: the label's head applied to each sentence alone, combined with the sentence's
similarity to the label's definition and description sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from narrascope.document import Document
from narrascope.narratives.data import OTHER
from narrascope.pipeline import Stage

LAYER = "narratives"
NEAR_MISSES = 5
LANGUAGES = frozenset({"en", "ru", "bg", "pt", "hi"})
MODEL = "narrascope/models/narratives (see docs/models/narratives.md)"


def _round(value: float) -> float:
    return round(float(value), 4)


class NarrativesStage(Stage):
    name = "narratives"
    requires = ("sentences",)
    provides = ("narratives",)
    languages = LANGUAGES

    def predict(self, docs: Sequence[Document]) -> list[dict[str, Any]]:
        from narrascope.narratives.encoder import single_thread

        with single_thread():
            return self._predict(docs)

    def _predict(self, docs: Sequence[Document]) -> list[dict[str, Any]]:
        from narrascope.narratives.model import encode_article, shipped_model

        model = shipped_model()
        encoded = [
            encode_article(d.text, d.meta.language or "", [(s.start, s.end) for s in d.sentences])
            for d in docs
        ]
        coarse, fine = model.scores(encoded)
        out = []
        for k, enc in enumerate(encoded):
            labels, subs = model.decide(coarse[k], fine[k], enc.lang)
            table = model.sentence_scores(enc) if labels != [OTHER] else np.zeros((0, 0))
            scores = {
                **dict(zip(model.coarse, coarse[k], strict=True)),
                **dict(zip(model.fine, fine[k], strict=False)),
            }
            found = []
            # "Other" has no sub-narratives: the fine label repeats the coarse one.
            for label in labels if labels == [OTHER] else [*labels, *subs]:
                evidence = [
                    (enc.sentences[i], score) for i, score in model.evidence(enc, label, table)
                ]
                found.append((label, float(scores.get(label, 0.0)), evidence))
            near = sorted(
                (
                    (c, float(s))
                    for c, s in zip(model.coarse, coarse[k], strict=True)
                    if c not in labels
                ),
                key=lambda cs: -cs[1],
            )[:NEAR_MISSES]
            out.append(
                {
                    "labels": labels,
                    "found": found,
                    "near": near,
                    "encoded": enc,
                    "coarse_scores": coarse[k],
                    "thresholds": vars(model.thresholds_for(enc.lang)),
                }
            )
        return out

    def set_annotations(self, docs: Sequence[Document], predictions: Sequence[Any]) -> None:
        from narrascope.narratives.model import shipped_model

        model = shipped_model()
        for doc, pred in zip(docs, predictions, strict=True):
            layer = doc.layer(LAYER)
            coarse = set(pred["labels"])
            definitions = {}
            for label, score, evidence in pred["found"]:
                level = "narrative" if label in coarse else "sub-narrative"
                ids = []
                for (start, end), ev_score in evidence:
                    if level == "narrative":
                        ids.append(layer.add_span(start, end, label, _round(ev_score)).id)
                attrs: dict[str, Any] = {
                    "level": level,
                    "evidence": [
                        {"start": s, "end": e, "score": _round(v)} for (s, e), v in evidence
                    ],
                    "evidence_ids": ids,
                }
                if level == "sub-narrative":
                    attrs["parent"] = label.rsplit(":", 1)[0]
                layer.labels.append(_doc_label(label, score, attrs))
                if label in model.definitions:
                    definitions[label] = model.definitions[label]
            layer.data.update(
                {
                    "near_misses": [{"label": c, "score": _round(s)} for c, s in pred["near"]],
                    "thresholds": {k: _round(v) for k, v in pred["thresholds"].items()},
                    "explanations": definitions,
                    "model": MODEL,
                }
            )
            # The framing stage reads these instead of encoding the article again.
            doc.cache["narratives"] = {
                "encoded": pred["encoded"],
                "labels": pred["labels"],
                "coarse_scores": pred["coarse_scores"],
            }


def _doc_label(label: str, score: float, attrs: dict[str, Any]) -> Any:
    from narrascope.document import DocLabel

    return DocLabel(label, _round(score), attrs)
