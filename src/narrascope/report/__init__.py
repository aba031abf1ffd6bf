"""Reports: JSON (the schema), Markdown for tickets, and a self-contained HTML page.

Stages that need more than the generic span table register a panel in ``PANELS``: a layer name
mapped to ``"module:function"`` pairs for HTML and Markdown. Each function takes the Document
and returns a string; HTML panel functions must escape every piece of article text they emit.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from narrascope.document import Document

FORMATS = ("json", "md", "html")

# layer name -> {"html": "module:function", "md": "module:function"}
PANELS: dict[str, dict[str, str]] = {
    "entities": {
        "html": "narrascope.report.entities_panel:entities_html",
        "md": "narrascope.report.entities_panel:entities_markdown",
    },
    "checkworthiness": {
        "html": "narrascope.report.claims_panel:checkworthiness_html",
        "md": "narrascope.report.claims_panel:checkworthiness_markdown",
    },
    "attributions": {
        "html": "narrascope.report.sourcing_panel:attributions_html",
        "md": "narrascope.report.sourcing_panel:attributions_markdown",
    },
    "claims": {
        "html": "narrascope.report.claims_panel:claims_html",
        "md": "narrascope.report.claims_panel:claims_markdown",
    },
    "techniques": {
        "html": "narrascope.report.techniques_panel:techniques_html",
        "md": "narrascope.report.techniques_panel:techniques_markdown",
    },
    "narratives": {
        "html": "narrascope.report.narratives_panel:narratives_html",
        "md": "narrascope.report.narratives_panel:narratives_markdown",
    },
    "framing": {
        "html": "narrascope.report.narratives_panel:framing_html",
        "md": "narrascope.report.narratives_panel:framing_markdown",
    },
}

# Plain-language explanations of labels, per layer, shown in the legend and on hover.
# Stages fill this through ``register_explanations`` so the report needs no model loaded.
EXPLANATIONS: dict[str, dict[str, str]] = {}


def register_explanations(layer: str, explanations: dict[str, str]) -> None:
    EXPLANATIONS.setdefault(layer, {}).update(explanations)


def panel_function(layer: str, fmt: str) -> Callable[[Document], str] | None:
    target = PANELS.get(layer, {}).get(fmt)
    if not target:
        return None
    module_name, func_name = target.split(":")
    func: Callable[[Document], str] = getattr(importlib.import_module(module_name), func_name)
    return func


def render(doc: Document, fmt: str, **options: Any) -> str:
    if fmt == "json":
        from narrascope.serialize import to_json

        return to_json(doc)
    if fmt == "md":
        from narrascope.report.markdown import render_markdown

        return render_markdown(doc)
    if fmt == "html":
        from narrascope.report.html import render_html

        return render_html(doc, **options)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
