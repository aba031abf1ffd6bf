"""Check-worthiness: scorer, data reader, evaluate command, shipped model, stage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope.checkworthiness.data import read_ct24
from narrascope.checkworthiness.scoring import score_binary

TSV_HEADER = "Sentence_id\tText\tclass_label\n"


def write_tsv(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = [f"{i}\t{text}\t{label}\n" for i, (text, label) in enumerate(rows, start=1)]
    path.write_text(TSV_HEADER + "".join(lines), encoding="utf-8")
    return path


def test_score_binary_matches_hand_computation() -> None:
    # tp = 2 (items 0, 4), fp = 1 (item 2), fn = 1 (item 1), tn = 1 (item 3)
    result = score_binary([1, 1, 0, 0, 1], [1, 0, 1, 0, 1])
    assert result["precision_positive"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["recall_positive"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["f1_positive"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["accuracy"] == pytest.approx(3 / 5)


def test_score_binary_unbalanced_precision_and_recall() -> None:
    # tp = 1, fp = 3, fn = 0: P = 0.25, R = 1, F1 = 2 * 0.25 / 1.25 = 0.4
    result = score_binary([1, 0, 0, 0], [1, 1, 1, 1])
    assert result["f1_positive"] == pytest.approx(0.4)
    assert result["accuracy"] == pytest.approx(0.25)


def test_score_binary_no_positive_predictions_is_zero_not_error() -> None:
    assert score_binary([1, 0], [0, 0])["f1_positive"] == 0.0


def test_score_binary_rejects_length_mismatch() -> None:
    with pytest.raises(ValueError, match="gold has 2"):
        score_binary([1, 0], [1])


def test_read_ct24_reads_labels_and_quoted_text(tmp_path: Path) -> None:
    path = tmp_path / "mini.tsv"
    path.write_text(TSV_HEADER + '7\t"He said ""no"" twice."\tNo\n8\tTaxes rose 4%.\tYes\n')
    texts, labels, ids = read_ct24(path)
    assert texts == ['He said "no" twice.', "Taxes rose 4%."]
    assert labels == [0, 1]
    assert ids == ["7", "8"]


def test_read_ct24_names_file_and_line_on_bad_label(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(TSV_HEADER + "1\tSomething.\tMaybe\n")
    with pytest.raises(ValueError, match=r"bad.tsv:2"):
        read_ct24(path)


def test_shipped_model_separates_claims_from_chatter() -> None:
    from narrascope.checkworthiness.model import shipped_model

    model = shipped_model()
    claims = [
        "Unemployment fell to 3.5 percent in 2019, the lowest rate in fifty years.",
        "The state cut spending on schools by $2 billion last year.",
    ]
    chatter = ["Thank you all for being here tonight.", "Good evening, everybody."]
    assert model.predict(claims) == [True, True]
    assert model.predict(chatter) == [False, False]
    scores = model.scores(claims + chatter)
    assert min(scores[:2]) > max(scores[2:])


def test_evaluate_command_prints_official_measures(tmp_path: Path) -> None:
    from narrascope.checkworthiness.model import shipped_model
    from narrascope.cli import cli

    rows = [
        ("Crime went up by 20 percent in our largest cities since 2010.", "Yes"),
        ("We spent $6 trillion in the Middle East.", "Yes"),
        ("Thank you very much.", "No"),
        ("I want to thank the moderators.", "No"),
    ]
    path = write_tsv(tmp_path / "dev.tsv", rows)
    result = CliRunner().invoke(cli, ["evaluate", "checkworthiness", "--data", str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    gold = [1, 1, 0, 0]
    predicted = [int(p) for p in shipped_model().predict([r[0] for r in rows])]
    expected = score_binary(gold, predicted)
    for key in ("f1_positive", "precision_positive", "recall_positive", "accuracy"):
        assert report[key] == expected[key]


def test_evaluate_command_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    from narrascope.cli import cli

    missing = tmp_path / "nope.tsv"
    result = CliRunner().invoke(cli, ["evaluate", "checkworthiness", "--data", str(missing)])
    assert result.exit_code == 2
    assert "nope.tsv" in result.output


def test_stage_marks_check_worthy_sentences() -> None:
    from narrascope.api import analyze_text

    text = (
        "Thank you all for coming tonight. "
        "The city spent $40 million on new roads in 2021, twice as much as in 2019."
    )
    doc = analyze_text(text, stages=["language", "structure", "linguistic", "checkworthiness"])
    layer = doc.layers["checkworthiness"]
    assert [doc.span_text(s) for s in layer.spans] == [doc.span_text(doc.sentences[1])]
    assert len(layer.data["sentence_scores"]) == 2
    assert layer.spans[0].score is not None and layer.spans[0].score >= layer.data["threshold"]


def test_stage_skips_other_languages() -> None:
    from narrascope.document import Document, Metadata
    from narrascope.stages.checkworthiness import CheckworthinessStage

    doc = Document("Вчера явка составила 40 процентов.", meta=Metadata(language="ru"))
    doc.layer("sentences").add_span(0, len(doc.text), "sentence")
    doc.provided.add("sentences")
    CheckworthinessStage()([doc])
    assert "checkworthiness" not in doc.layers
    assert doc.stages[-1].status == "skipped" and "language ru" in doc.stages[-1].reason
