"""Speed of the narratives and framing stages together, on 600-word English articles.

    PYTHONPATH=src python bench/bench_narratives.py [--n 40]

Articles are SemEval-2025 Task 10 English documents (read from ../shared, never copied),
each cut or extended (by repeating it) to exactly 600 words. Language, structure and
linguistic stages run first, untimed; the clock covers only the two stages, after a warm-up
article has loaded the models. Prints one JSON object: wall-clock seconds and rate, and the
process's CPU seconds and rate with the load average, since on the shared machine the wall
clock also counts the turns of other jobs.
"""

from __future__ import annotations

import os
import time

import common

DEFAULT_DATA = common.SHARED_DATA / "semeval2025-task10" / "EN"
WORDS = 600
TIMED = ["narratives", "framing"]


def to_length(text: str, words: int = WORDS) -> str:
    """``text`` cut, or extended by repeating it, to exactly ``words`` words."""
    tokens = text.split()
    while len(tokens) < words:
        tokens = tokens + tokens
    return " ".join(tokens[:words])


def main() -> None:
    args = common.parse_args(__doc__, n=40, option="--data", default=DEFAULT_DATA)
    texts = [to_length(t) for t in common.load_texts(args.data / "raw-documents", args.n, "*.txt")]
    # A separate copy of the first article warms the models; all n articles are timed.
    docs = common.parsed_documents([texts[0], *texts])
    stages = common.load_stages(TIMED)
    for stage in stages:  # load the models before the CPU clock starts
        stage(docs[:1])
    cpu_start = time.process_time()
    # One article at a time, as an interactive user would.
    seconds = sum(common.time_stages(stages, docs[:1], docs[1:], batch=1).values())
    # CPU seconds of this process (includes time_stages' own one-article warm-up, so it
    # errs slow): on a shared machine the wall clock also counts other jobs' turns.
    cpu = time.process_time() - cpu_start
    common.report(
        {
            "articles": args.n,
            "words_per_article": WORDS,
            "seconds": round(seconds, 2),
            "articles_per_second": round(args.n / seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "articles_per_cpu_second": round(args.n / cpu, 2),
            "load_average": round(os.getloadavg()[0], 2),
            "stages": [s.name for s in stages],
        },
        indent=None,
    )


if __name__ == "__main__":
    main()
