"""A learned attribution tagger: linear-chain CRF over spaCy parses, trained on PolNeAR.

Each token of an article gets one of seven BIO labels (``B-SRC``/``I-SRC`` source,
``B-CUE``/``I-CUE`` cue, ``B-CON``/``I-CON`` content, ``O``). The whole article is one sequence,
line breaks included, so a quotation running over several sentences or paragraphs can be one
content span. Features: the token and its neighbours (form, lemma, shape, part of speech,
dependency, entity), its syntactic head, the path up to the nearest cue-like governor (a lemma
often annotated as a cue in training, e.g. "said", "according"), the quotation state, and the
position in the sentence. Tagged spans are then grouped into relations (source, cue, content)
per sentence (:func:`group`).

The model (CRFsuite weights, the cue lexicon and the settings) ships as one joblib file under
``narrascope/models/attribution``; :func:`shipped_tagger` loads it once per process.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from narrascope.artifacts import load_joblib, save_joblib, shipped_path
from narrascope.attribution.candidate import Candidate, Offsets

MODEL_FILE = "tagger.joblib"
LABEL_OF_ROLE = {"source": "SRC", "cue": "CUE", "content": "CON"}
ROLE_OF_LABEL = {v: k for k, v in LABEL_OF_ROLE.items()}
OPEN_QUOTES = frozenset({"“", "«", "„"})
CLOSE_QUOTES = frozenset({"”", "»"})
STRAIGHT_QUOTES = frozenset({'"', "''", "``"})
# Cue-rate bins of a lemma: the share of its training occurrences annotated as (part of) a cue.
RATE_BINS = (0.02, 0.1, 0.25, 0.5)
CUE_LIKE = 0.25
TokenSpan = tuple[int, int]  # token indices, end exclusive


def _rate_bin(rate: float) -> int:
    return sum(rate >= b for b in RATE_BINS)


@dataclass
class Lexicon:
    """Cue rate bins of lemmas, learned from the training labels; optionally word clusters
    (``narrascope.attribution.clusters``) and the cue rate bin of each cluster, so a lemma
    rare in training inherits the rate of words like it."""

    bins: dict[str, int] = field(default_factory=dict)
    clusters: dict[str, int] = field(default_factory=dict)
    cluster_bins: dict[int, int] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        docs: Iterable[Any],
        labels: Iterable[Sequence[str]],
        clusters: Mapping[str, int] | None = None,
    ) -> Lexicon:
        clusters = dict(clusters or {})
        seen: Counter[str] = Counter()
        cue: Counter[str] = Counter()
        for doc, tags in zip(docs, labels, strict=True):
            for token, tag in zip(doc, tags, strict=True):
                lemma = token.lemma_.lower()
                seen[lemma] += 1
                cue[lemma] += tag.endswith("CUE")
        # +2 in the denominator: a lemma seen once as a cue is not yet a sure cue.
        bins = {lemma: _rate_bin(cue[lemma] / (seen[lemma] + 2)) for lemma in cue}
        seen_in: Counter[int] = Counter()
        cue_in: Counter[int] = Counter()
        for lemma, n in seen.items():
            if lemma in clusters:
                seen_in[clusters[lemma]] += n
                cue_in[clusters[lemma]] += cue[lemma]
        cluster_bins = {c: _rate_bin(cue_in[c] / (n + 2)) for c, n in seen_in.items()}
        return cls(
            {lemma: b for lemma, b in bins.items() if b > 0},
            clusters,
            {c: b for c, b in cluster_bins.items() if b > 0},
        )

    def bin(self, lemma: str) -> int:
        return self.bins.get(lemma, 0)

    def cluster(self, token: Any) -> int | None:
        """The cluster of a token's lemma, else of its lower-cased form (None without one)."""
        found = self.clusters.get(token.lemma_.lower())
        return found if found is not None else self.clusters.get(token.lower_)


def _shape(text: str) -> str:
    out: list[str] = []
    for ch in text[:6]:
        kind = "X" if ch.isupper() else "x" if ch.isalpha() else "d" if ch.isdigit() else ch
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)


def _bucket(n: int) -> str:
    return str(n) if n < 4 else "4-6" if n < 7 else "7-12" if n < 13 else "13+"


def quote_states(doc: Any) -> list[int]:
    """Per token: 1 inside quotation marks, 2 on an opening mark, 3 on a closing mark, else 0.

    The state resets at each line break: a quotation running over paragraphs reopens its
    marks in each one, and an unbalanced mark must not flip the rest of the article.
    """
    states: list[int] = []
    inside = False
    for token in doc:
        text = token.text
        if "\n" in text:
            inside = False
            states.append(0)
        elif text in OPEN_QUOTES or (text in STRAIGHT_QUOTES and not inside):
            inside = True
            states.append(2)
        elif text in CLOSE_QUOTES or (text in STRAIGHT_QUOTES and inside):
            inside = False
            states.append(3)
        else:
            states.append(1 if inside else 0)
    return states


