"""Features that generalise across sources and languages, from what the scan already has.

Two blocks side by side:

- **n-grams**: hashed character 2-5-grams of the lower view of the text (case, width, accents
  and look-alike letters folded), taken inside words (a word is padded with one space on each
  side, as scikit-learn's ``char_wb`` does). No vocabulary to fit, so they are the same for any
  corpus and any language. Each occurrence counts 1/sqrt(n-grams in the text). The hashing is
  this module's own (a polynomial hash of code points, finalised with splitmix64), vectorised
  with numpy over a whole batch, so scoring needs neither scikit-learn nor a Python loop per
  n-gram, and gives the same numbers in every process.
- **detectors**: a small dense block built from the Detection lists the Screener already
  computed (substance hits by KB class, trade, solicitation and context signals, identifier
  types, chemical identifiers) and from the rules' verdict on them (risk, something named,
  listing shape). Detectors never run twice to build features.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from interdiction.detect import identifiers, trade
from interdiction.kb import KnowledgeBase
from interdiction.model import Assessment, Detection, Label
from interdiction.text.normalize import lower_view

NGRAM_HASH = "poly-splitmix64-v1"
DEFAULT_HASH_BITS = 19  # 2**19 weights: 2 MB of float32, few collisions for short texts
DEFAULT_NGRAMS = (2, 5)
CHEMICAL_KINDS = ("cas", "analogue", "inchikey")
LISTING_REASON = "shaped like a market listing"
_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LENGTH_SALT = np.uint64(0x9E3779B97F4A7C15)
# Code points that separate words (the ASCII ones, NEL, no-break and the Unicode spaces).
_SPACES = np.array(
    [*range(0, 33), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F,
     0x205F, 0x3000],
    dtype=np.uint32,
)  # fmt: skip


def detector_vocabulary(kb: KnowledgeBase) -> tuple[str, ...]:
    """Names of the dense detector features, fixed when a model is trained."""
    classes = sorted({s.substance_class for s in kb.substances.values()})
    signals = sorted({f"{s.kind}:{s.category}" for s in trade.SIGNALS})
    return (
        *(f"substance:{c}" for c in classes),
        *(f"substance-weak:{c}" for c in classes),
        "substance:obfuscated",
        "substance:everyday-phrase",
        *signals,
        *(f"identifier:{t}" for t in identifiers.TYPES),
        *CHEMICAL_KINDS,
        "rules:risk",
        "rules:named",
        "rules:listing",
        "words",
    )


@dataclass(frozen=True)
class FeatureSpec:
    """How texts become features; saved with a model so it sees texts the same way."""

    hash_bits: int
    ngram_range: tuple[int, int]
    detector_features: tuple[str, ...]
    ngram_hash: str = NGRAM_HASH

    @property
    def size(self) -> int:
        return 2**self.hash_bits + len(self.detector_features)


def _mix(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(30))
    h = h * _MIX1
    h = h ^ (h >> np.uint64(27))
    h = h * _MIX2
    return h ^ (h >> np.uint64(31))


def ngram_hashes(
    texts: Sequence[str], bits: int, ngram_range: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every n-gram occurrence of every text as (row, bucket), and the count per row.

    The texts are lower-folded, padded with a space on each side and concatenated; an n-gram
    is kept when it lies inside one padded text and has no space inside it (its first and last
    character may be spaces: word edges), so it never spans two words or two texts.
    """
    rows_out = np.zeros(len(texts), dtype=np.int64)
    if not texts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, rows_out
    low, high = ngram_range
    joined = lower_view(" " + "  ".join(texts) + " ")
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    space = np.isin(points, _SPACES)
    codes = np.where(space, np.uint32(32), points).astype(np.uint64)
    size = len(codes)
    lengths = np.fromiter((len(t) + 2 for t in texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(lengths)  # end (exclusive) of each padded text in the buffer
    row_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    end_of = ends[row_of]
    spaces_before = np.concatenate(([0], np.cumsum(space, dtype=np.int64)))  # spaces in [0, i)
    positions = np.arange(size, dtype=np.int64)
    rows_parts, buckets_parts = [], []
    h = np.zeros(size, dtype=np.uint64)
    shift = np.uint64(64 - bits)
    with np.errstate(over="ignore"):
        for n in range(1, high + 1):
            # h[i] = hash of points[i : i + n]; positions past the end hold garbage, masked below
            h[: size - n + 1] = h[: size - n + 1] * _PRIME + codes[n - 1 :]
            if n < low:
                continue
            starts = positions[: size - n + 1]
            keep = starts + n <= end_of[: size - n + 1]
            if n == 2:
                keep &= ~(space[: size - 1] & space[1:])
            else:  # nothing but letters between the first and the last character
                keep &= spaces_before[starts + n - 1] == spaces_before[starts + 1]
            chosen = np.flatnonzero(keep)
            salted = h[chosen] ^ (np.uint64(n) * _LENGTH_SALT)
            buckets_parts.append((_mix(salted) >> shift).astype(np.int64))
            rows_parts.append(row_of[chosen])
    rows = np.concatenate(rows_parts)
    buckets = np.concatenate(buckets_parts)
    counts = np.bincount(rows, minlength=len(texts))
    return rows, buckets, counts


def ngram_strings(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """The n-grams of one text as strings, in the order and by the rule ``ngram_hashes`` uses
    (for explanations: which n-grams a verdict rests on)."""
    low, high = ngram_range
    padded = " " + " ".join(lower_view(text).split()) + " "
    out = []
    for n in range(low, high + 1):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            if gram.strip() and " " not in gram[1:-1]:
                out.append(gram)
    return out


def ngram_buckets(grams: Sequence[str], bits: int) -> list[int]:
    """The buckets of n-gram strings as ``ngram_hashes`` computes them (for explanations)."""
    mask = (1 << 64) - 1
    out = []
    for gram in grams:
        h = 0
        for char in gram:
            h = (h * int(_PRIME) + (32 if char.isspace() else ord(char))) & mask
        h ^= (len(gram) * int(_LENGTH_SALT)) & mask
        h ^= h >> 30
        h = (h * int(_MIX1)) & mask
        h ^= h >> 27
        h = (h * int(_MIX2)) & mask
        h ^= h >> 31
        out.append(h >> (64 - bits))
    return out


class FeatureBuilder:
    def __init__(self, spec: FeatureSpec, kb: KnowledgeBase):
        self.spec = spec
        self.kb = kb
        self.index = {name: i for i, name in enumerate(spec.detector_features)}
        self._class_of = {s.id: s.substance_class for s in kb.substances.values()}

    @classmethod
    def default(cls, kb: KnowledgeBase) -> FeatureBuilder:
        return cls(FeatureSpec(DEFAULT_HASH_BITS, DEFAULT_NGRAMS, detector_vocabulary(kb)), kb)

    # ------------------------------------------------------------------ the n-gram block
    def ngram_matrix(self, texts: Sequence[str]):
        """Sparse (texts x 2**hash_bits) matrix: occurrences / sqrt(n-grams of the text)."""
        import scipy.sparse as sp  # training and evaluation only: scanning needs no scipy

        rows, buckets, counts = ngram_hashes(texts, self.spec.hash_bits, self.spec.ngram_range)
        values = (1.0 / np.sqrt(np.maximum(counts, 1)))[rows].astype(np.float32)
        matrix = sp.csr_matrix(
            (values, (rows, buckets)), shape=(len(texts), 2**self.spec.hash_bits),
            dtype=np.float32,
        )  # fmt: skip
        matrix.sum_duplicates()
        return matrix

    def ngram_scores(self, texts: Sequence[str], weights: np.ndarray) -> np.ndarray:
        """The n-gram block's part of a linear score, without building the matrix."""
        rows, buckets, counts = ngram_hashes(texts, self.spec.hash_bits, self.spec.ngram_range)
        sums = np.bincount(rows, weights=weights[buckets], minlength=len(texts))
        return sums / np.sqrt(np.maximum(counts, 1))

    # ------------------------------------------------------------------ the detector block
    def detector_block(
        self,
        texts: Sequence[str],
        detections: Sequence[list[Detection]],
        rules: Sequence[Assessment | None],
    ) -> np.ndarray:
        """Dense (texts x detector features) block from the scan's own findings.

        ``rules`` holds the rules' assessment of each item, or None where the rules gave none
        (nothing named: their risk is 0 then, and so is every rules feature).
        """
        block = np.zeros((len(detections), len(self.index)), dtype=np.float32)
        index = self.index
        for row, (text, dets, verdict) in enumerate(zip(texts, detections, rules, strict=True)):
            for name, count in self._counts(dets).items():
                column = index.get(name)
                if column is not None:  # a class or signal added to the KB after training
                    block[row, column] = math.log1p(count)  # 1 hit matters, the 9th barely
            block[row, index["words"]] = math.log1p(len(text.split())) / 4.0
            if verdict is not None:
                block[row, index["rules:risk"]] = verdict.risk
                block[row, index["rules:named"]] = verdict.label != Label.NONE
                block[row, index["rules:listing"]] = any(
                    r.startswith(LISTING_REASON) for r in verdict.reasons
                )
        return block

    def _counts(self, detections: list[Detection]) -> dict[str, int]:
        counts: dict[str, int] = {}

        def add(name: str) -> None:
            counts[name] = counts.get(name, 0) + 1

        for det in detections:
            kind = det.kind
            if kind == "substance":
                substance_class = self._class_of.get(det.value or "")
                if substance_class is None:
                    continue
                if det.attrs.get("ignored") and det.attrs.get("match") != "weak":
                    add("substance:everyday-phrase")
                    continue
                weak = det.attrs.get("match") == "weak"
                add(f"substance{'-weak' if weak else ''}:{substance_class}")
                if det.attrs.get("obfuscation"):
                    add("substance:obfuscated")
            elif kind in ("trade", "solicitation", "context"):
                add(f"{kind}:{det.value}")
            elif kind == "identifier":
                add(f"identifier:{det.attrs.get('type')}")
            elif kind in CHEMICAL_KINDS:
                add(kind)
        return counts

    # ------------------------------------------------------------------ both
    def transform(
        self,
        texts: Sequence[str],
        detections: Sequence[list[Detection]],
        rules: Sequence[Assessment | None],
    ):
        """One sparse row per text: n-grams, then detector features."""
        import scipy.sparse as sp

        dense = sp.csr_matrix(self.detector_block(texts, detections, rules))
        return sp.hstack([self.ngram_matrix(texts), dense], format="csr", dtype=np.float32)

    def scores(
        self,
        texts: Sequence[str],
        detections: Sequence[list[Detection]],
        rules: Sequence[Assessment | None],
        weights: np.ndarray,
        intercept: float,
    ) -> np.ndarray:
        """The linear score ``transform(...) @ weights + intercept``, computed without scipy."""
        split = 2**self.spec.hash_bits
        dense = self.detector_block(texts, detections, rules) @ weights[split:]
        return self.ngram_scores(texts, weights[:split]) + dense.astype(np.float64) + intercept
