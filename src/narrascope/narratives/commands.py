"""``narrascope train narratives`` and ``narrascope evaluate narratives``.

Training reads every language folder of the SemEval-2025 Task 10 data, fits the narrative
model (thresholds from 5-fold out-of-fold scores) and the framing model (trained with the
narrative model's out-of-fold scores as context, as it will see at run time), and writes both
artifacts. ``evaluate --cv K`` re-runs that whole recipe inside K folds by document and scores
each document with models that never saw it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import click
import numpy as np

from narrascope.command_options import data_folder_option, output_option
from narrascope.narratives.data import LANGS, Article, read_corpus, read_language, read_taxonomy
from narrascope.narratives.scoring import role_scores, samples_f1
from narrascope.paths import SHARED_DATA

DATA = SHARED_DATA
DEFAULT_DATA = DATA / "semeval2025-task10"


def encode_articles(articles: Sequence[Article], cache_dir: Path | None) -> list[Any]:
    """USE-encode every article's sentences, reusing ``cache_dir`` entries when given."""
    from narrascope.narratives.encoder import split_sentences
    from narrascope.narratives.model import Encoded, encode_article

    out = []
    for article in articles:
        key = hashlib.sha1(article.text.encode("utf-8")).hexdigest()[:16]
        path = cache_dir / f"{key}.npy" if cache_dir else None
        if path is not None and path.exists():
            vectors = np.load(path)
            out.append(Encoded(article.text, article.lang, split_sentences(article.text), vectors))
            continue
        encoded = encode_article(article.text, article.lang)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, encoded.vectors.astype(np.float16))
        out.append(encoded)
    return out


def _sim_features(taxonomy: Any) -> Any:
    from narrascope.narratives.training import description_vectors

    labels = list(taxonomy.children) + [f for kids in taxonomy.children.values() for f in kids]
    return description_vectors(taxonomy, labels)


def train_both(
    articles: Sequence[Article], encoded: Sequence[Any], taxonomy: Any, sim: Any, seed: int
) -> tuple[Any, Any]:
    """Narrative model and framing model fitted on ``articles``."""
    from narrascope.narratives.framing import FramingSettings, fit_framing
    from narrascope.narratives.model import Settings
    from narrascope.narratives.training import fit_model

    settings = Settings(seed=seed)
    narratives, oof = fit_model(articles, encoded, taxonomy, sim, settings, return_oof=True)
    rows = []
    for article, enc, scores in zip(articles, encoded, oof, strict=True):
        labels = narratives.decide(
            scores[: len(narratives.coarse)], scores[len(narratives.coarse) :], article.lang
        )[0]
        inputs = mention_inputs(enc, article, labels, scores[: len(narratives.coarse)])
        for m, mi in zip(article.mentions, inputs, strict=True):
            rows.append((enc, mi, m.main_role, m.fine_roles))
    framing = fit_framing(rows, FramingSettings(seed=seed), sim)
    return narratives, framing


def mention_inputs(
    enc: Any, article: Article, labels: Sequence[str], scores: np.ndarray
) -> list[Any]:
    """Framing inputs for the article's gold mentions; same-name mentions are peers."""
    from narrascope.narratives.framing import MentionInput, grammar_of, sentence_index

    sentence = [sentence_index(enc, m.start) for m in article.mentions]
    parsed = english_parse(article.text) if article.lang == "en" else None
    return [
        MentionInput(
            m.start,
            m.end,
            sentence[i],
            list(labels),
            scores,
            [sentence[j] for j, o in enumerate(article.mentions) if o.entity == m.entity],
            grammar=grammar_of(parsed, m.start, m.end) if parsed is not None else (),
        )
        for i, m in enumerate(article.mentions)
    ]


@cache
def english_parse(text: str) -> Any:
    """The linguistic stage's spaCy parse of an English article (as the framing stage sees
    it at run time); cached, since cross-validation asks for each article several times."""
    from narrascope.stages.linguistic import spacy_english

    return spacy_english()(text)


