"""Rules + the shipped model (learn.scorer): what the model may raise, what it never may, what
it says, and that its features come from the scan's own detections.

Texts are written for this file (none are copied from eval/data/ or ../shared).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from interdiction.learn.features import FeatureBuilder, ngram_buckets, ngram_hashes, ngram_strings
from interdiction.learn.model import Model, scan_findings
from interdiction.learn.scorer import ModelScorer, default_model_path, model_may_read
from interdiction.model import Detection, Label
from interdiction.pipeline.screen import Screener


@pytest.fixture(scope="module")
def model() -> Model:
    return Model.load(default_model_path())


@pytest.fixture(scope="module")
def combined(screener, model) -> Screener:
    """Same KB and detectors as the rules-only ``screener``; rules + model scoring."""
    return Screener(screener.kb, screener.detectors, ModelScorer(screener.scorer, model))


# Listing-shaped titles the rules leave unflagged: a strain the KB lacks with stealth shipping,
# a prescription drug that shops also sell, a misspelt brand with a pill count.
RAISED = [
    "Cheddar Moonwalk 1/8 oz, stealth shipping",
    "Sildenafil Pfizer 100mg x 20",
    "Alprazolum 2mg x 100 pills, overnight",
    "POTENT SPEED 10g",  # an ambiguous name sold by weight
]
NEVER = [
    "2 x Coke Zero 330ml, £1.50",
    "Coke Zero 2 for £3",
    "running late, grab 2 bags of ice and a crate of beer on the way",
    "Police seized 40 kg of cocaine and 3,000 ecstasy pills at the port on Tuesday.",
    "Never use alone: test a small amount first and keep naloxone nearby if opioids are around.",
    "I've been on oxycodone 10mg for my back since March; it helps but I feel foggy.",
    "My doctor switched me from Xanax 0.5mg to sertraline 50mg, sleeping much better now.",
    "Paracetamol 500mg 32 tablets – £0.89",
    "Grass seed 1kg, hard wearing lawn mix £7.99",
    "Snow boots kids size 12 – £24.00",
    "Mature cheddar cheese 500g",
    "Hash brown potatoes 1kg frozen",
    "Ice cubes 2kg bag",
    "Concerto tickets x 2, £40",  # one slip from a brand (Concerta), but an everyday word
    "Central heating pump 2kg, free delivery",
    # a pharmacy's shelf: pack sizes, not market counts; a pill's street name sold by weight
    "Pregabalin 75mg 56 capsules",
    "Phenergan 25mg 56 tablets",
    "Gabapentin 300mg 100 capsules",
    "Blue Diamond almonds 16 oz",
    "Green Giant sweetcorn 198g",
]


@pytest.mark.parametrize("text", RAISED)
def test_model_raises_listings_the_rules_leave(text, screener, combined):
    (rules_only,) = screener.screen([text])
    (both,) = combined.screen([text])
    assert not rules_only.flagged
    assert both.flagged and both.label is Label.OFFER
    assert both.model == "rules+offer-v1"
    assert both.reasons[0].startswith("model offer-v1 p=")
    assert any(r.startswith("n-grams that weighed most: ") for r in both.reasons)
    assert any(r.startswith("trade signals: ") for r in both.reasons)  # the rules still explain
    assert both.detections  # the evidence stays the detectors'


@pytest.mark.parametrize("text", NEVER)
def test_model_never_flags_everyday_news_harm_reduction_or_patients(text, combined):
    (both,) = combined.screen([text], explain_all=True)
    assert not both.flagged, both.reasons


def test_rules_flags_stand_and_name_the_model(screener, combined):
    text = "selling f3ntanyl 10g, tg @plug, BTC only"
    (rules_only,) = screener.screen([text])
    (both,) = combined.screen([text])
    assert rules_only.flagged and both.flagged
    assert both.risk == rules_only.risk
    assert any(r.startswith("model offer-v1") for r in both.reasons)


def test_trade_words_alone_stay_nothing_found_in_scans(combined):
    texts = ["see you at 5, it's £3 for parking", "lunch?", RAISED[0]]
    found = combined.screen(texts)
    assert [a.flagged for a in found] == [False, False, True]
    assert found[0].reasons == [] and found[0].detections == []  # as the rules alone give it


def test_context_keeps_the_model_out():
    news = [Detection("trade", "context", 0, 4, "news", "news", 0.6)]
    sale = [Detection("trade", "trade", 0, 4, "sale", "sale", 0.7)]
    assert not model_may_read(news + sale)
    assert model_may_read(sale)
    assert not model_may_read([])


def test_nearest_kb_names_for_a_misspelt_brand(screener, model):
    scorer = ModelScorer(screener.scorer, model)
    assert any("alprazolam" in n.lower() for n in scorer.nearest_names("Alprazolum 2mg", []))


def test_features_come_from_the_given_detections(kb):
    """The detector block reads the Detection lists it is given: it runs no detector."""
    builder = FeatureBuilder.default(kb)
    det = Detection("substances", "substance", 0, 8, "fentanyl", "fentanyl", 1.0, {})
    with_it = builder.detector_block(["fentanyl"], [[det]], [None])
    without = builder.detector_block(["fentanyl"], [[]], [None])
    column = builder.index["substance:" + kb.get("fentanyl").substance_class]
    assert with_it[0, column] > 0 and without[0, column] == 0


def test_ngram_hashing_is_the_same_vectorised_and_one_by_one():
    texts = ["Blue Dream 3.5g!", "ｆｅｎｔａｎｙｌ  for   sale", "a", "", "Кока-Кола Зеро"]
    rows, buckets, counts = ngram_hashes(texts, 19, (2, 5))
    for row, text in enumerate(texts):
        grams = ngram_strings(text, (2, 5))
        assert counts[row] == len(grams)
        assert sorted(buckets[rows == row].tolist()) == sorted(ngram_buckets(grams, 19))


def test_scan_path_and_training_path_agree(screener, model):
    texts = RAISED + NEVER
    detections, rules = scan_findings(screener, texts)
    fast = model.probabilities_from(screener.kb, texts, detections, rules)
    matrix = model.probabilities_of(model.features(texts, screener))
    np.testing.assert_allclose(fast, matrix, rtol=1e-5, atol=1e-9)


def test_default_model_is_small_and_loads_fast():
    path = default_model_path()
    assert path.stat().st_size < 50_000_000
    started = time.perf_counter()
    loaded = Model.load(path)
    assert time.perf_counter() - started < 1.0
    assert loaded.name == "offer-v1"
    assert loaded.card["intended_use"] and path.with_suffix(".card.md").is_file()


def test_a_cas_number_the_kb_lacks_names_nothing_for_the_model(screener, combined):
    """Chemical suppliers list CAS numbers: one the KB lacks is not the "named" case, so only
    drug-specific signals would let the model flag it."""
    scorer = combined.scorer
    for text, expected in [
        ("Caffeine anhydrous CAS 58-08-2, 500g, lab supply, next day", "unnamed_plain"),
        ("CAS 437-38-7, analytical reference standard", "named"),  # fentanyl's
    ]:
        (dets,) = screener.detect([text])
        verdict = scorer.rules.assess(text, dets)
        case = scorer.case(text, dets, verdict, True)
        assert (case[0] if case else None) == expected, (text, case, verdict.reasons)
