"""Entity framing: the role (protagonist, antagonist, innocent) an article casts an entity in.

Each mention becomes: hashed words of its sentence (the mention masked), the words just left
and right of it, its name's words, the name's words crossed with the article's narratives
(the same "Russia" is a guardian in a Praise-of-Russia article and an aggressor elsewhere),
the sentence's USE vector, the article's narrative scores and its language. One logistic
regression picks the main role, a second the fine roles, restricted to the main role's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from narrascope.artifacts import load_instance, save_joblib, shipped_path
from narrascope.narratives.data import FINE_ROLES, MAIN_ROLES, ROLE_OF_FINE
from narrascope.narratives.features import NgramBlock
from narrascope.narratives.model import Encoded, lang_vector

WINDOW = 5  # words either side of the mention
CONTEXT_WORDS = 10  # words either side in the encoded context window
# What each fine role means, after the SemEval-2025 Task 10 entity-role taxonomy; the window
# around a mention is compared with these (USE is multilingual, so they serve every language).
ROLE_DEFINITIONS = {
    "Guardian": "protects others, defends the country and keeps people safe and stable",
    "Martyr": "sacrifices their life or suffers for a cause and is honoured for it",
    "Peacemaker": "seeks peace, negotiates, mediates and ends conflict, brings humanitarian help",
    "Rebel": "bravely resists oppression and fights against the established power",
    "Underdog": "weaker side that fights bravely against a much stronger opponent",
    "Virtuous": "honest, moral, wise and admirable, acts with integrity",
    "Instigator": "starts the conflict, provokes and escalates the war, the aggressor",
    "Conspirator": "plots secretly, runs hidden schemes and manipulates events behind the scenes",
    "Tyrant": "rules by force, oppresses people, dictator abusing power",
    "Foreign Adversary": "hostile foreign power threatening the country from outside",
    "Traitor": "betrays their own country, people or allies, deserts",
    "Spy": "secretly gathers intelligence for an enemy",
    "Saboteur": "deliberately damages, undermines and disrupts infrastructure or plans",
    "Corrupt": "bribery, theft of public money, abuse of office for personal gain",
    "Incompetent": "fails, weak, unprepared, disorganised, cannot do the job, demoralised",
    "Terrorist": "uses violence and terror against civilians to spread fear",
    "Deceiver": "lies, spreads propaganda and disinformation, misleads the public",
    "Bigot": "prejudiced, hateful and discriminatory towards a group",
    "Forgotten": "ignored and neglected, their suffering overlooked by everyone",
    "Exploited": "used and taken advantage of by the powerful for their benefit",
    "Victim": "harmed, attacked, killed or suffering through no fault of their own",
    "Scapegoat": "unfairly blamed for problems they did not cause",
}
MAX_PEERS = 6
_WORD = re.compile(r"\w+", re.UNICODE)
FINE = tuple(f for main in MAIN_ROLES for f in FINE_ROLES[main])


@dataclass
class MentionInput:
    """A mention to classify: its span in the article, and the article's narrative context."""

    start: int
    end: int
    sentence: int  # index into the article's sentences
    narratives: Sequence[str]  # labels predicted for the article (coarse)
    narrative_scores: np.ndarray  # coarse scores, model order
    peers: Sequence[int] = ()  # sentences of the same entity's other mentions
    window: np.ndarray | None = None  # USE vector of the words around it (computed if None)


