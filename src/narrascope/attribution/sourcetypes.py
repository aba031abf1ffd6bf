"""What kind of source a mention is, its canonical name, role and affiliation.

Types: ``named_person`` (with the role the text gives, e.g. "military analyst"),
``named_official`` (a named person with an official title: head of state, minister,
spokesperson), ``outlet`` (news outlet or agency, or its staff: "TASS journalists"),
``official_body`` (government bodies and unnamed officials: "Russian officials", "the Kremlin",
a capital used for its government: "Moscow says"), ``organization`` (other named
organisations), ``anonymous`` (unnamed human sources, with their affiliation when given:
"confidential Russian law enforcement sources" -> "Russian law enforcement"), ``documents``
("classified documents", "restricted intelligence") and ``unsourced`` (agentless forms; set by
the relation builder, never by a mention).

Pronouns ("he", "they"), descriptions ("the expert", "the analyst") and bare surnames are
resolved against the article's earlier sources (``Registry``) where the text allows: the
nearest compatible named source before the mention.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from narrascope.attribution.lexicon import (
    ANONYMITY_QUALIFIERS,
    ANONYMOUS_NOUNS,
    DOCUMENT_NOUNS,
    GROUP_PRONOUNS,
    OFFICIAL_BODY_NOUNS,
    OFFICIAL_ORG_WORDS,
    OFFICIAL_TITLES,
    OUTLET_NOUNS,
    OUTLET_WORDS,
    OUTLETS,
    PERSON_PRONOUNS,
    ROLE_CLASSES,
    STAFF_NOUNS,
)

SOURCE_TYPES = (
    "named_person",
    "named_official",
    "outlet",
    "official_body",
    "organization",
    "anonymous",
    "documents",
    "unsourced",
)
NAMED_TYPES = frozenset({"named_person", "named_official"})
# Words that make "intelligence" a document ("restricted intelligence") rather than a service.
DOCUMENT_ADJECTIVES = frozenset({"restricted", "classified", "leaked", "secret", "raw"})
# How far back a pronoun may look for its antecedent (sentences).
PRONOUN_WINDOW = 3
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})
# Words of organisation names: a run of capitalised words with one of them is no person.
ORG_NAME_WORDS = frozenset(
    {"international", "group", "company", "inc", "ltd", "party", "union", "bank", "foundation",
     "institute", "university", "center", "centre", "watch", "rights", "association",
     "network", "front", "movement", "corporation", "corp", "fund", "organization",
     "organisation", "club", "league", "alliance", "coalition", "initiative", "project",
     "subcommittee", "house", "beacon", "examiner", "chronicle", "courier", "dispatch",
     "inquirer", "sentinel", "mirror", "express", "mail", "star", "sun", "caller", "beast",
     "intercept", "observer", "monitor", "review", "report", "today", "free"}
)  # fmt: skip
HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "mr.", "mrs.", "ms.", "dr."}
)
# Phrases that make an unnamed source anonymous however it is described.
ANONYMITY_MARKERS = ("anonymity", "anonymously", "not authorized", "not authorised",
                     "familiar with", "close to", "speaking privately", "not to be named",
                     "not to be identified", "declined to be named", "requested anonymity")  # fmt: skip
# How far back a description ("the expert") may look for its named source (sentences).
DESCRIPTION_WINDOW = 6
# Outlet names that are ordinary words or short acronyms: matched with their exact casing.
_CASE_SENSITIVE = {"time", "life", "guardian", "spiegel", "bild", "pravda", "post"}


@dataclass
class SourceInfo:
    """The typed reading of one source mention."""

    canonical: str
    source_type: str
    role: str | None = None
    affiliation: str | None = None
    outlet: str | None = None
    resolved_from: str | None = None  # the mention as written, when resolved to another
    antecedent: tuple[int, int] | None = None  # offsets of the mention it was resolved to
    unresolved: bool = False

    def attrs(self) -> dict[str, Any]:
        return {
            "canonical": self.canonical,
            "source_type": self.source_type,
            "role": self.role,
            "affiliation": self.affiliation,
            "outlet": self.outlet,
            "resolved_from": self.resolved_from,
            "antecedent": list(self.antecedent) if self.antecedent else None,
            "unresolved": self.unresolved,
        }


@dataclass
class _Entry:
    start: int
    end: int
    sentence: int
    info: SourceInfo
    surname: str | None = None
    speaker: bool = False  # a source of an attribution, not just a name in the text


@dataclass
class Registry:
    """Sources named so far in the article, in text order, for resolving later mentions."""

    entries: list[_Entry] = field(default_factory=list)
    # Token index of each sentence start -> the sentence's number in the article.
    sentence_numbers: dict[int, int] = field(default_factory=dict)

    @classmethod
    def for_doc(cls, spacy_doc: Any) -> Registry:
        return cls(sentence_numbers={s.start: n for n, s in enumerate(spacy_doc.sents)})

    def sentence(self, token: Any) -> int:
        return self.sentence_numbers.get(token.sent.start, 0)

    # Canonical name -> the personal pronouns already used for it ("he" or "she").
    pronouns: dict[str, set[str]] = field(default_factory=dict)

    def add(
        self, start: int, end: int, sentence: int, info: SourceInfo, speaker: bool = False
    ) -> None:
        surname = None
        if info.source_type in NAMED_TYPES and info.resolved_from is None:
            surname = info.canonical.split()[-1].lower()
        self.entries.append(_Entry(start, end, sentence, info, surname, speaker))
        self.entries.sort(key=lambda e: e.start)

    def before(self, offset: int) -> list[_Entry]:
        """Entries that start before ``offset``, nearest first."""
        return [e for e in reversed(self.entries) if e.start < offset]

    def by_surname(self, name: str, offset: int) -> _Entry | None:
        key = name.lower()
        for entry in self.before(offset) + [e for e in self.entries if e.start >= offset]:
            if entry.surname and (entry.surname == key or entry.info.canonical.lower() == key):
                return entry
        return None


def register_people(spacy_doc: Any, registry: Registry) -> None:
    """Add every multi-word PERSON entity, with its role, so surnames and 'the expert' can
    find it even when it is not itself a source."""
    for ent in spacy_doc.ents:
        if ent.label_ == "PERSON" and len(ent) >= 2:
            info = _named(ent.root, ent)
            registry.add(ent.start_char, ent.end_char, registry.sentence(ent.root), info)


def type_mention(spacy_doc: Any, start: int, end: int, registry: Registry) -> SourceInfo:
    """Type the source mention at ``start..end`` (resolving it through ``registry``)."""
    span = spacy_doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return SourceInfo(spacy_doc.text[start:end], "anonymous", unresolved=True)
    head = span.root
    text = span.text
    lower = head.lower_
    if head.pos_ == "PRON":
        return _pronoun(span, registry)
    surname = _known_name(span, registry)
    if surname is not None:
        return surname
    outlet = outlet_in(span)
    if outlet is not None:
        return _outlet(span, outlet)
    person = _person_entity(span)
    if person is not None:
        return _named(head if head.ent_type_ == "PERSON" else person.root, person)
    run = _name_run(head)
    if run is not None:
        return _named(head, run)
    if _is_documents(span):
        return SourceInfo(_documents_name(span), "documents")
    description = _description(span, registry)
    if description is not None:
        return description
    if (
        head.lemma_.lower() in ANONYMOUS_NOUNS
        or lower in ANONYMOUS_NOUNS
        or _marked_anonymous(span)
    ):
        return _anonymous(span)
    if _is_definite(head) and head.lemma_.lower() in OFFICIAL_TITLES:
        # "the governor" with no name in the text: an official, unnamed
        return SourceInfo(_strip_det(text), "official_body", role=head.lemma_.lower())
    body = _official_body(span)
    if body is not None:
        return body
    if head.ent_type_ == "ORG" or any(t.ent_type_ == "ORG" for t in span):
        return SourceInfo(_strip_det(text), "organization")
    if head.pos_ == "PROPN":
        # A name the recogniser missed: named, so never "anonymous"; a person's name would
        # have been caught above by its capitalised run, so most likely an organisation.
        return SourceInfo(_strip_det(text), "organization")
    return SourceInfo(_strip_det(text), "anonymous", role=head.lemma_.lower(),
                      affiliation=_affiliation_words(span, head))  # fmt: skip


# --- names ---------------------------------------------------------------------------------


def _known_name(span: Any, registry: Registry) -> SourceInfo | None:
    """'Marochko' after 'Andrei Marochko': the full name, its role and type."""
    names = [t for t in span if t.pos_ == "PROPN" and not _is_title(t)]
    if len(names) != 1:
        return None  # a full name is typed as itself: "Brett Smith" is not "Anna Smith"
    entry = registry.by_surname(names[-1].text, span.start_char)
    if entry is None or (span.start_char <= entry.start and entry.end <= span.end_char):
        return None
    if entry.info.canonical.lower() in span.text.lower():  # the full name again
        return replace(entry.info, resolved_from=None, antecedent=None, unresolved=False)
    return replace(
        entry.info, resolved_from=span.text, antecedent=(entry.start, entry.end), unresolved=False
    )


def _person_entity(span: Any) -> Any | None:
    return next((ent for label, ent in entities_within(span) if label == "PERSON"), None)


def entities_within(span: Any) -> Iterator[tuple[str, Any]]:
    """(label, tokens) of each named entity inside ``span``, read from the tokens' entity tags
    (``Span.ents`` rebuilds every entity of the text on each call: quadratic on long texts)."""
    doc = span.doc
    i = span.start
    while i < span.end:
        if doc[i].ent_iob_ != "B":
            i += 1
            continue
        j = i + 1
        while j < len(doc) and doc[j].ent_iob_ == "I":
            j += 1
        if j <= span.end:
            yield doc[i].ent_type_, doc[i:j]
        i = j


def _name_run(head: Any) -> Any | None:
    """'Pavel Orlov' tagged as an organisation (or not at all): two or three capitalised
    words ending the phrase, none of them an organisation word, read as a person's name."""
    if head.pos_ != "PROPN" or head.ent_type_ in ("GPE", "NORP", "LOC", "FAC"):
        return None
    first = head.i
    while first - 1 >= head.left_edge.i:
        prev = head.doc[first - 1]
        if prev.pos_ != "PROPN" or prev.dep_ != "compound" or _is_title(prev):
            break
        first -= 1
    run = head.doc[first : head.i + 1]
    words = [t.lower_ for t in run]
    if not 2 <= len(run) <= 3 or any(
        w in ORG_NAME_WORDS or w in OUTLET_WORDS or w in OFFICIAL_ORG_WORDS for w in words
    ):
        return None
    if any(t.ent_type_ in ("GPE", "LOC", "NORP", "FAC") for t in run):
        return None  # "Washington Free Beacon", "Kyiv City Council"
    if not all(t.text[:1].isupper() and t.text.isalpha() for t in run):
        return None
    return run


