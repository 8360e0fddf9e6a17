"""Reader edge cases: nulls, oversized and odd items, ragged rows, TSV, byte limits, and batch
boundaries that must never drop or duplicate an item (checked over many batch sizes)."""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from interdiction.ingest.base import InputBatch, InputError, ReadOptions, reader_for
from interdiction.ingest.readers import CsvReader, JsonlReader, ParquetReader, TextReader

BOM = "\ufeff".encode()


@dataclass
class Read:
    ids: list[str]
    texts: list[str]
    lines: list[int]
    errors: list[tuple[int, str, str | None]]  # (line, message, id)
    extra: list[dict] = field(default_factory=list)
    batches: list[InputBatch] = field(default_factory=list)


def read_all(reader, stream) -> Read:
    batches = list(reader.read(stream))
    extra: list[dict] = []
    for b in batches:
        extra.extend(b.extra.to_pylist() if isinstance(b.extra, pa.Table) else b.extra or [])
    return Read(
        ids=[i for b in batches for i in b.ids],
        texts=[t for b in batches for t in b.texts],
        lines=[n for b in batches for n in b.lines],
        errors=[(e.line, e.message, e.item_id) for b in batches for e in b.errors],
        extra=extra,
        batches=batches,
    )


def parquet_bytes(table: pa.Table, row_group_size: int | None = None) -> io.BytesIO:
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=row_group_size)
    sink.seek(0)
    return sink


# --------------------------------------------------------------------------- Parquet


def test_parquet_null_text_is_reported_with_its_row_and_id():
    table = pa.table(
        {"id": ["a", "b", "c", "d"], "text": ["first", None, "third", ""], "n": [1, 2, 3, 4]}
    )
    got = read_all(ParquetReader(ReadOptions()), parquet_bytes(table))
    assert got.ids == ["a", "c"]
    assert got.texts == ["first", "third"]
    assert got.lines == [1, 3]
    assert [(line, item_id) for line, _, item_id in got.errors] == [(2, "b"), (4, "d")]
    assert got.extra == [{"n": 1}, {"n": 3}]  # other columns stay aligned with kept rows


def test_parquet_oversized_text_is_reported_and_the_limit_counts_utf8_bytes():
    texts = ["a" * 100, "a" * 101, "é" * 50, "é" * 51, "ok"]  # é is two bytes
    table = pa.table({"id": ["1", "2", "3", "4", "5"], "text": texts})
    got = read_all(ParquetReader(ReadOptions(max_item_bytes=100)), parquet_bytes(table))
    assert got.ids == ["1", "3", "5"]
    assert [(line, item_id) for line, _, item_id in got.errors] == [(2, "2"), (4, "4")]
    assert all("limit" in message for _, message, _ in got.errors)


def test_parquet_integer_ids_become_strings_and_columns_keep_their_types():
    table = pa.table(
        {
            "id": pa.array([10, 20, 30_000_000_000], pa.int64()),
            "text": ["x y", "y z", "z w"],
            "score": pa.array([0.5, 1.5, 2.5], pa.float64()),
            "when": pa.array([1, 2, 3], pa.timestamp("ms")),
        }
    )
    batches = list(ParquetReader(ReadOptions()).read(parquet_bytes(table)))
    assert [i for b in batches for i in b.ids] == ["10", "20", "30000000000"]
    extra = batches[0].extra
    assert isinstance(extra, pa.Table)
    assert extra.column_names == ["score", "when"]
    assert extra.schema.field("when").type == pa.timestamp("ms")


def test_parquet_without_id_column_numbers_rows_across_batches():
    table = pa.table({"text": [f"item {i}" for i in range(25)]})
    got = read_all(ParquetReader(ReadOptions(batch_size=4)), parquet_bytes(table, 10))
    assert got.ids == [str(i) for i in range(1, 26)]
    assert got.lines == list(range(1, 26))


def test_parquet_without_text_column_is_unusable():
    table = pa.table({"id": ["1"], "body": ["x"]})
    with pytest.raises(InputError, match="no text column"):
        read_all(ParquetReader(ReadOptions()), parquet_bytes(table))


