"""Report panels for the narratives and framing layers (HTML and Markdown).

Article text and labels go through ``html.escape`` (HTML) or ``quote`` (Markdown): article
text is untrusted input, and so, for safety's sake, is everything a model file carries.
"""

from __future__ import annotations

from html import escape
from typing import Any

from narrascope.document import DocLabel, Document
from narrascope.report.markdown import quote

EVIDENCE_CHARS = 400


def _grouped(labels: list[DocLabel]) -> list[tuple[DocLabel, list[DocLabel]]]:
    """Each narrative with its sub-narratives, in the order the stage found them.

    A label without a level (a layer from another source) counts as a narrative.
    """
    narratives = [lab for lab in labels if lab.attrs.get("level") != "sub-narrative"]
    return [(n, [s for s in labels if s.attrs.get("parent") == n.label]) for n in narratives]


def _evidence_text(doc: Document, ev: dict[str, Any]) -> str:
    text = doc.text[ev["start"] : ev["end"]]
    return text if len(text) <= EVIDENCE_CHARS else text[:EVIDENCE_CHARS] + "…"


def _evidence_html(doc: Document, label: DocLabel) -> str:
    ids = label.attrs.get("evidence_ids", [])
    items = []
    for k, ev in enumerate(label.attrs.get("evidence", [])):
        data_id = f' class="span-row" data-id="narratives:{escape(ids[k])}"' if k < len(ids) else ""
        items.append(
            f"<li{data_id}><mark>{escape(_evidence_text(doc, ev))}</mark> "
            f'<span class="score">[{ev["start"]}:{ev["end"]}] {ev["score"]:.2f}</span></li>'
        )
    return f'<ul class="evidence">{"".join(items)}</ul>' if items else ""


def narratives_html(doc: Document) -> str:
    layer = doc.layers["narratives"]
    definitions = layer.data.get("explanations", {})
    if [lab.label for lab in layer.labels] == ["Other"]:
        body = "<p>No narrative of the taxonomy fits this article well enough: <b>Other</b>.</p>"
    else:
        blocks = []
        for narrative, subs in _grouped(layer.labels):
            sub_items = "".join(
                f"<li><b>{escape(s.label.split(': ')[-1])}</b> "
                f'<span class="score">{s.score:.2f}</span>'
                f'<div class="definition">{escape(definitions.get(s.label, ""))}</div>'
                f"{_evidence_html(doc, s)}</li>"
                for s in subs
            )
            blocks.append(
                f'<div class="narrative"><h3>{escape(narrative.label)} '
                f'<span class="score">{narrative.score:.2f}</span></h3>'
                f'<p class="definition">{escape(definitions.get(narrative.label, ""))}</p>'
                f'{_evidence_html(doc, narrative)}<ul class="subnarratives">{sub_items}</ul></div>'
            )
        body = "".join(blocks)
    near = layer.data.get("near_misses", [])
    near_html = (
        '<p class="note">Near misses: '
        + escape(", ".join(f"{n['label']} ({n['score']:.2f})" for n in near))
        + "</p>"
        if near
        else ""
    )
    return body + near_html


def narratives_markdown(doc: Document) -> str:
    layer = doc.layers["narratives"]
    definitions = layer.data.get("explanations", {})
    out = ["## Narratives", ""]
    if [lab.label for lab in layer.labels] == ["Other"]:
        out.append("No narrative of the taxonomy fits: **Other**.")
        return "\n".join(out + _near_misses_md(layer)) + "\n"
    if not any("level" in lab.attrs for lab in layer.labels):  # not from the narratives stage
        out += ["| label | score |", "|---|---|"]
        out += [f"| {quote(lab.label)} | {lab.score:.2f} |" for lab in layer.labels]
        return "\n".join(out) + "\n"
    for narrative, subs in _grouped(layer.labels):
        out.append(f"- **{quote(narrative.label)}** ({narrative.score:.2f})")
        if narrative.label in definitions:
            out.append(f"  - _{quote(definitions[narrative.label])}_")
        out += _evidence_md(doc, narrative, "  ")
        for sub in subs:
            out.append(
                f"  - sub-narrative: **{quote(sub.label.split(': ')[-1])}** ({sub.score:.2f})"
            )
            out += _evidence_md(doc, sub, "    ")
    return "\n".join(out + _near_misses_md(layer)) + "\n"


def _near_misses_md(layer: Any) -> list[str]:
    """The best labels that stayed under their thresholds: what the reader may still check."""
    near = layer.data.get("near_misses", [])
    if not near:
        return []
    return [
        "",
        "Near misses: " + ", ".join(f"{quote(n['label'])} ({n['score']:.2f})" for n in near),
    ]


def _evidence_md(doc: Document, label: DocLabel, indent: str) -> list[str]:
    return [
        f'{indent}- "{quote(_evidence_text(doc, ev))}" [{ev["start"]}:{ev["end"]}]'
        for ev in label.attrs.get("evidence", [])
    ]


# The role model is weak (docs/models/narratives.md): say so where the roles are shown.
ROLES_CAVEAT = (
    "Roles are model hints, not findings: in cross-validation the main role is right for about "
    "7 in 10 mentions (a majority-class guess, Antagonist, gets 68% in English); check the "
    "evidence sentence."
)


def framing_html(doc: Document) -> str:
    layer = doc.layers["framing"]
    actors = layer.data.get("actors", [])
    if not actors:
        return "<p>No named actors found to cast.</p>"
    rows = []
    for actor in actors:
        ev = actor.get("evidence")
        evidence = escape(_evidence_text(doc, ev)) if ev else ""
        first = actor["mention_ids"][0] if actor["mention_ids"] else ""
        rows.append(
            f'<tr class="span-row" data-id="framing:{escape(first)}">'
            f"<td>{escape(actor['entity'])}</td><td>{escape(actor['main_role'])}</td>"
            f"<td>{escape(', '.join(actor['fine_roles']))}</td><td>{actor['score']:.2f}</td>"
            f"<td>{len(actor['mention_ids'])}</td><td>{evidence}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>" for h in ("entity", "role", "fine roles", "score", "mentions", "evidence")
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<p class="caveat">{escape(ROLES_CAVEAT)}</p>{table}'


def framing_markdown(doc: Document) -> str:
    layer = doc.layers["framing"]
    actors = layer.data.get("actors", [])
    out = ["## Actors", ""]
    if not actors:
        return "\n".join([*out, "No named actors found to cast.", ""])
    out += [
        f"_{ROLES_CAVEAT}_",
        "",
        "| entity | role | fine roles | score | mentions | evidence |",
        "|---|---|---|---|---|---|",
    ]
    for actor in actors:
        ev = actor.get("evidence")
        out.append(
            f"| {quote(actor['entity'])} | {actor['main_role']} | "
            f"{quote(', '.join(actor['fine_roles']))} | {actor['score']:.2f} | "
            f"{len(actor['mention_ids'])} | {quote(_evidence_text(doc, ev)) if ev else ''} |"
        )
    return "\n".join(out) + "\n"
