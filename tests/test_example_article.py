"""End to end on the canonical example article (or the tests' own short article)."""

from __future__ import annotations

import json

from narrascope.report import render
from narrascope.serialize import document_to_dict, validate


def test_example_json_is_valid_and_offsets_index_the_text(example_doc, example_text) -> None:
    data = document_to_dict(example_doc)
    validate(data)
    assert data["text"] == example_text
    for layer in data["layers"].values():
        for span in layer["spans"]:
            assert example_text[span["start"] : span["end"]] == span["text"]


def test_example_base_layers(example_doc, example_text) -> None:
    assert example_doc.meta.language == "en"
    assert example_doc.title and example_doc.text.startswith(example_doc.title)
    assert len(example_doc.paragraphs) == len([b for b in example_text.split("\n") if b.strip()])
    assert len(example_doc.sentences) >= len(example_doc.paragraphs)
    # A headline without a final period is its own sentence, never merged with the body.
    assert example_doc.span_text(example_doc.sentences[0]) == example_doc.title
    entity_texts = {example_doc.span_text(s) for s in example_doc.layers["entities"].spans}
    assert entity_texts & {"Kharkiv", "Ukraine", "Russia", "Moscow", "Reuters"}
    assert all(s.status == "ran" for s in example_doc.stages), example_doc.stages


def test_example_reports_render(example_doc) -> None:
    page = render(example_doc, "html")
    assert page.count("<mark") > 5
    md = render(example_doc, "md")
    assert "## Entities" in md
    json.loads(render(example_doc, "json"))
