"""Claims: structured extraction on hand-written sentences, attribution linking, grouping,
reports, and the example article end to end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from narrascope.claims.quantities import parse_number

REFERENCE = datetime(2024, 3, 6)  # a Wednesday


def claim_of(sentence: str, reference: datetime | None = REFERENCE) -> dict[str, Any]:
    from narrascope.claims.extract import extract_claim
    from narrascope.stages.linguistic import spacy_english

    parsed = spacy_english()(sentence)
    return extract_claim(next(iter(parsed.sents)), reference)


def texts(items: list[dict[str, Any]]) -> list[str]:
    return [item["text"] for item in items]


# --- quantities -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("12", 12),
        ("1,200", 1200),
        ("3.5 million", 3_500_000),
        ("twelve", 12),
        ("forty-two", 42),
        ("two hundred", 200),
        ("soldiers", None),
    ],
)
def test_parse_number(written: str, value: float | None) -> None:
    assert parse_number(written) == value


def test_count_with_unit_and_offsets() -> None:
    sentence = "Officials said that 40 soldiers had deserted the base."
    claim = claim_of(sentence)
    [quantity] = claim["quantities"]
    assert (quantity["value"], quantity["unit"]) == (40, "soldiers")
    assert sentence[quantity["start"] : quantity["end"]] == "40 soldiers"


def test_number_word_count() -> None:
    [quantity] = claim_of("Three battalions were destroyed in the fighting.")["quantities"]
    assert (quantity["value"], quantity["unit"]) == (3, "battalions")


def test_a_whole_unit_counts_as_one() -> None:
    [quantity] = claim_of("An entire brigade surrendered to the enemy.")["quantities"]
    assert (quantity["text"], quantity["value"], quantity["unit"]) == (
        "An entire brigade",
        1,
        "brigade",
    )


def test_vague_count_keeps_unit_without_value() -> None:
    [quantity] = claim_of("Dozens of civilians fled across the border.")["quantities"]
    assert quantity["value"] is None and quantity["approximate"]
    assert quantity["unit"] == "civilians"


def test_percent_and_year_are_not_confused() -> None:
    claim = claim_of("The figures suggest that the economy shrank by 2 percent in 2023.")
    assert [(q["value"], q["unit"]) for q in claim["quantities"]] == [(2, "percent")]
    assert [t["value"] for t in claim["times"]] == ["2023"]


def test_no_quantity_in_plain_sentence() -> None:
    assert claim_of("The army did not withdraw from the city.")["quantities"] == []


def test_hyphenated_number_ordinal_and_idiom() -> None:
    claim = claim_of("Fifty-eight people died on the first day, on the one hand.")
    assert [(q["text"], q["value"]) for q in claim["quantities"]] == [("Fifty-eight people", 58)]


def test_year_modifier_is_not_a_count_but_duration_is() -> None:
    claim = claim_of("Under the 2015 deal, he served 20 years in prison.")
    assert [(q["value"], q["unit"]) for q in claim["quantities"]] == [(20, "years")]


def test_money_keeps_its_currency() -> None:
    [money] = claim_of("The company lost $5 billion last year.")["quantities"]
    assert (money["text"], money["value"], money["unit"]) == ("$5 billion", 5_000_000_000, "USD")


# --- places -------------------------------------------------------------------------------


def test_settlement_with_administrative_area_unresolved() -> None:
    claim = claim_of("Fighters left their positions in the Lypove settlement of Poltava region.")
    [place] = claim["places"]
    assert place["text"] == "Lypove"
    assert place["admin_area"] == "Poltava region"
    assert place["resolved"] is False and place["lat"] is None


def test_place_followed_by_comma_oblast() -> None:
    [place] = claim_of("Troops entered Novyi Dvir, Donetsk oblast, on Monday.")["places"]
    assert (place["text"], place["admin_area"]) == ("Novyi Dvir", "Donetsk oblast")


def test_known_city_resolves_to_coordinates() -> None:
    places = claim_of("Protests spread to Lviv and Odesa last week.")["places"]
    assert texts(places) == ["Lviv", "Odesa"]
    lviv = places[0]
    assert lviv["resolved"] is True
    assert lviv["lat"] == pytest.approx(49.84, abs=0.1) and lviv["lon"] == pytest.approx(
        24.02, abs=0.1
    )


def test_untagged_city_after_locative_preposition() -> None:
    claim = claim_of("Officials said 40 people were killed in Kyiv on Monday.")
    assert texts(claim["places"]) == ["Kyiv"] and claim["places"][0]["evidence"] == "gazetteer"


def test_city_used_as_actor_is_not_a_place() -> None:
    claim = claim_of("Moscow has warned that the talks will fail.")
    assert claim["places"] == []


def test_organisation_after_preposition_is_not_a_place() -> None:
    claim = claim_of("The documents were leaked from the FBI to reporters in Boston.")
    assert texts(claim["places"]) == ["Boston"]


def test_country_short_name_resolves() -> None:
    [place] = claim_of("Inflation in the U.S. rose sharply.")["places"]
    assert place["resolved"] and place["kind"] == "country"


def test_front_named_after_a_city() -> None:
    [place] = claim_of("Heavy fighting continued on the Kupiansk front.")["places"]
    assert place["text"] == "Kupiansk" and place["feature"] == "front"


# --- hedges and negation -------------------------------------------------------------------


def test_hedge_is_believed_to_and_raised_subject() -> None:
    claim = claim_of("The commander is believed to have fled to Belgorod.")
    assert texts(claim["hedges"]) == ["is believed to"]
    assert texts(claim["actors"]) == ["The commander"]
    assert claim["predicate"]["lemma"] == "flee"


def test_hedge_reportedly() -> None:
    claim = claim_of("Officials reportedly closed the border crossing.")
    assert texts(claim["hedges"]) == ["reportedly"]
    assert claim["negated"] is False


def test_modal_may_is_hedge_but_month_may_is_not() -> None:
    assert texts(claim_of("The plant may have closed.")["hedges"]) == ["may have"]
    assert claim_of("The plant closed in May 2023.")["hedges"] == []


@pytest.mark.parametrize(
    ("sentence", "negated"),
    [
        ("The army did not withdraw from the city.", True),
        ("No soldiers deserted during the winter.", True),
        ("The army never crossed the river.", True),
        ("The army withdrew from the city.", False),
    ],
)
def test_negation(sentence: str, negated: bool) -> None:
    assert claim_of(sentence)["negated"] is negated


# --- time ---------------------------------------------------------------------------------


def test_relative_day_normalised_against_article_date() -> None:
    [time] = claim_of("On Monday, the mayor resigned.")["times"]
    assert time["value"] == "2024-03-04" and time["relative"] is True


def test_relative_day_without_article_date_stays_unnormalised() -> None:
    [time] = claim_of("On Monday, the mayor resigned.", reference=None)["times"]
    assert time["text"] == "Monday" and time["value"] is None and time["relative"] is True


def test_absolute_month() -> None:
    [time] = claim_of("In March 2023 the chemical plant closed.", reference=None)["times"]
    assert (time["value"], time["granularity"]) == ("2023-03", "month")


# --- actors, predicate, reporting frame ------------------------------------------------------


def test_reported_clause_is_the_claim_and_frame_speaker_kept() -> None:
    claim = claim_of("The ministry reported that 1,200 people were evacuated from Kherson.")
    assert claim["predicate"]["text"] == "were evacuated"
    assert texts(claim["objects"]) == ["1,200 people"]
    assert claim["reporting"]["speaker"]["text"] == "The ministry"


def test_according_to_material_shared_by_someone_names_speaker_and_channel() -> None:
    frame = claim_of(
        "According to data shared with Radio Town by engineer Anna Petrova, the dam failed."
    )["reporting"]
    assert frame["speaker"]["text"] == "engineer Anna Petrova"
    assert texts(frame["via"]) == ["Radio Town"]


def test_reporting_frame_keeps_whom_the_speaker_cites() -> None:
    claim = claim_of("Reporters, citing two police officers, said that the mayor resigned.")
    assert claim["reporting"]["speaker"]["text"] == "Reporters"
    assert texts(claim["reporting"]["citing"]) == ["two police officers"]
    assert claim["predicate"]["lemma"] == "resign"


def test_actor_action_object() -> None:
    claim = claim_of("Rebels seized two oil fields near the capital.")
    assert texts(claim["actors"]) == ["Rebels"]
    assert claim["predicate"]["lemma"] == "seize"
    assert texts(claim["objects"])[0].startswith("two oil fields")


def test_prepositional_target_and_purpose_are_objects() -> None:
    funded = claim_of("The government funneled money into new hospitals in Kherson.")
    assert texts(funded["objects"]) == ["money", "into new hospitals in Kherson"]
    assert texts(funded["places"]) == ["Kherson"]
    repair = claim_of("Engineers worked overnight to repair the dam.")
    assert texts(repair["objects"]) == ["to repair the dam"]


# --- the stage: attribution linking, grouping, reports -------------------------------------

STAGE_TEXT = (
    "According to the governor, 30 soldiers left their posts in Kherson on Monday. "
    "Thirty soldiers abandoned their posts in Kherson, the governor said. "
    "It is reported that the bridge was destroyed. "
    "The harvest failed across the south."
)


def prepared_doc(text: str = STAGE_TEXT, published: str | None = "2024-03-06") -> Any:
    """Parsed document whose every sentence is marked check-worthy (the classifier is tested
    elsewhere; these tests are about what the claims stage does with the sentences)."""
    from narrascope.api import analyze_text
    from narrascope.document import Metadata

    meta = Metadata(source="<test>", published=published)
    doc = analyze_text(text, stages=["language", "structure", "linguistic"], meta=meta)
    layer = doc.layer("checkworthiness", display=False)
    for sentence in doc.sentences:
        layer.add_span(sentence.start, sentence.end, "check-worthy", 0.9)
    doc.provided.add("checkworthiness")
    return doc


def add_attribution(
    doc: Any,
    source: str | None,
    cue: str,
    content: str,
    source_type: str = "official",
    via: list[str] | None = None,
) -> None:
    """A hand-made attributions layer in the sourcing stage's format."""
    layer = doc.layer("attributions")
    args = {}
    if source is not None:
        start = doc.text.index(source)
        span = layer.add_span(
            start,
            start + len(source),
            "source",
            source_type=source_type,
            role=None,
            affiliation=None,
            canonical=source,
            resolved_from=None,
        )
        args["source"] = span.id
    cue_start = doc.text.index(cue)
    args["cue"] = layer.add_span(cue_start, cue_start + len(cue), "cue").id
    content_start = doc.text.index(content)
    args["content"] = layer.add_span(content_start, content_start + len(content), "content").id
    layer.add_relation("attribution", args, 0.9, via=via or [], form="test")


