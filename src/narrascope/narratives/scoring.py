"""The official SemEval-2025 Task 10 measures.

Subtask 2 (narratives): samples-averaged F1, i.e. the F1 of each document's predicted label set
against its gold set, averaged over documents (``sklearn.metrics.f1_score(average="samples")``
over binarised labels, as the official scorer computes it), for coarse narratives and for
sub-narratives; "Other" is a label like any other. Subtask 1 (entity framing), on the gold
mentions: accuracy of the main role, and exact match ratio of the fine-role set.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def sample_f1(gold: set[str], predicted: set[str]) -> float:
    """F1 of one document's label set; two empty sets agree perfectly."""
    if not gold and not predicted:
        return 1.0
    return 2 * len(gold & predicted) / (len(gold) + len(predicted))


def samples_f1(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    """Mean per-document F1 (samples average)."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} documents but predictions have {len(predicted)}")
    if not gold:
        return 0.0
    return statistics.fmean(sample_f1(set(g), set(p)) for g, p in zip(gold, predicted, strict=True))


def role_scores(
    gold_main: Sequence[str],
    predicted_main: Sequence[str],
    gold_fine: Sequence[Sequence[str]],
    predicted_fine: Sequence[Sequence[str]],
) -> dict[str, float]:
    """Main-role accuracy and fine-role exact match ratio over the same gold mentions."""
    n = len(gold_main)
    if not (n == len(predicted_main) == len(gold_fine) == len(predicted_fine)):
        raise ValueError("gold and predicted mentions differ in number")
    if n == 0:
        return {"entity_main_role_accuracy": 0.0, "entity_fine_role_exact_match": 0.0}
    main = sum(g == p for g, p in zip(gold_main, predicted_main, strict=True)) / n
    exact = sum(set(g) == set(p) for g, p in zip(gold_fine, predicted_fine, strict=True)) / n
    return {"entity_main_role_accuracy": main, "entity_fine_role_exact_match": exact}
