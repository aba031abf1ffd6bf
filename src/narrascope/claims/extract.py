"""One English sentence -> one structured claim record (offsets into the article text).

The claim's predicate is the clause that carries the content: when the sentence wraps it in a
reporting frame ("X reported that Y deserted", "X uncovered a pattern: Y deserted"), the
reported clause, not the reporting verb, is what a fact-checker checks. The frame's speaker is
kept as ``reporting`` so that a claim read without the sourcing stage still shows who speaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from narrascope.attribution.lexicon import REPORTING_LEMMAS
from narrascope.claims.hedges import find_hedges, is_negated
from narrascope.claims.places import STRONG_EVIDENCE, find_places
from narrascope.claims.quantities import find_quantities
from narrascope.claims.times import find_times

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
OBJECT_DEPS = ("dobj", "attr", "dative", "oprd", "acomp")
# Prepositions whose object is what the action is directed at ("funnelled money into X").
OBJECT_PREPOSITIONS = {"into", "against", "for", "on", "onto", "upon", "with", "about"}
NOT_OBJECT_ENTITIES = {"GPE", "LOC", "FAC", "DATE", "TIME"}
# Children that extend a noun phrase to the right without leaving it.
PHRASE_RIGHT_DEPS = {"compound", "flat", "nummod", "prep", "pobj", "conj", "cc", "case", "amod"}


def _has_subject(token: Any) -> bool:
    return any(c.dep_ in SUBJECT_DEPS for c in token.children)


def _is_reporting(token: Any) -> bool:
    return token.lemma_.lower() in REPORTING_LEMMAS


def _reporting_ancestor(token: Any) -> Any | None:
    for ancestor in token.ancestors:
        if ancestor.pos_ in ("VERB", "AUX") and _is_reporting(ancestor):
            return ancestor
    return None


def choose_predicate(sent: Any) -> tuple[Any | None, Any | None]:
    """The content predicate of a sentence and the reporting verb that frames it, if any."""
    verbs = [t for t in sent if t.pos_ in ("VERB", "AUX") and _has_subject(t)]
    for verb in verbs:
        if verb.dep_ == "relcl":
            continue  # "X, which occurred ..., was described as": background, not content
        frame = _reporting_ancestor(verb)
        if frame is not None and not _is_reporting(verb):
            return verb, frame
    root = sent.root
    if root.pos_ in ("VERB", "AUX"):
        return _raised(root), None
    return (verbs[0] if verbs else None), None


def _raised(verb: Any) -> Any:
    """'X is believed/said/reported to have fled': the content verb is the infinitive."""
    if not _is_reporting(verb):
        return verb
    for child in verb.children:
        if child.dep_ == "xcomp" and child.pos_ == "VERB":
            return child
    return verb


def phrase(token: Any) -> Any:
    """The noun phrase headed by ``token`` (a spaCy span), without clauses or asides."""
    start_token = token.left_edge
    end_token = token
    for child in token.rights:
        if child.dep_ not in PHRASE_RIGHT_DEPS or (
            child.i != end_token.i + 1 and not _adjacent(end_token, child)
        ):
            break
        if child.is_punct:
            break
        end_token = child.right_edge
    return token.doc[start_token.i : end_token.i + 1]


def _adjacent(end_token: Any, child: Any) -> bool:
    """True when only plain words (no dash, comma, parenthesis) lie between two tokens."""
    between = end_token.doc[end_token.i + 1 : child.i]
    return not any(t.is_punct for t in between)


def _mention(doc: Any, token: Any) -> dict[str, Any]:
    # Span.text, never Doc.text: the latter rebuilds the whole article string on every call.
    span = phrase(token)
    return {"text": span.text, "start": span.start_char, "end": span.end_char}


def actors_and_objects(predicate: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Who acts and what is acted on; a passive subject is an object, its agent an actor."""
    doc = predicate.doc
    actors: list[dict[str, Any]] = []
    objects: list[dict[str, Any]] = []
    clause = [
        predicate,
        *(
            c
            for c in predicate.children
            if c.dep_ in ("xcomp", "conj") and c.pos_ in ("VERB", "AUX") and not _has_subject(c)
        ),
    ]
    if predicate.dep_ == "xcomp" and not _has_subject(predicate):
        # Raised subject: "The commander is believed to have fled" -> the commander fled.
        actors.extend(
            _mention(doc, c) for c in predicate.head.children if c.dep_ in ("nsubj", "nsubjpass")
        )
    for verb in clause:
        for child in verb.children:
            if child.dep_ in ("nsubj", "csubj") and verb is predicate:
                actors.append(_mention(doc, child))
            elif child.dep_ == "nsubjpass" or child.dep_ in OBJECT_DEPS:
                objects.append(_mention(doc, child))
            elif child.dep_ == "agent":
                actors.extend(_mention(doc, c) for c in child.children if c.dep_ == "pobj")
            elif child.dep_ == "prep" and child.lower_ in OBJECT_PREPOSITIONS:
                objects.extend(_prepositional_object(doc, child))
            elif child.dep_ == "advcl" and _is_purpose(child):
                span = doc[child.left_edge.i : child.right_edge.i + 1]
                objects.append({"text": span.text, "start": span.start_char, "end": span.end_char})
    return actors, objects


