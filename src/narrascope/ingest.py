"""Reading articles: text, HTML, JSONL, RSS/Atom feed files, folders and stdin.

Every problem with an input becomes an ``InputError`` naming the input and the problem in one
line. Readers yield errors alongside documents instead of raising, so a batch reports a bad
article and carries on with the rest. Nothing here follows a link or fetches a URL: a feed's
items are read from the feed file itself.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from narrascope.document import Document, Metadata

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES | {".json"}
# Fewer words than this from an HTML page means the extractor found navigation, not an article.
MIN_HTML_WORDS = 5
# HTML carries markup around the text, so the raw file may be larger than the text limit.
HTML_OVERHEAD = 4

_MAGIC = {
    b"%PDF": "PDF document",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"PK\x03\x04": "ZIP archive (or DOCX/ODT)",
    b"\x1f\x8b": "gzip archive",
    b"\x7fELF": "executable",
    b"\xd0\xcf\x11\xe0": "MS Office document",
}
_DECLARED_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


class InputError(Exception):
    """An input that cannot be analysed. ``str()`` is the one-line message users see."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


@dataclass
class ReadOptions:
    max_bytes: int = DEFAULT_MAX_BYTES
    # Force a format instead of guessing from the suffix or content: text|html|jsonl|feed.
    format: str | None = None


Item = Document | InputError


def read_inputs(target: str, options: ReadOptions | None = None) -> Iterator[Item]:
    """Documents (and errors) from a path, a folder (recursively) or ``-`` for stdin."""
    opts = options or ReadOptions()
    if target == "-":
        yield from _read_stdin(sys.stdin.buffer, opts)
        return
    path = Path(target)
    if not path.exists():
        yield InputError(target, "no such file or folder")
    elif path.is_dir():
        yield from _read_folder(path, opts)
    else:
        yield from read_file(path, opts)


def _read_stdin(stream: BinaryIO, opts: ReadOptions) -> Iterator[Item]:
    data = stream.read(opts.max_bytes * HTML_OVERHEAD + 1)
    yield from _read_bytes(data, "<stdin>", opts.format or _sniff_format(data), opts)


def _read_folder(folder: Path, opts: ReadOptions) -> Iterator[Item]:
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    if not files:
        yield InputError(str(folder), "folder holds no files")
    for path in files:
        if path.suffix.lower() not in SUPPORTED_SUFFIXES and opts.format is None:
            supported = " ".join(sorted(SUPPORTED_SUFFIXES))
            yield InputError(str(path), f"unsupported file type (supported: {supported})")
            continue
        yield from read_file(path, opts)


def read_file(path: Path, opts: ReadOptions) -> Iterator[Item]:
    fmt = opts.format or _format_from_suffix(path)
    if fmt == "jsonl":
        yield from _read_jsonl_file(path, opts)
        return
    limit = opts.max_bytes * (HTML_OVERHEAD if fmt in ("html", "feed", None) else 1)
    try:
        size = path.stat().st_size
        if size > limit:
            yield InputError(str(path), _too_big(size, limit))
            return
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(str(path), f"cannot read file ({exc.strerror or exc})")
        return
    yield from _read_bytes(data, str(path), fmt or _sniff_format(data), opts)


