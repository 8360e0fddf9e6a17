"""Stream inputs through a Screener into a Sink, batch by batch, with bounded memory."""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from interdiction.ingest.base import InputBatch, InputError, ItemError, ReadOptions, reader_for
from interdiction.pipeline.output import Sink
from interdiction.pipeline.screen import Screener
from interdiction.score.rules import NOTHING_FOUND

MAX_ERRORS_KEPT = 1000  # the first ones are kept for the summary; all are counted and rejected
GC_THRESHOLD = 50_000  # allocations between young-generation collections while scanning
# glibc's mallopt parameters (malloc.h) and what keep_freed_memory sets them to
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
HEAP_BLOCK_LIMIT = 32 << 20  # larger blocks are mapped on their own (glibc's maximum)
FREED_HEAP_KEPT = 256 << 20  # freed heap above this is returned to the system


class ItemsRejected(Exception):
    """An item could not be read and --on-error is fail."""

    def __init__(self, source: str, error: ItemError):
        super().__init__(f"{source}: line {error.line}: {error.message}")
        self.error = error


@dataclass
class ScanSummary:
    items: int = 0
    flagged: int = 0
    labels: dict[str, int] = field(default_factory=lambda: {"offer": 0, "mention": 0, "none": 0})
    skipped: int = 0
    errors: list[tuple[str, ItemError]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _open(path: str):
    if path == "-":
        return sys.stdin.buffer
    file = Path(path)
    if not file.exists():
        raise InputError(f"{path}: no such file")
    if file.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    if file.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    return file.open("rb")


def scan(
    inputs: Iterable[str],
    screener: Screener,
    sink: Sink,
    options: ReadOptions,
    input_format: str | None = None,
    on_error: str = "skip",
    progress: Callable[[str, int, int], None] | None = None,
    on_reject: Callable[[str, ItemError], None] | None = None,
) -> ScanSummary:
    """Screen every item of every input; returns counts, skipped items and stage times."""
    summary = ScanSummary()
    timing = {"read": 0.0, "write": 0.0}
    with _fewer_collections():
        for path in inputs:
            reader = reader_for(path, input_format, options)
            stream = _open(path)
            try:
                batches = _named(path, reader.read(stream))
                while True:
                    started = time.perf_counter()
                    batch = next(batches, None)
                    timing["read"] += time.perf_counter() - started
                    if batch is None:
                        break
                    _take_errors(path, batch, summary, on_error, on_reject)
                    if batch.ids:
                        assessments = screener.screen(batch.texts)
                        started = time.perf_counter()
                        sink.write(batch, assessments)
                        timing["write"] += time.perf_counter() - started
                        _count(assessments, summary)
                    if progress:
                        progress(path, batch.bytes_read, summary.items)
            finally:
                if stream is not sys.stdin.buffer:
                    stream.close()
    started = time.perf_counter()
    sink.close()
    timing["write"] += time.perf_counter() - started
    summary.seconds = {**timing, **screener.timings}
    return summary


def keep_freed_memory() -> None:
    """Let the allocator give the next batch the memory the last one freed (process-wide).

    A batch's joined texts, views and arrays are tens of megabytes, in blocks of a few each.
    By default glibc maps each such block afresh and hands the freed top of its heap back to
    the system, so every batch paid again for zeroed pages: some 300,000 page faults per
    million items, a tenth of a scan's time. Blocks up to HEAP_BLOCK_LIMIT now come from the
    heap, which keeps up to FREED_HEAP_KEPT of freed memory: the peak resident size is the
    same. Other C libraries keep their own ways.
    """
    try:
        glibc = (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # no confstr, or no such name here
        glibc = False
    if glibc:
        mallopt = ctypes.CDLL(None).mallopt
        mallopt(_M_MMAP_THRESHOLD, HEAP_BLOCK_LIMIT)
        mallopt(_M_TRIM_THRESHOLD, FREED_HEAP_KEPT)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """A batch allocates hundreds of thousands of objects that reference counting frees: at
    Python's default threshold (700) the cycle collector would run over a thousand times per
    million items (some 5 % of a scan) and find no cycles. It runs every GC_THRESHOLD here."""
    previous = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _named(path: str, batches: Iterator[InputBatch]) -> Iterator[InputBatch]:
    """Batches of one input; an unusable input names itself (several may be given)."""
    try:
        yield from batches
    except InputError as exc:
        message = str(exc)
        raise InputError(
            message if message.startswith(f"{path}:") else f"{path}: {message}"
        ) from exc


def _take_errors(
    path: str,
    batch: InputBatch,
    summary: ScanSummary,
    on_error: str,
    on_reject: Callable[[str, ItemError], None] | None,
) -> None:
    for error in batch.errors:
        if on_error == "fail":
            raise ItemsRejected(path, error)
        summary.skipped += 1
        if on_reject is not None:
            on_reject(path, error)  # every one, as it comes: the summary keeps only the first
        if len(summary.errors) < MAX_ERRORS_KEPT:
            summary.errors.append((path, error))


def _count(assessments, summary: ScanSummary) -> None:
    summary.items += len(assessments)
    found = [a for a in assessments if a is not NOTHING_FOUND]
    summary.labels["none"] += len(assessments) - len(found)
    for assessment in found:
        summary.labels[str(assessment.label)] += 1
    summary.flagged = summary.labels["offer"]
