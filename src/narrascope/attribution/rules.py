"""Attribution candidates from spaCy dependency rules (English).

``find_rule_attributions(spacy_doc)`` returns one ``Candidate`` per attribution the rules
find: verb cues with a clause, quote, colon, "as" description or object as content (direct,
indirect and mixed quotes; passives with an agent; agentless "it was reported that", "is
believed to"), "according to X", "X, citing Y, reported", agentless adverbs ("reportedly") and
nominal cues with a source ("statements made by X", "Russia's claims of ...").

Candidates hold character offsets only, so another finder (e.g. a learned tagger) can produce
the same type and the relation builder (``narrascope.attribution.build``) types, resolves and
chains them whatever their origin. ``source`` is the source mention as written (what PolNeAR
annotates); ``chain`` lists the mentions the content passed through, from the original source
to the last intermediary before this article ("TASS journalists, citing sources": sources,
then TASS journalists).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from narrascope.attribution.candidate import Candidate as BaseCandidate
from narrascope.attribution.layout import layout_attributions
from narrascope.attribution.lexicon import (
    AGENTLESS_ADVERBS,
    AS_VERBS,
    AUTHOR_VERBS,
    CITING_LEMMAS,
    COGNITION_VERBS,
    CUE_VERBS,
    NOMINAL_CUES,
    NOT_SOURCE_PRONOUNS,
    OBJECT_CONTENT_VERBS,
    OBTAIN_VERBS,
    RELATIVE_PRONOUNS,
    SAY_VERBS,
    SHARE_VERBS,
    SOURCE_NOUNS,
)

Offsets = tuple[int, int]

# Verbs whose passive with an infinitive reports hearsay: "is said/believed to have fled".
RAISING_VERBS = frozenset(
    {"say", "report", "believe", "claim", "think", "expect", "allege", "know", "understand",
     "rumour", "rumor", "suppose", "estimate", "consider", "suspect", "fear"}
)  # fmt: skip
# Right-hand children that end a source noun phrase ("Putin, who ...").
CLAUSE_DEPS = frozenset({"relcl", "appos", "advcl", "parataxis", "punct", "cc", "conj"})
OPENING_QUOTES = {"“": "”", "«": "»", '"': '"', "‘": "’", "„": "“"}
# Scores: how often each rule is right in our reading of dev articles (a ranking, not a
# calibrated probability); a tagger merged later can be weighed against them.
SCORES = {
    "verb": 0.9,
    "according_to": 0.9,
    "passive": 0.85,
    "agentless": 0.75,
    "adverb": 0.7,
    "nominal": 0.6,
    # layout forms (narrascope.attribution.layout): a quotation signed with a dash, a
    # speaker's name and a colon (opening a paragraph, or before a quotation)
    "dash": 0.85,
    "colon": 0.8,
    # "statements made by X" with no stated content: a source, but no claim to check
    "nominal_without_content": 0.4,
}
# "I think", "we believe": the speaker's own hedge, not a new source.
FIRST_PERSON = frozenset({"i", "we"})


@dataclass(frozen=True)
class Candidate(BaseCandidate):
    """A rule's attribution: the shared candidate fields plus what the rules know of the chain."""

    form: str
    score: float
    # From the original source to the last intermediary before this article.
    chain: tuple[Offsets, ...] = ()
    # Whom the source told ("told RIA Novosti"): a channel when it is an outlet.
    audience: tuple[Offsets, ...] = ()
    # The cue sits inside a quotation: reported speech within someone else's words.
    nested: bool = False
    quotation: str = "none"  # "direct" | "mixed" | "none"
    negated: bool = False  # "has not acknowledged": the source is said NOT to claim it
    relay_cue: Offsets | None = None  # "citing", "quoting": how the speaker relays the origin
    # What found it: "rules", "tagger" (the PolNeAR tagger alone) or "both" (a rule's
    # attribution with the tagger's spans; see ``stages.attributions.merge_candidates``).
    finder: str = "rules"


