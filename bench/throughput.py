"""Throughput benchmark: the narrascope pipeline against spaCy's parse alone.

    .venv/bin/python bench/throughput.py                  # 50 PTC train articles, default stages
    .venv/bin/python bench/throughput.py --n 20 --stages language,structure,linguistic

Reads real articles from ../shared/data/ptc/train-articles (never copied into the repo). Each
measurement runs in its own process so that its peak RSS is its own. Models are loaded and
each side makes one untimed pass over the texts before the clock starts: the figures are
steady-state throughput.
Prints a JSON object: pipeline and spaCy articles/s, words/s, peak RSS, their ratio, and the
seconds each stage took (so a stage's own articles/s = n / its seconds).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import resource
import time
from pathlib import Path
from typing import Any

from common import DEFAULT_ARTICLES, load_texts, word_count


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_pipeline(texts: list[str], stages: list[str] | None, queue: Any) -> None:
    from narrascope.api import get_pipeline
    from narrascope.document import Document, Metadata

    pipeline = get_pipeline(stages)
    # A whole untimed pass first: the first pass over a batch is up to 1.4x slower (allocator
    # and model warm-up), and both sides are measured in their steady state.
    pipeline.run([Document(t, meta=Metadata(source="warmup")) for t in texts])
    per_stage = dict.fromkeys(pipeline.names, 0.0)
    docs = [Document(t, meta=Metadata(source=f"bench-{i}")) for i, t in enumerate(texts)]
    start = time.perf_counter()
    for i in range(0, len(docs), 16):
        batch = docs[i : i + 16]
        for stage in pipeline.stages:
            t0 = time.perf_counter()
            batch = stage(batch)
            per_stage[stage.name] += time.perf_counter() - t0
    elapsed = time.perf_counter() - start
    queue.put({"seconds": elapsed, "peak_rss_mb": peak_rss_mb(), "stage_seconds": per_stage})


def bench_spacy(texts: list[str], queue: Any) -> None:
    import spacy

    from narrascope.stages.linguistic import SPACY_MODEL

    nlp = spacy.load(SPACY_MODEL)
    for _ in nlp.pipe(texts, batch_size=16):  # untimed warm-up pass, as for the pipeline
        pass
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=16):
        pass
    queue.put({"seconds": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb()})


def in_process(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def rates(result: dict[str, Any], n: int, words: int) -> dict[str, Any]:
    secs = result["seconds"]
    out = {
        "seconds": round(secs, 2),
        "articles_per_s": round(n / secs, 2),
        "words_per_s": round(words / secs),
        "peak_rss_mb": round(result["peak_rss_mb"]),
    }
    if "stage_seconds" in result:
        out["stage_seconds"] = {k: round(v, 3) for k, v in result["stage_seconds"].items()}
        out["stage_articles_per_s"] = {
            k: round(n / v, 1) if v > 0 else None for k, v in result["stage_seconds"].items()
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--stages", help="comma-separated stages (default: all)")
    args = parser.parse_args()
    texts = load_texts(args.articles, args.n)
    words = word_count(texts)
    stages = args.stages.split(",") if args.stages else None
    pipe = rates(in_process(bench_pipeline, texts, stages), args.n, words)
    parse = rates(in_process(bench_spacy, texts), args.n, words)
    report = {
        "articles": args.n,
        "words": words,
        "mean_words_per_article": round(words / args.n),
        "machine": f"{platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}",
        "pipeline": pipe,
        "spacy_parse_only": parse,
        "pipeline_vs_parse_throughput": round(pipe["articles_per_s"] / parse["articles_per_s"], 3),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