def _governor(token: Any, cue_bins: list[int]) -> tuple[Any, int, Any]:
    """The child on the path below the nearest cue-like ancestor, its depth and the ancestor."""
    child = token
    for depth, ancestor in enumerate(token.ancestors, start=1):
        if cue_bins[ancestor.i] >= _rate_bin(CUE_LIKE):
            return child, depth, ancestor
        child = ancestor
        if depth >= 8:
            break
    return None, 0, None


def _nearest_cues(doc: Any, cue_bins: list[int]) -> list[str]:
    """Per token: signed, bucketed distance to the nearest cue-like token of its sentence."""
    out = ["none"] * len(doc)
    like = _rate_bin(CUE_LIKE)
    for sent in doc.sents:
        cues = [i for i in range(sent.start, sent.end) if cue_bins[i] >= like]
        if not cues:
            continue
        for i in range(sent.start, sent.end):
            nearest = min(cues, key=lambda c: abs(c - i))
            gap = nearest - i
            out[i] = ("+" if gap > 0 else "-" if gap < 0 else "0") + _bucket(abs(gap))
    return out


def doc_features(doc: Any, lexicon: Lexicon) -> list[list[str]]:
    """CRFsuite attributes ("name=value" strings) of every token of a parsed document."""
    lemmas = [t.lemma_.lower() for t in doc]
    cue_bins = [lexicon.bin(lemma) for lemma in lemmas]
    quotes = quote_states(doc)
    n = len(doc)
    words = [t.lower_ if not t.is_space else ("NL" if "\n" in t.text else "SP") for t in doc]
    pos = [t.pos_ for t in doc]
    deps = [t.dep_ for t in doc]
    sent_info = _sentence_info(doc, cue_bins, quotes)
    near = _nearest_cues(doc, cue_bins)
    clusters = [lexicon.cluster(t) for t in doc] if lexicon.clusters else []
    feats: list[list[str]] = []
    for i, token in enumerate(doc):
        sent_start, sent_end, has_cue, has_quote = sent_info[i]
        f = [
            "b",
            f"w={words[i]}",
            f"l={lemmas[i]}",
            f"sh={_shape(token.text)}",
            f"suf={words[i][-3:]}",
            f"p={pos[i]}",
            f"t={token.tag_}",
            f"d={deps[i]}",
            f"e={token.ent_iob_}{token.ent_type_}",
            f"q={quotes[i]}",
            f"cb={cue_bins[i]}",
            f"cbp={cue_bins[i]}|{pos[i]}",
            f"hd={deps[i]}|{token.head.lemma_.lower()}",
            f"hp={deps[i]}|{token.head.pos_}",
            f"hcb={cue_bins[token.head.i]}",
            f"dir={'L' if token.i < token.head.i else 'R' if token.i > token.head.i else 'root'}",
            f"si={_bucket(i - sent_start)}",
            f"se={_bucket(sent_end - 1 - i)}",
            f"sc={has_cue}{has_quote}",
        ]
        child, depth, ancestor = _governor(token, cue_bins)
        f.append(f"cd={near[i]}")
        if ancestor is not None:
            dep = child.dep_
            edge = ("<" if i == child.left_edge.i else "") + (
                ">" if i == child.right_edge.i else ""
            )
            side = "L" if token.i < ancestor.i else "R"
            f += [
                f"gd={dep}",
                f"gdd={dep}|{min(depth, 3)}",
                f"gds={dep}|{side}",
                f"gl={ancestor.lemma_.lower()}|{dep}",
                f"gq={dep}|{quotes[i]}",
                f"ge={dep}|{edge}",
            ]
        else:
            f.append("gd=none")
        for child in token.children:
            if child.dep_ in {"nsubj", "nsubjpass", "ccomp", "xcomp", "dobj", "agent", "prep"}:
                f.append(f"ch={child.dep_}")
            elif child.text in OPEN_QUOTES or child.text in CLOSE_QUOTES:
                f.append("ch=quote")
        for k in (-2, -1, 1, 2):
            j = i + k
            if 0 <= j < n:
                f += [f"{k}w={words[j]}", f"{k}p={pos[j]}", f"{k}q={quotes[j]}"]
                if abs(k) == 1:
                    f += [f"{k}d={deps[j]}", f"{k}cb={cue_bins[j]}", f"{k}l={lemmas[j]}"]
            else:
                f.append(f"{k}w=<pad>")
        if i > 0:
            f += [f"pp={pos[i - 1]}|{pos[i]}", f"ww={words[i - 1]}|{words[i]}"]
        if i + 1 < n:
            f += [f"pn={pos[i]}|{pos[i + 1]}", f"wn={words[i]}|{words[i + 1]}"]
        if lexicon.clusters:
            f += _cluster_features(doc, i, lexicon, clusters)
        feats.append(f)
    return feats


