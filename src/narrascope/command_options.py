"""Click options that the train and evaluate commands of every model share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def output_option(help_text: str) -> Decorator:
    """``-o/--output``: where a train command writes its artifact (None: the shipped path)."""
    return click.option(
        "-o", "--output", type=click.Path(path_type=Path), default=None, help=help_text
    )


def model_option(help_text: str = "A model file (default: the shipped one).") -> Decorator:
    """``--model``: the artifact an evaluate command scores (None: the shipped one)."""
    return click.option(
        "--model", "model_path", type=click.Path(path_type=Path), default=None, help=help_text
    )


def data_folder_option(flag: str, name: str, default: Path, help_text: str) -> Decorator:
    """A training-data folder (``--ptc``, ``--semeval2023``, ...) with its default location."""
    return click.option(
        flag,
        name,
        type=click.Path(path_type=Path),
        default=default,
        show_default=True,
        help=help_text,
    )
