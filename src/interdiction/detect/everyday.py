"""Everyday phrases that hold a drug word in its ordinary meaning ("weed killer", "Coke Zero").

The detector marks them as context; the scorer then leaves any substance or trade signal inside
such a span uncounted (and says so), so "snow boots for sale" is not read as cocaine.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files

from interdiction.detect.base import Detector, DetectorContext, Example, Findings
from interdiction.model import Detection
from interdiction.text.batch import TextBatch
from interdiction.text.engine import PatternSet
from interdiction.text.normalize import fold_name

PHRASES_FILE = "data/everyday_phrases.txt"


def load_phrases() -> list[str]:
    text = files("interdiction.detect").joinpath(PHRASES_FILE).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


class EverydayPhraseDetector(Detector):
    name = "everyday"
    finds = ("context",)
    examples = (
        Example("Weed killer for the patio", finds=(("context", "everyday"),)),
        Example("2 x Coke Zero 330ml", finds=(("context", "everyday"),)),
        Example("Snow boots size 8, £40", finds=(("context", "everyday"),)),
        Example("selling weed, dm me", absent=("*",)),
    )

    def __init__(self, context: DetectorContext):
        super().__init__(context)
        self.phrases = sorted({fold_name(p) for p in load_phrases()})
        self._patterns = PatternSet(
            [p.encode() for p in self.phrases], literal=True, cache=context.pattern_cache
        )

    def detect(self, batch: TextBatch) -> list[Sequence[Detection]]:
        found = Findings(len(batch))
        for _, item, start, end in self._patterns.scan(batch, "fold"):
            text = batch.texts[item]
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if before.isalnum() or after.isalnum():
                continue
            found[item].append(
                Detection(self.name, "context", start, end, text[start:end], "everyday", 0.0)
            )
        return found.as_lists()