def _cluster_features(doc: Any, i: int, lexicon: Lexicon, clusters: list[int | None]) -> list[str]:
    """The cue-rate bin of the word cluster of the token, its neighbours and its head: a cue
    rare in training ("lamented") borrows the rate of the words like it ("said", "argued").
    Only the bins, not the cluster ids: with ids (256 clusters) the CRF did worse on dev."""

    def rate(j: int) -> str:
        c = clusters[j]
        return "none" if c is None else str(lexicon.cluster_bins.get(c, 0))

    token = doc[i]
    out = [f"ccb={rate(i)}", f"ccbp={rate(i)}|{token.pos_}", f"hccb={rate(token.head.i)}"]
    for k in (-1, 1):
        if 0 <= i + k < len(doc):
            out.append(f"{k}ccb={rate(i + k)}")
    return out


def _sentence_info(doc: Any, cue_bins: list[int], quotes: list[int]) -> list[tuple[int, ...]]:
    """Per token: its sentence's start and end token, and whether it has a cue-like lemma
    (0/1) and a quotation mark (0/1)."""
    out: list[tuple[int, ...]] = [(0, 0, 0, 0)] * len(doc)
    for sent in doc.sents:
        has_cue = int(any(cue_bins[i] >= _rate_bin(CUE_LIKE) for i in range(sent.start, sent.end)))
        has_quote = int(any(quotes[i] in (2, 3) for i in range(sent.start, sent.end)))
        for i in range(sent.start, sent.end):
            out[i] = (sent.start, sent.end, has_cue, has_quote)
    return out


def gold_labels(doc: Any, spans: Mapping[str, Iterable[tuple[tuple[int, int], ...]]]) -> list[str]:
    """BIO labels of a document's tokens from character spans (fragments) per role.

    A token belongs to a fragment when their characters overlap; each fragment starts with B.
    Whitespace tokens inside a fragment (a line break in a quotation) are inside it too.
    """
    labels = ["O"] * len(doc)
    starts = [t.idx for t in doc]
    for role, role_spans in spans.items():
        name = LABEL_OF_ROLE[role]
        for fragments in role_spans:
            for start, end in fragments:
                inside = []
                for i in range(_first_token_at(starts, start), len(doc)):
                    if starts[i] >= end:
                        break
                    if starts[i] + len(doc[i].text) > start:
                        inside.append(i)
                for k, i in enumerate(inside):
                    labels[i] = ("B-" if k == 0 else "I-") + name
    return labels


def _first_token_at(starts: list[int], char: int) -> int:
    import bisect

    return max(bisect.bisect_right(starts, char) - 1, 0)


def decode(doc: Any, labels: Sequence[str]) -> dict[str, list[TokenSpan]]:
    """Token spans per role from BIO labels (an I after another role starts a new span);
    whitespace tokens at a span's edges are dropped."""
    spans: dict[str, list[TokenSpan]] = {role: [] for role in LABEL_OF_ROLE}
    current: tuple[str, int] | None = None
    for i, label in enumerate([*labels, "O"]):
        kind = label[2:] if label != "O" else ""
        if current is not None and (label == "O" or label.startswith("B-") or kind != current[0]):
            _close(doc, spans[ROLE_OF_LABEL[current[0]]], current[1], i)
            current = None
        if label != "O" and current is None:
            current = (kind, i)
    return spans


def _close(doc: Any, out: list[TokenSpan], start: int, end: int) -> None:
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    if end > start:
        out.append((start, end))


def char_offsets(doc: Any, span: TokenSpan) -> Offsets:
    last = doc[span[1] - 1]
    return doc[span[0]].idx, last.idx + len(last.text)


@dataclass
class Settings:
    """What a tagger was trained with; stored in the artifact and the model card."""

    c1: float = 0.05
    c2: float = 0.01
    max_iterations: int = 150
    folds: int = 5
    seed: int = 13
    clusters: int = 0  # k of the word clusters (0: none)
    extra: dict[str, Any] = field(default_factory=dict)