def _is_title(token: Any) -> bool:
    word = token.lower_
    return word in OFFICIAL_TITLES or word in ROLE_CLASSES or word in HONORIFICS


def _named(head: Any, name: Any) -> SourceInfo:
    """A named person: role words before the name or in an apposition, and affiliation."""
    name_tokens = {t.i for t in name if not _is_title(t)}
    role_words: list[Any] = []
    affiliation: list[str] = []
    for child in head.lefts:
        if child.i in name_tokens or child.dep_ in ("det", "poss", "case", "punct"):
            continue
        for token in child.subtree:
            if token.i in name_tokens or token.dep_ in ("det", "punct"):
                continue
            if token.ent_type_ in ("NORP", "GPE"):
                affiliation.append(token.text)
            else:
                role_words.append(token)
    role_words.extend(t for t in name if t.i not in name_tokens and t.lower_ not in HONORIFICS)
    for child in head.rights:
        if child.dep_ == "appos" and child.pos_ in ("NOUN", "PROPN"):
            # "X, a military analyst at the Institute,": role words, and where from
            role_words.extend(
                t
                for t in head.doc[child.left_edge.i : child.i + 1]
                if t.dep_ not in ("det", "punct", "poss", "case") and t.pos_ != "NUM"
            )
            affiliation.extend(_appos_affiliation(child))
    role = " ".join(t.text for t in sorted(role_words, key=lambda t: t.i)) or None
    official = any(t.lower_ in OFFICIAL_TITLES for t in role_words)
    canonical = " ".join(
        t.text for t in name if t.i in name_tokens and t.dep_ != "case" and not t.is_punct
    )
    return SourceInfo(
        canonical or name.text,
        "named_official" if official else "named_person",
        role=role,
        affiliation=" ".join(affiliation) or None,
    )


