"""Self-contained HTML report: one file, inline CSS and JS, no network requests.

The article is cut into segments at every span boundary of the displayed layers; each segment
lists the spans covering it, so overlapping spans (common for persuasion techniques) stay
visible. Article text only ever enters the page through ``html.escape`` or as JSON with ``<``
escaped, so a hostile article cannot inject markup or script.
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources
from itertools import pairwise
from typing import Any

from narrascope import __version__
from narrascope.document import Document, Layer, Span
from narrascope.report import EXPLANATIONS, panel_function

PALETTE = [
    "#ffd166",
    "#8ecae6",
    "#f4a261",
    "#b5e48c",
    "#cdb4db",
    "#ffafcc",
    "#90e0ef",
    "#e9c46a",
    "#a8dadc",
    "#f6bd60",
    "#c3f0ca",
    "#ffc8dd",
    "#bde0fe",
    "#fcd5ce",
    "#d8e2dc",
    "#e5b3fe",
    "#caffbf",
    "#fdffb6",
    "#9bf6ff",
    "#ffadad",
    "#ffd6a5",
    "#a0c4ff",
    "#bdb2ff",
    "#d0f4de",
]


def _asset(name: str) -> str:
    return resources.files("narrascope.report").joinpath(name).read_text("utf-8")


def _json_for_script(data: Any) -> str:
    """JSON that cannot close its <script> element or open a comment."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def explanations_for(layer: Layer) -> dict[str, str]:
    """Label explanations: those the stage stored in the layer, else registered ones."""
    stored = layer.data.get("explanations")
    return {**EXPLANATIONS.get(layer.name, {}), **(stored if isinstance(stored, dict) else {})}


def displayed_layers(doc: Document) -> list[Layer]:
    return [layer for layer in doc.layers.values() if layer.display and layer.spans]


def color_map(layers: list[Layer]) -> dict[tuple[str, str], str]:
    colors: dict[tuple[str, str], str] = {}
    for layer in layers:
        for span in layer.spans:
            key = (layer.name, span.label)
            if key not in colors:
                colors[key] = PALETTE[len(colors) % len(PALETTE)]
    return colors


def segments(text: str, spans: list[tuple[str, Span]]) -> list[tuple[int, int, list[str]]]:
    """Cut text at every span boundary: (start, end, ids of spans covering the piece)."""
    cuts = {0, len(text)}
    for _, span in spans:
        cuts.update((span.start, span.end))
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    # Sweep: spans sorted by start; a segment is covered by the spans open across it.
    by_start = sorted(spans, key=lambda item: item[1].start)
    out, open_spans, i = [], [], 0
    for a, b in pairwise(bounds):
        while i < len(by_start) and by_start[i][1].start <= a:
            open_spans.append(by_start[i])
            i += 1
        open_spans = [(lay, s) for lay, s in open_spans if s.end > a]
        covering = [(lay, s) for lay, s in open_spans if s.start <= a and s.end >= b]
        # Innermost first: the piece takes the colour of its most specific annotation (a
        # source or a loaded phrase inside a claim sentence), whatever the layer order.
        covering.sort(key=lambda item: item[1].end - item[1].start)
        out.append((a, b, [f"{lay}:{s.id}" for lay, s in covering]))
    return out


def _span_records(
    doc: Document, layers: list[Layer], colors: dict[tuple[str, str], str]
) -> dict[str, Any]:
    records = {}
    for layer in layers:
        explain = explanations_for(layer)
        for span in layer.spans:
            records[f"{layer.name}:{span.id}"] = {
                "layer": layer.name,
                "label": span.label,
                "score": span.score,
                "start": span.start,
                "end": span.end,
                "text": doc.span_text(span)[:500],
                "color": colors[(layer.name, span.label)],
                "explanation": explain.get(span.label, ""),
                "attrs": span.attrs,
            }
    return records


def _article_html(doc: Document, layers: list[Layer], colors: dict[tuple[str, str], str]) -> str:
    spans = [(layer.name, span) for layer in layers for span in layer.spans]
    parts = []
    for start, end, ids in segments(doc.text, spans):
        piece = escape(doc.text[start:end])
        if not ids:
            parts.append(piece)
            continue
        first_layer, first_id = ids[0].split(":", 1)
        first = doc.layers[first_layer].span_by_id(first_id)
        color = colors[(first_layer, first.label)]
        title = "; ".join(
            f"{lid.split(':', 1)[0]}: {doc.layers[lid.split(':', 1)[0]].span_by_id(lid.split(':', 1)[1]).label}"
            for lid in ids
        )
        parts.append(
            f'<mark class="seg" data-ids="{escape(" ".join(ids))}" style="background:{color}" '
            f'title="{escape(title)}">{piece}</mark>'
        )
    return "".join(parts)


