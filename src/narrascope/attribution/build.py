"""From candidates to typed attributions with citation chains.

Candidate finding (rules now, perhaps a tagger later) is kept apart from what is built on the
candidates: each chain mention is typed and resolved (``sourcetypes``), an outlet the source
told ("told RIA Novosti") joins the chain, reported speech inside another attribution's content
(a quotation or a reported clause) is nested under it (its chain continues through the
outer source), and a
named source whose channel the article gives once ("shared with RIA Novosti by X") keeps that
channel for its other statements, marked ``via_inherited``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from narrascope.attribution.rules import Candidate, Offsets
from narrascope.attribution.sourcetypes import (
    NAMED_TYPES,
    Registry,
    SourceInfo,
    register_people,
    type_mention,
)

FIRST_PERSON = frozenset({"i", "we", "me", "us"})


@dataclass
class Mention:
    start: int
    end: int
    info: SourceInfo


@dataclass
class Attribution:
    """One candidate with its typed chain: ``chain[0]`` is the original source, the rest are
    intermediaries in order towards this article (the article itself is implicit)."""

    candidate: Candidate
    chain: list[Mention] = field(default_factory=list)
    nested_in: int | None = None  # index of the attribution whose quotation holds this one
    via_inherited: bool = False

    @property
    def source(self) -> Mention | None:
        return self.chain[0] if self.chain else None

    @property
    def via(self) -> list[Mention]:
        return self.chain[1:]

    @property
    def source_type(self) -> str:
        return self.chain[0].info.source_type if self.chain else "unsourced"


def build_attributions(spacy_doc: Any, candidates: Sequence[Candidate]) -> list[Attribution]:
    """Type, resolve, nest and chain ``candidates`` (in text order) for one parsed article."""
    registry = Registry.for_doc(spacy_doc)
    register_people(spacy_doc, registry)
    typed: dict[Offsets, SourceInfo] = {}
    built = []
    for candidate in sorted(candidates, key=lambda c: c.cue or c.content or (0, 0)):
        chain = [_mention(spacy_doc, o, registry, typed) for o in candidate.chain]
        for offsets in candidate.audience:
            heard = _mention(spacy_doc, offsets, registry, typed)
            if heard.info.source_type == "outlet":
                chain.append(heard)
        built.append(Attribution(candidate, _dedupe(chain)))
    _nest(built)
    _inherit_channels(built)
    return built


def _mention(
    spacy_doc: Any, offsets: Offsets, registry: Registry, typed: dict[Offsets, SourceInfo]
) -> Mention:
    if offsets not in typed:
        info = type_mention(spacy_doc, offsets[0], offsets[1], registry)
        typed[offsets] = info
        if not info.unresolved:
            span = spacy_doc.char_span(offsets[0], offsets[1], alignment_mode="expand")
            sentence = registry.sentence(span.root) if span is not None and len(span) else 0
            registry.add(offsets[0], offsets[1], sentence, info, speaker=True)
    return Mention(offsets[0], offsets[1], typed[offsets])


def _dedupe(chain: list[Mention]) -> list[Mention]:
    """'X told X's outlet': one node per canonical name, first occurrence kept."""
    seen: set[str] = set()
    out = []
    for mention in chain:
        key = mention.info.canonical.lower()
        if key not in seen:
            seen.add(key)
            out.append(mention)
    return out


def _nest(built: list[Attribution]) -> None:
    """Reported speech inside another attribution's content, quoted or not, is that source's
    report, not the article's: 'the minister said X', quoted by Ivanov, or "According to TASS,
    the commander said X", reaches the article through Ivanov or TASS. Each such attribution
    hangs under the innermost content holding its cue, and its chain continues the outer one."""
    for i, inner in enumerate(built):
        inner.nested_in = _innermost_holder(built, i)
    done: set[int] = set()

    def chain_of(i: int) -> list[Mention]:
        inner = built[i]
        if i in done or inner.nested_in is None:
            return inner.chain
        done.add(i)  # before recursing: a cycle of contents cannot loop
        outer_chain = chain_of(inner.nested_in)
        if _first_person(inner):  # '"I told them X," she said': she told them X
            inner.chain = list(outer_chain)
        else:
            inner.chain = _dedupe(inner.chain + outer_chain)
        return inner.chain

    for i in range(len(built)):
        chain_of(i)


def _innermost_holder(built: list[Attribution], i: int) -> int | None:
    cue = built[i].candidate.cue
    own = built[i].candidate.content
    own_size = own[1] - own[0] if own else 0
    best: tuple[int, int] | None = None
    for j, outer in enumerate(built):
        content = outer.candidate.content
        if j == i or cue is None or content is None:
            continue
        size = content[1] - content[0]
        holds = content[0] <= cue[0] and cue[1] <= content[1] and size > own_size
        if holds and (best is None or size < best[0]):
            best = (size, j)
    return best[1] if best else None


def _first_person(attribution: Attribution) -> bool:
    source = attribution.source
    return source is not None and source.info.canonical.lower() in FIRST_PERSON


def _inherit_channels(built: list[Attribution]) -> None:
    """A named source's outlet channel, given once, applies to its other statements too
    (the article learned them the same way); quoting speakers are not such channels."""
    channels: dict[str, list[Mention]] = {}
    for attribution in built:
        source = attribution.source
        if (
            source
            and source.info.source_type in NAMED_TYPES
            and attribution.via
            and attribution.nested_in is None
            and all(m.info.source_type == "outlet" for m in attribution.via)
        ):
            channels.setdefault(source.info.canonical, attribution.via)
    for attribution in built:
        source = attribution.source
        if source is None or attribution.via or attribution.nested_in is not None:
            continue
        inherited = channels.get(source.info.canonical)
        if inherited:
            attribution.chain = [source, *inherited]
            attribution.via_inherited = True
