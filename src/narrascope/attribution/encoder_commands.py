"""``narrascope train attribution-encoder``: fine-tune MiniLM on PolNeAR train and choose, on
dev, how much of it to mix into the CRF tagger (:mod:`narrascope.attribution.neural`)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import numpy as np

from narrascope.attribution.commands import (
    CACHE_HELP,
    DATA_HELP,
    DEFAULT_CACHE,
    HEADLINE,
    _read,
    labelled,
    parse_articles,
    score_candidates,
)
from narrascope.attribution.neural import (
    LABELS,
    EncoderTagger,
    crf_probabilities,
    mix,
    shipped_encoder_path,
    tag_from_distribution,
    training_examples,
)
from narrascope.attribution.polnear import Article
from narrascope.attribution.tagger import shipped_tagger
from narrascope.command_options import output_option
from narrascope.encoders import NeuralSettings, fine_tune


def weight_grid(
    articles: Sequence[Article], docs: Sequence[Any], encoder: EncoderTagger, weights: list[float]
) -> list[dict[str, Any]]:
    """Dev scores of the mixed tagger and of the attributions stage at each encoder weight."""
    from narrascope.attribution.rules import find_rule_attributions
    from narrascope.stages.attributions import merge_candidates

    crf = shipped_tagger()
    both = [(crf_probabilities(crf, d), encoder.probabilities(d)) for d in docs]
    rules = [find_rule_attributions(d) for d in docs]
    rows = []
    for weight in weights:
        tagged = [
            tag_from_distribution(d, mix(c, e, weight))
            for d, (c, e) in zip(docs, both, strict=True)
        ]
        row: dict[str, Any] = {"weight": weight}
        for name, found in (
            ("tagger", [t for t, _ in tagged]),
            (
                "stage",
                [
                    list(merge_candidates(r, t, d, p))
                    for r, (t, p), d in zip(rules, tagged, docs, strict=True)
                ],
            ),
        ):
            scores = score_candidates(articles, found)
            row[name] = {key: scores[key] for key in HEADLINE}
            row[name]["mean_f1"] = round(float(np.mean([scores[k] for k in HEADLINE])), 4)
        click.echo(json.dumps(row), err=True)
        rows.append(row)
    return rows


@click.command("attribution-encoder")
@click.option("--data", "data_path", required=True, type=click.Path(path_type=Path), help=DATA_HELP)
@click.option("--epochs", default=5, show_default=True)
@click.option("--lr", default=8e-5, show_default=True, help="Peak learning rate (AdamW).")
@click.option("--batch-size", default=16, show_default=True)
@click.option("--max-wordpieces", default=256, show_default=True, help="Window length.")
@click.option("--seed", default=13, show_default=True)
@click.option(
    "--weights",
    default="0,0.3,0.5,0.7,0.85,1",
    show_default=True,
    help="Encoder shares in the mix compared on dev (the stage's mean F1 picks one).",
)
@click.option("--cache", type=click.Path(path_type=Path), default=DEFAULT_CACHE, help=CACHE_HELP)
@click.option("--limit", type=int, default=None, help="Train on the first N articles only.")
@output_option("Where to write the encoder (default: the shipped artifact).")
def train_encoder_command(
    data_path: Path,
    epochs: int,
    lr: float,
    batch_size: int,
    max_wordpieces: int,
    seed: int,
    weights: str,
    cache: Path,
    limit: int | None,
    output: Path | None,
) -> None:
    """Fine-tune the MiniLM attribution tagger on PolNeAR train; pick its mix weight on dev."""
    started = time.time()
    train, dev = _read(data_path, "train", limit), _read(data_path, "dev", None)
    train_docs, dev_docs = parse_articles(train, cache), parse_articles(dev, cache)
    settings = NeuralSettings(
        epochs=epochs, lr=lr, batch_size=batch_size, max_wordpieces=max_wordpieces, seed=seed
    )
    encoder = EncoderTagger({}, settings)
    examples = training_examples(
        train_docs, labelled(train, train_docs), encoder.tokenizer, max_wordpieces
    )
    click.echo(f"{len(examples)} training windows", err=True)
    encoder.weights = fine_tune(
        examples, settings, len(LABELS), log=lambda m: click.echo(m, err=True)
    )
    grid = weight_grid(dev, dev_docs, encoder, [float(w) for w in weights.split(",")])
    best = max(grid, key=lambda row: row["stage"]["mean_f1"])
    settings.weight = best["weight"]
    encoder.info = {
        "settings": vars(settings),
        "grid": grid,
        "chosen": best,
        "train_articles": len(train),
        "train_windows": len(examples),
        "trained_seconds": round(time.time() - started),
    }
    target = output or shipped_encoder_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    encoder.save(target)
    click.echo(json.dumps({"model": str(target), **best}))
