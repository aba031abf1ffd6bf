"""Unit tests on hand-built Documents: spans, layers, relations, serialisation."""

from __future__ import annotations

import pytest

from narrascope.document import DocLabel, Document, Metadata, Span
from narrascope.serialize import document_from_dict, document_to_dict, validate


def make_doc() -> Document:
    doc = Document("Alpha said beta. Gamma is here.", "T", Metadata(source="x.txt", language="en"))
    sents = doc.layer("sentences", display=False)
    sents.add_span(0, 16, "sentence")
    sents.add_span(17, 31, "sentence")
    attr = doc.layer("attributions")
    src = attr.add_span(0, 5, "source", 0.9, source_type="named_person")
    cue = attr.add_span(6, 10, "cue")
    content = attr.add_span(11, 15, "content")
    attr.add_relation("attribution", {"source": src.id, "cue": cue.id, "content": content.id}, 0.8)
    doc.layer("narratives").labels.append(
        DocLabel("URW: Praise of Russia", 0.7, {"level": "narrative"})
    )
    return doc


def test_span_rejects_inverted_offsets() -> None:
    with pytest.raises(ValueError, match="invalid span offsets"):
        Span(5, 2, "x")


def test_span_overlap_and_containment() -> None:
    a, b, c = Span(0, 10, "a"), Span(5, 15, "b"), Span(2, 4, "c")
    assert a.overlaps(b) and b.overlaps(a)
    assert not c.overlaps(Span(4, 6, "d"))  # touching is not overlapping
    assert a.contains(c) and not a.contains(b)


def test_span_text_indexes_original_text() -> None:
    doc = make_doc()
    spans = doc.layers["attributions"].spans
    assert [doc.span_text(s) for s in spans] == ["Alpha", "said", "beta"]


def test_relation_must_name_existing_spans() -> None:
    doc = make_doc()
    with pytest.raises(ValueError, match="unknown spans"):
        doc.layers["attributions"].add_relation("attribution", {"source": "nope"})


def test_span_lookup_follows_spans_added_or_replaced_later() -> None:
    layer = make_doc().layers["attributions"]
    first = layer.spans[0]
    assert layer.span_by_id(first.id) is first
    late = layer.add_span(0, 5, "source")  # after the lookup built its index
    layer.add_relation("attribution", {"source": late.id})
    assert layer.span_by_id(late.id) is late
    layer.spans = [late]  # a stage may rebuild the list wholesale
    assert layer.span_by_id(late.id) is late
    with pytest.raises(KeyError, match=first.id):
        layer.span_by_id(first.id)


def test_sentence_lookup_by_offset() -> None:
    doc = make_doc()
    sent = doc.sentence_of(20)
    assert sent is not None and doc.span_text(sent) == "Gamma is here."
    assert doc.sentence_of(16) is None  # the space between sentences
    inside = list(doc.spans_in("attributions", doc.sentences[0]))
    assert len(inside) == 3


def test_round_trip_through_json_schema() -> None:
    doc = make_doc()
    data = document_to_dict(doc)
    validate(data)
    again = document_from_dict(data)
    assert again.text == doc.text and again.title == "T"
    assert document_to_dict(again) == data
    rel = again.layers["attributions"].relations[0]
    assert again.layers["attributions"].span_by_id(rel.args["source"]).attrs == {
        "source_type": "named_person"
    }
    assert "sentences" in again.provided and "language" in again.provided


def test_schema_rejects_a_malformed_span() -> None:
    import jsonschema

    data = document_to_dict(make_doc())
    data["layers"]["attributions"]["spans"][0]["start"] = -1
    with pytest.raises(jsonschema.ValidationError):
        validate(data)
