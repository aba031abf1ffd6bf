"""Markdown report, for pasting into tickets and chat: quotes with offsets, no markup."""

from __future__ import annotations

from collections import defaultdict

from narrascope.document import Document, Layer
from narrascope.report import panel_function

MAX_QUOTE = 240


def quote(text: str, limit: int = MAX_QUOTE) -> str:
    """One-line excerpt safe inside Markdown tables and lists."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat.replace("|", "\\|").replace("`", "'")


def render_markdown(doc: Document) -> str:
    lines = [f"# {quote(doc.title) or 'Untitled article'}", ""]
    meta = doc.meta
    lines += [
        f"- **Source:** {quote(meta.source)}",
        f"- **Language:** {meta.language or 'undetermined'}"
        + (f" ({meta.language_confidence:.2f})" if meta.language_confidence is not None else ""),
    ]
    for label, value in (("Outlet", meta.outlet), ("Published", meta.published), ("URL", meta.url)):
        if value:
            lines.append(f"- **{label}:** {quote(value)}")
    if meta.authors:
        lines.append(f"- **Authors:** {quote(', '.join(meta.authors))}")
    lines.append(f"- **Length:** {len(doc.text.split())} words, {len(doc.sentences)} sentences")
    skipped = [s for s in doc.stages if s.status == "skipped"]
    for stage in skipped:
        lines.append(f"- **Skipped {stage.name}:** {stage.reason}")
    for warning in doc.warnings:
        lines.append(f"- **Warning:** {warning}")
    lines.append("")
    for name, layer in doc.layers.items():
        section = _layer_section(doc, name, layer)
        if section:
            lines += section
    return neutralise_html("\n".join(lines).rstrip() + "\n")


def neutralise_html(markdown: str) -> str:
    """``<`` as ``&lt;`` everywhere: Markdown renderers pass raw HTML through, and article text
    (quoted in every panel) must never become a tag in a ticket. Renders as a plain "<"."""
    return markdown.replace("<", "&lt;")


def _layer_section(doc: Document, name: str, layer: Layer) -> list[str]:
    custom = panel_function(name, "md")
    if custom is not None:
        return [custom(doc).rstrip(), ""]
    if not layer.display or not (layer.spans or layer.labels):
        return []
    out = [f"## {name.capitalize()}", ""]
    if layer.labels:
        out += ["| label | score |", "|---|---|"]
        out += [f"| {quote(lab.label)} | {lab.score:.2f} |" for lab in layer.labels]
        out.append("")
    by_label: dict[str, list[str]] = defaultdict(list)
    for span in layer.spans:
        score = f" ({span.score:.2f})" if span.score is not None else ""
        by_label[span.label].append(
            f'  - "{quote(doc.span_text(span))}"{score} [{span.start}:{span.end}]'
        )
    for label, items in by_label.items():
        out.append(f"- **{quote(label)}** ({len(items)})")
        out += items
    out.append("")
    return out
