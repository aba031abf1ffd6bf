"""Language detection with lingua, restricted to the languages narrascope meets in news.

Restricting the candidate set makes lingua faster and, more importantly, keeps close pairs
(Russian/Ukrainian/Bulgarian) apart: it uses character n-gram models of each candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, ClassVar

from narrascope.document import Document
from narrascope.pipeline import Stage

# Detection reads at most this many characters: enough for a reliable call, bounded cost.
SAMPLE_CHARS = 3000
MIN_CONFIDENCE = 0.5
# Below this many letters any guess is noise ("ok" looks Polish to a character model).
MIN_LETTERS = 12

LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Russian",
    "uk": "Ukrainian",
    "bg": "Bulgarian",
    "pt": "Portuguese",
    "hi": "Hindi",
    "de": "German",
    "fr": "French",
    "it": "Italian",
    "pl": "Polish",
    "es": "Spanish",
    "be": "Belarusian",
    "el": "Greek",
    "ka": "Georgian",
}


@cache
def _detector() -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGE_NAMES]
    return LanguageDetectorBuilder.from_languages(*langs).build()


def detect_language(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code and confidence, or (None, best confidence) when no language is clear."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None, 0.0
    values = _detector().compute_language_confidence_values(sample)
    if not values:
        return None, 0.0
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    if best.value < MIN_CONFIDENCE:
        return None, float(best.value)
    return code, float(best.value)


class LanguageStage(Stage):
    name = "language"
    provides = ("language",)

    def predict(self, docs: Sequence[Document]) -> list[tuple[str | None, float]]:
        # A language given with the input (e.g. a JSONL "language" field) is trusted as is.
        return [
            (d.meta.language, 1.0) if d.meta.language else detect_language(d.title + "\n" + d.text)
            for d in docs
        ]

    def set_annotations(
        self, docs: Sequence[Document], predictions: Sequence[tuple[str | None, float]]
    ) -> None:
        for doc, (code, confidence) in zip(docs, predictions, strict=True):
            doc.meta.language = code
            doc.meta.language_confidence = round(confidence, 4)
            if code is None:
                doc.warn(
                    "language could not be determined "
                    f"(best guess confidence {confidence:.2f}); language-specific stages skipped"
                )

    known_languages: ClassVar[dict[str, str]] = LANGUAGE_NAMES
