"""Plugins (detectors, readers) found through installed entry points, so a new one plugs in
without editing a switch."""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points


def load_plugins(group: str, what: str) -> dict[str, type]:
    """Classes registered in an entry-point group, by their ``name`` attribute, sorted.

    A plugin that fails to import is reported with a warning and left out: one broken
    third-party package must not stop screening.
    """
    found: dict[str, type] = {}
    for ep in entry_points(group=group):
        try:
            cls = ep.load()
        except Exception as exc:  # any import error of someone else's package
            warnings.warn(f"{what} plugin {ep.name!r} failed to load: {exc}", stacklevel=3)
            continue
        found[cls.name] = cls
    return dict(sorted(found.items()))
