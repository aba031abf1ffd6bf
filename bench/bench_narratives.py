"""Speed of the narratives and framing stages together, on 600-word English articles.

    PYTHONPATH=src python bench/bench_narratives.py [--n 40]

Articles are SemEval-2025 Task 10 English documents (read from ../shared, never copied),
each cut or extended (by repeating it) to exactly 600 words. Language, structure and
linguistic stages run first, untimed; the clock covers only the two stages, after a warm-up
article has loaded the models. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from narrascope.document import Document
from narrascope.pipeline import Pipeline

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "semeval2025-task10" / "EN"
WORDS = 600


def articles(folder: Path, n: int) -> list[str]:
    files = sorted((folder / "raw-documents").glob("*.txt"))[:n]
    if len(files) < n:
        raise SystemExit(f"bench: need {n} articles in {folder}, found {len(files)}")
    out = []
    for path in files:
        words = path.read_text(encoding="utf-8").split()
        while len(words) < WORDS:
            words = words + words
        out.append(" ".join(words[:WORDS]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    prep = Pipeline.from_names(["language", "structure", "linguistic"])
    timed = Pipeline.from_names(["language", "structure", "linguistic", "narratives", "framing"])
    stages = timed.stages[3:]
    warm = prep.run([Document(articles(args.data, 1)[0])])
    for stage in stages:
        warm = stage(warm)
    docs = prep.run([Document(t) for t in articles(args.data, args.n)])
    started = time.perf_counter()
    for doc in docs:  # one at a time, as an interactive user would
        batch = [doc]
        for stage in stages:
            batch = stage(batch)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "articles": args.n,
                "words_per_article": WORDS,
                "seconds": round(seconds, 2),
                "articles_per_second": round(args.n / seconds, 2),
                "stages": [s.name for s in stages],
            }
        )
    )


if __name__ == "__main__":
    main()