def _is_purpose(verb: Any) -> bool:
    """'(working) to mitigate the fallout': an infinitive clause of purpose."""
    return verb.pos_ == "VERB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _prepositional_object(doc: Any, prep: Any) -> list[dict[str, Any]]:
    """'into infrastructure projects', 'against civilians': the target of the action, unless
    it is a place or a time (those have their own fields)."""
    out = []
    for pobj in prep.children:
        if pobj.dep_ != "pobj" or pobj.ent_type_ in NOT_OBJECT_ENTITIES:
            continue
        span = phrase(pobj)
        out.append({"text": doc[prep.i : span.end].text, "start": prep.idx, "end": span.end_char})
    return out


def predicate_record(predicate: Any) -> dict[str, Any]:
    """The verb group: auxiliaries, negation, particles and the verb, e.g. 'had deserted'."""
    parts = [c for c in predicate.children if c.dep_ in ("aux", "auxpass", "neg", "prt")]
    parts.append(predicate)
    xcomps = [c for c in predicate.children if c.dep_ == "xcomp" and c.pos_ == "VERB"]
    if predicate.lemma_ == "be" and xcomps:
        parts.extend([*(c for c in xcomps[0].children if c.dep_ == "aux"), xcomps[0]])
    parts.sort(key=lambda t: t.i)
    start = parts[0].idx
    end = parts[-1].idx + len(parts[-1].text)
    words = " ".join(t.text for t in parts)
    return {"text": words, "lemma": predicate.lemma_.lower(), "start": start, "end": end}


def according_to(sent: Any) -> dict[str, Any] | None:
    """'According to X, ...': the source named by the phrase, as a reporting frame."""
    for token in sent:
        if token.lower_ == "according" and token.i + 1 < sent.end:
            to = token.doc[token.i + 1]
            objects = [c for c in (*to.children, *token.children) if c.dep_ == "pobj"]
            if to.lower_ == "to" and objects:
                speaker, via = _source_of(objects[0])
                return {
                    "verb": "according to",
                    "start": token.idx,
                    "end": to.idx + len(to.text),
                    "speaker": speaker,
                    "via": via,
                    "citing": [],
                }
    return None


def _source_of(noun: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """'intelligence shared with X by Y': Y is the speaker and X the channel; otherwise the
    noun itself ("according to the governor")."""
    doc = noun.doc
    for clause in (c for c in noun.children if c.dep_ == "acl"):
        agents = [
            p for a in clause.children if a.dep_ == "agent" for p in a.children if p.dep_ == "pobj"
        ]
        if agents:
            via = [
                _mention(doc, p)
                for prep in clause.children
                if prep.dep_ == "prep" and prep.lower_ in ("with", "to")
                for p in prep.children
                if p.dep_ == "pobj"
            ]
            return _mention(doc, agents[0]), via
    return _mention(doc, noun), []


def reporting_frame(frame: Any | None) -> dict[str, Any] | None:
    """The in-sentence reporting verb and its speaker ("TASS journalists ... reported")."""
    if frame is None:
        return None
    speakers = [c for c in frame.children if c.dep_ in ("nsubj", "agent")]
    speaker = None
    if speakers:
        head = speakers[0]
        if head.dep_ == "agent":
            objs = [c for c in head.children if c.dep_ == "pobj"]
            head = objs[0] if objs else head
        speaker = _mention(frame.doc, head)
    # "TASS journalists, citing confidential sources, reported": whom the speaker relies on.
    citing = [
        _mention(frame.doc, obj)
        for clause in frame.children
        if clause.dep_ == "advcl" and clause.lemma_.lower() in ("cite", "quote")
        for obj in clause.children
        if obj.dep_ == "dobj"
    ]
    return {
        "verb": frame.text,
        "start": frame.idx,
        "end": frame.idx + len(frame.text),
        "speaker": speaker,
        "via": [],
        "citing": citing,
    }


def extract_claim(
    sent: Any,
    reference: datetime | None,
    known_places: frozenset[str] = frozenset(),
    ents: Sequence[Any] | None = None,
) -> dict[str, Any]:
    """The structured claim of one spaCy sentence span (``ents``: its entities, if known)."""
    ents = list(sent.ents) if ents is None else ents
    predicate, frame = choose_predicate(sent)
    actors, objects = actors_and_objects(predicate) if predicate is not None else ([], [])
    return {
        "actors": actors,
        "predicate": predicate_record(predicate) if predicate is not None else None,
        "objects": objects,
        "quantities": find_quantities(sent),
        "places": find_places(sent, known_places, ents),
        "times": find_times(sent, reference, ents),
        "negated": is_negated(predicate),
        "hedges": find_hedges(sent),
        "reporting": reporting_frame(frame) or according_to(sent),
    }


def entities_in(ents: Sequence[Any], sent: Any) -> list[Any]:
    """The entities (from one ``Doc.ents`` call) that lie inside ``sent``."""
    return [e for e in ents if sent.start <= e.start and e.end <= sent.end]


def article_places(sents: Any, ents: Sequence[Any] | None = None) -> frozenset[str]:
    """Lower-cased names read as places anywhere in the article (first pass)."""
    return frozenset(
        p["text"].lower()
        for sent in sents
        for p in find_places(sent, ents=None if ents is None else entities_in(ents, sent))
        if p["evidence"] in STRONG_EVIDENCE
    )
