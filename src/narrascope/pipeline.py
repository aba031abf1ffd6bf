"""Stages and the pipeline that runs them.

A stage declares the layers it ``requires`` and the layers it ``provides``. Building a
pipeline checks, in order, that every requirement is provided by an earlier stage, so a
misconfigured pipeline fails before any article is read.

Model stages split ``predict(docs)`` (pure: documents in, predictions out, no mutation) from
``set_annotations(docs, predictions)`` so that ``predict`` can be mapped over processes or a
cluster and the results written back where the documents live.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar

from narrascope.document import Document, StageRecord


class PipelineError(Exception):
    """The pipeline cannot be built as asked (unknown stage, missing requirement)."""


class Stage:
    """Base class of every stage. Subclasses set the class attributes and ``predict``.

    ``languages`` lists the ISO 639-1 codes the stage handles; ``None`` means any language.
    A document in another language is passed through untouched and the skip is recorded.
    """

    name: ClassVar[str] = ""
    requires: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[str, ...]] = ()
    languages: ClassVar[frozenset[str] | None] = None

    def predict(self, docs: Sequence[Document]) -> list[Any]:
        raise NotImplementedError

    def set_annotations(self, docs: Sequence[Document], predictions: Sequence[Any]) -> None:
        raise NotImplementedError

    def skip_reason(self, doc: Document) -> str | None:
        """Why this stage cannot run on ``doc``, or None when it can."""
        if self.languages is not None and doc.meta.language not in self.languages:
            lang = doc.meta.language or "undetermined"
            supported = ", ".join(sorted(self.languages))
            return f"language {lang} not supported (supported: {supported})"
        missing = [r for r in self.requires if r not in doc.provided]
        if missing:
            return f"needs {', '.join(missing)}, which no earlier stage produced for this article"
        return None

    def __call__(self, docs: Sequence[Document]) -> list[Document]:
        runnable: list[Document] = []
        for doc in docs:
            reason = self.skip_reason(doc)
            if reason is None:
                runnable.append(doc)
            else:
                doc.stages.append(StageRecord(self.name, "skipped", reason))
        if runnable:
            self.set_annotations(runnable, self.predict(runnable))
            for doc in runnable:
                doc.stages.append(StageRecord(self.name, "ran"))
                doc.provided.update(self.provides)
        return list(docs)


# Registry of known stages, in their default order: name -> "module:Class".
# Imports are lazy so that `--stages` without the heavy ones never loads their models.
STAGE_REGISTRY: dict[str, str] = {
    "language": "narrascope.stages.language:LanguageStage",
    "structure": "narrascope.stages.structure:StructureStage",
    "linguistic": "narrascope.stages.linguistic:LinguisticStage",
    "checkworthiness": "narrascope.stages.checkworthiness:CheckworthinessStage",
    # After checkworthiness (its profile covers the check-worthy sentences), before claims
    # (which link each claim to its attribution).
    "attributions": "narrascope.stages.attributions:AttributionsStage",
    "claims": "narrascope.stages.claims:ClaimsStage",
    "techniques": "narrascope.stages.techniques:TechniquesStage",
    "narratives": "narrascope.stages.narratives:NarrativesStage",
    "framing": "narrascope.stages.framing:FramingStage",
}

DEFAULT_STAGES: tuple[str, ...] = tuple(STAGE_REGISTRY)


def stage_class(name: str) -> type[Stage]:
    try:
        target = STAGE_REGISTRY[name]
    except KeyError:
        known = ", ".join(STAGE_REGISTRY)
        raise PipelineError(f"unknown stage {name!r} (known stages: {known})") from None
    module_name, class_name = target.split(":")
    cls: type[Stage] = getattr(importlib.import_module(module_name), class_name)
    return cls


def load_stage(name: str) -> Stage:
    """An instance of the registered stage ``name`` (this may load its model)."""
    return stage_class(name)()


class Pipeline:
    """Runs stages in order over batches of documents."""

    def __init__(self, stages: Sequence[Stage]) -> None:
        self.stages = list(stages)
        check_requirements(self.stages)

    @classmethod
    def from_names(cls, names: Iterable[str] | None = None) -> Pipeline:
        wanted = list(names) if names is not None else list(DEFAULT_STAGES)
        # Keep the registry's order whatever order the user typed, so requirements line up.
        unknown = [n for n in wanted if n not in STAGE_REGISTRY]
        if unknown:
            known = ", ".join(STAGE_REGISTRY)
            raise PipelineError(f"unknown stage(s) {', '.join(unknown)} (known stages: {known})")
        ordered = [n for n in STAGE_REGISTRY if n in wanted]
        return cls([load_stage(n) for n in ordered])

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def __call__(self, doc: Document) -> Document:
        return self.run([doc])[0]

    def run(self, docs: Sequence[Document]) -> list[Document]:
        batch = list(docs)
        for stage in self.stages:
            batch = stage(batch)
        return batch

    def pipe(self, docs: Iterable[Document], batch_size: int = 16) -> Iterator[Document]:
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self.run(batch)
                batch = []
        if batch:
            yield from self.run(batch)


def check_requirements(stages: Sequence[Stage]) -> None:
    available: set[str] = set()
    for stage in stages:
        missing = [r for r in stage.requires if r not in available]
        if missing:
            providers = _providers_of(missing)
            hint = f"; add stage(s) {', '.join(providers)} before it" if providers else ""
            raise PipelineError(
                f"stage {stage.name!r} needs {', '.join(missing)}, "
                f"which no earlier stage provides{hint}"
            )
        available.update(stage.provides)


def _providers_of(layers: Sequence[str]) -> list[str]:
    """Names of registered stages that provide any of ``layers`` (imports, never loads models)."""
    found = []
    for name in STAGE_REGISTRY:
        try:
            provides = stage_class(name).provides
        except Exception:  # a broken optional stage must not hide the real error
            continue
        if set(provides) & set(layers):
            found.append(name)
    return found
