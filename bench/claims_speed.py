"""Speed of the check-worthiness and claims stages alone (the spaCy parse is not counted).

    PYTHONPATH=src .venv/bin/python bench/claims_speed.py --n 50

Reads real articles from ../shared/data/ptc/train-articles (never copied into the repo), parses
them with the base stages first (untimed), warms the models on one article, then times each of
the two stages over batches of 16. Prints one JSON object: seconds per stage, articles/s and
words/s, and the rate in 600-word articles (words/s / 600), the unit of the issue's target.
"""

from __future__ import annotations

import common

TIMED = ["checkworthiness", "claims"]


def main() -> None:
    args = common.parse_args(__doc__)
    docs = common.parsed_documents(common.load_texts(args.articles, args.n + 1))
    warm, docs = docs[:1], docs[1:]
    seconds = common.time_stages(common.load_stages(TIMED), warm, docs)
    words = common.word_count(d.text for d in docs)
    sentences = sum(len(d.sentences) for d in docs)
    total = sum(seconds.values())
    common.report(
        {
            "articles": len(docs),
            "words": words,
            "sentences": sentences,
            "machine": common.machine(),
            "stage_seconds": {k: round(v, 3) for k, v in seconds.items()},
            "stage_articles_per_s": {k: round(len(docs) / v, 1) for k, v in seconds.items()},
            "both_stages": {
                "seconds": round(total, 3),
                "articles_per_s": round(len(docs) / total, 1),
                "words_per_s": round(words / total),
                "sentences_per_s": round(sentences / total),
                "articles_of_600_words_per_s": round(words / total / 600, 1),
            },
            "claims_found": sum(
                len(d.layers["claims"].spans) for d in docs if "claims" in d.layers
            ),
        }
    )


if __name__ == "__main__":
    main()
