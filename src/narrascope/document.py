"""The one data model that flows through the pipeline.

A `Document` holds the original text and typed annotation layers. Every span's offsets index
the original `Document.text` (never a normalised copy), so any annotation can be highlighted or
quoted back exactly. Stages add layers; nothing removes or rewrites the text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]


@dataclass
class Span:
    """A labelled stretch of the original text: ``text[start:end]``."""

    start: int
    end: int
    label: str
    score: float | None = None
    id: str = ""
    attrs: JSONDict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span offsets {self.start}..{self.end} for {self.label!r}")

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass
class Relation:
    """A typed link between spans of one layer, e.g. attribution(source, cue, content).

    ``args`` maps a role name to a span id in the same layer.
    """

    label: str
    args: dict[str, str]
    score: float | None = None
    id: str = ""
    attrs: JSONDict = field(default_factory=dict)


@dataclass
class DocLabel:
    """A label for the whole document (e.g. a narrative), with its evidence span ids."""

    label: str
    score: float
    attrs: JSONDict = field(default_factory=dict)


@dataclass
class Layer:
    """One stage's annotations. ``data`` holds derived summaries (profiles, chains)."""

    name: str
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    labels: list[DocLabel] = field(default_factory=list)
    data: JSONDict = field(default_factory=dict)
    # Whether the HTML report highlights this layer's spans in the article (tokens: no).
    display: bool = True
    # span id -> position in ``spans``: ``add_span`` extends it, ``_span_position`` rebuilds it
    # when the list was changed some other way. A layer with thousands of relations would
    # otherwise rescan its spans for each one.
    _positions: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def add_span(
        self,
        start: int,
        end: int,
        label: str,
        score: float | None = None,
        **attrs: Any,
    ) -> Span:
        span = Span(start, end, label, score, id=f"{self.name}-{len(self.spans)}", attrs=attrs)
        self._positions[span.id] = len(self.spans)
        self.spans.append(span)
        return span

    def add_relation(
        self, label: str, args: dict[str, str], score: float | None = None, **attrs: Any
    ) -> Relation:
        missing = [v for v in args.values() if self._span_position(v) is None]
        if missing:
            raise ValueError(
                f"relation {label!r} in layer {self.name!r} names unknown spans {missing}"
            )
        rel = Relation(
            label, dict(args), score, id=f"{self.name}-r{len(self.relations)}", attrs=attrs
        )
        self.relations.append(rel)
        return rel

    def span_by_id(self, span_id: str) -> Span:
        position = self._span_position(span_id)
        if position is None:
            raise KeyError(f"no span {span_id!r} in layer {self.name!r}")
        return self.spans[position]

    def _span_position(self, span_id: str) -> int | None:
        position = self._positions.get(span_id)
        if (
            position is not None
            and position < len(self.spans)
            and self.spans[position].id == span_id
        ):
            return position
        # Spans were added, removed or replaced other than by ``add_span``: rebuild the index.
        self._positions = {span.id: k for k, span in enumerate(self.spans)}
        return self._positions.get(span_id)


@dataclass
class Metadata:
    source: str = ""  # where the text came from: a path, "<stdin>", "file.jsonl:12"
    url: str | None = None
    outlet: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601 date when known
    language: str | None = None  # ISO 639-1 code
    language_confidence: float | None = None
    extra: JSONDict = field(default_factory=dict)


@dataclass
class StageRecord:
    """What happened to a stage on this document: ran, or skipped and why."""

    name: str
    status: str  # "ran" | "skipped"
    reason: str = ""


class Document:
    """An article: original text, title, metadata, annotation layers."""

    def __init__(
        self, text: str, title: str = "", meta: Metadata | None = None, id: str = ""
    ) -> None:
        self.text = text
        self.title = title
        self.meta = meta or Metadata()
        self.id = id or hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        self.layers: dict[str, Layer] = {}
        self.stages: list[StageRecord] = []
        self.warnings: list[str] = []
        # Names that stages have provided on this document (layers and facts like "language").
        self.provided: set[str] = set()
        # In-memory helpers shared between stages (e.g. the spaCy Doc); never serialised.
        self.cache: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Document(id={self.id!r}, chars={len(self.text)}, layers={sorted(self.layers)})"

    def layer(self, name: str, display: bool = True) -> Layer:
        """The layer called ``name``, created empty on first use."""
        if name not in self.layers:
            self.layers[name] = Layer(name, display=display)
        return self.layers[name]

    def has_layer(self, name: str) -> bool:
        return name in self.layers

    def span_text(self, span: Span) -> str:
        return self.text[span.start : span.end]

    @property
    def sentences(self) -> list[Span]:
        return self.layers["sentences"].spans if "sentences" in self.layers else []

    @property
    def paragraphs(self) -> list[Span]:
        return self.layers["paragraphs"].spans if "paragraphs" in self.layers else []

    def spans_in(self, layer: str, container: Span) -> Iterator[Span]:
        """Spans of ``layer`` that lie inside ``container``."""
        if layer not in self.layers:
            return iter(())
        return (s for s in self.layers[layer].spans if container.contains(s))

    def sentence_of(self, offset: int) -> Span | None:
        for sent in self.sentences:
            if sent.start <= offset < sent.end:
                return sent
        return None

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
