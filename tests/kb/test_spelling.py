"""kb/spelling.py: words one typing slip from a KB name, and the everyday words that are not."""

from __future__ import annotations

import pytest

from interdiction.kb import load_kb
from interdiction.kb.spelling import NearNames


@pytest.fixture(scope="module")
def near_names() -> NearNames:
    return NearNames(load_kb())


@pytest.mark.parametrize(
    ("word", "substance_id"),
    [
        ("Alprazolum", "alprazolam"),  # a letter changed
        ("oxycodne", "oxycodone"),  # a letter dropped
        ("Buprenorphinne", "buprenorphine"),  # a letter added
        ("carfetnanil", "carfentanil"),  # two neighbours swapped
        ("Hydrocodome", "hydrocodone"),
        ("Turanabol", "chlorodehydromethyltestosterone"),  # slang of eight letters or more
    ],
)
def test_a_slip_finds_its_name(near_names, word, substance_id):
    near = near_names.nearest(word)
    assert near is not None and near.substance_id == substance_id
    assert near.word == word


@pytest.mark.parametrize(
    "word",
    [
        "alprazolam",  # the name itself is the substance detector's
        "concert",  # everyday words one slip from a brand (Concerta, Centrax, methadol)
        "central",
        "methanol",
        "morphing",
        "trophies",
        "heroine",  # names shorter than seven letters are left out (heroin)
        "carfentanillll",  # more than one slip
        "singers",  # one slip from short street slang (pingers): left out
    ],
)
def test_not_a_slip(near_names, word):
    assert near_names.nearest(word) is None


def test_words_in_text_keep_their_spelling(near_names):
    found = near_names.in_text("Alprazolum 2mg x 100 and Klonopinn, concert tickets")
    assert [(n.word, n.substance_id) for n in found] == [
        ("Alprazolum", "alprazolam"),
        ("Klonopinn", "clonazepam"),
    ]


def test_everyday_words_are_listed_with_the_kb():
    kb = load_kb()
    assert {"concert", "central", "attention"} <= kb.near_name_words
    assert NearNames(kb, skip_everyday=False).nearest("concert") is not None
