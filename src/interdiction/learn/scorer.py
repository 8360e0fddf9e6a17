"""The verdict from the rules and a learned model together, plugged into the Screener.

The rules stay the backbone: every flag they raise stands, with their reasons. The model reads
the same detections (never running a detector again) plus the wording, and may flag what the
rules left as a mention or as nothing, but only where the detectors found trade evidence
(``CombinePolicy`` in learn.model says exactly where), so it raises recall on listings whose
names the KB lacks (a cannabis strain, a misspelt brand) or whose substances shops also sell
(prescription drugs in a market title) and never flags everyday text on its own: text with no
trade signal, or with news, medical, pharmacy, harm-reduction or everyday-phrase context, is
out of its reach.

A flag the model raises says so in ``reasons`` ("model offer-v1 p=0.93 ≥ 0.90: ..."), with the
rules' own reasons, the nearest KB names, the trade signals and the n-grams that weighed most.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import fields, replace
from functools import cached_property
from importlib.resources import files
from pathlib import Path

import numpy as np

from interdiction.kb import KnowledgeBase
from interdiction.kb.spelling import NearNames
from interdiction.learn.features import ngram_buckets, ngram_strings
from interdiction.learn.model import Model
from interdiction.model import Assessment, Detection, Label, Substance
from interdiction.score.rules import (
    NOTHING_FOUND,
    PHARMACY_CLASSES,
    PHARMACY_FORM,
    PILL_CLASSES,
    WEIGHT,
    RuleScorer,
    title_shaped,
    worth_a_verdict,
)

# Detections that give the model something to read: a name, a way to reach someone, trade.
MODEL_EVIDENCE = frozenset(
    {"substance", "cas", "analogue", "inchikey", "identifier", "trade", "solicitation"}
)
# A pharmacy's pack size: a count of tablets or capsules, not "x 100" nor "100 pills".
TOP_NGRAMS = 5
DEFAULT_MODEL = "learn/models/offer.npz"
_WORD = re.compile(r"[^\W\d_]{4,}")


def model_may_read(detections: list[Detection]) -> bool:
    """Worth the model's look: something named, reachable or traded, and no context (news,
    medical, pharmacy, harm reduction, negation, an everyday phrase) that argues against
    trade. Context can only lower a verdict, so such items are left to the rules."""
    evidence = False
    for det in detections:
        if det.kind == "context":
            return False
        if det.kind in MODEL_EVIDENCE:
            evidence = True
    return evidence


class ModelScorer:
    """Rules + model. ``name`` is what records carry in ``model``: "rules+NAME"."""

    def __init__(self, rules: RuleScorer, model: Model):
        self.rules = rules
        self.model = model
        self.kb: KnowledgeBase = rules.kb
        self.policy = model.combine
        self.name = f"rules+{model.name}"
        self.label = f"model {model.name}"

    def worth_a_verdict(self, detections: list[Detection]) -> bool:
        return worth_a_verdict(detections) or model_may_read(detections)

    def assess_batch(
        self, texts: Sequence[str], detections: Sequence[list[Detection]], explain_all: bool = False
    ) -> list[Assessment]:
        ruled = [worth_a_verdict(d) for d in detections]
        verdicts: list[Assessment | None] = [
            self.rules.assess(t, d) if r else None
            for t, d, r in zip(texts, detections, ruled, strict=True)
        ]
        readable = [i for i, dets in enumerate(detections) if model_may_read(dets)]
        p = np.full(len(texts), np.nan)
        if readable:
            p[readable] = self.model.probabilities_from(
                self.kb, [texts[i] for i in readable], [detections[i] for i in readable],
                [verdicts[i] for i in readable],
            )  # fmt: skip
        out = []
        for i, (text, dets) in enumerate(zip(texts, detections, strict=True)):
            if verdicts[i] is None and not explain_all and not p[i] >= self.lowest_threshold:
                # the rules pass it over and the model cannot flag it: the screener drops it
                out.append(NOTHING_FOUND)
                continue
            verdict = verdicts[i] or self.rules.assess(text, dets)
            out.append(self.combine(text, dets, verdict, ruled[i], float(p[i])))
        return out

    @cached_property
    def lowest_threshold(self) -> float:
        return min(getattr(self.policy, case.name) for case in fields(self.policy))

    # ------------------------------------------------------------------ the combination
    def case(self, text: str, detections: list[Detection], verdict: Assessment, ruled: bool):
        """(case, threshold) the model must reach to flag this item, or None where it may not.
        ``verdict`` is the rules' assessment; ``ruled`` whether the rules gave one."""
        if verdict.flagged or not model_may_read(detections):
            return None
        if not title_shaped(text):
            return None
        if ruled and verdict.label == Label.MENTION and self._names_a_kb_entry(detections):
            pharmacy_row = PHARMACY_FORM.search(text) is not None
            if self._shop_sold(detections, medicines_too=pharmacy_row):
                if pharmacy_row:
                    return None  # "Pregabalin 75mg 56 capsules": a pharmacy's shelf
                return "shop_sold", self.policy.shop_sold
            return "named", self.policy.named
        if any(d.kind == "trade" and d.attrs.get("drug_specific") for d in detections):
            return "unnamed", self.policy.unnamed
        if _weak_name_with_weight(self.kb, detections):
            return "weak_named", self.policy.weak_named
        if self.near_names.in_text(text):
            return "misspelt", self.policy.misspelt
        if any(d.kind in ("trade", "solicitation", "identifier") for d in detections):
            return "unnamed_plain", self.policy.unnamed_plain
        return None

    def _names_a_kb_entry(self, detections: list[Detection]) -> bool:
        """A name, structure or CAS number of the KB: a CAS number the KB lacks names some
        chemical, most often one that chemical suppliers sell (caffeine, 58-08-2)."""
        return any(
            d.kind != "cas" or self.kb.get(str(d.attrs.get("substance_id") or ""))
            for d in _counted_names(detections)
        )

    def _shop_sold(self, detections: list[Detection], medicines_too: bool = False) -> bool:
        """Every counted name is of something shops sell too (``medicines_too``: or a licensed
        medicine, on a row listed as pharmacies list medicines), as the rules judge it."""
        counted = _counted_names(detections)
        for det in counted:
            if det.kind in ("cas", "analogue"):
                return False
            sub = self.kb.get(str(det.value or det.attrs.get("substance_id") or ""))
            if sub is not None and not self.rules.shop_sold(sub, medicines_too):
                return False
        return bool(counted)

    def combine(
        self, text: str, dets: list[Detection], verdict: Assessment, ruled: bool, p: float
    ) -> Assessment:
        case = None if np.isnan(p) else self.case(text, dets, verdict, ruled)
        if case is None or p < case[1]:
            if np.isnan(p):
                note = f"{self.label}: not consulted (nothing for it to read, or context)"
            elif case is None:
                note = f"{self.label} p={p:.2f}: not its call (rules decide)"
            else:
                note = f"{self.label} p={p:.2f} < {case[1]:.2f} ({case[0]})"
            return replace(verdict, reasons=_before_risk(verdict.reasons, note), model=self.name)
        what, threshold = case
        reasons = [
            f"{self.label} p={p:.2f} ≥ {threshold:.2f}: flags what the rules left "
            f"{'a mention' if verdict.label == Label.MENTION else 'unflagged'} ({_CASES[what]})",
            *(r for r in verdict.reasons if not r.startswith("risk ")),
        ]
        nearest = self.nearest_names(text, dets)
        if nearest:
            reasons.append("nearest KB names: " + ", ".join(nearest))
        reasons.append("n-grams that weighed most: " + ", ".join(self.top_ngrams(text)))
        risk = round(max(p, verdict.risk), 4)
        reasons.append(
            f"risk {risk:.2f}: {self.label} p={p:.2f} ≥ {threshold:.2f} ({what}); rules risk "
            f"{verdict.risk:.2f}"
        )
        return Assessment(
            label=Label.OFFER, risk=risk, flagged=True, reasons=reasons,
            detections=verdict.detections, model=self.name,
        )  # fmt: skip

    # ------------------------------------------------------------------ explanations
    def top_ngrams(self, text: str, limit: int = TOP_NGRAMS) -> list[str]:
        """The n-grams of ``text`` with the largest positive weight (what read as an offer)."""
        spec = self.model.spec
        grams = sorted({g for g in ngram_strings(text, spec.ngram_range) if len(g.strip()) >= 3})
        if not grams:
            return []
        weights = self.model.weights[ngram_buckets(grams, spec.hash_bits)]
        order = np.argsort(-weights)[:limit]
        return [f"{grams[i]!r} {weights[i]:+.2f}" for i in order if weights[i] > 0]

    def nearest_names(self, text: str, detections: list[Detection], limit: int = 3) -> list[str]:
        """The KB names the detectors found (even ambiguous or ignored ones), else the KB names
        closest in spelling to the text's words ("Adderrall" -> Adderall)."""
        found = []
        for det in detections:
            if det.kind == "substance" and det.value:
                sub = self.kb.get(det.value)
                label = f"{det.text!r} = {sub.name if sub else det.value}"
                if label not in found:
                    found.append(label)
        if found:
            return found[:limit]
        # a word one slip from a name first, then names merely alike in spelling
        close = [(n.word.lower(), n.substance_id) for n in self.near_names.in_text(text)]
        for word in _WORD.findall(text.lower()):
            bucket = self._names_by_initial.get(word[0], [])
            close += [
                (word, self._name_to_id[m]) for m in difflib.get_close_matches(word, bucket, 1, 0.8)
            ]
        labels = list(dict.fromkeys(f"{w!r} ~ {self._substance_name(i)}" for w, i in close))
        return labels[:limit]

    def _substance_name(self, substance_id: str) -> str:
        sub = self.kb.get(substance_id)
        return sub.name if sub else substance_id

    @cached_property
    def near_names(self) -> NearNames:
        return NearNames(self.kb)

    @cached_property
    def _name_to_id(self) -> dict[str, str]:
        names = {}
        for sub in self.kb.substances.values():
            for name in [sub.name, *(n.text for n in sub.names if not n.weak)]:
                key = name.lower()
                if len(key) >= 5 and key.isalpha():
                    names.setdefault(key, sub.id)
        return names

    @cached_property
    def _names_by_initial(self) -> dict[str, list[str]]:
        buckets: dict[str, list[str]] = {}
        for name in self._name_to_id:
            buckets.setdefault(name[0], []).append(name)
        return buckets


