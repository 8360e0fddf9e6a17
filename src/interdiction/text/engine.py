"""Linear-time multi-pattern matching (hyperscan) over a whole batch in one pass.

Every pattern a partner or curator can supply runs here, never on a backtracking engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from importlib.metadata import version

import hyperscan
import numpy as np

from interdiction.kb.cache import BytesCache
from interdiction.text.batch import TextBatch

UTF8 = hyperscan.HS_FLAG_UTF8  # ASCII \b stays usable; UCP would reject it
SOM = hyperscan.HS_FLAG_SOM_LEFTMOST
MULTILINE = hyperscan.HS_FLAG_MULTILINE


class PatternError(ValueError):
    """A pattern cannot be compiled; the message names it."""


class PatternSet:
    """A compiled set of literals or regexes, scanned over one view of a batch at a time."""

    def __init__(
        self,
        patterns: Sequence[bytes],
        flags: int | Sequence[int] = 0,
        literal: bool = False,
        cache: BytesCache | None = None,  # compiling 30,000 names takes ~0.5 s
    ):
        self.size = len(patterns)
        self._db = None
        # literals have no start-of-match report; their start is end minus their byte length
        self._lengths = np.array([len(p) for p in patterns], np.int64) if literal else None
        if not patterns:
            return
        if isinstance(flags, int):
            flags = [flags] * len(patterns)
        key = _cache_key(patterns, flags, literal) if cache is not None else ""
        stored = cache.get(key) if cache is not None else None
        db = None
        if stored is not None:
            try:
                db = hyperscan.loadb(stored, hyperscan.HS_MODE_BLOCK)
            except hyperscan.error:
                db = None  # a stale or damaged entry: compile afresh
        if db is None:
            db = self._compile(patterns, flags, literal)
            if cache is not None:
                cache.put(key, hyperscan.dumpb(db))
        self._db = db
        self._scratch = hyperscan.Scratch(db)

    @staticmethod
    def _compile(patterns: Sequence[bytes], flags: Sequence[int], literal: bool):
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            db.compile(
                expressions=list(patterns),
                ids=list(range(len(patterns))),
                elements=len(patterns),
                flags=list(flags),
                literal=literal,
            )
        except hyperscan.error as exc:
            raise PatternError(f"cannot compile pattern set: {exc}") from exc
        return db

    def scan(self, batch: TextBatch, view: str) -> Iterator[tuple[int, int, int, int]]:
        """(pattern index, item, start, end) for every match, offsets in item characters.

        ``start`` is exact for literals and for regexes compiled with SOM.
        """
        return batch.to_items(*self.scan_chars(batch, view))

    def scan_chars(self, batch: TextBatch, view: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arrays (pattern index, start, end) in characters of the joined buffer, so callers
        can filter matches with numpy before any per-match Python runs."""
        if self._db is None:
            return batch.to_chars(view, [])
        data, _ = batch.encoded(view)
        # The callback runs once per match (a million per million messages): it only appends
        # to a flat list, and numpy does the rest.
        flat: list[int] = []
        extend = flat.extend
        self._db.scan(
            data,
            match_event_handler=lambda pattern_id, start, end, flags, context: extend(
                (pattern_id, start, end)
            ),
            scratch=self._scratch,
        )
        hits = np.array(flat, np.int64).reshape(-1, 3)
        if self._lengths is not None:
            hits[:, 1] = hits[:, 2] - self._lengths[hits[:, 0]]
        return batch.to_chars(view, hits)


def _cache_key(patterns: Sequence[bytes], flags: Sequence[int], literal: bool) -> str:
    digest = hashlib.sha256(f"hyperscan {version('hyperscan')} literal={literal}".encode())
    for pattern, flag in zip(patterns, flags, strict=True):
        digest.update(flag.to_bytes(4, "little") + len(pattern).to_bytes(4, "little") + pattern)
    return digest.hexdigest()
