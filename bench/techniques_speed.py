"""Speed of the techniques stage alone (the base stages' parse is not counted).

    PYTHONPATH=src .venv/bin/python bench/techniques_speed.py --n 50

Reads real articles from ../shared/data/ptc/train-articles (never copied into the repo), runs
the base stages first (untimed), warms the model on one article, then times the techniques
stage over batches of 16. Prints one JSON object: seconds, articles/s, words/s and the rate in
600-word articles (words/s / 600), the unit of the issue's target (>= 10 on the 2-core machine).

The span encoder reads only the sentences the sentence classifier rates high enough, so the
speed depends on the text: ``--articles ../shared/data/semeval2025-task10/EN/raw-documents``
times news the models never saw in training (any ``*.txt`` in the folder is an article).

``--processes 2`` times the stage as ``narrascope analyze --jobs 2`` runs it: two worker
processes, each with its own copy of the models, share the articles (every second one); each
parses and warms up first, and the clock runs from when both are ready until both are done.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

import common

WAIT_SECONDS = 1800


def main() -> None:
    args = common.parse_args(__doc__, more=lambda p: p.add_argument("--processes", type=int))
    texts = common.load_texts(args.articles, args.n + (args.processes or 1), "*.txt")
    if args.processes:
        seconds, words, spans = in_processes(texts, args.processes)
    else:
        docs = common.parsed_documents(texts)
        warm, docs = docs[:1], docs[1:]
        seconds = common.time_stages(common.load_stages(["techniques"]), warm, docs)["techniques"]
        words = common.word_count(d.text for d in docs)
        spans = sum(len(d.layers["techniques"].spans) for d in docs)
    common.report(
        {
            "articles": args.n,
            "processes": args.processes or 1,
            "words": words,
            "machine": common.machine(),
            "seconds": round(seconds, 3),
            **common.rates(args.n, words, seconds),
            "spans_found": spans,
        }
    )


def in_processes(texts: list[str], processes: int) -> tuple[float, int, int]:
    """Seconds, words and spans of the stage over ``texts`` (the first ``processes`` ones
    only warm the workers up) in that many worker processes."""
    context = multiprocessing.get_context("spawn")  # no torch state inherited by a fork
    ready = context.Barrier(processes + 1)
    results = context.Queue()
    shares = [[texts[k], *texts[processes + k :: processes]] for k in range(processes)]
    workers = [context.Process(target=work, args=(s, ready, results)) for s in shares]
    for worker in workers:
        worker.start()
    # bounded waits: a worker that dies (its error is printed) must not hang the bench
    ready.wait(timeout=WAIT_SECONDS)
    started = time.perf_counter()
    done = [results.get(timeout=WAIT_SECONDS) for _ in workers]
    seconds = time.perf_counter() - started
    for worker in workers:
        worker.join()
    return seconds, sum(w for w, _ in done), sum(s for _, s in done)


def work(texts: list[str], ready: Any, results: Any) -> None:
    """One worker: parse, warm the stage on the first text, wait for the others, then run
    the stage over the rest in batches as the single-process timing does."""
    docs = common.parsed_documents(texts)
    warm, docs = docs[:1], docs[1:]
    stage = common.load_stages(["techniques"])[0]
    stage(list(warm))
    ready.wait(timeout=WAIT_SECONDS)
    done = []
    for i in range(0, len(docs), common.BATCH):
        done += stage(docs[i : i + common.BATCH])
    words = common.word_count(d.text for d in done)
    results.put((words, sum(len(d.layers["techniques"].spans) for d in done)))


if __name__ == "__main__":
    main()
