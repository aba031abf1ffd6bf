"""Entity framing: the role (protagonist, antagonist, innocent) an article casts an entity in.

Each mention becomes five separately normalised blocks of hashed words (its name, and the
name crossed with the article's narratives: the same "Russia" is a guardian in a
Praise-of-Russia article and an aggressor elsewhere; the words just left and right of it; its
sentence; its own clause, split by side; the sentences of the same entity's other mentions),
plus dense features: the sentence's USE vector, the USE vector of a window of a few words
either side within the sentence and its similarity to each fine role's definition, the
article's narrative scores and its language, and the actor's side in the Ukraine war
(``sides``) crossed with those scores and the language; English mentions also get their
grammatical role from the spaCy parse (``grammar_of``). One logistic regression picks the
main role, a second the fine roles, restricted to the main role's own.
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
from narrascope.narratives.model import Encoded, lang_vector, mean_vector
from narrascope.narratives.sides import SIDES, sides_of

WINDOW = 5  # words either side of the mention
CONTEXT_WORDS = 6  # words either side in the encoded context window (6 beat 10 in CV)
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
_WORD_SPAN = re.compile(r"\S+")
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
    # Its grammatical role where a dependency parse exists (``grammar_of``); empty otherwise.
    grammar: Sequence[str] = ()


def sentence_index(article: Encoded, offset: int) -> int:
    for i, (s, e) in enumerate(article.sentences):
        if s <= offset < e:
            return i
    starts = [s for s, _ in article.sentences]
    return max(0, int(np.searchsorted(starts, offset, side="right")) - 1)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


SPARSE_BLOCKS = ("name", "local", "sentence", "peers", "clause")
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]\"\u201c\u201d\u00ab\u00bb\u2014\u2013]|\s-\s")


def _sentence_bounds(article: Encoded, m: MentionInput) -> tuple[int, int]:
    if article.sentences:
        s, e = article.sentences[min(m.sentence, len(article.sentences) - 1)]
    else:
        s, e = 0, len(article.text)
    return min(s, m.start), max(e, m.end)


def clause_bounds(article: Encoded, m: MentionInput) -> tuple[int, int]:
    """The mention's own clause: its sentence cut at the punctuation nearest either side."""
    s, e = _sentence_bounds(article, m)
    before = list(_CLAUSE_BREAK.finditer(article.text, s, m.start))
    after = _CLAUSE_BREAK.search(article.text, m.end, e)
    return (before[-1].end() if before else s), (after.start() if after else e)


def feature_strings(
    article: Encoded, m: MentionInput, with_sides: bool = True, with_grammar: bool = True
) -> dict[str, str]:
    """Space-separated feature names of one mention per block (fed to a hashing vectoriser).

    Blocks are normalised separately, so the few name and neighbour features are not drowned
    by the many words of the sentence and of the entity's other sentences.
    """
    s, e = _sentence_bounds(article, m)
    left = _words(article.text[s : m.start])
    right = _words(article.text[m.end : e])
    name = _words(article.text[m.start : m.end]) or ["_"]
    topics = [re.sub(r"\W+", "_", n.lower()) for n in m.narratives]
    cs, ce = clause_bounds(article, m)
    # The actor's side crossed with the narratives generalises across its many names.
    sides = (sides_of(article.text[m.start : m.end]) or ("none",)) if with_sides else ()
    blocks = {
        "name": [f"n_{w}" for w in name]
        + [f"n_{w}|{t}" for w in name for t in topics]
        + [f"side_{s}" for s in sides]
        + [f"side_{s}|{t}" for s in sides for t in topics],
        "local": [f"l_{w}" for w in left[-WINDOW:]]
        + [f"r_{w}" for w in right[:WINDOW]]
        + [f"l1_{left[-1] if left else '^'}", f"r1_{right[0] if right else '$'}"],
        "sentence": [f"s_{w}" for w in left + right],
        "peers": [],
        # Words of the clause, split by side: "X attacked" and "attacked X" differ in role.
        "clause": [f"cl_{w}" for w in _words(article.text[cs : m.start])]
        + [f"cr_{w}" for w in _words(article.text[m.end : ce])]
        + [f"g_{g}" for g in (m.grammar if with_grammar else ())],
    }
    # The same actor keeps its role through an article: its other sentences are context too.
    for k in sorted(set(m.peers) - {m.sentence})[:MAX_PEERS]:
        ps, pe = article.sentences[k]
        blocks["peers"] += [f"e_{w}" for w in _words(article.text[ps:pe])]
    # A language-specific copy of every feature lets each language bend the shared weights.
    return {
        b: " ".join([*feats, *(f"{article.lang}|{f}" for f in feats)])
        for b, feats in blocks.items()
    }


