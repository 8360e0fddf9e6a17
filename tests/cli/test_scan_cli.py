"""``interdiction scan`` as a subprocess: every input format in, every output format out, one
record per item in input order, other input fields passed through, and streaming at scale.

Unusable items and inputs are in test_scan_errors_cli.py; explain and kb in test_explain_kb_cli.py.
"""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

RESERVED = ["id", "flagged", "label", "risk", "reasons", "substances", "identifiers", "detections"]

OFFER = "selling f3ntanyl 10g, tg @plug, BTC only"
OFFER_WITH_IDS = (
    "fentanyl 5g for sale, whatsapp +1 415 555 2671, BTC bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
)
NEWS = "Police seized 5 kg of fentanyl at the border, officials said"
EVERYDAY = "Coke Zero 24 pack for $12 at the store this week"
PLAIN = "see you at the station at six"


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def assert_spans_point_into(record: dict, text: str) -> None:
    for det in record["detections"]:
        assert text[det["start"] : det["end"]] == det["text"], (det, text)
    for ident in record["identifiers"]:
        assert 0 <= ident["start"] < ident["end"] <= len(text), (ident, text)


# --------------------------------------------------------------------------- JSONL


def test_jsonl_in_jsonl_out_one_record_per_item_in_order_with_input_fields(cli, tmp_path):
    items = [
        {"id": "a1", "text": OFFER, "source": "forum", "meta": {"thread": 12, "tags": ["x"]}},
        {"id": 2, "text": EVERYDAY, "label": "gold-none", "risk": "n/a"},
        {"text": NEWS, "lang": "en"},
        {"id": "z", "text": PLAIN, "score": 0.5, "seen": None},
    ]
    write_jsonl(tmp_path / "in.jsonl", items)
    result = cli("scan", "in.jsonl", "-o", "out.jsonl")
    assert result.returncode == 0, result
    assert "Traceback" not in result.stderr
    assert "screened 4 items: 1 offer (flagged), 1 mention, 2 none" in result.stderr, result

    out = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == ["a1", "2", "3", "z"]  # no id: its line number
    for record, item in zip(out, items, strict=True):
        assert list(record)[: len(RESERVED)] == RESERVED
        assert isinstance(record["flagged"], bool)
        assert record["flagged"] == (record["label"] == "offer")
        assert 0.0 <= record["risk"] <= 1.0
        assert_spans_point_into(record, item["text"])

    offer, everyday, news, plain = out
    assert (offer["label"], offer["flagged"]) == ("offer", True)
    assert [s["id"] for s in offer["substances"]] == ["fentanyl"]
    assert {c["regime"] for c in offer["substances"][0]["controls"]} >= {"UN-1961"}
    assert any("f3ntanyl" in r for r in offer["reasons"])
    assert offer["source"] == "forum"
    assert offer["meta"] == {"thread": 12, "tags": ["x"]}
    assert everyday["label"] == "none"
    # input fields named like output keys are kept under input_*
    assert (everyday["input_label"], everyday["input_risk"]) == ("gold-none", "n/a")
    assert news["label"] == "mention" and news["lang"] == "en"
    assert (plain["label"], plain["score"], plain["seen"]) == ("none", 0.5, None)
    assert plain["reasons"] == [] and plain["detections"] == []


def test_text_field_repeated_joins_fields_and_id_field_names_the_id(cli, tmp_path):
    items = [
        {"post_id": "p-1", "id": "db-77", "title": "10 x Xanax 2mg bars",
         "body": "stealth shipping, wickr: benzoking"},
        {"post_id": "p-2", "title": "Women's snow boots", "body": "size 8, $45, free shipping"},
        {"post_id": "p-3", "body": "only a body here"},
    ]  # fmt: skip
    write_jsonl(tmp_path / "posts.jsonl", items)
    result = cli(
        "scan", "posts.jsonl", "--text-field", "title", "--text-field", "body",
        "--id-field", "post_id", "-o", "out.jsonl",
    )  # fmt: skip
    assert result.returncode == 0, result
    out = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == ["p-1", "p-2", "p-3"]
    assert out[0]["input_id"] == "db-77"  # the other "id" field is kept, renamed
    assert out[0]["label"] == "offer"
    assert out[1]["flagged"] is False

    joined = items[0]["title"] + "\n" + items[0]["body"]
    assert_spans_point_into(out[0], joined)
    # evidence from the second field is anchored after the first field and the newline
    stealth = [d for d in out[0]["detections"] if d["text"] == "stealth"]
    assert stealth and stealth[0]["start"] == len(items[0]["title"]) + 1
    assert [i["type"] for i in out[0]["identifiers"]] == ["wickr"]


