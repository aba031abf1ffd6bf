"""JSON output: a Document to and from the versioned, documented schema.

The schema lives in ``narrascope/schema/document.schema.json``; ``SCHEMA_VERSION`` follows
semantic versioning: a new optional field bumps the minor version, a removed or retyped field
bumps the major version.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import cache
from importlib import resources
from typing import Any

from narrascope import __version__
from narrascope.document import DocLabel, Document, Layer, Metadata, Relation, Span, StageRecord

SCHEMA_VERSION = "1.0.0"


def _span_to_dict(doc: Document, span: Span) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": span.id,
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "text": doc.span_text(span),
    }
    if span.score is not None:
        out["score"] = round(float(span.score), 4)
    if span.attrs:
        out["attrs"] = span.attrs
    return out


def _layer_to_dict(doc: Document, layer: Layer) -> dict[str, Any]:
    return {
        "display": layer.display,
        "spans": [_span_to_dict(doc, s) for s in layer.spans],
        "relations": [
            {k: v for k, v in asdict(r).items() if v not in (None, {})} for r in layer.relations
        ],
        "labels": [
            {"label": lab.label, "score": round(float(lab.score), 4), "attrs": lab.attrs}
            for lab in layer.labels
        ],
        "data": layer.data,
    }


def document_to_dict(doc: Document) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"narrascope {__version__}",
        "id": doc.id,
        "title": doc.title,
        "text": doc.text,
        "meta": asdict(doc.meta),
        "stages": [asdict(s) for s in doc.stages],
        "warnings": list(doc.warnings),
        "layers": {name: _layer_to_dict(doc, layer) for name, layer in doc.layers.items()},
    }


def document_from_dict(data: dict[str, Any]) -> Document:
    """Rebuild a Document from its JSON form (e.g. to re-render a saved analysis)."""
    doc = Document(
        data["text"], data.get("title", ""), Metadata(**data.get("meta", {})), data["id"]
    )
    doc.stages = [StageRecord(**s) for s in data.get("stages", [])]
    doc.warnings = list(data.get("warnings", []))
    for name, ld in data.get("layers", {}).items():
        layer = Layer(name, display=ld.get("display", True), data=ld.get("data", {}))
        layer.spans = [
            Span(s["start"], s["end"], s["label"], s.get("score"), s["id"], s.get("attrs", {}))
            for s in ld.get("spans", [])
        ]
        layer.relations = [
            Relation(r["label"], r["args"], r.get("score"), r.get("id", ""), r.get("attrs", {}))
            for r in ld.get("relations", [])
        ]
        layer.labels = [
            DocLabel(lab["label"], lab["score"], lab.get("attrs", {}))
            for lab in ld.get("labels", [])
        ]
        doc.layers[name] = layer
    doc.provided = set(doc.layers)
    if doc.meta.language:
        doc.provided.add("language")
    return doc


def to_json(doc: Document, indent: int | None = 2) -> str:
    return json.dumps(document_to_dict(doc), ensure_ascii=False, indent=indent)


@cache
def load_schema() -> dict[str, Any]:
    text = resources.files("narrascope").joinpath("schema/document.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate(data: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` when ``data`` does not follow the schema."""
    import jsonschema

    jsonschema.validate(data, load_schema())
