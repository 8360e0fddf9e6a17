"""Output records (documented in docs/output.md) and the sinks that write them.

One record per input item, in input order:
``{"id", "flagged", "label", "risk", "reasons", "substances", "identifiers", "detections"}``
followed by the item's other input fields.
"""

from __future__ import annotations

import csv
import sys
from abc import ABC, abstractmethod
from functools import lru_cache
from itertools import compress
from operator import attrgetter
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from interdiction.ingest.base import InputBatch
from interdiction.kb import KnowledgeBase
from interdiction.model import Assessment, Detection

RESERVED = ("id", "flagged", "label", "risk", "reasons", "substances", "identifiers", "detections")
MAX_SYNONYMS = 12
SUBSTANCE_KINDS = ("substance", "inchikey", "analogue", "cas")

_CONTROL = pa.struct([("regime", pa.string()), ("schedule", pa.string()), ("since", pa.string())])
_SUBSTANCE = pa.struct(
    [
        ("id", pa.string()),
        ("name", pa.string()),
        ("cas", pa.list_(pa.string())),
        ("synonyms", pa.list_(pa.string())),
        ("class", pa.string()),
        ("controls", pa.list_(_CONTROL)),
        ("match", pa.string()),
    ]
)
_IDENTIFIER = pa.struct(
    [("type", pa.string()), ("value", pa.string()), ("start", pa.int32()), ("end", pa.int32())]
)
_DETECTION = pa.struct(
    [
        ("detector", pa.string()),
        ("kind", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("text", pa.string()),
        ("value", pa.string()),
        ("weight", pa.float32()),
        ("attrs", pa.string()),  # JSON: the detector's extra evidence
    ]
)
_DETECTION_FIELDS = frozenset(_DETECTION.names)  # pyarrow builds .names anew on each access
OUTPUT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("flagged", pa.bool_()),
        ("label", pa.string()),
        ("risk", pa.float32()),
        ("reasons", pa.list_(pa.string())),
        ("substances", pa.list_(_SUBSTANCE)),
        ("identifiers", pa.list_(_IDENTIFIER)),
        ("detections", pa.list_(_DETECTION)),
    ]
)


