"""The official CheckThat! 2024 Task 1 measure: F1 of the positive (Yes) class."""

from __future__ import annotations

from collections.abc import Sequence


def score_binary(gold: Sequence[int], predicted: Sequence[int]) -> dict[str, float | int]:
    """Precision, recall and F1 of the positive class, and accuracy, for 0/1 labels."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} labels but predictions have {len(predicted)}")
    pairs = list(zip(gold, predicted, strict=True))
    tp = sum(1 for g, p in pairs if g and p)
    fp = sum(1 for g, p in pairs if not g and p)
    fn = sum(1 for g, p in pairs if g and not p)
    correct = sum(1 for g, p in pairs if bool(g) == bool(p))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "f1_positive": round(f1, 4),
        "precision_positive": round(precision, 4),
        "recall_positive": round(recall, 4),
        "accuracy": round(correct / len(pairs), 4) if pairs else 0.0,
        "n": len(pairs),
    }
