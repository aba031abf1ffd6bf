"""Readers for the check-worthiness corpora (CheckThat! 2024 Task 1, ClaimBuster two-class).

Every reader returns ``(texts, labels)`` with labels 1 = check-worthy, 0 = not. A malformed
file raises ``ValueError`` naming the file and the line, never a bare KeyError.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

YES_NO = {"yes": 1, "no": 0}


def read_ct24(path: str | Path) -> tuple[list[str], list[int], list[str]]:
    """A CheckThat! 2024 Task 1 TSV: ``Sentence_id``, ``Text``, ``class_label`` (Yes/No).

    Returns texts, labels and sentence ids.
    """
    path = Path(path)
    texts: list[str] = []
    labels: list[int] = []
    ids: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        needed = {"Sentence_id", "Text", "class_label"}
        if reader.fieldnames is None or not needed <= set(reader.fieldnames):
            raise ValueError(
                f"{path}: expected a CheckThat! 2024 TSV with columns "
                f"Sentence_id, Text, class_label; found {reader.fieldnames}"
            )
        for line_no, row in enumerate(reader, start=2):
            label = (row["class_label"] or "").strip().lower()
            if label not in YES_NO:
                raise ValueError(f"{path}:{line_no}: class_label must be Yes or No, got {label!r}")
            texts.append(row["Text"] or "")
            labels.append(YES_NO[label])
            ids.append(row["Sentence_id"])
    return texts, labels, ids


def read_claimbuster(path: str | Path) -> tuple[list[str], list[int]]:
    """ClaimBuster two-class data: a JSON list of {text, label} or a CSV with text, label."""
    path = Path(path)
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    try:
        return [str(r["text"]) for r in rows], [int(r["label"]) for r in rows]
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{path}: expected rows with 'text' and 'label' (0/1): {exc}") from None