def predict_articles(
    narratives: Any, framing: Any, articles: Sequence[Article], encoded: Sequence[Any]
) -> list[tuple[list[str], list[str], list[tuple[str, list[str]]]]]:
    """For each article: narratives, sub-narratives, and (main, fine roles) per gold mention."""
    from narrascope.narratives.framing import decide_roles

    out = []
    coarse, fine = narratives.scores(encoded)
    for k, (article, enc) in enumerate(zip(articles, encoded, strict=True)):
        labels, subs = narratives.decide(coarse[k], fine[k], article.lang)
        inputs = mention_inputs(enc, article, labels, coarse[k])
        main_p, fine_p = framing.probabilities(enc, inputs)
        roles = [decide_roles(main_p[i], fine_p[i])[:2] for i in range(len(inputs))]
        out.append((labels, subs, roles))
    return out


def score(articles: Sequence[Article], predictions: Sequence[Any]) -> dict[str, Any]:
    gold_m, pred_m, gold_f, pred_f = [], [], [], []
    for article, (_, _, roles) in zip(articles, predictions, strict=True):
        for m, (main, fines) in zip(article.mentions, roles, strict=True):
            gold_m.append(m.main_role)
            pred_m.append(main)
            gold_f.append(m.fine_roles)
            pred_f.append(fines)
    labelled = [i for i, a in enumerate(articles) if a.narratives]
    result: dict[str, Any] = {
        "narrative_f1_samples": samples_f1(
            [articles[i].narratives for i in labelled], [predictions[i][0] for i in labelled]
        ),
        "subnarrative_f1_samples": samples_f1(
            [articles[i].subnarratives for i in labelled], [predictions[i][1] for i in labelled]
        ),
        **role_scores(gold_m, pred_m, gold_f, pred_f),
    }
    result = {k: round(v, 4) for k, v in result.items()}
    result.update({"documents": len(labelled), "entity_mentions": len(gold_m)})
    return result


def cross_validate(
    articles: Sequence[Article], encoded: Sequence[Any], taxonomy: Any, folds: int, seed: int
) -> list[Any]:
    """Out-of-fold predictions for every article (every setting chosen inside the folds)."""
    from sklearn.model_selection import KFold

    sim = _sim_features(taxonomy)
    predictions: list[Any] = [None] * len(articles)
    for fold, (tr, te) in enumerate(
        KFold(folds, shuffle=True, random_state=seed).split(np.arange(len(articles)))
    ):
        click.echo(f"fold {fold + 1}/{folds}: training on {len(tr)} articles", err=True)
        narratives, framing = train_both(
            [articles[i] for i in tr], [encoded[i] for i in tr], taxonomy, sim, seed
        )
        test = [articles[i] for i in te]
        for i, pred in zip(
            te, predict_articles(narratives, framing, test, [encoded[i] for i in te]), strict=True
        ):
            predictions[i] = pred
    return predictions


def _langs(value: str) -> tuple[str, ...]:
    langs = tuple(v.strip().upper() for v in value.split(",") if v.strip())
    unknown = [v for v in langs if v not in LANGS]
    if unknown:
        raise click.UsageError(
            f"unknown language(s) {', '.join(unknown)} (known: {', '.join(LANGS)})"
        )
    return langs


# Options that train and evaluate share.
SEED_OPTION = click.option("--seed", default=13, show_default=True)
CACHE_OPTION = click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder to keep sentence vectors in between runs.",
)


