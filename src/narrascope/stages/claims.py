"""Claims: each check-worthy English sentence as a structured, sourced, grouped claim.

A claim span covers the claim sentence; its attrs hold actors, predicate, objects, quantities,
places, times, negation, hedges and the attribution from the sourcing stage (or None, with
``attribution_note`` saying why). ``layer.data`` holds the claim groups, a flat claims table
for reports and a list of the places named.

The sourcing stage is optional: this stage reads the "attributions" layer when an earlier
stage produced it and otherwise records that attribution is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from narrascope.claims.attribution import LAYER as ATTRIBUTIONS
from narrascope.claims.attribution import AttributionIndex, attribute
from narrascope.claims.extract import (
    REPORTING_LEMMAS,
    article_places,
    entities_in,
    extract_claim,
)
from narrascope.claims.grouping import ClaimKey, content_lemmas, group_claims
from narrascope.claims.times import article_date
from narrascope.document import Document
from narrascope.pipeline import Stage

LAYER = "claims"
LABEL = "claim"
EXPLANATIONS = {
    LABEL: "A check-worthy factual claim, broken into who, did what, to whom, how many, "
    "where, when, how hedged, and on whose word.",
}
_SKIP_LEMMAS = frozenset(REPORTING_LEMMAS)


class ClaimsStage(Stage):
    name = "claims"
    requires = ("sentences", "entities", "checkworthiness")
    provides = ("claims",)
    languages = frozenset({"en"})

    def predict(self, docs: Sequence[Document]) -> list[list[dict[str, Any]] | None]:
        return [self._claims_of(doc) for doc in docs]

    def _claims_of(self, doc: Document) -> list[dict[str, Any]] | None:
        parsed = doc.cache.get("spacy")
        if parsed is None:
            return None
        worthy = doc.layers["checkworthiness"].spans if "checkworthiness" in doc.layers else []
        sentences = [_sentence(parsed, s.start, s.end) for s in worthy]
        ents = list(parsed.ents)  # once: Span.ents rebuilds them all on every call
        known = article_places(parsed.sents, ents)
        reference = article_date(doc.meta.published)
        claims: list[dict[str, Any]] = []
        keys = []
        index = AttributionIndex(doc.layers[ATTRIBUTIONS]) if ATTRIBUTIONS in doc.layers else None
        for check, sent in zip(worthy, sentences, strict=True):
            if sent is None:
                continue  # offsets that match no parsed tokens (not produced by linguistic)
            record = extract_claim(sent, reference, known, entities_in(ents, sent))
            record["attribution"], note = attribute(doc, check.start, check.end, index)
            if note:
                record["attribution_note"] = note
            claims.append(
                {"start": check.start, "end": check.end, "score": check.score, "attrs": record}
            )
            keys.append(_key(sent, record))
        for claim, group in zip(claims, group_claims(keys), strict=True):
            claim["attrs"]["group"] = f"g{group}"
        return claims

    def set_annotations(self, docs: Sequence[Document], predictions: Sequence[Any]) -> None:
        for doc, claims in zip(docs, predictions, strict=True):
            if claims is None:
                doc.warn("claims skipped: no English parse in doc.cache['spacy']")
                continue
            layer = doc.layer(LAYER)
            for claim in claims:
                layer.add_span(
                    claim["start"], claim["end"], LABEL, claim["score"], **claim["attrs"]
                )
            layer.data["groups"] = _groups(layer.spans)
            layer.data["table"] = [claim_row(doc, span) for span in layer.spans]
            layer.data["places"] = place_list(layer.spans)
            layer.data["by_source"] = claims_by_source(layer.data["table"])
            layer.data["explanations"] = dict(EXPLANATIONS)
            if "attributions" not in doc.layers:
                layer.data["note"] = "sourcing stage did not run: claims are unattributed"


def _sentence(parsed: Any, start: int, end: int) -> Any | None:
    span = parsed.char_span(start, end, alignment_mode="expand")
    return span if span is not None and len(span) > 0 else None


def _key(sent: Any, record: dict[str, Any]) -> ClaimKey:
    counts = frozenset(
        (str(q["value"]), q["unit"].split()[-1].lower().rstrip("s"))
        for q in record["quantities"]
        if q["unit"]
    )
    places = frozenset(p["text"].lower() for p in record["places"])
    predicate = record["predicate"]["lemma"] if record["predicate"] else None
    return ClaimKey(content_lemmas(sent, _SKIP_LEMMAS), counts, places, predicate)


def _groups(spans: Sequence[Any]) -> list[dict[str, Any]]:
    groups: dict[str, list[str]] = {}
    for span in spans:
        groups.setdefault(span.attrs["group"], []).append(span.id)
    return [{"id": gid, "claims": ids, "size": len(ids)} for gid, ids in groups.items()]


def who_says(attrs: dict[str, Any]) -> str:
    """Plain text for 'who says so': the source, the chain through intermediaries, or none."""
    attribution = attrs.get("attribution")
    if not attribution:
        return "unattributed"
    source = attribution.get("source") or "unnamed source"
    via = attribution.get("via") or []
    return f"{source} via {', '.join(via)}" if via else source


def claim_row(doc: Document, span: Any) -> dict[str, Any]:
    """One row of the claims table (report-ready strings plus the span id and offsets)."""
    attrs = span.attrs
    attribution = attrs.get("attribution") or {}
    return {
        "id": span.id,
        "claim": doc.span_text(span),
        "start": span.start,
        "end": span.end,
        "actors": [a["text"] for a in attrs["actors"]],
        "predicate": attrs["predicate"]["text"] if attrs["predicate"] else None,
        "objects": [o["text"] for o in attrs["objects"]],
        "where": [place_text(p) for p in attrs["places"]],
        "how_many": [q["text"] for q in attrs["quantities"]],
        "when": [t["value"] or t["text"] for t in attrs["times"]],
        "who_says": who_says(attrs),
        "source_type": attribution.get("source_type"),
        "in_text_speaker": _in_text_speaker(attrs),
        "hedges": [h["text"] for h in attrs["hedges"]],
        "negated": attrs["negated"],
        "score": span.score,
        "group": attrs["group"],
    }


def claims_by_source(table: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The claims each source supports: one entry per 'who says so', in first-seen order."""
    groups: dict[str, dict[str, Any]] = {}
    for row in table:
        entry = groups.setdefault(
            row["who_says"],
            {"who_says": row["who_says"], "source_type": row["source_type"], "claims": []},
        )
        entry["claims"].append(row["id"])
    return list(groups.values())


