"""Shared pieces of the stage speed benchmarks (``bench/*_speed.py``, ``bench/bench_*.py``).

Each benchmark reads real articles from ../shared (never copied into the repo), parses them with
the base stages (untimed), warms the timed stages on one article, times them over batches and
prints one JSON object. Run a benchmark as ``python bench/NAME.py``: its folder is then on
``sys.path``, so ``import common`` finds this module.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrascope.paths import SHARED_DATA

if TYPE_CHECKING:
    from narrascope.document import Document
    from narrascope.pipeline import Stage

DEFAULT_ARTICLES = SHARED_DATA / "ptc" / "train-articles"
BASE = ("language", "structure", "linguistic")
BATCH = 16


def parse_args(
    doc: str | None,
    *,
    n: int = 50,
    option: str = "--articles",
    default: Path = DEFAULT_ARTICLES,
    more: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """``--n`` (how many articles to time) and ``option`` (the folder they are read from);
    ``more`` adds a bench's own options."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0].strip())
    parser.add_argument("--n", type=int, default=n, help=f"articles to time (default {n})")
    parser.add_argument(option, type=Path, default=default, help=f"folder (default {default})")
    if more is not None:
        more(parser)
    return parser.parse_args()


def load_texts(folder: Path, n: int, pattern: str = "article*.txt") -> list[str]:
    """The first ``n`` files matching ``pattern`` in ``folder`` (sorted), or exit saying why."""
    files = sorted(folder.glob(pattern))[:n]
    if len(files) < n:
        raise SystemExit(
            f"bench: need {n} articles ({pattern}) in {folder}, found {len(files)}; "
            "pass a folder that has them, or a smaller --n"
        )
    return [f.read_text(encoding="utf-8") for f in files]


def parsed_documents(texts: Iterable[str], base: Sequence[str] = BASE) -> list[Document]:
    """English documents of ``texts``, run through the ``base`` stages (untimed)."""
    from narrascope.document import Document, Metadata
    from narrascope.pipeline import Pipeline

    docs = [
        Document(t, meta=Metadata(source=f"bench-{i}", language="en")) for i, t in enumerate(texts)
    ]
    return Pipeline.from_names(base).run(docs)


def load_stages(names: Iterable[str]) -> list[Stage]:
    from narrascope.pipeline import load_stage

    return [load_stage(name) for name in names]


def time_stages(
    stages: Sequence[Stage], warm: Sequence[Document], docs: Sequence[Document], batch: int = BATCH
) -> dict[str, float]:
    """Seconds each stage takes over ``docs`` in batches of ``batch``, after a run on ``warm``.

    Within a batch the stages run in order, so a later stage sees the earlier ones' layers.
    """
    for stage in stages:
        stage(list(warm))
    seconds = {stage.name: 0.0 for stage in stages}
    for i in range(0, len(docs), batch):
        chunk = list(docs[i : i + batch])
        for stage in stages:
            start = time.perf_counter()
            chunk = stage(chunk)
            seconds[stage.name] += time.perf_counter() - start
    return seconds


def time_parse(texts: Sequence[str], warm: str, batch: int = BATCH) -> float:
    """Seconds of the spaCy parse alone (as the linguistic stage runs it) over ``texts``."""
    from narrascope.stages.linguistic import spacy_english

    nlp = spacy_english()
    nlp(warm)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch):
        pass
    return time.perf_counter() - start


def timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """``fn(*args)`` and the seconds it took."""
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def word_count(texts: Iterable[str]) -> int:
    return sum(len(t.split()) for t in texts)


def machine(load: bool = False) -> str:
    text = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    return f"{text}, load {os.getloadavg()[0]:.1f}" if load else text


def rates(articles: int, words: int, seconds: float) -> dict[str, float]:
    """Articles/s, words/s and 600-word articles/s (the unit of the issues' speed targets)."""
    return {
        "articles_per_s": round(articles / seconds, 1),
        "words_per_s": round(words / seconds),
        "articles_of_600_words_per_s": round(words / seconds / 600, 1),
    }


def report(fields: dict[str, Any], indent: int | None = 2) -> None:
    """Print the benchmark's one JSON object."""
    print(json.dumps(fields, indent=indent))