def find_rule_attributions(spacy_doc: Any) -> list[Candidate]:
    """All rule candidates in a parsed spaCy ``Doc``, in text order, without duplicates."""
    quotes = quotation_spans(spacy_doc.text)
    found: list[Candidate] = []
    seen_cues: set[Offsets] = set()
    for sent in spacy_doc.sents:
        for candidate in _sentence_candidates(sent, quotes):
            if candidate.cue in seen_cues:
                continue
            seen_cues.add(candidate.cue)  # type: ignore[arg-type]
            found.append(_with_quotes(candidate, quotes))
    for form, source, cue, content in layout_attributions(spacy_doc):
        if cue not in seen_cues:
            layout = Candidate(source, cue, content, form, SCORES[form], chain=(source,))
            found.append(_with_quotes(layout, quotes))
    found = _trailing_according_to_as_channel(found, spacy_doc.text)
    found.sort(key=lambda c: c.cue or (0, 0))
    return found


def _trailing_according_to_as_channel(found: list[Candidate], text: str) -> list[Candidate]:
    """ "X said Y, according to TASS": TASS relays X's statement (X -> TASS -> this article).

    The parser often hangs a closing "according to Z" inside the reported clause, which would
    make Z a source quoted by X. When it closes another attribution's content, it is instead
    that attribution's channel: the content is cut before it and Z joins the chain. An
    "according to" inside the content ("X said that, according to Z, ...") stays nested.
    """
    out = list(found)
    for acc in found:
        if acc.form != "according_to" or acc.cue is None or acc.source is None:
            continue
        for k, outer in enumerate(out):
            content = outer.content
            if outer is acc or content is None or outer.source is None:
                continue
            closes = content[0] < acc.cue[0] and not text[acc.source[1] : content[1]].strip()
            if not closes:
                continue
            cut = acc.cue[0]
            while cut > content[0] and (text[cut - 1].isspace() or text[cut - 1] in ",;—–-"):
                cut -= 1
            out[k] = replace(outer, content=(content[0], cut), chain=(*outer.chain, acc.source))
            out.remove(acc)
            break
    return out


def _sentence_candidates(sent: Any, quotes: list[Offsets]) -> list[Candidate]:
    out: list[Candidate] = []
    claimed_verbs: set[int] = set()
    for token in sent:
        if token.lower_ == "according":
            cand = _according_to(token)
            if cand is not None:
                out.append(cand)
        elif token.pos_ == "VERB" and token.lemma_.lower() in CUE_VERBS:
            cand = _verb_cue(token, quotes)
            if cand is not None:
                out.append(cand)
                claimed_verbs.add(token.i)
    for token in sent:
        if token.lower_ in AGENTLESS_ADVERBS and token.dep_ == "advmod":
            cand = _agentless_adverb(token, claimed_verbs)
            if cand is not None:
                out.append(cand)
        elif token.pos_ == "NOUN" and token.lemma_.lower() in NOMINAL_CUES:
            cand = _nominal_cue(token)
            if cand is not None:
                out.append(cand)
    return out


# --- spans ---------------------------------------------------------------------------------


def _chars(doc: Any, first: int, last: int) -> Offsets | None:
    """Character offsets of tokens first..last (inclusive), trimmed of punctuation that is
    not a quotation mark."""
    while first <= last and _trimmable(doc[first]):
        first += 1
    while last >= first and _trimmable(doc[last]):
        last -= 1
    if first > last:
        return None
    return doc[first].idx, doc[last].idx + len(doc[last].text)


def _trimmable(token: Any) -> bool:
    return token.is_space or (token.is_punct and not token.is_quote and token.text not in "()")


def subtree_offsets(token: Any) -> Offsets | None:
    return _chars(token.doc, token.left_edge.i, token.right_edge.i)


def phrase_offsets(token: Any) -> Offsets | None:
    """The noun phrase headed by ``token`` without relative clauses, appositions or asides."""
    last = token.i
    for child in token.rights:
        if child.dep_ == "case":
            break  # "Russia’s": the possessive marker is not part of the name
        if child.dep_ in CLAUSE_DEPS or any(t.is_punct for t in token.doc[last + 1 : child.i]):
            break
        last = child.right_edge.i
    return _chars(token.doc, token.left_edge.i, last)


