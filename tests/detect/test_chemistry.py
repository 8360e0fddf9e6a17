"""ChemicalDetector and the OPSIN resolver beyond the example table: CAS forms and check digits,
InChIKeys, systematic names (real OPSIN, real RDKit), analogues, offsets, ordinary text, batch
invariance, running without Java, and speed."""

from __future__ import annotations

import random
import time
import warnings

import pytest

from interdiction.detect.base import DetectorContext
from interdiction.detect.chemistry import ChemicalDetector
from interdiction.detect.opsin import OpsinResolver
from interdiction.kb import KnowledgeBase
from interdiction.model import Name, Substance
from interdiction.text.batch import TextBatch

FENTANYL_SMILES = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"


def _substance(sid, name, cls, cas=(), smiles=None, inchikey=None, systematic=None, synonyms=()):
    names = [Name(name, "preferred")] + [Name(s, "synonym") for s in synonyms]
    if systematic:
        names.append(Name(systematic, "systematic"))
    return Substance(
        id=sid,
        name=name,
        substance_class=cls,
        cas=tuple(cas),
        inchikey=inchikey,
        smiles=smiles,
        systematic_name=systematic,
        names=names,
    )


@pytest.fixture(scope="module")
def small_kb():
    """A KB whose content the assertions rely on, whatever the shipped KB holds."""
    entries = [
        _substance(
            "fentanyl", "Fentanyl", "fentanyl-analogue", ["437-38-7"], FENTANYL_SMILES,
            "PJMPHNIQZUBGLI-UHFFFAOYSA-N",
            systematic="N-phenyl-N-[1-(2-phenylethyl)piperidin-4-yl]propanamide",
        ),
        _substance(
            "1-boc-4-piperidone", "1-boc-4-piperidone", "fentanyl-precursor", ["79099-07-3"],
            "CC(C)(C)OC(=O)N1CCC(=O)CC1", synonyms=["N-Boc-4-piperidone"],
        ),
        _substance("4-piperidone", "4-piperidone", "fentanyl-precursor", ["41661-47-6"],
                   "O=C1CCNCC1"),
        _substance("bmk-methyl-glycidate", "BMK methyl glycidate", "precursor", ["80532-66-7"],
                   "COC(=O)C1(C)OC1c1ccccc1"),
        # two numbers sharing the first segment "50": "CAS 50" names neither
        _substance("formaldehyde", "formaldehyde", "other", ["50-00-0"]),
        _substance("estradiol", "estradiol", "other", ["50-28-2"]),
    ]  # fmt: skip
    return KnowledgeBase({s.id: s for s in entries}, {}, "test")


@pytest.fixture(scope="module")
def resolver():
    with OpsinResolver() as opsin:
        yield opsin


@pytest.fixture(scope="module")
def detector(small_kb, resolver):
    return ChemicalDetector(DetectorContext(kb=small_kb, options={"opsin_resolver": resolver}))


@pytest.fixture(scope="module")
def shipped(kb, resolver):
    return ChemicalDetector(DetectorContext(kb=kb, options={"opsin_resolver": resolver}))


def detect(detector, text):
    (found,) = detector.detect(TextBatch([text]))
    for d in found:
        assert text[d.start : d.end] == d.text
    return found


def kinds(detector, text):
    return [(d.kind, d.value) for d in detect(detector, text)]


# ---------------------------------------------------------------------------------------------
# CAS numbers
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("437-38-7", True),
        ("79099-07-3", True),
        ("125541-22-2", True),
        ("1609-66-1", True),
        ("1609-66-5", False),
        ("79099-07-4", False),
    ],
)
def test_check_digit_decides(detector, number, valid):
    found = kinds(detector, f"we sell {number} in bulk")
    assert found == ([("cas", number)] if valid else [])


def test_cas_in_kb_and_not_in_kb(detector):
    (known,) = detect(detector, "437-38-7")
    assert known.attrs == {"substance_id": "fentanyl", "partial": False, "check_digit": True}
    (unknown,) = detect(detector, "also 125541-22-2")  # valid, not in this KB
    assert unknown.attrs["substance_id"] is None
    assert unknown.weight < known.weight


@pytest.mark.parametrize(
    ("text", "span", "partial"),
    [
        ("CAS79099 powder is best", "CAS79099", True),
        ("cas 79099 in stock", "cas 79099", True),
        ("CAS No. 79099", "CAS No. 79099", True),
        ("CAS#79099073", "CAS#79099073", False),
        ("CAS: 79099073 door to door", "CAS: 79099073", False),
    ],
)
def test_cas_after_the_keyword(detector, text, span, partial):
    (found,) = detect(detector, text)
    assert (found.kind, found.value, found.text) == ("cas", "79099-07-3", span)
    assert found.attrs["partial"] is partial
    assert found.attrs["substance_id"] == "1-boc-4-piperidone"


