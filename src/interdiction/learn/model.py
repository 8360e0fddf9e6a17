"""A calibrated offer classifier: trained with scikit-learn, saved as plain arrays.

What it predicts: the probability that an item is an offer (what ``scan`` flags) against
anything else (a mention or nothing). Three labels were considered; the product acts on one
decision, and a binary model has twice the examples per class.

How it is trained: features (see features.py) -> L2 logistic regression; five-fold out-of-fold
scores on the training part fit a sigmoid (Platt) calibration and choose the threshold that
reaches the target precision; the held-out part (a random stratified share, or a whole
source) is only measured. The saved file is an ``.npz`` of weights plus JSON metadata, read
without pickle, so a model file can never run code and does not depend on the library
versions that trained it.
"""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from interdiction import __version__ as package_version
from interdiction.learn.defaults import DEFAULT_SEED, DEFAULT_TARGET_PRECISION
from interdiction.learn.features import NGRAM_HASH, FeatureBuilder, FeatureSpec
from interdiction.model import Assessment, Detection

if TYPE_CHECKING:  # scikit-learn and scipy load only to train or evaluate, never to scan
    import scipy.sparse as sp

    from interdiction.learn.data import LabelledData
    from interdiction.pipeline.screen import Screener

FORMAT = "interdiction-offer-model"
FORMAT_VERSION = 2  # 2: own n-gram hashing, detector features from the scan's detections
DEFAULT_HOLDOUT_FRACTION = 0.2
REGULARISATION_C = 4.0  # weak L2: the n-gram rows are unit length, the signal is spread thin
CALIBRATION_FOLDS = 5
FEATURE_BATCH = 8192  # texts per feature batch: bounded memory on large training sets

INTENDED_USE = (
    "Ranking and flagging text items (listings, posts, messages) that offer or request "
    "controlled drugs, NPS or precursors, for human review on a platform or in an "
    "investigation. The probability is calibrated on the training sources; the threshold is "
    "chosen for the target precision on them."
)
LIMITS = (
    "Learns the wording of its training sources: precision on a new source (another market, "
    "language or platform) can be much lower; measure with `interdiction model eval` on "
    "labelled data from that source before relying on it. Labels from market categories are "
    "not human annotation. Never a sole basis for enforcement: reviewers see the detectors' "
    "evidence beside the score."
)


class ModelFileError(Exception):
    """The model file is missing, corrupt, or of another format or version."""


@dataclass(frozen=True)
class CombinePolicy:
    """When the model may flag what the rules did not (learn.scorer applies it).

    The rules' flags stand. Beyond them the model may flag an item only where the detectors
    found something to read (a name, a trade or solicitation signal, a contact or payment
    identifier) in a short text that tells no story (the rules' test of a market title: at
    most 14 words, no first person, no narrative verbs), and nothing argues against trade (no
    news, medical, pharmacy, harm-reduction, negation or everyday-phrase context). Then it
    flags at p >= the threshold of the case:

    - ``named``: a substance the rules count (they called it a mention);
    - ``shop_sold``: every substance named is also sold in shops and pharmacies (codeine
      linctus, sildenafil, pseudoephedrine, acetone);
    - ``unnamed``: no substance counted (a strain or brand the KB lacks, an ambiguous word),
      and a drug-specific trade signal (street quantities and prices, stealth, ...);
    - ``weak_named``: no substance counted but an ambiguous name the rules set aside, sold by
      weight ("Olympia Hash 50g", "Cheese 500g": a market title or a deli counter);
    - ``misspelt``: no substance counted, but a word one typing slip from a KB name
      ("Alprazolum 2mg x 100", kb/spelling.py) beside ordinary trade signals;
    - ``unnamed_plain``: no substance counted, and only ordinary trade signals (a weight, a
      price, a pack size: what every shop catalogue has).
    A threshold above 1 turns its case off.
    """

    # chosen on held-out sources (scripts/train_default_model.py --cases): each case's
    # threshold clears the highest held-out shop or catalogue text of its case (named: nothing
    # but Agora's own drug books above 0.70; shop_sold: pharmacy rows are the rules' call). The
    # shelf set, written apart from the detectors, raised two: food sold by weight reaches
    # p = 0.98 in weak_named ("Do-si-dos cookies 8 oz"), precision scales and tea samples
    # 0.90-0.99 in unnamed ("0.01g", "3.5g samples"); the price is about 80 Agora titles of 8,750.
    named: float = 0.75
    shop_sold: float = 0.98
    unnamed: float = 0.98
    weak_named: float = 0.985
    misspelt: float = 0.8
    unnamed_plain: float = (
        1.01  # off: measured, it costs more on shop and adversarial text than it gains
    )