def _appos_affiliation(appos: Any) -> list[str]:
    for prep in appos.children:
        if prep.dep_ == "prep" and prep.lower_ in ("at", "of", "with", "for", "from"):
            for obj in prep.children:
                if obj.dep_ == "pobj":
                    return [_strip_det(appos.doc[obj.left_edge.i : obj.right_edge.i + 1].text)]
    return []


def _pronoun(span: Any, registry: Registry) -> SourceInfo:
    """The nearest earlier compatible source within a few sentences, speakers first: in
    "A told officers that B had left. She said ...", "she" is A, who was speaking."""
    word = span.root.lower_
    sentence = registry.sentence(span.root)
    wanted = NAMED_TYPES if word in PERSON_PRONOUNS or word in ("his", "hers") else None
    if word in GROUP_PRONOUNS or word == "their":
        wanted = frozenset({"official_body", "outlet", "anonymous", "organization"})
    gender = _GENDER.get(word)
    if wanted is not None:
        near = [
            e
            for e in registry.before(span.start_char)
            if sentence - e.sentence <= PRONOUN_WINDOW and e.info.source_type in wanted
        ]
        near = [e for e in near if _gender_fits(registry, e, gender)]
        for entry in [e for e in near if e.speaker] + near:
            if gender:
                registry.pronouns.setdefault(entry.info.canonical, set()).add(gender)
            return replace(
                entry.info,
                resolved_from=span.text,
                antecedent=(entry.start, entry.end),
                unresolved=False,
            )
    return SourceInfo(span.text, "anonymous", resolved_from=span.text, unresolved=True)