def run_claims(doc: Any) -> Any:
    from narrascope.stages.claims import ClaimsStage

    ClaimsStage()([doc])
    return doc.layers["claims"]


def test_without_sourcing_stage_claims_are_unattributed_with_note() -> None:
    layer = run_claims(prepared_doc())
    assert len(layer.spans) == 4
    for span in layer.spans:
        assert span.attrs["attribution"] is None
        assert "did not run" in span.attrs["attribution_note"]
    assert "did not run" in layer.data["note"]
    assert all(row["who_says"] == "unattributed" for row in layer.data["table"])


def test_claims_link_to_the_attribution_covering_them() -> None:
    doc = prepared_doc()
    add_attribution(
        doc,
        "the governor",
        "According to",
        "30 soldiers left their posts in Kherson on Monday",
        via=["Radio Town"],
    )
    add_attribution(doc, "the governor", "said", "Thirty soldiers abandoned their posts in Kherson")
    add_attribution(doc, None, "It is reported", "the bridge was destroyed", source_type="unnamed")
    spans = run_claims(doc).spans
    first = spans[0].attrs["attribution"]
    assert first["source"] == "the governor" and first["source_type"] == "official"
    assert first["via"] == ["Radio Town"]
    assert first["relation_id"] == doc.layers["attributions"].relations[0].id
    assert (
        spans[1].attrs["attribution"]["relation_id"] == doc.layers["attributions"].relations[1].id
    )
    agentless = spans[2].attrs["attribution"]
    assert agentless["source"] is None and agentless["source_type"] == "unnamed"
    assert spans[3].attrs["attribution"] is None
    assert "no attribution" in spans[3].attrs["attribution_note"]
    assert doc.layers["claims"].data["table"][0]["who_says"] == "the governor via Radio Town"


