"""How much of the MiniLM span encoder to mix into the PTC span tagger, on out-of-fold scores.

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python bench/si_encoder_mix.py \\
        --encoder-oof /tmp/narrascope-si-encoder --token-weights 0,0.5,0.8,1 \\
        --phrase-weights 0,0.3,0.5,0.7

Reads the encoder's out-of-fold token probabilities (the fold pickles that
``narrascope train techniques-encoder`` leaves in its cache, or ``info["oof"]`` of an encoder
artifact), computes the sparse models' out-of-fold scores as the train command does (cached
in ``--cache``, shared with ``bench/si_use_cv.py``), and scores the train command's decoding
grid at every encoder weight for the token scores and for the phrase scores. Prints one JSON
line per (token weight, phrase weight): the best SI F1 and the decoding ``choose_decoding``
picks, then the overall choice.
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.paths import SHARED_DATA
from narrascope.techniques.commands import SI_SETTINGS
from narrascope.techniques.train import choose_decoding, decoding_grid, long_span_grid
from si_use_cv import cached, load_sparse_oof, sentence_oof


def encoder_oof(path: Path) -> dict[str, np.ndarray]:
    """Out-of-fold encoder probabilities from a fold-pickle folder or an encoder artifact."""
    if path.is_dir():
        out: dict[str, np.ndarray] = {}
        for fold in sorted(path.glob("*-fold*.pkl")):
            out |= pickle.loads(fold.read_bytes())
        return out
    from narrascope.techniques.neural import SpanEncoder

    return SpanEncoder.load(path).info["oof"]


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ptc", type=Path, default=SHARED_DATA / "ptc")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/si-use"))
    parser.add_argument("--encoder-oof", type=Path, default=Path("/tmp/narrascope-si-encoder"))
    parser.add_argument("--token-weights", default="0,0.5,0.8,1")
    parser.add_argument("--phrase-weights", default="0,0.3,0.5,0.7")
    parser.add_argument("--modes", default="add,union")
    parser.add_argument("--lows", default=None, help="token-run low thresholds (default: train's)")
    parser.add_argument("--rises", default=None)
    parser.add_argument("--gaps", default=None)
    parser.add_argument("--blends", default=None)
    parser.add_argument("--phrase-thresholds", default=None)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    settings, seed, folds = dict(SI_SETTINGS), args.seed, args.folds
    for key in ("lows", "rises", "gaps", "blends", "phrase_thresholds"):
        given = getattr(args, key)
        if given:
            settings[key] = [int(x) if key == "gaps" else float(x) for x in given.split(",")]

    def log(row: dict[str, Any]) -> None:
        print(json.dumps(row), flush=True)

    oof = load_sparse_oof(args.ptc, args.cache, folds, seed, log)
    sent = cached(
        args.cache / "sentence_oof.pkl", lambda: sentence_oof(oof, folds, seed, [0.0], None, log)
    )[0.0]
    enc = encoder_oof(args.encoder_oof)
    missing = sorted(set(oof.ids) - set(enc))
    if missing:
        raise SystemExit(f"the encoder has no out-of-fold scores for {len(missing)} articles")
    data = oof.data
    gold_spans = {a: [(g.start, g.end) for g in oof.gold.get(a, [])] for a in oof.ids}
    results = []
    for tw in floats(args.token_weights):
        long_spans = long_span_grid(
            oof.articles,
            data.meta,
            oof.oof_tok,
            sent,
            data.sent_offset,
            settings | {"encoder_weights": [tw]},
            enc,
        )
        for pw in floats(args.phrase_weights):
            rows = decoding_grid(
                gold_spans,
                long_spans,
                oof.phrase_oof,
                settings["phrase_thresholds"],
                enc,
                [pw],
                args.modes.split(","),
            )
            top = max(rows, key=lambda r: r["si_f1"])
            log({"token_weight": tw, "phrase_weight": pw, "top": top})
            results += rows
    log({"chosen": choose_decoding(results, settings["tolerance"]), "settings": len(results)})


if __name__ == "__main__":
    main()
