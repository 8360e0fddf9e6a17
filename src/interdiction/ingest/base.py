"""Readers turn a source into batches of items, reporting every item they cannot use.

A reader is one class behind one interface, registered as an entry point in the
``interdiction.readers`` group, with example inputs run by the shared conformance test.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from interdiction.plugins import load_plugins

ENTRY_POINT_GROUP = "interdiction.readers"
DEFAULT_MAX_ITEM_BYTES = 1_000_000
DEFAULT_BATCH_SIZE = 16_384


class InputError(Exception):
    """The input as a whole is unusable (missing, binary, empty, wrong format): exit code 2."""


@dataclass(frozen=True, slots=True)
class ItemError:
    """One item that could not be read; ``line`` is 1-based (the row number for Parquet)."""

    line: int
    message: str
    item_id: str | None = None


@dataclass
class ReadOptions:
    text_fields: tuple[str, ...] = ("text",)
    id_field: str = "id"
    max_item_bytes: int = DEFAULT_MAX_ITEM_BYTES
    batch_size: int = DEFAULT_BATCH_SIZE


@dataclass
class InputBatch:
    """Items read from one stretch of the input, in input order.

    ``extra`` holds the item's other fields: one dict per item, or, for columnar sources,
    an Arrow table with one row per item (kept columnar so it passes through untouched).
    """

    ids: list[str]
    texts: list[str]
    lines: list[int]
    extra: Any = None
    errors: list[ItemError] = field(default_factory=list)
    bytes_read: int = 0  # position in the input after this batch, for progress


@dataclass(frozen=True)
class ReaderExample:
    """A small input and what the reader must make of it (for the conformance test)."""

    content: bytes
    ids: tuple[str, ...]
    texts: tuple[str, ...]
    error_lines: tuple[int, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)


class Reader(ABC):
    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]
    examples: ClassVar[tuple[ReaderExample, ...]] = ()

    def __init__(self, options: ReadOptions):
        self.options = options

    @abstractmethod
    def read(self, stream: BinaryIO) -> Iterator[InputBatch]:
        """Batches of items; unusable items are reported in ``errors``, never dropped."""

    def text_of(self, record: dict, line: int) -> str | ItemError:
        """The item text from its text field(s), joined by a newline, or why there is none."""
        parts = []
        for name in self.options.text_fields:
            value = record.get(name)
            if value is None:
                continue
            if not isinstance(value, str):
                return ItemError(line, f"field {name!r} is {type(value).__name__}, not text")
            parts.append(value)
        if not parts:
            wanted = ", ".join(repr(f) for f in self.options.text_fields)
            return ItemError(line, f"no text field ({wanted}) in this item")
        text = "\n".join(parts)
        return self.check_text(text, line)

    def check_text(self, text: str, line: int) -> str | ItemError:
        if not text.strip():
            return ItemError(line, "empty text")
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > self.options.max_item_bytes:
            return ItemError(
                line,
                f"item is {size / 1e6:.1f} MB, over the {self.options.max_item_bytes / 1e6:g} MB "
                "limit (--max-item-bytes)",
            )
        return text


def available_readers() -> dict[str, type[Reader]]:
    """Installed reader classes by name."""
    return load_plugins(ENTRY_POINT_GROUP, "reader")


def reader_for(path: str, format_name: str | None, options: ReadOptions) -> Reader:
    """The reader named by ``format_name``, else the one whose extension fits the path."""
    readers = available_readers()
    if format_name:
        if format_name not in readers:
            raise InputError(f"unknown input format {format_name!r}; known: {sorted(readers)}")
        return readers[format_name](options)
    if path == "-":
        return readers["jsonl"](options)
    suffix = Path(path).suffix.lower()
    for cls in readers.values():
        if suffix in cls.extensions:
            return cls(options)
    return readers["text"](options)
