"""``narrascope train techniques-encoder``: cross-validate and fine-tune the MiniLM span tagger
(:mod:`narrascope.techniques.neural`) on the PTC train articles.

The folds are those of ``narrascope train techniques`` (same seed). Each fold's out-of-fold
token probabilities are pickled in ``--cache`` as soon as they exist, so an interrupted run
resumes where it stopped; the artifact keeps them all (``info["oof"]``) for the train command
to choose how to mix the encoder into the span tagger. Prints the encoder's own out-of-fold SI
F1 at a few decoding thresholds, then fine-tunes on every article and writes the artifact.
"""

from __future__ import annotations

import itertools
import json
import pickle
import time
from pathlib import Path
from typing import Any

import click
import numpy as np

from narrascope.command_options import data_folder_option, output_option
from narrascope.encoders import NeuralSettings, fine_tune
from narrascope.techniques.commands import PTC
from narrascope.techniques.data import read_articles, read_span_labels, spans_by_article
from narrascope.techniques.model import decode_spans
from narrascope.techniques.neural import (
    LABELS,
    Interval,
    SpanEncoder,
    article_examples,
    cross_validate,
    shipped_encoder_path,
)
from narrascope.techniques.scoring import merge_overlapping, si_score


def encoder_si_grid(
    articles: dict[str, str], gold: dict[str, list[Interval]], oof: dict[str, np.ndarray]
) -> list[dict[str, Any]]:
    """SI F1 of the encoder's out-of-fold probabilities alone, decoded as the token tagger's
    runs are (``decode_spans``) at a few thresholds (its probabilities are low: about one
    token in eight lies in a span)."""
    from narrascope.techniques.features import sentence_index, tokens

    layout = {}
    for a, text in articles.items():
        toks = tokens(text)
        layout[a] = (toks, sentence_index(text, toks))
    rows = []
    for low, rise, gap in itertools.product((0.05, 0.1, 0.15, 0.2), (0.1, 0.2), (1, 2)):
        predicted = {
            a: [
                (s, e)
                for s, e, _ in decode_spans(
                    articles[a], *layout[a], oof[a].astype(np.float32), low, low + rise, gap
                )
            ]
            for a in articles
        }
        score = si_score(gold, predicted)
        row = {"low": low, "high": round(low + rise, 2), "gap": gap}
        rows.append(row | {k: round(v, 4) for k, v in score.items()})
    return rows


@click.command("techniques-encoder")
@data_folder_option(
    "--ptc", "ptc_dir", PTC, "PTC folder with train-articles/ and train-task-si.labels."
)
@click.option("--epochs", default=3, show_default=True)
@click.option("--lr", default=8e-5, show_default=True, help="Peak learning rate (AdamW).")
@click.option("--batch-size", default=16, show_default=True)
@click.option("--max-wordpieces", default=256, show_default=True, help="Window length.")
@click.option(
    "--train-layers",
    default=2,
    show_default=True,
    help="Fine-tune only the top N of MiniLM's 6 layers (6: all; fewer is faster).",
)
@click.option("--folds", default=5, show_default=True)
@click.option("--seed", default=13, show_default=True)
@click.option(
    "--cache",
    type=click.Path(path_type=Path),
    default=Path("/tmp/narrascope-si-encoder"),
    show_default=True,
    help="Folder for each fold's out-of-fold probabilities (an interrupted run resumes).",
)
@click.option(
    "--layers",
    type=int,
    default=None,
    help="Keep only MiniLM's first N layers (default: all 6; fewer is faster to run).",
)
@click.option("--cv-only", is_flag=True, help="Stop after the cross-validation.")
@output_option("Where to write the encoder (default: the shipped artifact).")
def train_encoder_command(
    ptc_dir: Path,
    epochs: int,
    lr: float,
    batch_size: int,
    max_wordpieces: int,
    train_layers: int,
    layers: int | None,
    folds: int,
    seed: int,
    cache: Path,
    cv_only: bool,
    output: Path | None,
) -> None:
    """Cross-validate, then fine-tune, the MiniLM span tagger on PTC train."""
    from narrascope.techniques.train import article_folds

    started = time.time()
    articles = read_articles(ptc_dir / "train-articles")
    gold = {
        a: merge_overlapping((g.start, g.end) for g in spans)
        for a, spans in spans_by_article(read_span_labels(ptc_dir / "train-task-si.labels")).items()
    }
    settings = NeuralSettings(
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        max_wordpieces=max_wordpieces,
        seed=seed,
        train_layers=train_layers,
        layers=layers,
    )
    fold_of = article_folds(sorted(articles), folds, seed)
    tag = f"e{epochs}-lr{lr}-b{batch_size}-w{max_wordpieces}-t{train_layers}-s{seed}-f{folds}"
    if layers is not None:
        tag += f"-l{layers}"

    def fold_file(k: int) -> Path:
        return cache / f"{tag}-fold{k}.pkl"

    oof: dict[str, np.ndarray] = {}
    todo = []
    for k in range(folds):
        if fold_file(k).exists():
            oof |= pickle.loads(fold_file(k).read_bytes())
        else:
            todo.append(k)

    def keep(k: int, result: dict[str, np.ndarray]) -> None:
        cache.mkdir(parents=True, exist_ok=True)
        fold_file(k).write_bytes(pickle.dumps(result))

    def log(message: str) -> None:
        click.echo(message, err=True)

    oof |= cross_validate(articles, gold, fold_of, settings, log, todo, keep)
    grid = encoder_si_grid(articles, {a: gold.get(a, []) for a in articles}, oof)
    best = max(grid, key=lambda r: r["f1"])
    click.echo(json.dumps({"encoder_alone": best, "grid": grid}), err=True)
    if cv_only:
        return
    examples = article_examples(articles, gold, sorted(articles), max_wordpieces)
    encoder = SpanEncoder(fine_tune(examples, settings, len(LABELS), log), settings)
    encoder.info = {
        "settings": vars(settings),
        "folds": folds,
        "cv_encoder_alone": best,
        "oof": oof,
        "train_articles": len(articles),
        "train_windows": len(examples),
        "trained_seconds": round(time.time() - started),
        "trained": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    target = output or shipped_encoder_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    encoder.save(target)
    click.echo(json.dumps({"model": str(target), "encoder_alone": best}))