def test_restatements_share_a_group_and_others_do_not() -> None:
    layer = run_claims(prepared_doc())
    groups = [span.attrs["group"] for span in layer.spans]
    assert groups[0] == groups[1]
    assert len({groups[0], groups[2], groups[3]}) == 3
    [shared] = [g for g in layer.data["groups"] if g["id"] == groups[0]]
    assert shared["claims"] == [layer.spans[0].id, layer.spans[1].id]


def test_claim_span_and_evidence_offsets_point_into_the_text() -> None:
    doc = prepared_doc()
    layer = run_claims(doc)
    first = layer.spans[0]
    assert doc.span_text(first).startswith("According to the governor")
    [time] = first.attrs["times"]
    assert doc.text[time["start"] : time["end"]] == "Monday" and time["value"] == "2024-03-04"
    [place] = first.attrs["places"]
    assert doc.text[place["start"] : place["end"]] == "Kherson" and place["resolved"]
    assert layer.data["places"][0]["claims"] == [layer.spans[0].id, layer.spans[1].id]


def test_reports_escape_article_text() -> None:
    from narrascope.report import render

    hostile = "Rebels seized <script>alert(1)</script> 3 towns in Kherson on Monday."
    doc = prepared_doc(hostile)
    run_claims(doc)
    page = render(doc, "html")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "who says so" in page and "Places" in page
    markdown = render(doc, "md")
    assert "## Claims" in markdown and "| unattributed |" in markdown


