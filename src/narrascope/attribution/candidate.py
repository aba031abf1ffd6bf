"""An attribution candidate: who (source), through which words (cue), said what (content)."""

from __future__ import annotations

from dataclasses import dataclass

Offsets = tuple[int, int]


def offsets_overlap(a: Offsets | None, b: Offsets | None) -> bool:
    """Whether two optional character ranges share at least one character."""
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True)
class Candidate:
    """One attribution found in a text; offsets are characters into the parsed text.

    ``content_parts`` is set only when the content is discontinuous (a quote interrupted by
    its source and cue: ``"X," he said, "Y"``); ``content`` is then the extent from the first
    part's start to the last part's end. ``form`` says what found it (``"tagger"``, or a rule
    name), ``score`` how sure it is (0-1).
    """

    source: Offsets | None
    cue: Offsets | None
    content: Offsets | None
    form: str = "tagger"
    score: float = 1.0
    content_parts: tuple[Offsets, ...] = ()

    def content_fragments(self) -> tuple[Offsets, ...]:
        """The content as fragments: its parts when discontinuous, else the one span."""
        if self.content_parts:
            return self.content_parts
        return (self.content,) if self.content is not None else ()
