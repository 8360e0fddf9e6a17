"""Measure a model on labelled data, per source, and report it as PNG plots and HTML.

Sources are measured apart because a model is only as good as on the source it meets: one
pooled number hides a market it has never seen behind the ones it was trained on.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
)

CALIBRATION_BINS = 10
ALL_SOURCES = "(all)"


def binary_metrics(offer: np.ndarray, probabilities: np.ndarray, threshold: float) -> dict:
    """Counts, rates and calibration at a threshold; a rate with no denominator is None."""
    offer = np.asarray(offer, dtype=bool)
    flagged = probabilities >= threshold
    tp = int(np.sum(flagged & offer))
    fp = int(np.sum(flagged & ~offer))
    fn = int(np.sum(~flagged & offer))
    tn = int(np.sum(~flagged & ~offer))
    both_classes = 0 < tp + fn < len(offer)
    return {
        "rows": len(offer),
        "offers": tp + fn,
        "flagged": tp + fp,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "fpr": _ratio(fp, fp + tn),
        "pr_auc": float(average_precision_score(offer, probabilities)) if both_classes else None,
        "roc_auc": float(roc_auc_score(offer, probabilities)) if both_classes else None,
        "brier": float(np.mean((probabilities - offer) ** 2)) if len(offer) else None,
        "confusion": {"tn": tn, "fp": fp, "fn": fn, "tp": tp},
        "calibration": calibration_bins(offer, probabilities),
    }


def calibration_bins(offer: np.ndarray, probabilities: np.ndarray) -> list[dict]:
    """Equal-width probability bins: how many items, mean predicted, observed offer rate."""
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    which = np.clip(np.digitize(probabilities, edges[1:-1]), 0, CALIBRATION_BINS - 1)
    bins = []
    for b in range(CALIBRATION_BINS):
        inside = which == b
        count = int(inside.sum())
        bins.append({
            "low": float(edges[b]),
            "high": float(edges[b + 1]),
            "count": count,
            "predicted": float(probabilities[inside].mean()) if count else None,
            "observed": float(offer[inside].mean()) if count else None,
        })  # fmt: skip
    return bins


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Evaluation:
    threshold: float
    metrics: dict[str, dict]  # source (and ALL_SOURCES) -> binary_metrics
    offer: np.ndarray
    probabilities: np.ndarray
    sources: np.ndarray

    def as_json(self) -> dict:
        return {"threshold": self.threshold, "metrics": self.metrics}


def evaluate(
    offer: np.ndarray, probabilities: np.ndarray, sources: list[str], threshold: float
) -> Evaluation:
    source_array = np.array(sources)
    metrics = {ALL_SOURCES: binary_metrics(offer, probabilities, threshold)}
    for source in sorted(set(sources)):
        rows = source_array == source
        metrics[source] = binary_metrics(offer[rows], probabilities[rows], threshold)
    return Evaluation(threshold, metrics, np.asarray(offer, bool), probabilities, source_array)


def pr_curve_png(evaluation: Evaluation) -> bytes:
    figure = Figure(figsize=(6, 5))  # no pyplot: no global figure state, no display needed
    axes = figure.subplots()
    for name, rows in _curves(evaluation):
        offer, probabilities = evaluation.offer[rows], evaluation.probabilities[rows]
        precision, recall, _ = precision_recall_curve(offer, probabilities)
        auc = evaluation.metrics[name]["pr_auc"]
        axes.step(recall, precision, where="post", label=f"{name} (PR-AUC {auc:.3f})")
    overall = evaluation.metrics[ALL_SOURCES]
    if overall["precision"] is not None and overall["recall"] is not None:
        axes.plot(overall["recall"], overall["precision"], "ko",
                  label=f"threshold {evaluation.threshold:.3f}")  # fmt: skip
    axes.set(xlabel="recall", ylabel="precision", xlim=(0, 1.01), ylim=(0, 1.01),
             title="Precision-recall (offer)")  # fmt: skip
    axes.legend(loc="lower left", fontsize="small")
    axes.grid(alpha=0.3)
    return _png(figure)


def calibration_png(evaluation: Evaluation) -> bytes:
    figure = Figure(figsize=(6, 6))
    reliability, counts = figure.subplots(2, 1, height_ratios=(3, 1), sharex=True)
    reliability.plot([0, 1], [0, 1], "k:", label="perfectly calibrated")
    for name in [ALL_SOURCES, *sorted(set(evaluation.sources.tolist()))]:
        bins = [b for b in evaluation.metrics[name]["calibration"] if b["count"]]
        if name != ALL_SOURCES and len(bins) < 2:
            continue
        reliability.plot([b["predicted"] for b in bins], [b["observed"] for b in bins],
                         "o-" if name == ALL_SOURCES else ".--", label=name,
                         linewidth=2 if name == ALL_SOURCES else 1)  # fmt: skip
    reliability.set(ylabel="observed offer rate", ylim=(-0.02, 1.02), title="Calibration")
    reliability.legend(loc="upper left", fontsize="small")
    reliability.grid(alpha=0.3)
    counts.hist(evaluation.probabilities, bins=CALIBRATION_BINS, range=(0, 1), color="grey")
    counts.set(xlabel="predicted probability of offer", ylabel="items", xlim=(0, 1))
    return _png(figure)


def _curves(evaluation: Evaluation) -> list[tuple[str, np.ndarray]]:
    """Sources with both classes (a PR curve needs offers and non-offers), all first."""
    curves = []
    for name, metrics in evaluation.metrics.items():
        if metrics["pr_auc"] is None:
            continue
        rows = (
            np.ones(len(evaluation.sources), bool)
            if name == ALL_SOURCES
            else evaluation.sources == name
        )
        curves.append((name, rows))
    return curves


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")  # drawn by Agg
    return buffer.getvalue()


def write_report(evaluation: Evaluation, directory: Path, title: str) -> list[Path]:
    """``pr_curve.png``, ``calibration.png``, ``metrics.json`` and a self-contained
    ``report.html`` (the plots embedded) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    images = {"pr_curve.png": pr_curve_png(evaluation),
              "calibration.png": calibration_png(evaluation)}  # fmt: skip
    written = []
    for name, content in images.items():
        (directory / name).write_bytes(content)
        written.append(directory / name)
    metrics_path = directory / "metrics.json"
    metrics_path.write_text(json.dumps(evaluation.as_json(), indent=2) + "\n")
    report_path = directory / "report.html"
    report_path.write_text(_html(evaluation, images, title), encoding="utf-8")
    return [*written, metrics_path, report_path]


