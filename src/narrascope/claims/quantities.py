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
_ORDINAL = re.compile(
    r"^(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)$"
)
DURATION_UNITS = {"year", "month", "week", "day", "hour", "minute", "second", "decade", "century"}
# Nouns after "one" that make an idiom, not a count ("on the one hand").
NOT_UNITS = {"hand", "thing", "way", "time", "point", "side", "another", "other"}
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
        elif word in NUMBER_WORDS and (word not in ("a", "an") or len(words) > 1):
            # "a" counts only inside a longer number ("a hundred"), never alone.
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


def _unit_name(noun: Any) -> str:
    compounds = [t for t in noun.lefts if t.dep_ == "compound" and t.pos_ in ("NOUN", "PROPN")]
    return " ".join([*(t.text for t in compounds), noun.text])


def _is_number(token: Any) -> bool:
    return (
        bool(token.like_num) and not _ORDINAL.match(token.lower_) and token.ent_type_ != "ORDINAL"
    )


def _number_run(sent: Any, i: int) -> int:
    """Index of the last token of the written number starting at ``i`` ("Fifty - eight",
    "3.5 million")."""
    doc = sent.doc
    j = i
    while j + 1 < sent.end:
        nxt = doc[j + 1]
        if _is_number(nxt) or nxt.lower_ in MULTIPLIERS:
            j += 1
        elif nxt.text == "-" and j + 2 < sent.end and _is_number(doc[j + 2]):
            j += 2
        else:
            break
    return j


def _counted_noun(sent: Any, first: Any, last: Any) -> Any | None:
    """The noun a number counts: its head to the right, or 'of X' after a vague amount."""
    if last.dep_ in ("nummod", "quantmod", "amod", "compound", "nmod") and last.head.i > last.i:
        return last.head
    if first.lower_ in VAGUE:
        of = [c for c in last.children if c.dep_ == "prep" and c.lower_ == "of"]
        objects = [c for c in of[0].children if c.dep_ == "pobj"] if of else []
        return objects[0] if objects else None
    nxt = last.nbor() if last.i + 1 < sent.end else None
    if nxt is not None and nxt.lower_ in ("percent", "%"):
        return nxt
    return None


def find_quantities(sent: Any) -> list[dict[str, Any]]:
    """Quantities in a spaCy sentence span: text, value (None when vague), unit, offsets."""
    doc = sent.doc
    found: list[dict[str, Any]] = []
    used: set[int] = set()
    i = sent.start
    while i < sent.end:
        token = doc[i]
        vague = token.lower_ in VAGUE
        if not (_is_number(token) or vague) or (vague and _followed_by_as(sent, token)):
            i += 1
            continue
        last_i = _number_run(sent, i)
        first, last = token, doc[last_i]
        i = last_i + 1
        quantity = _quantity_of(sent, first, last, vague)
        if quantity is not None:
            used.update(range(first.i, last.i + 1))
            found.append(quantity)
    found.extend(_unit_groups(sent, used))
    return sorted(found, key=lambda q: q["start"])


CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₽": "RUB", "₴": "UAH", "¥": "JPY"}


def _currency_before(sent: Any, token: Any) -> str | None:
    """'$5 billion': the currency written before the number."""
    if token.i - 1 >= sent.start:
        return CURRENCY_SYMBOLS.get(sent.doc[token.i - 1].text)
    return None


def _followed_by_as(sent: Any, token: Any) -> bool:
    """'as many as 50': the count is the number, not 'many'."""
    return token.i + 1 < sent.end and token.nbor().lower_ == "as"


def _quantity_of(sent: Any, first: Any, last: Any, vague: bool) -> dict[str, Any] | None:
    if first.lower_ == "one" and first.dep_ != "nummod":
        return None  # "the one in Sumy": a pronoun, not a count
    noun = _counted_noun(sent, first, last)
    if noun is not None and noun.pos_ == "PRON":
        noun = None  # "millions of them": the count has no unit in this sentence
    if noun is not None and noun.lemma_.lower() in NOT_UNITS:
        return None  # "on the one hand", "one thing"
    is_time = first.ent_type_ in ("DATE", "TIME")
    if is_time and (noun is None or noun.lemma_.lower() not in DURATION_UNITS):
        return None  # years and clock times are times; "20 years" is a duration, kept
    written = " ".join(t.text for t in sent.doc[first.i : last.i + 1] if t.text != "-")
    unit_match = _UNIT_SUFFIX.match(last.text)
    value = None if vague else parse_number(written)
    if unit_match:
        value = parse_number(unit_match.group(1))
    unit = (
        "percent"
        if noun is not None and noun.lower_ in ("percent", "%")
        else (_unit_name(noun) if noun is not None else (unit_match.group(2) if unit_match else ""))
    )
    currency = _currency_before(sent, first)
    if currency and not unit:
        unit = currency
    if vague and not unit:
        return None  # a bare "many" says nothing countable
    end_token = noun if noun is not None and noun.i > last.i else last
    start_token = sent.doc[first.i - 1] if currency else first
    start, end = start_token.idx, end_token.idx + len(end_token.text)
    return _quantity(sent, start, end, _as_int(value), unit, vague=value is None)


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