def speaker_offsets(token: Any, cue: Any) -> Offsets | None:
    """The source as PolNeAR-style annotation marks it: the whole noun phrase with its
    apposition or relative clause, and the comma that closes them ('X, a Trump ally,');
    just the noun phrase when the cue sits inside it ('Putin, who has highlighted')."""
    doc = token.doc
    if token.left_edge.i <= cue.i <= token.right_edge.i:
        return phrase_offsets(token)
    first, last = token.left_edge.i, token.right_edge.i
    while last > token.i and doc[last].text == ",":
        last -= 1  # a comma the parse hangs on the name closes nothing: 'Mr. Kamin, said'
    opened = any(t.text == "," for t in doc[token.i + 1 : last + 1])
    if opened and last + 1 < len(doc) and doc[last + 1].text == ",":
        last += 1
    span = _chars(doc, first, last)
    if span is not None and doc[last].text == ",":
        span = (span[0], doc[last].idx + 1)
    return span


def _cue_offsets(verb: Any) -> Offsets:
    """The verb group: 'has been described', 'was reported', 'pointed out'; an adverb in
    between ('has repeatedly claimed') ends it, so the cue stays 'claimed'."""
    doc = verb.doc
    group = {c.i for c in verb.children if c.dep_ in ("aux", "auxpass", "neg", "prt")}
    first = verb.i
    while first - 1 in group and doc[first - 1].lower_ != "to":
        first -= 1
    last = verb.i
    while last + 1 in group:
        last += 1
    return doc[first].idx, doc[last].idx + len(doc[last].text)


# --- verb cues -----------------------------------------------------------------------------


def _verb_cue(verb: Any, quotes: list[Offsets]) -> Candidate | None:
    if verb.dep_ in ("amod", "compound") or verb.ent_type_:
        return None  # "the said agreement"; a verb swallowed by a name or headline
    content = _verb_content(verb) or _adjacent_quote(verb, quotes) or _as_clause(verb)
    if content is None:
        return None
    passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)
    speaker = _agent(verb) if passive else _subject(verb)
    if speaker is None and not passive:
        return None  # no speaker and no passive: an imperative or a fragment
    if speaker is not None and not _speaks(speaker, verb):
        return None  # "it seems", "the incident underscores": no one speaks
    if speaker is not None and speaker.lower_ in FIRST_PERSON and lemma_of(verb) in COGNITION_VERBS:
        return None  # "I think ...": a hedge of whoever speaks, not an attribution
    chain = source_chain(speaker) if speaker is not None else ()
    citing = _cited(verb)
    relay_cue = None
    if citing is not None:
        chain = (*source_chain(citing), *chain)
        relay_cue = (citing.head.idx, citing.head.idx + len(citing.head.text))
    if speaker is None:
        form = "agentless"
    elif passive:
        form = "passive"
    else:
        form = "verb"
    return Candidate(
        source=speaker_offsets(speaker, verb) if speaker is not None else None,
        cue=_cue_offsets(verb),
        content=content,
        form=form,
        score=SCORES[form],
        chain=chain,
        audience=_audience(verb),
        negated=any(c.dep_ == "neg" for c in verb.children),
        relay_cue=relay_cue,
    )


def lemma_of(token: Any) -> str:
    return str(token.lemma_).lower()


def _speaks(speaker: Any, verb: Any) -> bool:
    if verb.lemma_.lower() in SAY_VERBS:
        return speaker.lower_ == "it" or speaker.lower_ not in NOT_SOURCE_PRONOUNS
    return plausible_source(speaker)


def _adjacent_quote(verb: Any, quotes: list[Offsets]) -> Offsets | None:
    """'"...," the note says' and 'said, "..."': the quotation touching the cue clause."""
    if verb.lemma_.lower() not in SAY_VERBS:
        return None
    clause_start = verb.left_edge.idx
    verb_end = verb.idx + len(verb.text)
    for q_start, q_end in quotes:
        if 0 <= clause_start - q_end <= 3 or 0 <= q_start - verb_end <= 3:
            return q_start, q_end
    return None


def _as_clause(verb: Any) -> Offsets | None:
    """'As Crane said, the two have become ...': the clause the as-clause hangs from."""
    if verb.dep_ != "advcl" or not any(
        c.dep_ == "mark" and c.lower_ == "as" for c in verb.children
    ):
        return None
    return _clause_without(verb, verb.left_edge.i, verb.right_edge.i)