@click.command("narratives")
@data_folder_option(
    "--data",
    "data_path",
    DEFAULT_DATA,
    "SemEval-2025 Task 10 folder (<LANG>/raw-documents, annotations, taxonomy/).",
)
@click.option(
    "--langs", default=",".join(LANGS), show_default=True, help="Language folders to train on."
)
@SEED_OPTION
@CACHE_OPTION
@output_option("Folder for the two model files (default: the shipped ones).")
def train_command(
    data_path: Path, langs: str, seed: int, cache_dir: Path | None, output: Path | None
) -> None:
    """Train the narratives and framing models on the SemEval-2025 Task 10 data."""
    from threadpoolctl import threadpool_limits

    from narrascope.narratives.framing import shipped_framing_path
    from narrascope.narratives.model import shipped_model_path

    started = time.time()
    articles, taxonomy = _read(data_path, _langs(langs))
    # One BLAS thread: on a shared 2-core machine more threads only fight (10x slower fits).
    with threadpool_limits(1):
        encoded = encode_articles(articles, cache_dir)
        narratives, framing = train_both(articles, encoded, taxonomy, _sim_features(taxonomy), seed)
    counts = {lang: sum(a.lang == lang.lower() for a in articles) for lang in _langs(langs)}
    info = {"data": counts, "seed": seed, "trained_seconds": round(time.time() - started, 1)}
    narratives.info.update(info)
    framing.info.update(info)
    targets = (
        (output / "narratives.joblib", output / "framing.joblib")
        if output
        else (shipped_model_path(), shipped_framing_path())
    )
    for model, target in zip((narratives, framing), targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        model.save(target)
    click.echo(json.dumps({"models": [str(t) for t in targets], **info}))


def _read(data_path: Path, langs: tuple[str, ...]) -> tuple[list[Article], Any]:
    taxonomy_dir = data_path / "taxonomy"
    if not taxonomy_dir.is_dir():
        raise click.UsageError(
            f"{taxonomy_dir}: not found (the taxonomy files are needed to train)"
        )
    try:
        return read_corpus(data_path, langs), read_taxonomy(taxonomy_dir)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@click.command("narratives")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder in the SemEval-2025 Task 10 layout.",
)
@click.option("--lang", required=True, help="Language folder to score (EN, RU, BG, PT, HI).")
@click.option(
    "--cv",
    "folds",
    type=click.IntRange(2, 20),
    default=None,
    help="Cross-validate by document over all languages in DATA instead of scoring the shipped models.",
)
@SEED_OPTION
@CACHE_OPTION
@click.option(
    "--model-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder with narratives.joblib and framing.joblib (default: the shipped models).",
)
def evaluate_command(
    data_path: Path,
    lang: str,
    folds: int | None,
    seed: int,
    cache_dir: Path | None,
    model_dir: Path | None,
) -> None:
    """Score narratives (samples-F1) and entity roles on one language of a SemEval folder."""
    code = _langs(lang)[0]
    if folds:
        articles, taxonomy = _read(
            data_path, tuple(lg for lg in LANGS if (data_path / lg).is_dir())
        )
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            encoded = encode_articles(articles, cache_dir)
            predictions = cross_validate(articles, encoded, taxonomy, folds, seed)
        by_language = {}
        for lg in sorted({a.lang for a in articles}):
            idx = [i for i, a in enumerate(articles) if a.lang == lg]
            by_language[lg.upper()] = score(
                [articles[i] for i in idx], [predictions[i] for i in idx]
            )
        if code not in by_language:
            raise click.UsageError(f"no {code} documents in {data_path}")
        result = {**by_language[code], "cv_folds": folds, "seed": seed, "by_language": by_language}
    else:
        try:
            articles = read_language(data_path, code)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        narratives, framing = _load(model_dir)
        encoded = encode_articles(articles, cache_dir)
        result = score(articles, predict_articles(narratives, framing, articles, encoded))
    click.echo(json.dumps({"data": str(data_path), "lang": code, **result}))


def _load(model_dir: Path | None) -> tuple[Any, Any]:
    from narrascope.narratives.framing import FramingModel, shipped_framing
    from narrascope.narratives.model import NarrativeModel, shipped_model

    if model_dir is None:
        return shipped_model(), shipped_framing()
    return (
        NarrativeModel.load(model_dir / "narratives.joblib"),
        FramingModel.load(model_dir / "framing.joblib"),
    )