class RecordBuilder:
    """Turns assessments into output records, with the KB facts for each substance."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._substance = lru_cache(maxsize=4096)(self._substance_uncached)

    def _substance_uncached(self, substance_id: str, match: str) -> dict[str, Any] | None:
        sub = self.kb.get(substance_id)
        if sub is None:
            return None
        synonyms = list(dict.fromkeys(n for n in sub.synonyms() if n != sub.name))
        return {
            "id": sub.id,
            "name": sub.name,
            "cas": list(sub.cas),
            "synonyms": synonyms[:MAX_SYNONYMS],
            "class": sub.substance_class,
            "controls": [
                {"regime": c.regime, "schedule": c.schedule, "since": c.since} for c in sub.controls
            ],
            "match": match,
        }

    def substances(self, detections: list[Detection]) -> list[dict[str, Any]]:
        best: dict[str, str] = {}
        rank = {"exact": 0, "analogue": 1, "weak": 2}
        for det in detections:
            if det.kind not in SUBSTANCE_KINDS or det.attrs.get("ignored"):
                continue
            if det.kind == "cas":
                sid, match = det.attrs.get("substance_id"), "exact"
            elif det.kind == "analogue":
                sid, match = det.value, "analogue"
            else:
                sid, match = det.value, str(det.attrs.get("match", "exact"))
            if sid and (sid not in best or rank.get(match, 3) < rank.get(best[sid], 3)):
                best[sid] = match
        out = []
        for sid, match in best.items():
            summary = self._substance(sid, match)
            if summary is not None:
                out.append(summary)
        return out

    def record(self, item_id: str, assessment: Assessment) -> dict[str, Any]:
        dets = assessment.detections
        return {
            "id": item_id,
            "flagged": assessment.flagged,
            "label": str(assessment.label),
            "risk": assessment.risk,
            "reasons": assessment.reasons,
            "substances": self.substances(dets) if dets else [],
            "identifiers": _identifiers(dets),
            "detections": [_detection_dict(d) for d in dets],
        }


def _identifiers(detections: list[Detection]) -> list[dict[str, Any]]:
    return [
        {"type": d.attrs["type"], "value": d.value, "start": d.start, "end": d.end}
        for d in detections
        if d.kind == "identifier"
    ]


def _detection_fields(det: Detection) -> dict[str, Any]:
    """The fields every detection has, as a record and a Parquet struct name them."""
    return {
        "detector": det.detector,
        "kind": det.kind,
        "start": det.start,
        "end": det.end,
        "text": det.text,
        "value": det.value,
        "weight": det.weight,
    }


def _detection_dict(det: Detection) -> dict[str, Any]:
    out = _detection_fields(det)
    for key, value in det.attrs.items():
        out.setdefault(key, value)
    return out


def _extra_rows(batch: InputBatch) -> list[dict[str, Any]]:
    if isinstance(batch.extra, pa.Table):
        return batch.extra.to_pylist()
    return batch.extra or [{} for _ in batch.ids]


class Sink(ABC):
    @abstractmethod
    def write(self, batch: InputBatch, assessments: list[Assessment]) -> None: ...

    def close(self) -> None:  # noqa: B027 - most sinks have nothing to release
        pass


class JsonlSink(Sink):
    def __init__(self, stream: IO[bytes], builder: RecordBuilder):
        self.stream = stream
        self.builder = builder

    def write(self, batch: InputBatch, assessments: list[Assessment]) -> None:
        extras = _extra_rows(batch)
        lines = []
        for item_id, assessment, extra in zip(batch.ids, assessments, extras, strict=True):
            record = self.builder.record(item_id, assessment)
            for key, value in extra.items():
                record.setdefault(key if key not in RESERVED else f"input_{key}", value)
            lines.append(orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS, default=str))
        if lines:
            self.stream.write(b"\n".join(lines) + b"\n")

    def close(self) -> None:
        self.stream.flush()


class CsvSink(Sink):
    """Flat columns for spreadsheets; nested evidence as JSON text."""

    COLUMNS = (
        "id",
        "flagged",
        "label",
        "risk",
        "reasons",
        "substances",
        "identifiers",
        "detections",
    )

    def __init__(self, stream: IO[str], builder: RecordBuilder, delimiter: str = ","):
        self.writer = csv.writer(stream, delimiter=delimiter)
        self.stream = stream
        self.builder = builder
        self.header_written = False

    def write(self, batch: InputBatch, assessments: list[Assessment]) -> None:
        extras = _extra_rows(batch)
        if not self.header_written:
            # columnar input has the same columns in every batch; other input's fields vary
            # from item to item, so they travel as one JSON column
            self.extra_keys = (
                batch.extra.column_names if isinstance(batch.extra, pa.Table) else None
            )
            names = (
                [f"input_{k}" if k in RESERVED else k for k in self.extra_keys]
                if self.extra_keys is not None
                else ["input_fields"]
            )
            self.writer.writerow([*self.COLUMNS, *names])
            self.header_written = True
        for item_id, assessment, extra in zip(batch.ids, assessments, extras, strict=True):
            record = self.builder.record(item_id, assessment)
            self.writer.writerow(
                [
                    record["id"],
                    str(record["flagged"]).lower(),
                    record["label"],
                    f"{record['risk']:.4f}",
                    " | ".join(record["reasons"]),
                    ";".join(s["id"] for s in record["substances"]),
                    ";".join(f"{i['type']}:{i['value']}" for i in record["identifiers"]),
                    orjson.dumps(record["detections"], default=str).decode(),
                    *(
                        (_cell(extra.get(k)) for k in self.extra_keys)
                        if self.extra_keys is not None
                        else (_cell(extra or None),)
                    ),
                ]
            )

    def close(self) -> None:
        self.stream.flush()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return orjson.dumps(value, default=str).decode()
    return str(value)


class ParquetSink(Sink):
    """Columnar output; other input fields pass through as columns (``input_`` if clashing)."""

    def __init__(self, path: Path, builder: RecordBuilder):
        self.path = path
        self.builder = builder
        self.writer: pq.ParquetWriter | None = None
        self.pending: list[pa.Table] = []  # batches not yet written, up to a row group
        self.pending_rows = 0
        path.open("wb").close()  # fail now, with a clear message, if it cannot be written

    def write(self, batch: InputBatch, assessments: list[Assessment]) -> None:
        table = self._table(batch, assessments)
        if self.writer is None:
            self.writer = _parquet_writer(self.path, table.schema)
        elif table.schema != self.writer.schema:
            table = table.cast(self.writer.schema)
        self.pending.append(table)
        self.pending_rows += table.num_rows
        if self.pending_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.writer is not None and self.pending:
            self.writer.write_table(pa.concat_tables(self.pending))
        self.pending, self.pending_rows = [], 0

    def _table(self, batch: InputBatch, assessments: list[Assessment]) -> pa.Table:
        """Columns built from the few items with evidence; the rest are filled by numpy."""
        n = len(batch.ids)
        # a C loop over the batch: most items have no evidence
        hits = list(compress(range(n), map(attrgetter("detections"), assessments)))
        flagged = np.zeros(n, dtype=bool)
        risk = np.zeros(n, dtype=np.float32)
        label = np.zeros(n, dtype=np.int8)  # index into LABELS
        nested: dict[str, list[list]] = {k: [] for k in _NESTED}
        for i in hits:
            assessment = assessments[i]
            detections = assessment.detections
            flagged[i] = assessment.flagged
            risk[i] = assessment.risk
            label[i] = _LABEL_INDEX[str(assessment.label)]
            # the fields of RecordBuilder.record, with each detection's attrs as JSON text
            nested["reasons"].append(assessment.reasons)
            nested["substances"].append(self.builder.substances(detections))
            nested["identifiers"].append(_identifiers(detections))
            nested["detections"].append(detections)
        columns = [
            pa.array(batch.ids, pa.string()),
            pa.array(flagged),
            pa.DictionaryArray.from_arrays(pa.array(label), _LABELS).cast(pa.string()),
            pa.array(risk),
            *(_sparse_lists(n, hits, k, nested[k]) for k in _NESTED),
        ]
        table = pa.Table.from_arrays(columns, schema=OUTPUT_SCHEMA)
        extra = batch.extra
        if isinstance(extra, pa.Table):
            for name in extra.column_names:
                table = table.append_column(
                    name if name not in RESERVED else f"input_{name}", extra[name]
                )
        else:
            # fields of JSON/CSV items vary from item to item: one JSON column keeps the schema
            # of every batch the same
            fields = [
                orjson.dumps(row, default=str).decode() if row else None for row in extra or ()
            ]
            table = table.append_column("input_fields", pa.array(fields or [None] * n, pa.string()))
        return table

    def close(self) -> None:
        if self.writer is not None:
            self._flush()
            self.writer.close()
        else:
            pq.write_table(OUTPUT_SCHEMA.empty_table(), self.path)


# Batches are written in row groups of at least this many rows: fewer, fuller pages to encode.
ROW_GROUP_ROWS = 65_536


def _parquet_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """Dictionary encoding and statistics for the flat columns only, and no dictionary for the
    ids (unique by nature): the nested columns are nearly all empty lists, and encoding them
    so, or min/max of their leaves (a detection's start, say), costs time and helps no reader.
    """
    flat = [f.name for f in schema if not pa.types.is_nested(f.type)]
    return pq.ParquetWriter(
        path,
        schema,
        compression="zstd",
        use_dictionary=[name for name in flat if name != "id"],
        write_statistics=flat,
    )


_NESTED = ("reasons", "substances", "identifiers", "detections")
_LABELS = pa.array(["none", "mention", "offer"])
_LABEL_INDEX = {"none": 0, "mention": 1, "offer": 2}


# a detection's fields but attrs, in the struct's order
_DETECTION_VALUES = attrgetter(*(name for name in _DETECTION.names if name != "attrs"))


def _sparse_lists(n: int, rows: list[int], name: str, values: list[list]) -> pa.Array:
    """List column ``name`` of ``n`` rows, empty but for ``rows`` (holding ``values``), via
    offsets."""
    lengths = np.zeros(n, dtype=np.int32)
    lengths[rows] = [len(v) for v in values]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    items = [x for v in values for x in v]
    if name == "detections":
        flat = _detection_structs(items)
    else:
        flat = pa.array(items, OUTPUT_SCHEMA.field(name).type.value_type)
    return pa.ListArray.from_arrays(pa.array(offsets), flat)


def _detection_structs(detections: list[Detection]) -> pa.StructArray:
    """Detections as their Parquet structs, built a field at a time (a dict per detection for
    pyarrow to take apart cost twice as much); the detector's extra evidence is JSON text."""
    if not detections:
        return pa.array([], _DETECTION)
    values = list(zip(*map(_DETECTION_VALUES, detections), strict=True))
    values.append([_attrs_json(d.attrs) for d in detections])
    return pa.StructArray.from_arrays(
        [pa.array(column, f.type) for column, f in zip(values, _DETECTION, strict=True)],
        fields=list(_DETECTION),
    )


def _attrs_json(attrs: dict[str, Any]) -> str:
    """An attr named like a field is left out, as _detection_dict leaves it out of a record."""
    if not _DETECTION_FIELDS.isdisjoint(attrs):
        attrs = {k: v for k, v in attrs.items() if k not in _DETECTION_FIELDS}
    return orjson.dumps(attrs, default=str).decode()


def open_sink(output: str | None, builder: RecordBuilder) -> Sink:
    """A sink chosen by the output's extension; None or '-' writes JSONL to stdout."""
    if output in (None, "-"):
        return JsonlSink(sys.stdout.buffer, builder)
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return ParquetSink(path, builder)
    if suffix in (".csv", ".tsv"):
        delimiter = "\t" if suffix == ".tsv" else ","
        return CsvSink(path.open("w", encoding="utf-8", newline=""), builder, delimiter)
    return JsonlSink(path.open("wb"), builder)
