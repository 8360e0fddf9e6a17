"""``interdiction model``: train an offer classifier on labelled data, and evaluate one."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from interdiction.cli.render import stderr_console
from interdiction.ingest.base import InputError
from interdiction.kb import KBError
from interdiction.learn.defaults import DEFAULT_SEED, DEFAULT_TARGET_PRECISION

if TYPE_CHECKING:  # scikit-learn and matplotlib load only when a model command runs
    from interdiction.learn.data import LabelledData
    from interdiction.learn.evaluate import Evaluation
    from interdiction.pipeline.screen import Screener

app = typer.Typer(
    help="Train and evaluate the learned offer classifier.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

EXIT_UNUSABLE_INPUT = 2
DATA_HELP = (
    "labelled JSONL, CSV or Parquet; labels offer/mention/none, or 1/0 and true/false "
    "meaning offer/not offer (repeat for more files)"
)

DataOption = Annotated[list[Path], typer.Option("--data", help=DATA_HELP)]
TextField = Annotated[str, typer.Option("--text-field", help="field holding the text")]
LabelField = Annotated[str, typer.Option("--label-field", help="field holding the label")]
SourceField = Annotated[
    str | None,
    typer.Option("--source-field", help="field naming the source [default: source, else set, "
                 "else the file name]"),
]  # fmt: skip


def _fail(message: str) -> typer.Exit:
    stderr_console().print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_UNUSABLE_INPUT)


def _load(
    paths: list[Path], text_field: str, label_field: str, source_field: str | None
) -> LabelledData:
    try:
        from interdiction.learn.data import load_labelled

        data = load_labelled([str(p) for p in paths], text_field, label_field, source_field)
    except InputError as exc:
        raise _fail(str(exc)) from exc
    if data.skipped:
        stderr_console().print(
            f"[yellow]skipped {data.skipped:,} unusable or unlabelled row(s)[/]", highlight=False
        )
    return data


def _reviewer_labels(org: str) -> LabelledData:
    from interdiction.cli.service_commands import command_line_principal, review_service
    from interdiction.review.learning import labelled_from_decisions

    with review_service() as service:
        principal = command_line_principal(service.organisation_by_slug(org).id)
        reviewed = labelled_from_decisions(service, principal)
    summary = reviewed.files[0]
    stderr_console().print(
        f"{summary.rows:,} reviewer decisions of {org!r} ({summary.labels}); "
        f"{summary.skipped:,} awaiting more information left out",
        highlight=False,
    )
    if not summary.rows:
        raise _fail(f"organisation {org!r} has no decided items to learn from yet")
    return reviewed


def _screener() -> Screener:
    from interdiction.pipeline.screen import Screener

    try:
        return Screener.create()
    except (KBError, ValueError) as exc:
        raise _fail(str(exc)) from exc


@app.command("train")
def train_command(
    out: Annotated[Path, typer.Option("--out", help="model file to write (.npz)")],
    data: Annotated[list[Path] | None, typer.Option("--data", help=DATA_HELP)] = None,
    from_decisions: Annotated[
        str | None,
        typer.Option(
            "--from-decisions",
            metavar="ORG",
            help="add the reviewer decisions of this organisation (slug) in the service's "
            "store: restrictions and referrals are offers, 'no action' is not",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of splits and folds")] = DEFAULT_SEED,
    target_precision: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="precision the threshold is chosen for")
    ] = DEFAULT_TARGET_PRECISION,
    holdout_source: Annotated[
        str | None,
        typer.Option(help="hold out this whole source for measurement [default: random 20%]"),
    ] = None,
    embedding: Annotated[
        bool,
        typer.Option(
            "--embedding",
            help="add a MiniLM sentence embedding to the features (needs the 'embed' extra; "
            "measured in docs/evaluation.md: slower, hardly more accurate, off by default)",
        ),
    ] = False,
    text_field: TextField = "text",
    label_field: LabelField = "label",
    source_field: SourceField = None,
) -> None:
    """Train, calibrate and save a model with its card (MODEL.card.json, MODEL.card.md)."""
    if not data and not from_decisions:
        raise _fail("give training data: --data FILE (repeatable) and/or --from-decisions ORG")
    labelled = _load(data, text_field, label_field, source_field) if data else None
    if from_decisions:
        reviewed = _reviewer_labels(from_decisions)
        labelled = reviewed if labelled is None else labelled.concat(reviewed)
    started = time.perf_counter()
    try:
        if embedding:
            from interdiction.learn.embedding import missing_dependencies, train_embedding

            missing = missing_dependencies()
            if missing:
                raise _fail(missing)
            run = train_embedding(labelled, seed, target_precision, holdout_source, _screener())
        else:
            from interdiction.learn.model import train

            run = train(labelled, seed, target_precision, holdout_source, _screener())
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    written = run.model.save(out)
    card = run.model.card
    err = stderr_console()
    err.print(
        f"trained on {card['training']['rows']:,} rows ({card['training']['offers']:,} offers) "
        f"in {time.perf_counter() - started:.1f} s; threshold {run.model.threshold:.4f} "
        f"for precision {target_precision}",
        highlight=False,
    )
    if not card["target_reached"]:
        err.print(
            f"[yellow]the target precision {target_precision} was not reached on out-of-fold "
            "training scores: the threshold gives the highest precision seen[/]",
            highlight=False,
        )
    if len(run.heldout.texts):
        from interdiction.learn.evaluate import evaluate

        heldout = evaluate(run.heldout.offer, run.heldout_probabilities, run.heldout.sources,
                           run.model.threshold)  # fmt: skip
        Console().print(metrics_table(heldout, f"held out: {card['heldout']['how']}"))
    err.print("wrote " + ", ".join(str(p) for p in written), highlight=False)


@app.command("eval")
def eval_command(
    model: Annotated[Path, typer.Option("--model", help="model file written by `model train`")],
    data: DataOption,
    report: Annotated[
        Path | None,
        typer.Option(
            help="directory for pr_curve.png, calibration.png, metrics.json and report.html"
        ),
    ] = None,
    text_field: TextField = "text",
    label_field: LabelField = "label",
    source_field: SourceField = None,
) -> None:
    """Precision, recall, PR-AUC, false-positive rate and calibration, per source."""
    from interdiction.learn.embedding import load_any
    from interdiction.learn.evaluate import evaluate, write_report
    from interdiction.learn.model import ModelFileError

    try:
        loaded = load_any(model)
    except ModelFileError as exc:
        raise _fail(str(exc)) from exc
    labelled = _load(data, text_field, label_field, source_field)
    probabilities = loaded.probabilities(labelled.texts, _screener())
    result = evaluate(labelled.offer, probabilities, labelled.sources, loaded.threshold)
    Console().print(metrics_table(result, f"{model} (threshold {loaded.threshold:.4f})"))
    if report is not None:
        written = write_report(result, report, f"Evaluation of {model.name}")
        stderr_console().print("wrote " + ", ".join(str(p) for p in written), highlight=False)


def metrics_table(evaluation: Evaluation, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("source", "rows", "offers", "flagged", "precision", "recall", "PR-AUC", "FPR",
                 "FP", "FN"):  # fmt: skip
        table.add_column(name, justify="left" if name == "source" else "right")
    for source, m in evaluation.metrics.items():
        table.add_row(
            source, f"{m['rows']:,}", f"{m['offers']:,}", f"{m['flagged']:,}",
            *(_rate(m[k]) for k in ("precision", "recall", "pr_auc", "fpr")),
            f"{m['confusion']['fp']:,}", f"{m['confusion']['fn']:,}",
        )  # fmt: skip
    return table


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
