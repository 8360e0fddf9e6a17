"""``interdiction kb``: look up, search, count and validate the substance knowledge base."""

from __future__ import annotations

import difflib
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from interdiction.kb import KBError, load_kb

app = typer.Typer(help="The substance knowledge base.", no_args_is_help=True)


def _kb():
    try:
        return load_kb()
    except KBError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="id, name, synonym, CAS number or InChIKey")],
) -> None:
    """Everything the KB holds on one substance."""
    kb = _kb()
    matches = kb.lookup(name)
    by_id = kb.get(name) or kb.by_cas(name) or (kb.by_inchikey(name) if len(name) == 27 else None)
    if by_id and by_id not in matches:
        matches.insert(0, by_id)
    if not matches:
        similar = [s.name for s, _ in kb.search(name, limit=5)] or _close_names(kb, name)
        hint = f"; similar: {', '.join(similar)}" if similar else ""
        Console(stderr=True).print(
            f"no substance named {name!r}{hint} (try: interdiction kb search TEXT)",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    console = Console()
    for sub in matches:
        table = Table(title=f"{sub.name}  ({sub.id})", show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column()
        table.add_row(
            "class", sub.substance_class + (f" ({sub.type})" if sub.type != "substance" else "")
        )
        for label, value in (("CAS", ", ".join(sub.cas)), ("InChIKey", sub.inchikey),
                             ("SMILES", sub.smiles), ("systematic", sub.systematic_name),
                             ("note", sub.note)):  # fmt: skip
            if value:
                table.add_row(label, value)
        for control in sub.controls:
            since = f" since {control.since}" if control.since else ""
            table.add_row(
                "control",
                f"{control.regime} {control.schedule}{since}  [dim]{control.source or ''}[/]",
            )
        kinds: dict[str, list[str]] = {}
        for n in sub.names:
            kinds.setdefault(n.kind, []).append(n.text)
        for kind, texts in kinds.items():
            table.add_row(f"names: {kind}", ", ".join(dict.fromkeys(texts)))
        table.add_row("sources", ", ".join(sub.sources))
        console.print(table)


def _close_names(kb, name: str) -> list[str]:
    """Names a typo may have meant ("fentanyll" -> Fentanyl)."""
    names = {n.text: sub.name for sub in kb.substances.values() for n in sub.names if not n.weak}
    close = difflib.get_close_matches(name, list(names), n=5, cutoff=0.8)
    return list(dict.fromkeys(names[c] for c in close))


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="part of a name")],
    limit: Annotated[int, typer.Option(help="at most this many")] = 20,
) -> None:
    """Substances with a name containing TEXT."""
    kb = _kb()
    table = Table("id", "name", "matched name", "kind", "class")
    for sub, name in kb.search(text, limit=limit):
        table.add_row(sub.id, sub.name, name.text, name.kind, sub.substance_class)
    Console().print(table)


@app.command("stats")
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts: substances by class and regime, names by kind and language, identifiers."""
    from interdiction.kb.validate import kb_stats

    figures = kb_stats(_kb())
    if as_json:
        typer.echo(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode())
        return
    console = Console()
    for key, value in figures.items():
        if isinstance(value, dict):
            console.print(f"[bold]{key}[/]: " + ", ".join(f"{k} {v}" for k, v in value.items()))
        else:
            console.print(f"[bold]{key}[/]: {value}")


@app.command("validate")
def validate(
    structures: Annotated[bool, typer.Option(help="check SMILES/InChIKey/OPSIN agreement")] = True,
) -> None:
    """Check CAS check digits, duplicate names, sources, dates and structures; exit 1 on errors."""
    from interdiction.kb.validate import validate_kb  # loads RDKit and OPSIN only when asked

    report = validate_kb(_kb(), structures=structures)
    console = Console()
    for issue in report.errors:
        console.print(
            f"[bold red]error[/] {issue.substance_id} {issue.field}: {issue.message}",
            highlight=False,
        )
    for issue in report.warnings:
        console.print(
            f"[yellow]warning[/] {issue.substance_id} {issue.field}: {issue.message}",
            highlight=False,
        )
    console.print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    raise typer.Exit(0 if report.ok else 1)
