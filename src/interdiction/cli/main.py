"""The ``interdiction`` command line: thin, parses input, calls a capability, renders output."""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from typer.core import TyperGroup

from interdiction.cli import kb_commands, model_commands
from interdiction.cli.render import stderr_console, summary_table, verdict_panel
from interdiction.ingest.base import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_ITEM_BYTES,
    InputError,
    ReadOptions,
)
from interdiction.kb import KBError
from interdiction.pipeline.output import RecordBuilder, Sink, open_sink
from interdiction.pipeline.run import ItemsRejected, ScanSummary, keep_freed_memory, scan
from interdiction.pipeline.screen import Screener


class _ServiceCommandsOnUse(TyperGroup):
    """The review-service commands (cli/service_commands.py) import the database and web stack,
    about a second: they are added only when a command other than ours is asked for, or listed."""

    _services_added = False

    def list_commands(self, ctx) -> list[str]:
        self._add_service_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx, cmd_name: str):
        if cmd_name not in self.commands:  # a service command, or a typo to suggest one for
            self._add_service_commands()
        return super().get_command(ctx, cmd_name)

    def _add_service_commands(self) -> None:
        if self._services_added:
            return
        from interdiction.cli import service_commands

        services = typer.Typer()
        service_commands.register(services)
        merged = {**self.commands, **typer.main.get_group(services).commands}
        # commands before groups, as typer lists a group built in one go
        self.commands = dict(sorted(merged.items(), key=lambda kv: isinstance(kv[1], TyperGroup)))
        self._services_added = True


app = typer.Typer(
    cls=_ServiceCommandsOnUse,
    help="Find and explain evidence of online trafficking of dangerous substances.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(kb_commands.app, name="kb")
app.add_typer(model_commands.app, name="model")

EXIT_UNUSABLE_INPUT = 2
SAMPLE = "samples/listings.jsonl"


def _fail(message: str, code: int = EXIT_UNUSABLE_INPUT) -> typer.Exit:
    stderr_console().print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _screener(threshold: float, detectors: list[str] | None, phone_region: str | None) -> Screener:
    try:
        return Screener.create(
            detector_names=detectors or None,
            threshold=threshold,
            options={"phone_region": phone_region} if phone_region else None,
        )
    except (KBError, ValueError) as exc:
        raise _fail(str(exc)) from exc


def _use_model(screener: Screener, model: Path | None, no_model: bool) -> Screener:
    """Rules + the default model (or ``model``), or the rules alone with ``no_model``."""
    if no_model:
        return screener
    from interdiction.learn.embedding import use_any_model
    from interdiction.learn.model import ModelFileError

    try:
        return use_any_model(screener, model)
    except ModelFileError as exc:
        raise _fail(f"{exc} (--no-model screens with the rules alone)") from exc


ModelOption = Annotated[
    Path | None,
    typer.Option("--model", help="offer model file [default: the model shipped in the package]"),
]
NoModelOption = Annotated[
    bool, typer.Option("--no-model", help="the rules alone, without the learned model")
]


class _TableSink(Sink):
    """Collects verdicts and prints them as a table when the scan ends."""

    def __init__(self, console: Console):
        self.console = console
        self.rows: list = []

    def write(self, batch, assessments) -> None:
        self.rows.extend(zip(batch.ids, batch.texts, assessments, strict=True))

    def close(self) -> None:
        self.console.print(summary_table(self.rows))


def _report(summary: ScanSummary, profile: bool, quiet: bool) -> None:
    err = stderr_console()
    if not quiet:
        labels = summary.labels
        err.print(
            f"screened {summary.items:,} items: {labels['offer']:,} offer (flagged), "
            f"{labels['mention']:,} mention, {labels['none']:,} none",
            highlight=False,
        )
    if summary.skipped:
        err.print(
            f"[bold yellow]skipped {summary.skipped:,} unusable item(s)[/] (--on-error fail stops "
            "at the first):",
            highlight=False,
        )
        for path, error in summary.errors[:20]:
            item = f" (id {error.item_id})" if error.item_id else ""
            err.print(f"  {path}: line {error.line}{item}: {error.message}", highlight=False)
        if summary.skipped > 20:
            err.print(f"  … and {summary.skipped - 20:,} more (use --rejects FILE for all)")
    if profile:
        total = sum(summary.seconds.values()) or 1.0
        shares = {
            k: {"seconds": round(v, 4), "share": round(v / total, 4)}
            for k, v in summary.seconds.items()
        }
        sys.stderr.write(orjson.dumps({"items": summary.items, "stages": shares}).decode() + "\n")


@app.command("scan")
def scan_command(
    inputs: Annotated[
        list[str], typer.Argument(help="JSONL, CSV, Parquet or text files; - for JSONL on stdin")
    ],
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="OUT.jsonl|.parquet|.csv; default: stdout")
    ] = None,
    text_field: Annotated[
        list[str] | None, typer.Option("--text-field", help="text field (repeat to join several)")
    ] = None,
    id_field: Annotated[str, typer.Option(help="field holding the item id")] = "id",
    input_format: Annotated[
        str | None, typer.Option("--format", help="jsonl|csv|parquet|text (default: by extension)")
    ] = None,
    on_error: Annotated[
        str, typer.Option(help="skip: count and report bad items; fail: stop")
    ] = "skip",
    rejects: Annotated[
        Path | None, typer.Option(help="write every skipped item's line and reason here")
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="risk at which an item is an offer (flagged)")
    ] = 0.5,
    detectors: Annotated[
        list[str] | None, typer.Option("--detector", help="only these detectors")
    ] = None,
    phone_region: Annotated[
        str | None, typer.Option(help="region for phone numbers written without +, e.g. GB")
    ] = None,
    max_item_bytes: Annotated[
        int, typer.Option(help="larger items are rejected")
    ] = DEFAULT_MAX_ITEM_BYTES,
    batch_size: Annotated[
        int, typer.Option(help="items per batch (memory is bounded by it)")
    ] = DEFAULT_BATCH_SIZE,
    table: Annotated[
        bool, typer.Option("--table", help="print a table instead of records")
    ] = False,
    profile: Annotated[
        bool, typer.Option(help="print each stage's time as JSON on stderr")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no summary or progress")] = False,
    model: ModelOption = None,
    no_model: NoModelOption = False,
) -> None:
    """Screen items and write one verdict record per item, in input order."""
    if on_error not in ("skip", "fail"):
        raise _fail("--on-error must be skip or fail")
    if not 0.0 <= threshold <= 1.0:
        raise _fail("--threshold must be between 0 and 1")
    options = ReadOptions(
        text_fields=tuple(text_field or ("text",)),
        id_field=id_field,
        max_item_bytes=max_item_bytes,
        batch_size=max(1, batch_size),
    )
    keep_freed_memory()  # this process's work is the scan: batch after batch of large buffers
    screener = _use_model(_screener(threshold, detectors, phone_region), model, no_model)
    show_table = table or (output is None and sys.stdout.isatty())
    try:
        sink = (
            _TableSink(Console()) if show_table else open_sink(output, RecordBuilder(screener.kb))
        )
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc}") from exc
    try:
        rejects_file = rejects.open("wb") if rejects is not None else None
    except OSError as exc:
        raise _fail(f"cannot write {rejects}: {exc}") from exc

    def reject(path: str, error) -> None:
        line = {"input": path, "line": error.line, "id": error.item_id, "reason": error.message}
        rejects_file.write(orjson.dumps(line) + b"\n")

    on_reject = reject if rejects_file is not None else None
    sizes = {p: Path(p).stat().st_size for p in inputs if p != "-" and Path(p).is_file()}
    use_bar = not quiet and sys.stderr.isatty() and sum(sizes.values()) > 5_000_000
    try:
        if use_bar:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn  # if shown

            columns = (TextColumn("{task.description}"), BarColumn(),
                       TextColumn("{task.fields[items]:,} items"), TimeElapsedColumn())  # fmt: skip
            with Progress(*columns, console=stderr_console(), transient=True) as bar:
                tasks = {p: bar.add_task(p, total=sizes.get(p), items=0) for p in inputs}
                summary = scan(
                    inputs, screener, sink, options, input_format, on_error,
                    progress=lambda p, done, n: bar.update(tasks[p], completed=done, items=n),
                    on_reject=on_reject,
                )  # fmt: skip
        else:
            summary = scan(
                inputs, screener, sink, options, input_format, on_error, on_reject=on_reject
            )
    except InputError as exc:
        raise _fail(str(exc)) from exc
    except ItemsRejected as exc:
        raise _fail(f"{exc} (use --on-error skip to skip and count such items)") from exc
    finally:
        if rejects_file is not None:
            rejects_file.close()
    _report(summary, profile, quiet)