def _html(evaluation: Evaluation, images: dict[str, bytes], title: str) -> str:
    header = ("source", "rows", "offers", "flagged", "precision", "recall", "PR-AUC", "FPR",
              "TN", "FP", "FN", "TP", "Brier")  # fmt: skip
    rows = []
    for source, m in evaluation.metrics.items():
        c = m["confusion"]
        cells = (source, m["rows"], m["offers"], m["flagged"], _cell(m["precision"]),
                 _cell(m["recall"]), _cell(m["pr_auc"]), _cell(m["fpr"]),
                 c["tn"], c["fp"], c["fn"], c["tp"], _cell(m["brier"]))  # fmt: skip
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in cells) + "</tr>")
    bins = "".join(
        f"<tr><td>{b['low']:.1f}–{b['high']:.1f}</td><td>{b['count']}</td>"
        f"<td>{_cell(b['predicted'])}</td><td>{_cell(b['observed'])}</td></tr>"
        for b in evaluation.metrics[ALL_SOURCES]["calibration"]
    )
    pictures = "".join(
        f'<img alt="{name}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'
        for name, data in images.items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
td, th {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }}
td:first-child {{ text-align: left; }}
img {{ max-width: 48%; margin-right: 1%; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Offer against anything else, flagged at probability &ge; {evaluation.threshold:.4f}.
A rate is n/a where it has no denominator (no offers, nothing flagged, no non-offers).</p>
<h2>Per source</h2>
<table><tr>{"".join(f"<th>{h}</th>" for h in header)}</tr>{"".join(rows)}</table>
<h2>Plots</h2>{pictures}
<h2>Calibration (all sources)</h2>
<table><tr><th>bin</th><th>items</th><th>mean predicted</th><th>observed offer rate</th></tr>
{bins}</table>
</body></html>
"""


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