def _format_from_suffix(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in FEED_SUFFIXES:
        return "feed"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix == ".json":
        return "json"
    return None


def _sniff_format(data: bytes) -> str:
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    if head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed")):
        return "feed"
    if head.startswith(b"{"):
        return "jsonl"
    return "text"


def _read_bytes(data: bytes, source: str, fmt: str, opts: ReadOptions) -> Iterator[Item]:
    try:
        if fmt == "jsonl":
            yield from _read_jsonl_lines(data.splitlines(), source, opts)
            return
        limit = opts.max_bytes * (HTML_OVERHEAD if fmt in ("html", "feed") else 1)
        if len(data) > limit:
            raise InputError(source, _too_big(len(data), limit))
        text = decode_bytes(data, source)
        if fmt == "html":
            yield html_document(text, source, opts)
        elif fmt == "feed":
            yield from feed_documents(data, source, opts)
        elif fmt == "json":
            yield from _json_documents(text, source, opts)
        else:
            yield text_document(text, source, opts)
    except InputError as err:
        yield err


def _too_big(size: int, limit: int) -> str:
    return (
        f"file is {size / 1_048_576:.1f} MB, over the {limit / 1_048_576:.1f} MB limit "
        "(raise it with --max-size)"
    )


def decode_bytes(data: bytes, source: str) -> str:
    """Text from bytes: reject binary, honour a BOM or declared charset, else UTF-8, else detect."""
    if not data.strip():
        raise InputError(source, "empty input (no text)")
    kind = _binary_kind(data)
    if kind:
        raise InputError(source, f"binary file ({kind}), not text")
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return _decode_with(data, codec, source)
    declared = _DECLARED_CHARSET.search(data[:2048])
    if declared:
        codec = declared.group(1).decode("ascii", "replace").lower()
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall through to UTF-8 and detection
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _detect_and_decode(data, source, exc)


def _decode_with(data: bytes, codec: str, source: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            source, f"not valid {codec} despite its byte-order mark ({exc.reason})"
        ) from None


def _detect_and_decode(data: bytes, source: str, utf8_error: UnicodeDecodeError) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        raise InputError(
            source,
            f"not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) "
            "and no other encoding fits; re-save the file as UTF-8",
        )
    return str(best)


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text has NUL bytes by design
    if b"\x00" in head:
        return "contains NUL bytes"
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    if control > len(head) * 0.1:
        return "mostly control bytes"
    return None


def split_title(text: str) -> str:
    """The headline of a plain-text article: a short first line followed by a blank line."""
    first, sep, rest = text.lstrip().partition("\n")
    first = first.strip()
    if sep and rest.startswith(("\n", "\r\n")) and 0 < len(first) <= 300:
        return first
    return ""


def text_document(
    text: str, source: str, opts: ReadOptions, meta: dict[str, Any] | None = None
) -> Document:
    if not text.strip():
        raise InputError(source, "empty input (only whitespace)")
    if len(text.encode("utf-8")) > opts.max_bytes:
        raise InputError(source, _too_big(len(text.encode("utf-8")), opts.max_bytes))
    meta = dict(meta or {})
    title = str(meta.pop("title", "") or split_title(text))
    doc_id = str(meta.pop("id", "") or "")
    return Document(text, title, _metadata(source, meta), doc_id)


def _metadata(source: str, fields: dict[str, Any]) -> Metadata:
    authors = fields.pop("authors", fields.pop("author", [])) or []
    if isinstance(authors, str):
        authors = [a.strip() for a in re.split(r";|,| and ", authors) if a.strip()]
    return Metadata(
        source=source,
        url=_str_or_none(fields.pop("url", None)),
        outlet=_str_or_none(fields.pop("outlet", fields.pop("sitename", None))),
        authors=[str(a) for a in authors],
        published=_str_or_none(fields.pop("published", fields.pop("date", None))),
        language=_str_or_none(fields.pop("language", fields.pop("lang", None))),
        extra={k: v for k, v in fields.items() if isinstance(v, str | int | float | bool)},
    )


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def html_document(html: str, source: str, opts: ReadOptions) -> Document:
    import trafilatura

    result = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        # Dates from the page's markup only (meta tags, <time>, the URL): the extensive search
        # turns a footer's "(c) 2026" into a publication date of 2026-01-01, which a
        # fact-checker would then cite.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = (getattr(result, "text", None) or "").strip() if result is not None else ""
    words = len(text.split())
    if words < MIN_HTML_WORDS:
        found = f"; only {words} word(s) found" if words else ""
        raise InputError(
            source, f"HTML has no extractable article text (only markup or boilerplate{found})"
        )
    meta = {
        "title": getattr(result, "title", None) or "",
        "url": getattr(result, "url", None),
        "sitename": getattr(result, "sitename", None),
        "date": getattr(result, "date", None),
        "author": getattr(result, "author", None),
    }
    return text_document(text, source, opts, meta)


def _json_documents(text: str, source: str, opts: ReadOptions) -> Iterator[Document]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"invalid JSON ({exc.msg} at line {exc.lineno})") from None
    records = data if isinstance(data, list) else [data]
    for i, record in enumerate(records):
        yield _record_document(record, f"{source}[{i}]" if len(records) > 1 else source, opts)