# Layers whose highlights cover whole sentences start switched off in the article view, so the
# finer layers stay visible; their panels list every span and the toggle brings them back.
OFF_BY_DEFAULT = frozenset({"claims"})


def _legend_html(layers: list[Layer], colors: dict[tuple[str, str], str]) -> str:
    blocks = []
    for layer in layers:
        explain = explanations_for(layer)
        counts: dict[str, int] = {}
        for span in layer.spans:
            counts[span.label] = counts.get(span.label, 0) + 1
        items = "".join(
            f'<li title="{escape(explain.get(label, ""))}"><span class="swatch" '
            f'style="background:{colors[(layer.name, label)]}"></span>{escape(label)} '
            f'<span class="count">{n}</span></li>'
            for label, n in sorted(counts.items(), key=lambda kv: -kv[1])
        )
        checked = "" if layer.name in OFF_BY_DEFAULT else " checked"
        blocks.append(
            f'<div class="legend-layer"><label><input type="checkbox" class="layer-toggle" '
            f'data-layer="{escape(layer.name)}"{checked}> <b>{escape(layer.name)}</b></label>'
            f"<ul>{items}</ul></div>"
        )
    return "".join(blocks)


def _generic_panel(doc: Document, layer: Layer) -> str:
    rows = []
    for label in layer.labels:
        rows.append(f"<tr><td>{escape(label.label)}</td><td></td><td>{label.score:.2f}</td></tr>")
    for span in layer.spans[:500]:
        score = "" if span.score is None else f"{span.score:.2f}"
        rows.append(
            f'<tr class="span-row" data-id="{escape(layer.name)}:{escape(span.id)}">'
            f"<td>{escape(span.label)}</td><td>{escape(doc.span_text(span)[:300])}</td>"
            f"<td>{score}</td></tr>"
        )
    more = f"<p>{len(layer.spans) - 500} more in the JSON.</p>" if len(layer.spans) > 500 else ""
    return (
        "<table><thead><tr><th>label</th><th>text</th><th>score</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )


def _panels_html(doc: Document) -> str:
    out = []
    for name, layer in doc.layers.items():
        custom = panel_function(name, "html")
        if custom is not None:
            body = custom(doc)
        elif layer.display and (layer.spans or layer.labels):
            body = _generic_panel(doc, layer)
        else:
            continue
        out.append(
            f'<section class="panel" id="panel-{escape(name)}"><h2>{escape(name.capitalize())}</h2>'
            f"{body}</section>"
        )
    return "".join(out)


def _meta_html(doc: Document) -> str:
    meta = doc.meta
    items: list[tuple[str, str | None]] = [("Source", meta.source), ("Language", _language(doc))]
    items += [("Outlet", meta.outlet), ("Published", meta.published), ("URL", meta.url)]
    if meta.authors:
        items.append(("Authors", ", ".join(meta.authors)))
    items.append(("Length", f"{len(doc.text.split())} words, {len(doc.sentences)} sentences"))
    rows = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in items if v not in (None, "")
    )
    notes = [f"Skipped {s.name}: {s.reason}" for s in doc.stages if s.status == "skipped"]
    notes += doc.warnings
    notes_html = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return f'<dl class="meta">{rows}</dl>' + (
        f'<ul class="warnings">{notes_html}</ul>' if notes else ""
    )


def _language(doc: Document) -> str:
    if not doc.meta.language:
        return "undetermined"
    conf = doc.meta.language_confidence
    return doc.meta.language + (f" ({conf:.2f})" if conf is not None else "")


def render_html(doc: Document, threshold: float = 0.0) -> str:
    layers = displayed_layers(doc)
    colors = color_map(layers)
    data = {"spans": _span_records(doc, layers, colors), "threshold": threshold}
    title = doc.title or "Untitled article"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>narrascope: {escape(title)}</title>
<style>{_asset("report.css")}</style></head>
<body>
<header><h1>{escape(title)}</h1>{_meta_html(doc)}</header>
<main>
<div class="controls">
<label>Confidence threshold <input type="range" id="threshold" min="0" max="1" step="0.05" value="{threshold}">
<output id="threshold-value">{threshold:.2f}</output></label>
<div class="legend">{_legend_html(layers, colors)}</div>
</div>
<div class="columns">
<article id="article">{_article_html(doc, layers, colors)}</article>
<aside id="details"><h2>Details</h2><p class="hint">Click a highlighted passage to see every annotation on it.</p><div id="details-body"></div></aside>
</div>
{_panels_html(doc)}
</main>
<footer>Generated by narrascope {escape(__version__)}. Scores are model confidences, not verdicts: check the highlighted evidence.</footer>
<script type="application/json" id="ns-data">{_json_for_script(data)}</script>
<script>{_asset("report.js")}</script>
</body></html>
"""
