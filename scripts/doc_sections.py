"""Rewrite the generated section of a markdown document, between its two marker comments."""

from __future__ import annotations

from pathlib import Path


def replace_section(
    path: Path, start: str, end: str, block: str, intro: str, heading: str = ""
) -> None:
    """Put ``block`` between the ``start`` and ``end`` markers of ``path``, keeping everything
    else; a missing file starts from ``intro``, and missing markers go at its end."""
    text = path.read_text(encoding="utf-8") if path.exists() else intro
    section = f"{start}\n{block}{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + heading + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
