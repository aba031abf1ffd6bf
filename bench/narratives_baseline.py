"""Baseline for the narratives model card: per-language TF-IDF + logistic regression.

Same outer folds as ``narrascope evaluate narratives --cv 5`` (KFold over all articles of all
languages, shuffled with seed 13), but each language gets its own vectoriser and one-vs-rest
logistic regression, trained on that language's training documents only. A label is predicted
at probability >= 0.5, else the most probable label (coarse and fine alike).

    PYTHONPATH=src python bench/narratives_baseline.py [--data ../shared/data/semeval2025-task10]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

from narrascope.narratives.data import LANGS, read_corpus
from narrascope.narratives.scoring import samples_f1
from narrascope.paths import SHARED_DATA

DEFAULT_DATA = SHARED_DATA / "semeval2025-task10"
SEED = 13


def fit_predict(
    train_texts: list[str], train_labels: list[list[str]], test_texts: list[str]
) -> list[list[str]]:
    binarizer = MultiLabelBinarizer()
    y = binarizer.fit_transform(train_labels)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vectorizer.fit_transform(train_texts)
    keep = y.sum(axis=0) > 0
    y = y[:, keep]
    classes = binarizer.classes_[keep]
    if y.shape[1] == 1:  # one label only: predict it
        return [[str(classes[0])] for _ in test_texts]
    clf = OneVsRestClassifier(LogisticRegression(C=10, max_iter=2000, random_state=SEED))
    # A label present in every training document breaks LR; it is then always predicted.
    constant = y.min(axis=0) == 1
    clf.fit(x, np.where(constant[None, :], 0, y) if constant.any() else y)
    proba = clf.predict_proba(vectorizer.transform(test_texts))
    proba[:, constant] = 1.0
    out = []
    for row in proba:
        chosen = [str(classes[j]) for j in np.flatnonzero(row >= 0.5)]
        out.append(chosen or [str(classes[int(row.argmax())])])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    articles = read_corpus(args.data)
    coarse: list[list[str]] = [[] for _ in articles]
    fine: list[list[str]] = [[] for _ in articles]
    for tr, te in KFold(5, shuffle=True, random_state=SEED).split(np.arange(len(articles))):
        for lang in LANGS:
            tr_l = [i for i in tr if articles[i].lang == lang.lower()]
            te_l = [i for i in te if articles[i].lang == lang.lower()]
            if not tr_l or not te_l:
                continue
            texts = [articles[i].text for i in tr_l]
            test = [articles[i].text for i in te_l]
            for target, attr in ((coarse, "narratives"), (fine, "subnarratives")):
                preds = fit_predict(texts, [getattr(articles[i], attr) for i in tr_l], test)
                for i, p in zip(te_l, preds, strict=True):
                    target[i] = p
    result = {}
    for lang in LANGS:
        idx = [i for i, a in enumerate(articles) if a.lang == lang.lower()]
        if idx:
            result[lang] = {
                "narrative_f1_samples": round(
                    samples_f1([articles[i].narratives for i in idx], [coarse[i] for i in idx]), 4
                ),
                "subnarrative_f1_samples": round(
                    samples_f1([articles[i].subnarratives for i in idx], [fine[i] for i in idx]), 4
                ),
                "documents": len(idx),
            }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