def sentence_index(article: Encoded, offset: int) -> int:
    for i, (s, e) in enumerate(article.sentences):
        if s <= offset < e:
            return i
    starts = [s for s, _ in article.sentences]
    return max(0, int(np.searchsorted(starts, offset, side="right")) - 1)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def feature_string(article: Encoded, m: MentionInput) -> str:
    """Space-separated feature names of one mention (fed to a hashing vectoriser)."""
    if article.sentences:
        s, e = article.sentences[min(m.sentence, len(article.sentences) - 1)]
    else:
        s, e = 0, len(article.text)
    s, e = min(s, m.start), max(e, m.end)
    left = _words(article.text[s : m.start])
    right = _words(article.text[m.end : e])
    name = _words(article.text[m.start : m.end]) or ["_"]
    topics = [re.sub(r"\W+", "_", n.lower()) for n in m.narratives]
    feats = [f"s_{w}" for w in left + right]
    feats += [f"l_{w}" for w in left[-WINDOW:]] + [f"r_{w}" for w in right[:WINDOW]]
    feats += [f"l1_{left[-1] if left else '^'}", f"r1_{right[0] if right else '$'}"]
    feats += [f"n_{w}" for w in name]
    feats += [f"n_{w}|{t}" for w in name for t in topics]
    # The same actor keeps its role through an article: its other sentences are context too.
    for k in sorted(set(m.peers) - {m.sentence})[:MAX_PEERS]:
        ps, pe = article.sentences[k]
        feats += [f"e_{w}" for w in _words(article.text[ps:pe])]
    # A language-specific copy of every feature lets each language bend the shared weights.
    feats += [f"{article.lang}|{f}" for f in feats]
    return " ".join(feats)


def context_window(article: Encoded, m: MentionInput) -> str:
    """The mention with up to CONTEXT_WORDS words either side, within its paragraph."""
    left = article.text[max(0, m.start - 200) : m.start].split("\n")[-1].split()
    right = article.text[m.end : m.end + 200].split("\n")[0].split()
    return " ".join([*left[-CONTEXT_WORDS:], article.text[m.start : m.end], *right[:CONTEXT_WORDS]])


@cache
def role_vectors() -> np.ndarray:
    from narrascope.narratives.encoder import encode

    return encode([f"{role}: {ROLE_DEFINITIONS[role]}" for role in FINE])


def with_windows(article: Encoded, mentions: Sequence[MentionInput]) -> list[MentionInput]:
    """Mentions with their context-window vectors filled in (one encoder batch)."""
    from dataclasses import replace

    from narrascope.narratives.encoder import encode

    missing = [m for m in mentions if m.window is None]
    if not missing:
        return list(mentions)
    vectors = iter(encode([context_window(article, m) for m in missing]))
    return [m if m.window is not None else replace(m, window=next(vectors)) for m in mentions]


def dense_features(article: Encoded, m: MentionInput, weights: tuple[float, ...]) -> np.ndarray:
    window = m.window if m.window is not None else np.zeros(512, dtype=np.float32)
    roles = (role_vectors() @ window) * 3.0  # cosines are small; scale them to matter
    if len(article.vectors):
        vec = article.vectors[min(m.sentence, len(article.vectors) - 1)]
    else:
        vec = np.zeros(512, dtype=np.float32)
    position = m.start / max(len(article.text), 1)
    extra = np.array([position, float(m.sentence == 0)], dtype=np.float32)
    return np.concatenate(
        [
            vec * weights[0],
            window * weights[2],
            roles * weights[2],
            np.asarray(m.narrative_scores, dtype=np.float32) * weights[1],
            lang_vector(article.lang),
            extra,
        ]
    ).astype(np.float32)


@dataclass
class FramingSettings:
    C: float = 4.0
    w_use: float = 1.0
    w_narratives: float = 0.5
    w_window: float = 1.0
    max_features: int = 60_000
    balanced: bool = False  # reweight classes to equal total weight
    seed: int = 13


