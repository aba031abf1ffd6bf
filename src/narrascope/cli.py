"""Command line: a thin layer over ``narrascope.api``.

    narrascope analyze article.txt --format html -o report.html
    narrascope analyze folder/ -o reports/          # one file per article
    cat article.txt | narrascope analyze -          # JSON on stdout

Exit codes: 0 all articles analysed; 1 some or all inputs failed (each reported on stderr);
2 usage error. Users never see a traceback unless they ask for one with ``--debug``.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

import click

from narrascope import __version__
from narrascope.document import Document
from narrascope.ingest import DEFAULT_MAX_BYTES, InputError, ReadOptions
from narrascope.pipeline import DEFAULT_STAGES, PipelineError

EXTENSIONS = {"json": "json", "md": "md", "html": "html"}


class LazyGroup(click.Group):
    """A group whose subcommands live in other modules and load only when called.

    Each stage's ``train``/``evaluate`` command sits beside the stage; listing them here as
    ``"module:attribute"`` keeps ``narrascope --help`` fast (no model imports).
    """

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attr = self.lazy[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module_name), attr)
            return command
        return super().get_command(ctx, cmd_name)


# `narrascope evaluate TASK` and `narrascope train TASK`: task name -> "module:click_command".
EVALUATE_COMMANDS: dict[str, str] = {
    "attribution": "narrascope.attribution.commands:evaluate_command",
    "checkworthiness": "narrascope.checkworthiness.commands:evaluate_command",
    "techniques": "narrascope.techniques.commands:evaluate_command",
    "narratives": "narrascope.narratives.commands:evaluate_command",
}
TRAIN_COMMANDS: dict[str, str] = {
    "attribution": "narrascope.attribution.commands:train_command",
    "attribution-encoder": "narrascope.attribution.encoder_commands:train_encoder_command",
    "techniques-encoder": "narrascope.techniques.encoder_commands:train_encoder_command",
    "checkworthiness": "narrascope.checkworthiness.commands:train_command",
    "techniques": "narrascope.techniques.commands:train_command",
    "narratives": "narrascope.narratives.commands:train_command",
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="narrascope")
@click.option("--debug", is_flag=True, help="Show tracebacks on internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Who claims what, on whose word, with which persuasion techniques, for which narrative."""
    ctx.obj = {"debug": debug}


@cli.group(cls=LazyGroup, lazy=EVALUATE_COMMANDS)
def evaluate() -> None:
    """Score a stage against gold data (prints one JSON object)."""


@cli.group(cls=LazyGroup, lazy=TRAIN_COMMANDS)
def train() -> None:
    """Train a stage's model from the shared data."""


@cli.command()
def stages() -> None:
    """List the pipeline stages in their default order."""
    from narrascope.pipeline import stage_class

    classes = [stage_class(name) for name in DEFAULT_STAGES]
    needs = [", ".join(cls.requires) or "-" for cls in classes]
    name_width = max(len(name) for name in DEFAULT_STAGES)
    needs_width = max(len(n) for n in needs)
    for name, cls, need in zip(DEFAULT_STAGES, classes, needs, strict=True):
        adds = ", ".join(cls.provides)
        click.echo(f"{name:{name_width}}  needs: {need:{needs_width}}  adds: {adds}")


