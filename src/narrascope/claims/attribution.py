"""Who says so: a claim joined to the sourcing stage's "attributions" layer, when it ran.

That layer holds spans labelled "source", "cue" and "content" and relations labelled
"attribution" with args {"source", "cue", "content"} ("source" is absent for agentless forms
such as "it is reported that"). A claim takes the attribution whose content span overlaps the
claim's evidence most. Without that layer every claim is unattributed, with a note saying that
the sourcing stage did not run, rather than silently looking unsourced.
"""

from __future__ import annotations

from typing import Any

from narrascope.document import Document, Layer, Relation, Span

LAYER = "attributions"
NOT_RUN_NOTE = "sourcing stage (attributions layer) did not run: attribution unknown"
NO_SOURCE_NOTE = "no attribution in the text covers this claim"


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def best_attribution(layer: Layer, start: int, end: int) -> Relation | None:
    """The attribution whose content overlaps ``start..end`` most (first on ties).

    Affirmed attributions win over negated ones ("X has not acknowledged these claims" says
    nothing about who claims them), and top-level ones over nested ones. From the chosen one the
    search goes down into attributions reported in its content ("According to TASS, the
    commander said X": the commander, via TASS), but not into speech quoted inside a quotation,
    which stays the quoting speaker's word."""
    spans = {s.id: s for s in layer.spans}
    relations = [
        r for r in layer.relations if r.label == "attribution" and r.args.get("content") in spans
    ]
    top = [r for r in relations if r.attrs.get("nested_in") is None]
    best = _most_overlapping(top, spans, start, end) or _most_overlapping(
        relations, spans, start, end
    )
    seen: set[str] = set()
    while best is not None and best.id not in seen:
        seen.add(best.id)
        children = [
            r
            for r in relations
            if r.attrs.get("nested_in") == best.id and not r.attrs.get("in_quotation")
        ]
        deeper = _most_overlapping(children, spans, start, end)
        if deeper is None:
            break
        best = deeper
    return best


def _most_overlapping(
    relations: list[Relation], spans: dict[str, Span], start: int, end: int
) -> Relation | None:
    best: tuple[tuple[bool, int], Relation] | None = None
    for relation in relations:
        content = spans[relation.args["content"]]
        shared = _overlap(start, end, content.start, content.end)
        rank = (not relation.attrs.get("negated"), shared)
        if shared > 0 and (best is None or rank > best[0]):
            best = (rank, relation)
    return best[1] if best else None


def attribution_record(doc: Document, relation: Relation) -> dict[str, Any]:
    """``{source, source_type, via, relation_id, cue, ...}`` for one attribution relation."""
    layer = doc.layers[LAYER]
    source_id = relation.args.get("source")
    cue_id = relation.args.get("cue")
    record: dict[str, Any] = {
        "source": None,
        "source_type": (relation.attrs.get("source_type") or "unnamed")
        if source_id is None
        else None,
        "via": list(relation.attrs.get("via") or []),
        "via_inherited": bool(relation.attrs.get("via_inherited")),
        "relation_id": relation.id,
        "form": relation.attrs.get("form"),
        "cue": doc.span_text(layer.span_by_id(cue_id)) if cue_id else None,
    }
    if source_id is not None:
        source = layer.span_by_id(source_id)
        record["source"] = source.attrs.get("canonical") or doc.span_text(source)
        record["source_text"] = doc.span_text(source)
        record["source_type"] = source.attrs.get("source_type")
        record["source_start"] = source.start
        record["source_end"] = source.end
        for key in ("role", "affiliation", "outlet"):
            if source.attrs.get(key):
                record[key] = source.attrs[key]
    return record


def attribute(doc: Document, start: int, end: int) -> tuple[dict[str, Any] | None, str | None]:
    """The attribution of the claim at ``start..end`` and, when there is none, why."""
    if LAYER not in doc.layers:
        return None, NOT_RUN_NOTE
    relation = best_attribution(doc.layers[LAYER], start, end)
    if relation is None:
        return None, NO_SOURCE_NOTE
    return attribution_record(doc, relation), None
