"""Paragraph segmentation: blocks of text separated by line breaks.

News text arrives with one paragraph per line (PTC, SemEval, trafilatura output) or with blank
lines between paragraphs; both split here. Offsets are trimmed of surrounding whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from narrascope.document import Document
from narrascope.pipeline import Stage

_PARAGRAPH_BREAK = re.compile(r"\n\s*")


def paragraph_offsets(text: str) -> list[tuple[int, int]]:
    offsets = []
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        offsets.append((start, match.start()))
        start = match.end()
    offsets.append((start, len(text)))
    return [_strip(text, s, e) for s, e in offsets if text[s:e].strip()]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class StructureStage(Stage):
    name = "structure"
    provides = ("paragraphs",)

    def predict(self, docs: Sequence[Document]) -> list[list[tuple[int, int]]]:
        return [paragraph_offsets(d.text) for d in docs]

    def set_annotations(
        self, docs: Sequence[Document], predictions: Sequence[list[tuple[int, int]]]
    ) -> None:
        for doc, offsets in zip(docs, predictions, strict=True):
            layer = doc.layer("paragraphs", display=False)
            for start, end in offsets:
                layer.add_span(start, end, "paragraph")
