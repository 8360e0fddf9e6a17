#!/usr/bin/env python3
"""Train the default offer model and measure it, with the rules, across sources.

Data: the Agora 2014 listing titles (is_drug_listing 1 -> offer, 0 -> not; source "agora";
read from ../shared, never copied into the repository) and the repository's labelled sets in
eval/data/*.jsonl (one source each). Rows are weighted so that offers and non-offers weigh the
same and, within each, every source weighs the same (``source_balanced_weights``): Agora's
10,654 titles would otherwise drown the everyday, shop and patient sets.

Cross-source measurement: for every source, a model is trained without it and the verdicts of
``scan`` with that model (rules + model, learn.scorer) are measured on it. Agora, the one real
market, is split by vendor instead (5 folds; no vendor on both sides), the nearest stand-in we
have for "another market". Then one model is trained on everything (the calibration and the
model-only threshold come from out-of-fold scores; 20 % of rows held out at random are only
measured) and written to --out.

    .venv/bin/python scripts/train_default_model.py \\
        --out src/interdiction/learn/models/offer.npz --table docs/cross_source.md
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from interdiction.learn.data import LabelledData, load_labelled
from interdiction.learn.features import FeatureBuilder
from interdiction.learn.model import (
    DEFAULT_SEED,
    CombinePolicy,
    scan_findings,
    source_balanced_weights,
    train,
)
from interdiction.learn.scorer import ModelScorer
from interdiction.pipeline.screen import Screener

REPO = Path(__file__).resolve().parent.parent
AGORA = REPO.parent / "shared" / "data" / "eval" / "agora_2014" / "listings.csv"
EVAL_SETS = sorted((REPO / "eval" / "data").glob("*.jsonl"))
AGORA_FOLDS = 5
MODEL_NAME = "offer-v1"


def load_all(agora: Path) -> tuple[LabelledData, list[str]]:
    """Every labelled row, and each row's vendor (Agora) or "" (our sets)."""
    sets = load_labelled([str(p) for p in EVAL_SETS])
    if not agora.is_file():
        print(f"warning: {agora} not found; training on eval/data only", file=sys.stderr)
        return sets, [""] * len(sets.texts)
    market = load_labelled(
        [str(agora)], text_field="title", label_field="is_drug_listing", source="agora"
    )
    import csv

    with agora.open(encoding="utf-8", newline="") as stream:
        vendors = [row["vendor"] for row in csv.DictReader(stream)]
    if len(vendors) != len(market.texts):
        vendors = [f"row{i}" for i in range(len(market.texts))]  # rows were skipped: no grouping
    return market.concat(sets), vendors + [""] * len(sets.texts)


def folds(sources: np.ndarray, vendors: np.ndarray, seed: int) -> list[tuple[str, np.ndarray]]:
    """(name, held-out mask): one per source; Agora in vendor-disjoint folds."""
    out = []
    for source in sorted(set(sources.tolist())):
        rows = sources == source
        if source != "agora":
            out.append((source, rows))
            continue
        names = sorted(set(vendors[rows].tolist()))
        order = np.random.default_rng(seed).permutation(len(names))
        fold_of = {names[i]: k % AGORA_FOLDS for k, i in enumerate(order)}
        for k in range(AGORA_FOLDS):
            out.append((source, rows & np.array([fold_of.get(v, -1) == k for v in vendors])))
    return out


def combined_verdicts(scorer: ModelScorer, rows, texts, detections, rules, p):
    """Flags of rules + model on ``rows`` (what scan would output), from probabilities, and
    the case each row's flag was decided by (None: the rules alone)."""
    flags = np.zeros(len(rows), dtype=bool)
    cases: list[str | None] = []
    for k, i in enumerate(rows):
        verdict = rules[i] or scorer.rules.assess(texts[i], detections[i])
        flags[k] = scorer.combine(
            texts[i], detections[i], verdict, rules[i] is not None, p[k]
        ).flagged
        case = scorer.case(texts[i], detections[i], verdict, rules[i] is not None)
        cases.append(case[0] if case else None)
    return flags, cases


def write_cases(path: Path, data, probabilities, rules_flag, flags, case_of) -> None:
    """One line per row of the cross-source runs: what choosing a case's threshold needs (the
    case and held-out probability do not depend on the thresholds)."""
    with path.open("w", encoding="utf-8") as out:
        for i, text in enumerate(data.texts):
            row = {
                "source": data.sources[i], "offer": bool(data.offer[i]), "text": text,
                "rules": bool(rules_flag[i]), "flagged": bool(flags[i]), "case": case_of[i],
                "p": round(float(probabilities[i]), 4),
            }  # fmt: skip
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print("wrote", path)


def _rate(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.2f} %" if pct else f"{value:.3f}"


@dataclass
class TrainingInputs:
    """Everything a cross-source run trains from, computed once: the rows, the scan's findings,
    the default features and the source-balanced weights."""

    data: LabelledData
    screener: Screener
    detections: list
    rules: list
    builder: FeatureBuilder
    features: object
    weights: np.ndarray
    sources: np.ndarray
    vendors: np.ndarray


