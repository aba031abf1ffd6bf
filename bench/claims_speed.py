"""Speed of the check-worthiness and claims stages alone (the spaCy parse is not counted).

    PYTHONPATH=src .venv/bin/python bench/claims_speed.py --n 50

Reads real articles from ../shared/data/ptc/train-articles (never copied into the repo), parses
them with the base stages first (untimed), warms the models on one article, then times each of
the two stages over batches of 16. Prints one JSON object: seconds per stage, articles/s and
words/s, and the rate in 600-word articles (words/s / 600), the unit of the issue's target.
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
TIMED = ["checkworthiness", "claims"]


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
    stages = [load_stage(name) for name in TIMED]
    warm, docs = docs[:1], docs[1:]
    for stage in stages:
        stage(warm)
    seconds = dict.fromkeys(TIMED, 0.0)
    for i in range(0, len(docs), 16):
        batch = docs[i : i + 16]
        for stage in stages:
            start = time.perf_counter()
            stage(batch)
            seconds[stage.name] += time.perf_counter() - start
    words = sum(len(d.text.split()) for d in docs)
    sentences = sum(len(d.sentences) for d in docs)
    total = sum(seconds.values())
    report = {
        "articles": len(docs),
        "words": words,
        "sentences": sentences,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "stage_seconds": {k: round(v, 3) for k, v in seconds.items()},
        "stage_articles_per_s": {k: round(len(docs) / v, 1) for k, v in seconds.items()},
        "both_stages": {
            "seconds": round(total, 3),
            "articles_per_s": round(len(docs) / total, 1),
            "words_per_s": round(words / total),
            "sentences_per_s": round(sentences / total),
            "articles_of_600_words_per_s": round(words / total / 600, 1),
        },
        "claims_found": sum(len(d.layers["claims"].spans) for d in docs if "claims" in d.layers),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
