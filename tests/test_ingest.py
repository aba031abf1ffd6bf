"""Ingestion: formats, metadata, and the bad-input cases, at the library level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narrascope.document import Document
from narrascope.ingest import InputError, ReadOptions, decode_bytes, read_inputs, split_title

HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Floods hit the valley</title>
<meta name="author" content="Jane Roe"><meta property="og:site_name" content="Valley News">
<meta name="date" content="2024-03-05"></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | Subscribe now!</nav>
<article><h1>Floods hit the valley</h1>
<p>Heavy rain flooded three villages in the valley on Monday, the regional authority said in a statement.</p>
<p>More than 200 residents were moved to shelters, according to local officials, who expect the water to recede by Friday.</p>
<p>Farmers said that the harvest in the lower fields was lost, and the government promised compensation.</p>
</article><footer>Copyright Valley News. All rights reserved. Cookie settings.</footer></body></html>"""


def items(target: Path | str, **kw: object) -> list[Document | InputError]:
    return list(read_inputs(str(target), ReadOptions(**kw)))  # type: ignore[arg-type]


def test_plain_text_keeps_text_and_takes_headline_as_title(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Headline here\n\nBody sentence one. Body two.\n", encoding="utf-8")
    [doc] = items(path)
    assert isinstance(doc, Document)
    assert doc.title == "Headline here"
    assert doc.text.startswith("Headline here\n\nBody")  # offsets index the file as written


def test_split_title_needs_a_blank_line() -> None:
    assert split_title("Just one paragraph of text that goes on.") == ""
    assert split_title("Title\n\nBody") == "Title"


def test_html_main_text_and_metadata_without_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    [doc] = items(path)
    assert isinstance(doc, Document)
    assert "three villages" in doc.text and "200 residents" in doc.text
    assert "Subscribe" not in doc.text and "Cookie" not in doc.text
    assert doc.title == "Floods hit the valley"
    assert doc.meta.published == "2024-03-05"
    assert doc.meta.authors == ["Jane Roe"]


def test_html_footer_year_is_not_a_publication_date(tmp_path: Path) -> None:
    body = HTML.split("<body>", 1)[1]
    page = "<html><head><title>Floods</title></head><body>" + body
    path = tmp_path / "page.html"
    path.write_text(page.replace("Copyright Valley News", "(c) 2026 Valley News"), "utf-8")
    [doc] = items(path)
    assert isinstance(doc, Document)
    assert doc.meta.published is None


def test_jsonl_reads_metadata_and_reports_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps(
            {
                "id": "a1",
                "text": "First article text.",
                "title": "One",
                "outlet": "X",
                "language": "en",
            }
        ),
        "{not json",
        json.dumps({"title": "no text"}),
        "",
        json.dumps({"text": "Second article."}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    got = items(path)
    assert [type(i).__name__ for i in got] == ["Document", "InputError", "InputError", "Document"]
    first = got[0]
    assert isinstance(first, Document) and first.id == "a1" and first.meta.outlet == "X"
    assert str(got[1]).startswith(f"{path}:2: invalid JSON")
    assert "no 'text'" in str(got[2])


def test_feed_items_become_documents_without_fetching_links(tmp_path: Path) -> None:
    feed = """<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>
    <item><title>Item one</title><link>http://example.invalid/1</link>
    <description>&lt;p&gt;Troops moved north on Monday.&lt;/p&gt;</description><pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate></item>
    <item><title>Only a link</title><link>http://example.invalid/2</link></item>
    </channel></rss>"""
    path = tmp_path / "feed.rss"
    path.write_text(feed, encoding="utf-8")
    first, second = items(path)
    assert isinstance(first, Document) and first.text == "Troops moved north on Monday."
    assert first.meta.url == "http://example.invalid/1" and first.title == "Item one"
    assert isinstance(second, InputError) and "never fetches" in str(second)


def test_folder_recurses_sorted_and_reports_unsupported_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("Bee text here.", encoding="utf-8")
    (tmp_path / "sub" / "a.txt").write_text("Ay text here.", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    got = items(tmp_path)
    sources = [i.meta.source if isinstance(i, Document) else i.source for i in got]
    assert sources == [
        str(tmp_path / "b.txt"),
        str(tmp_path / "image.png"),
        str(tmp_path / "sub" / "a.txt"),
    ]
    assert isinstance(got[1], InputError) and "unsupported file type" in str(got[1])


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty input"),
        (b"   \n\t ", "empty input"),
        (b"%PDF-1.7 binary", "binary file (PDF document)"),
        (b"abc\x00\x01\x02def", "binary file (contains NUL bytes)"),
    ],
)
def test_bad_bytes_are_rejected_with_the_reason(data: bytes, problem: str) -> None:
    with pytest.raises(InputError, match=problem.replace("(", "\\(").replace(")", "\\)")):
        decode_bytes(data, "in.txt")


def test_declared_and_detected_encodings_are_used_before_failing() -> None:
    russian = "Президент заявил, что войска отступают от границы.".encode("cp1251")
    assert "Президент" in decode_bytes(b'<meta charset="windows-1251">' + russian, "in.html")
    latin = "Le président a déclaré que les troupes reculaient vers la frontière.".encode("latin-1")
    assert "président" in decode_bytes(latin, "in.txt")
    assert decode_bytes("\ufeffBOM text".encode(), "in.txt") == "BOM text"


def test_undecodable_bytes_name_the_offset() -> None:
    junk = bytes(range(128, 256)) * 4
    with pytest.raises(InputError, match=r"not valid UTF-8 \(byte 0x80 at offset 0\)"):
        decode_bytes(junk, "in.txt")


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000, encoding="utf-8")
    [err] = items(path, max_bytes=1000)
    assert isinstance(err, InputError) and "over the 0.0 MB limit" in str(err)
    [doc] = items(path, max_bytes=10_000)
    assert isinstance(doc, Document)


def test_html_without_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text(
        "<html><body><nav>Home</nav><script>var x=1;</script></body></html>", encoding="utf-8"
    )
    [err] = items(path)
    assert isinstance(err, InputError) and "no extractable article text" in str(err)


def test_missing_path_is_an_error() -> None:
    [err] = items("/nonexistent/file.txt")
    assert isinstance(err, InputError) and "no such file" in str(err)
