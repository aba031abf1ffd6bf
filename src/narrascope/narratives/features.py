"""Sparse n-gram features with a hashed, pruned vocabulary, and kernel ridge regression.

Hashing keeps no vocabulary; pruning to the columns that occur in enough training documents
keeps the weight matrices small (the shipped artifacts stay a few MB). Ridge is solved in
the dual (documents x documents kernel), which makes nested cross-validation cheap: one
eigen-decomposition per training set serves every regularisation strength.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

HASH_FEATURES = 2**20


def _hasher(analyzer: str, ngrams: tuple[int, int]) -> object:
    from sklearn.feature_extraction.text import HashingVectorizer

    # "tokens": the text is already a space-separated list of feature names.
    pattern = r"\S+" if analyzer == "tokens" else r"(?u)\b\w\w+\b"
    return HashingVectorizer(
        analyzer="word" if analyzer == "tokens" else analyzer,
        token_pattern=pattern,
        ngram_range=ngrams,
        n_features=HASH_FEATURES,
        alternate_sign=False,
        norm=None,
        lowercase=True,
        dtype=np.float32,
    )


@dataclass
class NgramBlock:
    """TF-IDF over hashed n-grams restricted to ``columns`` (sublinear tf, L2 rows)."""

    analyzer: str
    ngrams: tuple[int, int]
    columns: np.ndarray  # int32 hash columns kept
    idf: np.ndarray  # float32, one per kept column

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        analyzer: str,
        ngrams: tuple[int, int],
        max_features: int,
        min_df: int = 2,
    ) -> NgramBlock:
        counts = _hasher(analyzer, ngrams).transform(texts)  # type: ignore[attr-defined]
        df = np.asarray((counts > 0).sum(axis=0)).ravel()
        eligible = np.flatnonzero(df >= min_df)
        # Most frequent first, then by column for a stable order among equals.
        order = np.lexsort((eligible, -df[eligible]))[:max_features]
        columns = np.sort(eligible[order]).astype(np.int32)
        idf = (np.log((1 + len(texts)) / (1 + df[columns])) + 1).astype(np.float32)
        return cls(analyzer, ngrams, columns, idf)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        counts = _hasher(self.analyzer, self.ngrams).transform(texts)  # type: ignore[attr-defined]
        counts.sort_indices()
        # Keep the pruned columns by a lookup table rather than fancy column indexing, which
        # scipy does by scanning every row against all kept columns (slow at run time).
        kept = self._position()[counts.indices]
        keep = kept >= 0
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[keep]
        values = (1 + np.log(counts.data[keep])) * self.idf[kept[keep]]
        norms = np.sqrt(np.bincount(rows, weights=values**2, minlength=counts.shape[0]))
        norms[norms == 0] = 1
        values = (values / norms[rows]).astype(np.float32)
        shape = (counts.shape[0], len(self.columns))
        return sparse.csr_matrix((values, (rows, kept[keep])), shape=shape, dtype=np.float32)

    def _position(self) -> np.ndarray:
        """Hash column -> index among the kept columns (-1 where pruned), built once."""
        cached = self.__dict__.get("_position_table")
        if cached is None:
            cached = np.full(HASH_FEATURES, -1, dtype=np.int32)
            cached[self.columns] = np.arange(len(self.columns), dtype=np.int32)
            self.__dict__["_position_table"] = cached
        return cached

    def __getstate__(self) -> dict[str, object]:
        # The lookup table is derived (4 MB); artifacts keep only the columns.
        return {k: v for k, v in self.__dict__.items() if k != "_position_table"}


class DualRidge:
    """Ridge regression from a kernel: scores = K_test,train (K + alpha I)^-1 (Y - mean)."""

    def __init__(self, kernel: np.ndarray, targets: np.ndarray) -> None:
        self.mean = targets.mean(axis=0)
        # +1 on the kernel is an unregularised-ish intercept; the centred targets do the rest.
        self.values, self.vectors = np.linalg.eigh(kernel.astype(np.float64) + 1.0)
        self.projected = self.vectors.T @ (targets - self.mean)

    def coefficients(self, alpha: float) -> np.ndarray:
        return self.vectors @ (self.projected / (self.values + alpha)[:, None])

    def scores(self, kernel_rows: np.ndarray, alpha: float) -> np.ndarray:
        return (kernel_rows + 1.0) @ self.coefficients(alpha) + self.mean
