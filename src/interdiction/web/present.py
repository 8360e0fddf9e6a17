"""What a reviewer reads, computed from stored records: the text cut into plain and evidence
segments, why an item is queued, how long is left before its deadline. Pure functions, no I/O;
the templates escape every piece of text they print."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, Protocol

from interdiction.review.schemas import Action, NoticeKind
from interdiction.review.service import PRIORITY

# Why an item waits in the queue, by its priority (see PRIORITY in the review service).
_WHY = {
    NoticeKind.AUTHORITY_ORDER: "authority order",
    NoticeKind.TRUSTED_FLAGGER: "trusted flagger",
    NoticeKind.NOTICE: "notice",
    "flagged": "flagged",
}
QUEUE_REASON = {PRIORITY[kind]: label for kind, label in _WHY.items()}

# Decision actions as the form shows them, with the key that picks each one.
ACTIONS: list[tuple[Action, str, str]] = [
    (Action.REMOVE, "Remove", "r"),
    (Action.RESTRICT_VISIBILITY, "Restrict visibility", "v"),
    (Action.SUSPEND_ACCOUNT, "Suspend account", "s"),
    (Action.ESCALATE, "Escalate to law enforcement", "e"),
    (Action.NO_ACTION, "No action", "n"),
    (Action.NEEDS_INFO, "Needs more information", "i"),
]
ACTION_LABEL = {str(action): label for action, label, _ in ACTIONS}

# Evidence kinds, most telling first: a stretch covered by several detections is coloured by
# the first kind here that covers it.
_KIND_CLASS = {
    "substance": "substance",
    "analogue": "substance",
    "cas": "substance",
    "inchikey": "substance",
    "identifier": "identifier",
    "trade": "trade",
}
_CLASS_ORDER = ("substance", "identifier", "trade", "other")


class DetectionLike(Protocol):
    kind: str
    detector: str
    start: int
    end: int
    value: str | None
    attrs: dict[str, Any]


@dataclass(frozen=True)
class Segment:
    """A stretch of the text and the detections that cover all of it (none: plain text)."""

    text: str
    evidence: tuple[DetectionLike, ...] = ()

    @property
    def css(self) -> str:
        classes = {_KIND_CLASS.get(d.kind, "other") for d in self.evidence}
        main = next(c for c in _CLASS_ORDER if c in classes)
        weak = all(d.attrs.get("ignored") for d in self.evidence)
        return f"ev ev-{main}" + (" ev-weak" if weak else "")

    @property
    def title(self) -> str:
        return "; ".join(
            f"{d.kind}: {d.value or self.text} ({d.detector})"
            + (" — not counted" if d.attrs.get("ignored") else "")
            for d in self.evidence
        )


def highlight(text: str, detections: Iterable[DetectionLike]) -> list[Segment]:
    """Cut ``text`` at every evidence boundary. Overlapping detections (a word that is both a
    substance name and a trade signal) split the text into stretches covered by each set;
    spans outside the text are ignored rather than trusted."""
    spans = [d for d in detections if 0 <= d.start < d.end <= len(text)]
    cuts = sorted({0, len(text)} | {d.start for d in spans} | {d.end for d in spans})
    segments = []
    for start, end in pairwise(cuts):
        covering = tuple(d for d in spans if d.start <= start and d.end >= end)
        segments.append(Segment(text[start:end], covering))
    return segments


def time_left(due: datetime | None, now: datetime) -> tuple[str, str]:
    """The deadline as a reviewer reads it, and a CSS class: ("2 h 05 min left", "sla-ok")."""
    if due is None:
        return "—", "sla-none"
    remaining = due - now
    if remaining < timedelta(0):
        return f"overdue {_duration(-remaining)}", "sla-overdue"
    return f"{_duration(remaining)} left", "sla-soon" if remaining < timedelta(
        hours=2
    ) else "sla-ok"


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def substance_names(substances: Sequence[dict[str, Any]]) -> list[str]:
    return [s.get("name") or s.get("id", "?") for s in substances]


def controls(substance: dict[str, Any]) -> list[str]:
    """A substance's legal status as short lines: "UN-1961 schedule I (since 1964)"."""
    out = []
    for control in substance.get("controls") or []:
        line = f"{control.get('regime')} schedule {control.get('schedule')}"
        if control.get("since"):
            line += f" (since {control['since']})"
        out.append(line)
    return out


def safe_href(url: str | None) -> str | None:
    """Only web addresses become links: a stored URL never runs script in a reviewer's
    browser (``javascript:``) however it got into the store."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None
