"""Narratives and framing: scorers, data reader, decision rule, shipped models, stages, panels."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

from narrascope.narratives.data import Mention, align_mention, read_language
from narrascope.narratives.model import Thresholds, decide
from narrascope.narratives.scoring import role_scores, sample_f1, samples_f1

URW_MIL = "URW: Discrediting Ukraine: Discrediting Ukrainian military"
URW_GOV = "URW: Discrediting Ukraine: Discrediting Ukrainian government and officials and policies"


def test_samples_f1_matches_hand_computation() -> None:
    gold = [["A", "B"], ["C"], ["Other"]]
    pred = [["A"], ["C", "D"], ["Other"]]
    # doc 1: 2*1/(2+1) = 2/3; doc 2: 2*1/(1+2) = 2/3; doc 3: 1 -> mean 7/9
    assert samples_f1(gold, pred) == pytest.approx(7 / 9)


def test_samples_f1_fine_labels_and_disjoint_sets() -> None:
    gold = [[URW_MIL, URW_GOV], ["Other"]]
    pred = [[URW_MIL], ["URW: Praise of Russia: Other"]]
    # doc 1: 2*1/(2+1) = 2/3; doc 2: no overlap = 0 -> mean 1/3
    assert samples_f1(gold, pred) == pytest.approx(1 / 3)
    assert sample_f1(set(), set()) == 1.0
    with pytest.raises(ValueError):
        samples_f1([["A"]], [])


def test_role_scores_hand_computed() -> None:
    result = role_scores(
        ["Antagonist", "Protagonist", "Innocent", "Antagonist"],
        ["Antagonist", "Antagonist", "Innocent", "Antagonist"],
        [["Tyrant"], ["Guardian"], ["Victim"], ["Deceiver", "Corrupt"]],
        [["Tyrant"], ["Instigator"], ["Forgotten"], ["Corrupt", "Deceiver"]],
    )
    assert result["entity_main_role_accuracy"] == pytest.approx(3 / 4)
    # exact set match on mentions 1 and 4 (order does not matter)
    assert result["entity_fine_role_exact_match"] == pytest.approx(2 / 4)


def _semeval_folder(root: Path) -> Path:
    docs = root / "EN" / "raw-documents"
    docs.mkdir(parents=True)
    text = (
        "Kyiv regime fails again\n\nThe Kyiv regime sent soldiers who fled. Russia helps civilians."
    )
    (docs / "EN_UA_1.txt").write_text(text, encoding="utf-8")
    start = text.index("Russia")
    (root / "EN" / "subtask-2-annotations.txt").write_text(
        f"EN_UA_1.txt\tURW: Discrediting Ukraine;URW: Praise of Russia\t{URW_MIL}\n",
        encoding="utf-8",
    )
    # Offsets inclusive; the second mention is shifted by two characters as in the real files.
    (root / "EN" / "subtask-1-annotations.txt").write_text(
        f"EN_UA_1.txt\tRussia\t{start}\t{start + 5}\tProtagonist\tGuardian\n"
        f"EN_UA_1.txt\tKyiv\t{text.index('Kyiv', 10) + 2}\t{text.index('Kyiv', 10) + 5}\tAntagonist\tIncompetent\n",
        encoding="utf-8",
    )
    return root


def test_reader_parses_labels_and_realigns_shifted_mentions(tmp_path: Path) -> None:
    article = read_language(_semeval_folder(tmp_path), "EN")[0]
    assert article.narratives == ["URW: Discrediting Ukraine", "URW: Praise of Russia"]
    assert article.subnarratives == [URW_MIL]
    for m in article.mentions:
        assert article.text[m.start : m.end] == m.entity
    assert article.mentions[1].main_role == "Antagonist"


def test_align_mention_keeps_exact_offsets() -> None:
    m = Mention("NATO", 4, 8, "Antagonist", ("Instigator",))
    assert align_mention("The NATO summit", m) is m


SPACE = SimpleNamespace(
    coarse=[
        "CC: Amplifying Climate Fears",
        "Other",
        "URW: Discrediting Ukraine",
        "URW: Praise of Russia",
    ],
    fine=["CC: Amplifying Climate Fears: Other", URW_MIL, URW_GOV, "URW: Praise of Russia: Other"],
    children={
        "CC: Amplifying Climate Fears": ["CC: Amplifying Climate Fears: Other"],
        "URW: Discrediting Ukraine": [URW_MIL, URW_GOV],
        "URW: Praise of Russia": ["URW: Praise of Russia: Other"],
    },
)


def test_sides_cover_names_and_inflections_across_languages() -> None:
    from narrascope.narratives.sides import sides_of

    assert sides_of("Ukrainian forces") == ("UA",)
    assert sides_of("ВСУ") == ("UA",)
    assert sides_of("Вооруженных сил Украины") == ("UA",)
    assert sides_of("the Kremlin") == ("RU",)
    assert sides_of("रूसी सेना") == ("RU",)
    assert sides_of("US-") == ("WEST",)
    # whole-word entries do not fire inside other words; unknown actors have no side
    assert sides_of("Usain Bolt") == ()
    assert sides_of("Greta Thunberg") == ()
    assert sides_of("Russian-backed Ukrainian separatists") == ("UA", "RU")


def test_grammar_of_tells_the_doer_from_the_target() -> None:
    from narrascope.narratives.framing import grammar_of
    from narrascope.stages.linguistic import spacy_english

    text = "Russia attacked Ukraine. The city was shelled by Kyiv."
    parsed = spacy_english()(text)
    assert grammar_of(parsed, 0, 6) == ("dep_nsubj", "dep_nsubj|attack")
    assert grammar_of(parsed, 16, 23) == ("dep_dobj", "dep_dobj|attack")
    kyiv = text.index("Kyiv")
    assert grammar_of(parsed, kyiv, kyiv + 4) == ("dep_pobj_by", "dep_pobj_by|shell")


def test_side_features_cross_side_with_scores_and_language() -> None:
    from narrascope.narratives.framing import MentionInput, side_features
    from narrascope.narratives.sides import SIDES

    article = SimpleNamespace(text="Kyiv said so.", lang="en")
    scores = np.array([0.5, -1.0], dtype=np.float32)
    feats = side_features(article, MentionInput(0, 4, 0, [], scores), scores)  # type: ignore[arg-type]
    n = len(SIDES) + 1
    assert feats[:n].tolist() == [1.0] + [0.0] * (n - 1)
    assert feats[n : n + 2].tolist() == [0.5, -1.0]  # UA row of side x scores
    assert feats[n + 2 : n * 3].sum() == 0.0  # other sides' rows are zero
    assert feats[n * 3] == 1.0  # UA x English


def test_decide_keeps_one_domain_and_falls_back_to_best_subnarrative() -> None:
    coarse = np.array([0.5, 0.0, 0.7, 0.45])
    fine = np.array([0.9, 0.2, 0.1, 0.0])
    labels, subs = decide(SPACE, coarse, fine, Thresholds(coarse=0.4, other_discount=0.0, fine=0.3))
    # CC scores above threshold but the best narrative is URW: CC is dropped.
    assert labels == ["URW: Discrediting Ukraine", "URW: Praise of Russia"]
    assert subs == [URW_MIL, "URW: Praise of Russia: Other"]


def test_decide_other_wins_only_above_every_narrative() -> None:
    coarse = np.array([0.1, 0.5, 0.4, 0.0])
    fine = np.zeros(4)
    assert decide(SPACE, coarse, fine, Thresholds(0.3, 0.0, 0.3)) == (["Other"], ["Other"])
    # a discount on Other of 0.2 lets the URW narrative through
    labels, _ = decide(SPACE, coarse, fine, Thresholds(0.3, 0.2, 0.3))
    assert labels == ["URW: Discrediting Ukraine"]


def test_decide_floor_and_relative_cut() -> None:
    coarse = np.array([0.0, 0.1, 0.3, 0.2])
    fine = np.zeros(4)
    # the best narrative (0.3) beats Other (0.1) but not the floor of 0.35
    floor = Thresholds(coarse=0.1, other_discount=0.0, fine=0.3, min_best=0.35)
    assert decide(SPACE, coarse, fine, floor) == (["Other"], ["Other"])
    # 0.2 passes the absolute cut of 0.1 but not 0.8 x 0.3 = 0.24
    relative = Thresholds(coarse=0.1, other_discount=0.0, fine=0.3, ratio=0.8)
    assert decide(SPACE, coarse, fine, relative)[0] == ["URW: Discrediting Ukraine"]
    no_ratio = Thresholds(coarse=0.1, other_discount=0.0, fine=0.3)
    assert decide(SPACE, coarse, fine, no_ratio)[0] == [
        "URW: Discrediting Ukraine",
        "URW: Praise of Russia",
    ]


def _shipped_available() -> bool:
    from narrascope.narratives.framing import shipped_framing_path
    from narrascope.narratives.model import shipped_model_path

    return shipped_model_path().exists() and shipped_framing_path().exists()


needs_models = pytest.mark.skipif(not _shipped_available(), reason="shipped models not built")

EN_TEXT = (
    "Climate activists glue themselves to roads again\n\n"
    "The so-called climate activists blocked the motorway for the third time this week. "
    "These hypocrites fly to conferences in private jets while lecturing ordinary workers. "
    "Their movement is funded by billionaires who want to control what we eat and how we travel."
)
RU_TEXT = (
    "ВСУ бегут с позиций\n\n"
    "Украинские военные массово бросают позиции под Харьковом, сообщил военный эксперт. "
    "Командиры ВСУ не способны удержать дисциплину, солдаты сдаются в плен. "
    "Российская армия освобождает населённые пункты и помогает мирным жителям."
)


@needs_models
def test_shipped_model_predicts_english_and_russian() -> None:
    from narrascope.narratives.model import encode_article, shipped_model

    model = shipped_model()
    articles = [encode_article(EN_TEXT, "en"), encode_article(RU_TEXT, "ru")]
    coarse, fine = model.scores(articles)
    en_labels, en_subs = model.decide(coarse[0], fine[0], "en")
    ru_labels, ru_subs = model.decide(coarse[1], fine[1], "ru")
    assert en_labels and en_subs and ru_labels and ru_subs
    assert all(label.startswith("CC:") for label in en_labels)  # activists, not the war
    assert "URW: Discrediting Ukraine" in ru_labels


@needs_models
def test_evaluate_command_prints_the_four_measures(tmp_path: Path) -> None:
    from narrascope.cli import cli

    root = _semeval_folder(tmp_path)
    result = CliRunner().invoke(
        cli, ["evaluate", "narratives", "--data", str(root), "--lang", "EN"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    for key in (
        "narrative_f1_samples",
        "subnarrative_f1_samples",
        "entity_main_role_accuracy",
        "entity_fine_role_exact_match",
    ):
        assert 0.0 <= out[key] <= 1.0
    assert out["documents"] == 1 and out["entity_mentions"] == 2


def test_evaluate_command_rejects_a_missing_folder(tmp_path: Path) -> None:
    from narrascope.cli import cli

    result = CliRunner().invoke(
        cli, ["evaluate", "narratives", "--data", str(tmp_path), "--lang", "EN"]
    )
    assert result.exit_code == 2
    assert "raw-documents" in result.output


@needs_models
def test_stages_annotate_and_panels_escape_article_text() -> None:
    from narrascope.api import analyze_text
    from narrascope.report import render

    text = RU_TEXT.replace("Харьковом", "Харьковом <script>alert(1)</script>")
    doc = analyze_text(text)
    layer = doc.layers["narratives"]
    assert layer.labels and all(0 <= s.start < s.end <= len(text) for s in layer.spans)
    assert "framing" in doc.layers
    html = render(doc, "html")
    assert "<script>alert(1)</script>" not in html
    assert "Narratives" in render(doc, "md")


def test_word_cached_tokenizer_matches_the_library() -> None:
    from narrascope.narratives.encoder import encoder

    tokenizer = encoder()._model.sp
    sentences = [
        "The Kyiv regime's soldiers fled, officials said on Monday.",
        "  Россия помогает мирным жителям  ",
        "यूक्रेन की सेना पीछे हट गई।",
        "",
        "naïve façade — 123,456 km²",
    ]
    for text in sentences * 2:  # the second pass reads every word from the cache
        assert tokenizer.encode(text) == tokenizer.inner.encode(text, out_type=int)


def test_language_scores_use_each_rows_own_language_weights() -> None:
    from narrascope.narratives.model import language_scores

    blocks = {
        "use": np.array([[1.0, 0.0], [0.0, 2.0]]),
        "lang": np.array([[1.0, 0.0], [0.0, 1.0]]),  # row 0: first language, row 1: second
    }
    weights = np.zeros((2, 2, 1), dtype=np.float16)
    weights[0, :, 0] = [3.0, 5.0]
    weights[1, :, 0] = [7.0, 11.0]
    # row 0: 1*3 + 0*5 = 3 (first language's weights); row 1: 0*7 + 2*11 = 22
    assert language_scores(blocks, {"use": weights})[:, 0].tolist() == [3.0, 22.0]


def test_sentence_stories_and_side_context_cross_the_actors_side() -> None:
    from narrascope.narratives.framing import (
        FramingSettings,
        MentionInput,
        _sentence_stories,
        _side_context,
    )
    from narrascope.narratives.model import Encoded, SimFeatures
    from narrascope.narratives.sides import SIDES

    text = "Moscow protects Donbass. Rain fell."
    vectors = np.eye(3, 512, dtype=np.float32)[:2]  # two sentences: unit vectors e0, e1
    article = Encoded(text, "en", [(0, 24), (25, 35)], vectors)
    # Label A's only text is e0, label B's is e1, label C's is e2.
    sim = SimFeatures(np.eye(3, 512, dtype=np.float32), np.array([0, 1, 2]), ["A", "B", "C"])
    m = MentionInput(0, 6, 0, [], np.zeros(2, dtype=np.float32))
    settings = FramingSettings(w_sentence_stories=1.0, w_side_doc=1.0)
    alone, crossed = _sentence_stories(article, m, settings, sim)
    assert alone.argmax() == 0 and alone[1] == alone[2] < 0  # sentence 0 is closest to A
    n_sides = len(SIDES) + 1
    rows = crossed.reshape(n_sides, 3)
    ru = SIDES.index("RU")
    assert np.allclose(rows[ru], alone) and np.abs(np.delete(rows, ru, axis=0)).sum() == 0
    (doc,) = _side_context(article, m, settings)
    doc_rows = doc.reshape(n_sides, 512)
    assert np.isclose(doc_rows[ru, 0], doc_rows[ru, 1]) and doc_rows[ru, 0] > 0.7
    off = FramingSettings(w_sentence_stories=0.0, w_side_doc=0.0)
    assert _sentence_stories(article, m, off, sim) == []
    assert _side_context(article, m, off) == []


def test_knn_roles_vote_of_the_nearest_windows_from_other_articles() -> None:
    from narrascope.narratives.framing import _knn_roles

    vectors = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    roles = np.eye(4, dtype=np.float32)  # each training window votes for its own column
    query = np.array([[1.0, 0.0]], dtype=np.float32)
    assert _knn_roles(query, vectors, roles, 1).tolist() == [[1, 0, 0, 0]]
    assert _knn_roles(query, vectors, roles, 2).tolist() == [[0.5, 0.5, 0, 0]]
    # Rows 0 and 1 come from one article: each must look past the other.
    owner = np.array([7, 7, 8, 9])
    votes = _knn_roles(vectors, vectors, roles, 1, owner)
    assert votes[0].tolist() == [0, 0, 0, 1] and votes[2].tolist() == [0, 0, 0, 1]
