"""A batch of texts joined into one buffer, so each engine makes one pass per batch, not per item.

Engines that work on bytes (hyperscan) get the UTF-8 of a view and map byte offsets back to
(item, character offset) here; the views are the same length as the original, so an offset in
any view is an offset in the original text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property

import numpy as np

from interdiction.text.normalize import (
    FOLD_TABLE,
    LEET_BYTES,
    LOWER_TABLE,
    translate,
    translate_points,
)

SEPARATOR = "\n"


class TextBatch:
    def __init__(self, texts: Sequence[str]):
        self.texts = list(texts)
        lengths = np.fromiter(map(len, self.texts), dtype=np.int64, count=len(self.texts))
        # start of each item in the joined buffer (one separator between items)
        self.starts = np.zeros(len(self.texts), dtype=np.int64)
        if len(self.texts) > 1:
            np.cumsum(lengths[:-1] + 1, out=self.starts[1:])
        self.ends = self.starts + lengths

    def __len__(self) -> int:
        return len(self.texts)

    @cached_property
    def joined(self) -> str:
        return SEPARATOR.join(self.texts)

    @cached_property
    def points(self) -> np.ndarray:
        """Code points of the joined buffer (UTF-32)."""
        return np.frombuffer(self.joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")

    @cached_property
    def lower(self) -> str:
        if self.joined.isascii():
            return translate(self.joined, LOWER_TABLE)
        return translate_points(self.points, LOWER_TABLE)

    @cached_property
    def fold(self) -> str:
        return translate(self.lower, FOLD_TABLE)

    def prepare(self) -> None:
        """Build the views' UTF-8 up front (the fold view's text is only made if asked for)."""
        for name in ("lower", "fold"):
            self.encoded(name)

    def view(self, name: str) -> str:
        if name not in ("joined", "lower", "fold"):
            raise ValueError(f"unknown view {name!r}")
        return getattr(self, name)

    def encoded(self, name: str) -> tuple[bytes, np.ndarray | None]:
        """UTF-8 of a view and, unless it is ASCII, the character index of every byte."""
        cache = self.__dict__.setdefault("_encoded", {})
        if name == "fold" and name not in cache:
            lower_data, char_of_byte = self.encoded("lower")
            cache[name] = (lower_data.translate(LEET_BYTES), char_of_byte)
        if name not in cache:
            text = self.view(name)
            data = text.encode("utf-8", "surrogatepass")
            char_of_byte = None
            if len(data) != len(text):
                raw = np.frombuffer(data, dtype=np.uint8)
                is_start = (raw & 0xC0) != 0x80
                char_of_byte = np.cumsum(is_start, dtype=np.int32)
                char_of_byte -= 1  # in place: a second array of the view's size costs as much
            cache[name] = (data, char_of_byte)
        return cache[name]

    def to_chars(
        self, view: str, hits: np.ndarray | Sequence[tuple[int, int, int]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pattern ids, start, end) as arrays of character offsets in the joined buffer, from
        rows (pattern id, byte start, byte end) in the view's UTF-8."""
        _, char_of_byte = self.encoded(view)
        rows = np.asarray(hits, np.int64).reshape(-1, 3)
        ids, b_start, b_end = rows[:, 0], rows[:, 1], rows[:, 2]
        if char_of_byte is None or not len(rows):
            return ids, b_start, b_end
        c_start = char_of_byte[np.minimum(b_start, len(char_of_byte) - 1)]
        c_end = char_of_byte[b_end - 1] + 1
        return ids, c_start, c_end

    def to_items(
        self, ids: np.ndarray, c_start: np.ndarray, c_end: np.ndarray, *columns: np.ndarray
    ) -> Iterator[tuple]:
        """(id, item, start, end) relative to the item, followed by the match's value in each of
        ``columns`` (arrays aligned with ``ids``); matches crossing items are dropped."""
        if not len(ids):
            return
        items = np.searchsorted(self.starts, c_end - 1, side="right") - 1
        rel_start = c_start - self.starts[items]
        rel_end = c_end - self.starts[items]
        # a pattern's leading boundary may take the separator before the item: clamp, not drop
        inside = rel_end <= (self.ends[items] - self.starts[items])
        yield from zip(
            ids[inside].tolist(),
            items[inside].tolist(),
            np.maximum(rel_start[inside], 0).tolist(),
            rel_end[inside].tolist(),
            *(column[inside].tolist() for column in columns),
            strict=True,
        )

    def char_types_at(self, offsets: np.ndarray) -> np.ndarray:
        """Character class at joined-buffer offsets: 1 letter, 2 digit, 0 other (also past the
        end). Only the characters asked about are classified, not the whole buffer."""
        points = self.points
        inside = offsets < len(points)
        at = points[np.where(inside, offsets, 0)]
        kinds = _BMP_CHAR_TYPES[np.minimum(at, 0xFFFF)]
        astral = np.flatnonzero(at > 0xFFFF)  # emoji and rare scripts: one by one
        if len(astral):
            kinds[astral] = [_char_type(chr(p)) for p in at[astral].tolist()]
        kinds[~inside] = 0
        return kinds


def _char_type(ch: str) -> int:
    return 1 if ch.isalpha() else 2 if ch.isdigit() else 0


_BMP_CHAR_TYPES = np.fromiter(map(_char_type, map(chr, range(0x10000))), np.uint8, 0x10000)
