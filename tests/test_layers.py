"""Imports point down (DESIGN.md, "Layers"): no package imports one of a higher layer, not even
inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import interdiction

PACKAGE = Path(interdiction.__file__).parent

# DESIGN.md's layers; 0 holds the plain helpers every layer may use (settings, plugin lookup,
# bundled samples), and the package's own __init__ and server entry point sit with the edges.
LAYER = {
    "settings": 0,
    "plugins": 0,
    "samples": 0,
    "model": 1,
    "kb": 2,
    "text": 3,
    "detect": 3,
    "score": 3,
    "ingest": 4,
    "pipeline": 4,
    "learn": 5,
    "store": 5,
    "auth": 5,
    "review": 5,
    "api": 6,
    "web": 6,
    "cli": 6,
    "server": 6,
}


def _top_package(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported_packages(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "interdiction" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_package_has_a_layer():
    packages = {_top_package(p) for p in PACKAGE.rglob("*.py")} - {"__init__"}
    assert packages <= LAYER.keys(), f"give these a layer: {sorted(packages - LAYER.keys())}"


def test_imports_point_down():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _top_package(path)
        if own == "__init__":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for imported in _imported_packages(tree):
            if LAYER.get(imported, 0) > LAYER[own]:
                upward.append(f"{path.relative_to(PACKAGE)} imports interdiction.{imported}")
    assert not upward, "imports that point up:\n" + "\n".join(upward)
