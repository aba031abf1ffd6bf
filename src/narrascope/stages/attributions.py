"""Sourcing: who says so, what kind of source it is, and the chain it came through.

Runs after ``checkworthiness`` (whose sentences the sourcing profile covers when it ran) and
before ``claims`` (which links each claim to the attribution covering it). English only; reads
the spaCy parse that the linguistic stage keeps in ``doc.cache["spacy"]``.

Layer ``attributions``: spans labelled ``source`` (attrs: canonical, source_type, role,
affiliation, outlet, resolved_from, antecedent, unresolved), ``cue`` and ``content``; relations
labelled ``attribution`` with args ``source`` (the original source; absent for agentless
forms), ``cue``, ``content`` (absent for a nominal cue without stated content) and
``relay_cue`` ("citing", when an intermediary relays the source), and attrs
``form``, ``quotation``, ``negated``, ``source_type``, ``via`` (intermediary names, original side first),
``via_spans``, ``via_inherited``, ``speaker`` (the stated source span as written),
``nested_in`` (relation id of the attribution whose content holds it), ``in_quotation`` (its
cue is inside quotation marks) and ``finder`` ("rules", "tagger" for what only the PolNeAR
tagger found, "both" for a rule attribution with the tagger's spans; see ``merge_candidates``).
``layer.data``: ``chains``, ``sources``, ``profile``, ``explanations``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from narrascope.attribution.build import Attribution, Mention, build_attributions
from narrascope.attribution.candidate import Candidate as BaseCandidate
from narrascope.attribution.candidate import offsets_overlap
from narrascope.attribution.lexicon import COGNITION_VERBS
from narrascope.attribution.profile import chains, profile, sources
from narrascope.attribution.rules import FIRST_PERSON, find_rule_attributions, lemma_of
from narrascope.attribution.rules import Candidate as RuleCandidate
from narrascope.document import Document, Layer
from narrascope.pipeline import Stage
from narrascope.report import register_explanations

LAYER = "attributions"
EXPLANATIONS = {
    "source": "Who the text says the information comes from: a person, an official, an "
    "outlet, an official body, an unnamed source or documents (see its type and chain).",
    "cue": "The words that mark the attribution: 'said', 'according to', 'citing', "
    "'reportedly', 'statements made by'.",
    "content": "What the source is said to have claimed.",
}
register_explanations(LAYER, EXPLANATIONS)


class AttributionsStage(Stage):
    name = "attributions"
    requires = ("sentences", "tokens", "entities")
    provides = ("attributions",)
    languages = frozenset({"en"})

    def predict(self, docs: Sequence[Document]) -> list[list[Attribution] | None]:
        out: list[list[Attribution] | None] = []
        for doc in docs:
            parsed = doc.cache.get("spacy")
            if parsed is None:
                out.append(None)
                continue
            tagged, cue_probs = _tagger().tag_with_cue_probs(parsed)
            candidates = merge_candidates(find_rule_attributions(parsed), tagged, parsed, cue_probs)
            out.append(build_attributions(parsed, candidates))
        return out

    def set_annotations(self, docs: Sequence[Document], predictions: Sequence[Any]) -> None:
        for doc, built in zip(docs, predictions, strict=True):
            if built is None:
                doc.warn("attributions skipped: no English parse in doc.cache['spacy']")
                continue
            layer = doc.layer(LAYER)
            write_attributions(layer, built)
            layer.data["chains"] = chains(layer)
            layer.data["sources"] = sources(doc, layer)
            layer.data["profile"] = profile(doc, layer)
            layer.data["explanations"] = dict(EXPLANATIONS)


def _tagger() -> Any:
    from narrascope.attribution.neural import shipped_mixed_tagger

    return shipped_mixed_tagger()


# Rule forms kept when the tagger found no cue there: they carry sourcing a reader needs
# ("reportedly", "are believed to", "according to X", passives) and the PolNeAR tagger has
# few examples of them. Other rule-only cues (mostly verbs of saying or thinking inside quotes
# or first-person hedges) were wrong by PolNeAR 4 times out of 5 on dev, so the tagger's
# cue probability decides for them.
RULE_FORMS_KEPT = frozenset({"agentless", "according_to", "passive", "dash", "colon"})
# A rule-only cue survives when the tagger gives it at least this. 0.3 since the MiniLM mix
# (dev stage mean F1 0.7650 against 0.7646 at 0.5, 0.7648 at 0.4, 0.7641 at 0.2); it also keeps
# "Marochko uncovered ..." (0.35) on the example article.
TAGGER_VETO = 0.3


def _cue_prob(spacy_doc: Any, cue_probs: Sequence[float], cue: tuple[int, int]) -> float:
    span = spacy_doc.char_span(*cue, alignment_mode="expand")
    return max((cue_probs[t.i] for t in span), default=0.0) if span is not None else 0.0


def _holds(outer: tuple[int, int] | None, inner: tuple[int, int] | None) -> bool:
    return outer is not None and inner is not None and outer[0] <= inner[0] < inner[1] <= outer[1]


def _nested_cues(rule: RuleCandidate, ruled: Sequence[RuleCandidate]) -> list[tuple[int, int]]:
    """Cues of other rule candidates inside this one's content: speech it reports."""
    return [r.cue for r in ruled if r is not rule and r.cue and _holds(rule.content, r.cue)]