def test_keyword_and_hyphenated_number_are_one_finding(detector):
    assert kinds(detector, "CAS No. 79099-07-3") == [("cas", "79099-07-3")]


def test_partial_numbers_need_a_unique_kb_prefix(detector):
    assert kinds(detector, "CAS 50 powder") == []  # 50-00-0 and 50-28-2
    assert kinds(detector, "CAS 12345 powder") == []  # no KB number starts with it
    assert kinds(detector, "79099 powder") == []  # no "CAS" before it


@pytest.mark.parametrize(
    "text",
    [
        "see you 2024-05-12 at 10:30",
        "call +7 912 412-15-47 tonight",
        "ISBN 978-3-16-148410-0",
        "price 1.437-38-7",
        "order 1609-66-5",
        "a-437-38-7-b",
        "Lucas 38 Piso 5",
    ],
)
def test_not_cas_numbers(detector, text):
    assert kinds(detector, text) == []


# ---------------------------------------------------------------------------------------------
# InChIKeys
# ---------------------------------------------------------------------------------------------
def test_inchikey_of_a_kb_substance(detector):
    (found,) = detect(detector, "key: PJMPHNIQZUBGLI-UHFFFAOYSA-N.")
    assert (found.kind, found.value, found.attrs["match"]) == ("inchikey", "fentanyl", "exact")
    assert kinds(detector, "pjmphniqzubgli-uhfffaoysa-n") == [("inchikey", "fentanyl")]


def test_inchikey_skeleton_match_and_unknown_keys(detector):
    (found,) = detect(detector, "PJMPHNIQZUBGLI-ZZZZZZZZSA-N")
    assert found.attrs["match"] == "skeleton"
    assert kinds(detector, "RZVAJINKPMORJF-UHFFFAOYSA-N") == []  # paracetamol: not in the KB


# ---------------------------------------------------------------------------------------------
# Systematic names
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        (
            "N-phenyl-N-[1-(2-phenylethyl)-4-piperidinyl]propanamide, 99%",
            "N-phenyl-N-[1-(2-phenylethyl)-4-piperidinyl]propanamide",
            "fentanyl",
        ),
        (
            "N-PHENYL-N-[1-(2-PHENYLETHYL)PIPERIDIN-4-YL]PROPANAMIDE!!",
            "N-PHENYL-N-[1-(2-PHENYLETHYL)PIPERIDIN-4-YL]PROPANAMIDE",
            "fentanyl",
        ),
        (
            "n-phenyl-n-[1-(2-phenylethyl)-4-piperidinyl]propanamide hydrochloride in stock",
            "n-phenyl-n-[1-(2-phenylethyl)-4-piperidinyl]propanamide hydrochloride",
            "fentanyl",
        ),
        (
            "Propanamide, N-phenyl-N-[1-(2-phenylethyl)-4-piperidinyl]- 1kg",
            "Propanamide, N-phenyl-N-[1-(2-phenylethyl)-4-piperidinyl]-",
            "fentanyl",
        ),
        (
            "(tert-butyl 4-oxopiperidine-1-carboxylate)",
            "tert-butyl 4-oxopiperidine-1-carboxylate",
            "1-boc-4-piperidone",
        ),
        (
            "2-methyl-3-phenyloxirane-2-carboxylic acid methyl ester.",
            "2-methyl-3-phenyloxirane-2-carboxylic acid methyl ester",
            "bmk-methyl-glycidate",
        ),
        ("piperidin-4-one hydrochloride", "piperidin-4-one hydrochloride", "4-piperidone"),
    ],
)
def test_systematic_names_of_kb_substances(detector, text, span, value):
    (found,) = detect(detector, text)
    assert (found.kind, found.value, found.text) == ("substance", value, span)
    assert found.attrs["via"] == "iupac"


def test_kb_systematic_name_is_exact(detector):
    text = "N-phenyl-N-[1-(2-phenylethyl)piperidin-4-yl]propanamide"
    (found,) = detect(detector, text)
    assert (found.kind, found.value, found.attrs["match"]) == ("substance", "fentanyl", "exact")


def test_other_kb_names_are_left_to_the_substance_detector(detector):
    assert kinds(detector, "N-Boc-4-piperidone 1kg") == []


def test_unlisted_fentanyl_analogue(detector):
    text = "N-(4-chlorophenyl)-N-[1-[2-(thiophen-2-yl)ethyl]piperidin-4-yl]propanamide"
    (found,) = detect(detector, f"new product {text} 10g")
    assert (found.kind, found.value, found.text) == ("analogue", "fentanyl", text)
    assert found.attrs["class"] == "fentanyl_related"
    assert found.attrs["classes"] == ["fentanyl_related", "fentanyl_core"]
    assert found.attrs["label"] == "closely related to Fentanyl, review"
    assert found.attrs["inchikey"] and found.attrs["smiles"]
    assert 0 < found.attrs["similarity"] < 1


