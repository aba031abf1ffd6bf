"""Language detection and the Russian / fallback linguistic paths."""

from __future__ import annotations

import pytest

from narrascope.api import analyze_text
from narrascope.stages.language import detect_language

BASE = ["language", "structure", "linguistic"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The ministry said on Monday that troops had withdrawn from the village.", "en"),
        ("Министерство заявило в понедельник, что войска покинули деревню.", "ru"),
        ("Міністерство заявило в понеділок, що війська залишили село.", "uk"),
        ("Министерството заяви в понеделник, че войските са напуснали селото.", "bg"),
        ("O ministério disse na segunda-feira que as tropas deixaram a aldeia.", "pt"),
    ],
)
def test_detects_close_languages_apart(text: str, code: str) -> None:
    assert detect_language(text)[0] == code


def test_too_little_text_is_undetermined() -> None:
    assert detect_language("ok 12 34")[0] is None


def test_russian_gets_sentences_and_entities_from_natasha() -> None:
    doc = analyze_text(
        "Президент России Владимир Путин заявил в Москве, что армия наступает. Это сказал Песков.",
        stages=BASE,
    )
    assert doc.meta.language == "ru"
    assert len(doc.sentences) == 2
    ents = {(doc.span_text(s), s.label) for s in doc.layers["entities"].spans}
    assert ("Владимир Путин", "PERSON") in ents and ("Москве", "LOC") in ents


def test_english_headline_without_period_is_its_own_sentence() -> None:
    doc = analyze_text(
        "Troops Pull Back\n\nThe army said it moved north. Nobody confirmed it.", stages=BASE
    )
    assert [doc.span_text(s) for s in doc.sentences] == [
        "Troops Pull Back",
        "The army said it moved north.",
        "Nobody confirmed it.",
    ]
