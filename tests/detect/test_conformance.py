"""Every detector, through its own table of examples: the shared contract of the interface."""

from __future__ import annotations

import pytest

from interdiction.detect.base import available_detectors, detection_label
from interdiction.text.batch import TextBatch

EXPECTED = {"substances", "trade", "identifiers", "chemistry"}
CASES = [
    (name, index)
    for name, cls in available_detectors().items()
    for index in range(len(cls.examples))
]


def test_all_builtin_detectors_are_installed():
    assert set(available_detectors()) >= EXPECTED


@pytest.mark.parametrize("name", sorted(available_detectors()))
def test_detector_declares_itself(name, detectors):
    detector = detectors[name]
    assert detector.name == name
    assert detector.finds, "a detector says what it finds"
    assert len(detector.examples) >= 3, "a detector ships a table of examples"
    assert any(e.finds for e in detector.examples) and any(e.absent for e in detector.examples)


@pytest.mark.parametrize(("name", "index"), CASES)
def test_example(name, index, detectors):
    detector = detectors[name]
    example = detector.examples[index]
    (found,) = detector.detect(TextBatch([example.text]))
    labels = {(detection_label(d), d.value) for d in found}
    for label, value in example.finds:
        assert any(got == label and (value is None or v == value) for got, v in labels), (
            f"{name}: {example.text!r} should find {label}={value}; found {sorted(labels, key=str)}"
        )
    for label in example.absent:
        hits = [d for d in found if label == "*" or detection_label(d) == label]
        assert not hits, f"{name}: {example.text!r} must not find {label}; found {hits}"
    for d in found:
        assert example.text[d.start : d.end] == d.text, "spans point at the original text"
        assert d.detector == name
        assert d.kind in detector.finds or detection_label(d) in detector.finds


@pytest.mark.parametrize("name", sorted(available_detectors()))
def test_results_do_not_depend_on_the_rest_of_the_batch(name, detectors):
    detector = detectors[name]
    texts = [e.text for e in detector.examples]
    noise = ["ordinary words only", "ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ", "русский текст", "中文文本", ""]
    mixed = [t for pair in zip(texts, noise * len(texts), strict=False) for t in pair]
    together = detector.detect(TextBatch(mixed))[::2]
    alone = [detector.detect(TextBatch([t]))[0] for t in texts]

    def key(dets):
        return sorted((d.kind, d.start, d.end, d.text, str(d.value)) for d in dets)

    assert [key(d) for d in together] == [key(d) for d in alone]
