"""``interdiction scan`` on inputs that are unusable as a whole (missing, a directory, empty,
binary, not the format their name says): exit code 2 and one clear ``error:`` line on stderr
that names the file, never a Python traceback.

Each case runs the CLI once; the tests below share the result.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

LONG_DIR = "exports_from_the_marketplace_scraper_run_of_2024_11_23_all_vendors"


def _jsonl() -> bytes:
    return orjson.dumps({"id": "1", "text": "selling f3ntanyl 10g, tg @plug"}) + b"\n"


def _parquet() -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.table({"id": ["1"], "text": ["hello there"]}), sink)
    return sink.getvalue()


@dataclass(frozen=True)
class Case:
    name: str  # the input the user named
    make: Callable[[Path], None]  # creates it (or not) in the working directory
    says: str  # what the message must say
    args: tuple[str, ...] = ()


def _nothing(_: Path) -> None:
    pass


def _write(name: str, content: bytes) -> Callable[[Path], None]:
    def make(directory: Path) -> None:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(content)

    return make


CASES = {
    "missing": Case("listings.jsonl", _nothing, "no such file"),
    "directory": Case("listings", lambda d: (d / "listings").mkdir(), "is a directory"),
    "empty": Case("listings.jsonl", _write("listings.jsonl", b""), "empty"),
    # a compressed export someone forgot to decompress: NUL bytes in the gzip header
    "binary": Case("listings.jsonl", _write("listings.jsonl", gzip.compress(_jsonl())), "binary"),
    "parquet-named-jsonl": Case("items.jsonl", _write("items.jsonl", _parquet()), "Parquet"),
    "broken-parquet": Case(
        "items.parquet", _write("items.parquet", b"PAR1 cut short"), "not a readable Parquet"
    ),
    "csv-without-text-column": Case(
        "posts.csv", _write("posts.csv", b"id,body\n1,hello\n"), "no text column"
    ),
    "unknown-format": Case(
        "posts.xml", _write("posts.xml", b"<posts/>"), "unknown input format", ("--format", "xml")
    ),
    "missing-long-path": Case(f"{LONG_DIR}/listings.jsonl", _nothing, "no such file"),
}


@pytest.fixture(scope="module")
def scanned(cli_in, tmp_path_factory):
    """The CLI's answer to each case, run once per case in its own directory."""
    results = {}

    def result(case_id: str):
        if case_id not in results:
            case = CASES[case_id]
            directory = tmp_path_factory.mktemp(case_id)
            case.make(directory)
            results[case_id] = cli_in(directory, "scan", case.name, *case.args, "-o", "out.jsonl")
        return results[case_id]

    return result


EXIT_CASES = list(CASES)


@pytest.mark.parametrize("case_id", EXIT_CASES)
def test_unusable_input_exits_2_with_an_error_and_no_traceback(scanned, case_id):
    result = scanned(case_id)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr, result
    assert result.stderr.startswith("error: "), result
    assert CASES[case_id].says in " ".join(result.stderr.split()), result


NAMED_CASES = [
    "missing",
    "directory",
    "empty",
    "binary",
    "parquet-named-jsonl",
    "broken-parquet",
    "csv-without-text-column",
]


@pytest.mark.parametrize("case_id", NAMED_CASES)
def test_unusable_input_message_names_the_file(scanned, case_id):
    result = scanned(case_id)
    assert CASES[case_id].name in result.stderr, result


ONE_LINE_CASES = [
    "missing",
    "directory",
    "empty",
    "binary",
    "parquet-named-jsonl",
    "csv-without-text-column",
    "broken-parquet",
    "missing-long-path",
]


@pytest.mark.parametrize("case_id", ONE_LINE_CASES)
def test_unusable_input_message_is_a_single_line(scanned, case_id):
    result = scanned(case_id)
    assert len(result.stderr.strip().splitlines()) == 1, result
    assert result.stderr.endswith("\n")
