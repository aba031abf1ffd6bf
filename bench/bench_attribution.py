"""Cost of the attributions (sourcing) stage against the spaCy parse it reads.

    PYTHONPATH=src .venv/bin/python bench/bench_attribution.py --n 50

Reads real articles from ../shared/data/ptc/train-articles (never copied into the repo). Times
the spaCy parse (``en_core_web_sm`` with the project's pipeline, as the linguistic stage runs
it) and, separately, the attributions stage on the parsed documents (after the untimed base and
check-worthiness stages, so the profile is built as in a default run). Both are warmed on one
article first and run over batches of 16. Prints one JSON object; ``ratio`` is stage seconds /
parse seconds (the issue's target: at most 1.5).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

DEFAULT_ARTICLES = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "ptc" / "train-articles"
)
BASE = ["language", "structure", "linguistic", "checkworthiness"]
BATCH = 16


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES)
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()

    from narrascope.document import Document, Metadata
    from narrascope.pipeline import Pipeline
    from narrascope.stages.attributions import AttributionsStage
    from narrascope.stages.linguistic import spacy_english

    files = sorted(args.articles.glob("article*.txt"))[: args.n + 1]
    if len(files) < args.n + 1:
        raise SystemExit(f"bench: need {args.n + 1} articles in {args.articles}")
    texts = [f.read_text(encoding="utf-8") for f in files]
    docs = [
        Document(t, meta=Metadata(source=f"bench-{i}", language="en")) for i, t in enumerate(texts)
    ]
    Pipeline.from_names(BASE).run(docs)
    nlp = spacy_english()
    stage = AttributionsStage()
    nlp(texts[0])
    stage(docs[:1])
    texts, docs = texts[1:], docs[1:]

    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=BATCH):
        pass
    parse_seconds = time.perf_counter() - start

    stage_seconds = 0.0
    for i in range(0, len(docs), BATCH):
        batch = docs[i : i + BATCH]
        start = time.perf_counter()
        stage(batch)
        stage_seconds += time.perf_counter() - start

    words = sum(len(d.text.split()) for d in docs)
    report = {
        "articles": len(docs),
        "words": words,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "parse_seconds": round(parse_seconds, 3),
        "stage_seconds": round(stage_seconds, 3),
        "ratio": round(stage_seconds / parse_seconds, 3),
        "stage_articles_per_s": round(len(docs) / stage_seconds, 1),
        "attributions_found": sum(len(d.layers["attributions"].relations) for d in docs),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
