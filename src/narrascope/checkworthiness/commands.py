"""``narrascope train checkworthiness`` and ``narrascope evaluate checkworthiness``.

Training picks the feature set, the regularisation C and the decision threshold by stratified
cross-validation on the CheckThat! 2024 train split only (the dev split stays unseen), then
refits on all of it. Everything is seeded, so the same data gives the same artifact.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import click
import numpy as np

from narrascope.checkworthiness.data import read_claimbuster, read_ct24
from narrascope.checkworthiness.model import (
    CheckworthinessModel,
    Settings,
    build_pipeline,
    shipped_model_path,
)
from narrascope.checkworthiness.scoring import score_binary
from narrascope.command_options import model_option, output_option
from narrascope.paths import SHARED_DATA

DATA = SHARED_DATA
CT24 = DATA / "checkthat" / "ct24"
DEFAULT_TRAIN = CT24 / "CT24_checkworthy_english_train.tsv"
DEFAULT_HELD_OUT = (
    CT24 / "CT24_checkworthy_english_dev.tsv",
    CT24 / "CT24_checkworthy_english_test.tsv",
)
CLAIMBUSTER = DATA / "claimbuster" / "two_class" / "kfold_25ncs.csv"
THRESHOLDS = np.round(np.arange(0.30, 0.81, 0.025), 3)
# Feature sets compared by cross-validation: (name, use_char, use_cues).
FEATURE_SETS = (("word", False, False), ("word+cues", False, True), ("word+char+cues", True, True))


def _normal(text: str) -> str:
    """Letters and digits only: ClaimBuster copies of CT24 sentences differ in punctuation."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _held_out_texts(paths: tuple[Path, ...]) -> set[str]:
    """Texts of evaluation files, kept out of any extra training data (ClaimBuster overlaps)."""
    texts: set[str] = set()
    for path in paths:
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                next(handle, None)
                texts.update(_normal(line.split("\t")[1]) for line in handle if "\t" in line)
    return texts


def load_training_data(
    train: Path, claimbuster: Path | None, held_out: tuple[Path, ...]
) -> tuple[list[str], list[int], dict[str, int]]:
    texts, labels, _ = read_ct24(train)
    counts = {"ct24_train": len(texts)}
    if claimbuster is not None:
        seen = {_normal(t) for t in texts} | _held_out_texts(held_out)
        extra_texts, extra_labels = read_claimbuster(claimbuster)
        added = 0
        for text, label in zip(extra_texts, extra_labels, strict=True):
            if _normal(text) not in seen:
                seen.add(_normal(text))
                texts.append(text)
                labels.append(label)
                added += 1
        counts["claimbuster_added"] = added
    return texts, labels, counts


def _best_threshold(gold: np.ndarray, probs: np.ndarray) -> tuple[float, float]:
    gold_list = gold.tolist()
    best = max(
        (score_binary(gold_list, (probs >= t).tolist())["f1_positive"], float(t))
        for t in THRESHOLDS
    )
    return best[1], float(best[0])


def cross_validate(
    texts: list[str],
    labels: list[int],
    c_grid: list[float],
    folds: int,
    seed: int,
    feature_sets: tuple[tuple[str, bool, bool], ...] = FEATURE_SETS,
) -> list[dict[str, Any]]:
    """Out-of-fold F1 for every feature set and C; features are fitted once per fold."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(labels)
    text_arr = np.asarray(texts, dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    results = []
    for name, use_char, use_cues in feature_sets:
        oof = {c: np.zeros(len(y)) for c in c_grid}
        for train_idx, test_idx in splitter.split(text_arr, y):
            settings = Settings(use_char=use_char, use_cues=use_cues, seed=seed)
            pipe = build_pipeline(settings)
            features = pipe.named_steps["features"]
            x_train = features.fit_transform(list(text_arr[train_idx]))
            x_test = features.transform(list(text_arr[test_idx]))
            for c in c_grid:
                lr = clone(pipe.named_steps["lr"]).set_params(C=c)
                lr.fit(x_train, y[train_idx])
                oof[c][test_idx] = lr.predict_proba(x_test)[:, 1]
        for c in c_grid:
            threshold, f1 = _best_threshold(y, oof[c])
            row = {"features": name, "C": c, "threshold": threshold, "cv_f1": round(f1, 4)}
            results.append(row)
            click.echo(json.dumps(row), err=True)
    return results


@click.command("checkworthiness")
@click.option(
    "--train",
    "train_path",
    type=click.Path(exists=True, path_type=Path),
    default=DEFAULT_TRAIN,
    show_default=True,
    help="CheckThat! 2024 Task 1 train TSV.",
)
@click.option(
    "--claimbuster",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Also train on ClaimBuster two-class data (e.g. {CLAIMBUSTER}); "
    "sentences of the dev/test files are removed from it.",
)
@click.option("--c-grid", default="1,2,4,8", show_default=True, help="Values of C to compare.")
@click.option(
    "--features",
    "feature_names",
    default=",".join(n for n, _, _ in FEATURE_SETS),
    show_default=True,
    help="Feature sets to compare.",
)
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds.")
@click.option("--seed", default=13, show_default=True)
@output_option("Where to write the model (default: the shipped artifact).")
def train_command(
    train_path: Path,
    claimbuster: Path | None,
    c_grid: str,
    feature_names: str,
    folds: int,
    seed: int,
    output: Path | None,
) -> None:
    """Train the check-worthiness classifier; settings chosen by CV on the train split."""
    started = time.time()
    texts, labels, counts = load_training_data(train_path, claimbuster, DEFAULT_HELD_OUT)
    grid = [float(c) for c in c_grid.split(",")]
    wanted = [n.strip() for n in feature_names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in {f[0] for f in FEATURE_SETS}]
    if unknown:
        known = ", ".join(f[0] for f in FEATURE_SETS)
        raise click.UsageError(f"unknown feature set(s) {', '.join(unknown)} (known: {known})")
    feature_sets = tuple(f for f in FEATURE_SETS if f[0] in wanted)
    results = cross_validate(texts, labels, grid, folds, seed, feature_sets)
    best = max(results, key=lambda r: r["cv_f1"])
    use_char, use_cues = next((c, q) for n, c, q in FEATURE_SETS if n == best["features"])
    settings = Settings(C=best["C"], use_char=use_char, use_cues=use_cues, seed=seed)
    pipeline = build_pipeline(settings).fit(texts, labels)
    info = {
        "settings": {k: v for k, v in vars(settings).items() if k != "extra"},
        "chosen": best,
        "cv": results,
        "data": counts,
        "train_file": train_path.name,
        "trained_seconds": round(time.time() - started, 1),
    }
    model = CheckworthinessModel(pipeline, best["threshold"], info)
    target = output or shipped_model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    click.echo(json.dumps({"model": str(target), **best, "data": counts}))


@click.command("checkworthiness")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(path_type=Path),
    help="CheckThat! 2024 Task 1 TSV with Sentence_id, Text, class_label (Yes/No).",
)
@model_option()
def evaluate_command(data_path: Path, model_path: Path | None) -> None:
    """Score the check-worthiness classifier: F1 of the Yes class (official), P, R, accuracy."""
    if not data_path.exists():
        raise click.UsageError(f"data file not found: {data_path}")
    try:
        texts, gold, _ = read_ct24(data_path)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    model = CheckworthinessModel.load(model_path or shipped_model_path())
    predicted = [int(p) for p in model.predict(texts)]
    result = {"data": str(data_path), **score_binary(gold, predicted), "threshold": model.threshold}
    click.echo(json.dumps(result))
