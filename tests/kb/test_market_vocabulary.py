"""Market vocabulary (curated/cannabis-market.yaml, steroids-pharmacy-market.yaml,
market-vocabulary.yaml, nps-market.yaml, precursors.yaml): strain, concentrate, seed-bank, press,
pharmacy-brand, NPS and precursor names land on the right entry with the right strength, and a
listing written with them is screened as an offer while everyday texts with the weak ones are not.

Texts are written for this file (none are copied from eval/data/ or market data)."""

import pytest

from interdiction.kb import load_kb
from interdiction.pipeline.screen import Screener


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
        # nps-market.yaml: new synthetic cannabinoids, cathinones, plant sources
        ("5f-mn-18", "5f-mn18", False),
        ("mmb-2201", "5f-amb-pica", False),
        ("akb48", "akb-48", False),
        ("dimethylone", "bk-mddma", False),
        ("dimethylone", "m11", True),
        ("mimosa-hostilis", "mhrb", False),
        ("mimosa-hostilis", "jurema", True),
        ("dmt-plant-sources", "acacia confusa root bark", False),
        ("dmt-plant-sources", "chacruna", True),
        # precursors.yaml: nitropropenes, bromoketones, spellings
        ("p2np", "p2np", False),
        ("mdp2np", "mdp2np", False),
        ("2-bromo-4-methylpropiophenone", "2-bromo-4-methylpropiophenone", False),
        ("red-phosphorus", "red phosphorous", False),
        ("red-phosphorus", "red phosphor", True),
        ("bmk-glycidic-acid-and-esters", "new bmk", False),
        ("pmk-glycidic-acid-and-esters", "pmk powder", False),
        # market-vocabulary.yaml: presses, mushrooms, plants, pharmacy brands
        ("mdma", "tesla pills", False),
        ("mdma", "partyflock", True),
        ("mdma", "louis vuitton", True),
        ("mdma", "superman pills", True),
        ("psilocybin-mushrooms", "psilocybe tampanensis", False),
        ("psilocybin-mushrooms", "tampanensis truffles", False),
        ("psilocybin-mushrooms", "penis envy", True),
        ("psilocybin-mushrooms", "penis envy mushrooms", False),
        ("psilocybin-mushrooms", "mazatapec", True),
        ("ayahuasca", "syrian rue", True),
        ("clonazepam", "iktorivil", False),
        ("oxycodone", "oxyneo", False),
        ("methylphenidate", "ritalina", False),
        ("ketamine", "esketamine", False),
        ("methasterone", "superdrol", False),
        # cannabis-market.yaml: seed banks, seed words, resin
        ("cannabis", "dinafem", False),
        ("cannabis", "barney's farm", False),
        ("cannabis", "cannabutter", False),
        ("cannabis", "female seeds", True),
        ("cannabis", "dutch passion", True),
        ("cannabis-resin", "maroc hash", False),
        # steroids-pharmacy-market.yaml: post-cycle and "research" compounds
        ("toremifene", "fareston", False),
        ("ibutamoren", "mk-677", False),
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
    for entry_id in (
        "exemestane",
        "liothyronine",
        "chorionic-gonadotropin",
        "cabergoline",
        "orlistat",
        "rimonabant",
        "2,4-dinitrophenol",
        "toremifene",
        "enclomiphene",
        "ibutamoren",
        "cardarine",
        "andarine",
        "yk-11",
        "stenabolic",
    ):
        sub = kb.get(entry_id)
        assert not sub.cas and not sub.inchikey and not sub.smiles


def test_penis_envy_is_weak_everywhere(kb):
    # a term of psychoanalysis: the strain counts only with drug context
    names = _kinds(kb, "psilocybin-mushrooms")
    assert names["penis envy"] is True


def test_market_additions_carry_no_cas_numbers(kb):
    # no CAS number of these could be checked against shared/data/sources
    for entry_id in (
        "5f-mn-18",
        "fab-144",
        "mmb-2201",
        "dimethylone",
        "mimosa-hostilis",
        "p2np",
        "mdp2np",
        "2-bromo-4-methylpropiophenone",
        "2-bromovalerophenone",
    ):
        assert not kb.get(entry_id).cas, entry_id