def test_analogue_of_a_class_the_kb_lacks(detector):
    text = "N,N-diethyl-2-[2-[(4-hexoxyphenyl)methyl]-5-nitrobenzimidazol-1-yl]ethanamine"
    (found,) = detect(detector, text)
    assert (found.kind, found.value, found.attrs["class"]) == ("analogue", None, "nitazene_core")
    assert found.attrs["label"].startswith("closely related to nitazene core")


def test_unlisted_glycidate_ester(detector):
    (found,) = detect(detector, "propyl 2-methyl-3-phenyloxirane-2-carboxylate")
    assert (found.kind, found.value) == ("analogue", "bmk-methyl-glycidate")
    assert found.text == "propyl 2-methyl-3-phenyloxirane-2-carboxylate"


@pytest.mark.parametrize(
    "text",
    [
        "2-methylpropan-1-ol for cleaning",  # a chemical, in no class and not in the KB
        "ethyl 3-methyl-3-phenyloxirane-2-carboxylate",  # strawberry aldehyde, a flavouring
        "N-[1-(2-phenylethyl)piperidin-4-yl]-N-phenyl wrongname",  # does not parse
        "the methylated spirits and polyethylene bags",
    ],
)
def test_names_that_are_not_findings(detector, text):
    assert kinds(detector, text) == []


def test_shipped_kb_finds_by_name(shipped):
    text = "N,N-diethyl-2-[5-nitro-2-[(4-propan-2-yloxyphenyl)methyl]benzimidazol-1-yl]ethanamine"
    assert kinds(shipped, text) == [("substance", "isotonitazene")]
    assert kinds(shipped, "tert-butyl 4-oxopiperidine-1-carboxylate") == [
        ("substance", "1-boc-4-piperidone")
    ]


# ---------------------------------------------------------------------------------------------
# Ordinary text, batches, offsets
# ---------------------------------------------------------------------------------------------
ORDINARY = (
    "hey are we still on for tonight? 😂",
    "Let's meet at noon for lunch, the usual place",
    "my vinyl collection is 300 records now lol",
    "the 24-hour shop on 5th st is closed, 10-12 tomorrow?",
    "call me at 555-1234 or +44 7911 123456",
    "Meeting moved to 2024-05-12 10:30, room 4-B",
    "I bought polypropylene bags and a 1,000-piece puzzle",
    "she is a methodical person, very ethical too",
    "¿Dónde estás? Te espero en la casa de Lucas a las 8",
    "mañana vamos al camino del parque, examinar el coche",
    "paranoico con el examen de química orgánica 😅",
    "Привет! Завтра в 10:00 у метро, не опаздывай",
    "Купил телефон за 12 500 руб, доставка 2-3 дня",
    "стиль жизни, метод и этика",
    "Thanks mate, see you at the station. x2 cheers",
    "Style guide v2.1-3: use the 3-column layout",
)


def test_ordinary_text_finds_nothing_and_starts_no_jvm(small_kb):
    fresh = OpsinResolver()
    detector = ChemicalDetector(DetectorContext(kb=small_kb, options={"opsin_resolver": fresh}))
    assert not any(detector.detect(TextBatch(list(ORDINARY))))
    assert not fresh.running


def test_results_do_not_depend_on_the_batch(detector):
    texts = [
        "CAS79099 powder",
        "N-phenyl-N-[1-(2-phenylethyl)-4-piperidinyl]propanamide",
        "ethyl 2-methyl-3-phenyloxirane-2-carboxylate and 437-38-7",
        "N-(4-chlorophenyl)-N-[1-[2-(thiophen-2-yl)ethyl]piperidin-4-yl]propanamide",
    ]
    mixed = [t for pair in zip(texts, ORDINARY, strict=False) for t in pair]
    together = detector.detect(TextBatch(mixed))[::2]
    alone = [detector.detect(TextBatch([t]))[0] for t in texts]

    def key(found):
        return sorted((d.kind, d.start, d.end, d.text, str(d.value)) for d in found)

    assert [key(f) for f in together] == [key(f) for f in alone]
    assert all(together)


def test_offsets_with_wide_characters_before(detector):
    text = "🔥🔥 ｓａｌｅ: CAS № 79099073 и N-phenyl-N-[1-(2-phenylethyl)-4-piperidinyl]propanamide"
    found = detect(detector, text)
    assert sorted((d.kind, d.value) for d in found) == [
        ("cas", "79099-07-3"),
        ("substance", "fentanyl"),
    ]