@dataclass
class Model:
    spec: FeatureSpec
    weights: np.ndarray  # one per feature, float32
    intercept: float
    calibration: tuple[float, float]  # Platt: p = 1 / (1 + exp(-(slope * score + offset)))
    threshold: float  # flag when p >= threshold (the model alone, as `model eval` measures it)
    card: dict = field(default_factory=dict)
    combine: CombinePolicy = field(default_factory=CombinePolicy)
    name: str = "offer"
    _builder: FeatureBuilder | None = field(default=None, repr=False, compare=False)

    def builder(self, kb) -> FeatureBuilder:
        if self._builder is None or self._builder.kb is not kb:
            self._builder = FeatureBuilder(self.spec, kb)
        return self._builder

    # -------------------------------------------------------------- from a scan's findings
    def probabilities_from(
        self,
        kb,
        texts: Sequence[str],
        detections: Sequence[list[Detection]],
        rules: Sequence[Assessment | None],
    ) -> np.ndarray:
        """Calibrated probability of an offer, from the detections the scan already made and
        the rules' assessments (None where the rules gave no verdict)."""
        scores = self.builder(kb).scores(texts, detections, rules, self.weights, self.intercept)
        return self._calibrated(scores)

    def _calibrated(self, scores: np.ndarray) -> np.ndarray:
        slope, offset = self.calibration
        return 1.0 / (1.0 + np.exp(-(slope * np.asarray(scores, np.float64) + offset)))

    # -------------------------------------------------------------- from texts
    def features(self, texts: list[str], screener: Screener | None = None) -> sp.csr_matrix:
        screener = screener or _default_screener()
        detections, rules = scan_findings(screener, texts)
        return _batched(self.builder(screener.kb), texts, detections, rules)

    def probabilities_of(self, features: sp.csr_matrix) -> np.ndarray:
        return self._calibrated(features @ self.weights + self.intercept)

    def probabilities(self, texts: list[str], screener: Screener | None = None) -> np.ndarray:
        """Calibrated probability that each text is an offer (runs the detectors)."""
        screener = screener or _default_screener()
        detections, rules = scan_findings(screener, texts)
        return self.probabilities_from(screener.kb, texts, detections, rules)

    def save(self, path: Path) -> list[Path]:
        """Write the model and its card (``.card.json``, ``.card.md``) beside it."""
        return write_model_file(path, self, file_meta(self, FORMAT, FORMAT_VERSION))

    @classmethod
    def load(cls, path: Path) -> Model:
        meta, weights = read_model_file(path)
        if meta.get("format") != FORMAT:
            raise ModelFileError(f"{path}: not an Interdiction model file")
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelFileError(
                f"{path}: model format version {meta.get('format_version')}, this version of "
                f"Interdiction reads version {FORMAT_VERSION}; retrain with `interdiction model "
                "train`"
            )
        try:
            raw = meta["spec"]
            spec = FeatureSpec(
                raw["hash_bits"], tuple(raw["ngram_range"]), tuple(raw["detector_features"]),
                raw.get("ngram_hash", NGRAM_HASH),
            )  # fmt: skip
            slope, offset = meta["calibration"]
            model = cls(
                spec, weights, float(meta["intercept"]), (float(slope), float(offset)),
                float(meta["threshold"]), meta.get("card", {}),
                CombinePolicy(**meta.get("combine", {})), str(meta.get("name") or path.stem),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{path}: incomplete model metadata ({exc})") from exc
        if spec.ngram_hash != NGRAM_HASH:
            raise ModelFileError(f"{path}: n-gram hashing {spec.ngram_hash!r} is not known here")
        if weights.shape != (spec.size,):
            raise ModelFileError(f"{path}: {weights.shape} weights where {spec.size} are needed")
        return model


def file_meta(model, format_name: str, version: int, **extra) -> dict:
    """What a model file records beside its weights (``extra``: a model kind's own fields)."""
    return {
        "format": format_name,
        "format_version": version,
        "name": model.name,
        "spec": asdict(model.spec),
        **extra,
        "intercept": model.intercept,
        "calibration": list(model.calibration),
        "threshold": model.threshold,
        "combine": asdict(model.combine),
        "card": model.card,
    }


def write_model_file(path: Path, model, meta: dict) -> list[Path]:
    """The model's weights and ``meta`` in one ``.npz`` (no pickle), its card beside it."""
    weights, card = model.weights, model.card
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as stream:  # a file object keeps numpy from adding ".npz"
        np.savez_compressed(stream, weights=weights, meta=np.array(json.dumps(meta)))
    partial.replace(path)  # never a half-written model under the real name
    card_json, card_md = card_paths(path)
    card_json.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    card_md.write_text(render_card(card))
    return [path, card_json, card_md]


def read_model_file(path: Path) -> tuple[dict, np.ndarray]:
    """(metadata, weights) of a model file; ModelFileError when it is missing or not one."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(str(archive["meta"]))
            weights = archive["weights"]
    except FileNotFoundError as exc:
        raise ModelFileError(f"{path}: no such model file") from exc
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{path}: not an Interdiction model file ({exc})") from exc
    if not isinstance(meta, dict):
        raise ModelFileError(f"{path}: not an Interdiction model file")
    return meta, weights


def card_paths(path: Path) -> tuple[Path, Path]:
    return path.with_suffix(".card.json"), path.with_suffix(".card.md")


def _default_screener() -> Screener:
    from interdiction.pipeline.screen import Screener

    return Screener.create()


def scan_findings(
    screener: Screener, texts: Sequence[str]
) -> tuple[list[list[Detection]], list[Assessment | None]]:
    """What a scan knows of each text before the model: its detections, and the rules'
    assessment where the rules give one (as ``learn.scorer`` sees them when scanning)."""
    from interdiction.score.rules import RuleScorer, worth_a_verdict

    rules_scorer = getattr(screener.scorer, "rules", screener.scorer)
    if not isinstance(rules_scorer, RuleScorer):
        rules_scorer = RuleScorer(screener.kb)
    detections: list[list[Detection]] = []
    rules: list[Assessment | None] = []
    for start in range(0, len(texts), FEATURE_BATCH):
        chunk = list(texts[start : start + FEATURE_BATCH])
        found = screener.detect(chunk)
        detections.extend(found)
        rules.extend(
            rules_scorer.assess(text, dets) if worth_a_verdict(dets) else None
            for text, dets in zip(chunk, found, strict=True)
        )
    return detections, rules


@dataclass
class TrainingRun:
    model: Model
    heldout: LabelledData
    heldout_probabilities: np.ndarray


def train(
    data: LabelledData,
    seed: int = DEFAULT_SEED,
    target_precision: float = DEFAULT_TARGET_PRECISION,
    holdout_source: str | None = None,
    screener: Screener | None = None,
    sample_weight: np.ndarray | None = None,
    prepared: tuple[FeatureSpec, sp.csr_matrix] | None = None,
    heldout_mask: np.ndarray | None = None,
) -> TrainingRun:
    """Fit, calibrate and measure a model; raises ValueError when the data cannot train one.

    ``sample_weight`` weighs rows (see ``source_balanced_weights``); ``prepared`` is the feature
    spec and matrix of ``data`` when the caller built them (cross-source runs build them once);
    ``heldout_mask`` holds out exactly those rows instead of a source or a random share.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from interdiction.learn.evaluate import binary_metrics

    started = time.perf_counter()
    sources = np.array(data.sources)
    how = None
    if heldout_mask is not None:
        how = "given rows"
    elif holdout_source is not None:
        heldout_mask = sources == holdout_source
        if not heldout_mask.any():
            known = ", ".join(sorted(set(data.sources)))
            raise ValueError(f"no rows of source {holdout_source!r} to hold out (sources: {known})")
        how = f"source {holdout_source!r}"
    else:
        heldout_mask = _random_holdout(data.offer, seed)
    training = data.subset(~heldout_mask)
    heldout = data.subset(heldout_mask)
    positives = int(training.offer.sum())
    if min(positives, len(training.offer) - positives) < 2:
        raise ValueError(
            f"training needs at least 2 offers and 2 non-offers outside the held-out part; "
            f"it has {positives} and {len(training.offer) - positives}"
        )

    builder = None
    if prepared is None:
        screener = screener or _default_screener()
        builder = FeatureBuilder.default(screener.kb)
        detections, rules = scan_findings(screener, data.texts)
        spec, features = builder.spec, _batched(builder, data.texts, detections, rules)
    else:
        spec, features = prepared
    x_train, y_train = features[~heldout_mask], training.offer
    w_train = None if sample_weight is None else np.asarray(sample_weight)[~heldout_mask]

    # Out-of-fold scores are what the model gives unseen items: calibrate and pick the threshold
    # on them, so the held-out part stays untouched for measurement.
    folds = StratifiedKFold(
        min(CALIBRATION_FOLDS, positives, len(y_train) - positives), shuffle=True,
        random_state=seed,
    )  # fmt: skip
    oof_scores = cross_val_predict(
        _classifier(seed), x_train, y_train, cv=folds, method="decision_function",
        params={"sample_weight": w_train} if w_train is not None else None,
    )  # fmt: skip
    platt = LogisticRegression(C=1e6).fit(oof_scores.reshape(-1, 1), y_train)
    calibration = (float(platt.coef_[0, 0]), float(platt.intercept_[0]))
    oof_probabilities = platt.predict_proba(oof_scores.reshape(-1, 1))[:, 1]
    threshold, reached = choose_threshold(y_train, oof_probabilities, target_precision)

    classifier = _classifier(seed).fit(x_train, y_train, sample_weight=w_train)
    model = Model(
        spec=spec,
        weights=classifier.coef_[0].astype(np.float32),
        intercept=float(classifier.intercept_[0]),
        calibration=calibration,
        threshold=threshold,
        _builder=builder,
    )
    heldout_probabilities = model.probabilities_of(features[heldout_mask])
    model.card = _card(
        data, training, heldout, seed, target_precision, reached, threshold, how,
        binary_metrics(y_train, oof_probabilities, threshold),
        binary_metrics(heldout.offer, heldout_probabilities, threshold) if len(heldout.offer)
        else None,
        time.perf_counter() - started, sample_weight is not None,
    )  # fmt: skip
    return TrainingRun(model, heldout, heldout_probabilities)


def source_balanced_weights(offer: np.ndarray, sources: Sequence[str]) -> np.ndarray:
    """Row weights under which offers and non-offers weigh the same in total, and within each
    class every source weighs the same: a market of 9,000 titles does not drown 700 everyday
    messages, so the model learns what every source's non-offers look like."""
    offer = np.asarray(offer, bool)
    source_array = np.asarray(sources)
    weights = np.ones(len(offer))
    for cls in (True, False):
        in_class = offer == cls
        names = sorted(set(source_array[in_class].tolist()))
        for name in names:
            rows = in_class & (source_array == name)
            weights[rows] = 0.5 * len(offer) / len(names) / rows.sum()
    return weights


def choose_threshold(
    offer: np.ndarray, probabilities: np.ndarray, target_precision: float
) -> tuple[float, bool]:
    """The lowest threshold whose precision reaches the target (the most recall), and whether
    any did; if none, the threshold of the highest precision."""
    from sklearn.metrics import precision_recall_curve

    precision, _, thresholds = precision_recall_curve(offer, probabilities)
    precision = precision[:-1]  # the last point (recall 0) has no threshold
    reaching = np.flatnonzero(precision >= target_precision)
    if len(reaching):
        return float(thresholds[reaching[0]]), True
    return float(thresholds[int(np.argmax(precision))]), False


def _classifier(seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(solver="liblinear", C=REGULARISATION_C, random_state=seed)


def _random_holdout(offer: np.ndarray, seed: int) -> np.ndarray:
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(offer))
    stratify = offer if min(offer.sum(), len(offer) - offer.sum()) >= 2 else None
    _, heldout_rows = train_test_split(
        rows, test_size=DEFAULT_HOLDOUT_FRACTION, random_state=seed, stratify=stratify
    )
    mask = np.zeros(len(offer), dtype=bool)
    mask[heldout_rows] = True
    return mask


def _batched(
    builder: FeatureBuilder,
    texts: Sequence[str],
    detections: Sequence[list[Detection]],
    rules: Sequence[Assessment | None],
) -> sp.csr_matrix:
    import scipy.sparse as sp

    step = FEATURE_BATCH
    parts = [
        builder.transform(texts[i : i + step], detections[i : i + step], rules[i : i + step])
        for i in range(0, len(texts), step)
    ]
    if not parts:
        return sp.csr_matrix((0, builder.spec.size), dtype=np.float32)
    return sp.vstack(parts, format="csr")


def _counts(data: LabelledData) -> dict:
    by_source: dict[str, dict[str, int]] = {}
    for source, label in zip(data.sources, data.labels, strict=True):
        counts = by_source.setdefault(source, {})
        counts[label] = counts.get(label, 0) + 1
    return {"rows": len(data.texts), "offers": int(data.offer.sum()), "by_source": by_source}


def _card(
    data: LabelledData,
    training: LabelledData,
    heldout: LabelledData,
    seed: int,
    target_precision: float,
    reached: bool,
    threshold: float,
    how: str | None,
    training_metrics: dict,
    heldout_metrics: dict | None,
    seconds: float,
    weighted: bool,
) -> dict:
    import sklearn

    return {
        "model": "offer vs. not offer (mention or none): calibrated logistic regression",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "interdiction_version": package_version,
        "scikit_learn_version": sklearn.__version__,
        "seed": seed,
        "data": [asdict(f) for f in data.files],
        "skipped_rows": data.skipped,
        "training": _counts(training),
        "heldout": {
            **_counts(heldout),
            "how": how or f"random stratified {DEFAULT_HOLDOUT_FRACTION:.0%}",
        },
        "threshold": threshold,
        "target_precision": target_precision,
        "target_reached": reached,
        "metrics": {
            "training_out_of_fold": training_metrics,
            "heldout": heldout_metrics,
        },
        "training_seconds": round(seconds, 2),
        "sample_weights": "source-balanced (each class weighs half; each source the same "
        "within its class)"
        if weighted
        else "none",
        "features": (
            "hashed character 2-5-grams inside words of the lower view (case, width, accents, "
            "homoglyphs folded) + log-counts of the scan's detections: substances by KB class "
            "(strong/weak, obfuscated, inside an everyday phrase), trade, solicitation and "
            "context signals, identifier types, CAS/InChIKey/analogue; the rules' risk, whether "
            "they named a substance and saw a listing shape; the number of words"
        ),
        "intended_use": INTENDED_USE,
        "limits": LIMITS,
    }


def render_card(card: dict) -> str:
    """The card for people: what the model is for, what it saw, how well it did."""
    lines = [
        f"# Model card: {card.get('model', 'offer classifier')}",
        "",
        f"- created: {card.get('created')}; Interdiction {card.get('interdiction_version')}, "
        f"scikit-learn {card.get('scikit_learn_version')}; seed {card.get('seed')}",
        f"- threshold: {card.get('threshold', 0):.4f} (target precision "
        f"{card.get('target_precision')}, reached on out-of-fold training scores: "
        f"{card.get('target_reached')})",
        f"- held out: {card.get('heldout', {}).get('how')}",
        f"- sample weights: {card.get('sample_weights', 'none')}",
        f"- training time: {card.get('training_seconds')} s",
        *(
            [
                f"- name: {card['name']}; with the rules (`scan`), flags beyond them at: "
                + ", ".join(f"{k} p ≥ {v}" for k, v in card["combine"].items() if k != "how")
                + f" ({card['combine'].get('how', '')})"
            ]
            if card.get("combine")
            else []
        ),
        *([f"- trained with: `{card['command']}`"] if card.get("command") else []),
        "",
        "## Intended use",
        card.get("intended_use", ""),
        "",
        "## Limits",
        card.get("limits", ""),
        "",
        "## Features",
        card.get("features", ""),
        "",
        "## Data",
        "| file | sha256 | rows | skipped | labels |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in card.get("data", []):
        labels = ", ".join(f"{k}: {v}" for k, v in sorted(f["labels"].items()))
        lines.append(f"| {f['path']} | `{f['sha256'][:16]}…` | {f['rows']} | {f['skipped']} | "
                     f"{labels} |")  # fmt: skip
    lines += ["", "| part | source | rows by label |", "| --- | --- | --- |"]
    for part in ("training", "heldout"):
        for source, counts in sorted(card.get(part, {}).get("by_source", {}).items()):
            labels = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
            lines.append(f"| {part} | {source} | {labels} |")
    lines += [
        "",
        "## Metrics (at the threshold)",
        "| part | rows | precision | recall | PR-AUC | FPR | Brier |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for part, metrics in card.get("metrics", {}).items():
        if metrics:
            lines.append(
                f"| {part} | {metrics['rows']} | {_fmt(metrics['precision'])} | "
                f"{_fmt(metrics['recall'])} | {_fmt(metrics['pr_auc'])} | {_fmt(metrics['fpr'])} "
                f"| {_fmt(metrics['brier'])} |"
            )
    return "\n".join(lines) + "\n"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
