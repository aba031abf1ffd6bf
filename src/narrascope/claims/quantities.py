"""Counts with their units: "12 soldiers", "dozens of troops", "a battalion headquarters".

Numbers come from spaCy's ``like_num`` tokens and number entities; a count's unit is the noun
the number modifies. Military and organisational units ("a battalion", "an entire brigade")
count as one of that unit even without a numeral, since reports of desertions and strikes
often quantify that way.
"""

from __future__ import annotations

import re
from typing import Any

NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a": 1,
    "an": 1,
    "single": 1,
    "dozen": 12,
}
MULTIPLIERS = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
    "k": 1_000,
    "m": 1_000_000,
    "bn": 1_000_000_000,
}
# Vague plurals: a quantity without an exact value ("dozens of soldiers").
VAGUE = {
    "dozens",
    "hundreds",
    "thousands",
    "millions",
    "billions",
    "scores",
    "several",
    "many",
    "numerous",
    "few",
    "a few",
    "multiple",
}
# Nouns that name a group counted as one ("a battalion"): military and organisational units.
UNIT_NOUNS = {
    "battalion",
    "brigade",
    "regiment",
    "company",
    "platoon",
    "squad",
    "division",
    "corps",
    "detachment",
    "battery",
    "unit",
    "headquarters",
    "headquarter",
    "garrison",
    "convoy",
    "column",
    "squadron",
    "fleet",
    "army",
    "group",
    "team",
    "crew",
    "delegation",
    "cell",
}
ONE_DETERMINERS = {"a", "an", "one", "an entire", "a whole", "the entire", "entire", "whole"}
_NUMERIC = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$")
_UNIT_SUFFIX = re.compile(r"^(\d[\d,]*(?:\.\d+)?)\s*(km|m|kg|t|mm|cm|%|bn|k)$", re.IGNORECASE)


def parse_number(text: str) -> float | None:
    """The value of a written number ("12", "1,200", "3.5 million", "twelve", "forty-two")."""
    words = text.lower().replace("-", " ").split()
    if not words:
        return None
    total = 0.0
    current = 0.0
    seen = False
    for word in words:
        word = word.strip(".,")
        if _NUMERIC.match(word):
            current += float(word.replace(",", ""))
            seen = True
        elif (word in NUMBER_WORDS and word not in ("a", "an")) or (
            word in ("a", "an") and len(words) > 1
        ):
            current += NUMBER_WORDS[word]
            seen = True
        elif word in MULTIPLIERS and seen:
            current = (current or 1) * MULTIPLIERS[word]
            if MULTIPLIERS[word] >= 1000:
                total += current
                current = 0
        elif word == "and":
            continue
        else:
            return None
    value = total + current
    return value if seen else None


def _as_int(value: float | None) -> float | int | None:
    if value is not None and value == int(value):
        return int(value)
    return value


def _noun_phrase_end(token: Any) -> Any:
    """The noun a number counts: its head when it modifies one, else itself."""
    return token.head if token.dep_ in ("nummod", "quantmod", "amod", "compound") else token


def _unit_name(noun: Any) -> str:
    compounds = [t for t in noun.lefts if t.dep_ == "compound" and t.pos_ in ("NOUN", "PROPN")]
    return " ".join([*(t.text for t in compounds), noun.text])


def find_quantities(sent: Any) -> list[dict[str, Any]]:
    """Quantities in a spaCy sentence span: text, value (None when vague), unit, offsets."""
    found: list[dict[str, Any]] = []
    used: set[int] = set()
    for token in sent:
        if token.i in used or not (token.like_num or token.lower_ in VAGUE):
            continue
        if token.lower_ == "one" and token.dep_ != "nummod":
            continue  # "the one in Sumy": a pronoun, not a count
        group = [t for t in token.head.lefts if t.dep_ in ("nummod", "quantmod") and t.i >= token.i]
        number_tokens = sorted({token, *group}, key=lambda t: t.i)
        noun = _noun_phrase_end(token)
        if token.lower_ in VAGUE and token.dep_ not in ("nummod", "amod"):
            # "dozens of soldiers": the counted noun is the object of "of".
            of = [c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"]
            objects = [c for c in of[0].children if c.dep_ == "pobj"] if of else []
            noun = objects[0] if objects else token
        if noun.i < token.i and noun is not token:
            noun = token
        used.update(t.i for t in number_tokens)
        value = (
            None if token.lower_ in VAGUE else parse_number(" ".join(t.text for t in number_tokens))
        )
        unit_match = _UNIT_SUFFIX.match(token.text)
        if unit_match:
            value = parse_number(unit_match.group(1))
        unit = (
            _unit_name(noun) if noun is not token else (unit_match.group(2) if unit_match else "")
        )
        if not unit and token.i + 1 < sent.end and token.nbor().lower_ in ("percent", "%"):
            unit = "percent"
            noun = token.nbor()
        if token.ent_type_ in ("DATE", "TIME") and not unit:
            continue  # years and clock times are times, not counts
        start = number_tokens[0].idx
        end = max(noun.idx + len(noun.text), token.idx + len(token.text))
        found.append(_quantity(sent, start, end, _as_int(value), unit, vague=value is None))
    found.extend(_unit_groups(sent, used))
    return sorted(found, key=lambda q: q["start"])


def _unit_groups(sent: Any, used: set[int]) -> list[dict[str, Any]]:
    """'a battalion headquarters', 'an entire brigade': one of a named unit."""
    out = []
    for token in sent:
        if token.lemma_.lower() not in UNIT_NOUNS and token.lower_ not in UNIT_NOUNS:
            continue
        if token.dep_ == "compound" and token.head.pos_ == "NOUN":
            continue  # counted at its head ("battalion headquarters")
        if any(t.i in used for t in token.subtree if t.i <= token.i):
            continue
        determiners = [t for t in token.lefts if t.dep_ in ("det", "nummod")]
        if not determiners:
            continue
        det = determiners[0]
        modifiers = [t for t in token.lefts if t.dep_ == "amod" and t.lower_ in ("entire", "whole")]
        words = " ".join([det.lower_, *(m.lower_ for m in modifiers)])
        if det.lower_ not in ONE_DETERMINERS and words not in ONE_DETERMINERS:
            continue
        start = det.idx
        end = token.idx + len(token.text)
        out.append(_quantity(sent, start, end, 1, _unit_name(token), vague=False))
    return out


def _quantity(
    sent: Any, start: int, end: int, value: float | int | None, unit: str, vague: bool
) -> dict[str, Any]:
    text = sent.text[start - sent.start_char : end - sent.start_char]
    return {
        "text": text,
        "value": value,
        "unit": unit,
        "approximate": vague,
        "start": start,
        "end": end,
    }
