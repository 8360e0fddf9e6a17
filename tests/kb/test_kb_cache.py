"""load_kb keeps the parsed KB in the cache directory: never stale, never in the way."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interdiction.kb import load_kb
from interdiction.kb import loader as kb_loader
from interdiction.kb.cache import DirectoryCache

SOURCES = {"sources": [{"id": "curated", "name": "Curated"}]}


def write_kb(root: Path, slang: list[str]) -> Path:
    (root / "curated").mkdir(parents=True, exist_ok=True)
    entry = {
        "id": "fentanyl",
        "name": "Fentanyl",
        "class": "opioid",
        "sources": ["curated"],
        "names": {"slang": slang},
    }
    (root / "curated" / "opioids.yaml").write_text(
        yaml.safe_dump({"substances": [entry]}), encoding="utf-8"
    )
    (root / "sources.yaml").write_text(yaml.safe_dump(SOURCES), encoding="utf-8")
    return root


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("INTERDICTION_CACHE_DIR", str(directory))
    load_kb.cache_clear()  # the in-process cache would hide the directory's
    yield directory
    load_kb.cache_clear()


def fresh_load(directory: Path):
    load_kb.cache_clear()
    return load_kb(str(directory))


def cached_files(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "kb").glob("*"))


def test_a_second_load_comes_from_the_cache_and_equals_the_first(tmp_path, cache_dir, monkeypatch):
    root = write_kb(tmp_path / "kb", ["China white"])
    first = fresh_load(root)
    assert len(cached_files(cache_dir)) == 1

    def no_parsing(self):
        raise AssertionError("parsed again instead of read from the cache")

    monkeypatch.setattr(kb_loader._KBFiles, "build", no_parsing)
    second = fresh_load(root)
    assert second is not first
    assert second.substances == first.substances
    assert second.sources == first.sources
    assert second.fingerprint == first.fingerprint
    assert [s.id for s in second.lookup("china white")] == ["fentanyl"]


def test_changed_data_is_read_afresh(tmp_path, cache_dir):
    root = write_kb(tmp_path / "kb", ["China white"])
    before = fresh_load(root)
    write_kb(root, ["China white", "Apache"])
    after = fresh_load(root)
    assert after.fingerprint != before.fingerprint
    assert [s.id for s in after.lookup("apache")] == ["fentanyl"]
    assert len(cached_files(cache_dir)) == 2


def test_changed_loader_code_is_a_new_key(tmp_path, cache_dir, monkeypatch):
    root = write_kb(tmp_path / "kb", ["China white"])
    files = kb_loader._KBFiles.find(root)
    key = files.fingerprint()
    monkeypatch.setattr(kb_loader, "code_fingerprint", lambda *modules: "other code")
    assert files.fingerprint() != key


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a pickle", b"\x80\x05\x95 truncated"],
    ids=["empty", "garbage", "truncated"],
)
def test_a_damaged_cache_file_is_ignored_and_rebuilt(tmp_path, cache_dir, damage):
    root = write_kb(tmp_path / "kb", ["China white"])
    good = fresh_load(root)
    (entry,) = cached_files(cache_dir)
    entry.write_bytes(damage)
    again = fresh_load(root)
    assert again.substances == good.substances
    assert entry.read_bytes() != damage  # written anew


def test_an_unusable_cache_directory_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("INTERDICTION_CACHE_DIR", str(blocker / "cache"))
    root = write_kb(tmp_path / "kb", ["China white"])
    try:
        kb = fresh_load(root)
        assert [s.id for s in kb.lookup("china white")] == ["fentanyl"]
        assert DirectoryCache(section="kb").get(kb_loader._KBFiles.find(root).fingerprint()) is None
    finally:
        load_kb.cache_clear()
