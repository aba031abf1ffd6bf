"""Reader of the PolNeAR corpus (brat standoff, one ``.ann`` file per article and annotator).

Layout: ``<root>/data/<split>/text/<article>.txt`` and
``<root>/data/<split>/attributions/<article>_<annotator>.ann``. Each attribution is an ``E`` line
tying text-bound ``T`` lines together: ``E1 <TAB> Attribution:T4 Content:T3 Cue:T2 Source:T1``
(roles may be numbered, ``Content2``; the source may be missing). A ``T`` span may be
discontinuous (``Content 10 20;30 40``). ``Discuss``/``Discard`` spans are annotator notes, not
attributions, and are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("source", "cue", "content")
# Brat role names in E lines, without a trailing number: "Content2" -> "content".
_ROLE_OF = {"Source": "source", "Cue": "cue", "Content": "content"}
_T_LINE = re.compile(r"^(T\d+)\t(\S+) ([\d ;]+)\t")
_E_LINE = re.compile(r"^(E\d+)\t(.*)$")
_ANNOTATOR = re.compile(r"^(?P<article>.+)_(?P<annotator>[0-9a-f]{4})$")

Fragments = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Span:
    """A role span: one or more (start, end) character fragments, in text order."""

    role: str
    fragments: Fragments

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]


@dataclass(frozen=True)
class Relation:
    """One attribution: its source (may be None), cue and content spans."""

    source: Span | None
    cue: Span | None
    content: Span | None
    extra_content: tuple[Span, ...] = ()


@dataclass
class Annotation:
    """What one annotator marked in one article."""

    article: str
    annotator: str
    relations: list[Relation] = field(default_factory=list)

    def spans(self, role: str) -> set[Span]:
        """Every distinct span of ``role`` (a span shared by two relations counts once)."""
        out: set[Span] = set()
        for rel in self.relations:
            candidates = [rel.source, rel.cue, rel.content, *rel.extra_content]
            out.update(s for s in candidates if s is not None and s.role == role)
        return out


@dataclass
class Article:
    name: str
    text: str
    annotations: list[Annotation]


def parse_offsets(value: str) -> Fragments:
    """``"10 20;30 40"`` -> ((10, 20), (30, 40)), sorted; raises ValueError when malformed."""
    fragments = []
    for part in value.strip().split(";"):
        start, end = (int(x) for x in part.split())
        if end < start:
            raise ValueError(f"fragment ends before it starts: {part!r}")
        fragments.append((start, end))
    if not fragments:
        raise ValueError("no offsets")
    return tuple(sorted(fragments))


def parse_ann(content: str, article: str = "", annotator: str = "") -> Annotation:
    """Relations of one brat ``.ann`` text. Lines that are neither T nor E are skipped
    (annotator notes, and continuation lines of span texts that contain a line break)."""
    spans: dict[str, tuple[str, Fragments]] = {}
    events: list[list[tuple[str, str]]] = []
    for line in content.splitlines():
        if match := _T_LINE.match(line):
            spans[match.group(1)] = (match.group(2), parse_offsets(match.group(3)))
        elif match := _E_LINE.match(line):
            pairs = [a.split(":", 1) for a in match.group(2).split() if ":" in a]
            events.append([(role, ref) for role, ref in pairs])
    annotation = Annotation(article, annotator)
    for args in events:
        roles: dict[str, list[Span]] = {r: [] for r in ROLES}
        for brat_role, ref in args:
            role = _ROLE_OF.get(brat_role.rstrip("0123456789"))
            if role is None or ref not in spans:
                continue  # the Attribution trigger itself, or a dangling reference
            roles[role].append(Span(role, spans[ref][1]))
        if not any(roles.values()):
            continue
        annotation.relations.append(
            Relation(
                source=roles["source"][0] if roles["source"] else None,
                cue=roles["cue"][0] if roles["cue"] else None,
                content=roles["content"][0] if roles["content"] else None,
                extra_content=tuple(roles["content"][1:]),
            )
        )
    return annotation


def split_dir(root: Path, split: str) -> Path:
    """``root/data/split`` (or ``root/split`` when ``root`` already is the data folder)."""
    for candidate in (root / "data" / split, root / split):
        if (candidate / "text").is_dir() and (candidate / "attributions").is_dir():
            return candidate
    raise FileNotFoundError(
        f"no PolNeAR split {split!r} under {root} (expected data/{split}/text and "
        f"data/{split}/attributions)"
    )


def read_split(root: Path, split: str, limit: int | None = None) -> list[Article]:
    """Articles of one split, in name order, each with all its annotators' files."""
    folder = split_dir(root, split)
    by_article: dict[str, list[Annotation]] = {}
    for path in sorted((folder / "attributions").glob("*.ann")):
        match = _ANNOTATOR.match(path.stem)
        article, annotator = (match["article"], match["annotator"]) if match else (path.stem, "")
        content = path.read_text(encoding="utf-8")
        by_article.setdefault(article, []).append(parse_ann(content, article, annotator))
    articles = []
    for article, found in sorted(by_article.items()):
        text_path = folder / "text" / f"{article}.txt"
        if not text_path.exists():
            raise FileNotFoundError(f"annotations without text: {text_path}")
        # newline="" keeps "\r\n" as two characters: brat offsets count them both.
        with text_path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        articles.append(Article(article, text, found))
        if limit is not None and len(articles) >= limit:
            break
    return articles
