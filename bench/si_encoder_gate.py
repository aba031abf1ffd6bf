"""What SI costs if the span encoder reads only the sentences the sentence classifier finds likely.

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python bench/si_encoder_gate.py --gates 0,0.1,0.15,0.2

The MiniLM span encoder is the techniques stage's costliest part, and its cost grows with the
tokens it reads. This bench runs the SI cross-validation of ``narrascope train techniques``
(``train_span_tagger``: same folds, seed, settings, decoding grid and the shipped encoder's
out-of-fold token probabilities) once, keeping its out-of-fold scores, then replays the
decoding grid with the encoder's probabilities gated as the train command gates them
(``train.gated_encoder_oof``: every token whose sentence the out-of-fold sentence classifier
rates below the gate keeps the token tagger's own probability, as the stage does for a
sentence the encoder skips). Gate 0 reproduces the train command's SI. Prints one JSON line
per gate: the share of tokens the encoder still reads, SI of the decoding ``choose_decoding``
picks, and the nested SI (decodings chosen without the scored fold).
The first run caches the out-of-fold scores in ``--cache`` (default /tmp/si-gate, about 6
minutes); later runs replay only the grid.

That replay keeps each sentence's encoder probabilities as the encoder gave them reading the
whole article. The stage packs only the sentences it reads into the encoder's windows, so a
sentence read may see other neighbours, and MiniLM's probabilities move with them (by 0.03 on
average on training articles). ``--encoder-cv`` measures that too: it fine-tunes each fold's
encoder again (the train command's folds and the shipped encoder's settings; about 35 minutes,
each fold cached) and has it read only the gated sentences of the held-out articles, as the
stage does; the grid then replays those probabilities.
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np

import narrascope.techniques.train as train
from narrascope.paths import SHARED_DATA
from narrascope.techniques.commands import SI_SETTINGS, _training_encoder
from narrascope.techniques.data import read_articles, read_span_labels, spans_by_article
from narrascope.techniques.features import sentence_bounds
from narrascope.techniques.scoring import merge_overlapping


def capture_oof(articles: dict[str, str], gold: dict[str, Any], folds: int, seed: int) -> dict:
    """Run the train command's SI cross-validation, keeping the out-of-fold scores it decodes."""
    kept: dict[str, Any] = {}
    real_sentence_oof, real_phrase = train.token_and_sentence_oof, train.train_phrase_tagger

    def sentence_oof(_articles: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
        out = real_sentence_oof(_articles, data, *args, **kwargs)
        kept.update(meta=data.meta, sent_offset=data.sent_offset, oof_tok=out[0], oof_sent=out[1])
        return out

    def phrase_tagger(*args: Any, **kwargs: Any) -> Any:
        out = real_phrase(*args, **kwargs)
        kept["phrase_oof"] = out[0]
        return out

    train.token_and_sentence_oof, train.train_phrase_tagger = sentence_oof, phrase_tagger
    try:
        encoder = _training_encoder(None, folds, seed)
        assert encoder is not None, "the shipped span encoder is needed"
        _, cv, _ = train.train_span_tagger(
            articles, gold, folds, seed, SI_SETTINGS, lambda row: None, encoder.info["oof"]
        )
    finally:
        train.token_and_sentence_oof, train.train_phrase_tagger = real_sentence_oof, real_phrase
    kept["encoder_oof"] = encoder.info["oof"]
    kept["cv"] = {"best": cv["best"]["si_f1"], "nested": cv["nested"]["si_f1"]}
    return kept


def sentences_read(kept: dict, articles: dict[str, str], gate: float) -> dict[str, np.ndarray]:
    """Per article, whether the gate lets the encoder read each sentence (out-of-fold)."""
    out = {}
    for a, text in articles.items():
        first = kept["sent_offset"][a]
        out[a] = kept["oof_sent"][first : first + len(sentence_bounds(text))] >= gate
    return out


def gated_encoder_cv(
    articles: dict[str, str], gold: dict[str, Any], kept: dict, gates: list[float], args: Any
) -> dict[float, dict[str, np.ndarray]]:
    """Each fold's encoder, fine-tuned again (``neural.cross_validate``), reading only the
    gated sentences of its held-out articles: gate -> article -> token probabilities (NaN:
    not read). Each fold's result is cached in ``args.cache``."""
    from narrascope.techniques.neural import SpanEncoder, cross_validate

    settings = _training_encoder(None, args.folds, args.seed).settings  # type: ignore[union-attr]
    spans = {a: merge_overlapping((g.start, g.end) for g in gold.get(a, [])) for a in articles}
    fold_of = train.article_folds(sorted(articles), args.folds, args.seed)
    reads = {g: sentences_read(kept, articles, g) for g in gates}

    def fold_file(k: int) -> Path:
        return args.cache / f"encoder-fold{k}-gates{','.join(map(str, gates))}.pkl"

    def gated_reading(model: SpanEncoder, a: str) -> dict[float, np.ndarray]:
        return {g: model.token_probabilities(articles[a], reads[g][a])[2] for g in gates}

    def keep(k: int, result: dict[str, Any]) -> None:
        fold_file(k).write_bytes(pickle.dumps(result))
        print(json.dumps({"encoder_fold": k, "done": True}), flush=True)

    by_article: dict[str, dict[float, np.ndarray]] = {}
    todo = []
    for k in range(args.folds):
        if fold_file(k).exists():
            by_article |= pickle.loads(fold_file(k).read_bytes())
        else:
            todo.append(k)
    if todo:
        by_article |= cross_validate(
            articles, spans, fold_of, settings, lambda m: None, todo, keep, gated_reading
        )
    return {g: {a: probs[g] for a, probs in by_article.items()} for g in gates}


def gated(
    kept: dict, gate: float, encoder_probs: dict[str, np.ndarray] | None = None
) -> tuple[dict[str, np.ndarray], int, int]:
    """The encoder's probabilities as the train command gates them; tokens read, in all.
    ``encoder_probs``: the gated encoder's (NaN where it did not read), instead of the
    stored whole-article ones."""
    probs = kept["encoder_oof"] if encoder_probs is None else encoder_probs
    out = train.gated_encoder_oof(
        probs, kept["meta"], kept["oof_tok"], kept["oof_sent"], kept["sent_offset"], gate
    )
    read, total = 0, 0
    for a, (toks, sent, _) in kept["meta"].items():
        p_sent = kept["oof_sent"][kept["sent_offset"][a] + np.asarray(sent, dtype=int)]
        read += int(((p_sent >= gate) & ~np.isnan(np.asarray(probs[a], dtype=np.float32))).sum())
        total += len(toks)
    return out, read, total


def replay(
    articles: dict,
    gold: dict,
    kept: dict,
    gate: float,
    folds: int,
    seed: int,
    encoder_probs: dict[str, np.ndarray] | None = None,
) -> dict:
    probs, read, total = gated(kept, gate, encoder_probs)
    long_spans = train.long_span_grid(
        articles,
        kept["meta"],
        kept["oof_tok"],
        kept["oof_sent"],
        kept["sent_offset"],
        SI_SETTINGS,
        probs,
    )
    ids = sorted(articles)
    gold_spans = {a: [(g.start, g.end) for g in gold.get(a, [])] for a in ids}
    counts: list[np.ndarray] = []
    results = train.decoding_grid(
        gold_spans,
        long_spans,
        kept["phrase_oof"],
        SI_SETTINGS["phrase_thresholds"],
        probs,
        SI_SETTINGS.get("phrase_encoder_weights", [0.0]),
        counts=counts,
    )
    best = train.choose_decoding(results, SI_SETTINGS["tolerance"])
    fold_of = train.article_folds(ids, folds, seed)
    nested = train.nested_decoding_score(results, counts, ids, fold_of, SI_SETTINGS["tolerance"])
    return {
        "encoder": "fold encoders reading the gated sentences" if encoder_probs else "stored",
        "gate": gate,
        "tokens_read": round(read / total, 3),
        "si_f1": best["si_f1"],
        "si_nested": nested["si_f1"],
        "decoding": {k: best[k] for k in train.DECODING_KEYS},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ptc", type=Path, default=SHARED_DATA / "ptc")
    parser.add_argument("--gates", default="0,0.1,0.15,0.2")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/si-gate"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--encoder-cv", action="store_true", help="fine-tune the folds again")
    args = parser.parse_args()
    articles = read_articles(args.ptc / "train-articles")
    gold = spans_by_article(read_span_labels(args.ptc / "train-task-si.labels"))
    path = args.cache / "oof.pkl"
    if path.exists():
        kept = pickle.loads(path.read_bytes())
    else:
        kept = capture_oof(articles, gold, args.folds, args.seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(kept))
    print(json.dumps({"train_command_si": kept["cv"]}), flush=True)
    gates = [float(g) for g in args.gates.split(",")]
    if args.encoder_cv:
        real = gated_encoder_cv(articles, gold, kept, gates, args)
        for gate in gates:
            row = replay(articles, gold, kept, gate, args.folds, args.seed, real[gate])
            print(json.dumps(row), flush=True)
        return
    for gate in gates:
        print(json.dumps(replay(articles, gold, kept, gate, args.folds, args.seed)), flush=True)


if __name__ == "__main__":
    main()
