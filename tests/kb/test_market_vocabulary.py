"""Market vocabulary (curated/cannabis-market.yaml, curated/steroids-pharmacy-market.yaml):
strain, concentrate and steroid product names land on the right entry with the right strength."""

import pytest

from interdiction.kb import load_kb


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def _kinds(kb, entry_id: str) -> dict[str, bool]:
    return {n.text.lower(): n.weak for n in kb.get(entry_id).names}


@pytest.mark.parametrize(
    ("entry_id", "name", "weak"),
    [
        ("cannabis", "bubblelicious", False),
        ("cannabis", "alien og", False),
        ("cannabis", "space cake", False),
        ("cannabis", "autoflower seeds", False),
        # strains that are also names of other goods stay weak
        ("cannabis", "purple haze", True),
        ("cannabis", "blue dream", True),
        ("cannabis", "mary jane", True),
        ("cannabis", "wedding cake", True),
        ("cannabis", "gelato", True),
        ("cannabis", "cânhamo", True),
        ("coca-leaf", "кока", True),
        ("cannabis-extract", "thc carts", False),
        ("cannabis-extract", "distillate carts", False),
        ("trenbolone", "tren e", False),
        ("trenbolone", "tren 200", False),
        ("nandrolone", "deca 250", False),
        ("boldenone", "eq 300", False),
        ("exemestane", "aromasin", False),
        ("liothyronine", "t3", True),
        ("orlistat", "xenical", False),
    ],
)
def test_market_name_lands_on_entry(kb, entry_id, name, weak):
    names = _kinds(kb, entry_id)
    assert name in names, f"{name!r} is not a name of {entry_id}"
    assert names[name] is weak


def test_npp_stays_the_fentanyl_precursor(kb):
    # nandrolone phenylpropionate is also "NPP" in steroid shops; the KB keeps it on the precursor
    assert "npp" not in _kinds(kb, "nandrolone")


def test_new_prescription_entries_carry_no_guessed_identifiers(kb):
    for entry_id in ("exemestane", "liothyronine", "chorionic-gonadotropin", "cabergoline",
                     "orlistat", "rimonabant", "2,4-dinitrophenol"):
        sub = kb.get(entry_id)
        assert not sub.cas and not sub.inchikey and not sub.smiles
