"""Hedging ("reportedly", "is believed to", "suggest") and negation of a claim.

Hedges are matched on the sentence's tokens so that offsets point at the exact words; modal
verbs count only when spaCy tags them as modals (so the month "May" is not a hedge).
"""

from __future__ import annotations

import re
from typing import Any

HEDGE_PATTERNS = [
    r"reportedly",
    r"allegedly",
    r"purportedly",
    r"supposedly",
    r"apparently",
    r"seemingly",
    r"presumably",
    r"possibly",
    r"probably",
    r"likely",
    r"unconfirmed",
    r"unverified",
    r"rumou?red",
    r"(?:is|are|was|were|being) (?:widely )?(?:believed|said|thought|understood|"
    r"rumou?red|reported|alleged|claimed|suspected|expected) to",
    r"(?:appears?|appeared|seems?|seemed) to",
    r"suggest(?:s|ed|ing)?",
    r"indicat(?:es|ed|ing)",
    r"it is (?:believed|claimed|alleged|reported|said) that",
    r"according to (?:unnamed|"
    r"unconfirmed|anonymous|some) \w+",
    r"may have",
    r"might have",
    r"could have",
]
_HEDGE = re.compile(r"\b(?:" + "|".join(HEDGE_PATTERNS) + r")\b", re.IGNORECASE)
# Bare "could" is mostly past ability ("could not reach"); "could have" is in the patterns.
MODALS = {"may", "might"}
NEGATIVE_DETERMINERS = {"no", "neither", "none", "nobody", "nothing"}


def find_hedges(sent: Any) -> list[dict[str, Any]]:
    """Hedging words in a spaCy sentence span, with their character offsets."""
    text = sent.text
    offset = sent.start_char
    found = []
    covered: set[int] = set()
    for match in _HEDGE.finditer(text):
        start, end = match.start() + offset, match.end() + offset
        found.append({"text": match.group(0), "start": start, "end": end})
        covered.update(range(start, end))
    for token in sent:
        if token.lower_ in MODALS and token.tag_ == "MD" and token.idx not in covered:
            found.append({"text": token.text, "start": token.idx, "end": token.idx + len(token)})
    return sorted(found, key=lambda h: h["start"])


def is_negated(predicate: Any) -> bool:
    """Whether the claim's predicate is negated ("did not desert", "no soldiers deserted")."""
    if predicate is None:
        return False
    for child in predicate.children:
        if child.dep_ == "neg":
            return True
        if child.dep_ in ("nsubj", "nsubjpass", "dobj") and any(
            t.dep_ == "det" and t.lower_ in NEGATIVE_DETERMINERS for t in child.children
        ):
            return True
        if child.dep_ in ("nsubj", "nsubjpass") and child.lower_ in NEGATIVE_DETERMINERS:
            return True
        if child.dep_ == "advmod" and child.lower_ in ("never", "not"):
            return True
    # "X has not been confirmed to have deserted": negation on the governing verb.
    head = predicate.head
    return bool(predicate.dep_ in ("xcomp",) and any(c.dep_ == "neg" for c in head.children))
