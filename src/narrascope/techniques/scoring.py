"""The official measures of SemEval-2020 Task 11 (SI, TC) and SemEval-2023 Task 3 subtask 3.

SI (span identification), as in the organisers' ``task-SI_scorer.py``: overlapping spans are
merged per article (gold always; predictions too, as with its ``-m`` option), then every
predicted span ``s`` earns ``|s∩t|/|s|`` towards precision and every gold span ``t`` earns
``|s∩t|/|t|`` towards recall, summed over all pairs; precision divides by the number of
predicted spans, recall by the number of gold spans. So a half-covered gold span counts half.

TC (technique classification): one predicted label per gold span; micro-F1 over all of them
(equal to accuracy). A span annotated with several techniques (PTC repeats it once per label)
is matched as a multiset, so predicting both of its labels in any order scores both.

SemEval-2023 subtask 3: paragraph-level multi-label micro- and macro-F1 over the 23 classes,
computed like the official scorer (MultiLabelBinarizer, ``f1_score(zero_division=1)``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

Interval = tuple[int, int]


def merge_overlapping(spans: Iterable[Interval]) -> list[Interval]:
    """Merge spans that share at least one character (touching spans stay apart)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _prf(p_num: float, p_den: int, r_num: float, r_den: int) -> dict[str, float]:
    precision = p_num / p_den if p_den else 0.0
    recall = r_num / r_den if r_den else 0.0
    if p_den == 0 and r_den == 0:
        f1 = 1.0  # as the official scorer: nothing to find and nothing found
    elif precision > 0 and recall > 0:
        f1 = 2 * precision * recall / (precision + recall)
    else:
        f1 = 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def si_score(
    gold: Mapping[str, Sequence[Interval]], predicted: Mapping[str, Sequence[Interval]]
) -> dict[str, float]:
    """SemEval-2020 SI precision, recall and F1 with partial-overlap credit.

    ``gold`` and ``predicted`` map an article id to its (start, end) spans; articles missing
    from ``predicted`` contribute their gold spans to the recall denominator only.
    """
    ids = sorted(set(gold) | set(predicted))
    return si_from_counts(si_counts(gold, predicted, ids).sum(axis=0))


def si_counts(
    gold: Mapping[str, Sequence[Interval]],
    predicted: Mapping[str, Sequence[Interval]],
    ids: Sequence[str],
) -> np.ndarray:
    """Each article's share of the SI measure, one row per id of ``ids``: precision credit,
    predicted spans, recall credit, gold spans. Rows add up over any set of articles (a
    fold's, in nested cross-validation); :func:`si_from_counts` turns a sum into scores."""
    out = np.zeros((len(ids), 4), dtype=np.float64)
    for row, article in enumerate(ids):
        pred_spans = merge_overlapping(predicted.get(article, ()))
        gold_spans = merge_overlapping(gold.get(article, ()))
        out[row, 1], out[row, 3] = len(pred_spans), len(gold_spans)
        if not pred_spans or not gold_spans:
            continue
        # every (predicted, gold) pair at once: the decoding grids score thousands of settings
        p = np.asarray(pred_spans, dtype=np.float64)
        g = np.asarray(gold_spans, dtype=np.float64)
        inter = np.minimum(p[:, 1:2], g[:, 1]) - np.maximum(p[:, 0:1], g[:, 0])
        inter = np.clip(inter, 0.0, None)
        out[row, 0] = float((inter / (p[:, 1:2] - p[:, 0:1])).sum())
        out[row, 2] = float((inter / (g[:, 1] - g[:, 0])).sum())
    return out


def si_from_counts(counts: np.ndarray) -> dict[str, float]:
    """SI precision, recall and F1 from summed :func:`si_counts` rows."""
    p_num, p_den, r_num, r_den = (float(x) for x in counts)
    return _prf(p_num, int(p_den), r_num, int(r_den))


def tc_micro_f1(gold: Sequence[tuple[str, int, int, str]], predicted: Sequence[str]) -> float:
    """Micro-F1 of technique labels predicted for the gold spans, in the gold order.

    Copies of one span (same article, start, end) are scored as a multiset of labels.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold spans but {len(predicted)} predictions")
    if not gold:
        return 0.0
    gold_sets: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    pred_sets: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    for (article, start, end, label), guess in zip(gold, predicted, strict=True):
        gold_sets[(article, start, end)][label] += 1
        pred_sets[(article, start, end)][guess] += 1
    correct = sum(sum((gold_sets[k] & pred_sets[k]).values()) for k in gold_sets)
    return correct / len(gold)


def paragraph_f1(
    gold: Mapping[tuple[str, int], Sequence[str]],
    predicted: Mapping[tuple[str, int], Sequence[str]],
    classes: Sequence[str],
) -> dict[str, float]:
    """Micro- and macro-F1 over paragraphs, as the SemEval-2023 subtask 3 scorer.

    Every gold paragraph must have a prediction (possibly empty); labels outside ``classes``
    are ignored, as MultiLabelBinarizer fitted on the classes ignores them.
    """
    import warnings

    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    missing = [k for k in gold if k not in predicted]
    if missing:
        raise ValueError(f"no prediction for {len(missing)} gold paragraphs, e.g. {missing[0]}")
    keys = list(gold)
    mlb = MultiLabelBinarizer(classes=list(classes))
    mlb.fit([list(classes)])
    known = set(classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y_gold = mlb.transform([[c for c in gold[k] if c in known] for k in keys])
        y_pred = mlb.transform([[c for c in predicted[k] if c in known] for k in keys])
        micro = f1_score(y_gold, y_pred, average="micro", zero_division=1)
        macro = f1_score(y_gold, y_pred, average="macro", zero_division=1)
    return {"micro_f1": float(micro), "macro_f1": float(macro)}