def _verb_content(verb: Any) -> Offsets | None:
    """What the verb reports: a clause, the text after a colon, an 'as' description, an
    infinitive (passive hearsay) or, for announce-type verbs, the object."""
    lemma = verb.lemma_.lower()
    children = list(verb.children)
    for child in children:
        if child.dep_ == "ccomp" and not _is_empty_clause(child):
            return subtree_offsets(child)
    colon = _colon_after(verb)
    if colon is not None:
        return _chars(verb.doc, colon + 1, verb.sent.end - 1)
    for child in children:
        if child.dep_ == "xcomp" and lemma in RAISING_VERBS and _is_passive(verb):
            return subtree_offsets(child)
    if lemma in COGNITION_VERBS and lemma not in OBJECT_CONTENT_VERBS:
        return None  # "knew the area": cognition verbs report only clauses
    for child in children:
        if child.dep_ == "prep" and child.lower_ == "as" and lemma in AS_VERBS:
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return subtree_offsets(objects[0])
    if lemma == "call":
        return _call_content(verb)
    if lemma in OBJECT_CONTENT_VERBS:
        for child in children:
            if child.dep_ == "dobj" and child.lower_ not in RELATIVE_PRONOUNS:
                return subtree_offsets(child)
            if child.dep_ in ("xcomp", "pcomp") and child.tag_ == "VBG":
                return subtree_offsets(child)  # "denied targeting civilians"
    if verb.dep_ == "parataxis" and _subject(verb) is not None:
        return _parataxis_content(verb)
    return None


def _call_content(verb: Any) -> Offsets | None:
    """'called for a ceasefire' (the demand) and 'called the vote a sham' (the label)."""
    children = list(verb.children)
    for child in children:
        if child.dep_ == "prep" and child.lower_ == "for":
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return subtree_offsets(objects[0])
    objects = [c for c in children if c.dep_ == "dobj"]
    labels = [c for c in children if c.dep_ in ("oprd", "xcomp", "ccomp") and c.i > verb.i]
    if objects and labels:
        return _chars(verb.doc, objects[0].left_edge.i, labels[0].right_edge.i)
    return None


def _is_empty_clause(clause: Any) -> bool:
    """'He said so', 'said nothing': a clause slot with no reported content."""
    return clause.lower_ in ("so", "nothing")


def _is_passive(verb: Any) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)


def _colon_after(verb: Any) -> int | None:
    """Index of a colon right after the verb or after its object ('uncovered a pattern: ...')."""
    doc = verb.doc
    end = verb.i
    for child in verb.children:
        if child.dep_ in ("dobj", "prt") and child.i > verb.i:
            end = max(end, _phrase_end(child))
    nxt = end + 1
    if nxt < verb.sent.end - 1 and doc[nxt].text == ":":
        return nxt
    return None


def _phrase_end(token: Any) -> int:
    last = token.i
    for child in token.rights:
        if child.is_punct:
            break
        last = child.right_edge.i
    return last


def _parataxis_content(verb: Any) -> Offsets | None:
    """'The bridge fell, he said.': the head clause on the other side of the speaker."""
    head = verb.head
    doc = verb.doc
    if verb.i > head.i:
        return _chars(doc, head.left_edge.i, verb.left_edge.i - 1)
    return _chars(doc, verb.right_edge.i + 1, head.right_edge.i)


def _subject(verb: Any) -> Any | None:
    """The speaker of an active cue: its subject, the antecedent of 'who', or the subject of
    the verb it is coordinated with or hangs from ('He smiled and said', 'adding that')."""
    for child in verb.children:
        if child.dep_ in ("nsubj", "csubj"):
            if child.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                return verb.head
            return child
    inverted = [c for c in verb.rights if c.dep_ in ("dobj", "nsubj")]
    if inverted and any(c.dep_ == "ccomp" and c.i < verb.i for c in verb.children):
        return inverted[0]  # "'...,' added a New Hampshire Democrat"
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
        if verb.dep_ == "advcl" and verb.tag_ != "VBG":
            return None  # "as reported", "when asked": not a participle of the same speaker
        for child in verb.head.children:
            if child.dep_ == "nsubj":
                return child
    return None


def _agent(verb: Any) -> Any | None:
    for child in verb.children:
        if child.dep_ == "agent":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return obj
    return None


def _cited(verb: Any) -> Any | None:
    """'X, citing Y, reported': Y, on whose word X reports."""
    for child in verb.children:
        if child.lemma_.lower() in CITING_LEMMAS and child.dep_ in ("advcl", "prep", "xcomp"):
            for obj in child.children:
                if obj.dep_ in ("dobj", "pobj"):
                    return obj
    return None


