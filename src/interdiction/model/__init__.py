"""Shared vocabulary: plain typed records, no I/O."""

from interdiction.model.records import (
    Assessment,
    Control,
    Detection,
    Item,
    Label,
    Name,
    Substance,
)

__all__ = ["Assessment", "Control", "Detection", "Item", "Label", "Name", "Substance"]
