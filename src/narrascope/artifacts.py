"""Shipped model files: where they live in the package, and saving/loading them with joblib.

Every learned stage ships one joblib file under ``narrascope/models/<name>/``; saving compresses
it (the repository keeps each artifact small) and loading fails with a message that names the
file and how to make it, rather than a bare traceback from deep inside joblib.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def shipped_path(model: str, filename: str = "model.joblib") -> Path:
    """The file ``filename`` of the model ``model`` inside the installed package."""
    return Path(str(resources.files("narrascope") / "models" / model / filename))


def save_joblib(obj: Any, path: str | Path) -> None:
    import joblib

    joblib.dump(obj, path, compress=3)


def load_joblib(path: str | Path, what: str, hint: str = "") -> Any:
    """The object in ``path``; ``what`` names it in the error when the file is missing."""
    import joblib

    if not Path(path).exists():
        raise FileNotFoundError(f"{what} not found: {path}{f' ({hint})' if hint else ''}")
    return joblib.load(path)


def load_instance(path: str | Path, cls: type[T], what: str) -> T:
    """The ``cls`` object saved whole in ``path``; another object is a clear error."""
    obj = load_joblib(path, what)
    if not isinstance(obj, cls):
        raise ValueError(f"{path} does not hold a {what}")
    return obj