# --------------------------------------------------------------------------- CSV


def test_csv_in_csv_out_with_quoted_commas_quotes_and_newlines(cli, tmp_path):
    rows = [
        ["id", "text", "seller", "notes"],
        ["1", "Selling fentanyl powder 5g, DM for prices, ship worldwide", "vendor, inc.",
         'said "fast"\nsecond line'],
        ["2", "Hot chocolate with brown sugar\nand whipped cream, $4 at our cafe", "cafe", ""],
        ["3", "1g cocaine 90% pure", "anon", "é ü 中文"],
    ]  # fmt: skip
    with (tmp_path / "in.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    result = cli("scan", "in.csv", "-o", "out.csv")
    assert result.returncode == 0, result
    assert "skipped" not in result.stderr

    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    header, body = table[0], table[1:]
    assert header[: len(RESERVED)] == RESERVED
    assert {"seller", "notes"} <= set(header)
    out = [dict(zip(header, row, strict=True)) for row in body]
    assert [r["id"] for r in out] == ["1", "2", "3"]
    assert [r["flagged"] for r in out] == ["true", "false", "true"]
    assert [r["label"] for r in out] == ["offer", "none", "offer"]
    assert all(0.0 <= float(r["risk"]) <= 1.0 for r in out)
    assert out[0]["substances"].split(";") == ["fentanyl"]
    assert out[2]["substances"].split(";")[0] == "cocaine"
    # the pass-through columns survive quoting exactly
    assert [r["seller"] for r in out] == ["vendor, inc.", "cafe", "anon"]
    assert [r["notes"] for r in out] == ['said "fast"\nsecond line', "", "é ü 中文"]
    # nested evidence is JSON text whose spans point into the input text
    for record, row in zip(out, rows[1:], strict=True):
        detections = orjson.loads(record["detections"])
        for det in detections:
            assert row[1][det["start"] : det["end"]] == det["text"]
    assert "risk" in out[0]["reasons"] and " | " in out[0]["reasons"]


# --------------------------------------------------------------------------- Parquet


def test_parquet_in_parquet_out_nested_columns_and_extra_columns(cli, tmp_path):
    texts = [OFFER_WITH_IDS, EVERYDAY, NEWS]
    pq.write_table(
        pa.table(
            {
                "id": pa.array([10, 11, 12], pa.int64()),
                "text": texts,
                "lang": ["en", "en", "en"],
                "views": pa.array([5, 0, 7], pa.int32()),
            }
        ),
        tmp_path / "in.parquet",
    )
    result = cli("scan", "in.parquet", "-o", "out.parquet")
    assert result.returncode == 0, result

    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column_names == [*RESERVED, "lang", "views"]
    schema = table.schema
    for name in ("substances", "identifiers", "detections", "reasons"):
        assert pa.types.is_list(schema.field(name).type), name
    assert pa.types.is_struct(schema.field("substances").type.value_type)
    assert schema.field("views").type == pa.int32()
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == ["10", "11", "12"]
    assert [r["label"] for r in rows] == ["offer", "none", "mention"]
    assert [r["views"] for r in rows] == [5, 0, 7]
    offer = rows[0]
    assert offer["substances"][0]["id"] == "fentanyl"
    assert offer["substances"][0]["controls"]
    assert {i["type"] for i in offer["identifiers"]} == {"whatsapp", "btc"}
    for det in offer["detections"]:
        assert texts[0][det["start"] : det["end"]] == det["text"]
        assert isinstance(orjson.loads(det["attrs"]), dict)
    assert rows[1]["substances"] == [] and rows[1]["detections"][0]["kind"]


# --------------------------------------------------------------------------- plain text


def test_text_file_is_one_item_per_line(cli, tmp_path):
    (tmp_path / "chat.txt").write_bytes(
        f"{OFFER}\n\n{EVERYDAY}\r\n{PLAIN}\nno newline at the end, 1g cocaine 90% pure".encode()
    )
    result = cli("scan", "chat.txt", "-o", "out.jsonl")
    assert result.returncode == 0, result
    out = read_jsonl(tmp_path / "out.jsonl")
    # ids are line numbers; the blank line holds no item
    assert [r["id"] for r in out] == ["1", "3", "4", "5"]
    assert [r["label"] for r in out] == ["offer", "none", "none", "offer"]
    assert_spans_point_into(out[1], EVERYDAY)  # the \r of the CRLF is not part of the text


# --------------------------------------------------------------------------- stdin


def test_dash_reads_jsonl_from_stdin_before_the_next_input(cli, tmp_path):
    stdin = b"".join(
        orjson.dumps({"id": f"s{i}", "text": text}) + b"\n"
        for i, text in enumerate([OFFER, EVERYDAY, NEWS])
    )
    write_jsonl(tmp_path / "more.jsonl", [{"id": "f0", "text": PLAIN}])
    result = cli("scan", "-", "more.jsonl", stdin=stdin)  # records on stdout: not a terminal
    assert result.returncode == 0, result
    out = result.records()
    assert [r["id"] for r in out] == ["s0", "s1", "s2", "f0"]
    assert [r["label"] for r in out] == ["offer", "none", "mention", "none"]
    assert "screened 4 items" in result.stderr


# --------------------------------------------------------------------------- streaming


def test_streaming_200k_lines_in_batches_of_1000_keeps_every_item_in_order(cli, tmp_path):
    n = 200_000
    source = tmp_path / "big.jsonl"
    with source.open("wb") as handle:
        for i in range(n):
            text = OFFER if i % 1000 == 0 else f"message {i}: see you at {i % 24}h at gate {i % 7}"
            handle.write(orjson.dumps({"id": i, "text": text, "n": i}) + b"\n")
    result = cli("scan", "big.jsonl", "--batch-size", "1000", "-o", "out.jsonl", "--quiet")
    assert result.returncode == 0, result
    assert result.stderr == ""  # --quiet

    ids, flagged = [], []
    with (tmp_path / "out.jsonl").open("rb") as handle:
        for line in handle:
            record = orjson.loads(line)
            ids.append(int(record["id"]))
            if record["flagged"]:
                flagged.append(record["n"])
    assert len(ids) == n
    assert ids == list(range(n))
    assert flagged == list(range(0, n, 1000))


# --------------------------------------------------------------------------- output schema


_HETEROGENEOUS = [
    {"id": "1", "text": PLAIN},
    {"id": "2", "text": OFFER, "lang": "en"},
    {"id": "3", "text": EVERYDAY, "lang": "en", "seller": "shop"},
]


def test_jsonl_to_parquet_with_fields_appearing_after_the_first_batch(cli, tmp_path):
    write_jsonl(tmp_path / "in.jsonl", _HETEROGENEOUS)
    result = cli("scan", "in.jsonl", "--batch-size", "1", "-o", "out.parquet")
    assert "Traceback" not in result.stderr, result
    assert result.returncode == 0, result
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert orjson.loads(rows[2]["input_fields"]) == {"lang": "en", "seller": "shop"}


def test_jsonl_to_csv_keeps_fields_appearing_after_the_first_batch(cli, tmp_path):
    write_jsonl(tmp_path / "in.jsonl", _HETEROGENEOUS)
    result = cli("scan", "in.jsonl", "--batch-size", "1", "-o", "out.csv")
    assert result.returncode == 0, result
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as handle:
        out = list(csv.DictReader(handle))
    assert [r["id"] for r in out] == ["1", "2", "3"]
    # fields that vary from item to item travel as one JSON column, so no batch loses any
    fields = [orjson.loads(r["input_fields"]) if r["input_fields"] else {} for r in out]
    assert fields == [{}, {"lang": "en"}, {"lang": "en", "seller": "shop"}]
