"""Quick framing comparisons for the narratives model card (not the nested numbers).

Same outer folds as ``narrascope evaluate narratives --cv 5`` (KFold over all articles,
shuffled, seed 13), but the narrative context every mention sees comes from ONE out-of-fold
run of the narrative model over all articles, instead of being refitted inside each fold;
only the framing model is refitted per fold. That makes a comparison take about two minutes
instead of the full nested run; its numbers are close to (not the same as) the nested ones.
Arguments override ``FramingSettings`` fields, plus ``ctx=N`` (window words either side) and
``narratives_w_by_language=W`` (the narrative model's per-language copy weight),
``gold_context=1`` (the gold narratives as context: an oracle) and ``dump=PATH`` (the
out-of-fold probabilities, for ``bench/framing_errors.py``). The mentions' narrative context
and window vectors are kept in /tmp/framing-ablation-inputs between runs.

    PYTHONPATH=src python bench/framing_ablation.py [w_window=0] [window=clause] [ctx=10] ...

Prints one JSON object: main-role accuracy and fine-role exact match per language, and means.
"""

from __future__ import annotations

import json
import pickle
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

from narrascope.narratives import framing
from narrascope.narratives.commands import (
    DEFAULT_DATA,
    _read,
    _sim_features,
    encode_articles,
    mention_inputs,
)
from narrascope.narratives.data import LANGS
from narrascope.narratives.model import Settings
from narrascope.narratives.scoring import role_scores
from narrascope.narratives.training import fit_model

CACHE = Path("/tmp/narratives-vectors")  # sentence vectors, shared with the CLI's --cache
# The mentions' narrative context and window vectors, kept between comparisons (keyed by the
# settings that change them); about 1 minute to rebuild after the sentence vectors.
INPUTS_CACHE = Path("/tmp/framing-ablation-inputs")
NARRATIVE_SETTINGS = Settings()
# gold_context=1: the articles' gold narratives as context (an upper bound: how much the
# narrative model's errors cost the framing model)
GOLD_CONTEXT = [False]
DUMP = [""]  # dump=PATH: write the out-of-fold probabilities (npz) for error analysis


def parse_settings(argv: list[str]) -> framing.FramingSettings:
    types = {
        f.name: type(getattr(framing.FramingSettings(), f.name))
        for f in fields(framing.FramingSettings)
    }
    values: dict[str, Any] = {}
    for arg in argv:
        key, value = arg.split("=", 1)
        if key == "dump":
            DUMP[0] = value
        elif key == "gold_context":
            GOLD_CONTEXT[0] = bool(float(value))
        elif key == "ctx":
            framing.CONTEXT_WORDS = int(value)
        elif key == "narratives_w_by_language":
            NARRATIVE_SETTINGS.w_by_language = float(value)
        elif types[key] is str:
            values[key] = value
        else:
            values[key] = types[key](float(value))
    return framing.FramingSettings(**values)


def narrative_context(articles: list[Any], encoded: list[Any], taxonomy: Any) -> list[list[Any]]:
    """Each article's gold mentions with out-of-fold narrative labels and scores."""
    model, oof = fit_model(
        articles, encoded, taxonomy, _sim_features(taxonomy), NARRATIVE_SETTINGS, return_oof=True
    )
    n = len(model.coarse)
    out = []
    for article, enc, scores in zip(articles, encoded, oof, strict=True):
        labels = model.decide(scores[:n], scores[n:], article.lang)[0]
        if GOLD_CONTEXT[0]:
            labels = list(article.narratives) or ["Other"]
            scores = np.array([float(c in labels) for c in model.coarse], dtype=np.float32)
        out.append(mention_inputs(enc, article, labels, scores[:n]))
    return out


def main() -> None:
    settings = parse_settings(sys.argv[1:])
    articles, taxonomy = _read(DEFAULT_DATA, LANGS)
    key = f"{settings.window}-{framing.CONTEXT_WORDS}-{NARRATIVE_SETTINGS.w_by_language}"
    key += "-gold" if GOLD_CONTEXT[0] else ""
    cached = INPUTS_CACHE / f"{key}.pkl"
    with threadpool_limits(1):
        encoded = encode_articles(articles, CACHE)
        if cached.exists():
            inputs = pickle.loads(cached.read_bytes())
        else:
            inputs = narrative_context(articles, encoded, taxonomy)
            inputs = [
                framing.with_windows(e, m, settings.window)
                for e, m in zip(encoded, inputs, strict=True)
            ]
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(pickle.dumps(inputs))
        sim = _sim_features(taxonomy)
        predicted: dict[int, list[tuple[str, list[str]]]] = {}
        probs: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for train, test in KFold(5, shuffle=True, random_state=13).split(np.arange(len(articles))):
            rows = [
                (encoded[i], m, gold.main_role, gold.fine_roles)
                for i in train
                for gold, m in zip(articles[i].mentions, inputs[i], strict=True)
            ]
            model = framing.fit_framing(rows, settings, sim)
            for i in test:
                main, fine = model.probabilities(encoded[i], inputs[i])
                probs[i] = (main, fine)
                predicted[i] = [
                    framing.decide_roles(main[k], fine[k])[:2] for k in range(len(main))
                ]
    if DUMP[0]:
        order = [i for i in range(len(articles)) if len(articles[i].mentions)]
        np.savez(
            DUMP[0],
            main=np.concatenate([probs[i][0] for i in order]),
            fine=np.concatenate([probs[i][1] for i in order]),
            article=np.array([i for i in order for _ in articles[i].mentions]),
        )
    result: dict[str, Any] = {"settings": sys.argv[1:]}
    for lang in ("en", "ru", "bg", "pt", "hi"):
        pairs = [
            (gold, pred)
            for i, a in enumerate(articles)
            if a.lang == lang
            for gold, pred in zip(a.mentions, predicted[i], strict=True)
        ]
        scores = role_scores(
            [g.main_role for g, _ in pairs],
            [p[0] for _, p in pairs],
            [g.fine_roles for g, _ in pairs],
            [p[1] for _, p in pairs],
        )
        result[lang.upper()] = [round(v, 4) for v in scores.values()]
    per_lang = [v for k, v in result.items() if k != "settings"]
    result["mean"] = [round(float(np.mean([v[j] for v in per_lang])), 4) for j in range(2)]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
