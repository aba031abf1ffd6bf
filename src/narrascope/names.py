"""When two entity mentions name the same thing: one key per name, across its written forms.

"Ukraine's" and "Ukraine", "the Kremlin" and "Kremlin" share a key in English. Russian declines
names ("Вучич", "Вучича"; "Евросоюза", "Евросоюзе"), so there each word is replaced by its
dictionary form from pymorphy3, preferring the readings it marks as names, surnames, places
or organisations. A lone surname ("Marochko", "Старикова") then joins the one full name that
ends with it ("Andrei Marochko", "Николай Стариков"). The entities panel and the framing stage
group mentions this way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_WORD = re.compile(r"\w+(?:[-']\w+)*")
# pymorphy3 grammemes of proper names: first name, surname, patronymic, place, organisation.
_PROPER = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})

T = TypeVar("T")


def name_key(text: str, language: str | None = None) -> str:
    """The grouping key of a mention: article, possessive, spacing and case removed; in
    Russian, every word in its dictionary form."""
    flat = _POSSESSIVE.sub("", _ARTICLE.sub("", " ".join(text.split())))
    if language == "ru":
        return " ".join(_russian_lemma(w) for w in _WORD.findall(flat))
    return flat.casefold()


def display_name(text: str) -> str:
    """A mention's text as a row title: spacing collapsed, possessive dropped."""
    return _POSSESSIVE.sub("", " ".join(text.split()))


@cache
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@cache
def _russian_lemma(word: str) -> str:
    parses = _morph().parse(word)
    proper = [p for p in parses if _PROPER & set(p.tag.grammemes)]
    best = (proper or parses)[0]
    return str(best.normal_form)


def group_by_name(
    items: Iterable[T], text_of: Callable[[T], str], language: str | None = None
) -> dict[str, list[T]]:
    """Items grouped by the key of their text, in first-seen order; a one-word key that ends
    exactly one longer key (a lone surname) is merged into it."""
    groups: dict[str, list[T]] = {}
    for item in items:
        key = name_key(text_of(item), language)
        if key:
            groups.setdefault(key, []).append(item)
    for key in sorted(groups, key=len):
        if " " in key:
            continue
        longer = [k for k in groups if k != key and k.endswith(" " + key)]
        if len(longer) == 1:
            groups[longer[0]].extend(groups.pop(key))
    return groups
