"""Cost of the attribution tagger against the spaCy parse it reads, on the same texts.

    PYTHONPATH=src .venv/bin/python bench/attribution_speed.py --n 50

Reads real articles from ../shared/data/ptc/train-articles (never copied into the repo), warms
both models on one article, then times the pipeline's spaCy parse (``en_core_web_sm`` with the
paragraph rule, as the ``linguistic`` stage runs it) and ``shipped_tagger().tag`` on each
article. The issue's budget: the tagger costs at most 1.5 times the parse. Prints one JSON object.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES)
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()

    from narrascope.attribution.tagger import shipped_tagger
    from narrascope.stages.linguistic import spacy_english

    files = sorted(args.articles.glob("article*.txt"))[: args.n + 1]
    if len(files) < args.n + 1:
        raise SystemExit(f"bench: need {args.n + 1} articles in {args.articles}")
    texts = [f.read_text(encoding="utf-8") for f in files]
    nlp, tagger = spacy_english(), shipped_tagger()
    tagger.tag(nlp(texts[0]))  # warm: loads the models, fills caches
    parse_s = tag_s = 0.0
    found = 0
    for text in texts[1:]:
        start = time.perf_counter()
        doc = nlp(text)
        parse_s += time.perf_counter() - start
        start = time.perf_counter()
        found += len(tagger.tag(doc))
        tag_s += time.perf_counter() - start
    words = sum(len(t.split()) for t in texts[1:])
    report = {
        "articles": len(texts) - 1,
        "words": words,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}",
        "parse_seconds": round(parse_s, 3),
        "tag_seconds": round(tag_s, 3),
        "tag_over_parse": round(tag_s / parse_s, 3),
        "tag_words_per_s": round(words / tag_s),
        "candidates": found,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
