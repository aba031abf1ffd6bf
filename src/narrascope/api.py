"""Library entry points: what the CLI (and later the web API) call.

>>> from narrascope.api import analyze_text
>>> doc = analyze_text("Officials said on Monday that ...")
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
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
    jobs: int = 1,
) -> Iterator[Item]:
    """Analysed documents, and InputErrors for inputs that could not be read, in input order.

    With ``jobs > 1`` batches are analysed in that many worker processes (each loads the models
    once); results still come back in input order.
    """
    names = tuple(stages) if stages is not None else None
    batches = _batches(read_inputs(target, options), batch_size)
    if jobs <= 1:
        for items in batches:
            yield from _merge(items, get_pipeline(names).run(_documents(items)))
    else:
        yield from _run_parallel(names, batches, jobs)


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Groups of ``size`` documents, each with the input errors met while filling it."""
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(_documents(batch)) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _documents(items: list[Item]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def _merge(items: list[Item], analysed: list[Document]) -> Iterator[Item]:
    """The batch in input order: errors where they were, analysed documents in their place."""
    done = iter(analysed)
    for item in items:
        yield item if isinstance(item, InputError) else next(done)


def _analyze_in_worker(names: tuple[str, ...] | None, docs: list[Document]) -> list[Document]:
    analysed = get_pipeline(names).run(docs)
    for doc in analysed:
        doc.cache.clear()  # parser objects stay in the worker; they are large to send back
    return analysed


def _run_parallel(
    names: tuple[str, ...] | None, batches: Iterator[list[Item]], jobs: int
) -> Iterator[Item]:
    with ProcessPoolExecutor(max_workers=jobs) as executor:
        in_flight: deque[tuple[list[Item], Future[list[Document]]]] = deque()
        for items in batches:
            in_flight.append((items, executor.submit(_analyze_in_worker, names, _documents(items))))
            if len(in_flight) > jobs:  # keep every worker busy, but read no further ahead
                done_items, future = in_flight.popleft()
                yield from _merge(done_items, future.result())
        while in_flight:
            done_items, future = in_flight.popleft()
            yield from _merge(done_items, future.result())