def _keeps_rule(
    spacy_doc: Any, cand: RuleCandidate, cue_probs: Sequence[float] | None, veto: float
) -> bool:
    """Whether a rule candidate no tagger cue matched is kept (see ``RULE_FORMS_KEPT``):
    one with a chain or relay ("citing") is, others need the tagger's cue probability."""
    if cand.form in RULE_FORMS_KEPT or cand.relay_cue is not None or len(cand.chain) > 1:
        return True
    if cue_probs is None or cand.cue is None:
        return True
    return _cue_prob(spacy_doc, cue_probs, cand.cue) >= veto


def _shared_with_nested(
    rule: RuleCandidate,
    tagged: BaseCandidate,
    ruled: Sequence[RuleCandidate],
    others: Sequence[BaseCandidate],
) -> bool:
    """Whether the tagger gave this cue the content of a cue that the rule's content holds
    ("According to X, officials said that ...": both cues got "that ..."), which would cut
    the reported speech out of the outer attribution."""
    nested = _nested_cues(rule, ruled)
    return any(
        o is not tagged
        and o.content == tagged.content
        and any(offsets_overlap(o.cue, cue) for cue in nested)
        for o in others
    )


def _with_tagger_spans(
    rule: RuleCandidate,
    tagged: BaseCandidate,
    ruled: Sequence[RuleCandidate],
    others: Sequence[BaseCandidate],
    spacy_doc: Any,
) -> RuleCandidate:
    """The rule's attribution (chain, audience, quotation, negation) with the tagger's source,
    cue and content, which follow PolNeAR's span conventions ("has not publicly
    acknowledged", "who" for a relative clause's speaker). The rule's content stays when the
    tagger has none, when the tagger's runs over its own cue, when it would lose speech the
    rule's content reports ("According to X, officials said ...": the nesting is the rules'
    knowledge), when it is split other than around a quotation's cue ("It || that ..."), and
    when it shares no character with the rule's content: then the two finders disagree on what
    was attributed, and the tagger's grouping, which may reach into the next sentence, is the
    weaker evidence ("According to X, A. || Marochko uncovered B." must not give X's cue B)."""
    fills: dict[str, Any] = {"cue": tagged.cue, "finder": "both"}
    if tagged.source is not None:
        fills["source"] = tagged.source
    parts = tagged.content_fragments()
    if (
        parts
        and not any(offsets_overlap(part, tagged.cue) for part in parts)
        and not _shared_with_nested(rule, tagged, ruled, others)
        and (len(parts) == 1 or all(_quoted(spacy_doc.text, p) for p in parts))
        and _agrees(rule.content_fragments(), parts)
    ):
        fills.update(content=tagged.content, content_parts=tagged.content_parts)
    return replace(rule, **fills)


def _agrees(rule_parts: Sequence[tuple[int, int]], tagger_parts: Sequence[tuple[int, int]]) -> bool:
    """True when the rule has no content or the two contents share a character."""
    if not rule_parts:
        return True
    return any(offsets_overlap(a, b) for a in rule_parts for b in tagger_parts)


QUOTE_MARKS = "\"“”‘’'«»"


def _quoted(text: str, part: tuple[int, int]) -> bool:
    piece = text[part[0] : part[1]].strip()
    return len(piece) > 1 and piece[0] in QUOTE_MARKS and piece[-1] in QUOTE_MARKS + ",."


def _claimed_spans(cand: RuleCandidate) -> list[tuple[int, int]]:
    """Spans that make a tagger cue a duplicate: the rule's source, cues and chain."""
    spans = [cand.source, cand.cue, cand.relay_cue, *cand.chain, *cand.audience]
    return [s for s in spans if s is not None]


def _adds(spacy_doc: Any, cand: BaseCandidate) -> bool:
    """Whether a tagger candidate the rules did not find is added: it needs a cue (a
    content or source alone says nothing about who claims what) and a source or content (a
    bare cue says nothing either: "The said agreement"), and a cognition verb needs a clause
    ("knew the area well" is no claim) and a speaker other than "I"/"we" ("I think" hedges
    the speaker's own words), as for the rules."""
    if cand.cue is None or (cand.source is None and cand.content is None):
        return False
    cue = spacy_doc.char_span(*cand.cue, alignment_mode="expand")
    if cue is None or not any(lemma_of(t) in COGNITION_VERBS for t in cue):
        return True
    source = spacy_doc.char_span(*cand.source, alignment_mode="expand") if cand.source else None
    if source is not None and source.text.lower() in FIRST_PERSON:
        return False
    content = spacy_doc.char_span(*cand.content, alignment_mode="expand") if cand.content else None
    return content is not None and any(t.pos_ in ("VERB", "AUX") for t in content)


