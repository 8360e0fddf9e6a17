"""Labelled data for training and evaluation, read with the project's readers.

Labels: ``offer`` (flagged) against ``mention`` and ``none``; also ``1``/``0`` and
``true``/``false``, meaning offer / not offer (case-insensitive). Rows with another label,
no text, or unreadable content are skipped and counted, never fatal.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from interdiction.ingest.base import InputError, ReadOptions, reader_for

OFFER_LABELS = frozenset({"offer", "1", "true"})
NOT_OFFER_LABELS = frozenset({"mention", "none", "0", "false"})
SOURCE_FIELDS = ("source", "set")  # looked for in this order when no source field is named


@dataclass
class DataFile:
    """Where training or evaluation rows came from, for the model card and the report."""

    path: str
    sha256: str
    rows: int
    skipped: int
    labels: dict[str, int]  # as written in the file: offer/mention/none/1/0/...
    sources: dict[str, int]


@dataclass
class LabelledData:
    texts: list[str] = field(default_factory=list)
    offer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    labels: list[str] = field(default_factory=list)  # normalised: offer/mention/none/not-offer
    sources: list[str] = field(default_factory=list)
    files: list[DataFile] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    def concat(self, other: LabelledData) -> LabelledData:
        return LabelledData(
            texts=self.texts + other.texts,
            offer=np.concatenate([self.offer, other.offer]),
            labels=self.labels + other.labels,
            sources=self.sources + other.sources,
            files=self.files + other.files,
        )

    def subset(self, keep: np.ndarray) -> LabelledData:
        """The rows where ``keep`` is true (file summaries stay those of the whole)."""
        rows = np.flatnonzero(keep)
        return LabelledData(
            texts=[self.texts[i] for i in rows],
            offer=self.offer[rows],
            labels=[self.labels[i] for i in rows],
            sources=[self.sources[i] for i in rows],
            files=self.files,
        )


def parse_label(value: object) -> tuple[bool, str] | None:
    """(is an offer, normalised label), or None when the value is no label we know."""
    if isinstance(value, bool | int | float) and value in (0, 1):
        return bool(value), "offer" if value else "not-offer"
    if not isinstance(value, str):
        return None
    word = value.strip().lower()
    if word in OFFER_LABELS:
        return True, "offer"
    if word in NOT_OFFER_LABELS:
        return False, word if word in ("mention", "none") else "not-offer"
    return None


def load_labelled(
    paths: list[str],
    text_field: str = "text",
    label_field: str = "label",
    source_field: str | None = None,
    source: str | None = None,
) -> LabelledData:
    """Rows of every file in order; the source of a row is ``source`` when given, else its
    ``source_field`` (default: ``source`` or ``set``), else the file's name without suffix.

    Raises InputError when a file is missing or unusable as a whole, or holds no usable row.
    """
    data = LabelledData()
    offers: list[bool] = []
    for path in paths:
        offers.extend(_read_file(Path(path), text_field, label_field, source_field, source, data))
    data.offer = np.array(offers, dtype=bool)
    return data


def _read_file(
    path: Path,
    text_field: str,
    label_field: str,
    source_field: str | None,
    source: str | None,
    data: LabelledData,
) -> list[bool]:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    reader = reader_for(str(path), None, ReadOptions(text_fields=(text_field,)))
    offers: list[bool] = []
    skipped = 0
    raw_labels: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    try:
        with path.open("rb") as stream:
            for batch in reader.read(stream):
                skipped += len(batch.errors)
                fields = _columns(batch.extra, len(batch.texts))
                for i, text in enumerate(batch.texts):
                    raw = fields(label_field, i)
                    parsed = parse_label(raw)
                    if parsed is None:
                        skipped += 1
                        continue
                    row_source = source or _source_of(fields, i, source_field) or path.stem
                    offers.append(parsed[0])
                    data.texts.append(text)
                    data.labels.append(parsed[1])
                    data.sources.append(row_source)
                    raw_labels[str(raw)] += 1
                    sources[row_source] += 1
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from exc
    if not offers:
        raise InputError(
            f"{path}: no usable labelled row (text field {text_field!r}, label field "
            f"{label_field!r} with offer/mention/none or 1/0); {skipped} row(s) skipped"
        )
    data.files.append(
        DataFile(str(path), _sha256(path), len(offers), skipped, dict(raw_labels), dict(sources))
    )
    return offers


def _columns(extra: object, rows: int):
    """A field getter over a batch's other fields, whether dicts (JSONL) or an Arrow table."""
    if isinstance(extra, pa.Table):
        columns = {name: extra.column(name).to_pylist() for name in extra.column_names}
        return lambda name, i: columns[name][i] if name in columns else None
    records = extra if isinstance(extra, list) else [{}] * rows
    return lambda name, i: records[i].get(name)


def _source_of(fields, i: int, source_field: str | None) -> str | None:
    for name in (source_field,) if source_field else SOURCE_FIELDS:
        value = fields(name, i)
        if value not in (None, ""):
            return str(value)
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
