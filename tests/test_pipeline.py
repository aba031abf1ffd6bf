"""The pipeline checks stage requirements when built and records skips per document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from narrascope.document import Document, Metadata
from narrascope.pipeline import Pipeline, PipelineError, Stage


class Shout(Stage):
    name = "shout"
    requires = ("sentences",)
    provides = ("shouts",)
    languages = frozenset({"en"})

    def predict(self, docs: Sequence[Document]) -> list[Any]:
        return [
            [(s.start, s.end) for s in d.sentences if d.span_text(s).endswith("!")] for d in docs
        ]

    def set_annotations(self, docs: Sequence[Document], predictions: Sequence[Any]) -> None:
        for doc, offsets in zip(docs, predictions, strict=True):
            layer = doc.layer("shouts")
            for start, end in offsets:
                layer.add_span(start, end, "shout", 1.0)


class FakeSentences(Stage):
    name = "fake-sentences"
    provides = ("sentences",)

    def predict(self, docs: Sequence[Document]) -> list[Any]:
        return [None for _ in docs]

    def set_annotations(self, docs: Sequence[Document], predictions: Sequence[Any]) -> None:
        for doc in docs:
            doc.layer("sentences").add_span(0, len(doc.text), "sentence")


def test_missing_requirement_fails_at_build_time_with_a_clear_message() -> None:
    with pytest.raises(PipelineError, match=r"'shout' needs sentences.*add stage\(s\) linguistic"):
        Pipeline([Shout()])


def test_stages_run_in_order_and_record_what_ran() -> None:
    doc = Document("Stop now!", meta=Metadata(language="en"))
    Pipeline([FakeSentences(), Shout()])(doc)
    assert [s.label for s in doc.layers["shouts"].spans] == ["shout"]
    assert [(s.name, s.status) for s in doc.stages] == [("fake-sentences", "ran"), ("shout", "ran")]


def test_unsupported_language_is_skipped_with_a_reason() -> None:
    doc = Document("Стоп!", meta=Metadata(language="ru"))
    Pipeline([FakeSentences(), Shout()])(doc)
    assert "shouts" not in doc.layers
    skipped = doc.stages[-1]
    assert skipped.status == "skipped" and "language ru not supported" in skipped.reason


def test_unknown_stage_name_is_rejected() -> None:
    with pytest.raises(PipelineError, match="unknown stage"):
        Pipeline.from_names(["language", "nonsense"])


def test_from_names_keeps_registry_order() -> None:
    pipe = Pipeline.from_names(["structure", "language"])
    assert pipe.names == ["language", "structure"]