def merge_candidates(
    ruled: Sequence[RuleCandidate],
    tagged: Sequence[BaseCandidate],
    spacy_doc: Any,
    cue_probs: Sequence[float] | None = None,
    veto: float = TAGGER_VETO,
) -> list[RuleCandidate]:
    """One list of attributions from the rules and the PolNeAR tagger.

    - A rule candidate whose cue overlaps a tagger cue is one attribution found twice: it
      keeps what the rules know (chain, audience, quotation, negation) and takes the tagger's
      spans (``finder: "both"``).
    - A rule candidate the tagger did not find is kept for the forms in ``RULE_FORMS_KEPT``,
      for a chain or relay ("citing"), and otherwise only when the tagger gives its cue a
      probability of at least ``veto`` (``cue_probs``: per token; without them all are kept).
    - A tagger candidate the rules did not find is added (``finder: "tagger"``, its source
      as the chain) unless its cue touches a kept rule's source, cue or chain (the rules read
      "citing X" as a relay, not a new attribution), its content is a rule's source or a
      kept attribution's content, and
      unless ``_adds`` refuses it (no cue; a cognition verb without a clause or with "I").
    """
    merged: list[RuleCandidate] = []
    used: set[int] = set()
    for rule in ruled:
        twin = next(
            (k for k, t in enumerate(tagged) if k not in used and offsets_overlap(t.cue, rule.cue)),
            None,
        )
        if twin is not None:
            used.add(twin)
            merged.append(_with_tagger_spans(rule, tagged[twin], ruled, tagged, spacy_doc))
        elif _keeps_rule(spacy_doc, rule, cue_probs, veto):
            merged.append(rule)
    claimed = [span for rule in merged for span in _claimed_spans(rule)]
    sources = [span for rule in merged for span in (rule.source, *rule.chain) if span]
    contents = {rule.content for rule in merged if rule.content is not None}
    for k, cand in enumerate(tagged):
        if k in used or not _adds(spacy_doc, cand):
            continue
        if any(offsets_overlap(cand.cue, span) for span in claimed):
            continue
        if any(
            offsets_overlap(part, span) for part in cand.content_fragments() for span in sources
        ):
            continue  # its content is a source the rules read: a grouping slip across sentences
        if cand.content in contents:
            continue  # a second cue for a content both finders gave to another cue
        merged.append(
            RuleCandidate(
                cand.source,
                cand.cue,
                cand.content,
                form="tagger",
                score=cand.score,
                content_parts=cand.content_parts,
                chain=(cand.source,) if cand.source is not None else (),
                finder="tagger",
            )
        )
    return merged


def write_attributions(layer: Layer, built: Sequence[Attribution]) -> None:
    """Spans (one per distinct offsets and label) and one relation per attribution."""
    ids: dict[tuple[int, int, str], str] = {}

    def span_id(start: int, end: int, label: str, **attrs: Any) -> str:
        key = (start, end, label)
        if key not in ids:
            ids[key] = layer.add_span(start, end, label, **attrs).id
        return ids[key]

    def source_id(mention: Mention) -> str:
        return span_id(mention.start, mention.end, "source", **mention.info.attrs())

    relations = []
    for attribution in built:
        cand = attribution.candidate
        args: dict[str, str] = {}
        if attribution.source is not None:
            args["source"] = source_id(attribution.source)
        if cand.cue is not None:
            args["cue"] = span_id(*cand.cue, "cue")
        if cand.content is not None:
            args["content"] = span_id(*cand.content, "content")
        if cand.relay_cue is not None:  # "citing": a second cue, on the intermediary's side
            args["relay_cue"] = span_id(*cand.relay_cue, "cue")
        relation = layer.add_relation(
            "attribution",
            args,
            cand.score,
            form=cand.form,
            quotation=cand.quotation,
            negated=cand.negated,
            in_quotation=cand.nested,
            source_type=attribution.source_type,
            via=[m.info.canonical for m in attribution.via],
            via_spans=[source_id(m) for m in attribution.via],
            via_inherited=attribution.via_inherited,
            speaker=_speaker(layer, cand.source, ids),
            nested_in=None,
            finder=cand.finder,
        )
        relations.append(relation)
    for attribution, relation in zip(built, relations, strict=True):
        if attribution.nested_in is not None:  # the quoting attribution may come later
            relation.attrs["nested_in"] = relations[attribution.nested_in].id


def _speaker(
    layer: Layer, offsets: tuple[int, int] | None, ids: dict[tuple[int, int, str], str]
) -> dict[str, Any] | None:
    """The source as the sentence states it ('restricted intelligence shared with ... by X'),
    kept for evaluation against PolNeAR-style source spans."""
    if offsets is None:
        return None
    return {"start": offsets[0], "end": offsets[1], "span": ids.get((*offsets, "source"))}
