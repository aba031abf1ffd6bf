"""Speed of the techniques stage alone (the base stages' parse is not counted).

    PYTHONPATH=src .venv/bin/python bench/techniques_speed.py --n 50

Reads real articles from ../shared/data/ptc/train-articles (never copied into the repo), runs
the base stages first (untimed), warms the model on one article, then times the techniques
stage over batches of 16. Prints one JSON object: seconds, articles/s, words/s and the rate in
600-word articles (words/s / 600), the unit of the issue's target (>= 10 on the 2-core machine).
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
BASE = ["language", "structure", "linguistic"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES)
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()

    from narrascope.document import Document, Metadata
    from narrascope.pipeline import Pipeline, load_stage

    files = sorted(args.articles.glob("article*.txt"))[: args.n + 1]
    if len(files) < args.n + 1:
        raise SystemExit(f"bench: need {args.n + 1} articles in {args.articles}")
    texts = [f.read_text(encoding="utf-8") for f in files]
    docs = [
        Document(t, meta=Metadata(source=f"bench-{i}", language="en")) for i, t in enumerate(texts)
    ]
    Pipeline.from_names(BASE).run(docs)
    stage = load_stage("techniques")
    warm, docs = docs[:1], docs[1:]
    stage(warm)
    seconds = 0.0
    for i in range(0, len(docs), 16):
        batch = docs[i : i + 16]
        start = time.perf_counter()
        stage(batch)
        seconds += time.perf_counter() - start
    words = sum(len(d.text.split()) for d in docs)
    report = {
        "articles": len(docs),
        "words": words,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "seconds": round(seconds, 3),
        "articles_per_s": round(len(docs) / seconds, 1),
        "words_per_s": round(words / seconds),
        "articles_of_600_words_per_s": round(words / seconds / 600, 1),
        "spans_found": sum(len(d.layers["techniques"].spans) for d in docs),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
