"""Error analysis of the framing model's out-of-fold main roles, from a dump of
``bench/framing_ablation.py dump=PATH``:

    PYTHONPATH=src python bench/framing_ablation.py dump=/tmp/framing-oof.npz
    PYTHONPATH=src python bench/framing_errors.py /tmp/framing-oof.npz

Prints per language: the confusion matrix (gold rows, predicted columns, Protagonist /
Antagonist / Innocent), accuracy by confidence bin (calibration), the best accuracy any pair
of per-language class offsets on the log probabilities could reach (chosen on the same
mentions, so an upper bound on what a tuned decision rule could add), and for English the
most often wrong entities and the error rate by side in the war.
"""

from __future__ import annotations

import itertools
import sys
from collections import Counter

import numpy as np

from narrascope.narratives.commands import DEFAULT_DATA
from narrascope.narratives.data import FINE_ROLES, LANGS, MAIN_ROLES, read_corpus
from narrascope.narratives.framing import FINE
from narrascope.narratives.sides import sides_of

BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 0.97), (0.97, 1.01))


def main() -> None:
    articles = read_corpus(DEFAULT_DATA, LANGS)
    dump = np.load(sys.argv[1])
    main_p, fine_p, owner = dump["main"], dump["fine"], dump["article"]
    mentions = [m for a in articles for m in a.mentions]
    langs = np.array([articles[i].lang for i in owner])
    gold = np.array([MAIN_ROLES.index(m.main_role) for m in mentions])
    # The decision of ``decide_roles``: main-role probabilities averaged with the fine mass.
    mass = np.stack(
        [fine_p[:, [FINE.index(f) for f in FINE_ROLES[r]]].sum(axis=1) for r in MAIN_ROLES],
        axis=1,
    )
    combined = np.log((main_p + mass) / 2 + 1e-9)
    pred = combined.argmax(axis=1)
    grid = np.arange(-1.5, 1.51, 0.25)
    for lang in ("en", "ru", "bg", "pt", "hi"):
        s = langs == lang
        matrix = np.zeros((3, 3), dtype=int)
        for g, p in zip(gold[s], pred[s], strict=True):
            matrix[g, p] += 1
        print(f"{lang.upper()}: accuracy {np.mean(gold[s] == pred[s]):.4f}, gold x predicted P/A/I")
        print("  " + str(matrix.tolist()))
        confidence = main_p[s].max(axis=1)
        right = main_p[s].argmax(axis=1) == gold[s]
        bins = [
            f"{lo:.2f}-{hi:.2f}: {int(b.sum())} at {right[b].mean():.3f}"
            for lo, hi in BINS
            if (b := (confidence >= lo) & (confidence < hi)).any()
        ]
        print("  main-role confidence bins: " + "; ".join(bins))
        best = max(
            (float(np.mean((combined[s] + [b0, 0.0, b2]).argmax(axis=1) == gold[s])), b0, b2)
            for b0, b2 in itertools.product(grid, grid)
        )
        print(f"  best offsets (P {best[1]:+.2f}, I {best[2]:+.2f}): accuracy {best[0]:.4f}")
    en = np.flatnonzero(langs == "en")
    wrong = Counter(mentions[k].entity for k in en if gold[k] != pred[k])
    total = Counter(mentions[k].entity for k in en)
    print("EN most often wrong:", [(e, n, total[e]) for e, n in wrong.most_common(12)])
    by_side: dict[str, list[int]] = {}
    for k in en:
        side = ",".join(sides_of(mentions[k].entity)) or "none"
        by_side.setdefault(side, [0, 0])[0] += int(gold[k] != pred[k])
        by_side[side][1] += 1
    print("EN errors / mentions by side:", by_side)


if __name__ == "__main__":
    main()
