"""Readers for the persuasion-technique corpora.

PTC (SemEval-2020 Task 11): a folder of ``article<ID>.txt`` files and a label file with one
span per line, ``id<TAB>technique<TAB>start<TAB>end`` (technique classification) or
``id<TAB>start<TAB>end`` (span identification). SemEval-2023 Task 3 subtask 3: articles with
one paragraph per line and ``id<TAB>line<TAB>comma-separated techniques``. A malformed line
raises ``ValueError`` naming the file and the line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

_ARTICLE = re.compile(r"^article(\w+?)(?:\.txt)$")


@dataclass(frozen=True)
class GoldSpan:
    """One annotated span: ``text[start:end]`` uses ``technique`` ("" when unlabelled)."""

    article: str
    start: int
    end: int
    technique: str = ""


def read_articles(folder: str | Path) -> dict[str, str]:
    """``{article id: text}`` for every ``article<ID>.txt`` in ``folder`` (sorted by id)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder of article<ID>.txt files")
    texts = {}
    for path in sorted(folder.iterdir()):
        match = _ARTICLE.match(path.name)
        if match:
            # newline="" keeps "\r\n" as two characters, as the corpus offsets count them.
            with path.open(encoding="utf-8", newline="") as handle:
                texts[match.group(1)] = handle.read()
    if not texts:
        raise ValueError(f"{folder}: no article<ID>.txt files found")
    return texts


def read_span_labels(path: str | Path) -> list[GoldSpan]:
    """PTC label file: 4 columns (id, technique, start, end) or 3 (id, start, end)."""
    path = Path(path)
    spans = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            row = line.rstrip("\r\n").split("\t")
            if row == [""]:
                continue
            try:
                if len(row) == 4:
                    spans.append(GoldSpan(row[0], int(row[2]), int(row[3]), row[1]))
                elif len(row) == 3:
                    spans.append(GoldSpan(row[0], int(row[1]), int(row[2])))
                else:
                    raise ValueError(f"expected 3 or 4 tab-separated columns, found {len(row)}")
            except ValueError as exc:
                raise ValueError(f"{path}:{line_no}: {exc}") from None
            if spans[-1].end <= spans[-1].start:
                raise ValueError(f"{path}:{line_no}: span end must be after its start")
    return spans


def spans_by_article(spans: list[GoldSpan]) -> dict[str, list[GoldSpan]]:
    grouped: dict[str, list[GoldSpan]] = defaultdict(list)
    for span in spans:
        grouped[span.article].append(span)
    return dict(grouped)


def read_paragraph_labels(path: str | Path) -> dict[tuple[str, int], list[str]]:
    """SemEval-2023 subtask 3 labels: ``{(article id, line number): [techniques]}``."""
    path = Path(path)
    labels: dict[tuple[str, int], list[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            row = line.rstrip("\r\n").split("\t")
            if row == [""]:
                continue
            if len(row) not in (2, 3):
                raise ValueError(f"{path}:{line_no}: expected id, line, techniques")
            try:
                key = (row[0], int(row[1]))
            except ValueError:
                raise ValueError(f"{path}:{line_no}: line number must be an integer") from None
            techniques = row[2] if len(row) == 3 else ""
            labels[key] = [t for t in techniques.split(",") if t]
    return labels


def article_lines(text: str) -> dict[int, tuple[int, int]]:
    """1-based line number -> (start, end) character offsets of every non-blank line."""
    lines = {}
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        body = line.rstrip("\r")
        if body.strip():
            lines[number] = (offset, offset + len(body))
        offset += len(line) + 1
    return lines