def train_crf(sequences: Iterable[tuple[list[list[str]], list[str]]], settings: Settings) -> bytes:
    """Train a CRFsuite model (L-BFGS, elastic net) and return the model file's bytes."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for features, labels in sequences:
        trainer.append(features, labels)
    trainer.set_params(
        {
            "c1": settings.c1,
            "c2": settings.c2,
            "max_iterations": settings.max_iterations,
            "feature.possible_transitions": True,
        }
    )
    with tempfile.TemporaryDirectory(prefix="narrascope-crf-") as tmp:
        path = os.path.join(tmp, "model.crfsuite")
        trainer.train(path)
        return Path(path).read_bytes()


@dataclass
class AttributionTagger:
    """CRF weights (CRFsuite model bytes), the cue lexicon and the training record."""

    model: bytes
    lexicon: Lexicon
    info: dict[str, Any] = field(default_factory=dict)
    _crf: Any = field(default=None, repr=False, compare=False)

    @property
    def crf(self) -> Any:
        if self._crf is None:
            import pycrfsuite

            self._crf = pycrfsuite.Tagger()
            self._crf.open_inmemory(self.model)
        return self._crf

    def labels(self, doc: Any) -> tuple[list[str], list[float]]:
        """Best label sequence and each token's marginal probability of its label."""
        if len(doc) == 0:
            return [], []
        crf = self.crf
        crf.set(doc_features(doc, self.lexicon))
        labels = crf.tag()
        return labels, [crf.marginal(label, i) for i, label in enumerate(labels)]

    def tag(self, doc: Any) -> list[Candidate]:
        """Attribution candidates of a parsed spaCy document."""
        labels, marginals = self.labels(doc)
        return group(doc, decode(doc, labels), marginals)

    def tag_with_cue_probs(self, doc: Any) -> tuple[list[Candidate], list[float]]:
        """The candidates and, per token, the CRF's marginal probability that it is part of
        a cue (``B-CUE`` + ``I-CUE``), so another finder's cue can be checked against it."""
        candidates = self.tag(doc)  # leaves the document's features set in the CRF
        crf = self.crf
        probs = [crf.marginal("B-CUE", i) + crf.marginal("I-CUE", i) for i in range(len(doc))]
        return candidates, probs

    def save(self, path: str | Path) -> None:
        payload = {"model": self.model, "lexicon": self.lexicon.bins, "info": self.info}
        if self.lexicon.clusters:
            payload["clusters"] = self.lexicon.clusters
            payload["cluster_bins"] = self.lexicon.cluster_bins
        save_joblib(payload, path)

    @classmethod
    def load(cls, path: str | Path) -> AttributionTagger:
        payload = load_joblib(
            path, "attribution tagger", "train it with `narrascope train attribution`"
        )
        lexicon = Lexicon(
            dict(payload["lexicon"]),
            dict(payload.get("clusters", {})),
            dict(payload.get("cluster_bins", {})),
        )
        return cls(payload["model"], lexicon, dict(payload["info"]))


def shipped_tagger_path() -> Path:
    return shipped_path("attribution", MODEL_FILE)


@cache
def shipped_tagger() -> AttributionTagger:
    """The tagger shipped with the package, loaded once per process."""
    return AttributionTagger.load(shipped_tagger_path())


# --- grouping tagged spans into relations -------------------------------------------------


def _sentence_index(doc: Any) -> list[int]:
    index = [0] * len(doc)
    for k, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            index[i] = k
    return index


def _linked(doc: Any, a: TokenSpan, b: TokenSpan) -> bool:
    """Whether a token of span ``a`` has its head in span ``b`` or the other way round."""
    return any(b[0] <= doc[i].head.i < b[1] for i in range(*a)) or any(
        a[0] <= doc[i].head.i < a[1] for i in range(*b)
    )


def _distance(a: TokenSpan, b: TokenSpan) -> int:
    return max(a[0] - b[1], b[0] - a[1], 0)


def _pick(
    doc: Any,
    cue: TokenSpan,
    options: list[TokenSpan],
    sent_of: list[int],
    reach: int,
    taken: Collection[TokenSpan] = (),
) -> TokenSpan | None:
    """The span best tied to ``cue``, within ``reach`` sentences of the cue's sentence: one
    with a dependency link first, then one no earlier cue took, then the same sentence, then
    the nearest."""
    k = sent_of[cue[0]]
    near = [s for s in options if abs(sent_of[s[0]] - k) <= reach or sent_of[s[1] - 1] == k]
    if not near:
        return None
    return min(
        near,
        key=lambda s: (
            not _linked(doc, cue, s),
            s in taken,
            sent_of[s[0]] != k,
            _distance(cue, s),
        ),
    )


