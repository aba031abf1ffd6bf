"""Span-level precision, recall and F1 of attribution roles (source, cue, content).

For each role, predicted and gold spans are compared two ways:

- **exact**: a predicted span counts when a gold span of the same role has exactly the same
  characters (after the normalisation below);
- **overlap**: predicted and gold spans of the same role are matched one-to-one (a maximum
  matching over pairs that share at least one non-space character, so one long prediction
  cannot be credited for two gold spans, nor two predictions for one); each matched pair counts.

Normalisation, applied to gold and prediction alike: leading/trailing whitespace is trimmed from
each fragment, and fragments separated only by whitespace are joined (brat splits a span at line
breaks). A discontinuous span (``"X," he said, "Y"``) stays a tuple of fragments: to match it
exactly a prediction needs the same fragments; it overlaps a prediction touching any fragment.
Spans that several relations share (one source, two cues) count once per article and annotator.

Several annotators of one article: each annotator's file is scored on its own against the same
predictions and the counts are summed (micro-average over (article, annotator) pairs), so an
article annotated twice weighs twice, as in the corpus's own statistics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from narrascope.attribution.polnear import ROLES, Fragments

MATCHES = ("exact", "overlap")


def normalize(text: str, fragments: Iterable[tuple[int, int]]) -> Fragments:
    """Trim whitespace off each fragment, drop empty ones, join those only whitespace apart."""
    trimmed: list[tuple[int, int]] = []
    for start, end in sorted(fragments):
        piece = text[start:end]
        start, end = (
            start + len(piece) - len(piece.lstrip()),
            end - len(piece) + len(piece.rstrip()),
        )
        if end <= start:
            continue
        if trimmed and not text[trimmed[-1][1] : start].strip():
            trimmed[-1] = (trimmed[-1][0], max(end, trimmed[-1][1]))
        else:
            trimmed.append((start, end))
    return tuple(trimmed)


def _overlaps(a: Fragments, b: Fragments) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def max_matching(predicted: list[Fragments], gold: list[Fragments]) -> int:
    """Size of a maximum one-to-one matching between overlapping spans (augmenting paths)."""
    edges = [[j for j, g in enumerate(gold) if _overlaps(p, g)] for p in predicted]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    return sum(augment(i, set()) for i in range(len(predicted)))


@dataclass
class Counts:
    """True positives and totals per (role, match)."""

    tp: dict[tuple[str, str], int] = field(default_factory=dict)
    predicted: dict[str, int] = field(default_factory=dict)
    gold: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        text: str,
        gold: Mapping[str, Iterable[Fragments]],
        predicted: Mapping[str, Iterable[Fragments]],
    ) -> None:
        """Add one (article, annotator) comparison; spans as raw fragment tuples per role."""
        for role in ROLES:
            g = sorted({n for f in gold.get(role, ()) if (n := normalize(text, f))})
            p = sorted({n for f in predicted.get(role, ()) if (n := normalize(text, f))})
            self.gold[role] = self.gold.get(role, 0) + len(g)
            self.predicted[role] = self.predicted.get(role, 0) + len(p)
            exact = len(set(g) & set(p))
            overlap = max_matching(p, g)
            for match, value in (("exact", exact), ("overlap", overlap)):
                self.tp[role, match] = self.tp.get((role, match), 0) + value

    def scores(self) -> dict[str, float | int]:
        """``{role}_{precision|recall|f1}_{exact|overlap}`` plus gold/predicted counts."""
        out: dict[str, float | int] = {}
        for role in ROLES:
            n_pred, n_gold = self.predicted.get(role, 0), self.gold.get(role, 0)
            for match in MATCHES:
                tp = self.tp.get((role, match), 0)
                precision = tp / n_pred if n_pred else 0.0
                recall = tp / n_gold if n_gold else 0.0
                f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
                out[f"{role}_precision_{match}"] = round(precision, 4)
                out[f"{role}_recall_{match}"] = round(recall, 4)
                out[f"{role}_f1_{match}"] = round(f1, 4)
            out[f"{role}_gold"] = n_gold
            out[f"{role}_predicted"] = n_pred
        return out
