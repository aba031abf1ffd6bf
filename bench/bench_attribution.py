"""Cost of the attributions (sourcing) stage against the spaCy parse it reads.

    PYTHONPATH=src .venv/bin/python bench/bench_attribution.py --n 50

Reads real articles from ../shared/data/ptc/train-articles (never copied into the repo). Times
the spaCy parse (``en_core_web_sm`` with the project's pipeline, as the linguistic stage runs
it) and, separately, the attributions stage on the parsed documents (after the untimed base and
check-worthiness stages, so the profile is built as in a default run). Both are warmed on one
article first and run over batches of 16. Prints one JSON object; ``ratio`` is stage seconds /
parse seconds (the issue's target: at most 1.5). For the PolNeAR tagger alone against the parse,
see attribution_speed.py.
"""

from __future__ import annotations

import common


def main() -> None:
    args = common.parse_args(__doc__)
    from narrascope.stages.attributions import AttributionsStage

    texts = common.load_texts(args.articles, args.n + 1)
    docs = common.parsed_documents(texts, [*common.BASE, "checkworthiness"])
    parse_seconds = common.time_parse(texts[1:], warm=texts[0])
    stage_seconds = common.time_stages([AttributionsStage()], docs[:1], docs[1:])["attributions"]
    docs = docs[1:]
    common.report(
        {
            "articles": len(docs),
            "words": common.word_count(d.text for d in docs),
            "machine": common.machine(),
            "parse_seconds": round(parse_seconds, 3),
            "stage_seconds": round(stage_seconds, 3),
            "ratio": round(stage_seconds / parse_seconds, 3),
            "stage_articles_per_s": round(len(docs) / stage_seconds, 1),
            "attributions_found": sum(len(d.layers["attributions"].relations) for d in docs),
        }
    )


if __name__ == "__main__":
    main()
