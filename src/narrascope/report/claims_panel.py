"""Report panels for the check-worthiness and claims layers (HTML and Markdown).

Every piece of article text goes through ``html.escape`` (HTML) or ``quote`` (Markdown):
article text is untrusted input.
"""

from __future__ import annotations

from html import escape
from typing import Any

from narrascope.document import Document
from narrascope.report.markdown import quote

CLAIM_CHARS = 300
COLUMNS = (
    "claim",
    "who / did what / to what",
    "where",
    "how many",
    "when",
    "who says so",
    "source type",
    "score",
)


def _cells(row: dict[str, Any]) -> list[str]:
    """Plain-text cells of one claims-table row, in COLUMNS order."""
    claim = row["claim"]
    marks = []
    if row["negated"]:
        marks.append("negated")
    if row["hedges"]:
        marks.append("hedged: " + ", ".join(row["hedges"]))
    who = row["who_says"]
    if who == "unattributed" and row.get("in_text_speaker"):
        who += f" (sentence cites: {row['in_text_speaker']})"
    score = "" if row["score"] is None else f"{row['score']:.2f}"
    return [
        claim + (f" [{'; '.join(marks)}]" if marks else ""),
        structure(row),
        "; ".join(row["where"]),
        "; ".join(row["how_many"]),
        "; ".join(str(w) for w in row["when"]),
        who,
        row["source_type"] or "",
        score,
    ]


def structure(row: dict[str, Any]) -> str:
    """'12 soldiers / abandoned / their positions': the claim's skeleton in one line."""
    parts = [", ".join(row["actors"]) or "?", row["predicate"] or "?"]
    if row["objects"]:
        parts.append(", ".join(row["objects"]))
    return " / ".join(parts)


def _coordinates(place: dict[str, Any]) -> str:
    if place["resolved"]:
        note = " (capital)" if place.get("kind") == "country" else ""
        return f"{place['lat']:.4f}, {place['lon']:.4f}{note}"
    if place.get("admin_area_lat") is not None:
        return f"unresolved; area near {place['admin_area_lat']:.4f}, {place['admin_area_lon']:.4f}"
    return "unresolved"


def claims_html(doc: Document) -> str:
    layer = doc.layers["claims"]
    table = layer.data.get("table", [])
    if not table:
        return "<p>No check-worthy claims found.</p>"
    head = "".join(f"<th>{escape(c)}</th>" for c in ("group", *COLUMNS))
    rows = []
    for row in table:
        cells = _cells(row)
        cells[0] = (
            cells[0]
            if len(row["claim"]) <= CLAIM_CHARS
            else (row["claim"][:CLAIM_CHARS] + "…" + cells[0][len(row["claim"]) :])
        )
        tds = "".join(f"<td>{escape(c)}</td>" for c in cells)
        rows.append(
            f'<tr class="span-row" data-id="claims:{escape(row["id"])}">'
            f"<td>{escape(row['group'])}</td>{tds}</tr>"
        )
    note = layer.data.get("note")
    note_html = f'<p class="note">{escape(note)}</p>' if note else ""
    return (
        f"{note_html}<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
        f"</table>{_places_html(layer.data.get('places', []))}"
    )


def _places_html(places: list[dict[str, Any]]) -> str:
    if not places:
        return ""
    items = "".join(
        f"<li><b>{escape(p['name'])}</b>: {escape(_coordinates(p))} "
        f"({escape(', '.join(p['claims']))})</li>"
        for p in places
    )
    return f'<h3>Places</h3><ul class="places">{items}</ul>'


def claims_markdown(doc: Document) -> str:
    layer = doc.layers["claims"]
    table = layer.data.get("table", [])
    out = ["## Claims", ""]
    if layer.data.get("note"):
        out += [f"_{quote(layer.data['note'])}_", ""]
    if not table:
        return "\n".join([*out, "No check-worthy claims found.", ""])
    out += ["| group | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for row in table:
        out.append(f"| {row['group']} | " + " | ".join(quote(c) for c in _cells(row)) + " |")
    places = layer.data.get("places", [])
    if places:
        out += ["", "### Places", ""]
        out += [
            f"- **{quote(p['name'])}**: {_coordinates(p)} ({', '.join(p['claims'])})"
            for p in places
        ]
    return "\n".join(out) + "\n"


def checkworthiness_html(doc: Document) -> str:
    layer = doc.layers["checkworthiness"]
    total = len(layer.data.get("sentence_scores", []))
    return (
        f"<p>{len(layer.spans)} of {total} sentences check-worthy "
        f"(threshold {layer.data.get('threshold', 0):.3f}); see the claims table.</p>"
    )


def checkworthiness_markdown(doc: Document) -> str:
    layer = doc.layers["checkworthiness"]
    total = len(layer.data.get("sentence_scores", []))
    return (
        f"## Check-worthiness\n\n{len(layer.spans)} of {total} sentences check-worthy "
        f"(threshold {layer.data.get('threshold', 0):.3f}); see the claims table.\n"
    )