def training_inputs(agora: Path) -> TrainingInputs:
    from interdiction.learn.model import _batched

    data, vendor_list = load_all(agora)
    screener = Screener.create()
    detections, rules = scan_findings(screener, data.texts)
    builder = FeatureBuilder.default(screener.kb)
    return TrainingInputs(
        data=data,
        screener=screener,
        detections=detections,
        rules=rules,
        builder=builder,
        features=_batched(builder, data.texts, detections, rules),
        weights=source_balanced_weights(data.offer, data.sources),
        sources=np.array(data.sources),
        vendors=np.array(vendor_list),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agora", type=Path, default=AGORA)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="write the model trained on all sources here")
    parser.add_argument("--table", type=Path, help="write the cross-source table (Markdown) here")
    parser.add_argument("--no-cross", action="store_true", help="skip the cross-source runs")
    parser.add_argument(
        "--cases", type=Path, help="write each held-out row's case and probability here (JSONL)"
    )
    for case in fields(CombinePolicy):  # one threshold per case the model may flag
        flag = "--" + case.name.replace("_", "-")
        parser.add_argument(flag, type=float, default=case.default)
    args = parser.parse_args()
    policy = CombinePolicy(
        **{case.name: getattr(args, case.name) for case in fields(CombinePolicy)}
    )

    started = time.perf_counter()
    inputs = training_inputs(args.agora)
    data, screener, texts = inputs.data, inputs.screener, inputs.data.texts
    detections, rules, builder = inputs.detections, inputs.rules, inputs.builder
    features, weights = inputs.features, inputs.weights
    sources, vendors = inputs.sources, inputs.vendors
    seconds = time.perf_counter() - started
    print(f"{len(texts):,} rows, {int(data.offer.sum()):,} offers, features in {seconds:.1f} s; "
          f"sources: {sorted(set(data.sources))}")  # fmt: skip
    rules_flag = np.array([bool(r and r.flagged) for r in rules])

    if not args.no_cross:
        probabilities = np.zeros(len(texts))
        flags = np.zeros(len(texts), dtype=bool)
        case_of: list[str | None] = [None] * len(texts)
        for name, heldout in folds(sources, vendors, args.seed):
            run = train(data, args.seed, prepared=(builder.spec, features), heldout_mask=heldout,
                        sample_weight=weights)  # fmt: skip
            model = replace(run.model, combine=policy, name=MODEL_NAME)
            rows = np.flatnonzero(heldout)
            probabilities[rows] = run.heldout_probabilities
            scorer = ModelScorer(screener.scorer, model)
            flags[rows], cases = combined_verdicts(scorer, rows, texts, detections, rules,
                                                   run.heldout_probabilities)  # fmt: skip
            for k, i in enumerate(rows):
                case_of[i] = cases[k]
            print(f"  held out {name} ({len(rows):,} rows) done", flush=True)
        lines = [
            "| held-out source | rows | offers | rules: recall | rules: FPR (FP) | rules + model: "
            "recall | rules + model: FPR (FP) | model alone: PR-AUC |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        from sklearn.metrics import average_precision_score

        for source in sorted(set(data.sources)):
            rows = sources == source
            offer = data.offer[rows]
            cells = []
            for flagged in (rules_flag[rows], flags[rows]):
                recall = flagged[offer].mean() if offer.any() else None
                fp = int((flagged & ~offer).sum())
                fpr = fp / (~offer).sum() if (~offer).any() else None
                cells += [_rate(recall), f"{_rate(fpr, True)} ({fp})" if fpr is not None else "–"]
            both = 0 < offer.sum() < len(offer)
            auc = average_precision_score(offer, probabilities[rows]) if both else None
            name = f"{source} (vendor folds)" if source == "agora" else source
            lines.append(f"| {name} | {rows.sum():,} | {int(offer.sum()):,} | "
                         + " | ".join(cells) + f" | {_rate(auc)} |")  # fmt: skip
        table = "\n".join(lines) + "\n"
        print(table)
        if args.table:
            args.table.write_text(table)
            print("wrote", args.table)
        if args.cases:
            write_cases(args.cases, data, probabilities, rules_flag, flags, case_of)

    # The shipped model sees every row: its held-out figures are the cross-source ones above.
    nothing = np.zeros(len(texts), dtype=bool)
    final = train(data, args.seed, prepared=(builder.spec, features), heldout_mask=nothing,
                  sample_weight=weights)  # fmt: skip
    model = replace(final.model, combine=policy, name=MODEL_NAME)
    model.card = {
        **model.card, "name": MODEL_NAME,
        "heldout": {"how": "none: every row trains the shipped model; cross-source figures "
                    "(trained without a source, tested on it) are in docs/evaluation.md"},
        "combine": vars(policy) | {
            "how": "CombinePolicy in interdiction/learn/model.py; thresholds chosen on the "
            "cross-source runs of scripts/train_default_model.py"},
        "command": "python scripts/train_default_model.py --out "
        "src/interdiction/learn/models/offer.npz",
    }  # fmt: skip
    m = model.card["metrics"]["training_out_of_fold"]
    print(f"all sources, out-of-fold: precision {_rate(m['precision'])}, recall "
          f"{_rate(m['recall'])}, PR-AUC {_rate(m['pr_auc'])}, model-alone threshold "
          f"{model.threshold:.3f}; {time.perf_counter() - started:.1f} s in all")  # fmt: skip
    if args.out:
        print("wrote", *model.save(args.out))


if __name__ == "__main__":
    main()
