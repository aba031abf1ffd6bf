"""Shared fixtures. The canonical example article is read from ../shared when present;
otherwise tests fall back to the short article the repository owns (examples/article.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXAMPLE = SHARED / "examples" / "desertion-claims-article.txt"
SHORT_ARTICLE = ROOT / "examples" / "article.txt"


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE if EXAMPLE.exists() else SHORT_ARTICLE


@pytest.fixture(scope="session")
def example_text(example_path: Path) -> str:
    return example_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example_doc(example_path: Path):
    """The example article through the default pipeline (analysed once per test session)."""
    from narrascope.api import analyze_inputs

    docs = list(analyze_inputs(str(example_path)))
    assert len(docs) == 1
    return docs[0]