# --- the example article -------------------------------------------------------------------


def _claims_with(doc: Any, unit_word: str) -> list[Any]:
    return [
        span
        for span in doc.layers["claims"].spans
        if any(unit_word in q["unit"] for q in span.attrs["quantities"])
    ]


@pytest.mark.slow
def test_example_article_desertion_claims_are_structured(example_doc: Any) -> None:
    if "desertion" not in example_doc.text:
        pytest.skip("the shared example article is not available")
    assert "claims" in example_doc.layers
    [soldiers] = _claims_with(example_doc, "soldiers")
    assert [q["value"] for q in soldiers.attrs["quantities"]] == [12]
    assert soldiers.attrs["places"], "the 12-soldier claim names where it happened"
    [battalion] = _claims_with(example_doc, "battalion")
    assert battalion.attrs["quantities"][0]["value"] == 1
    [sumy] = battalion.attrs["places"]
    assert (
        sumy["text"] == "Sumy" and sumy["resolved"] and sumy["lat"] == pytest.approx(50.9, abs=0.1)
    )
    areas = [p for s in example_doc.layers["claims"].spans for p in s.attrs["places"]]
    zeleniy = [p for p in areas if p["admin_area"] == "Kharkiv region"]
    assert zeleniy and zeleniy[0]["text"] == "Zeleniy Hay" and zeleniy[0]["resolved"] is False
    # Must not appear: a city used as an actor as a place; a pronoun "one" as a count.
    assert "Moscow" not in [p["text"] for p in areas]
    assert all(
        q["text"] != "one"
        for s in example_doc.layers["claims"].spans
        for q in s.attrs["quantities"]
    )
    if "attributions" in example_doc.layers:  # the sourcing stage merged in
        assert "Marochko" in ((soldiers.attrs["attribution"] or {}).get("source") or "")


