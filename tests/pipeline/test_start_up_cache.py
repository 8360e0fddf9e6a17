"""What start-up builds is kept in the cache directory: the same findings whether built now or
read back, and a damaged or unusable cache only costs time."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from interdiction.detect.base import DetectorContext, available_detectors
from interdiction.kb.cache import DirectoryCache, cached_object, code_fingerprint
from interdiction.text.batch import TextBatch
from interdiction.text.engine import PatternSet


class Counting:
    def __init__(self, value):
        self.value = value
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_cached_object_builds_once_per_key(tmp_path):
    cache = DirectoryCache(tmp_path)
    build = Counting({"terms": [1, 2, 3]})
    assert cached_object(cache, "k", build) == {"terms": [1, 2, 3]}
    assert cached_object(cache, "k", build) == {"terms": [1, 2, 3]}
    assert build.calls == 1
    cached_object(cache, "other", build)
    assert build.calls == 2


def test_cached_object_rebuilds_a_damaged_entry(tmp_path):
    cache = DirectoryCache(tmp_path)
    build = Counting([1, 2, 3])
    cached_object(cache, "k", build)
    (tmp_path / "patterns" / "k").write_bytes(b"\x80\x05 damaged")
    assert cached_object(cache, "k", build) == [1, 2, 3]
    assert build.calls == 2
    assert cached_object(cache, "k", build) == [1, 2, 3]
    assert build.calls == 2  # the rebuilt entry was kept


def test_an_unwritable_cache_directory_builds_every_time(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cache = DirectoryCache(blocker)
    build = Counting("value")
    assert cached_object(cache, "k", build) == "value"
    assert cached_object(cache, "k", build) == "value"
    assert build.calls == 2


def test_a_damaged_pattern_database_is_compiled_afresh(tmp_path):
    cache = DirectoryCache(tmp_path)
    patterns = [b"fentanyl", b"heroin"]
    PatternSet(patterns, literal=True, cache=cache)
    for entry in (tmp_path / "patterns").iterdir():
        entry.write_bytes(b"damaged")
    again = PatternSet(patterns, literal=True, cache=cache)
    assert list(again.scan(TextBatch(["pure heroin"]), "lower")) == [(1, 0, 5, 11)]


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_code_fingerprint_follows_the_source(tmp_path):
    source = tmp_path / "folding.py"
    source.write_text("TABLE = {'0': 'o'}\n")
    before = code_fingerprint(load_module(source, "folding_a"))
    source.write_text("TABLE = {'0': 'o', '1': 'i'}\n")
    assert code_fingerprint(load_module(source, "folding_b")) != before


def example_texts() -> list[str]:
    texts = [e.text for cls in available_detectors().values() for e in cls.examples]
    return [*texts, "InChIKey PJMPHNIQZUBGLI-UHFFFAOYSA-N", "fеntanyl 1g, DM @dealer on telegram"]


def findings(kb, cache) -> list[list[tuple]]:
    context = DetectorContext(kb=kb, pattern_cache=cache)
    detectors = [cls(context) for cls in available_detectors().values()]
    batch = TextBatch(example_texts())
    per_item: list[list[tuple]] = [[] for _ in range(len(batch))]
    for detector in detectors:
        for item, found in enumerate(detector.detect(batch)):
            per_item[item].extend(
                (d.detector, d.kind, d.start, d.end, d.value, d.weight, sorted(d.attrs.items()))
                for d in found
            )
    return per_item


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # OPSIN may be missing where this runs
def test_detectors_find_the_same_with_a_cold_a_warm_or_no_cache(kb, tmp_path):
    cache = DirectoryCache(tmp_path)
    uncached = findings(kb, None)
    cold = findings(kb, cache)
    kept = {entry.name for entry in (tmp_path / "patterns").iterdir()}
    assert any(name.startswith("terms-") for name in kept)
    assert any(name.startswith("kb-structures-") for name in kept)
    warm = findings(kb, cache)
    assert {entry.name for entry in (tmp_path / "patterns").iterdir()} == kept
    assert cold == uncached
    assert warm == uncached