def _audience(verb: Any) -> tuple[Offsets, ...]:
    """Whom the speaker told: 'told RIA Novosti', 'in an interview with TASS', 'said to X'."""
    out: list[Offsets | None] = []
    for child in verb.children:
        if child.dep_ == "advcl" and child.lemma_.lower() in ("speak", "talk", "write"):
            out.extend(  # "Speaking to RT, X said"
                phrase_offsets(p)
                for w in child.children
                if w.dep_ == "prep" and w.lower_ in ("to", "with")
                for p in w.children
                if p.dep_ == "pobj"
            )
        if child.dep_ in ("dobj", "dative") and verb.lemma_.lower() in ("tell", "inform"):
            out.append(phrase_offsets(child))
        elif child.dep_ == "prep" and child.lower_ in ("to", "in"):
            for obj in child.children:
                if obj.dep_ != "pobj":
                    continue
                if child.lower_ == "to":
                    out.append(phrase_offsets(obj))
                else:  # "in an interview with X"
                    out.extend(
                        phrase_offsets(p)
                        for w in obj.children
                        if w.dep_ == "prep" and w.lower_ in ("with", "to")
                        for p in w.children
                        if p.dep_ == "pobj"
                    )
    return tuple(o for o in out if o is not None)


def source_chain(noun: Any) -> tuple[Offsets, ...]:
    """The mentions behind a source noun phrase, original first.

    'intelligence shared with R by M' -> (M, R); 'documents seen by R' -> (documents, R);
    'a report published by X' -> (X,); otherwise the noun phrase itself.
    """
    own = phrase_offsets(noun)
    for clause in (c for c in noun.children if c.dep_ == "acl"):
        lemma = clause.lemma_.lower()
        agents = [p for a in clause.children if a.dep_ == "agent" for p in a.children]
        agents = [p for p in agents if p.dep_ == "pobj"]
        receivers = [
            p
            for prep in clause.children
            if prep.dep_ == "prep" and prep.lower_ in ("with", "to")
            for p in prep.children
            if p.dep_ == "pobj"
        ]
        if lemma in AUTHOR_VERBS and agents:
            return source_chain(agents[0])
        if lemma in SHARE_VERBS and agents:
            chain = [phrase_offsets(agents[0]), *(phrase_offsets(r) for r in receivers)]
            return tuple(c for c in chain if c is not None)
        if lemma in OBTAIN_VERBS and agents and own is not None:
            head_only = _chars(noun.doc, noun.left_edge.i, noun.i)
            chain = [head_only, phrase_offsets(agents[0])]
            return tuple(c for c in chain if c is not None)
    return (own,) if own is not None else ()


def plausible_source(token: Any) -> bool:
    """Whether a noun phrase head can be someone's (or some document's) word."""
    if token.pos_ == "PRON":
        return token.lower_ not in NOT_SOURCE_PRONOUNS
    if token.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or token.pos_ == "PROPN":
        return True
    # "access to classified documents": a source noun anywhere in the phrase
    return any(t.lemma_.lower() in SOURCE_NOUNS for t in token.subtree)


# --- according to, adverbs, nominal cues ---------------------------------------------------


def _according_to(token: Any) -> Candidate | None:
    doc = token.doc
    if token.i + 1 >= token.sent.end or doc[token.i + 1].lower_ != "to":
        return None
    to = doc[token.i + 1]
    objects = [c for c in (*to.children, *token.children) if c.dep_ == "pobj"]
    if not objects:
        return None
    source = objects[0]
    phrase_first, phrase_last = token.i, source.right_edge.i
    content = _clause_without(token, phrase_first, phrase_last)
    if content is None:
        return None
    return Candidate(
        source=subtree_offsets(source),
        cue=(token.idx, to.idx + len(to.text)),
        content=content,
        form="according_to",
        score=SCORES["according_to"],
        chain=source_chain(source),
    )


def _clause_without(token: Any, first: int, last: int) -> Offsets | None:
    """The clause an 'according to' phrase modifies, minus the phrase: the longer side."""
    head = token.head
    while head.dep_ not in ("ROOT", "ccomp", "conj", "relcl", "advcl") and head.head is not head:
        head = head.head
    clause_first, clause_last = head.left_edge.i, head.right_edge.i
    sent = token.sent
    clause_first, clause_last = max(clause_first, sent.start), min(clause_last, sent.end - 1)
    before = (clause_first, first - 1)
    after = (last + 1, clause_last)
    side = after if after[1] - after[0] >= before[1] - before[0] else before
    return _chars(token.doc, *side)


