"""The naive baseline: one Python ``re`` alternation of the KB names, run message by message.

The names are exactly those the substance detector compiles (its ``compile_terms``), in their
KB spelling, escaped, longest first, case-insensitive and word-bounded; every match of every
message is found (``findall``). Prints one JSON line: items, names, compile and match seconds,
and how many items matched.

    python bench/naive_regex.py bench/out/corpus.parquet --sample 20000
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import pyarrow.parquet as pq

from interdiction.detect.substances import compile_terms
from interdiction.kb import load_kb


def kb_names() -> list[str]:
    kb = load_kb()
    groups = [g for weak in (False, True) for g in compile_terms(kb, weak)[1]]
    return sorted({term.name for group in groups for term in group})


def alternation(names: list[str]) -> re.Pattern[str]:
    ordered = sorted(map(re.escape, names), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(ordered) + r")\b", re.I)


def read_sample(corpus: Path, sample: int) -> list[str]:
    batch = next(pq.ParquetFile(corpus).iter_batches(batch_size=sample, columns=["text"]))
    return batch.column("text").to_pylist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sample", type=int, default=20_000, help="first N messages")
    args = parser.parse_args()
    texts = read_sample(args.corpus, args.sample)
    names = kb_names()
    started = time.perf_counter()
    pattern = alternation(names)
    compiled = time.perf_counter()
    matched = sum(1 for text in texts if pattern.findall(text))
    finished = time.perf_counter()
    result = {
        "items": len(texts),
        "names": len(names),
        "compile_seconds": compiled - started,
        "match_seconds": finished - compiled,
        "items_matched": matched,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
