"""Summaries of an article's attributions for ``layer.data``: chains, sources, profile.

All three read the layer the stage has written (spans and relations), so they describe exactly
what the JSON holds. A sentence is sourced as a claim is (``claims.attribution.AttributionIndex.best``):
by the top-level attribution covering it, or by one reported in that attribution's content
("According to TASS, the commander said": the commander via TASS); speech quoted inside a
quotation stays the quoting speaker's word. In the sources list nested attributions appear
under ``quoted``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from narrascope.claims.attribution import AttributionIndex
from narrascope.document import Document, Layer, Relation, Span

# Profile buckets: how a checkable sentence is sourced.
BUCKETS = ("named", "anonymous", "documents", "unsourced", "unattributed")
BUCKET_OF = {
    "named_person": "named",
    "named_official": "named",
    "outlet": "named",
    "official_body": "named",
    "organization": "named",
    "anonymous": "anonymous",
    "documents": "documents",
    "unsourced": "unsourced",
}
ARTICLE = "this article"
CLAIM_CHARS = 300


def _spans(layer: Layer) -> dict[str, Span]:
    return {s.id: s for s in layer.spans}


def _name(span: Span) -> str:
    return str(span.attrs.get("canonical") or "")


def chains(layer: Layer) -> list[dict[str, Any]]:
    """Each distinct chain (original source -> intermediaries -> this article) once, with the
    attributions that travel it."""
    spans = _spans(layer)
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for relation in layer.relations:
        nodes = _chain_nodes(relation, spans)
        if not nodes:
            continue
        key = tuple(n["name"] for n in nodes)
        entry = found.setdefault(
            key,
            {
                "id": f"chain-{len(found)}",
                "nodes": [*nodes, {"name": ARTICLE, "source_type": "article", "spans": []}],
                "relations": [],
                "inherited": 0,
            },
        )
        for node, new in zip(entry["nodes"], nodes, strict=False):
            node["spans"] = sorted(set(node["spans"]) | set(new["spans"]))
        entry["relations"].append(relation.id)
        entry["inherited"] += int(bool(relation.attrs.get("via_inherited")))
    return list(found.values())


def _chain_nodes(relation: Relation, spans: dict[str, Span]) -> list[dict[str, Any]]:
    ids = []
    if "source" in relation.args:
        ids.append(relation.args["source"])
    ids.extend(relation.attrs.get("via_spans") or [])
    nodes = []
    for span_id in ids:
        span = spans[span_id]
        nodes.append(
            {"name": _name(span), "source_type": span.attrs.get("source_type"), "spans": [span_id]}
        )
    return nodes


def sources(doc: Document, layer: Layer) -> list[dict[str, Any]]:
    """Every source once (by canonical name): its type, role, affiliation, mentions, what it
    is said to have claimed, and what it passed on as an intermediary."""
    spans = _spans(layer)
    table: dict[str, dict[str, Any]] = {}
    for relation in layer.relations:
        nested = relation.attrs.get("nested_in") is not None
        chain = [relation.args["source"]] if "source" in relation.args else []
        chain += list(relation.attrs.get("via_spans") or [])
        for position, span_id in enumerate(chain):
            span = spans[span_id]
            entry = _source_entry(table, span)
            mention = {"span": span_id, "text": doc.span_text(span), "start": span.start}
            if mention not in entry["mentions"]:
                entry["mentions"].append(mention)
            record = _claim_record(doc, relation, spans)
            if position == 0:
                entry["quoted" if nested else "claims"].append(record)
            else:
                entry["relayed"].append(record)
    for entry in table.values():
        entry["mentions"].sort(key=lambda m: m["start"])
    return list(table.values())


def _source_entry(table: dict[str, dict[str, Any]], span: Span) -> dict[str, Any]:
    name = _name(span)
    if name not in table:
        attrs = span.attrs
        table[name] = {
            "name": name,
            "source_type": attrs.get("source_type"),
            "role": attrs.get("role"),
            "affiliation": attrs.get("affiliation"),
            "outlet": attrs.get("outlet"),
            "mentions": [],
            "claims": [],
            "relayed": [],
            "quoted": [],
        }
    entry = table[name]
    for key in ("role", "affiliation", "outlet"):
        if not entry[key] and span.attrs.get(key):
            entry[key] = span.attrs[key]
    return entry


def _claim_record(doc: Document, relation: Relation, spans: dict[str, Span]) -> dict[str, Any]:
    content = spans.get(relation.args.get("content", ""))
    cue = spans.get(relation.args.get("cue", ""))
    return {
        "relation": relation.id,
        "cue": doc.span_text(cue) if cue else None,
        "content": doc.span_text(content)[:CLAIM_CHARS] if content else None,
        "start": content.start if content else None,
        "end": content.end if content else None,
        "via": list(relation.attrs.get("via") or []),
        # "has not acknowledged": the source is said NOT to claim the content.
        "negated": bool(relation.attrs.get("negated")),
    }


def profile(doc: Document, layer: Layer) -> dict[str, Any]:
    """Per checkable sentence: attributed or not, to whom, and the counts and shares."""
    basis, sentences = _checkable_sentences(doc)
    spans = _spans(layer)
    rows = []
    counts = dict.fromkeys(BUCKETS, 0)
    index = AttributionIndex(layer)
    for sentence in sentences:
        relation = index.best(sentence.start, sentence.end)
        row = _profile_row(relation, spans, sentence)
        counts[row["bucket"]] += 1
        rows.append(row)
    total = len(rows)
    return {
        "basis": basis,
        "total": total,
        "counts": counts,
        "shares": {k: round(v / total, 3) if total else 0.0 for k, v in counts.items()},
        "attributed_share": round(1 - counts["unattributed"] / total, 3) if total else 0.0,
        "sentences": rows,
    }


def _checkable_sentences(doc: Document) -> tuple[str, Sequence[Span]]:
    """Check-worthy sentences when that stage ran before this one, else every sentence."""
    if "checkworthiness" in doc.layers:
        return "checkworthiness", doc.layers["checkworthiness"].spans
    return "all_sentences", doc.sentences


def _profile_row(
    relation: Relation | None, spans: dict[str, Span], sentence: Span
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "start": sentence.start,
        "end": sentence.end,
        "attributed": relation is not None,
        "relation": relation.id if relation else None,
        "source": None,
        "source_type": None,
        "bucket": "unattributed",
        "score": sentence.score,
    }
    if relation is None:
        return row
    source = spans.get(relation.args.get("source", ""))
    row["source_type"] = source.attrs.get("source_type") if source else "unsourced"
    row["source"] = _name(source) if source else None
    row["via"] = list(relation.attrs.get("via") or [])
    row["bucket"] = BUCKET_OF.get(row["source_type"], "anonymous")
    return row