_CASES = {
    "named": "a substance named in a short text that tells no story",
    "shop_sold": "a substance that shops also sell, in a short text that tells no story",
    "unnamed": "no KB name, but a short text with drug-specific trade signals",
    "weak_named": "an ambiguous name sold by weight in a short text that tells no story",
    "misspelt": "a word one slip from a KB name in a short text with trade signals",
    "unnamed_plain": "no KB name, but a short text with trade signals",
}


WEIGHTS = frozenset({"quantity", "street-quantity"})


def _weak_name_with_weight(kb: KnowledgeBase, detections: list[Detection]) -> bool:
    """An ambiguous name the rules set aside ("Hash", "Speed", a strain called "Cheese") sold
    by weight: a market title, or a deli counter; the model tells which. Not the street name
    of a pill medicine: "Blue Diamond" is sildenafil's, but sold by the ounce it is almonds."""
    weak = any(
        d.kind == "substance"
        and d.attrs.get("match") == "weak"
        and not d.attrs.get("compound")
        and _sold_by_weight(kb.get(str(d.value)))
        for d in detections
    )
    return weak and any(
        d.kind == "trade" and d.value in WEIGHTS and WEIGHT.search(d.text) for d in detections
    )


def _counted_names(detections: list[Detection]) -> list[Detection]:
    """What names a substance and was not set aside by the rules."""
    return [
        d for d in detections
        if d.kind in ("substance", "inchikey", "cas", "analogue") and not d.attrs.get("ignored")
    ]  # fmt: skip


def _sold_by_weight(sub: Substance | None) -> bool:
    return sub is None or sub.substance_class not in PILL_CLASSES | PHARMACY_CLASSES


def _before_risk(reasons: list[str], note: str) -> list[str]:
    """``note`` added before the closing "risk ..." line, which stays last."""
    if reasons and reasons[-1].startswith("risk "):
        return [*reasons[:-1], note, reasons[-1]]
    return [*reasons, note]


def with_model(screener, model: Model):
    """The screener, now scoring with its rules and ``model`` together."""
    rules = getattr(screener.scorer, "rules", screener.scorer)
    screener.scorer = ModelScorer(rules, model)
    return screener


def default_model_path() -> Path:
    """The model shipped in the package (scripts/train_default_model.py writes it)."""
    return Path(str(files("interdiction").joinpath(DEFAULT_MODEL)))


def use_model(screener, path: Path | None = None):
    """The screener scoring with its rules and the model at ``path`` (default: the shipped
    one). Raises ModelFileError when the file is missing or unusable."""
    return with_model(screener, Model.load(path or default_model_path()))
