"""A directory that keeps compiled pattern databases between runs, keyed by their content."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def default_cache_dir() -> Path:
    configured = os.environ.get("INTERDICTION_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "interdiction"


class DirectoryCache:
    """Best effort: an unreadable or unwritable directory means compiling again, never failing.

    What it holds is loaded as code-adjacent data (pickled term tables, hyperscan databases),
    so the directory is created private to its user (0700); point INTERDICTION_CACHE_DIR only
    at a directory nobody else can write.
    """

    def __init__(self, directory: Path | None = None):
        self.directory = (directory or default_cache_dir()) / "patterns"

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
