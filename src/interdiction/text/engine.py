"""Linear-time multi-pattern matching (hyperscan) over a whole batch in one pass.

Every pattern a partner or curator can supply runs here, never on a backtracking engine.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import hyperscan

from interdiction.text.batch import TextBatch

CASELESS = hyperscan.HS_FLAG_CASELESS
UTF8 = hyperscan.HS_FLAG_UTF8  # ASCII \b stays usable; UCP would reject it
SOM = hyperscan.HS_FLAG_SOM_LEFTMOST
SINGLEMATCH = hyperscan.HS_FLAG_SINGLEMATCH


class PatternError(ValueError):
    """A pattern cannot be compiled; the message names it."""


class PatternSet:
    """A compiled set of literals or regexes, scanned over one view of a batch at a time."""

    def __init__(
        self,
        patterns: Sequence[bytes],
        flags: int | Sequence[int] = 0,
        literal: bool = False,
    ):
        self.size = len(patterns)
        self._db = None
        # literals have no start-of-match report; their start is end minus their byte length
        self._lengths = [len(p) for p in patterns] if literal else None
        if not patterns:
            return
        if isinstance(flags, int):
            flags = [flags] * len(patterns)
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
        self._db = db
        self._scratch = hyperscan.Scratch(db)

    def scan(self, batch: TextBatch, view: str) -> Iterator[tuple[int, int, int, int]]:
        """(pattern index, item, start, end) for every match, offsets in item characters.

        ``start`` is exact for literals and for regexes compiled with SOM.
        """
        if self._db is None:
            return iter(())
        data, _ = batch.encoded(view)
        hits: list[tuple[int, int, int]] = []

        lengths = self._lengths

        def on_match(pattern_id: int, start: int, end: int, flags: int, context: object) -> None:
            hits.append((pattern_id, end - lengths[pattern_id] if lengths else start, end))

        self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
        return batch.locate(view, hits)
