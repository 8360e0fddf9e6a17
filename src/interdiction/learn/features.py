"""Features that generalise across sources and languages.

Two blocks side by side: hashed character n-grams of the lower view of the text (no vocabulary
to fit, so they are the same for any corpus and any language), and a small dense block built
from the core detectors' findings (substance hits by KB class, trade and context signals,
identifier types, chemical identifiers, the rules' own verdict).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from interdiction.detect import identifiers, trade
from interdiction.model import Assessment, Label
from interdiction.pipeline.screen import Screener
from interdiction.text.normalize import lower_view

DEFAULT_HASH_BITS = 19  # 2**19 weights: 2 MB of float32, few collisions for short texts
DEFAULT_NGRAMS = (2, 5)
CHEMICAL_KINDS = ("cas", "analogue", "inchikey")


def detector_vocabulary(screener: Screener) -> tuple[str, ...]:
    """Names of the dense detector features, fixed when a model is trained."""
    classes = sorted({s.substance_class for s in screener.kb.substances.values()})
    signals = sorted({f"{s.kind}:{s.category}" for s in trade.SIGNALS})
    return (
        *(f"substance:{c}" for c in classes),
        *(f"substance-weak:{c}" for c in classes),
        "substance:obfuscated",
        *signals,
        *(f"identifier:{t}" for t in identifiers.TYPES),
        *CHEMICAL_KINDS,
        "rules:risk",
        "rules:offer",
        "rules:mention",
    )


@dataclass(frozen=True)
class FeatureSpec:
    """How texts become features; saved with a model so it sees texts the same way."""

    hash_bits: int
    ngram_range: tuple[int, int]
    detector_features: tuple[str, ...]

    @property
    def size(self) -> int:
        return 2**self.hash_bits + len(self.detector_features)


class FeatureBuilder:
    def __init__(self, spec: FeatureSpec, screener: Screener):
        self.spec = spec
        self.screener = screener
        self.index = {name: i for i, name in enumerate(spec.detector_features)}
        self.ngrams = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=spec.ngram_range,
            n_features=2**spec.hash_bits,
            alternate_sign=False,
            norm="l2",
            dtype=np.float32,
        )

    @classmethod
    def default(cls, screener: Screener) -> FeatureBuilder:
        spec = FeatureSpec(DEFAULT_HASH_BITS, DEFAULT_NGRAMS, detector_vocabulary(screener))
        return cls(spec, screener)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """One row per text: n-grams, then detector features."""
        ngrams = self.ngrams.transform([lower_view(t) for t in texts])
        detected = self._detector_block(self.screener.screen(texts, explain_all=True))
        return sp.hstack([ngrams, detected], format="csr", dtype=np.float32)

    def _detector_block(self, assessments: list[Assessment]) -> sp.csr_matrix:
        block = np.zeros((len(assessments), len(self.index)), dtype=np.float32)
        for row, assessment in enumerate(assessments):
            counts = self._counts(assessment)
            for name, count in counts.items():
                column = self.index.get(name)
                if column is not None:  # a class or signal added to the KB after training
                    block[row, column] = math.log1p(count)  # 1 hit matters, the 9th barely
            block[row, self.index["rules:risk"]] = assessment.risk
            block[row, self.index["rules:offer"]] = assessment.label == Label.OFFER
            block[row, self.index["rules:mention"]] = assessment.label == Label.MENTION
        return sp.csr_matrix(block)

    def _counts(self, assessment: Assessment) -> dict[str, int]:
        counts: dict[str, int] = {}

        def add(name: str) -> None:
            counts[name] = counts.get(name, 0) + 1

        for det in assessment.detections:
            if det.kind == "substance":
                substance = self.screener.kb.get(det.value or "")
                if substance is None:
                    continue
                weak = det.attrs.get("match") == "weak"
                add(f"substance{'-weak' if weak else ''}:{substance.substance_class}")
                if det.attrs.get("obfuscation"):
                    add("substance:obfuscated")
            elif det.kind in ("trade", "solicitation", "context"):
                add(f"{det.kind}:{det.value}")
            elif det.kind == "identifier":
                add(f"identifier:{det.attrs.get('type')}")
            elif det.kind in CHEMICAL_KINDS:
                add(det.kind)
        return counts