def grammar_of(parsed: Any, start: int, end: int) -> tuple[str, ...]:
    """The mention's dependency label and that label with its governing verb's lemma
    ("nsubj|attack" vs "dobj|attack"), from a spaCy parse; empty if the span does not align."""
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return ()
    token = span.root
    dep = token.dep_
    # "of Russia", "by Kyiv": the preposition tells the role ("agent" is the passive's doer).
    if dep == "pobj":
        dep = f"pobj_{token.head.lower_}"
    verb = token.head
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    out = [f"dep_{dep}"]
    if verb.pos_ in ("VERB", "AUX"):
        out.append(f"dep_{dep}|{verb.lemma_.lower()}")
    return tuple(out)


def feature_string(article: Encoded, m: MentionInput) -> str:
    """All sparse feature names of one mention in one string."""
    return " ".join(v for v in feature_strings(article, m).values() if v)


def context_window(article: Encoded, m: MentionInput) -> str:
    """The mention with up to CONTEXT_WORDS words either side, within its paragraph."""
    left = article.text[max(0, m.start - 200) : m.start].split("\n")[-1].split()
    right = article.text[m.end : m.end + 200].split("\n")[0].split()
    return " ".join([*left[-CONTEXT_WORDS:], article.text[m.start : m.end], *right[:CONTEXT_WORDS]])


def window_span(article: Encoded, m: MentionInput, mode: str) -> tuple[int, int]:
    """The stretch of text whose vector describes the mention: its clause, or up to
    CONTEXT_WORDS words either side within its sentence."""
    if mode == "clause":
        return clause_bounds(article, m)
    s, e = _sentence_bounds(article, m)
    left = list(_WORD_SPAN.finditer(article.text, s, m.start))[-CONTEXT_WORDS:]
    right = list(_WORD_SPAN.finditer(article.text, m.end, e))[:CONTEXT_WORDS]
    return (left[0].start() if left else m.start), (right[-1].end() if right else m.end)


@cache
def role_vectors() -> np.ndarray:
    from narrascope.narratives.encoder import encode

    return encode([f"{role}: {ROLE_DEFINITIONS[role]}" for role in FINE])


def with_windows(
    article: Encoded, mentions: Sequence[MentionInput], mode: str = "sentence"
) -> list[MentionInput]:
    """Mentions with their context vectors filled in (one encoder batch).

    A window that spans its whole sentence reuses the sentence's vector, so only the windows
    of long sentences are encoded (the encoder is most of the run time).
    """
    from dataclasses import replace

    from narrascope.narratives.encoder import encode

    missing = [i for i, m in enumerate(mentions) if m.window is None]
    if not missing:
        return list(mentions)
    out = list(mentions)
    texts, slots = [], []
    for i in missing:
        m = mentions[i]
        if mode == "paragraph":
            texts.append(context_window(article, m))
            slots.append(i)
            continue
        span = window_span(article, m, mode)
        sentence = _sentence_bounds(article, m)
        if _same_words(article.text, span, sentence) and len(article.vectors):
            out[i] = replace(m, window=article.vectors[min(m.sentence, len(article.vectors) - 1)])
        else:
            texts.append(article.text[span[0] : span[1]])
            slots.append(i)
    for i, vector in zip(slots, encode(texts), strict=True):
        out[i] = replace(out[i], window=vector)
    return out


