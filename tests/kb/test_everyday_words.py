"""Curated vocabulary can make a strong name weak: it keeps its kind, needs context to count."""

from __future__ import annotations

import pytest

from interdiction.kb.loader import build_kb


@pytest.mark.parametrize(
    ("substance", "text", "kind"),
    [("amt", "AMT", "preferred"), ("methylphenidate", "MPH", "abbreviation"),
     ("tilidine", "Lak", "brand"), ("temazepam", "jellies", "slang")],
)  # fmt: skip
def test_everyday_words_are_weak_names_of_their_kind(kb, substance, text, kind):
    name = next(n for n in kb.get(substance).names if n.text == text)
    assert name.weak and name.kind == kind


def test_curated_weak_name_demotes_a_strong_one(tmp_path):
    (tmp_path / "base.yaml").write_text(
        "substances:\n"
        "- id: amt\n  name: AMT\n  class: psychedelic\n  sources: [curated]\n"
        "  names:\n    synonym: [alpha-methyltryptamine]\n",
        encoding="utf-8",
    )
    (tmp_path / "words.yaml").write_text(
        "more_names:\n- id: amt\n  sources: [curated]\n  names:\n    weak: [AMT]\n",
        encoding="utf-8",
    )
    kb = build_kb(sorted(tmp_path.glob("*.yaml")), [], {"curated": {}})
    names = {n.text: n for n in kb.get("amt").names}
    assert names["AMT"].weak and names["AMT"].kind == "preferred"
    assert not names["alpha-methyltryptamine"].weak
    assert kb.get("amt").name == "AMT"