def _agentless_adverb(adverb: Any, claimed: set[int]) -> Candidate | None:
    """'X has reportedly funneled resources': the clause, on nobody's named word."""
    verb = adverb.head
    if verb.i in claimed:
        return None  # "X reportedly said": the verb rule has the speaker
    content = subtree_offsets(verb)
    if content is None:
        return None
    return Candidate(
        source=None,
        cue=(adverb.idx, adverb.idx + len(adverb.text)),
        content=content,
        form="agentless",
        score=SCORES["adverb"],
    )


def _nominal_cue(noun: Any) -> Candidate | None:
    """'statements made by X', "Russia's claims of peacekeeping", 'a statement from X'."""
    if noun.dep_ in ("nsubj", "nsubjpass") and noun.head.lemma_.lower() in CUE_VERBS:
        return None  # "The statement says ...": the verb rule reads it as a source
    speaker = _nominal_speaker(noun)
    if speaker is None or not plausible_source(speaker):
        return None
    content = _nominal_content(noun)
    return Candidate(
        source=speaker_offsets(speaker, noun),
        cue=(noun.idx, noun.idx + len(noun.text)),
        content=content,
        form="nominal",
        score=SCORES["nominal" if content else "nominal_without_content"],
        chain=source_chain(speaker),
    )


def _nominal_speaker(noun: Any) -> Any | None:
    for child in noun.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "acl":
            agent = _agent(child)
            if agent is not None:
                return agent
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.pos_ in ("PROPN", "NOUN", "PRON"):
                    return obj
    return None


def _nominal_content(noun: Any) -> Offsets | None:
    for child in noun.children:
        if child.dep_ in ("acl", "ccomp") and any(
            c.dep_ == "mark" and c.lower_ == "that" for c in child.children
        ):
            return subtree_offsets(child)
        if child.dep_ == "prep" and child.lower_ in ("of", "about", "on", "that"):
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return subtree_offsets(objects[0])
    return None


# --- quotations ----------------------------------------------------------------------------


def quotation_spans(text: str) -> list[Offsets]:
    """Quoted stretches (marks included) within one paragraph: “...”, "...", «...», ''...'',
    and ‘...’ when the closing ’ is not an apostrophe inside a word."""
    spans: list[Offsets] = []
    i = 0
    n = len(text)
    while i < n:
        if text.startswith("''", i):  # typewriter doubles, as in some wire copy: ''...''
            j = text.find("''", i + 2)
            if j != -1 and "\n" not in text[i:j]:
                spans.append((i, j + 2))
                i = j + 2
                continue
        ch = text[i]
        close = OPENING_QUOTES.get(ch)
        if close is None or (ch == "‘" and i + 1 < n and not text[i + 1].isalnum()):
            i += 1
            continue
        j = i + 1
        while j < n and text[j] != "\n":
            if text[j] == close and not (close == "’" and j + 1 < n and text[j + 1].isalpha()):
                break
            j += 1
        if j < n and text[j] == close:
            spans.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return spans


def _with_quotes(candidate: Candidate, quotes: list[Offsets]) -> Candidate:
    """Extend content to a quotation it sits in, mark direct/mixed quotes and nesting."""
    content = candidate.content
    quotation = "none"
    cue = candidate.cue
    nested = cue is not None and any(q[0] < cue[0] and cue[1] <= q[1] for q in quotes)
    if content is not None and not nested:
        for q_start, q_end in quotes:
            inside = q_start <= content[0] + 1 and content[1] <= q_end + 1
            if inside and content[0] < q_end and q_start < content[1]:
                content = (min(content[0], q_start), max(content[1], q_end))
                quotation = "direct"
                break
            if content[0] <= q_start and q_end <= content[1] + 1:
                quotation = "mixed"
    return Candidate(
        source=candidate.source,
        cue=candidate.cue,
        content=content,
        form=candidate.form,
        score=candidate.score,
        chain=candidate.chain,
        audience=candidate.audience,
        nested=nested,
        quotation=quotation,
        negated=candidate.negated,
        relay_cue=candidate.relay_cue,
    )