def test_parquet_null_id_falls_back_to_the_row_number():
    table = pa.table({"id": pa.array([1, None, 3], pa.int64()), "text": ["a b", "c d", "e f"]})
    got = read_all(ParquetReader(ReadOptions()), parquet_bytes(table))
    assert got.ids == ["1", "2", "3"]


def test_parquet_several_text_fields_join_those_present():
    table = pa.table(
        {
            "id": ["1", "2", "3"],
            "title": ["10 x Xanax 2mg bars", "hello", None],
            "body": [None, "world", "only a body"],
        }
    )
    options = ReadOptions(text_fields=("title", "body"))
    got = read_all(ParquetReader(options), parquet_bytes(table))
    assert got.texts == ["10 x Xanax 2mg bars", "hello\nworld", "only a body"]
    assert got.errors == []


# --------------------------------------------------------------------------- CSV / TSV


def test_csv_ragged_rows_are_reported_and_the_rest_kept():
    content = (
        b"id,text,lang\n"
        b"1,first,en\n"
        b"2,too few\n"  # line 3
        b'3,"quoted, with comma",fr\n'
        b"4,too,many,fields\n"  # line 5
        b'5,"two\nlines",de\n'  # lines 6-7
        b"6,last,es\n"
    )
    got = read_all(CsvReader(ReadOptions()), io.BytesIO(content))
    assert got.ids == ["1", "3", "5", "6"]
    assert got.texts == ["first", "quoted, with comma", "two\nlines", "last"]
    assert [line for line, _, _ in got.errors] == [3, 5]
    assert "2 fields where the header has 3" in got.errors[0][1]
    assert "4 fields where the header has 3" in got.errors[1][1]
    assert [e["lang"] for e in got.extra] == ["en", "fr", "de", "es"]


def test_csv_empty_text_column_falls_back_to_the_other_text_fields():
    content = b"id,title,body\n1,,body only\n2,title only,\n3,,\n"
    got = read_all(CsvReader(ReadOptions(text_fields=("title", "body"))), io.BytesIO(content))
    assert got.texts == ["body only", "title only"]
    assert [(line, item_id) for line, _, item_id in got.errors] == [(4, "3")]
    assert "no text field" in got.errors[0][1]


def test_csv_header_only_has_no_items_and_no_header_is_unusable():
    assert read_all(CsvReader(ReadOptions()), io.BytesIO(b"id,text\n")).ids == []
    with pytest.raises(InputError, match="no text column"):
        read_all(CsvReader(ReadOptions()), io.BytesIO(b"1,hello\n2,world\n"))


def _tsv(path: Path) -> Path:
    path.write_bytes(b'id\ttext\tlang\n1\thello, world\ten\n2\t"quoted\ttab"\tfr\n3\tplain\tde\n')
    return path


def test_tsv_file_is_read_with_tabs(tmp_path):
    path = _tsv(tmp_path / "posts.tsv")
    reader = reader_for(str(path), None, ReadOptions())
    assert isinstance(reader, CsvReader)
    with path.open("rb") as stream:
        got = read_all(reader, stream)
    assert got.ids == ["1", "2", "3"]
    assert got.texts == ["hello, world", "quoted\ttab", "plain"]
    assert [e["lang"] for e in got.extra] == ["en", "fr", "de"]


def test_tsv_file_with_upper_case_extension_is_read_with_tabs(tmp_path):
    path = _tsv(tmp_path / "POSTS.TSV")
    with path.open("rb") as stream:
        got = read_all(reader_for(str(path), None, ReadOptions()), stream)
    assert got.ids == ["1", "2", "3"]


def test_csv_with_byte_order_mark_reads_like_without():
    got = read_all(CsvReader(ReadOptions()), io.BytesIO(BOM + b"id,text\n7,hello\n"))
    assert got.ids == ["7"]
    assert got.extra == [{}]


def test_jsonl_with_byte_order_mark_reads_like_without():
    got = read_all(JsonlReader(ReadOptions()), io.BytesIO(BOM + b'{"id": "7", "text": "hi"}\n'))
    assert (got.ids, got.errors) == (["7"], [])


# --------------------------------------------------------------------------- JSONL


