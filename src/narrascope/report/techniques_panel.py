"""Report panels for the techniques layer (HTML and Markdown).

Spans are listed with the technique, a plain-language explanation, the tagger's confidence
(the value the threshold slider filters on) and the classifier's confidence in the technique.
Article text only enters through ``html.escape`` (HTML) or ``quote`` (Markdown).
"""

from __future__ import annotations

from html import escape
from typing import Any

from narrascope.document import Document, Span
from narrascope.report.markdown import quote

MAX_ROWS = 300


def _explanation(doc: Document, label: str) -> str:
    explanations = doc.layers["techniques"].data.get("explanations", {})
    return str(explanations.get(label, "")) if isinstance(explanations, dict) else ""


def _technique_confidence(span: Span) -> str:
    value = span.attrs.get("technique_confidence")
    return f"{value:.2f}" if isinstance(value, (int, float)) else ""


def _paragraph_rows(doc: Document) -> list[tuple[str, str]]:
    rows = []
    for para in doc.layers["techniques"].data.get("paragraphs", []):
        found: list[Any] = para.get("techniques", [])
        if found:
            labels = ", ".join(f"{label} ({score:.2f})" for label, score in found)
            rows.append((doc.text[para["start"] : para["end"]], labels))
    return rows


def techniques_html(doc: Document) -> str:
    layer = doc.layers["techniques"]
    parts = [
        "<p>Spans: PTC scheme (14 techniques, English). The first score is the span tagger's "
        "confidence (the threshold slider filters on it), the second the classifier's "
        "confidence in the technique. Models, data and scores: docs/models/techniques.md.</p>"
    ]
    rows = []
    for span in layer.spans[:MAX_ROWS]:
        score = "" if span.score is None else f"{span.score:.2f}"
        rows.append(
            f'<tr class="span-row" data-id="techniques:{escape(span.id)}">'
            f"<td>{escape(span.label)}</td><td>{escape(doc.span_text(span)[:300])}</td>"
            f"<td>{score}</td><td>{_technique_confidence(span)}</td>"
            f"<td>{escape(_explanation(doc, span.label))}</td></tr>"
        )
    if rows:
        parts.append(
            "<table><thead><tr><th>technique</th><th>text</th><th>span</th><th>technique"
            f"</th><th>what it means</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    elif doc.meta.language == "en":
        parts.append("<p>No technique spans found.</p>")
    paragraphs = _paragraph_rows(doc)
    if paragraphs:
        body = "".join(
            f"<tr><td>{escape(text[:300])}</td><td>{escape(labels)}</td></tr>"
            for text, labels in paragraphs
        )
        parts.append(
            "<h3>Paragraphs (SemEval-2023 scheme, 23 techniques)</h3><table><thead><tr>"
            f"<th>paragraph</th><th>techniques (confidence)</th></tr></thead><tbody>{body}"
            "</tbody></table>"
        )
    return "".join(parts)


def techniques_markdown(doc: Document) -> str:
    layer = doc.layers["techniques"]
    lines = ["## Persuasion techniques", ""]
    by_label: dict[str, list[str]] = {}
    for span in layer.spans[:MAX_ROWS]:
        score = "" if span.score is None else f"{span.score:.2f}"
        technique = _technique_confidence(span)
        conf = f" ({score}; technique {technique})" if technique else f" ({score})"
        by_label.setdefault(span.label, []).append(
            f'  - "{quote(doc.span_text(span))}"{conf} [{span.start}:{span.end}]'
        )
    for label, items in by_label.items():
        explanation = _explanation(doc, label)
        head = f"- **{quote(label)}** ({len(items)})"
        lines.append(head + (f": {explanation}" if explanation else ""))
        lines += items
    if by_label:
        lines.append("")
    paragraphs = _paragraph_rows(doc)
    if paragraphs:
        lines += ["**Paragraphs (SemEval-2023 scheme):**", ""]
        lines += [f'- "{quote(text, 160)}": {quote(labels)}' for text, labels in paragraphs]
        lines.append("")
    if len(lines) == 2:
        lines += ["No techniques found.", ""]
    return "\n".join(lines)
