"""Persuasion techniques: official scorers, readers, decoding, shipped model, stage, reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from narrascope.techniques.data import article_lines, read_paragraph_labels, read_span_labels
from narrascope.techniques.model import decode_spans
from narrascope.techniques.scoring import (
    merge_overlapping,
    paragraph_f1,
    si_score,
    tc_micro_f1,
)

# ---------------------------------------------------------------- SI scorer (SemEval-2020)


def test_si_partial_overlap_gets_partial_credit() -> None:
    # pred (5,15) covers half of gold (0,10) and none of gold (20,30):
    # P = (5/10) / 1 = 0.5, R = (5/10) / 2 = 0.25, F1 = 2 * 0.5 * 0.25 / 0.75 = 1/3
    score = si_score({"a": [(0, 10), (20, 30)]}, {"a": [(5, 15)]})
    assert score["precision"] == pytest.approx(0.5)
    assert score["recall"] == pytest.approx(0.25)
    assert score["f1"] == pytest.approx(1 / 3)


def test_si_one_prediction_covering_two_gold_spans() -> None:
    # pred (0,10) over gold (0,4) and (6,10): P = 4/10 + 4/10 = 0.8, R = (1 + 1) / 2 = 1
    score = si_score({"a": [(0, 4), (6, 10)]}, {"a": [(0, 10)]})
    assert score["precision"] == pytest.approx(0.8)
    assert score["recall"] == pytest.approx(1.0)
    assert score["f1"] == pytest.approx(2 * 0.8 / 1.8)


def test_si_overlapping_spans_are_merged_on_both_sides() -> None:
    # gold (0,10)+(5,15) -> (0,15); pred (0,8)+(6,15) -> (0,15): a perfect match
    score = si_score({"a": [(0, 10), (5, 15)]}, {"a": [(0, 8), (6, 15)]})
    assert score["f1"] == pytest.approx(1.0)
    assert merge_overlapping([(5, 9), (0, 5), (3, 4)]) == [(0, 5), (5, 9)]  # touching: apart


def test_si_articles_without_predictions_count_against_recall() -> None:
    # article b has a gold span and no prediction: P = 1, R = 1/2, F1 = 2/3
    score = si_score({"a": [(0, 4)], "b": [(0, 4)]}, {"a": [(0, 4)]})
    assert score["precision"] == 1.0
    assert score["recall"] == pytest.approx(0.5)
    assert score["f1"] == pytest.approx(2 / 3)


def test_si_prediction_without_overlap_scores_zero_and_empty_is_one() -> None:
    assert si_score({"a": [(0, 4)]}, {"a": [(10, 20)]})["f1"] == 0.0
    assert si_score({}, {})["f1"] == 1.0


def test_si_counts_per_article_add_up_to_the_score() -> None:
    from narrascope.techniques.scoring import si_counts, si_from_counts

    gold = {"a": [(0, 10), (20, 30)], "b": [(0, 4)]}
    predicted = {"a": [(5, 15)], "c": [(0, 3)]}
    rows = si_counts(gold, predicted, ["a", "b", "c"])
    # a: P credit 0.5 of 1 span, R credit 0.5 of 2; b: 1 gold span missed; c: 1 span, no gold
    assert rows.tolist() == [[0.5, 1, 0.5, 2], [0, 0, 0, 1], [0, 1, 0, 0]]
    assert si_from_counts(rows.sum(axis=0)) == pytest.approx(si_score(gold, predicted))


def test_nested_decoding_score_chooses_without_the_scored_fold() -> None:
    from narrascope.techniques.train import DECODING_KEYS, nested_decoding_score

    ids = ["a", "b"]
    fold_of = {"a": 0, "b": 1}
    settings = {k: 0 for k in DECODING_KEYS}
    results = [settings | {"mode": "add", "blend": 0.3}, settings | {"mode": "add", "blend": 0.85}]
    # decoding 0 is perfect on a and finds nothing in b; decoding 1 the other way round
    counts = [np.array([[1.0, 1, 1, 1], [0, 0, 0, 1]]), np.array([[0.0, 0, 0, 1], [1, 1, 1, 1]])]
    nested = nested_decoding_score(results, counts, ids, fold_of, tolerance=0.0)
    # a is scored with what b prefers (decoding 1: nothing found), b with what a prefers
    # (decoding 0: nothing found): nothing is found at all, although each decoding is perfect
    # on one article and the best single decoding scores 2/3 on both
    assert [c["blend"] for c in nested["choices"]] == [0.85, 0.3]
    assert nested["si_f1"] == 0.0 and nested["si_recall"] == 0.0


# ---------------------------------------------------------------- TC and paragraph scorers


def test_tc_micro_f1_matches_repeated_spans_as_multisets() -> None:
    gold = [("a", 0, 5, "X"), ("a", 0, 5, "Y"), ("a", 6, 9, "Z"), ("b", 0, 3, "X")]
    # span a:0-5 carries X and Y: predicting Y, X (either order) scores both
    assert tc_micro_f1(gold, ["Y", "X", "W", "X"]) == pytest.approx(3 / 4)
    assert tc_micro_f1(gold, ["X", "X", "Z", "Y"]) == pytest.approx(2 / 4)
    with pytest.raises(ValueError):
        tc_micro_f1(gold, ["X"])


def test_paragraph_f1_micro_and_macro_by_hand() -> None:
    classes = ["A", "B", "C", "D"]
    gold = {("1", 1): ["A", "B"], ("1", 3): ["C"], ("2", 1): []}
    pred = {("1", 1): ["A"], ("1", 3): ["B"], ("2", 1): []}
    # micro: tp 1 (A), fp 1 (B on 1:3), fn 2 (B on 1:1, C): P = 1/2, R = 1/3, F1 = 0.4
    # macro: A 1.0, B 0.0, C 0.0, D never gold nor predicted -> 1.0 (zero_division=1)
    score = paragraph_f1(gold, pred, classes)
    assert score["micro_f1"] == pytest.approx(0.4)
    assert score["macro_f1"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no prediction"):
        paragraph_f1(gold, {("1", 1): ["A"]}, classes)


# ---------------------------------------------------------------- readers and decoding


def test_read_span_labels_both_formats_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "tc.labels"
    path.write_text("1\tName_Calling,Labeling\t3\t9\n2\t0\t4\n", encoding="utf-8")
    spans = read_span_labels(path)
    assert [(s.article, s.technique, s.start, s.end) for s in spans] == [
        ("1", "Name_Calling,Labeling", 3, 9),
        ("2", "", 0, 4),
    ]
    path.write_text("1\tDoubt\t9\t3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"tc.labels:1"):
        read_span_labels(path)


def test_paragraph_labels_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("7\t1\t\n7\t3\tDoubt,Slogans\n", encoding="utf-8")
    assert read_paragraph_labels(path) == {("7", 1): [], ("7", 3): ["Doubt", "Slogans"]}
    assert article_lines("Title\n\nBody text.\n") == {1: (0, 5), 3: (7, 17)}


def test_decode_spans_bridges_gaps_within_a_sentence_only() -> None:
    text = "We must stop the evil traitors now. Calm day."
    toks = [(0, 2), (3, 7), (8, 12), (13, 16), (17, 21), (22, 30), (31, 34), (34, 35)]
    toks += [(36, 40), (41, 44), (44, 45)]
    sent = [0] * 8 + [1] * 3
    probs = np.array([0, 0, 0, 0, 0.9, 0.1, 0.8, 0.1, 0.9, 0, 0])
    # "evil" and "now" join over one low token; the next sentence's "Calm" stays apart
    found = decode_spans(text, toks, sent, probs, low=0.5, high=0.85, gap=1)
    assert [(text[s:e], round(score, 2)) for s, e, score in found] == [
        ("evil traitors now", 0.6),
        ("Calm", 0.9),
    ]
    # without a token above ``high`` a run is dropped
    assert decode_spans(text, toks, sent, probs, low=0.5, high=0.95, gap=1) == []


# ---------------------------------------------------------------- shipped model, CLI, stage

LOADED = (
    "The corrupt and treacherous regime keeps lying to the people. These traitors want to "
    "destroy our great nation, and they will stop at nothing! Is this really what the so-called "
    "experts call democracy?"
)


def test_shipped_model_predicts_on_a_short_text() -> None:
    from narrascope.techniques.labels import PTC_TECHNIQUES, SEMEVAL2023_TECHNIQUES
    from narrascope.techniques.model import shipped_model

    model = shipped_model()
    found = model.analyse(LOADED)
    assert found, "no technique span in an overtly loaded text"
    for item in found:
        assert 0 <= item["start"] < item["end"] <= len(LOADED)
        assert item["technique"] in PTC_TECHNIQUES
        assert 0 < item["span_score"] <= 1 and 0 < item["technique_score"] <= 1
    assert model.analyse("") == []
    assert {"en", "ru"} <= set(model.paragraph_taggers)
    tagger = model.paragraph_taggers["en"]
    assert set(tagger.classes) == set(SEMEVAL2023_TECHNIQUES)
    # English paragraphs stack what the span models found in them: one row per paragraph
    assert tagger.uses_evidence and not model.paragraph_taggers["ru"].uses_evidence
    labels = model.paragraph_labels(LOADED, [(0, len(LOADED)), (0, 0)], "en")
    assert len(labels) == 2 and labels[1] == []
    assert all(c in SEMEVAL2023_TECHNIQUES and 0 < p <= 1 for c, p in labels[0])


def _write_ptc_fixture(root: Path) -> tuple[Path, Path, str]:
    articles = root / "articles"
    articles.mkdir()
    text = "Title here\n\n" + LOADED + "\n"
    (articles / "article42.txt").write_text(text, encoding="utf-8")
    start = text.index("corrupt")
    labels = root / "gold.labels"
    labels.write_text(
        f"42\tLoaded_Language\t{start}\t{start + 7}\n"
        f"42\tName_Calling,Labeling\t{text.index('traitors')}\t{text.index('traitors') + 8}\n",
        encoding="utf-8",
    )
    return articles, labels, text


def test_evaluate_ptc_prints_si_and_tc(tmp_path: Path) -> None:
    from narrascope.cli import cli

    articles, labels, _ = _write_ptc_fixture(tmp_path)
    args = ["evaluate", "techniques", "--scheme", "ptc", "--articles", str(articles)]
    result = CliRunner().invoke(cli, [*args, "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert 0 <= report["si_f1"] <= 1 and 0 <= report["tc_micro_f1"] <= 1
    assert report["gold_spans"] == 2


def test_evaluate_semeval2023_prints_micro_and_macro(tmp_path: Path) -> None:
    from narrascope.cli import cli

    articles, _, _ = _write_ptc_fixture(tmp_path)
    labels = tmp_path / "para.txt"
    labels.write_text("42\t1\t\n42\t3\tLoaded_Language,Name_Calling-Labeling\n", encoding="utf-8")
    args = ["evaluate", "techniques", "--scheme", "semeval2023", "--articles", str(articles)]
    result = CliRunner().invoke(cli, [*args, "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["paragraphs"] == 2 and 0 <= report["micro_f1"] <= 1
    assert 0 <= report["macro_f1"] <= 1
    bad = CliRunner().invoke(cli, [*args, "--labels", str(tmp_path / "missing.txt")])
    assert bad.exit_code == 2 and "missing.txt" in bad.output


def test_stage_adds_spans_and_paragraph_labels_and_reports_escape() -> None:
    from narrascope.api import analyze_text
    from narrascope.report import render

    hostile = "<script>alert(1)</script> " + LOADED
    doc = analyze_text(hostile, stages=["language", "structure", "linguistic", "techniques"])
    layer = doc.layers["techniques"]
    assert layer.spans and all(s.attrs["scheme"] == "ptc" for s in layer.spans)
    assert all(doc.text[s.start : s.end].strip() for s in layer.spans)
    assert layer.data["paragraphs"] and layer.data["explanations"]
    html = render(doc, "html")
    assert "<script>alert(1)" not in html and "panel-techniques" in html
    assert "Persuasion techniques" in render(doc, "md")


def test_stage_gives_russian_paragraph_labels_only() -> None:
    from narrascope.document import Document, Metadata
    from narrascope.stages.techniques import TechniquesStage

    text = "Киевский режим снова лжёт.\n\nЭти предатели уничтожают страну!"
    doc = Document(text, meta=Metadata(language="ru"))
    doc.layer("sentences").add_span(0, len(text), "sentence")
    doc.provided.add("sentences")
    TechniquesStage()([doc])
    layer = doc.layers["techniques"]
    assert layer.spans == []
    assert [p["start"] for p in layer.data["paragraphs"]] == [0, text.index("Эти")]


# ---------------------------------------------------------------- short phrases (SI)


def test_phrase_candidates_stay_in_sentences_with_content_words_at_edges() -> None:
    from narrascope.techniques.phrases import ArticleTokens, candidates

    text = "The crumbling morale of troops, sadly.\nA desperate attempt"
    art = ArticleTokens.of(text)
    found = {text[art.toks[i][0] : art.toks[j - 1][1]] for i, j in candidates(art, 3)}
    assert {"crumbling morale", "crumbling", "morale of troops", "desperate attempt"} <= found
    assert not any(p.startswith(("The ", "of ")) or p.endswith(" of") for p in found)
    assert "troops, sadly" not in found  # never across a comma
    assert "sadly.\nA desperate" not in found and "sadly desperate" not in found
    assert all(len(p.split()) <= 3 for p in found)


def test_phrase_labels_lexicon_and_greedy_pick() -> None:
    from narrascope.techniques.phrases import (
        ArticleTokens,
        candidate_labels,
        candidates,
        learn_lexicon,
        pick,
    )

    text = "A desperate attempt to hide crumbling morale"
    art = ArticleTokens.of(text)
    cands = candidates(art, 2)
    gold = [(text.index("desperate"), text.index(" to"))]
    y = candidate_labels(art, cands, gold)
    as_text = {
        text[art.toks[i][0] : art.toks[j - 1][1]]: int(v)
        for (i, j), v in zip(cands, y, strict=True)
    }
    # Dice >= 0.5 with the gold span: the exact phrase and its longer word match
    assert as_text["desperate attempt"] == 1 and as_text["desperate"] == 1
    assert as_text["crumbling morale"] == 0 and as_text["hide"] == 0
    inside = np.asarray([int(w in {"desperate", "attempt"}) for w in art.words])
    lex = learn_lexicon([art, art, art], [inside] * 3)
    assert lex["desperate"] > 0 > lex["hide"]
    # the best candidate wins, overlapping ones are skipped, low ones are dropped
    probs = np.asarray(
        [
            0.9
            if text[art.toks[i][0] : art.toks[j - 1][1]] == "desperate attempt"
            else 0.5
            if (i, j) == cands[0]
            else 0.05
            for i, j in cands
        ]
    )
    picked = [(text[s:e], round(p, 2)) for s, e, p in pick(art, cands, probs, 0.1)]
    assert picked == [("desperate attempt", 0.9)]


def test_combine_spans_modes() -> None:
    from narrascope.techniques.model import combine_spans

    short = [(5, 10, 0.5)]
    long = [(0, 20, 0.3), (30, 40, 0.4)]
    assert combine_spans(short, long, "add") == [(5, 10, 0.5), (30, 40, 0.4)]
    assert combine_spans(short, long, "union") == [(0, 20, 0.3), (5, 10, 0.5), (30, 40, 0.4)]
    assert combine_spans(short, long, "phrases") == short
    assert combine_spans(short, long, "long") == long
    with pytest.raises(ValueError, match="unknown"):
        combine_spans(short, long, "other")


def test_paragraph_evidence_counts_only_what_lies_in_each_paragraph() -> None:
    from narrascope.techniques.model import (
        N_EVIDENCE_SCORES,
        SpanEvidence,
        paragraph_evidence,
        shipped_model,
    )
    from narrascope.techniques.phrases import ArticleTokens, PhraseScores, candidates

    text = "Plain words here.\nA disgraceful corrupt regime lies."
    art = ArticleTokens.of(text)
    cands = candidates(art, 2)
    second = text.index("A disgraceful")
    probs = np.asarray(
        [0.9 if art.toks[i][0] >= second else 0.1 for i, _ in cands], dtype=np.float32
    )
    found = SpanEvidence(
        PhraseScores(art, cands, probs),
        [(0, second - 1), (second, len(text))],
        np.asarray([0.2, 0.7]),
    )
    classifier = shipped_model().classifier
    rows = paragraph_evidence(text, [(0, second - 1), (second, len(text))], found, classifier)
    assert rows.shape == (2, N_EVIDENCE_SCORES + 2 * len(classifier.classes))
    assert rows[0, 0] == np.float32(0.1) and rows[1, 0] == np.float32(0.9)
    assert rows[0, 5] == np.float32(0.2) and rows[1, 5] == np.float32(0.7)
    # technique scores: nothing picked (all < 0.15) in the first, something in the second
    assert rows[0, N_EVIDENCE_SCORES:].sum() == 0 < rows[1, N_EVIDENCE_SCORES:].sum()


def test_class_thresholds_maximise_micro_f1_per_technique() -> None:
    from narrascope.techniques.train import class_thresholds

    y = np.asarray([[1, 0], [1, 0], [0, 1], [0, 0]])
    # technique 0 is found at 0.3 and above; technique 1 only its true paragraph reaches 0.8
    probs = np.asarray([[0.35, 0.1], [0.3, 0.6], [0.1, 0.8], [0.25, 0.6]])
    thresholds = class_thresholds(probs, y)
    assert 0.25 < thresholds[0] <= 0.3 and 0.6 < thresholds[1] <= 0.8
    assert ((probs >= thresholds) == y.astype(bool)).all()


def test_word_clusters_back_off_the_lexicon_and_add_features() -> None:
    from narrascope.techniques.phrases import (
        ArticleTokens,
        candidate_features,
        candidates,
        learn_lexicon,
        lexicon_values,
    )

    art = ArticleTokens.of("a vile smear and a calm report")
    inside = np.asarray([int(w in {"vile", "smear"}) for w in art.words])
    clusters = {"vile": 1, "smear": 1, "nasty": 1, "calm": 2, "report": 2}
    lex = learn_lexicon([art], [inside], min_count=3, clusters=clusters)
    assert "vile" not in lex  # seen once: too rare for its own entry
    values = lexicon_values(["nasty", "calm", "unknown"], lex, clusters)
    assert values[0] > 0 > values[1] and values[2] == 0.0
    cands = candidates(art, 2)
    rows = candidate_features(art, cands, clusters)
    first = rows[cands.index((1, 3))]  # "vile smear"
    assert {"c=1", "cfl=1|1", "cpv=-1", "cnx=-1"} <= set(first)
    assert not any(f.startswith("c=") for f in candidate_features(art, cands)[0])


def test_cluster_analyzer_and_token_cluster_features() -> None:
    from narrascope.techniques.clusters import ClusterAnalyzer
    from narrascope.techniques.features import token_features

    clusters = {"vile": 1, "smear": 1, "calm": 2}
    assert ClusterAnalyzer(clusters)("A vile, Vile smear; calm!") == ["c1", "c1", "c1", "c2"]
    _, _, feats = token_features("a vile smear", clusters=clusters)
    assert {"c-1=-1", "c0=1", "c1=1"} <= set(feats[1])
    assert not any(f.startswith("c0=") for f in token_features("a vile smear")[2][1])


def test_float32_weight_copies_are_cached_but_never_pickled() -> None:
    import pickle

    from narrascope.techniques.model import ParagraphTagger

    tagger = ParagraphTagger(
        None, np.ones((2, 3), dtype=np.float16), np.zeros(2), ["a", "b"], np.full(2, 0.5)
    )
    first = tagger.f32("coef")
    assert first.dtype == np.float32 and tagger.f32("coef") is first
    restored = pickle.loads(pickle.dumps(tagger))
    assert not any(k.startswith("_f32_") for k in vars(restored))
    assert restored.coef.dtype == np.float16


def test_span_sentences_and_weighted_semantic_blocks() -> None:
    from narrascope.techniques.features import sentence_bounds, sentences_of
    from narrascope.techniques.model import semantic_vectors

    text = "They lie. The traitors sold us out. We stand."
    bounds = sentence_bounds(text)
    start = text.index("traitors")
    assert sentences_of(text, start, start + 8, bounds) == "The traitors sold us out. "
    # a span across two sentences gets both
    assert sentences_of(text, 5, start + 8, bounds) == "They lie. The traitors sold us out. "
    spans, sentences = ["traitors", "lie"], ["The traitors sold us out.", "They lie."]
    assert semantic_vectors({"word": 1.0}, spans, sentences).shape == (2, 0)
    both = semantic_vectors({"use_span": 2.0, "use_sentence": 0.5}, spans, sentences)
    assert both.shape == (2, 1024)
    # encoder vectors are unit length, so each block's norm is its weight
    assert np.allclose(np.linalg.norm(both[:, :512], axis=1), 2.0, atol=1e-3)
    assert np.allclose(np.linalg.norm(both[:, 512:], axis=1), 0.5, atol=1e-3)


def test_sentence_classifier_with_a_weighted_use_block() -> None:
    from narrascope.techniques.model import sentence_probs, sentence_use_rows
    from narrascope.techniques.train import _fit_sentence_model

    sentences = [
        "The traitors sold our country out.",
        "These vile cowards betrayed the nation.",
        "The meeting starts at nine tomorrow.",
        "The report was published on Monday.",
    ] * 3
    labels = np.asarray([1, 1, 0, 0] * 3)
    assert sentence_use_rows(sentences, 0.0) is None
    rows = sentence_use_rows(sentences, 2.0)
    assert rows is not None and rows.shape == (12, 512)
    assert np.allclose(np.linalg.norm(rows, axis=1), 2.0, atol=1e-3)
    vecs, coef, intercept = _fit_sentence_model(sentences, labels, 13, None, rows)
    # the coefficients cover the TF-IDF columns and then the 512 USE columns
    assert coef.shape[0] == sum(len(v.vocabulary_) for v in vecs) + 512
    text = "Those traitors sold the country. The report starts on Monday."
    probs = sentence_probs((vecs, coef, intercept, 2.0), text)
    assert probs.shape == (2,) and probs[0] > 0.5 > probs[1]


def test_article_index_counts_phrases_as_whole_words_without_overlaps() -> None:
    from narrascope.techniques.features import ArticleIndex

    index = ArticleIndex("Very very very good. VERY very! The good, the bad.")
    assert index.occurrences("very") == 5
    assert index.occurrences("very very") == 2  # "very very very" holds one, not two
    assert index.occurrences("Very, VERY very") == 1
    assert index.occurrences("good the") == 1  # punctuation between words is no boundary
    assert index.occurrences("ood") == 0 and index.occurrences("very goo") == 0
    assert index.occurrences("!!") == 0 and index.occurrences("") == 0