def _only_between(doc: Any, a: TokenSpan, b: TokenSpan, allowed: set[int]) -> bool:
    """Whether every token between spans ``a`` and ``b`` is punctuation, space or allowed."""
    return all(i in allowed or doc[i].is_punct or doc[i].is_space for i in range(a[1], b[0]))


def group(
    doc: Any, spans: dict[str, list[TokenSpan]], marginals: Sequence[float]
) -> list[Candidate]:
    """Relations from tagged spans: each cue takes its best source and content (same
    sentence, or the next/previous one for a content); a quotation interrupted by its source
    and cue (``"X," he said, "Y"``) becomes one discontinuous content. Spans left over become
    relations of their own with a missing cue, so no tagged span is lost."""
    sent_of = _sentence_index(doc)
    used: set[tuple[str, TokenSpan]] = set()
    out: list[Candidate] = []
    contents = spans["content"]
    for cue in spans["cue"]:
        source = _pick(doc, cue, spans["source"], sent_of, 0)
        taken = {span for role, span in used if role == "content"}
        content = _pick(doc, cue, contents, sent_of, 1, taken)
        parts: list[TokenSpan] = [content] if content else []
        if content is not None:
            parts = _interrupted(doc, cue, source, content, spans, used)
        for role, span in (("source", source), ("cue", cue)):
            if span is not None:
                used.add((role, span))
        used.update(("content", p) for p in parts)
        out.append(_candidate(doc, source, cue, parts, marginals))
    for role in ("source", "content"):
        for span in spans[role]:
            if (role, span) not in used:
                source = span if role == "source" else None
                out.append(
                    _candidate(doc, source, None, [span] if role == "content" else [], marginals)
                )
    return out


def _interrupted(
    doc: Any,
    cue: TokenSpan,
    source: TokenSpan | None,
    content: TokenSpan,
    spans: dict[str, list[TokenSpan]],
    used: set[tuple[str, TokenSpan]],
) -> list[TokenSpan]:
    """``content`` alone, or with the part on the other side of the cue: two quotations
    around the cue (``"X," he said on Monday. "Y"``), or any two contents with only the
    source, the cue and punctuation between them. No other cue may sit between the parts."""
    free = [c for c in spans["content"] if ("content", c) not in used and c != content]
    before: TokenSpan | None = content
    after: TokenSpan | None = content
    if content[1] <= cue[0]:
        after = min((c for c in free if c[0] >= cue[1]), default=None)
    else:
        before = max((c for c in free if c[1] <= cue[0]), default=None)
    if before is None or after is None:
        return [content]
    if any(c != cue and before[0] <= c[0] < after[1] for c in spans["cue"]):
        return [content]
    allowed = set(range(*cue)) | (set(range(*source)) if source else set())
    quotes = _quoted(doc, after) and _closes_quote(doc, before)
    if quotes or _only_between(doc, before, after, allowed):
        return [before, after]
    return [content]


def _closes_quote(doc: Any, span: TokenSpan) -> bool:
    last = doc[span[1] - 1].text
    return last in CLOSE_QUOTES or last in STRAIGHT_QUOTES


def _quoted(doc: Any, span: TokenSpan) -> bool:
    first = doc[span[0]].text
    return first in OPEN_QUOTES or first in STRAIGHT_QUOTES


def _without_stray_comma(doc: Any, source: TokenSpan) -> TokenSpan:
    """The source without a final comma that closes nothing ('Mr. Kamin,' -> 'Mr. Kamin'). A
    comma that closes an apposition the source opened stays ('X, a Trump ally,'), as PolNeAR
    marks it."""
    start, end = source
    if (
        end - start > 1
        and doc[end - 1].text == ","
        and not any(doc[i].text == "," for i in range(start, end - 1))
    ):
        return start, end - 1
    return source


def _candidate(
    doc: Any,
    source: TokenSpan | None,
    cue: TokenSpan | None,
    parts: list[TokenSpan],
    marginals: Sequence[float],
) -> Candidate:
    fragments = tuple(char_offsets(doc, p) for p in parts)
    scored = [s for s in (cue, source, *parts) if s is not None]
    probs = [marginals[i] for s in scored[:1] for i in range(*s)]
    score = math.fsum(probs) / len(probs) if probs else 0.0
    return Candidate(
        source=char_offsets(doc, _without_stray_comma(doc, source)) if source else None,
        cue=char_offsets(doc, cue) if cue else None,
        content=(fragments[0][0], fragments[-1][1]) if fragments else None,
        form="tagger",
        score=round(score, 4),
        content_parts=fragments if len(fragments) > 1 else (),
    )
