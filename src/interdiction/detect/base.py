"""The one interface every detector implements, and how detectors are found.

A detector declares what it finds, takes a whole batch, and returns per item the Detections
with spans into the original text. It ships a table of examples that the shared conformance
test (tests/detect/test_conformance.py) runs: every example's expected findings must appear,
every span must point at its text, and results must not depend on what else is in the batch.

Detectors are registered as entry points in the ``interdiction.detectors`` group (see
pyproject.toml), so a new one plugs in without editing a switch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from interdiction.kb import KnowledgeBase
from interdiction.kb.cache import BytesCache
from interdiction.model import Detection
from interdiction.plugins import load_plugins
from interdiction.text.batch import TextBatch

ENTRY_POINT_GROUP = "interdiction.detectors"


@dataclass(frozen=True)
class Example:
    """One row of a detector's example table.

    ``finds``: (kind or identifier type, value) pairs that must be among the detections; a
    value of None accepts any value. ``absent``: kinds/types that must not be detected
    (``"*"`` = nothing at all).
    """

    text: str
    finds: tuple[tuple[str, str | None], ...] = ()
    absent: tuple[str, ...] = ()
    note: str = ""


@dataclass
class DetectorContext:
    """Everything a detector may use: passed in, never reached for."""

    kb: KnowledgeBase
    options: dict[str, Any] = field(default_factory=dict)
    pattern_cache: BytesCache | None = None  # keeps what detectors compile between runs


class Detector(ABC):
    name: ClassVar[str]
    finds: ClassVar[tuple[str, ...]]  # the Detection kinds (and identifier types) it produces
    examples: ClassVar[tuple[Example, ...]] = ()

    def __init__(self, context: DetectorContext):
        self.context = context

    @abstractmethod
    def detect(self, batch: TextBatch) -> list[Sequence[Detection]]:
        """One sequence of detections per item of the batch, in batch order (see Findings)."""


class Findings(defaultdict):
    """Detections per item, kept sparsely while a detector works: most items have none, and
    allocating an empty list for each of a batch's items costs more than the matching."""

    def __init__(self, size: int):
        super().__init__(list)
        self.size = size

    def as_lists(
        self, refine: Callable[[list[Detection]], list[Detection]] | None = None
    ) -> list[Sequence[Detection]]:
        """One sequence per item in batch order (``refine`` applied where several were found)."""
        out: list[Sequence[Detection]] = [()] * self.size
        for item, detections in self.items():
            out[item] = refine(detections) if refine and len(detections) > 1 else detections
        return out


def detection_label(detection: Detection) -> str:
    """What an Example's ``finds``/``absent`` refer to: the identifier type, else the kind."""
    return str(detection.attrs.get("type") or detection.kind)


def available_detectors() -> dict[str, type[Detector]]:
    """Installed detector classes by name."""
    return load_plugins(ENTRY_POINT_GROUP, "detector")


def create_detectors(context: DetectorContext, names: list[str] | None = None) -> list[Detector]:
    classes = available_detectors()
    if names:
        unknown = sorted(set(names) - set(classes))
        if unknown:
            raise ValueError(f"unknown detector(s) {unknown}; installed: {sorted(classes)}")
        classes = {n: classes[n] for n in names}
    return [cls(context) for cls in classes.values()]
