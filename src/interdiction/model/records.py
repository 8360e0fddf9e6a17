"""Plain records shared by every layer.

Offsets are character offsets into the item's original text (Python ``str`` indices), so a
reviewer's highlight always lands on what the sender wrote, whatever normalisation found it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Label(StrEnum):
    OFFER = "offer"  # an offer or a request to trade
    MENTION = "mention"  # a substance named without trade: news, medical, harm reduction
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Control:
    """One legal control of a substance under one regime."""

    regime: str  # "UN-1961", "UN-1971", "UN-1988", "US-CSA", "US-LIST-I", ...
    schedule: str  # "I", "II", "Table I", "List I", ...
    since: str | None = None  # ISO date or year the control took effect, when known
    source: str | None = None  # id in kb/sources.yaml


@dataclass(frozen=True, slots=True)
class Name:
    """One way a substance is written, with how much it proves on its own."""

    text: str
    kind: str  # preferred, synonym, brand, slang, weak, misspelling, systematic, abbreviation,
    # emoji, cas, or an ISO 639-1 language code for a translated name
    weak: bool = False  # ambiguous in everyday language: counts only with drug or trade context
    source: str | None = None


@dataclass(slots=True)
class Substance:
    id: str
    name: str
    substance_class: str
    type: str = "substance"  # substance | group
    cas: tuple[str, ...] = ()
    inchikey: str | None = None
    smiles: str | None = None
    systematic_name: str | None = None
    names: list[Name] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    note: str | None = None

    @property
    def controlled(self) -> bool:
        return bool(self.controls)

    def synonyms(self) -> list[str]:
        return [n.text for n in self.names if n.kind not in ("preferred", "emoji") and not n.weak]


@dataclass(slots=True)
class Item:
    """One unit of text to screen (a listing, a post, a message)."""

    id: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)  # other input fields, kept as they are


@dataclass(slots=True)
class Detection:
    """One piece of evidence found by one detector, anchored in the original text."""

    detector: str
    kind: str  # substance, analogue, cas, identifier, trade, solicitation, context, emoji, ...
    start: int
    end: int
    text: str
    value: str | None = None  # normalised value: substance id, E.164 phone, wallet address, ...
    weight: float = 1.0  # how much this piece proves on its own, 0..1
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Assessment:
    """The verdict on one item, with everything that explains it."""

    label: Label
    risk: float
    flagged: bool
    reasons: list[str]
    detections: list[Detection]
    model: str = "rules"
