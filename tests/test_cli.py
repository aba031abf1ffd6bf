"""CLI behaviour: formats, batches, stdin, and a clear one-line error for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope.cli import cli
from narrascope.serialize import validate

BASE = "language,structure,linguistic"
GOOD = "Troops withdrew from the village on Monday, officials said. The mayor denied it.\n"


def run(*args: str, input: str | bytes | None = None):
    result = CliRunner().invoke(cli, list(args), input=input)
    assert "Traceback" not in result.output
    return result


def one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("narrascope: error:")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0]


def test_json_to_stdout_follows_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(GOOD, encoding="utf-8")
    result = run("analyze", str(path), "--stages", BASE)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    validate(data)
    assert data["meta"]["language"] == "en"
    assert len(data["layers"]["sentences"]["spans"]) == 2


def test_stdin_dash(tmp_path: Path) -> None:
    result = run("analyze", "-", "--stages", BASE, "--format", "md", input=GOOD)
    assert result.exit_code == 0, result.output
    assert "**Source:** &lt;stdin>" in result.stdout


def test_html_to_file_is_self_contained(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "r.html"
    assert (
        run("analyze", str(path), "--stages", BASE, "--format", "html", "-o", str(out)).exit_code
        == 0
    )
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "withdrew" in page
    for remote in ("http://", "https://", "src=", "@import", "url("):
        assert remote not in page.split("<footer>")[0].replace("http-equiv", "")


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        ("empty.txt", b"", ["empty.txt", "empty input"]),
        ("blank.txt", b"\n  \n", ["blank.txt", "empty input"]),
        ("doc.txt", b"%PDF-1.4\x00\x01binary", ["doc.txt", "binary file (PDF document)"]),
        ("nul.txt", b"text\x00\x00\x00more", ["nul.txt", "binary file"]),
        ("bad.txt", bytes(range(128, 256)) * 3, ["bad.txt", "not valid UTF-8"]),
        (
            "nav.html",
            b"<html><body><nav>Home</nav></body></html>",
            ["nav.html", "no extractable article text"],
        ),
        ("bad.jsonl", b"{oops\n", ["bad.jsonl:1", "invalid JSON"]),
        ("x.docx", b"PK\x03\x04zip", ["x.docx", "unsupported file type"]),
    ],
)
def test_bad_input_gives_one_clear_line_and_exit_1(
    tmp_path: Path, name: str, content: bytes, needles: list[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(content)
    one_line_error(run("analyze", str(folder), "--stages", BASE), *needles)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("word " * 300_000, encoding="utf-8")  # 1.5 MB
    one_line_error(
        run("analyze", str(path), "--max-size", "1"), "huge.txt", "over the 1.0 MB limit"
    )


def test_missing_file(tmp_path: Path) -> None:
    one_line_error(run("analyze", str(tmp_path / "nope.txt")), "nope.txt", "no such file")


def test_undetermined_language_is_analysed_and_the_skip_reported(tmp_path: Path) -> None:
    path = tmp_path / "numbers.txt"
    path.write_text("12 345 678 — 90 / 12 ?!", encoding="utf-8")
    result = run("analyze", str(path), "--stages", BASE)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["meta"]["language"] is None
    assert any("language could not be determined" in w for w in data["warnings"])


def test_unsupported_language_keeps_sentences_and_says_what_was_skipped(tmp_path: Path) -> None:
    path = tmp_path / "uk.txt"
    path.write_text(
        "Президент України заявив, що війська відступають. Це сталося вчора ввечері.",
        encoding="utf-8",
    )
    data = json.loads(run("analyze", str(path), "--stages", BASE).stdout)
    assert data["meta"]["language"] == "uk"
    assert len(data["layers"]["sentences"]["spans"]) == 2
    assert any("named entities skipped" in w for w in data["warnings"])


def test_batch_with_a_bad_file_processes_the_rest_and_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b.txt").write_bytes(b"")
    (folder / "c.txt").write_text("The ministry said the bridge had reopened.", encoding="utf-8")
    out = tmp_path / "out"
    result = run("analyze", str(folder), "--stages", BASE, "-o", f"{out}/", "--format", "md")
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["a.md", "c.md"]
    assert "1 of 3 input(s) failed; 2 analysed" in result.stderr
    assert f"{folder / 'b.txt'}: empty input" in result.stderr


def test_batch_json_without_output_folder_is_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(
        "\n".join(json.dumps({"id": f"n{i}", "text": GOOD}) for i in range(3)), encoding="utf-8"
    )
    result = run("analyze", str(path), "--stages", BASE)
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["n0", "n1", "n2"]


def test_batch_html_needs_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps({"text": GOOD}) for _ in range(2)), encoding="utf-8")
    one_line_error(
        run("analyze", str(path), "--stages", BASE, "--format", "html"), "use -o FOLDER/"
    )


def test_unknown_stage_is_a_usage_error() -> None:
    result = run("analyze", "-", "--stages", "language,bogus", input=GOOD)
    assert result.exit_code == 2 and "unknown stage" in result.output


def test_real_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bin.txt"
    bad.write_bytes(b"\x7fELF\x02\x01\x01")
    proc = subprocess.run(
        [sys.executable, "-m", "narrascope.cli", "analyze", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"narrascope: error: {bad}: binary file (executable), not text"


def test_parallel_batch_keeps_input_order_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    rows = [json.dumps({"id": f"n{i}", "text": GOOD}) for i in range(5)]
    rows.insert(2, "{broken")
    path.write_text("\n".join(rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "narrascope.cli",
            "analyze",
            str(path),
            "--stages",
            BASE,
            "--jobs",
            "2",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and f"{path}:3: invalid JSON" in proc.stderr
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["n0", "n1", "n2", "n3", "n4"]