@app.command("explain")
def explain_command(
    text: Annotated[str, typer.Argument(help="the text to screen")],
    as_json: Annotated[bool, typer.Option("--json", help="print the output record")] = False,
    threshold: Annotated[float, typer.Option(help="risk at which an item is an offer")] = 0.5,
    model: ModelOption = None,
    no_model: NoModelOption = False,
) -> None:
    """Screen one text and show the verdict with its evidence highlighted."""
    screener = _use_model(_screener(threshold, None, None), model, no_model)
    (assessment,) = screener.screen([text], explain_all=True)
    if as_json:
        record = RecordBuilder(screener.kb).record("explain", assessment)
        sys.stdout.write(
            orjson.dumps(record, option=orjson.OPT_INDENT_2, default=str).decode() + "\n"
        )
        return
    Console().print(verdict_panel("explain", text, assessment))


@app.command("demo")
def demo_command(
    all_items: Annotated[bool, typer.Option("--all", help="show evidence for every item")] = False,
    model: ModelOption = None,
    no_model: NoModelOption = False,
) -> None:
    """Screen the bundled sample of listings and messages and show the verdicts."""
    sample = files("interdiction").joinpath(SAMPLE)
    records = [orjson.loads(line) for line in sample.read_bytes().splitlines() if line.strip()]
    screener = _use_model(_screener(0.5, None, None), model, no_model)
    texts = [r["text"] for r in records]
    assessments = screener.screen(texts, explain_all=True)
    console = Console()
    console.rule("Interdiction demo: bundled sample of listings and messages")
    rows = [(str(r["id"]), t, a) for r, t, a in zip(records, texts, assessments, strict=True)]
    console.print(summary_table(rows))
    console.rule("Evidence")
    for item_id, text, assessment in rows:
        if all_items or assessment.detections:
            console.print(verdict_panel(item_id, text, assessment))
    flagged = sum(a.flagged for a in assessments)
    console.print(
        f"{len(rows)} items: {flagged} flagged as offers. Screen your own file with "
        "[bold]interdiction scan FILE -o verdicts.jsonl[/]; explain one text with "
        '[bold]interdiction explain "TEXT"[/].'
    )


@app.command("detectors")
def detectors_command() -> None:
    """List the installed detectors and what each finds."""
    from interdiction.detect.base import available_detectors

    for name, cls in available_detectors().items():
        Console().print(f"[bold]{name}[/]: {', '.join(cls.finds)}  ({len(cls.examples)} examples)")
