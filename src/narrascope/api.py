"""Library entry points: what the CLI (and later the web API) call.

>>> from narrascope.api import analyze_text
>>> doc = analyze_text("Officials said on Monday that ...")
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

from narrascope.document import Document, Metadata
from narrascope.ingest import InputError, Item, ReadOptions, read_inputs
from narrascope.pipeline import Pipeline


@cache
def _cached_pipeline(names: tuple[str, ...] | None) -> Pipeline:
    return Pipeline.from_names(names)


def get_pipeline(stages: Iterable[str] | None = None) -> Pipeline:
    """A pipeline of the named stages (default: all), built once per process and reused."""
    return _cached_pipeline(tuple(stages) if stages is not None else None)


def analyze_document(doc: Document, stages: Iterable[str] | None = None) -> Document:
    return get_pipeline(stages)(doc)


def analyze_text(
    text: str,
    title: str = "",
    stages: Iterable[str] | None = None,
    meta: Metadata | None = None,
) -> Document:
    if not text.strip():
        raise InputError(meta.source if meta else "<text>", "empty input (only whitespace)")
    return analyze_document(Document(text, title, meta or Metadata(source="<text>")), stages)


def analyze_inputs(
    target: str,
    stages: Iterable[str] | None = None,
    options: ReadOptions | None = None,
    batch_size: int = 16,
) -> Iterator[Item]:
    """Analysed documents, and InputErrors for inputs that could not be read, in input order."""
    pipeline = get_pipeline(stages)
    batch: list[Document] = []
    for item in read_inputs(target, options):
        if isinstance(item, InputError):
            yield from pipeline.run(batch)
            batch = []
            yield item
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            yield from pipeline.run(batch)
            batch = []
    yield from pipeline.run(batch)