_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}


def _gender_fits(registry: Registry, entry: _Entry, gender: str | None) -> bool:
    """A name already called 'she' is not 'he' (and the other way round)."""
    used = registry.pronouns.get(entry.info.canonical, set())
    return gender is None or not used or gender in used


def _is_definite(head: Any) -> bool:
    dets = [t for t in head.children if t.dep_ == "det"]
    return bool(dets) and dets[0].lower_ in ("the", "this", "that")


def _marked_anonymous(span: Any) -> bool:
    """Anonymity said anywhere in the phrase, its relative clause included ('a spokesperson,
    who asked not to be named')."""
    head = span.root
    lowered = head.doc[head.left_edge.i : head.right_edge.i + 1].text.lower()
    return any(marker in lowered for marker in ANONYMITY_MARKERS)


def _description(span: Any, registry: Registry) -> SourceInfo | None:
    """'the expert', 'the analyst': the nearest earlier named source with a compatible role."""
    head = span.root
    if not _is_definite(head):
        return None
    role_class = ROLE_CLASSES.get(head.lemma_.lower())
    if role_class is None:
        return None
    sentence = registry.sentence(head)
    for entry in registry.before(span.start_char):
        if sentence - entry.sentence > DESCRIPTION_WINDOW:
            break
        role = (entry.info.role or "").lower().split()
        if entry.info.source_type in NAMED_TYPES and any(
            ROLE_CLASSES.get(w) == role_class or w == head.lower_ for w in role
        ):
            return replace(
                entry.info,
                resolved_from=span.text,
                antecedent=(entry.start, entry.end),
                unresolved=False,
            )
    return None


# --- outlets, documents, anonymous and official sources ------------------------------------


def outlet_in(span: Any) -> str | None:
    """The lexicon outlet named in ``span`` (canonical spelling), else an ORG entity that
    reads like a news outlet ("the Daily Courier")."""
    text = " " + span.text + " "
    lowered = text.lower()
    for key, name in OUTLETS.items():
        if _outlet_matches(key, name, text, lowered):
            return name
    for label, ent in entities_within(span):
        if label == "ORG" and any(w.lower() in OUTLET_WORDS for w in ent.text.split()):
            return str(ent.text)
    return None


def _outlet_matches(key: str, name: str, text: str, lowered: str) -> bool:
    exact = len(name) <= 3 or key in _CASE_SENSITIVE or name.islower()
    haystack, needle = (text, name) if exact else (lowered, key)
    at = haystack.find(needle)
    while at != -1:
        before, after = haystack[at - 1], haystack[at + len(needle) : at + len(needle) + 1]
        if not before.isalnum() and not (after.isalnum() or after == "-"):
            return True
        at = haystack.find(needle, at + 1)
    return False


