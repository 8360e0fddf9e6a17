"""``interdiction scan`` on inputs with unusable items: with ``--on-error skip`` (the default)
the good items are all written, the bad ones counted on stderr with their line numbers and
listed in ``--rejects``; with ``--on-error fail`` the scan stops with exit code 2 naming the line.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

OFFER = "selling f3ntanyl 10g, tg @plug, BTC only"
PLAIN = "see you at the station at six"
TEN_MB = 10_000_000


def read_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def folded(text: str) -> str:
    """Rich wraps long stderr lines at 80 columns: compare messages with whitespace folded."""
    return " ".join(text.split())


def reported_lines(stderr: str, source: str) -> list[int]:
    return [int(n) for n in re.findall(rf"{re.escape(source)}: line (\d+)", folded(stderr))]


def _bad_jsonl(path: Path) -> Path:
    lines = [
        orjson.dumps({"id": "ok-1", "text": OFFER}),  # 1
        b'{"id": "latin1", "text": "caf\xe9 cr\xe8me, 2 for $5"}',  # 2: Latin-1, not UTF-8
        orjson.dumps({"id": "ok-3", "text": PLAIN}),  # 3
        b'{"id": "broken", "text": "no closing quote}',  # 4: malformed JSON
        orjson.dumps({"id": "no-text", "body": "the text is under another key"}),  # 5
        orjson.dumps({"id": "blank", "text": " \t "}),  # 6: empty text
        orjson.dumps({"id": "huge", "text": "spam " * (TEN_MB // 5)}),  # 7: a 10 MB item
        orjson.dumps({"id": "ok-8", "text": "1g cocaine 90% pure"}),  # 8
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


BAD_LINES = [2, 4, 5, 6, 7]


def test_skip_writes_every_good_item_and_reports_bad_ones_with_line_numbers(cli, tmp_path):
    _bad_jsonl(tmp_path / "in.jsonl")
    result = cli("scan", "in.jsonl", "-o", "out.jsonl", "--rejects", "rejects.jsonl")
    assert result.returncode == 0, result
    assert "Traceback" not in result.stderr

    out = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == ["ok-1", "ok-3", "ok-8"]
    assert [r["label"] for r in out] == ["offer", "none", "offer"]

    message = folded(result.stderr)
    assert "screened 3 items" in message
    assert "skipped 5 unusable item(s)" in message, result
    assert reported_lines(result.stderr, "in.jsonl") == BAD_LINES, result
    for reason in ("invalid UTF-8", "malformed JSON", "no text field", "empty text", "10.0 MB"):
        assert reason in message, (reason, result)

    rejects = read_jsonl(tmp_path / "rejects.jsonl")
    assert [r["line"] for r in rejects] == BAD_LINES
    assert {r["input"] for r in rejects} == {"in.jsonl"}
    assert all(r["reason"] for r in rejects)
    by_line = {r["line"]: r for r in rejects}
    assert (by_line[5]["id"], by_line[6]["id"]) == ("no-text", "blank")
    assert "empty text" in by_line[6]["reason"]


def test_on_error_fail_exits_2_naming_the_first_bad_line(cli, tmp_path):
    _bad_jsonl(tmp_path / "in.jsonl")
    result = cli("scan", "in.jsonl", "-o", "out.jsonl", "--on-error", "fail")
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    message = folded(result.stderr)
    assert message.startswith("error:"), result
    assert "in.jsonl: line 2: invalid UTF-8" in message, result
    assert "--on-error skip" in message  # says how to go on


def test_text_input_skips_undecodable_and_oversized_lines(cli, tmp_path):
    (tmp_path / "chat.txt").write_bytes(
        OFFER.encode() + b"\n"
        + b"d\xe9j\xe0 vu\n"  # Latin-1
        + b"x" * TEN_MB + b"\n"
        + PLAIN.encode() + b"\n"
    )  # fmt: skip
    result = cli("scan", "chat.txt", "-o", "out.jsonl", "--rejects", "rejects.jsonl")
    assert result.returncode == 0, result
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["1", "4"]
    assert reported_lines(result.stderr, "chat.txt") == [2, 3], result
    assert [r["line"] for r in read_jsonl(tmp_path / "rejects.jsonl")] == [2, 3]


def test_csv_skips_ragged_undecodable_and_empty_rows(cli, tmp_path):
    (tmp_path / "in.csv").write_bytes(
        b"id,text,lang\n"
        b'1,"selling f3ntanyl, 10g, tg @plug",en\n'  # 2
        b"2,only two fields\n"  # 3: ragged
        b"3,caf\xe9 cr\xe8me,fr\n"  # 4: Latin-1
        b"4,,en\n"  # 5: empty text
        b'5,"multi\nline, fine",en\n'  # 6-7
        b"6,one field too many,en,extra\n"  # 8: ragged
        b"7,1g cocaine 90% pure,en\n"  # 9
    )
    result = cli("scan", "in.csv", "-o", "out.csv", "--rejects", "rejects.jsonl")
    assert result.returncode == 0, result
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as handle:
        out = list(csv.DictReader(handle))
    assert [r["id"] for r in out] == ["1", "5", "7"]
    assert [r["lang"] for r in out] == ["en", "en", "en"]
    assert reported_lines(result.stderr, "in.csv") == [3, 4, 5, 8], result
    assert [r["line"] for r in read_jsonl(tmp_path / "rejects.jsonl")] == [3, 4, 5, 8]


def test_parquet_skips_null_empty_and_oversized_texts(cli, tmp_path):
    texts = [OFFER, None, "   ", "y" * 2_000_000, PLAIN]
    pq.write_table(
        pa.table({"id": ["a", "b", "c", "d", "e"], "text": texts}), tmp_path / "in.parquet"
    )
    result = cli("scan", "in.parquet", "-o", "out.jsonl", "--rejects", "rejects.jsonl")
    assert result.returncode == 0, result
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["a", "e"]
    rejects = read_jsonl(tmp_path / "rejects.jsonl")
    assert [(r["line"], r["id"]) for r in rejects] == [(2, "b"), (3, "c"), (4, "d")]
    assert "MB" in rejects[2]["reason"]


def test_csv_item_of_200_kb_is_screened(cli, tmp_path):
    long_post = "Selling fentanyl powder 5g, DM for prices. " + "More details follow. " * 10_000
    with (tmp_path / "in.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["id", "text"], ["1", PLAIN], ["2", long_post]])
    result = cli("scan", "in.csv", "-o", "out.jsonl")
    assert result.returncode == 0, result
    out = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == ["1", "2"]
    assert out[1]["label"] == "offer"


def test_csv_item_of_10_mb_is_skipped_not_fatal(cli, tmp_path):
    (tmp_path / "in.csv").write_bytes(
        b'id,text\n1,"'
        + OFFER.encode()
        + b'"\n2,'
        + b"z" * TEN_MB
        + b'\n3,"'
        + PLAIN.encode()
        + b'"\n'
    )
    result = cli("scan", "in.csv", "-o", "out.jsonl")
    assert result.returncode == 0, result
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["1", "3"]
    assert reported_lines(result.stderr, "in.csv") == [3]
