"""Training, calibration, saving and evaluation of the offer classifier, on synthetic data."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson
import pytest

from interdiction.learn.data import LabelledData
from interdiction.learn.evaluate import evaluate, write_report
from interdiction.learn.model import Model, ModelFileError, train

SUBSTANCES = ["fentanyl", "xanax", "oxycodone", "mdma", "ketamine", "cocaine", "tramadol", "lsd"]
OFFER_TEMPLATES = [
    "selling {s} {n}g, dm me on telegram @plug{n}",
    "{s} {n}mg pills in stock, stealth shipping worldwide, btc only",
    "buy {s} online no prescription, {n} pills ${n}0",
    "vendo {s} {n} gramos, envío discreto, escríbeme",
    "fresh {s} batch, {n}g for £{n}5, wickr me",
]
OTHER_TEMPLATES = [
    "police seized {n} kg of {s} at the port, two men arrested",
    "my doctor prescribed {s} {n}mg after surgery, side effects were mild",
    "study finds {s} overdoses rose {n} percent last year",
    "lunch at {n} tomorrow? bring the {w}",
    "the {w} delivery arrives on day {n}, thanks for your order",
    "new {w} in store: {n} colours, free returns",
]
WORDS = ["sofa", "bike", "cake", "printer", "lamp", "jacket", "garden chairs"]


def synthetic(rows: int, seed: int) -> LabelledData:
    """Offers and non-offers from templates; sources alternate so eval has several."""
    rng = random.Random(seed)
    texts, offer, labels, sources = [], [], [], []
    for i in range(rows):
        is_offer = i % 2 == 0
        template = rng.choice(OFFER_TEMPLATES if is_offer else OTHER_TEMPLATES)
        fields = {"s": rng.choice(SUBSTANCES), "n": rng.randint(1, 99), "w": rng.choice(WORDS)}
        texts.append(template.format(**fields))
        offer.append(is_offer)
        labels.append("offer" if is_offer else "none")
        sources.append("market" if i % 3 else "chat")
    return LabelledData(texts, np.array(offer), labels, sources)


@pytest.fixture(scope="module")
def data() -> LabelledData:
    return synthetic(400, seed=7)


@pytest.fixture(scope="module")
def run(data, screener):
    return train(data, seed=1, screener=screener)


def test_true_labels_are_learned(run):
    heldout = run.model.card["metrics"]["heldout"]
    assert heldout["rows"] == 80
    assert heldout["roc_auc"] > 0.95
    assert 0.0 < run.model.threshold < 1.0


def test_training_is_deterministic_for_a_seed(data, run, screener):
    again = train(data, seed=1, screener=screener)
    assert again.model.threshold == run.model.threshold
    np.testing.assert_array_equal(again.heldout_probabilities, run.heldout_probabilities)
    np.testing.assert_array_equal(again.model.weights, run.model.weights)


def test_shuffled_labels_score_at_chance(screener):
    data = synthetic(600, seed=11)
    data.offer = np.random.default_rng(3).permutation(data.offer)
    heldout = train(data, seed=1, screener=screener).model.card["metrics"]["heldout"]
    assert 0.3 < heldout["roc_auc"] < 0.7


def test_save_load_round_trip_gives_the_same_probabilities(run, screener, tmp_path):
    path = tmp_path / "offer.npz"
    written = run.model.save(path)
    assert [p.name for p in written] == ["offer.npz", "offer.card.json", "offer.card.md"]
    loaded = Model.load(path)
    assert loaded.threshold == run.model.threshold
    assert loaded.card == orjson.loads((tmp_path / "offer.card.json").read_bytes())
    np.testing.assert_array_equal(  # the training path: the sparse feature matrix
        loaded.probabilities_of(loaded.features(run.heldout.texts, screener)),
        run.heldout_probabilities,
    )
    # the scan path (no matrix, float64 sums) agrees to rounding, and on every decision
    scanned = loaded.probabilities(run.heldout.texts, screener)
    np.testing.assert_allclose(scanned, run.heldout_probabilities, rtol=1e-5, atol=1e-9)
    threshold = loaded.threshold
    assert ((scanned >= threshold) == (run.heldout_probabilities >= threshold)).all()
    assert "Intended use" in (tmp_path / "offer.card.md").read_text()


@pytest.mark.parametrize("content", [b"", b"not a model", b"PK\x03\x04broken zip"])
def test_a_corrupt_model_file_is_refused_clearly(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match="not an Interdiction model file"):
        Model.load(path)


def test_a_model_of_another_format_version_is_refused(run, tmp_path):
    path = tmp_path / "old.npz"
    run.model.save(path)
    with np.load(path) as archive:
        meta = orjson.loads(str(archive["meta"]))
        weights = archive["weights"]
    meta["format_version"] = 99
    np.savez_compressed(path, weights=weights, meta=np.array(orjson.dumps(meta).decode()))
    with pytest.raises(ModelFileError, match="format version 99"):
        Model.load(path)


def test_evaluation_reports_per_source_with_plots(run, tmp_path):
    heldout = run.heldout
    result = evaluate(heldout.offer, run.heldout_probabilities, heldout.sources,
                      run.model.threshold)  # fmt: skip
    assert set(result.metrics) == {"(all)", "chat", "market"}
    overall = result.metrics["(all)"]
    assert sum(overall["confusion"].values()) == len(heldout.texts)
    assert sum(b["count"] for b in overall["calibration"]) == len(heldout.texts)
    written = write_report(result, tmp_path / "report", "synthetic")
    names = {p.name for p in written}
    assert names == {"pr_curve.png", "calibration.png", "metrics.json", "report.html"}
    for png in ("pr_curve.png", "calibration.png"):
        assert (tmp_path / "report" / png).read_bytes().startswith(b"\x89PNG")
    page = (tmp_path / "report" / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2
    assert "market" in page


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    executable = Path(sys.executable).parent / "interdiction"
    return subprocess.run(
        [str(executable), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_cli_trains_and_evaluates_end_to_end(tmp_path):
    data = synthetic(300, seed=5)
    rows = [
        # 1/0 labels and a "set" field as in the eval data; one row without a label is skipped
        {"text": t, "label": int(o), "set": s}
        for t, o, s in zip(data.texts, data.offer, data.sources, strict=True)
    ] + [{"text": "no label here"}]
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_bytes(b"\n".join(orjson.dumps(r) for r in rows))

    trained = _cli("model", "train", "--data", str(labelled), "--out", "m/offer.npz",
                   "--seed", "3", cwd=tmp_path)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    assert "skipped 1" in trained.stderr
    assert (tmp_path / "m" / "offer.card.json").exists()

    evaluated = _cli("model", "eval", "--model", "m/offer.npz", "--data", str(labelled),
                     "--report", "rep", cwd=tmp_path)  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stderr
    assert "market" in evaluated.stdout
    assert (tmp_path / "rep" / "report.html").exists()


def test_cli_exits_2_without_a_traceback_on_unusable_input(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"\x00garbage")
    (tmp_path / "data.jsonl").write_text('{"text": "selling xanax", "label": "offer"}\n')
    corrupt = _cli("model", "eval", "--model", "bad.npz", "--data", "data.jsonl", cwd=tmp_path)
    assert corrupt.returncode == 2
    assert "not an Interdiction model file" in corrupt.stderr
    assert "Traceback" not in corrupt.stderr

    one_class = _cli("model", "train", "--data", "data.jsonl", "--out", "m.npz", cwd=tmp_path)
    assert one_class.returncode == 2
    assert "Traceback" not in one_class.stderr

    missing = _cli("model", "train", "--data", "nope.csv", "--out", "m.npz", cwd=tmp_path)
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
