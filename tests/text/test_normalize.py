"""Normalisation: every obfuscation kind folds to the plain spelling, offsets never move."""

from __future__ import annotations

import pytest

from interdiction.text.batch import TextBatch
from interdiction.text.normalize import compact, fold_name, fold_view, lower_view

FOLDS_TO_FENTANYL = [
    ("fentanyl", "plain"),
    ("FENTANYL", "case"),
    ("f3nt@nyl", "leetspeak"),
    ("fent4ny1", "leetspeak digits"),
    ("ｆｅｎｔａｎｙｌ", "fullwidth"),
    ("𝐟𝐞𝐧𝐭𝐚𝐧𝐲𝐥", "mathematical bold"),
    ("fеntаnyl", "Cyrillic е and а"),
    ("ꜰᴇɴᴛᴀɴʏʟ", "small capitals"),
    ("fëntânyl", "diacritics"),
    ("ƒєηтαηуℓ", "fancy-text Greek and Cyrillic look-alikes"),
    ("ƒɛɳʈąɳყɭ", "Latin letters with hooks and tails"),
]


@pytest.mark.parametrize(("text", "kind"), FOLDS_TO_FENTANYL)
def test_fold_view_defeats_disguise(text, kind):
    assert fold_view(text) == fold_name("fentanyl"), kind


@pytest.mark.parametrize("text", [t for t, _ in FOLDS_TO_FENTANYL] + ["Straße", "İstanbul", "ﬁne"])
def test_views_keep_length(text):
    assert len(lower_view(text)) == len(text)
    assert len(fold_view(text)) == len(text)


def test_lower_view_keeps_digits_for_quantities():
    assert lower_view("10G of X@NAX for £20") == "10g of x@nax for £20"


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("F E N T A N Y L", "FENTANYL"),
        ("M-D-M-A", "MDMA"),
        ("f.e.n.t.a.n.y.l", "fentanyl"),
        ("k_e_t", "ket"),
        ("fen\u200btanyl", "fentanyl"),
        ("o\u200dx\u2060y", "oxy"),
    ],
)
def test_compact_joins_spaced_letters_and_drops_invisible(text, joined):
    result = compact(text)
    assert result.text == joined
    start, end = result.span(0, len(result.text))
    assert (start, end) == (0, len(text))


def test_compact_leaves_ordinary_words_alone():
    text = "I am a big fan of the A-team and U.S. news"
    assert compact(text).text == text


def test_compact_maps_offsets_back():
    text = "buy F E N T now"
    result = compact(text)
    start = result.text.index("FENT")
    assert result.span(start, start + 4) == (4, 11)


def test_batch_maps_byte_offsets_of_non_ascii_items():
    batch = TextBatch(["héllo wörld", "日本語 fentanyl", "plain"])
    data, char_of_byte = batch.encoded("fold")
    assert char_of_byte is not None
    start = data.index(b"fentanyi")
    hits = list(batch.to_items(*batch.to_chars("fold", [(0, start, start + 8)])))
    assert hits == [(0, 1, 4, 12)]
    assert batch.texts[1][4:12] == "fentanyl"


def test_lower_table_on_ascii_is_plain_lower_case():
    ascii_chars = "".join(chr(c) for c in range(128))
    assert lower_view(ascii_chars) == ascii_chars.lower()


def test_batch_lower_view_is_the_same_whichever_path():
    texts = ["ABC déf", "PLAIN ascii", "ｆｕｌｌ", "Ωmega"]
    assert TextBatch(texts).lower == "\n".join(lower_view(t) for t in texts)
    assert TextBatch(texts[1:2]).lower == "plain ascii"


def test_fold_bytes_equal_the_fold_view_encoded():
    texts = ["F3NT@NYL ｆｅｎｔ", "x@n4x €5 naïve 1|!", "мефедрон 冰毒 😀"]
    batch = TextBatch(texts)
    data, char_of_byte = batch.encoded("fold")
    assert data == batch.fold.encode("utf-8")
    assert char_of_byte is batch.encoded("lower")[1]
