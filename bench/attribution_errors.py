"""Error analysis of an attribution finder on a PolNeAR split (dev by default).

For each role, every gold and predicted span of each annotator file falls in one class:
``exact`` (same characters), ``boundary`` (overlaps a span of the other side, not exactly),
``missed`` (a gold span no prediction touches) or ``spurious`` (a prediction touching no gold
span). The most frequent texts of each class are listed, and for boundary errors the words
the prediction has too many or too few at each end (``+start:that`` = the prediction starts
with an extra "that"). Used to choose what to fix; it prints, it does not score.

    PYTHONPATH=src .venv/bin/python bench/attribution_errors.py --source stage --top 25
"""

from __future__ import annotations

import argparse
from collections import Counter

from narrascope.attribution.commands import (
    DEFAULT_CACHE,
    find_candidates,
    gold_spans,
    parse_articles,
    predicted_spans,
)
from narrascope.attribution.polnear import ROLES, Fragments, read_split
from narrascope.attribution.scoring import normalize
from narrascope.paths import SHARED_DATA


def _touches(a: Fragments, b: Fragments) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def _words(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].split()[:3]).lower()


def _edge_diff(text: str, pred: Fragments, gold: Fragments) -> list[str]:
    """What the prediction adds (+) or lacks (-) at its start and end, a few words each."""
    out = []
    ps, pe, gs, ge = pred[0][0], pred[-1][1], gold[0][0], gold[-1][1]
    if ps < gs:
        out.append("+start:" + _words(text, ps, gs))
    elif ps > gs:
        out.append("-start:" + _words(text, gs, ps))
    if pe > ge:
        out.append("+end:" + " ".join(text[ge:pe].split()[-3:]).lower())
    elif pe < ge:
        out.append("-end:" + " ".join(text[pe:ge].split()[-3:]).lower())
    if len(pred) != len(gold):
        out.append(f"fragments:{len(pred)}vs{len(gold)}")
    return out


def analyse(source: str, split: str, top: int, roles: list[str]) -> None:
    articles = read_split(SHARED_DATA / "polnear", split)
    docs = parse_articles(articles, DEFAULT_CACHE)
    found = find_candidates(docs, source)
    counts: dict[str, Counter[str]] = {}
    texts: dict[str, Counter[str]] = {}
    for article, candidates in zip(articles, found, strict=True):
        text = article.text
        predicted_all = predicted_spans(text, candidates)
        for annotation in article.annotations:
            gold_all = gold_spans(article, annotation)
            for role in roles:
                gold = sorted({n for f in gold_all[role] if (n := normalize(text, f))})
                pred = sorted({n for f in predicted_all[role] if (n := normalize(text, f))})
                _classify(text, role, gold, pred, counts, texts)
    for role in roles:
        print(f"\n=== {role}: {dict(counts.get(role, Counter()))}")
        for kind in ("missed", "spurious", "boundary"):
            common = texts.get(f"{role}/{kind}", Counter()).most_common(top)
            print(f"--- {kind}: " + "; ".join(f"{t!r} {n}" for t, n in common))


def _classify(
    text: str,
    role: str,
    gold: list[Fragments],
    pred: list[Fragments],
    counts: dict[str, Counter[str]],
    texts: dict[str, Counter[str]],
) -> None:
    tally = counts.setdefault(role, Counter())
    exact = set(gold) & set(pred)
    tally["exact"] += len(exact)

    def label(span: Fragments) -> str:
        raw = " ".join(text[s:e] for s, e in span)
        flat = " ".join(raw.split()).lower()
        return flat if role != "content" else f"<{len(flat.split())} words>"

    for g in gold:
        if g in exact:
            continue
        partners = [p for p in pred if _touches(p, g)]
        if not partners:
            tally["missed"] += 1
            texts.setdefault(f"{role}/missed", Counter())[label(g)] += 1
        else:
            tally["boundary"] += 1
            best = max(partners, key=lambda p: -abs(p[0][0] - g[0][0]) - abs(p[-1][1] - g[-1][1]))
            for diff in _edge_diff(text, best, g):
                texts.setdefault(f"{role}/boundary", Counter())[diff] += 1
    for p in pred:
        if p not in exact and not any(_touches(p, g) for g in gold):
            tally["spurious"] += 1
            texts.setdefault(f"{role}/spurious", Counter())[label(p)] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="tagger", choices=["tagger", "rules", "both", "stage"])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--roles", default=",".join(ROLES))
    args = parser.parse_args()
    analyse(args.source, args.split, args.top, args.roles.split(","))


if __name__ == "__main__":
    main()