def _in_text_speaker(attrs: dict[str, Any]) -> str | None:
    """The sentence's own reporting frame in words: 'X via Y', 'X citing Z', or None."""
    frame = attrs.get("reporting") or {}
    if not frame.get("speaker"):
        return None
    words = frame["speaker"]["text"]
    if frame.get("via"):
        words += " via " + ", ".join(v["text"] for v in frame["via"])
    if frame.get("citing"):
        words += " citing " + ", ".join(c["text"] for c in frame["citing"])
    return words


# Place features that are part of how the place is named ("the Sumy front").
NAMED_FEATURES = {"front", "direction", "axis", "sector", "bridgehead"}


def place_text(place: dict[str, Any]) -> str:
    """'Zeleniy Hay, Kharkiv region', 'Sumy front': the place as a reader would name it."""
    name = place["text"]
    if place.get("feature") in NAMED_FEATURES:
        name = f"{name} {place['feature']}"
    return f"{name}, {place['admin_area']}" if place.get("admin_area") else name


def place_list(spans: Sequence[Any]) -> list[dict[str, Any]]:
    """Each place named by the claims once, with coordinates and the claims that name it."""
    places: dict[tuple[str, str | None], dict[str, Any]] = {}
    for span in spans:
        for place in span.attrs["places"]:
            key = (place["text"], place.get("admin_area"))
            entry = places.setdefault(
                key,
                {
                    "text": place["text"],
                    "name": place_text(place),
                    "admin_area": place.get("admin_area"),
                    "kind": place.get("kind"),
                    "lat": place["lat"],
                    "lon": place["lon"],
                    "resolved": place["resolved"],
                    "admin_area_lat": place.get("admin_area_lat"),
                    "admin_area_lon": place.get("admin_area_lon"),
                    "claims": [],
                },
            )
            if span.id not in entry["claims"]:
                entry["claims"].append(span.id)
    return list(places.values())
