"""Reports on hand-built documents: highlighting, escaping of hostile text, Markdown."""

from __future__ import annotations

import re

from narrascope.document import DocLabel, Document, Metadata
from narrascope.report import render
from narrascope.report.html import segments

HOSTILE = 'Click <script>alert("x")</script> and <img src=x onerror=alert(1)> now. </script><!--'


def hostile_doc() -> Document:
    doc = Document(
        HOSTILE, title="<b>bad</b> title", meta=Metadata(source="evil.html", language="en")
    )
    layer = doc.layer("techniques")
    layer.add_span(6, 34, "Loaded_Language", 0.9, note="</script><script>alert(2)</script>")
    layer.add_span(0, 12, "Doubt", 0.3)
    layer.data["explanations"] = {"Loaded_Language": "Words chosen for emotional impact."}
    doc.layer("narratives").labels.append(DocLabel("<i>Other</i>", 0.5))
    return doc


def test_html_escapes_article_text_titles_and_attrs() -> None:
    page = render(hostile_doc(), "html")
    body = page.split('<script type="application/json"')[0]
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<b>bad</b>" not in page and "&lt;b&gt;bad&lt;/b&gt;" in page
    # Only the report's own two script elements exist.
    assert len(re.findall(r"<script[ >]", page)) == 2
    assert "&lt;script&gt;" in body


def test_html_has_legend_explanations_threshold_and_no_remote_resources() -> None:
    page = render(hostile_doc(), "html", threshold=0.5)
    assert 'id="threshold"' in page and 'value="0.5"' in page
    assert "Words chosen for emotional impact." in page
    assert not re.search(r"(src|href)=\"?https?:", page)


def test_overlapping_spans_split_into_segments() -> None:
    doc = hostile_doc()
    spans = [("techniques", s) for s in doc.layers["techniques"].spans]
    segs = segments(doc.text, spans)
    covered = {(a, b): ids for a, b, ids in segs if ids}
    assert covered[(0, 6)] == ["techniques:techniques-1"]
    assert sorted(covered[(6, 12)]) == ["techniques:techniques-0", "techniques:techniques-1"]
    assert covered[(12, 34)] == ["techniques:techniques-0"]
    assert "".join(doc.text[a:b] for a, b, _ in segs) == doc.text


def test_markdown_lists_spans_with_offsets_and_labels() -> None:
    md = render(hostile_doc(), "md")
    assert md.startswith("# &lt;b>bad&lt;/b> title")
    assert "**Loaded_Language** (1)" in md and "[6:34]" in md
    assert "| &lt;i>Other&lt;/i> | 0.50 |" in md


def test_segments_put_the_innermost_annotation_first() -> None:
    from narrascope.document import Span
    from narrascope.report.html import segments

    text = "Officials said the bridge reopened."
    sentence = Span(0, len(text), "claim", id="c0")
    source = Span(0, 9, "source", id="s0")
    pieces = segments(text, [("claims", sentence), ("attributions", source)])
    assert pieces[0] == (0, 9, ["attributions:s0", "claims:c0"])
    assert pieces[1] == (9, len(text), ["claims:c0"])


def test_claims_layer_starts_switched_off_in_the_article_view() -> None:
    from narrascope.api import analyze_text
    from narrascope.report import render

    html = render(analyze_text("Officials said on Monday that 40 people were evacuated."), "html")
    assert 'data-layer="claims">' in html
    assert 'data-layer="entities" checked>' in html


def test_markdown_never_lets_article_text_open_an_html_tag() -> None:
    from narrascope.api import analyze_text
    from narrascope.report import render

    text = 'The spokesman of <img src=x onerror=alert(1)> said "<b>12 soldiers</b> deserted".'
    md = render(analyze_text(text), "md")
    assert "<" not in md
    assert "&lt;img src=x onerror=alert(1)>" in md


def test_markdown_shows_near_misses_when_the_article_is_other() -> None:
    from narrascope.report.narratives_panel import narratives_markdown

    doc = Document("Some article text.", meta=Metadata(language="en"))
    layer = doc.layer("narratives")
    layer.labels.append(DocLabel("Other", 0.43, {"level": "narrative"}))
    layer.data["near_misses"] = [{"label": "URW: Discrediting Ukraine", "score": 0.4265}]
    md = narratives_markdown(doc)
    assert "**Other**" in md
    assert "Near misses: URW: Discrediting Ukraine (0.43)" in md


def entity_doc() -> Document:
    text = "Ukraine's army and Ukraine met <b>Kyiv</b> officials on 12 May; Donbass and Donbass."
    doc = Document(text, meta=Metadata(source="t.txt", language="en"))
    ents = doc.layer("entities")
    for word, label in (
        ("Ukraine's", "GPE"),
        ("Ukraine", "GPE"),
        ("<b>Kyiv</b>", "GPE"),
        ("12 May", "DATE"),
    ):
        start = text.index(word)
        ents.add_span(start, start + len(word), label)
    first = text.index("Donbass")
    ents.add_span(first, first + 7, "ORG")
    second = text.index("Donbass", first + 1)
    ents.add_span(second, second + 7, "LOC")
    return doc


def test_entities_panel_lists_each_name_once_with_its_types() -> None:
    from narrascope.report.entities_panel import entity_groups

    groups = entity_groups(entity_doc())
    assert [(g.name, g.type_text(), len(g.mentions)) for g in groups] == [
        ("Ukraine", "GPE", 2),  # the possessive joins the plain name
        ("Donbass", "ORG (also LOC)", 2),  # one name, two types: one row
        ("<b>Kyiv</b>", "GPE", 1),
    ]
    md = render(entity_doc(), "md")
    assert "3 named entities in 5 mentions, plus 1 number or date" in md
    assert "| Ukraine | GPE | 2 |" in md and "12 May" not in md.split("## Entities")[1]
    page = render(entity_doc(), "html")
    assert "<b>Kyiv</b>" not in page and "&lt;b&gt;Kyiv&lt;/b&gt;" in page
