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
cue is inside quotation marks) and ``finder`` ("rules", or "tagger" for what only the PolNeAR
tagger found; see ``merge_candidates``).
``layer.data``: ``chains``, ``sources``, ``profile``, ``explanations``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from narrascope.attribution.build import Attribution, Mention, build_attributions
from narrascope.attribution.candidate import Candidate as BaseCandidate
from narrascope.attribution.candidate import offsets_overlap
from narrascope.attribution.profile import chains, profile, sources
from narrascope.attribution.rules import FIRST_PERSON, find_rule_attributions
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
            candidates = merge_candidates(
                find_rule_attributions(parsed), _tagger().tag(parsed), parsed
            )
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
    from narrascope.attribution.tagger import shipped_tagger

    return shipped_tagger()


def _rule_spans(cand: BaseCandidate) -> list[tuple[int, int]]:
    spans = [cand.source, cand.cue, cand.content, *cand.content_parts]
    if isinstance(cand, RuleCandidate):
        spans += [cand.relay_cue, *cand.chain, *cand.audience]
    return [s for s in spans if s is not None]


def _is_statement(spacy_doc: Any, cand: BaseCandidate) -> bool:
    """Whether a tagger candidate attributes a proposition to a third party.

    The tagger follows PolNeAR's broad notion of attribution; here its content must hold a
    verb (a claim, not "knew the area well") and its source must not be "I"/"we" (first-person
    opinions are hedges, not sources).
    """
    assert cand.content is not None and cand.source is not None
    source = spacy_doc.char_span(*cand.source, alignment_mode="expand")
    content = spacy_doc.char_span(*cand.content, alignment_mode="expand")
    if source is None or content is None or source.text.lower() in FIRST_PERSON:
        return False
    return any(t.pos_ in ("VERB", "AUX") for t in content)


def merge_candidates(
    ruled: Sequence[RuleCandidate], tagged: Sequence[BaseCandidate], spacy_doc: Any
) -> list[RuleCandidate]:
    """The rule candidates, plus the tagger's that attribute something the rules missed.

    The rules come first because they know chains, audiences, quotation and negation; the
    PolNeAR tagger adds recall on forms the rules do not cover. A tagger candidate counts only
    when it is complete (source, cue and content: sourceless ones were mostly noise on news
    prose, e.g. "revealing cracks in ...") and none of its spans touches a span of a rule
    candidate, so one attribution (or its "citing" relay) is never reported twice.
    """
    taken = [span for r in ruled for span in _rule_spans(r)]
    merged = list(ruled)
    for cand in tagged:
        if cand.content is None or cand.cue is None or cand.source is None:
            continue
        if any(offsets_overlap(mine, theirs) for mine in _rule_spans(cand) for theirs in taken):
            continue
        if not _is_statement(spacy_doc, cand):
            continue
        merged.append(
            RuleCandidate(
                cand.source,
                cand.cue,
                cand.content,
                form="tagger",
                score=cand.score,
                content_parts=cand.content_parts,
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
            finder="tagger" if cand.form == "tagger" else "rules",
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
