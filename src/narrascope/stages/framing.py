"""Entity framing: how the article casts the actors it is about.

Candidates are the named entities of the ``entities`` layer (people, organisations, places,
nationalities). A nationality that modifies a noun ("Ukrainian forces", "the Russian army")
becomes that noun phrase, since the article casts the group rather than the adjective.
Mentions of one actor are grouped ("Marochko" joins "Andrei Marochko"), the most mentioned
actors are kept, and every mention is classified by the shipped framing model in the
context of the article's narratives; an actor's role is the average over its mentions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from narrascope.document import Document
from narrascope.names import group_by_name, name_key
from narrascope.pipeline import Stage

LAYER = "framing"
MAX_ACTORS = 8
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP"})
MODEL = "narrascope/models/framing (see docs/models/narratives.md)"
EXPLANATIONS = {
    "Protagonist": "Cast as a hero or a force for good (guardian, peacemaker, martyr, ...).",
    "Antagonist": "Cast as a villain or a threat (instigator, tyrant, traitor, incompetent, ...).",
    "Innocent": "Cast as a victim or someone forgotten, exploited or scapegoated.",
}


@dataclass
class Actor:
    name: str
    key: str
    mentions: list[tuple[int, int]] = field(default_factory=list)


def _candidate_spans(doc: Document) -> list[tuple[int, int]]:
    spacy_doc = doc.cache.get("spacy")
    spans = []
    for ent in doc.layers["entities"].spans:
        if ent.label not in ENTITY_LABELS:
            continue
        start, end = ent.start, ent.end
        if ent.label == "NORP" and spacy_doc is not None:
            end = _group_noun_end(spacy_doc, start, end)
            if end == ent.end:
                continue  # a bare adjective ("Russian officials" aside) names no actor
        spans.append((start, end))
    return spans


def _group_noun_end(spacy_doc: Any, start: int, end: int) -> int:
    """End of the noun a nationality modifies, when it directly follows ("Ukrainian forces")."""
    span = spacy_doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return end
    head = span.root.head
    if (
        span.root.dep_ in ("amod", "compound")
        and head.pos_ in ("NOUN", "PROPN")
        and head.i >= span.end
    ):
        between = spacy_doc[span.end : head.i]
        if all(t.pos_ in ("ADJ", "NOUN", "PROPN") for t in between) and head.i - span.end <= 2:
            return int(head.idx + len(head.text))
    return end


def group_actors(doc: Document, spans: list[tuple[int, int]]) -> list[Actor]:
    """Mentions grouped by name (``narrascope.names``: Russian cases joined, a lone surname
    joins the full name it ends), most mentioned first; each actor is named by the first
    mention of its full form."""
    language = doc.meta.language

    def text_of(span: tuple[int, int]) -> str:
        return doc.text[span[0] : span[1]]

    actors = []
    for key, mentions in group_by_name(spans, text_of, language).items():
        named = next(m for m in mentions if name_key(text_of(m), language) == key)
        actors.append(Actor(text_of(named).strip(), key, mentions))
    ranked = sorted(actors, key=lambda a: (-len(a.mentions), min(a.mentions)))
    return ranked[:MAX_ACTORS]


def _inputs(context: dict[str, Any], actor: Actor, parsed: Any = None) -> list[Any]:
    from narrascope.narratives.framing import MentionInput, grammar_of, sentence_index

    enc = context["encoded"]
    mentions = sorted(actor.mentions)
    sentences = [sentence_index(enc, s) for s, _ in mentions]
    return [
        MentionInput(
            s,
            e,
            k,
            context["labels"],
            context["coarse_scores"],
            sentences,
            grammar=grammar_of(parsed, s, e) if parsed is not None else (),
        )
        for (s, e), k in zip(mentions, sentences, strict=True)
    ]


def _cast(
    context: dict[str, Any], actor: Actor, inputs: list[Any], main: np.ndarray, fine: np.ndarray
) -> dict[str, Any]:
    """One actor's role from its mentions' role probabilities, averaged over mentions."""
    from narrascope.narratives.framing import FINE, decide_roles

    enc = context["encoded"]
    role, fines, confidence = decide_roles(main.mean(axis=0), fine.mean(axis=0))
    per_mention = [decide_roles(main[i], fine[i]) for i in range(len(inputs))]
    best = int(np.argmax([c for _, _, c in per_mention]))
    fine_mean = fine.mean(axis=0)
    return {
        "entity": actor.name,
        "main_role": role,
        "fine_roles": fines,
        "score": confidence,
        "fine_scores": {f: float(fine_mean[FINE.index(f)]) for f in fines},
        "mentions": [
            (m.start, m.end, r, fr, c) for m, (r, fr, c) in zip(inputs, per_mention, strict=True)
        ],
        "evidence": enc.sentences[inputs[best].sentence] if enc.sentences else None,
    }


class FramingStage(Stage):
    name = "framing"
    requires = ("entities", "narratives")
    provides = ("framing",)
    languages = frozenset({"en", "ru"})

    def predict(self, docs: Sequence[Document]) -> list[list[dict[str, Any]]]:
        from narrascope.narratives.encoder import single_thread

        with single_thread():
            return [self._predict_one(doc) for doc in docs]

    def _predict_one(self, doc: Document) -> list[dict[str, Any]]:
        context = doc.cache.get("narratives")
        if context is None:  # narratives ran in another process: nothing to read
            return []
        from narrascope.narratives.framing import shipped_framing, with_windows

        actors = group_actors(doc, _candidate_spans(doc))
        # The English parse gives each mention its grammatical role; other languages go without.
        parsed = doc.cache.get("spacy")
        inputs = [_inputs(context, actor, parsed) for actor in actors]
        # One encoder call for every mention's context window: each call streams all weights.
        model = shipped_framing()
        flat = [m for group in inputs for m in group]
        flat = with_windows(context["encoded"], flat, model.settings.window)
        # One feature matrix for all mentions: per-actor calls would repeat the fixed costs.
        main, fine = model.probabilities(context["encoded"], flat)
        out, first = [], 0
        for actor, group in zip(actors, inputs, strict=True):
            last = first + len(group)
            out.append(_cast(context, actor, flat[first:last], main[first:last], fine[first:last]))
            first = last
        return out

    def set_annotations(self, docs: Sequence[Document], predictions: Sequence[Any]) -> None:
        for doc, actors in zip(docs, predictions, strict=True):
            layer = doc.layer(LAYER)
            table = []
            for actor in actors:
                ids = [
                    layer.add_span(
                        s,
                        e,
                        actor["main_role"],
                        round(c, 4),
                        entity=actor["entity"],
                        fine_roles=fr,
                        mention_role=r,
                    ).id
                    for s, e, r, fr, c in actor["mentions"]
                ]
                evidence = actor["evidence"]
                table.append(
                    {
                        "entity": actor["entity"],
                        "main_role": actor["main_role"],
                        "fine_roles": actor["fine_roles"],
                        "score": round(actor["score"], 4),
                        "fine_scores": {k: round(v, 4) for k, v in actor["fine_scores"].items()},
                        "mention_ids": ids,
                        "evidence": None
                        if evidence is None
                        else {"start": evidence[0], "end": evidence[1]},
                    }
                )
            layer.data.update({"actors": table, "explanations": dict(EXPLANATIONS), "model": MODEL})
            if "narratives" not in doc.cache:
                doc.warn("framing skipped: the narratives stage ran in another process")
