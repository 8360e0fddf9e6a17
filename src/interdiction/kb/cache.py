"""A directory that keeps what start-up builds (the parsed KB, term tables, compiled pattern
databases) between runs, keyed by a hash of everything that determines it."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Protocol, TypeVar

T = TypeVar("T")


def default_cache_dir() -> Path:
    configured = os.environ.get("INTERDICTION_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "interdiction"


def code_fingerprint(*modules: ModuleType) -> str:
    """Hash of the source of ``modules`` and of the Python version: part of the key of anything
    they compute that is cached (a change to the code must not be served an old result)."""
    digest = hashlib.sha256(sys.version.encode())
    for module in modules:
        source = Path(module.__file__ or "").read_bytes()
        digest.update(len(source).to_bytes(8, "little") + source)
    return digest.hexdigest()[:16]


class BytesCache(Protocol):
    """Where what start-up builds may be kept between runs (DirectoryCache, or a test's)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


def cached_object(cache: BytesCache | None, key: str, build: Callable[[], T]) -> T:
    """What ``build()`` returned for this ``key`` before (pickled in ``cache``), else build it
    now and keep it. The key must change with every input of ``build``."""
    if cache is None:
        return build()
    stored = cache.get(key)
    if stored is not None:
        try:
            return pickle.loads(stored)
        except Exception:  # a damaged or truncated file fails in many ways: build afresh
            pass
    value = build()
    cache.put(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


class DirectoryCache:
    """Best effort: an unreadable or unwritable directory means building again, never failing.

    What it holds is loaded as code-adjacent data (pickled KB and term tables, hyperscan
    databases), so the directory is created private to its user (0700); point
    INTERDICTION_CACHE_DIR only at a directory nobody else can write. ``section`` is the
    subdirectory, one per kind of content.
    """

    def __init__(self, directory: Path | None = None, section: str = "patterns"):
        self.directory = (directory or default_cache_dir()) / section

    def get(self, key: str) -> bytes | None:
        try:
            return (self.directory / key).read_bytes()
        except OSError:
            return None

    def put(self, key: str, data: bytes) -> None:
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            # write then rename, so a concurrent reader never sees half a file
            with tempfile.NamedTemporaryFile(dir=self.directory, delete=False) as handle:
                handle.write(data)
            os.replace(handle.name, self.directory / key)
        except OSError:
            return
