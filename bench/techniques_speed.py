"""Speed of the techniques stage alone (the base stages' parse is not counted).

    PYTHONPATH=src .venv/bin/python bench/techniques_speed.py --n 50

Reads real articles from ../shared/data/ptc/train-articles (never copied into the repo), runs
the base stages first (untimed), warms the model on one article, then times the techniques
stage over batches of 16. Prints one JSON object: seconds, articles/s, words/s and the rate in
600-word articles (words/s / 600), the unit of the issue's target (>= 10 on the 2-core machine).

The span encoder reads only the sentences the sentence classifier rates high enough, so the
speed depends on the text: ``--articles ../shared/data/semeval2025-task10/EN/raw-documents``
times news the models never saw in training (any ``*.txt`` in the folder is an article).
"""

from __future__ import annotations

import common


def main() -> None:
    args = common.parse_args(__doc__)
    docs = common.parsed_documents(common.load_texts(args.articles, args.n + 1, "*.txt"))
    warm, docs = docs[:1], docs[1:]
    seconds = common.time_stages(common.load_stages(["techniques"]), warm, docs)["techniques"]
    words = common.word_count(d.text for d in docs)
    common.report(
        {
            "articles": len(docs),
            "words": words,
            "machine": common.machine(),
            "seconds": round(seconds, 3),
            **common.rates(len(docs), words, seconds),
            "spans_found": sum(len(d.layers["techniques"].spans) for d in docs),
        }
    )


if __name__ == "__main__":
    main()
