"""Every reader, through its own examples: items in order, bad items reported with line numbers."""

from __future__ import annotations

import io

import pytest

from interdiction.ingest.base import ReadOptions, available_readers

CASES = [
    (name, index) for name, cls in available_readers().items() for index in range(len(cls.examples))
]


def test_builtin_readers_installed():
    assert {"jsonl", "csv", "parquet", "text"} <= set(available_readers())


@pytest.mark.parametrize(("name", "index"), CASES)
def test_reader_example(name, index):
    cls = available_readers()[name]
    example = cls.examples[index]
    options = ReadOptions(**example.options) if example.options else ReadOptions()
    batches = list(cls(options).read(io.BytesIO(example.content)))
    ids = [i for b in batches for i in b.ids]
    texts = [t for b in batches for t in b.texts]
    errors = [e.line for b in batches for e in b.errors]
    assert tuple(ids) == example.ids
    assert tuple(texts) == example.texts
    assert tuple(errors) == example.error_lines


@pytest.mark.parametrize("name", ["jsonl", "csv", "text"])
def test_small_batches_keep_every_item(name):
    cls = available_readers()[name]
    example = cls.examples[0]
    whole = list(cls(ReadOptions()).read(io.BytesIO(example.content)))
    tiny = list(cls(ReadOptions(batch_size=1)).read(io.BytesIO(example.content)))
    assert [i for b in whole for i in b.ids] == [i for b in tiny for i in b.ids]