# ---------------------------------------------------------------------------------------------
# The OPSIN resolver
# ---------------------------------------------------------------------------------------------
def test_resolver_answers_in_order_and_caches(resolver):
    names = ["ethanol", "not a chemical name", "ethanol", "piperidin-4-one", "two\nlines"]
    assert resolver.resolve(names) == ["C(C)O", None, "C(C)O", "N1CCC(CC1)=O", None]
    assert resolver.resolve(["piperidin-4-one"]) == ["N1CCC(CC1)=O"]
    assert resolver.resolve([]) == []


def test_resolver_timeout_is_not_cached():
    with OpsinResolver(timeout=0.001) as impatient:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a timeout is logged, not warned
            assert impatient.resolve(["propan-2-ol"]) == [None]
        assert not impatient.running
        impatient.timeout = 30.0
        assert impatient.resolve(["propan-2-ol"]) == ["CC(C)O"]


def test_resolver_cache_is_bounded():
    with OpsinResolver(cache_size=2) as small:
        names = ["methanol", "ethanol", "propan-1-ol"]
        assert small.resolve(names) == ["CO", "C(C)O", "C(CC)O"]
        assert small.resolve(["propan-1-ol"]) == ["C(CC)O"]


def test_answers_kept_in_the_answer_file_need_no_jvm_in_the_next_run(tmp_path):
    answers = tmp_path / "opsin" / "answers.jsonl"
    with OpsinResolver(answers=answers) as first:
        assert first.resolve(["butan-2-ol", "not a chemical name"]) == ["CC(CC)O", None]
    assert len(answers.read_text().splitlines()) == 2
    with answers.open("a") as damaged:
        damaged.write('["half a line\n')  # a crash mid-write: skipped, never fatal
    # a second run with no usable java answers from the file and never starts a process
    later = OpsinResolver(answers=answers, java="false")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert later.resolve(["not a chemical name", "butan-2-ol"]) == [None, "CC(CC)O"]
    assert not later.running


def test_answers_of_an_unavailable_opsin_are_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no java
    answers = tmp_path / "answers.jsonl"
    with pytest.warns(RuntimeWarning, match="OPSIN is unavailable"):
        assert OpsinResolver(answers=answers).resolve(["ethanol"]) == [None]
    assert not answers.exists()


def test_the_answer_file_is_compacted_when_it_grows(tmp_path):
    answers = tmp_path / "answers.jsonl"
    answers.write_text("".join(f'["name {i}", null]\n' for i in range(20)))
    resolver = OpsinResolver(answers=answers, cache_size=2, java="false")
    assert resolver.resolve(["name 19"]) == [None]
    assert answers.read_text().splitlines() == ['["name 18", null]', '["name 19", null]']


def test_a_java_that_cannot_run_opsin_is_given_up_after_repeated_failures():
    broken = OpsinResolver(java="false")  # starts, exits at once, answers nothing
    with pytest.warns(RuntimeWarning, match="OPSIN is unavailable"):
        for attempt in range(3):
            assert broken.resolve([f"pentan-{attempt + 1}-ol"]) == [None]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert broken.resolve(["hexan-1-ol"]) == [None]
    assert not broken.running


def test_without_java_everything_degrades_with_one_warning(monkeypatch, tmp_path, small_kb):
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine with no java on PATH
    no_java = OpsinResolver()
    with pytest.warns(RuntimeWarning, match="OPSIN is unavailable"):
        assert no_java.resolve(["ethanol", "propan-2-ol"]) == [None, None]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert no_java.resolve(["butan-1-ol"]) == [None]
        detector = ChemicalDetector(
            DetectorContext(kb=small_kb, options={"opsin_resolver": no_java})
        )
        text = "437-38-7 and N-phenyl-N-[1-(2-phenylethyl)-4-piperidinyl]propanamide"
        assert kinds(detector, text) == [("cas", "437-38-7")]
        # a KB systematic name needs no OPSIN
        text = "N-phenyl-N-[1-(2-phenylethyl)piperidin-4-yl]propanamide"
        assert kinds(detector, text) == [("substance", "fentanyl")]


# ---------------------------------------------------------------------------------------------
# Speed (generous bounds: a noisy 2-core machine must not flake)
# ---------------------------------------------------------------------------------------------
def test_speed_on_ordinary_chat(small_kb):
    rng = random.Random(5)
    messages = [rng.choice(ORDINARY) + f" {rng.randint(0, 999)}" for _ in range(20_000)]
    fresh = OpsinResolver()
    detector = ChemicalDetector(DetectorContext(kb=small_kb, options={"opsin_resolver": fresh}))
    batch = TextBatch(messages)
    start = time.perf_counter()
    results = detector.detect(batch)
    elapsed = time.perf_counter() - start
    assert not any(results) and not fresh.running
    # ~0.1 s here, most of it building the batch's lower view: the bound is 20 times that
    assert elapsed < 2.0, f"{elapsed:.2f} s for 20,000 messages"