@dataclass
class FramingModel:
    settings: FramingSettings
    block: NgramBlock
    main_coef: np.ndarray  # (n_features, 3) float16
    main_bias: np.ndarray
    fine_coef: np.ndarray  # (n_features, 22) float16
    fine_bias: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)

    def matrix(self, article: Encoded, mentions: Sequence[MentionInput]) -> sparse.csr_matrix:
        mentions = with_windows(article, mentions)
        sparse_part = self.block.transform([feature_string(article, m) for m in mentions])
        weights = (self.settings.w_use, self.settings.w_narratives, self.settings.w_window)
        dense = np.stack([dense_features(article, m, weights) for m in mentions])
        return sparse.hstack([sparse_part, sparse.csr_matrix(dense)], format="csr")

    def probabilities(
        self, article: Encoded, mentions: Sequence[MentionInput]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(main-role probabilities (n, 3), fine-role probabilities (n, 22))."""
        if not mentions:
            return np.zeros((0, len(MAIN_ROLES))), np.zeros((0, len(FINE)))
        x = self.matrix(article, mentions)
        main_coef, fine_coef = self.coefficients32()
        return _softmax(x @ main_coef + self.main_bias), _softmax(x @ fine_coef + self.fine_bias)

    def coefficients32(self) -> tuple[np.ndarray, np.ndarray]:
        """The coefficients in float32, converted once (they ship as float16)."""
        cached = self.__dict__.get("_coef32")
        if cached is None:
            cached = (self.main_coef.astype(np.float32), self.fine_coef.astype(np.float32))
            self.__dict__["_coef32"] = cached
        return cached

    def save(self, path: str | Path) -> None:

        self.__dict__.pop("_coef32", None)  # derived; the file keeps float16 only
        save_joblib(self, path)

    @classmethod
    def load(cls, path: str | Path) -> FramingModel:
        return load_instance(path, cls, "framing model")


def shipped_framing_path() -> Path:
    return shipped_path("framing")


@cache
def shipped_framing() -> FramingModel:
    return FramingModel.load(shipped_framing_path())


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def decide_roles(main: np.ndarray, fine: np.ndarray) -> tuple[str, list[str], float]:
    """Main role (its probability) and the best fine role among that main role's own."""
    # The fine classifier's mass per main role sharpens the main-role call.
    fine_mass = np.array([fine[[FINE.index(f) for f in FINE_ROLES[r]]].sum() for r in MAIN_ROLES])
    combined = (main + fine_mass) / 2
    role = MAIN_ROLES[int(np.argmax(combined))]
    own = [FINE.index(f) for f in FINE_ROLES[role]]
    best = max(own, key=lambda k: fine[k])
    return role, [FINE[best]], float(combined.max())


def fit_framing(
    rows: Sequence[tuple[Encoded, MentionInput, str, tuple[str, ...]]],
    settings: FramingSettings,
) -> FramingModel:
    """Fit both classifiers on (article, mention, gold main role, gold fine roles) rows."""
    from sklearn.linear_model import LogisticRegression

    rows = [(a, with_windows(a, [m])[0], r, f) for a, m, r, f in rows]
    strings = [feature_string(a, m) for a, m, _, _ in rows]
    block = NgramBlock.fit(strings, "tokens", (1, 1), settings.max_features, min_df=2)
    model = FramingModel(settings, block, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    weights = (settings.w_use, settings.w_narratives, settings.w_window)
    x = sparse.hstack(
        [
            block.transform(strings),
            sparse.csr_matrix(np.stack([dense_features(a, m, weights) for a, m, _, _ in rows])),
        ],
        format="csr",
    )
    y_main = np.array([MAIN_ROLES.index(r) for _, _, r, _ in rows])
    weight = "balanced" if settings.balanced else None
    main = LogisticRegression(
        C=settings.C, max_iter=3000, random_state=settings.seed, class_weight=weight
    )
    main.fit(x, y_main)
    # One row per gold fine role; a role outside the main role's set is dropped as noise.
    fine_rows = [
        (i, FINE.index(f))
        for i, (_, _, r, fines) in enumerate(rows)
        for f in fines
        if f in FINE and ROLE_OF_FINE[f] == r
    ]
    idx = np.array([i for i, _ in fine_rows])
    y_fine = np.array([k for _, k in fine_rows])
    fine = LogisticRegression(C=settings.C, max_iter=3000, random_state=settings.seed)
    fine.fit(x[idx], y_fine)
    model.main_coef, model.main_bias = _full(main, len(MAIN_ROLES))
    model.fine_coef, model.fine_bias = _full(fine, len(FINE))
    return model


def _full(clf: Any, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients for every class; a class absent from training gets a very low bias."""
    coef = np.zeros((clf.coef_.shape[1], n_classes), dtype=np.float32)
    bias = np.full(n_classes, -30.0, dtype=np.float32)
    for j, cls in enumerate(clf.classes_):
        coef[:, cls] = clf.coef_[j] if len(clf.classes_) > 2 else 0
        bias[cls] = clf.intercept_[j] if len(clf.classes_) > 2 else 0
    return coef.astype(np.float16), bias