@pytest.mark.slow
def test_example_article_humanitarian_claims_unattributed_or_officials(example_doc: Any) -> None:
    if "desertion" not in example_doc.text:
        pytest.skip("the shared example article is not available")
    spans = example_doc.layers["claims"].spans

    def claim_containing(words: str) -> Any:
        [span] = [s for s in spans if words in example_doc.span_text(s)]
        return span

    funding = claim_containing("medical aid")
    assert [h["text"] for h in funding.attrs["hedges"]] == ["reportedly"]
    assert funding.attrs["attribution"] is None or "attributions" in example_doc.layers
    protection = claim_containing("primary objective")
    if "attributions" in example_doc.layers:  # the sourcing stage merged in
        source = (protection.attrs["attribution"] or {}).get("source") or ""
        assert "officials" in source.lower()
    else:
        assert protection.attrs["attribution"] is None
        assert protection.attrs["reporting"]["speaker"]["text"] == "Russian officials"
    assert claim_containing("humanitarian fallout").attrs["predicate"]["lemma"] == "work"


def test_example_article_with_hand_made_attributions(example_text: str) -> None:
    if "Marochko" not in example_text:
        pytest.skip("the shared example article is not available")
    doc = prepared_doc(example_text, published=None)
    add_attribution(
        doc,
        "Andrei Marochko",
        "uncovered",
        "12 Ukrainian soldiers abandoned their fortified positions",
        source_type="expert",
        via=["Ria Novosti"],
    )
    add_attribution(
        doc,
        "confidential Russian law enforcement sources",
        "reported",
        "an entire Ukrainian battalion headquarters",
        source_type="anonymous",
        via=["TASS"],
    )
    add_attribution(
        doc,
        "Russian officials",
        "asserted",
        "their primary objective is to protect civilians in Donbass",
    )
    layer = run_claims(doc)
    by_relation = {
        s.attrs["attribution"]["relation_id"]: s for s in layer.spans if s.attrs["attribution"]
    }
    relations = doc.layers["attributions"].relations
    soldiers = by_relation[relations[0].id]
    assert soldiers.attrs["quantities"][0]["value"] == 12
    assert soldiers.attrs["attribution"]["via"] == ["Ria Novosti"]
    battalion = by_relation[relations[1].id]
    assert battalion.attrs["attribution"]["source_type"] == "anonymous"
    assert battalion.attrs["places"][0]["text"] == "Sumy"
    officials = by_relation[relations[2].id]
    assert officials.attrs["attribution"]["source"] == "Russian officials"
    table = {row["id"]: row for row in layer.data["table"]}
    assert table[soldiers.id]["who_says"] == "Andrei Marochko via Ria Novosti"
    assert table[battalion.id]["who_says"].endswith("via TASS")


def test_attribution_index_prefers_affirmed_then_most_overlap_then_layer_order() -> None:
    from narrascope.claims.attribution import AttributionIndex
    from narrascope.document import Document

    layer = Document("x" * 200).layer("attributions")

    def relation(start: int, end: int, **attrs: Any) -> str:
        content = layer.add_span(start, end, "content").id
        attrs = {"nested_in": None, **attrs}
        return layer.add_relation("attribution", {"content": content}, 1.0, **attrs).id

    negated = relation(0, 100, negated=True)  # covers the claim most, but denies it
    first = relation(10, 40)
    relation(20, 50)  # shares as much with 20..40 as ``first``: the earlier one wins
    inner = relation(25, 35, nested_in=first)  # speech reported in ``first``'s content
    relation(26, 34, nested_in=first, in_quotation=True)  # quoted: stays the quoter's
    far = relation(150, 190)
    index = AttributionIndex(layer)
    assert index.best(20, 40).id == inner  # down into what ``first`` reports
    assert index.best(60, 90).id == negated  # nothing affirmed overlaps: the negated one
    assert index.best(160, 170).id == far
    assert index.best(195, 200) is None