def _same_words(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    return text[a[0] : a[1]].strip() == text[b[0] : b[1]].strip()


def label_similarity(article: Encoded, sim: Any) -> np.ndarray:
    """(n_sentences, n_labels): each sentence's cosine to each narrative label's texts,
    standardised within the sentence (which stories it comes closest to), cached on the
    article."""
    cached = article.__dict__.get("_label_sim")
    if cached is None:
        raw = sim.per_sentence(article.vectors)
        cached = (raw - raw.mean(axis=1, keepdims=True)) / (raw.std(axis=1, keepdims=True) + 1e-6)
        article.__dict__["_label_sim"] = cached = cached.astype(np.float32)
    return cached


def dense_features(
    article: Encoded, m: MentionInput, settings: FramingSettings, sim: Any = None
) -> np.ndarray:
    window = m.window if m.window is not None else np.zeros(512, dtype=np.float32)
    if len(article.vectors):
        vec = article.vectors[min(m.sentence, len(article.vectors) - 1)]
    else:
        vec = np.zeros(512, dtype=np.float32)
    # Cosines to the role definitions are small; scaled by 3 they matter next to the rest.
    roles = (role_vectors() @ window) * 3.0
    position = m.start / max(len(article.text), 1)
    extra = np.array([position, float(m.sentence == 0)], dtype=np.float32)
    w_window = settings.w_window
    scores = np.asarray(m.narrative_scores, dtype=np.float32)
    return np.concatenate(
        [
            vec * settings.w_use,
            window * w_window,
            roles * w_window,
            scores * settings.w_narratives,
            lang_vector(article.lang),
            extra,
            side_features(article, m, scores) * settings.w_side,
            *_side_context(article, m, settings),
            *_sentence_stories(article, m, settings, sim),
        ]
    ).astype(np.float32)


def _sentence_stories(
    article: Encoded, m: MentionInput, settings: FramingSettings, sim: Any
) -> list[np.ndarray]:
    """Which narratives the mention's own sentence comes closest to, alone and crossed with
    the actor's side: "Moscow ... a guardian of stability" reads as Praise of Russia even
    where the article as a whole does not."""
    if not settings.w_sentence_stories or sim is None:
        return []
    n = len(sim.labels)
    if len(article.vectors):
        row = label_similarity(article, sim)[min(m.sentence, len(article.vectors) - 1)]
    else:
        row = np.zeros(n, dtype=np.float32)
    row = row / np.sqrt(n)  # the block's squared norm is about 1
    side = _side_onehot(article, m)
    w = settings.w_sentence_stories
    return [row * w, np.outer(side, row).ravel() * w]


def _side_context(article: Encoded, m: MentionInput, settings: FramingSettings) -> list[np.ndarray]:
    """The actor's side crossed with the article's mean sentence vector: which side an
    article is for, as far as its wording tells, beyond the narrative labels' 22 scores."""
    if not settings.w_side_doc:
        return []
    side = _side_onehot(article, m)
    doc = article.__dict__.get("_mean_vector")
    if doc is None:
        doc = article.__dict__["_mean_vector"] = mean_vector(article)
    return [np.outer(side, doc).ravel() * settings.w_side_doc]


def _side_onehot(article: Encoded, m: MentionInput) -> np.ndarray:
    """The actor's side in the Ukraine war, one-hot over ``SIDES`` plus "none" last."""
    found = sides_of(article.text[m.start : m.end])
    return np.array([float(s in found) for s in SIDES] + [float(not found)], dtype=np.float32)


def side_features(article: Encoded, m: MentionInput, scores: np.ndarray) -> np.ndarray:
    """The actor's side (one-hot, "none" last), and the side crossed with the article's
    narrative scores and with its language: which side a story casts as the villain depends
    on the story and on the outlet's country."""
    side = _side_onehot(article, m)
    return np.concatenate(
        [side, np.outer(side, scores).ravel(), np.outer(side, lang_vector(article.lang)).ravel()]
    )


@dataclass
class FramingSettings:
    C: float = 4.0
    w_use: float = 1.0
    w_narratives: float = 0.5
    w_window: float = 1.0
    window: str = "sentence"  # the window's extent: "paragraph", "sentence" or "clause"
    # Weights of the separately normalised sparse blocks (see ``feature_strings``).
    w_name: float = 1.0
    w_local: float = 1.0
    w_sentence: float = 1.0
    w_peers: float = 1.0
    w_clause: float = 1.0
    grammar: float = 1.0  # 1: the mention's dependency role tokens (English parses only)
    w_side: float = 0.5  # dense side features (``side_features``; 0.5 ~ 1 > 2 > 0 in CV)
    side_tokens: float = 0.0  # 1: side and side x narrative tokens in the name block (worse EN)
    # Side x the article's mean sentence vector (``_side_context``); 0.5 and 1 were within
    # CV noise of 0 (nested EN +0.005, mean of five +0.001 with the next one), so off.
    w_side_doc: float = 0.0
    # The sentence's similarity to each narrative label's texts, and that crossed with side.
    w_sentence_stories: float = 0.0  # 0.3 ~ 0 > 1 in CV (``_sentence_stories``)
    # Weight of a second pair of classifiers fitted without the name block, averaged with
    # the first, against names of frequent actors outvoting the sentence (0.5: no gain in CV).
    context_model: float = 0.0
    # Rows weighted by (mentions of their language) ** -lang_balance: 1 gives every language
    # the same total weight (Hindi has 1,833 of the 4,159 mentions), 0 every mention the same
    # (0.5: no gain in CV).
    lang_balance: float = 0.0
    # The roles of the ``knn`` training mentions whose context windows are most like this
    # one's (other articles only), x ``w_knn``: a non-linear vote the regression cannot form
    # (20: +0.001 in CV, so off).
    knn: int = 0
    w_knn: float = 1.0
    max_features: int = 30_000  # per sparse block
    balanced: bool = False  # reweight classes to equal total weight
    seed: int = 13


@dataclass
class FramingModel:
    settings: FramingSettings
    blocks: dict[str, NgramBlock]
    main_coef: np.ndarray  # (n_features, 3) float16
    main_bias: np.ndarray
    fine_coef: np.ndarray  # (n_features, 22) float16
    fine_bias: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)
    # The narrative labels' description vectors (``model.SimFeatures``), for the sentence
    # similarity features; None when those are off.
    label_sim: Any = None
    # The name-blind classifiers (main coef, main bias, fine coef, fine bias), or None.
    context: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    # The training mentions' window vectors and role distributions (main 3, fine 22), float16.
    neighbours: tuple[np.ndarray, np.ndarray] | None = None

    def matrix(self, article: Encoded, mentions: Sequence[MentionInput]) -> sparse.csr_matrix:
        mentions = with_windows(article, mentions, self.settings.window)
        extra = None
        if self.neighbours is not None:
            vectors, roles = self.neighbours
            extra = _knn_roles(_windows(mentions), vectors, roles, self.settings.knn)
            extra *= self.settings.w_knn
        return _matrix(
            self.blocks,
            self.settings,
            [(article, m) for m in mentions],
            sim=self.label_sim,
            extra=extra,
        )

    def probabilities(
        self, article: Encoded, mentions: Sequence[MentionInput]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(main-role probabilities (n, 3), fine-role probabilities (n, 22))."""
        if not mentions:
            return np.zeros((0, len(MAIN_ROLES))), np.zeros((0, len(FINE)))
        x = self.matrix(article, mentions)
        main_coef, fine_coef = self.coefficients32()
        main = _softmax(x @ main_coef + self.main_bias)
        fine = _softmax(x @ fine_coef + self.fine_bias)
        if self.context is not None:
            # Averaged with the name-blind model (``FramingSettings.context_model``).
            w = self.settings.context_model
            c_main, c_main_bias, c_fine, c_fine_bias = self.context
            main = (1 - w) * main + w * _softmax(x @ c_main.astype(np.float32) + c_main_bias)
            fine = (1 - w) * fine + w * _softmax(x @ c_fine.astype(np.float32) + c_fine_bias)
        return main, fine

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
        model: FramingModel = load_instance(path, cls, "framing model")
        # Models saved before the side features existed were trained without them.
        model.settings.__dict__.setdefault("w_side", 0.0)
        model.settings.__dict__.setdefault("side_tokens", 0.0)
        model.settings.__dict__.setdefault("grammar", 0.0)
        for name in ("w_side_doc", "w_sentence_stories"):  # added later still
            model.settings.__dict__.setdefault(name, 0.0)
        model.__dict__.setdefault("label_sim", None)
        model.__dict__.setdefault("context", None)
        model.settings.__dict__.setdefault("context_model", 0.0)
        model.settings.__dict__.setdefault("lang_balance", 0.0)
        model.settings.__dict__.setdefault("knn", 0)
        model.settings.__dict__.setdefault("w_knn", 1.0)
        model.__dict__.setdefault("neighbours", None)
        return model


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
    sim: Any = None,
) -> FramingModel:
    """Fit both classifiers on (article, mention, gold main role, gold fine roles) rows."""
    from sklearn.linear_model import LogisticRegression

    rows = _rows_with_windows(rows, settings.window)
    strings = [_strings(a, m, settings) for a, m, _, _ in rows]
    blocks = {
        b: NgramBlock.fit([s[b] for s in strings], "tokens", (1, 1), settings.max_features)
        for b in SPARSE_BLOCKS
        if getattr(settings, f"w_{b}")
    }
    model = FramingModel(settings, blocks, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    if settings.w_sentence_stories and sim is not None:
        model.label_sim = _compact_sim(sim)
    extra = None
    if settings.knn:
        vectors = _windows([m for _, m, _, _ in rows])
        roles = _role_targets(rows)
        owner = np.array([id(a) for a, _, _, _ in rows])
        extra = _knn_roles(vectors, vectors, roles, settings.knn, owner) * settings.w_knn
        model.neighbours = (vectors.astype(np.float16), roles.astype(np.float16))
    x = _matrix(blocks, settings, [(a, m) for a, m, _, _ in rows], strings, model.label_sim, extra)
    y_main = np.array([MAIN_ROLES.index(r) for _, _, r, _ in rows])
    weight = "balanced" if settings.balanced else None
    main = LogisticRegression(
        C=settings.C, max_iter=3000, random_state=settings.seed, class_weight=weight
    )
    counts: dict[str, int] = {}
    for a, _, _, _ in rows:
        counts[a.lang] = counts.get(a.lang, 0) + 1
    sw = np.array([counts[a.lang] ** -settings.lang_balance for a, _, _, _ in rows])
    sw = sw * len(sw) / sw.sum()  # mean weight 1, so C keeps its meaning
    main.fit(x, y_main, sample_weight=sw)
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
    fine.fit(x[idx], y_fine, sample_weight=sw[idx])
    model.main_coef, model.main_bias = _full(main, len(MAIN_ROLES))
    model.fine_coef, model.fine_bias = _full(fine, len(FINE))
    if settings.context_model and "name" in blocks:
        # The same rows with the name block's columns (the first block) zeroed.
        keep = np.ones(x.shape[1], dtype=np.float32)
        keep[: len(blocks["name"].columns)] = 0.0
        x_blind = x @ sparse.diags(keep)
        main.fit(x_blind, y_main, sample_weight=sw)
        fine.fit(x_blind[idx], y_fine, sample_weight=sw[idx])
        model.context = (*_full(main, len(MAIN_ROLES)), *_full(fine, len(FINE)))
    return model


def _strings(article: Encoded, m: MentionInput, settings: FramingSettings) -> dict[str, str]:
    return feature_strings(article, m, settings.side_tokens > 0, settings.grammar > 0)


def _rows_with_windows(rows: Sequence[Any], mode: str) -> list[Any]:
    """``rows`` with window vectors filled in, one encoder batch per article."""
    by_article: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        by_article.setdefault(id(row[0]), []).append(i)
    out = list(rows)
    for idx in by_article.values():
        article = rows[idx[0]][0]
        filled = with_windows(article, [rows[i][1] for i in idx], mode)
        for i, m in zip(idx, filled, strict=True):
            out[i] = (article, m, rows[i][2], rows[i][3])
    return out


def _matrix(
    blocks: dict[str, NgramBlock],
    settings: FramingSettings,
    pairs: Sequence[tuple[Encoded, MentionInput]],
    strings: Sequence[dict[str, str]] | None = None,
    sim: Any = None,
    extra: np.ndarray | None = None,
) -> sparse.csr_matrix:
    """Weighted sparse blocks, then the dense features, one row per (article, mention)."""
    if strings is None:
        strings = [_strings(a, m, settings) for a, m in pairs]
    parts = [
        blocks[b].transform([s[b] for s in strings]) * float(getattr(settings, f"w_{b}"))
        for b in SPARSE_BLOCKS
        if b in blocks
    ]
    dense = np.stack([dense_features(a, m, settings, sim) for a, m in pairs])
    if extra is not None:
        dense = np.hstack([dense, extra.astype(np.float32)])
    return sparse.hstack([*parts, sparse.csr_matrix(dense)], format="csr")


def _windows(mentions: Sequence[MentionInput]) -> np.ndarray:
    """The mentions' window vectors, L2-normalised, (n, 512) float32."""
    v = np.stack(
        [m.window if m.window is not None else np.zeros(512, np.float32) for m in mentions]
    ).astype(np.float32)
    return v / (np.linalg.norm(v, axis=1, keepdims=True) + 1e-8)


def _role_targets(rows: Sequence[Any]) -> np.ndarray:
    """(n, 25): one-hot gold main role, then the gold fine roles (summing to 1)."""
    out = np.zeros((len(rows), len(MAIN_ROLES) + len(FINE)), dtype=np.float32)
    for i, (_, _, role, fines) in enumerate(rows):
        out[i, MAIN_ROLES.index(role)] = 1.0
        own = [FINE.index(f) for f in fines if f in FINE]
        for k in own:
            out[i, len(MAIN_ROLES) + k] = 1.0 / len(own)
    return out


def _knn_roles(
    queries: np.ndarray,
    vectors: np.ndarray,
    roles: np.ndarray,
    k: int,
    owner: np.ndarray | None = None,
) -> np.ndarray:
    """Mean role distribution of each query's ``k`` most similar training windows; with
    ``owner`` (queries are the training rows) a row's own article is left out."""
    out = np.zeros((len(queries), roles.shape[1]), dtype=np.float32)
    v = vectors.astype(np.float32)
    r = roles.astype(np.float32)
    for start in range(0, len(queries), 1024):
        sims = queries[start : start + 1024] @ v.T
        if owner is not None:
            sims[owner[start : start + 1024, None] == owner[None, :]] = -np.inf
        top = np.argpartition(-sims, min(k, sims.shape[1] - 1), axis=1)[:, :k]
        out[start : start + 1024] = r[top].mean(axis=1)
    return out


def _compact_sim(sim: Any) -> Any:
    """The description vectors the framing model keeps (float16 would cost cosines nothing
    that matters, but per_sentence works in float32 either way)."""
    from narrascope.narratives.model import SimFeatures

    return SimFeatures(sim.vectors.astype(np.float16), sim.owner, list(sim.labels))


def _full(clf: Any, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients for every class; a class absent from training gets a very low bias."""
    coef = np.zeros((clf.coef_.shape[1], n_classes), dtype=np.float32)
    bias = np.full(n_classes, -30.0, dtype=np.float32)
    for j, cls in enumerate(clf.classes_):
        coef[:, cls] = clf.coef_[j] if len(clf.classes_) > 2 else 0
        bias[cls] = clf.intercept_[j] if len(clf.classes_) > 2 else 0
    return coef.astype(np.float16), bias