def _record_document(record: Any, source: str, opts: ReadOptions) -> Document:
    if not isinstance(record, dict):
        raise InputError(source, "expected a JSON object with a 'text' field")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(source, "JSON object has no 'text' string")
    return text_document(text, source, opts, {k: v for k, v in record.items() if k != "text"})


def _read_jsonl_file(path: Path, opts: ReadOptions) -> Iterator[Item]:
    try:
        with path.open("rb") as handle:
            if not path.stat().st_size:
                yield InputError(str(path), "empty input (no text)")
                return
            yield from _read_jsonl_lines(handle, str(path), opts)
    except OSError as exc:
        yield InputError(str(path), f"cannot read file ({exc.strerror or exc})")


def _read_jsonl_lines(lines: Any, source: str, opts: ReadOptions) -> Iterator[Item]:
    seen = False
    for number, raw in enumerate(lines, start=1):
        where = f"{source}:{number}"
        if not raw.strip():
            continue
        seen = True
        try:
            if len(raw) > opts.max_bytes * 2:  # JSON escapes can double a text's size
                raise InputError(where, _too_big(len(raw), opts.max_bytes * 2))
            line = decode_bytes(raw, where)
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(where, f"invalid JSON ({exc.msg})") from None
            yield _record_document(record, where, opts)
        except InputError as err:
            yield err
    if not seen:
        yield InputError(source, "empty input (no JSON lines)")


def feed_documents(data: bytes, source: str, opts: ReadOptions) -> Iterator[Item]:
    """One document per RSS <item> or Atom <entry>, from the text the feed itself carries."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(source, f"invalid XML feed ({exc.msg})") from None
    entries = root.xpath("//*[local-name()='item' or local-name()='entry']")
    if not entries:
        raise InputError(source, "feed has no <item> or <entry> elements")
    for i, entry in enumerate(entries, start=1):
        where = f"{source}#item{i}"
        fields = {_local(child.tag): child for child in entry}
        body = _first_text(fields, "encoded", "content", "description", "summary")
        try:
            text = _html_to_text(body) if "<" in body else body.strip()
            if not text:
                raise InputError(
                    where, "feed item has no text (only a link: narrascope never fetches it)"
                )
            link = fields.get("link")
            url = (link.get("href") or link.text) if link is not None else None
            meta = {
                "title": _first_text(fields, "title"),
                "url": url,
                "date": _first_text(fields, "pubDate", "published", "updated", "date"),
                "author": _first_text(fields, "creator", "author"),
            }
            yield text_document(text, where, opts, meta)
        except InputError as err:
            yield err


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _first_text(fields: dict[str, Any], *names: str) -> str:
    for name in names:
        element = fields.get(name)
        if element is not None:
            text = "".join(element.itertext()).strip()
            if text:
                return text
    return ""


def _html_to_text(fragment: str) -> str:
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(fragment)
    except Exception:  # lxml raises several types on junk; a fragment we cannot parse has no text
        return ""
    paragraphs = tree.xpath("//p") or [tree]
    blocks = [" ".join(p.text_content().split()) for p in paragraphs]
    return "\n\n".join(b for b in blocks if b)