def _outlet(span: Any, outlet: str) -> SourceInfo:
    """'TASS journalists' -> canonical 'TASS journalists', outlet TASS; 'Ria Novosti' ->
    'RIA Novosti'."""
    head = span.root
    canonical = outlet
    role = None
    if head.lemma_.lower() in STAFF_NOUNS:
        role = head.text
        canonical = f"{outlet} {head.text}"
    return SourceInfo(canonical, "outlet", role=role, outlet=outlet)


def _is_documents(span: Any) -> bool:
    return _document_word(span.root) or (
        span.root.pos_ == "NOUN" and _document_noun(span) is not None
    )


def _document_word(token: Any) -> bool:
    """'classified documents', 'restricted intelligence'; not 'intelligence officials'."""
    lemma = token.lemma_.lower()
    if lemma == "intelligence":
        return bool({t.lower_ for t in token.lefts} & DOCUMENT_ADJECTIVES)
    return lemma in DOCUMENT_NOUNS


def _document_noun(span: Any) -> Any | None:
    """'Privileged access to classified documents': the document noun the phrase leads to."""
    for token in span:
        if token.dep_ == "pobj" and _document_word(token):
            return token
    return None


def _documents_name(span: Any) -> str:
    noun = span.root if _document_word(span.root) else _document_noun(span)
    noun = noun if noun is not None else span.root
    first = noun.left_edge.i
    doc = span.doc
    words = [t for t in doc[first : noun.i + 1] if t.dep_ not in ("det", "punct")]
    return " ".join(t.text for t in words) or span.text


def _anonymous(span: Any) -> SourceInfo:
    head = span.root
    return SourceInfo(
        _strip_det(span.text),
        "anonymous",
        role=None if head.lemma_.lower() == "source" else head.lemma_.lower(),
        affiliation=_affiliation_words(span, head),
    )


def _affiliation_words(span: Any, head: Any) -> str | None:
    """'confidential Russian law enforcement sources' -> 'Russian law enforcement';
    'a source close to the Kremlin' -> 'the Kremlin'."""
    words = [
        t
        for t in head.doc[head.left_edge.i : head.i]
        if t.lower_ not in ANONYMITY_QUALIFIERS
        and t.dep_ not in ("det", "nummod", "punct", "poss", "case", "quantmod")
        and t.pos_ != "NUM"
    ]
    if words:
        return " ".join(t.text for t in words)
    for prep in (t for t in head.subtree if t.dep_ == "prep"):
        inside = prep.lower_ in ("in", "within", "at", "inside", "from", "for")
        if inside or (prep.lower_ == "to" and prep.head.lower_ == "close"):
            objs = [c for c in prep.children if c.dep_ == "pobj"]
            if objs:
                return _strip_det(head.doc[objs[0].left_edge.i : objs[0].right_edge.i + 1].text)
    return None


def _official_body(span: Any) -> SourceInfo | None:
    head = span.root
    lemma = head.lemma_.lower()
    text = _strip_det(span.text)
    if head.pos_ == "PROPN" and (head.ent_type_ == "GPE" or _known_place(span)):
        return SourceInfo(text, "official_body")  # "Moscow says": the government
    lowered = f" {span.text.lower()} "
    org_words = any(f" {w} " in lowered for w in OFFICIAL_ORG_WORDS)
    if (
        lemma in OFFICIAL_BODY_NOUNS
        or lemma == "intelligence"
        or (org_words and (head.ent_type_ == "ORG" or head.pos_ == "PROPN"))
    ):
        return SourceInfo(text, "official_body", affiliation=_nationality(span))
    if lemma in OUTLET_NOUNS or head.lower_ in OUTLET_NOUNS:
        return SourceInfo(text, "outlet")  # "local media": an unnamed outlet
    return None


def _known_place(span: Any) -> bool:
    """A country or city the gazetteer knows, for the places the recogniser misses
    ("While Kyiv seeks support": spaCy's small model tags no entity there)."""
    from narrascope.claims.places import resolve

    words = [t for t in span if t.pos_ == "PROPN"]
    if not words:
        return False
    record = resolve(span.doc[words[0].i : words[-1].i + 1].text)
    return record is not None and record.get("kind") in ("country", "city")


def _nationality(span: Any) -> str | None:
    words = [t.text for t in span if t.ent_type_ in ("NORP", "GPE") and t.i != span.root.i]
    return " ".join(words) or None


def _strip_det(text: str) -> str:
    words = text.split()
    while words and words[0].lower() in DETERMINERS:
        words = words[1:]
    return " ".join(words) or text