def test_jsonl_lines_that_are_not_objects_are_reported():
    content = b'[1, 2]\n"just a string"\n42\nnull\ntrue\n{"id": "ok", "text": "fine"}\n'
    got = read_all(JsonlReader(ReadOptions()), io.BytesIO(content))
    assert got.ids == ["ok"]
    assert [line for line, _, _ in got.errors] == [1, 2, 3, 4, 5]
    kinds = [message.rsplit(" ", 1)[-1] for _, message, _ in got.errors]
    assert kinds == ["list", "str", "int", "NoneType", "bool"]
    assert all("expected a JSON object" in m for _, m, _ in got.errors)


def test_jsonl_text_that_is_not_a_string_is_reported_with_the_item_id():
    content = b'{"id": "n", "text": 12}\n{"id": "l", "text": ["a"]}\n{"id": "ok", "text": "x"}\n'
    got = read_all(JsonlReader(ReadOptions()), io.BytesIO(content))
    assert got.ids == ["ok"]
    assert [(line, item_id) for line, _, item_id in got.errors] == [(1, "n"), (2, "l")]
    assert "not text" in got.errors[0][1]


def test_jsonl_ids_of_any_json_type_become_strings():
    content = b'{"id": 5, "text": "a"}\n{"id": "x", "text": "b"}\n{"id": null, "text": "c"}\n'
    got = read_all(JsonlReader(ReadOptions()), io.BytesIO(content))
    assert got.ids == ["5", "x", "3"]


# --------------------------------------------------------------------------- item size limit

LIMIT = 100


