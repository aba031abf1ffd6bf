"""``narrascope train techniques`` and ``narrascope evaluate techniques``.

Training cross-validates each model with 5 folds by article on the shared train data (the
held-back splits are never read), prints the out-of-fold scores as JSON lines on stderr, then
refits on all of it and writes one artifact. Everything is seeded.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from narrascope.command_options import data_folder_option, model_option, output_option
from narrascope.paths import SHARED_DATA
from narrascope.techniques.data import (
    GoldSpan,
    read_articles,
    read_paragraph_labels,
    read_span_labels,
    spans_by_article,
)
from narrascope.techniques.labels import SEMEVAL2023_LANGUAGES, SEMEVAL2023_TECHNIQUES
from narrascope.techniques.model import TechniquesModel, shipped_model_path
from narrascope.techniques.neural import SpanEncoder, shipped_encoder_path
from narrascope.techniques.scoring import paragraph_f1, si_score, tc_micro_f1

DATA = SHARED_DATA
PTC = DATA / "ptc"
SEMEVAL2023 = DATA / "semeval2023-task3"
SI_SETTINGS: dict[str, Any] = {
    "hash_bits": 20,
    "sentence_words": True,
    "alpha": 1e-4,
    "blends": [0.3, 0.85, 1.0],
    "lows": [0.15, 0.2, 0.3, 0.4],
    "rises": [0.0, 0.2, 0.3, 0.4],
    "gaps": [1],
    "phrase_hash_bits": 20,
    "phrase_max_len": 6,
    "phrase_alpha": 1e-5,
    # k-means clusters of sentence-encoder word vectors (narrascope.techniques.clusters),
    # used by the phrase classifier and, where these flags say so, the sentence classifier
    # and the token tagger
    "word_clusters": 1024,
    "sentence_clusters": True,
    "token_clusters": False,
    # weight of each sentence's USE vector in the sentence classifier; 0 = none. With the
    # span encoder mixed in: SI 0.4455 -> 0.4525 (nested 0.4402 -> 0.4465) at 1, 0.4518 at 2
    # (docs/models/techniques.md)
    "sentence_use": 1.0,
    "phrase_thresholds": [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5],
    # Share of the MiniLM span encoder (train techniques-encoder) in the token scores and in
    # the phrase scores, chosen on its out-of-fold probabilities; 0 = not mixed in. Only
    # used when an encoder is shipped (or given with --encoder).
    "encoder_weights": [0.0, 0.8],
    "phrase_encoder_weights": [0.0, 0.6, 0.75, 0.9],
    # The encoder reads only the sentences the sentence classifier rates at least this
    # (SpanTagger.encoder_gate). Fold encoders reading only those sentences
    # (bench/si_encoder_gate.py --encoder-cv): SI 0.4526 / nested 0.4466 reading all,
    # 0.4530 / 0.4529 at 0.1, 0.4537 / 0.4537 at 0.15, 0.4507 / 0.4488 at 0.2; the stage
    # reads about half the sentences of unseen news at 0.15 (docs/models/techniques.md)
    "encoder_gate": 0.15,
    # Near-ties (within this much SI F1) go to phrase spans, then to the lower blend.
    "tolerance": 0.005,
}
TC_SETTINGS: dict[str, Any] = {
    "C": 0.3,
    "weights": {
        "word": 1.0,
        "char": 1.0,
        "context": 0.5,
        "cues": 1.0,
        "use_span": 1.0,
        "use_sentence": 1.0,
    },
}
# Paragraph taggers: logistic-regression C; weight of the span models' evidence (English).
PARAGRAPH_SETTINGS: dict[str, Any] = {"C": 1.0, "evidence_weight": 2.0}


def _log(row: dict[str, Any]) -> None:
    click.echo(json.dumps(row), err=True)


@click.command("techniques")
@data_folder_option(
    "--ptc",
    "ptc_dir",
    PTC,
    "PTC folder with train-articles/, train-task-si.labels, train-task-flc-tc.labels.",
)
@data_folder_option(
    "--semeval2023",
    "semeval_dir",
    SEMEVAL2023,
    "SemEval-2023 Task 3 folder with one folder per language.",
)
@click.option(
    "--languages",
    default=",".join(SEMEVAL2023_LANGUAGES),
    show_default=True,
    help="SemEval-2023 languages (corpus folder names) to train paragraph taggers for.",
)
@click.option("--folds", default=5, show_default=True)
@click.option("--seed", default=13, show_default=True)
@click.option(
    "--encoder",
    "encoder_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Span encoder whose out-of-fold scores the span tagger may mix in (default: the "
    "shipped one, from `narrascope train techniques-encoder`).",
)
@click.option("--no-encoder", is_flag=True, help="Train the span tagger without the encoder.")
@output_option("Where to write the model (default: the shipped artifact).")
def train_command(
    ptc_dir: Path,
    semeval_dir: Path,
    languages: str,
    folds: int,
    seed: int,
    encoder_path: Path | None,
    no_encoder: bool,
    output: Path | None,
) -> None:
    """Train the techniques models; scores are 5-fold cross-validated by article."""
    from narrascope.techniques.train import (
        article_folds,
        out_of_fold_evidence,
        train_classifier,
        train_paragraph_tagger,
        train_span_tagger,
    )

    started = time.time()
    articles = read_articles(ptc_dir / "train-articles")
    si_gold = spans_by_article(read_span_labels(ptc_dir / "train-task-si.labels"))
    tc_gold = read_span_labels(ptc_dir / "train-task-flc-tc.labels")
    encoder = None if no_encoder else _training_encoder(encoder_path, folds, seed)
    tagger, si_cv, fold_spans = train_span_tagger(
        articles, si_gold, folds, seed, SI_SETTINGS, _log, encoder.info["oof"] if encoder else None
    )
    classifier, tc_cv, fold_classifiers = train_classifier(
        articles, tc_gold, folds, seed, TC_SETTINGS, _log
    )
    # English paragraphs also see what the span models found in them; on the PTC training
    # articles only through the fold models that left the article out.
    evidence = out_of_fold_evidence(
        article_folds(list(articles), folds, seed),
        fold_spans,
        fold_classifiers,
        (tagger, classifier),
    )
    taggers, para_cv = {}, {}
    for folder in [x.strip() for x in languages.split(",") if x.strip()]:
        if folder not in SEMEVAL2023_LANGUAGES:
            raise click.UsageError(f"unknown SemEval-2023 language folder {folder!r}")
        base = semeval_dir / folder
        language = SEMEVAL2023_LANGUAGES[folder]
        taggers[language], para_cv[folder] = train_paragraph_tagger(
            read_articles(base / "train-articles"),
            read_paragraph_labels(base / "train-labels-subtask-3.txt"),
            SEMEVAL2023_TECHNIQUES,
            folds,
            seed,
            PARAGRAPH_SETTINGS,
            _log,
            evidence if language == "en" else None,
        )
    cv: dict[str, Any] = {
        "folds": folds,
        "seed": seed,
        "si": si_cv,
        "tc": tc_cv,
        "paragraphs": para_cv,
    }
    info = {
        "cv": cv,
        "settings": {"si": SI_SETTINGS, "tc": TC_SETTINGS, "paragraphs": PARAGRAPH_SETTINGS},
        "data": {"ptc_articles": len(articles), "tc_spans": len(tc_gold)},
        "encoder": encoder.info.get("trained") if encoder else None,
        "trained_seconds": round(time.time() - started, 1),
    }
    model = TechniquesModel(tagger, classifier, taggers, info)
    target = output or shipped_model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    click.echo(json.dumps({"model": str(target), **cv}))


def _training_encoder(path: Path | None, folds: int, seed: int) -> SpanEncoder | None:
    """The span encoder to mix in, if there is one and it was cross-validated on these folds."""
    path = path or shipped_encoder_path()
    if not path.exists():
        _log({"encoder": None, "reason": f"{path} not found; the span tagger trains without it"})
        return None
    encoder = SpanEncoder.load(path)
    trained = (encoder.info.get("folds"), encoder.settings.seed)
    if trained != (folds, seed):
        raise click.UsageError(
            f"{path} was cross-validated with (folds, seed) = {trained}, not {(folds, seed)}"
        )
    return encoder


def _evaluate_ptc(model: TechniquesModel, articles: dict[str, str], gold: list[GoldSpan]) -> dict:
    from narrascope.techniques.train import assign_labels

    missing = sorted({g.article for g in gold} - set(articles))
    if missing:
        raise click.UsageError(f"labels name articles not in the folder, e.g. article{missing[0]}")
    ids = sorted({g.article for g in gold} | set(articles))
    predicted = {a: [(s, e) for s, e, _ in model.span_tagger.spans(articles[a])] for a in ids}
    gold_spans = {a: [(g.start, g.end) for g in gold if g.article == a] for a in ids}
    si = si_score(gold_spans, predicted)
    result: dict[str, Any] = {
        "si_f1": round(si["f1"], 4),
        "si_precision": round(si["precision"], 4),
        "si_recall": round(si["recall"], 4),
        "articles": len(ids),
        "gold_spans": len(gold),
    }
    labelled = [g for g in gold if g.technique]
    if labelled:
        by_article = spans_by_article(labelled)
        order = [g for a in sorted(by_article) for g in by_article[a]]
        probs = model.classifier.proba(
            [articles[a] for a in sorted(by_article)],
            [[(g.start, g.end) for g in by_article[a]] for a in sorted(by_article)],
        )
        guesses = assign_labels(order, probs, model.classifier.classes)
        tc = tc_micro_f1([(g.article, g.start, g.end, g.technique) for g in order], guesses)
        result["tc_micro_f1"] = round(tc, 4)
    return result


def _evaluate_semeval2023(
    model: TechniquesModel, articles: dict[str, str], labels_path: Path, language: str
) -> dict:
    from narrascope.techniques.train import paragraph_bounds

    tagger = model.paragraph_taggers.get(language)
    if tagger is None:
        known = ", ".join(sorted(model.paragraph_taggers))
        raise click.UsageError(f"no paragraph model for language {language!r} (have: {known})")
    gold = read_paragraph_labels(labels_path)
    predicted: dict[tuple[str, int], list[str]] = {}
    for article, keys in _keys_by_article(gold).items():
        text = articles.get(article, "")
        bounds = paragraph_bounds(text, [line for _, line in keys])
        rows = model.paragraph_labels(text, bounds, language)
        predicted.update({k: [c for c, _ in row] for k, row in zip(keys, rows, strict=True)})
    score = paragraph_f1(gold, predicted, tagger.classes)
    return {**{k: round(v, 4) for k, v in score.items()}, "paragraphs": len(gold)}


def _keys_by_article(
    labels: dict[tuple[str, int], list[str]],
) -> dict[str, list[tuple[str, int]]]:
    grouped: dict[str, list[tuple[str, int]]] = {}
    for key in labels:
        grouped.setdefault(key[0], []).append(key)
    return grouped


@click.command("techniques")
@click.option("--scheme", type=click.Choice(["ptc", "semeval2023"]), required=True)
@click.option(
    "--articles",
    "articles_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder of article<ID>.txt files.",
)
@click.option(
    "--labels",
    "labels_path",
    required=True,
    type=click.Path(path_type=Path),
    help="PTC: id, technique, start, end (or id, start, end). SemEval-2023: id, line, techniques.",
)
@click.option(
    "--language",
    default="en",
    show_default=True,
    help="SemEval-2023 scheme: ISO 639-1 code of the articles (en fr de it pl ru).",
)
@model_option()
@click.option(
    "--encoder",
    "encoder_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Span encoder to use instead of the shipped one (when the model mixes one in).",
)
def evaluate_command(
    scheme: str,
    articles_dir: Path,
    labels_path: Path,
    language: str,
    model_path: Path | None,
    encoder_path: Path | None,
) -> None:
    """Score the techniques models; prints one JSON object."""
    if not labels_path.exists():
        raise click.UsageError(f"labels file not found: {labels_path}")
    try:
        articles = read_articles(articles_dir)
        model = TechniquesModel.load(model_path or shipped_model_path())
        if encoder_path is not None:
            model.span_tagger.attach_encoder(SpanEncoder.load(encoder_path))
        if scheme == "ptc":
            result = _evaluate_ptc(model, articles, read_span_labels(labels_path))
        else:
            result = _evaluate_semeval2023(model, articles, labels_path, language)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(json.dumps({"scheme": scheme, **result}))
