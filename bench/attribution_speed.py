"""Cost of the attribution tagger against the spaCy parse it reads, on the same texts.

    PYTHONPATH=src .venv/bin/python bench/attribution_speed.py --n 50

Reads real articles from ../shared/data/ptc/train-articles (never copied into the repo), warms
both models on one article, then times the pipeline's spaCy parse (``en_core_web_sm`` with the
paragraph rule, as the ``linguistic`` stage runs it) and ``shipped_tagger().tag`` on each
article. The issue's budget: the tagger costs at most 1.5 times the parse. Prints one JSON object.
For the whole attributions stage against the parse, see bench_attribution.py.
"""

from __future__ import annotations

import common


def main() -> None:
    args = common.parse_args(__doc__)
    from narrascope.attribution.tagger import shipped_tagger
    from narrascope.stages.linguistic import spacy_english

    texts = common.load_texts(args.articles, args.n + 1)
    nlp, tagger = spacy_english(), shipped_tagger()
    tagger.tag(nlp(texts[0]))  # warm: loads the models, fills caches
    texts = texts[1:]
    parse_s = tag_s = 0.0
    found = 0
    for text in texts:  # one article at a time, each step on its own clock
        doc, seconds = common.timed(nlp, text)
        parse_s += seconds
        candidates, seconds = common.timed(tagger.tag, doc)
        tag_s += seconds
        found += len(candidates)
    words = common.word_count(texts)
    common.report(
        {
            "articles": len(texts),
            "words": words,
            "machine": common.machine(load=True),
            "parse_seconds": round(parse_s, 3),
            "tag_seconds": round(tag_s, 3),
            "tag_over_parse": round(tag_s / parse_s, 3),
            "tag_words_per_s": round(words / tag_s),
            "candidates": found,
        }
    )


if __name__ == "__main__":
    main()