def _parse_stages(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [s.strip() for s in value.split(",") if s.strip()]


@cli.command()
@click.argument("input_path", metavar="INPUT")
@click.option(
    "--format", "fmt", type=click.Choice(list(EXTENSIONS)), default="json", show_default=True
)
@click.option(
    "-o",
    "--output",
    help="Output file, or folder (existing, or ending in /) for one file per article.",
)
@click.option(
    "--stages",
    "stages_opt",
    help=f"Comma-separated stages to run (default: {','.join(DEFAULT_STAGES)}).",
)
@click.option(
    "--max-size",
    type=float,
    default=DEFAULT_MAX_BYTES / 1_048_576,
    show_default=True,
    help="Largest article to accept, in MB of text.",
)
@click.option(
    "--input-format",
    type=click.Choice(["text", "html", "jsonl", "json", "feed"]),
    help="Read INPUT as this format instead of guessing from its name.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="HTML report: hide highlights scored below this (adjustable in the page).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes for a batch (each loads the models once).",
)
@click.pass_context
def analyze(
    ctx: click.Context,
    input_path: str,
    fmt: str,
    output: str | None,
    stages_opt: str | None,
    max_size: float,
    input_format: str | None,
    threshold: float,
    jobs: int,
) -> None:
    """Analyse INPUT: a .txt/.html/.jsonl/feed file, a folder of them, or - for stdin."""
    from narrascope.api import analyze_inputs, get_pipeline

    options = ReadOptions(max_bytes=int(max_size * 1_048_576), format=input_format)
    stage_names = _parse_stages(stages_opt)
    try:
        get_pipeline(stage_names)  # fail on a bad --stages before reading anything
    except PipelineError as exc:
        raise click.UsageError(str(exc)) from None
    writer = _Writer(fmt, output, threshold)
    failures = 0
    progress = _progress_bar()
    try:
        for item in analyze_inputs(input_path, stage_names, options, jobs=jobs):
            if isinstance(item, InputError):
                failures += 1
                click.echo(f"narrascope: error: {item}", err=True)
            else:
                writer.write(item)
            progress.update(1)
    except Exception as exc:
        if ctx.obj.get("debug"):
            raise
        _fail(
            f"internal error while analysing {input_path}: {type(exc).__name__}: {exc} "
            "(rerun with --debug for details)"
        )
    finally:
        progress.close()
        writer.close()
    total = failures + writer.count
    if failures:
        if total > 1:
            click.echo(
                f"narrascope: {failures} of {total} input(s) failed; {writer.count} analysed",
                err=True,
            )
        sys.exit(1)


def _progress_bar() -> Any:
    from tqdm import tqdm

    # Only on a terminal: pipes and CI logs get no carriage-return noise.
    return tqdm(unit="article", disable=not sys.stderr.isatty(), leave=False)


def _fail(message: str) -> None:
    click.echo(f"narrascope: error: {message}", err=True)
    sys.exit(1)


class _Writer:
    """Where results go: stdout, one file, JSONL, or one file per article in a folder."""

    def __init__(self, fmt: str, output: str | None, threshold: float) -> None:
        self.fmt = fmt
        self.output = Path(output) if output else None
        self.threshold = threshold
        self.count = 0
        self.pending: Document | None = None  # held back until we know whether it is a batch
        self.handle: Any = None
        self.used_names: set[str] = set()
        self.is_dir = output is not None and (Path(output).is_dir() or output.endswith(("/", "\\")))

    def write(self, doc: Document) -> None:
        self.count += 1
        if self.is_dir:
            self._write_to_folder(doc)
        elif self.count == 1:
            self.pending = doc
        else:
            self._write_stream(doc)

    def _render(self, doc: Document, compact: bool = False) -> str:
        from narrascope.report import render
        from narrascope.serialize import to_json

        if compact:
            return to_json(doc, indent=None)
        return (
            render(doc, self.fmt, threshold=self.threshold)
            if self.fmt == "html"
            else render(doc, self.fmt)
        )

    def _write_stream(self, doc: Document) -> None:
        """A second article arrived: switch to a batch stream (JSONL, or Markdown sections)."""
        if self.fmt == "html":
            _fail("several articles need a folder for HTML reports: use -o FOLDER/")
        if self.handle is None:
            self.handle = self.output.open("w", encoding="utf-8") if self.output else sys.stdout
            if self.pending is not None:
                self._emit(self.pending)
                self.pending = None
        self._emit(doc)

    def _emit(self, doc: Document) -> None:
        if self.fmt == "json":
            self.handle.write(self._render(doc, compact=True) + "\n")
        else:
            self.handle.write(self._render(doc) + "\n---\n\n")

    def _write_to_folder(self, doc: Document) -> None:
        assert self.output is not None
        self.output.mkdir(parents=True, exist_ok=True)
        name = self._file_name(doc)
        (self.output / name).write_text(self._render(doc), encoding="utf-8")

    def _file_name(self, doc: Document) -> str:
        base = Path(doc.meta.source.split("#")[0]).stem if doc.meta.source != "<stdin>" else "stdin"
        line = re.search(r"(?::(\d+)|#item(\d+)|\[(\d+)\])$", doc.meta.source)
        if line:
            base += "-" + next(g for g in line.groups() if g)
        base = re.sub(r"[^\w.-]+", "_", base) or doc.id
        name, n = base, 1
        while name in self.used_names:
            n += 1
            name = f"{base}-{n}"
        self.used_names.add(name)
        return f"{name}.{EXTENSIONS[self.fmt]}"

    def close(self) -> None:
        if self.pending is not None:
            text = self._render(self.pending)
            if self.output:
                self.output.parent.mkdir(parents=True, exist_ok=True)
                self.output.write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text if text.endswith("\n") else text + "\n")
            self.pending = None
        if self.handle is not None and self.handle is not sys.stdout:
            self.handle.close()


def main() -> None:
    try:
        cli(prog_name="narrascope")
    except KeyboardInterrupt:
        click.echo("narrascope: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
