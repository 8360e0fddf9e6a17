"""Terminal rendering of verdicts: the text with its evidence highlighted, and tables."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interdiction.model import Assessment, Label

STYLES = {
    "substance": "bold red",
    "inchikey": "bold red",
    "cas": "bold magenta",
    "analogue": "bold magenta",
    "identifier": "bold cyan",
    "trade": "bold yellow",
    "solicitation": "bold yellow",
    "context": "bold green",
}
LABEL_STYLES = {
    Label.OFFER: "bold white on red",
    Label.MENTION: "black on yellow",
    Label.NONE: "dim",
}


def highlighted(text: str, assessment: Assessment) -> Text:
    out = Text(text)
    for det in assessment.detections:
        weak = det.attrs.get("match") == "weak"
        style = STYLES.get(det.kind, "bold")
        out.stylize(f"{style} underline" if weak else style, det.start, det.end)
    return out


def verdict_panel(item_id: str, text: str, assessment: Assessment) -> Panel:
    title = Text.assemble(
        (f" {assessment.label.value.upper()} ", LABEL_STYLES[assessment.label]),
        f"  risk {assessment.risk:.2f}  ",
        (item_id, "dim"),
    )
    evidence = Table.grid(padding=(0, 1))
    evidence.add_column(style="dim")
    evidence.add_column()
    for det in assessment.detections:
        detail = det.value or ""
        extra = det.attrs.get("type") or det.attrs.get("name_kind") or ""
        how = ", ".join(det.attrs.get("obfuscation") or ())
        line = Text.assemble(
            (repr(det.text), STYLES.get(det.kind, "bold")),
            f"  {det.kind}",
            f" {extra}" if extra else "",
            f" -> {detail}" if detail else "",
            (f"  [{how}]" if how else "", "italic"),
            (f"  @{det.start}-{det.end} by {det.detector}", "dim"),
        )
        evidence.add_row("evidence", line)
    for reason in assessment.reasons:
        evidence.add_row("reason", Text(reason))
    return Panel(Group(highlighted(text, assessment), evidence), title=title, title_align="left")


def summary_table(rows: list[tuple[str, str, Assessment]], max_text: int = 70) -> Table:
    table = Table(show_lines=False, expand=False)
    table.add_column("id", style="dim", no_wrap=True)
    table.add_column("label")
    table.add_column("risk", justify="right")
    table.add_column("text")
    table.add_column("substances")
    for item_id, text, assessment in rows:
        substances = sorted(
            {
                str(d.value)
                for d in assessment.detections
                if d.kind == "substance" and not d.attrs.get("ignored")
            }
        )
        shown = text if len(text) <= max_text else text[: max_text - 1] + "…"
        table.add_row(
            item_id,
            Text(assessment.label.value, LABEL_STYLES[assessment.label]),
            f"{assessment.risk:.2f}",
            highlighted(shown, _clipped(assessment, len(shown))),
            ", ".join(substances),
        )
    return table


def _clipped(assessment: Assessment, length: int) -> Assessment:
    kept = [d for d in assessment.detections if d.end <= length]
    return Assessment(assessment.label, assessment.risk, assessment.flagged, [], kept)


def stderr_console() -> Console:
    return Console(stderr=True)
