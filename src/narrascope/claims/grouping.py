"""Group claims of one article that assert the same thing.

Two claims are the same when their content words overlap strongly (Jaccard of content lemmas),
or when they report the same count of the same unit ("12 soldiers") with the same predicate or
place. Groups are the connected components of that relation, so a restatement of a restatement
joins the group too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

SAME_CLAIM_JACCARD = 0.5
CONTENT_POS = {"NOUN", "PROPN", "VERB", "NUM", "ADJ"}


@dataclass
class ClaimKey:
    """What grouping compares: content lemmas, counts, places and the predicate's lemma."""

    lemmas: frozenset[str]
    counts: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    places: frozenset[str] = field(default_factory=frozenset)
    predicate: str | None = None


def content_lemmas(sent: Any, skip: frozenset[str] = frozenset()) -> frozenset[str]:
    """Lemmas of the content words of a spaCy span, minus ``skip`` (e.g. reporting verbs)."""
    return frozenset(
        t.lemma_.lower()
        for t in sent
        if t.pos_ in CONTENT_POS and not t.is_stop and t.lemma_.lower() not in skip
    )


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def same_claim(a: ClaimKey, b: ClaimKey) -> bool:
    if jaccard(a.lemmas, b.lemmas) >= SAME_CLAIM_JACCARD:
        return True
    shared_count = bool(a.counts & b.counts)
    same_event = (a.predicate is not None and a.predicate == b.predicate) or bool(
        a.places & b.places
    )
    return shared_count and same_event


def group_claims(keys: Sequence[ClaimKey]) -> list[int]:
    """A group number for every claim (numbered by first member, from 0)."""
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            if same_claim(keys[i], keys[j]):
                parent[find(j)] = find(i)
    numbering: dict[int, int] = {}
    return [numbering.setdefault(find(i), len(numbering)) for i in range(len(keys))]
