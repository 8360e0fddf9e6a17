#!/usr/bin/env python3
"""Train the default offer model and measure it across sources.

Data: the Agora 2014 listing titles (is_drug_listing 1 -> offer, 0 -> not; source "agora") and
the repository's labelled sets in eval/data/*.jsonl (one source each). For every source, a
model is trained without it and measured on it: the number that predicts how the model does on
a source it has never seen. Then one model is trained on everything (random 20% held out) and
written to --out when given; nothing is written into the repository by default.

    .venv/bin/python scripts/train_default_model.py [--out models/offer.npz] [--report DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from interdiction.learn.data import LabelledData, load_labelled
from interdiction.learn.evaluate import evaluate, write_report
from interdiction.learn.model import DEFAULT_SEED, train
from interdiction.pipeline.screen import Screener

REPO = Path(__file__).resolve().parent.parent
AGORA = Path("/work/shared/data/eval/agora_2014/listings.csv")
EVAL_SETS = sorted((REPO / "eval" / "data").glob("*.jsonl"))


def load_all(agora: Path) -> LabelledData:
    sets = load_labelled([str(p) for p in EVAL_SETS])
    if not agora.is_file():
        print(f"warning: {agora} not found; training on eval/data only", file=sys.stderr)
        return sets
    market = load_labelled(
        [str(agora)], text_field="title", label_field="is_drug_listing", source="agora"
    )
    return LabelledData(
        texts=market.texts + sets.texts,
        offer=np.concatenate([market.offer, sets.offer]),
        labels=market.labels + sets.labels,
        sources=market.sources + sets.sources,
        files=market.files + sets.files,
    )


def _rate(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agora", type=Path, default=AGORA)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="write the model trained on all sources here")
    parser.add_argument("--report", type=Path, help="write a cross-source report here")
    args = parser.parse_args()

    data = load_all(args.agora)
    screener = Screener.create()
    sources = sorted(set(data.sources))
    print(f"{len(data.texts):,} rows, {int(data.offer.sum()):,} offers, sources: {sources}")
    print(f"{'held-out source':16} {'rows':>6} {'offers':>6} {'prec':>6} {'recall':>6} "
          f"{'PR-AUC':>6} {'FPR':>6} {'thresh':>6} {'train s':>7}")  # fmt: skip
    offer, probabilities, names, thresholds = [], [], [], []
    for source in sources:
        started = time.perf_counter()
        run = train(data, args.seed, holdout_source=source, screener=screener)
        seconds = time.perf_counter() - started
        m = run.model.card["metrics"]["heldout"]
        print(f"{source:16} {m['rows']:6,} {m['offers']:6,} {_rate(m['precision']):>6} "
              f"{_rate(m['recall']):>6} {_rate(m['pr_auc']):>6} {_rate(m['fpr']):>6} "
              f"{run.model.threshold:6.3f} {seconds:7.1f}")  # fmt: skip
        offer.append(run.heldout.offer)
        probabilities.append(run.heldout_probabilities)
        names += run.heldout.sources
        thresholds.append(run.model.threshold)
    if args.report:
        # Each source scored by the model that never saw it; each model has its own threshold,
        # so the pooled counts use their median (the table above has each at its own).
        pooled = evaluate(
            np.concatenate(offer),
            np.concatenate(probabilities),
            names,
            float(np.median(thresholds)),
        )
        print("wrote", *write_report(pooled, args.report, "Cross-source (leave one source out)"))

    started = time.perf_counter()
    final = train(data, args.seed, screener=screener)
    m = final.model.card["metrics"]["heldout"]
    print(f"all sources, random 20% held out: precision {_rate(m['precision'])}, recall "
          f"{_rate(m['recall'])}, PR-AUC {_rate(m['pr_auc'])}, threshold "
          f"{final.model.threshold:.3f}, {time.perf_counter() - started:.1f} s")  # fmt: skip
    if args.out:
        print("wrote", *final.model.save(args.out))


if __name__ == "__main__":
    main()
