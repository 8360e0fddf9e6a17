"""The built-in readers: JSON Lines, CSV, Parquet and plain text (one item per line)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from interdiction.ingest.base import InputBatch, InputError, ItemError, Reader, ReaderExample

_SNIFF_BYTES = 8192
_BOM = b"\xef\xbb\xbf"
_CSV_FIELD_LIMIT = 2**31 - 1  # Python's csv refuses fields over 128 KiB; the item limit is ours
_RAW_LINE_FACTOR = 8  # a JSON line may escape its text (\uXXXX): judge the text, not the line


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes, int]]:
    """(1-based line number, line without its newline, bytes read so far); refuses binary."""
    head = stream.read(_SNIFF_BYTES)
    if head.startswith(b"PAR1"):
        raise InputError("the input is a Parquet file: name it *.parquet or pass --format parquet")
    if b"\x00" in head:
        raise InputError("the input looks binary (it contains NUL bytes), not text")
    if head.startswith(_BOM):
        head = head[len(_BOM) :]  # spreadsheet exports start UTF-8 files with a byte order mark
    position = 0
    number = 0
    pending = b""
    for chunk in _chunks(head, stream):
        data = pending + chunk
        lines = data.split(b"\n")
        pending = lines.pop()
        for line in lines:
            number += 1
            position += len(line) + 1
            yield number, line.rstrip(b"\r"), position
    if pending:
        yield number + 1, pending.rstrip(b"\r"), position + len(pending)


def _chunks(head: bytes, stream: BinaryIO) -> Iterator[bytes]:
    yield head
    while chunk := stream.read(1 << 20):
        yield chunk


def _decode(raw: bytes, line: int) -> str | ItemError:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ItemError(line, f"invalid UTF-8 at byte {exc.start} of the line")


class _Batcher:
    """Collects items and errors into InputBatches of the configured size."""

    def __init__(self, size: int, columns: list[str] | None = None):
        self.size = size
        self.columns = columns  # fixed extra fields (CSV header): passed on as Arrow columns
        self.reset()

    def reset(self) -> None:
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.lines: list[int] = []
        self.extra: list[dict] = []
        self.errors: list[ItemError] = []

    def add(self, item_id: str, text: str, line: int, extra: dict) -> None:
        self.ids.append(item_id)
        self.texts.append(text)
        self.lines.append(line)
        self.extra.append(extra)

    def full(self) -> bool:
        return len(self.ids) + len(self.errors) >= self.size

    def take(self, position: int) -> InputBatch:
        extra = self.extra
        if self.columns:
            extra = pa.table(
                {c: pa.array([row.get(c) for row in self.extra], pa.string()) for c in self.columns}
            )
        batch = InputBatch(
            self.ids, self.texts, self.lines, extra, self.errors, bytes_read=position
        )
        self.reset()
        return batch

    def __bool__(self) -> bool:
        return bool(self.ids or self.errors)


class JsonlReader(Reader):
    name = "jsonl"
    extensions = (".jsonl", ".ndjson", ".json")
    examples = (
        ReaderExample(
            b'{"id": "a", "text": "hello"}\n{"id": 7, "text": "world", "x": 1}\n',
            ids=("a", "7"),
            texts=("hello", "world"),
        ),
        ReaderExample(
            b'{"id": "a", "text": "ok"}\nnot json\n{"id": "c"}\n{"id": "d", "text": "\xff"}\n',
            ids=("a",),
            texts=("ok",),
            error_lines=(2, 3, 4),
        ),
        ReaderExample(
            b'{"text": "no id"}\n\n{"body": "b", "title": "t"}\n',
            ids=("1", "3"),
            texts=("no id", "t\nb"),
            options={"text_fields": ("text", "title", "body")},
        ),
    )

    def read(self, stream: BinaryIO) -> Iterator[InputBatch]:
        batcher = _Batcher(self.options.batch_size)
        position = 0
        drop = {self.options.id_field, *self.options.text_fields}
        for line, raw, position in _lines(stream):
            if not raw.strip():
                continue  # blank lines separate nothing and hold no item
            item = self._parse(raw, line, drop)
            if isinstance(item, ItemError):
                batcher.errors.append(item)
            else:
                batcher.add(*item)
            if batcher.full():
                yield batcher.take(position)
        if batcher:
            yield batcher.take(position)

    def _parse(self, raw: bytes, line: int, drop: set[str]) -> tuple | ItemError:
        if len(raw) > self.options.max_item_bytes * _RAW_LINE_FACTOR:
            limit = self.options.max_item_bytes / 1e6
            return ItemError(line, f"line is {len(raw) / 1e6:.1f} MB, over the {limit:g} MB limit")
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            if isinstance(_decode(raw, line), ItemError):
                return ItemError(line, "invalid UTF-8 in the line")
            return ItemError(line, f"malformed JSON: {exc}")
        if not isinstance(record, dict):
            return ItemError(line, f"expected a JSON object, got {type(record).__name__}")
        text = self.text_of(record, line)
        if isinstance(text, ItemError):
            return ItemError(line, text.message, _id_of(record, self.options.id_field))
        item_id = _id_of(record, self.options.id_field) or str(line)
        return item_id, text, line, {k: v for k, v in record.items() if k not in drop}


def _id_of(record: dict, field: str) -> str | None:
    value = record.get(field)
    return None if value is None else str(value)


class TextReader(Reader):
    name = "text"
    extensions = (".txt", ".text", ".log")
    examples = (
        ReaderExample(
            b"first line\n\nthird line\r\n", ids=("1", "3"), texts=("first line", "third line")
        ),
        ReaderExample(b"ok\nbad \xc3\x28 byte\n", ids=("1",), texts=("ok",), error_lines=(2,)),
    )

    def read(self, stream: BinaryIO) -> Iterator[InputBatch]:
        batcher = _Batcher(self.options.batch_size)
        position = 0
        for line, raw, position in _lines(stream):
            if not raw.strip():
                continue
            text = _decode(raw, line)
            if not isinstance(text, ItemError):
                text = self.check_text(text, line)
            if isinstance(text, ItemError):
                batcher.errors.append(text)
            else:
                batcher.add(str(line), text, line, {})
            if batcher.full():
                yield batcher.take(position)
        if batcher:
            yield batcher.take(position)


class CsvReader(Reader):
    name = "csv"
    extensions = (".csv", ".tsv")
    examples = (
        ReaderExample(
            b'id,text,lang\n1,"hello, world",en\n2,"multi\nline",en\n',
            ids=("1", "2"),
            texts=("hello, world", "multi\nline"),
        ),
        ReaderExample(
            b"id,text\n1,ok\n2,\n3,\xff\xfe\n", ids=("1",), texts=("ok",), error_lines=(3, 4)
        ),
    )

    def read(self, stream: BinaryIO) -> Iterator[InputBatch]:
        physical = _lines(stream)
        positions = {"at": 0, "line": 0}

        def decoded() -> Iterator[str]:
            for line, raw, position in physical:
                positions["at"], positions["line"] = position, line
                # undecodable bytes survive as surrogates, reported per record below
                yield raw.decode("utf-8", "surrogateescape") + "\n"

        delimiter = "\t" if str(getattr(stream, "name", "")).lower().endswith(".tsv") else ","
        csv.field_size_limit(_CSV_FIELD_LIMIT)
        rows = csv.reader(decoded(), delimiter=delimiter)
        try:
            header = next(rows)
        except StopIteration:
            raise InputError("the CSV input is empty (no header row)") from None
        missing = [f for f in self.options.text_fields if f not in header]
        if len(missing) == len(self.options.text_fields):
            raise InputError(f"no text column {missing} in the CSV header {header}")
        drop = {self.options.id_field, *self.options.text_fields}
        batcher = _Batcher(self.options.batch_size, [c for c in header if c not in drop])
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                raise InputError(f"line {positions['line']}: malformed CSV: {exc}") from exc
            line = positions["line"]
            if not row:
                continue
            item = self._item(header, row, line, drop)
            if isinstance(item, ItemError):
                batcher.errors.append(item)
            else:
                batcher.add(*item)
            if batcher.full():
                yield batcher.take(positions["at"])
        if batcher:
            yield batcher.take(positions["at"])

    def _item(
        self, header: list[str], row: list[str], line: int, drop: set[str]
    ) -> tuple | ItemError:
        if len(row) != len(header):
            return ItemError(line, f"{len(row)} fields where the header has {len(header)}")
        record = dict(zip(header, row, strict=True))
        if any(_has_surrogates(v) for v in row):
            return ItemError(line, "invalid UTF-8 in the record", record.get(self.options.id_field))
        text = self.text_of({k: v for k, v in record.items() if v != ""}, line)
        if isinstance(text, ItemError):
            return ItemError(line, text.message, record.get(self.options.id_field))
        item_id = record.get(self.options.id_field) or str(line)
        return item_id, text, line, {k: v for k, v in record.items() if k not in drop}


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class ParquetReader(Reader):
    name = "parquet"
    extensions = (".parquet", ".pq")
    examples = ()  # exercised in tests/ingest with files written by pyarrow

    def read(self, stream: BinaryIO) -> Iterator[InputBatch]:
        try:
            source = pq.ParquetFile(stream)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"not a readable Parquet file: {exc}") from exc
        names = source.schema_arrow.names
        text_fields = [f for f in self.options.text_fields if f in names]
        if not text_fields:
            raise InputError(f"no text column {list(self.options.text_fields)} in {names}")
        row = 0
        for record_batch in source.iter_batches(batch_size=self.options.batch_size):
            table = pa.Table.from_batches([record_batch])
            yield self._batch(table, text_fields, row)
            row += table.num_rows

    def _batch(self, table: pa.Table, text_fields: list[str], first_row: int) -> InputBatch:
        columns = [pc.cast(table[f], pa.string()) for f in text_fields]
        text = (
            columns[0]
            if len(columns) == 1
            else pc.binary_join_element_wise(*columns, "\n", null_handling="skip")
        )
        size = pc.binary_length(text)
        blank = pc.equal(pc.utf8_trim_whitespace(text), "")
        bad = pc.or_kleene(
            pc.is_null(text), pc.or_kleene(blank, pc.greater(size, self.options.max_item_bytes))
        )
        bad = pc.fill_null(bad, True)
        given = (
            pc.cast(table[self.options.id_field], pa.string())
            if self.options.id_field in table.column_names
            else None
        )
        if given is not None and given.null_count == 0:
            ids = given
        else:  # as JSONL: an item without an id is known by its row number
            row_numbers = pa.array([str(first_row + i + 1) for i in range(table.num_rows)])
            ids = (
                row_numbers if given is None else pc.if_else(pc.is_null(given), row_numbers, given)
            )
        extra_names = [
            n for n in table.column_names if n not in {self.options.id_field, *text_fields}
        ]
        errors: list[ItemError] = []
        if pc.any(bad).as_py():
            for index in pc.indices_nonzero(bad).to_pylist():
                value = text[index].as_py()
                reason = self.check_text(value, first_row + index + 1) if value else None
                message = reason.message if isinstance(reason, ItemError) else "empty text"
                errors.append(ItemError(first_row + index + 1, message, ids[index].as_py()))
            keep = pc.invert(bad)
            text, ids, table = text.filter(keep), ids.filter(keep), table.filter(keep)
        lines = pc.indices_nonzero(pc.invert(bad)) if errors else None
        line_numbers = (
            [first_row + i + 1 for i in lines.to_pylist()]
            if lines is not None
            else list(range(first_row + 1, first_row + 1 + len(text)))
        )
        return InputBatch(
            ids=ids.to_pylist(),
            texts=text.to_pylist(),
            lines=line_numbers,
            extra=table.select(extra_names),
            errors=errors,
        )
