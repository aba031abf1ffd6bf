"""PolNeAR reader, attribution scorer and the learned attribution tagger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope.attribution.candidate import Candidate
from narrascope.attribution.commands import predicted_spans, union_candidates
from narrascope.attribution.polnear import parse_ann, parse_offsets, read_split
from narrascope.attribution.scoring import Counts, max_matching, normalize
from narrascope.attribution.tagger import decode, gold_labels, group, quote_states

ANN = (
    "T1\tSource 0 12\tThe minister\n"
    "T2\tCue 13 17\tsaid\n"
    "T3\tContent 18 27;36 42\tthe talks ... failed\n"
    "T4\tAttribution 13 17\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "#1\tAnnotatorNotes T3\tcheck the gap\n"
    "T5\tCue 44 56\taccording to\n"
    "T6\tContent 57 70\tthe talks had\n"
    "a line break inside the span text\n"
    "T7\tAttribution 44 56\taccording to\n"
    "T8\tContent 71 75\tmore\n"
    "E2\tAttribution-no-source:T7 Cue:T5 Content:T6 Content2:T8\n"
    "T9\tDiscuss 0 5\tThe m\n"
)


def test_parse_offsets_discontinuous_sorted() -> None:
    assert parse_offsets("30 40;10 20") == ((10, 20), (30, 40))
    assert parse_offsets("5 9") == ((5, 9),)
    with pytest.raises(ValueError):
        parse_offsets("9 5")


def test_parse_ann_relations_roles_and_fragments() -> None:
    ann = parse_ann(ANN, "art", "d473")
    assert len(ann.relations) == 2
    first, second = ann.relations
    assert first.source is not None and first.source.fragments == ((0, 12),)
    assert first.content is not None and first.content.fragments == ((18, 27), (36, 42))
    assert second.source is None  # "Attribution-no-source"
    assert second.cue is not None and second.cue.fragments == ((44, 56),)
    assert [s.fragments for s in second.extra_content] == [((71, 75),)]
    assert {s.fragments for s in ann.spans("content")} == {
        ((18, 27), (36, 42)),
        ((57, 70),),
        ((71, 75),),
    }
    assert len(ann.spans("source")) == 1  # Discuss spans are not attributions


def test_read_split_groups_annotators(tmp_path: Path) -> None:
    split = tmp_path / "data" / "dev"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    (split / "text" / "nyt_2016_x.txt").write_text("The minister said it.", encoding="utf-8")
    for annotator in ("d473", "4e07"):
        (split / "attributions" / f"nyt_2016_x_{annotator}.ann").write_text(
            "T1\tCue 13 17\tsaid\n", encoding="utf-8"
        )
    articles = read_split(tmp_path, "dev")
    assert [a.name for a in articles] == ["nyt_2016_x"]
    assert sorted(a.annotator for a in articles[0].annotations) == ["4e07", "d473"]
    with pytest.raises(FileNotFoundError):
        read_split(tmp_path, "train")


def test_normalize_trims_and_joins_whitespace_gaps() -> None:
    text = "ab  cd\n\nef, he said, gh"
    assert normalize(text, [(0, 4), (4, 6)]) == ((0, 6),)
    assert normalize(text, [(0, 6), (6, 10)]) == ((0, 10),)  # a paragraph break only
    assert normalize(text, [(0, 10), (21, 23)]) == ((0, 10), (21, 23))
    assert normalize(text, [(2, 4)]) == ()


def test_max_matching_is_one_to_one() -> None:
    long_prediction = [((0, 100),)]
    gold = [((0, 10),), ((20, 30),)]
    assert max_matching(long_prediction, gold) == 1
    # A greedy match of the first prediction to the first gold would leave the second unmatched.
    assert max_matching([((5, 25),), ((0, 8),)], [((0, 10),), ((20, 30),)]) == 2


def test_scores_exact_and_overlap() -> None:
    text = "x" * 200
    gold = {
        "source": [((0, 10),), ((50, 60),)],
        "cue": [((11, 15),), ((61, 65),)],
        "content": [((16, 40),), ((66, 90), (100, 120))],
    }
    predicted = {
        "source": [((0, 10),), ((52, 60),), ((150, 160),)],  # exact, overlap, wrong
        "cue": [((11, 15),)],  # one of two
        "content": [((16, 40),), ((66, 90),)],  # exact; overlaps a discontinuous gold
    }
    counts = Counts()
    counts.add(text, gold, predicted)
    scores = counts.scores()
    assert scores["source_precision_exact"] == round(1 / 3, 4)
    assert scores["source_recall_exact"] == 0.5
    assert scores["source_f1_exact"] == 0.4
    assert scores["source_f1_overlap"] == 0.8  # P 2/3, R 2/2
    assert scores["cue_f1_exact"] == scores["cue_f1_overlap"] == round(2 / 3, 4)
    assert scores["content_f1_exact"] == 0.5
    assert scores["content_f1_overlap"] == 1.0


def test_counts_sum_over_annotators() -> None:
    text = "x" * 50
    predicted = {"cue": [((0, 4),)]}
    counts = Counts()
    counts.add(text, {"cue": [((0, 4),)]}, predicted)
    counts.add(text, {"cue": [((10, 14),)]}, predicted)
    scores = counts.scores()
    assert scores["cue_gold"] == 2 and scores["cue_predicted"] == 2
    assert scores["cue_f1_exact"] == 0.5


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    from narrascope.stages.linguistic import spacy_english

    return spacy_english()


def test_gold_labels_decode_round_trip(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "“We will win,” the senator said. “Believe me.”"
    doc = nlp(text)
    spans = {
        "content": [((0, 14), (33, 46))],
        "source": [((15, 26),)],
        "cue": [((27, 31),)],
    }
    labels = gold_labels(doc, spans)
    assert labels[0] == "B-CON" and labels[doc[-1].i] == "I-CON"
    decoded = decode(doc, labels)
    assert len(decoded["content"]) == 2 and len(decoded["cue"]) == 1
    (candidate,) = group(doc, decoded, [1.0] * len(doc))
    assert candidate.content_parts == ((0, 14), (33, 46))  # the interrupted quotation
    assert text[slice(*candidate.source or (0, 0))] == "the senator"
    assert predicted_spans(text, [candidate])["content"] == [((0, 14), (33, 46))]


def test_quote_states_reset_at_line_break(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("He said “yes\n\nNo quote here.")
    states = quote_states(doc)
    assert states[2] == 2 and states[3] == 1
    assert states[-2] == 0


def test_union_fills_missing_roles_and_drops_duplicates() -> None:
    tagged = [Candidate(None, (10, 14), (15, 30))]
    ruled = [
        Candidate((0, 9), (10, 14), (15, 30), form="rule"),  # same cue: fills the source
        Candidate((40, 45), (46, 50), (51, 60), form="rule"),  # new
    ]
    merged = union_candidates(tagged, ruled)
    assert len(merged) == 2
    assert merged[0].source == (0, 9) and merged[0].form == "tagger"
    assert merged[1].cue == (46, 50)


def test_shipped_tagger_tags_a_simple_attribution(nlp) -> None:  # type: ignore[no-untyped-def]
    from narrascope.attribution.tagger import shipped_tagger

    text = "The minister said the talks failed."
    found = shipped_tagger().tag(nlp(text))
    with_cue = [c for c in found if c.cue is not None]
    assert with_cue, found
    cand = with_cue[0]
    assert text[slice(*cand.cue)] == "said"  # type: ignore[misc]
    assert cand.source is not None and text[slice(*cand.source)] == "The minister"
    assert cand.content is not None and "talks failed" in text[slice(*cand.content)]
    assert cand.form == "tagger" and 0.0 < cand.score <= 1.0


def test_shipped_tagger_finds_nothing_without_attribution(nlp) -> None:  # type: ignore[no-untyped-def]
    from narrascope.attribution.tagger import shipped_tagger

    assert [c for c in shipped_tagger().tag(nlp("The bridge reopened on Monday.")) if c.cue] == []


def test_evaluate_command_prints_the_six_scores(tmp_path: Path) -> None:
    from narrascope.cli import cli

    split = tmp_path / "data" / "dev"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    text = "The minister said the talks failed.\n"
    (split / "text" / "a.txt").write_text(text, encoding="utf-8")
    (split / "attributions" / "a_d473.ann").write_text(
        "T1\tSource 0 12\tThe minister\nT2\tCue 13 17\tsaid\nT3\tContent 18 34\tthe talks failed\n"
        "T4\tAttribution 13 17\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n",
        encoding="utf-8",
    )
    args = ["evaluate", "attribution", "--data", str(tmp_path), "--split", "dev"]
    result = CliRunner().invoke(cli, [*args, "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    for role in ("source", "cue", "content"):
        for match in ("exact", "overlap"):
            assert 0.0 <= scores[f"{role}_f1_{match}"] <= 1.0
    assert scores["cue_f1_exact"] == 1.0
    missing = CliRunner().invoke(cli, ["evaluate", "attribution", "--data", str(tmp_path / "x")])
    assert missing.exit_code == 2 and "no PolNeAR split" in missing.output


@pytest.mark.parametrize("finder", ["rules", "both", "stage"])
def test_every_finder_scores_a_plain_statement(tmp_path: Path, finder: str) -> None:
    from narrascope.cli import cli

    split = tmp_path / "data" / "dev"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    (split / "text" / "a.txt").write_text("The minister said the talks failed.\n", "utf-8")
    (split / "attributions" / "a_d473.ann").write_text(
        "T1\tSource 0 12\tThe minister\nT2\tCue 13 17\tsaid\nT3\tContent 18 34\tthe talks failed\n"
        "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n",
        encoding="utf-8",
    )
    args = ["evaluate", "attribution", "--data", str(tmp_path), "--source", finder]
    result = CliRunner().invoke(cli, [*args, "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    assert scores["source"] == finder
    assert scores["cue_f1_exact"] == 1.0 and scores["source_f1_overlap"] == 1.0


def _write_split(root: Path, split: str, sentences: list[tuple[str, str, str]]) -> None:
    """A PolNeAR-like split: one article per (source, cue, content) sentence."""
    folder = root / "data" / split
    (folder / "text").mkdir(parents=True)
    (folder / "attributions").mkdir()
    for k, (source, cue, content) in enumerate(sentences):
        text = f"{source} {cue} {content}.\n"
        s_end = len(source)
        c_start, c_end = s_end + 1, s_end + 1 + len(cue)
        t_start = c_end + 1
        (folder / "text" / f"a{k}.txt").write_text(text, encoding="utf-8")
        (folder / "attributions" / f"a{k}_d473.ann").write_text(
            f"T1\tSource 0 {s_end}\t{source}\nT2\tCue {c_start} {c_end}\t{cue}\n"
            f"T3\tContent {t_start} {t_start + len(content)}\t{content}\n"
            "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n",
            encoding="utf-8",
        )


def test_train_command_writes_a_working_tagger(tmp_path: Path) -> None:
    from narrascope.attribution.tagger import AttributionTagger
    from narrascope.cli import cli

    train = [
        ("The minister", "said", "the talks failed"),
        ("Officials", "said", "the bridge was closed"),
        ("She", "told reporters", "the plan would work"),
        ("He", "said", "prices rose"),
    ]
    _write_split(tmp_path, "train", train)
    _write_split(tmp_path, "dev", [("The mayor", "said", "the road reopened")])
    target = tmp_path / "tagger.joblib"
    args = ["train", "attribution", "--data", str(tmp_path), "--c1-grid", "0.01"]
    args += ["--iterations", "30", "--cache", str(tmp_path / "cache"), "-o", str(target)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    tagger = AttributionTagger.load(target)
    assert tagger.info["chosen"]["c1"] == 0.01 and tagger.info["train_sequences"] == 4
    assert tagger.lexicon.bin("say") > 0


def test_wordpieces_split_greedily_and_give_up_on_unknown_parts() -> None:
    from narrascope.attribution.clusters import wordpieces

    vocab = {"lament": 0, "##ed": 1, "said": 2, "##s": 3}
    assert wordpieces("lamented", vocab) == [0, 1]
    assert wordpieces("said", vocab) == [2]
    assert wordpieces("xyz", vocab) == []


def test_lexicon_gives_clusters_the_cue_rate_of_their_words(nlp) -> None:  # type: ignore[no-untyped-def]
    from narrascope.attribution.tagger import Lexicon, doc_features

    doc = nlp("Ivanov said it. Petrov said so. Sidorov lamented it.")
    labels = ["O"] * len(doc)
    for token in doc:
        if token.text == "said":
            labels[token.i] = "B-CUE"
    clusters = {"say": 7, "lament": 7, "it": 3}
    lexicon = Lexicon.fit([doc], [labels], clusters)
    assert lexicon.bin("lament") == 0  # never a cue in training ...
    assert lexicon.cluster_bins[7] > 0  # ... but its cluster's words are
    lamented = next(t for t in doc if t.text == "lamented")
    features = doc_features(doc, lexicon)[lamented.i]
    assert f"ccb={lexicon.cluster_bins[7]}" in features
    # Without clusters (the artifacts trained before them) no cluster feature is made.
    plain = doc_features(doc, Lexicon.fit([doc], [labels]))[lamented.i]
    assert not any(f.startswith("ccb=") for f in plain)


def test_tagged_source_loses_a_comma_that_closes_nothing(nlp) -> None:  # type: ignore[no-untyped-def]
    from narrascope.attribution.tagger import _without_stray_comma

    doc = nlp("Said Mr. Kamin, who knows. Brian Fallon, the press secretary, said it.")
    kamin = (1, 4)  # "Mr. Kamin ,"
    assert doc[kamin[1] - 1].text == ","
    assert _without_stray_comma(doc, kamin) == (1, 3)
    fallon = next(t.i for t in doc if t.text == "Brian")
    closing = (fallon, next(t.i for t in doc if t.text == "secretary") + 2)
    assert doc[closing[1] - 1].text == ","
    assert _without_stray_comma(doc, closing) == closing  # it closes the apposition
    assert _without_stray_comma(doc, (3, 4)) == (3, 4)  # a lone comma is left to the caller
