"""Who says so: a claim joined to the sourcing stage's "attributions" layer, when it ran.

That layer holds spans labelled "source", "cue" and "content" and relations labelled
"attribution" with args {"source", "cue", "content"} ("source" is absent for agentless forms
such as "it is reported that"). A claim takes the attribution whose content span overlaps the
claim's evidence most. Without that layer every claim is unattributed, with a note saying that
the sourcing stage did not run, rather than silently looking unsourced.
"""

from __future__ import annotations

import bisect
from typing import Any

from narrascope.document import Document, Layer, Relation, Span

LAYER = "attributions"
NOT_RUN_NOTE = "sourcing stage (attributions layer) did not run: attribution unknown"
NO_SOURCE_NOTE = "no attribution in the text covers this claim"


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


class AttributionIndex:
    """A layer's attribution relations, read once for many ``best`` questions (one per
    sentence or claim): going through every relation for each made long texts quadratic."""

    def __init__(self, layer: Layer) -> None:
        spans = {s.id: s for s in layer.spans}
        relations = [
            r
            for r in layer.relations
            if r.label == "attribution" and r.args.get("content") in spans
        ]
        self.top = _ByContent([r for r in relations if r.attrs.get("nested_in") is None], spans)
        self.all = _ByContent(relations, spans)
        children: dict[str, list[Relation]] = {}
        for r in relations:
            parent = r.attrs.get("nested_in")
            if parent is not None and not r.attrs.get("in_quotation"):
                children.setdefault(parent, []).append(r)
        self.children = {k: _ByContent(v, spans) for k, v in children.items()}

    def best(self, start: int, end: int) -> Relation | None:
        """The attribution whose content overlaps ``start..end`` most (first on ties).

        Affirmed attributions win over negated ones ("X has not acknowledged these claims"
        says nothing about who claims them), and top-level ones over nested ones. From the
        chosen one the search goes down into attributions reported in its content ("According
        to TASS, the commander said X": the commander, via TASS), but not into speech quoted
        inside a quotation, which stays the quoting speaker's word."""
        best = self.top.most_overlapping(start, end) or self.all.most_overlapping(start, end)
        seen: set[str] = set()
        while best is not None and best.id not in seen:
            seen.add(best.id)
            children = self.children.get(best.id)
            deeper = children.most_overlapping(start, end) if children else None
            if deeper is None:
                break
            best = deeper
        return best


class _ByContent:
    """Relations ordered by where their content starts, for overlap questions."""

    def __init__(self, relations: list[Relation], spans: dict[str, Span]) -> None:
        rows = []
        for order, relation in enumerate(relations):
            content = spans[relation.args["content"]]
            rows.append((content.start, content.end, order, relation))
        rows.sort(key=lambda row: (row[0], row[2]))
        self.rows = rows
        self.starts = [row[0] for row in rows]
        self.longest = max((row[1] - row[0] for row in rows), default=0)

    def most_overlapping(self, start: int, end: int) -> Relation | None:
        """The relation sharing most characters with ``start..end``, affirmed ones first, the
        earliest in the layer on ties; None when none overlaps."""
        best: tuple[tuple[bool, int, int], Relation] | None = None
        first = bisect.bisect_left(self.starts, start - self.longest)
        for c_start, c_end, order, relation in self.rows[first:]:
            if c_start >= end:
                break
            shared = _overlap(start, end, c_start, c_end)
            rank = (not relation.attrs.get("negated"), shared, -order)
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


def attribute(
    doc: Document, start: int, end: int, index: AttributionIndex | None = None
) -> tuple[dict[str, Any] | None, str | None]:
    """The attribution of the claim at ``start..end`` and, when there is none, why
    (``index``: the document's ``AttributionIndex``, when many claims are attributed)."""
    if LAYER not in doc.layers:
        return None, NOT_RUN_NOTE
    index = index or AttributionIndex(doc.layers[LAYER])
    relation = index.best(start, end)
    if relation is None:
        return None, NO_SOURCE_NOTE
    return attribution_record(doc, relation), None
