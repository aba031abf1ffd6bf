"""How far PolNeAR's annotators agree with each other, scored like the attribution stage.

    PYTHONPATH=src .venv/bin/python bench/attribution_agreement.py

Some PolNeAR articles were annotated by several people (5 or 6 on dev and train). For every
pair of annotators of such an article, one file is scored as the prediction and the other as
the gold with the evaluation's scorer (``narrascope.attribution.scoring.Counts``: span F1,
exact and overlap); counts are summed over pairs and articles. This is the ceiling a model
scored against one annotator can be expected to reach. Prints one JSON object per split.
"""

from __future__ import annotations

import argparse
import itertools
import json

from narrascope.attribution.commands import gold_spans
from narrascope.attribution.polnear import read_split
from narrascope.attribution.scoring import Counts
from narrascope.paths import SHARED_DATA


def agreement(split: str) -> dict[str, object]:
    articles = [a for a in read_split(SHARED_DATA / "polnear", split) if len(a.annotations) > 1]
    counts = Counts()
    pairs = 0
    for article in articles:
        for first, second in itertools.combinations(article.annotations, 2):
            counts.add(article.text, gold_spans(article, first), gold_spans(article, second))
            pairs += 1
    scores = counts.scores()
    f1s = {k: v for k, v in scores.items() if "_f1_" in k}
    return {"split": split, "articles": len(articles), "annotator_pairs": pairs, **f1s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--splits", default="dev,train")
    for split in parser.parse_args().splits.split(","):
        print(json.dumps(agreement(split.strip())))


if __name__ == "__main__":
    main()
