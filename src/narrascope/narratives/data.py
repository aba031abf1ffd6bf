"""Readers for the SemEval-2025 Task 10 layout and its narrative taxonomy.

A language folder holds ``raw-documents/<ID>.txt`` (title, blank line, body),
``subtask-1-annotations.txt`` (entity mentions with roles; the end offset is inclusive in the
files and exclusive here) and ``subtask-2-annotations.txt`` (narratives; sub-narratives).
Malformed lines raise ``ValueError`` naming the file and the line.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

OTHER = "Other"
LANGS = ("EN", "RU", "BG", "PT", "HI")
MAIN_ROLES = ("Protagonist", "Antagonist", "Innocent")
FINE_ROLES: dict[str, tuple[str, ...]] = {
    "Protagonist": ("Guardian", "Martyr", "Peacemaker", "Rebel", "Underdog", "Virtuous"),
    "Antagonist": (
        "Instigator",
        "Conspirator",
        "Tyrant",
        "Foreign Adversary",
        "Traitor",
        "Spy",
        "Saboteur",
        "Corrupt",
        "Incompetent",
        "Terrorist",
        "Deceiver",
        "Bigot",
    ),
    "Innocent": ("Forgotten", "Exploited", "Victim", "Scapegoat"),
}
ROLE_OF_FINE = {fine: main for main, fines in FINE_ROLES.items() for fine in fines}


@dataclass
class Mention:
    """A gold entity mention: ``text[start:end]`` (end exclusive) and its roles."""

    entity: str
    start: int
    end: int
    main_role: str
    fine_roles: tuple[str, ...]


@dataclass
class Article:
    id: str
    lang: str  # ISO 639-1, lower case
    text: str
    narratives: list[str] = field(default_factory=list)
    subnarratives: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


def read_text(path: Path) -> str:
    # newline="" keeps \r\n as in the file: the annotation offsets count every character.
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def _split_labels(cell: str) -> list[str]:
    labels = [c.strip() for c in cell.split(";") if c.strip()]
    return list(dict.fromkeys(labels))


def read_narratives(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """doc id -> (narratives, sub-narratives) from a subtask-2 annotation file."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            cells = line.rstrip("\r\n").split("\t")
            if len(cells) < 3:
                raise ValueError(f"{path}:{line_no}: expected doc<TAB>narratives<TAB>subnarratives")
            out[cells[0]] = (_split_labels(cells[1]), _split_labels(cells[2]))
    return out


def read_mentions(path: Path) -> dict[str, list[Mention]]:
    """doc id -> gold mentions from a subtask-1 annotation file."""
    out: dict[str, list[Mention]] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            cells = line.rstrip("\r\n").split("\t")
            try:
                doc, entity, start, end, main = cells[:5]
                mention = Mention(entity, int(start), int(end) + 1, main, tuple(cells[5:]))
            except ValueError:
                raise ValueError(
                    f"{path}:{line_no}: expected doc, entity, start, end, main role, fine roles"
                ) from None
            if main not in MAIN_ROLES:
                raise ValueError(f"{path}:{line_no}: unknown main role {main!r}")
            out.setdefault(doc, []).append(mention)
    return out


def read_language(root: Path, lang: str) -> list[Article]:
    """Every annotated article of ``root/<LANG>`` in file-name order."""
    folder = root / lang.upper()
    docs_dir = folder / "raw-documents"
    if not docs_dir.is_dir():
        raise ValueError(f"{docs_dir}: not found (expected the SemEval-2025 Task 10 layout)")
    labels_path = folder / "subtask-2-annotations.txt"
    labels = read_narratives(labels_path) if labels_path.exists() else {}
    mentions = read_mentions(folder / "subtask-1-annotations.txt")
    articles = []
    for path in sorted(docs_dir.glob("*.txt")):
        narratives, subs = labels.get(path.name, ([], []))
        text = read_text(path)
        aligned = [align_mention(text, m) for m in mentions.get(path.name, [])]
        articles.append(Article(path.name, lang.lower(), text, narratives, subs, aligned))
    return articles


def align_mention(text: str, mention: Mention, window: int = 300) -> Mention:
    """The mention moved onto the nearest occurrence of its entity string.

    Many files' offsets are shifted by a few characters (counted on a differently normalised
    text); the entity string itself is reliable, so the nearest exact occurrence wins.
    """
    if text[mention.start : mention.end] == mention.entity:
        return mention
    lo = max(0, mention.start - window)
    best: int | None = None
    pos = text.find(mention.entity, lo, mention.end + window)
    while pos != -1:
        if best is None or abs(pos - mention.start) < abs(best - mention.start):
            best = pos
        pos = text.find(mention.entity, pos + 1, mention.end + window)
    if best is None:
        return mention  # keep the gold offsets; features then read the shifted text
    return Mention(
        mention.entity, best, best + len(mention.entity), mention.main_role, mention.fine_roles
    )


def read_corpus(root: Path, langs: tuple[str, ...] = LANGS) -> list[Article]:
    return [a for lang in langs if (root / lang).is_dir() for a in read_language(root, lang)]


@dataclass
class Taxonomy:
    """Labels with definitions and description sentences (English)."""

    definitions: dict[str, str]
    descriptions: dict[str, list[str]]
    children: dict[str, list[str]]  # coarse label -> its fine labels (incl. "<coarse>: Other")


def read_taxonomy(folder: Path) -> Taxonomy:
    tree = json.loads((folder / "taxonomy.json").read_text(encoding="utf-8"))
    domains = {"URW": "War_in_Ukraine", "CC": "ClimateChange"}
    children: dict[str, list[str]] = {}
    descriptions: dict[str, list[str]] = {}
    for domain, narratives in tree.items():
        for narrative, subs in narratives.items():
            coarse = f"{domain}: {narrative}"
            children[coarse] = [f"{coarse}: {s}" for s in subs] + [f"{coarse}: {OTHER}"]
    definitions: dict[str, str] = {}
    for name, key in (
        ("narrative_definitions.csv", "narrative"),
        ("subnarrative_definitions.csv", "subnarrative"),
    ):
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                label = row[key].strip()
                definitions[label] = row["definition"].strip()
                example = (row.get("example") or row.get("examples") or "").strip()
                descriptions.setdefault(label, []).extend(
                    t for t in (row["definition"].strip(), example) if t
                )
    for domain, stem in domains.items():
        path = folder / f"Narrative_Description_{stem}-sentences.tsv"
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                coarse = f"{domain}: {row['Narrative'].strip()}"
                text = (row.get("Description") or "").strip()
                if not text:
                    continue
                descriptions.setdefault(coarse, []).append(text)
                sub = (row.get("Subnarrative") or "").strip()
                if sub:
                    descriptions.setdefault(f"{coarse}: {sub}", []).append(text)
    return Taxonomy(definitions, descriptions, children)