def test_press_names_are_of_kind_press(kb):
    # a brand counts as a pill logo only beside a pill strength, never on other drug context
    kinds = {n.text.lower(): n.kind for n in kb.get("mdma").names}
    for brand in (
        "louis vuitton",
        "lego",
        "nintendo",
        "hello kitty",
        "tesla",
        "rolex",
        "mitsubishi",
        "partyflock",
        "bitcoin",  # a payment word too: as a press it counts only beside a pill strength
        "dominoes",
    ):
        assert kinds[brand] == "press", brand
    for word in ("supreme", "ups"):
        assert word not in kinds, word


# --------------------------------------------------------------------------- screened end to end

# (text, substance id): a listing written with a newly added name is an offer naming it.
NEW_FAMILY_LISTINGS = [
    ("5F-MN-18 powder 10g, ships worldwide", "5f-mn-18"),
    ("FAB-144 1g sample, pay BTC", "fab-144"),
    ("MMB2201 5g", "mmb-2201"),
    ("AKB-48 1g", "akb48"),
    ("Dimethylone crystals 10g", "dimethylone"),
    ("Tampanensis truffles 15g fresh", "psilocybin-mushrooms"),
    ("Penis Envy mushrooms 1oz", "psilocybin-mushrooms"),
    ("Mimosa hostilis root bark 1kg shredded", "mimosa-hostilis"),
    ("MHRB powder 500g", "mimosa-hostilis"),
    ("P2NP 1kg in stock, door to door", "p2np"),
    ("2-bromo-4-methylpropiophenone 1kg in stock", "2-bromo-4-methylpropiophenone"),
    ("Red phosphorous 500g in stock, stealth", "red-phosphorus"),
    ("New BMK powder 1kg, safe delivery", "bmk-glycidic-acid-and-esters"),
    ("Iktorivil 2mg x 100, no prescription needed", "clonazepam"),
    ("Tesla pills 250mg x 50", "mdma"),
    ("Audemars Piguet 300mg pills x 100", "mdma"),
    ("Partyflock 220mg x 25", "mdma"),
    ("100x DOMINOES 230mg **UK VENDOR**", "mdma"),
    ("10x Bitcoins 200-220mg super pills", "mdma"),
    ("Larpose 2mg - 60 Pills", "lorazepam"),
    ("Sprzedam mefedron, wysyłka", "mephedrone"),
    ("Dinafem Critical+ 10 pack, discreet shipping", "cannabis"),
    ("Maroc hash 25g", "cannabis-resin"),
]

# Everyday texts with a newly added weak name (or a word left out on purpose): no substance.
NEW_WEAK_EVERYDAY = [
    "Hello Kitty backpack for kids, $25, free shipping",
    "Louis Vuitton Neverfull bag, authentic, ships worldwide",
    "Louis Vuitton belt replica, discreet shipping, stealth packaging",
    "Rolex Submariner, box and papers, 40mm",
    "LEGO Technic Lamborghini set, boxed, £120",
    "Flights to Ecuador from $450 this spring",
    "Freud's idea of penis envy is discussed in chapter 3",
    "Clonex rooting gel 100ml for cuttings",
    "Organic tomato regular seeds, 50 pack, £2.99",
    "Syrian rue (Peganum harmala) in the garden: a drought-tolerant perennial",
    "Mimosa tenuiflora bark extract face cream 50ml",
    "Partyflock posted the festival line-up for this summer",
    "Pay with bitcoin and get 10% off, free shipping",
    "Domino's pizza: 2 large for £20, delivery in 30 minutes",
]


@pytest.fixture(scope="module")
def market_verdicts(kb):
    screener = Screener.create(kb=kb)
    texts = [t for t, _ in NEW_FAMILY_LISTINGS] + NEW_WEAK_EVERYDAY
    return dict(zip(texts, screener.screen(texts), strict=True))


def _counted_substances(assessment) -> set[str]:
    return {
        str(d.value)
        for d in assessment.detections
        if d.kind == "substance" and not d.attrs.get("ignored")
    }


@pytest.mark.parametrize(("text", "substance"), NEW_FAMILY_LISTINGS)
def test_listing_with_new_name_is_an_offer_naming_it(market_verdicts, text, substance):
    assessment = market_verdicts[text]
    assert assessment.flagged, (assessment.label, assessment.reasons)
    assert substance in _counted_substances(assessment), assessment.reasons


@pytest.mark.parametrize("text", NEW_WEAK_EVERYDAY)
def test_everyday_text_with_new_weak_name_counts_no_substance(market_verdicts, text):
    assessment = market_verdicts[text]
    assert not assessment.flagged, assessment.reasons
    assert not _counted_substances(assessment), assessment.reasons