@pytest.mark.parametrize("reader", ["text", "csv", "parquet", "jsonl"])
def test_max_item_bytes_accepts_the_limit_and_rejects_one_byte_more(reader):
    texts = ["a" * LIMIT, "a" * (LIMIT + 1), "é" * (LIMIT // 2), "é" * (LIMIT // 2) + "a"]
    if reader == "parquet":
        stream = parquet_bytes(pa.table({"text": texts}))
    elif reader == "csv":
        stream = io.BytesIO(("text\n" + "\n".join(texts) + "\n").encode())
    elif reader == "jsonl":
        stream = io.BytesIO(b"".join(orjson.dumps({"text": t}) + b"\n" for t in texts))
    else:
        stream = io.BytesIO(("\n".join(texts) + "\n").encode())
    options = ReadOptions(max_item_bytes=LIMIT)
    cls = {"text": TextReader, "csv": CsvReader, "parquet": ParquetReader, "jsonl": JsonlReader}
    got = read_all(cls[reader](options), stream)
    first = 2 if reader == "csv" else 1
    assert got.lines == [first, first + 2]
    assert [line for line, _, _ in got.errors] == [first + 1, first + 3]
    assert all("MB" in message for _, message, _ in got.errors)


def test_jsonl_limit_applies_to_the_item_text_not_to_its_escaped_line():
    text = ("продам " * 60).strip()  # 779 bytes of UTF-8
    line = json.dumps({"id": "1", "text": text}).encode()  # ensure_ascii: \u043f...
    assert len(text.encode()) < 1000 < len(line)
    got = read_all(JsonlReader(ReadOptions(max_item_bytes=1000)), io.BytesIO(line + b"\n"))
    assert got.ids == ["1"]


# --------------------------------------------------------------------------- batch boundaries

BATCH_SIZES = [1, 2, 3, 7, 64, 1000, 16_384]
ALPHABET = 'abcdefghij klmnop,"éü中文😀 '


@dataclass
class Corpus:
    content: bytes
    ids: list[str]
    texts: list[str]
    error_lines: list[int]


def _random_text(rng: random.Random) -> str:
    size = rng.choice([1, 5, 40, 300, 4000, 9000]) if rng.random() < 0.97 else 70_000
    text = "".join(rng.choice(ALPHABET) for _ in range(min(size, 200)))
    text = (text * (size // max(len(text), 1) + 1))[:size]
    return text.strip() or "x"


def line_corpus(kind: str, seed: int) -> Corpus:
    """Items, blank lines and bad items at random, for the jsonl, text or csv reader."""
    rng = random.Random(seed)
    out, ids, texts, errors = [], [], [], []
    line = 0
    if kind == "csv":
        out.append(b"id,text\n")
        line = 1
    for n in range(rng.randint(0, 400)):
        roll = rng.random()
        line += 1
        if roll < 0.05:
            out.append(b"\n")  # blank: no item, no error
            continue
        if roll < 0.12:
            bad = {"jsonl": b'{"id": "broken", "text": ', "text": b"caf\xe9", "csv": b"1,\xe9\xe8"}
            out.append(bad[kind] + b"\n")
            errors.append(line)
            continue
        text = _random_text(rng)
        if kind == "text":
            text = " ".join(text.split())  # one line, no surrounding blanks
            ids.append(str(line))
            out.append(text.encode() + b"\r\n" * (n % 2) + b"\n" * (1 - n % 2))
        elif kind == "jsonl":
            ids.append(f"item-{n}")
            out.append(orjson.dumps({"id": f"item-{n}", "text": text}) + b"\n")
        else:
            text = text.replace("\r", " ")
            ids.append(f"item-{n}")
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow([f"item-{n}", text])
            out.append(buffer.getvalue().encode())
            line += text.count("\n")
        texts.append(text)
    content = b"".join(out)
    if content.endswith(b"\n") and rng.random() < 0.3 and kind != "csv":
        content = content[:-1]  # no newline at the end of the last line
    return Corpus(content, ids, texts, errors)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["jsonl", "text", "csv"])
def test_line_readers_keep_every_item_once_whatever_the_batch_size(kind, seed):
    corpus = line_corpus(kind, seed)
    cls = {"jsonl": JsonlReader, "text": TextReader, "csv": CsvReader}[kind]
    for size in BATCH_SIZES:
        got = read_all(cls(ReadOptions(batch_size=size)), io.BytesIO(corpus.content))
        assert got.ids == corpus.ids, size
        assert got.texts == corpus.texts, size
        assert [line for line, _, _ in got.errors] == corpus.error_lines, size
        assert got.lines == sorted(set(got.lines)), size
        for batch in got.batches:
            assert 0 < len(batch.ids) + len(batch.errors) <= size
        progress = [b.bytes_read for b in got.batches]
        assert progress == sorted(progress), size
        assert all(0 < p <= len(corpus.content) for p in progress), size


@pytest.mark.parametrize("seed", range(3))
def test_parquet_reader_keeps_every_item_once_whatever_the_batch_size(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 3000)
    texts = [None if rng.random() < 0.05 else _random_text(rng)[:300] for _ in range(n)]
    table = pa.table({"id": list(range(n)), "text": texts, "k": [i * 2 for i in range(n)]})
    source = parquet_bytes(table, row_group_size=rng.choice([50, 333, 1000]))
    good = [i for i, t in enumerate(texts) if t is not None]
    for size in BATCH_SIZES:
        source.seek(0)
        got = read_all(ParquetReader(ReadOptions(batch_size=size)), source)
        assert got.ids == [str(i) for i in good], size
        assert got.texts == [texts[i] for i in good], size
        assert got.lines == [i + 1 for i in good], size
        assert [e["k"] for e in got.extra] == [i * 2 for i in good], size
        assert [line for line, _, _ in got.errors] == [
            i + 1 for i, t in enumerate(texts) if t is None
        ], size


@pytest.mark.parametrize(
    "around",
    [b"\r\n", "é".encode(), "😀".encode(), "中".encode()],
    ids=["crlf", "two-byte-char", "four-byte-char", "three-byte-char"],
)
def test_lines_straddling_the_end_of_the_first_read_are_whole(around):
    """The first read is 8192 bytes: put a line ending or a character across that boundary."""
    first = b"p" * (8192 - len(around) // 2 - 1) + b"q" + around
    if not around.endswith(b"\n"):
        first += b"r\n"
    content = first + b"second line\r\nthird line"
    got = read_all(TextReader(ReadOptions()), io.BytesIO(content))
    assert got.texts == [first.rstrip(b"\r\n").decode(), "second line", "third line"]
    assert got.ids == ["1", "2", "3"]
    assert got.errors == []
