"""Screening: push a batch of texts through every detector, then the scorer."""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from collections.abc import Sequence
from itertools import compress
from typing import Protocol

from interdiction.detect.base import Detector, DetectorContext, create_detectors
from interdiction.kb import KnowledgeBase, load_kb
from interdiction.kb.cache import DirectoryCache
from interdiction.model import Assessment, Detection
from interdiction.score.rules import NOTHING_FOUND, RulePolicy, RuleScorer, worth_a_verdict
from interdiction.text.batch import TextBatch


class Scorer(Protocol):
    """Turns an item's detections into a verdict: the rules (score.rules), or the rules with a
    learned model (learn.scorer).

    A scorer may also define ``worth_a_verdict(detections) -> bool`` to be shown more items
    than the rules need (items with trade signals but no name, for a model to read); an item
    it is shown only for that comes back as nothing found unless the scorer flags it, so the
    scorer need not explain it unless ``explain_all`` asks for every reason.
    """

    name: str

    def assess_batch(
        self, texts: Sequence[str], detections: Sequence[list[Detection]], explain_all: bool = False
    ) -> list[Assessment]: ...


class Screener:
    def __init__(self, kb: KnowledgeBase, detectors: list[Detector], scorer: Scorer):
        self.kb = kb
        self.detectors = detectors
        self.scorer = scorer
        self.timings: dict[str, float] = defaultdict(float)  # stage -> seconds, cumulative

    @classmethod
    def create(
        cls,
        kb: KnowledgeBase | None = None,
        detector_names: list[str] | None = None,
        threshold: float = 0.5,
        options: dict | None = None,
    ) -> Screener:
        # The KB and compiled tables live for the whole run: the garbage collector would walk
        # them again and again while they are built (a fifth of start-up) and after (4x slower
        # allocation). It is paused meanwhile, and what was built is moved out of its sight.
        collecting = gc.isenabled()
        gc.disable()
        try:
            kb = kb or load_kb()
            context = DetectorContext(kb=kb, options=options or {}, pattern_cache=DirectoryCache())
            detectors = create_detectors(context, detector_names)
            screener = cls(kb, detectors, RuleScorer(kb, RulePolicy(threshold=threshold)))
        finally:
            if collecting:
                gc.enable()
        gc.collect()
        gc.freeze()
        return screener

    def detect(self, texts: Sequence[str]) -> list[list[Detection]]:
        """Every detector's findings for each text, in order, sorted by span (no verdicts)."""
        batch, found = self._detect(texts)
        detections: list[list[Detection]] = [[] for _ in range(len(batch))]
        for i, dets in found.items():
            dets.sort(key=lambda d: (d.start, d.end))
            detections[i] = dets
        return detections

    def _detect(self, texts: Sequence[str]) -> tuple[TextBatch, dict[int, list[Detection]]]:
        started = time.perf_counter()
        batch = TextBatch(texts)
        batch.prepare()  # the normalised views every detector shares, timed as their own stage
        self.timings["normalize"] += time.perf_counter() - started
        found: dict[int, list[Detection]] = defaultdict(list)
        for detector in self.detectors:
            started = time.perf_counter()
            results = detector.detect(batch)
            for item in compress(range(len(results)), results):  # C loop: most items have none
                found[item].extend(results[item])
            self.timings[f"detect:{detector.name}"] += time.perf_counter() - started
        return batch, found

    def screen(self, texts: Sequence[str], explain_all: bool = False) -> list[Assessment]:
        """One assessment per text, in order.

        Items whose findings cannot make a verdict (trade words alone; ambiguous words with no
        trade at all) come back as nothing found, unless ``explain_all`` asks for every reason
        or the scorer asked to see them (``worth_a_verdict``) and flagged them.
        """
        batch, found = self._detect(texts)
        started = time.perf_counter()
        wants = getattr(self.scorer, "worth_a_verdict", worth_a_verdict)
        hit = sorted(i for i, dets in found.items() if explain_all or wants(dets))
        assessments = [NOTHING_FOUND] * len(batch)
        if hit:
            for dets in (found[i] for i in hit):
                dets.sort(key=lambda d: (d.start, d.end))
            scored = self.scorer.assess_batch(
                [batch.texts[i] for i in hit], [found[i] for i in hit], explain_all
            )
            keep_all = explain_all or wants is worth_a_verdict
            for i, assessment in zip(hit, scored, strict=True):
                if keep_all or assessment.flagged or worth_a_verdict(found[i]):
                    assessments[i] = assessment
        self.timings["score"] += time.perf_counter() - started
        return assessments
