"""validate_kb on small knowledge bases written to tmp_path, and on the shipped one.

Real RDKit and real OPSIN: the structure checks run once, on one KB that holds every structure
case, because each OPSIN run starts a Java VM.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from interdiction.kb import KBError, cas_check_digit_ok, load_kb
from interdiction.kb.loader import DERIVED_ORDER, PACKAGE_KB, KnowledgeBase, build_kb
from interdiction.kb.validate import ValidationReport, kb_stats, validate_kb

SOURCES = {"curated": {"id": "curated"}, "un-1961": {"id": "un-1961"}}
FENTANYL_SMILES = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
FENTANYL_INCHIKEY = "PJMPHNIQZUBGLI-UHFFFAOYSA-N"
FENTANYL_IUPAC = "N-phenyl-N-[1-(2-phenylethyl)piperidin-4-yl]propanamide"


def make_kb(tmp_path: Path, *entries: dict, sources: dict | None = None) -> KnowledgeBase:
    curated = tmp_path / "curated.yaml"
    curated.write_text(yaml.safe_dump({"substances": list(entries)}), encoding="utf-8")
    return build_kb([curated], [], SOURCES if sources is None else sources)


def entry(sid: str, name: str, **fields: object) -> dict:
    return {"id": sid, "name": name, "class": "opioid", "sources": ["curated"], **fields}


def issues(report: ValidationReport, field: str, errors: bool = True) -> list[str]:
    found = report.errors if errors else report.warnings
    return [f"{i.substance_id} {i.message}" for i in found if i.field == field]


@pytest.mark.parametrize(
    ("cas", "valid"),
    [
        ("437-38-7", True),
        ("79099-07-3", True),
        ("125541-22-2", True),
        ("1609-66-5", False),
        ("1609-66-1", True),
    ],
)
def test_cas_check_digit(cas: str, valid: bool) -> None:
    assert cas_check_digit_ok(cas) is valid


def test_clean_kb_passes(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path,
        entry("fentanyl", "Fentanyl", cas=["437-38-7"], names={"weak": ["blues"]}),
        entry("norfentanyl", "Norfentanyl", cas=["1609-66-1"], names={"synonym": ["nor-fent"]}),
    )
    report = validate_kb(kb, structures=False)
    assert report.ok, report.errors
    assert report.warnings == []


def test_broken_cas_is_an_error(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, entry("norfentanyl", "Norfentanyl", cas=["1609-66-5"]))
    report = validate_kb(kb, structures=False)
    assert not report.ok
    assert issues(report, "cas") == ["norfentanyl 1609-66-5 fails the CAS check digit"]


def test_cas_shared_by_two_substances_is_an_error(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path,
        entry("fentanyl", "Fentanyl", cas=["437-38-7"]),
        entry("fentanyl-copy", "Fentanyl copy", cas=["437-38-7"]),
    )
    assert issues(validate_kb(kb, structures=False), "cas") == [
        "fentanyl 437-38-7 is shared by ['fentanyl', 'fentanyl-copy']"
    ]


def test_strong_duplicate_name_is_an_error_weak_one_a_warning(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path,
        entry("fentanyl", "Fentanyl", names={"slang": ["China White"], "weak": ["blues"]}),
        entry("heroin", "Heroin", names={"slang": ["china-white"], "weak": ["Blues"]}),
    )
    report = validate_kb(kb, structures=False)
    assert issues(report, "names") == ["fentanyl 'China White' also names ['heroin']"]
    assert issues(report, "names", errors=False) == [
        "fentanyl 'blues' (weak) also names ['heroin']"
    ]


def test_unknown_sources_and_bad_dates_are_errors(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path,
        entry(
            "fentanyl",
            "Fentanyl",
            sources=["curated", "nowhere"],
            controls=[
                {"regime": "UN-1961", "schedule": "I", "since": "1964-13", "source": "un-1961"},
                {"regime": "US-CSA", "schedule": "II", "since": "1971-05-01", "source": "us-csa"},
            ],
        ),
    )
    report = validate_kb(kb, structures=False)
    assert issues(report, "sources") == ["fentanyl source 'nowhere' is not in sources.yaml"]
    assert issues(report, "controls") == [
        "fentanyl source 'us-csa' is not in sources.yaml",
        "fentanyl UN-1961 since '1964-13' is not YYYY, YYYY-MM or YYYY-MM-DD",
    ]


@pytest.fixture(scope="module")
def structure_report(tmp_path_factory: pytest.TempPathFactory) -> ValidationReport:
    """One KB with every structure case, validated once (one OPSIN run)."""
    kb = make_kb(
        tmp_path_factory.mktemp("structures"),
        entry(
            "fentanyl",
            "Fentanyl",
            smiles=FENTANYL_SMILES,
            inchikey=FENTANYL_INCHIKEY,
            systematic_name=FENTANYL_IUPAC,
        ),
        # the InChIKey of ethanol under fentanyl's SMILES
        entry(
            "wrong-key", "Wrong key", smiles=FENTANYL_SMILES, inchikey="LFQSCWFLJHTTHZ-UHFFFAOYSA-N"
        ),
        # acetylfentanyl's name under fentanyl's SMILES
        entry(
            "wrong-name",
            "Wrong name",
            smiles=FENTANYL_SMILES,
            systematic_name="N-phenyl-N-[1-(2-phenylethyl)piperidin-4-yl]acetamide",
        ),
        entry("bad-smiles", "Bad SMILES", smiles="C1CC(", systematic_name=FENTANYL_IUPAC),
        entry("no-parse", "No parse", smiles=FENTANYL_SMILES, systematic_name="fentanylish goo"),
    )
    return validate_kb(kb)


def test_smiles_that_does_not_parse_is_an_error(structure_report: ValidationReport) -> None:
    assert issues(structure_report, "smiles") == ["bad-smiles 'C1CC(' does not parse (RDKit)"]


def test_inchikey_must_match_the_smiles(structure_report: ValidationReport) -> None:
    assert issues(structure_report, "inchikey") == [
        f"wrong-key LFQSCWFLJHTTHZ-UHFFFAOYSA-N is not the InChIKey of the SMILES "
        f"({FENTANYL_INCHIKEY})"
    ]


@pytest.mark.skipif(shutil.which("java") is None, reason="OPSIN needs Java")
def test_opsin_and_rdkit_must_agree(structure_report: ValidationReport) -> None:
    errors = issues(structure_report, "systematic_name")
    assert len(errors) == 1
    assert errors[0].startswith("wrong-name OPSIN reads")
    assert errors[0].endswith(f"the SMILES is {FENTANYL_INCHIKEY}")
    assert issues(structure_report, "systematic_name", errors=False) == [
        "no-parse OPSIN cannot parse 'fentanylish goo'"
    ]


def test_without_java_the_name_check_is_skipped_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH on which there is no java
    kb = make_kb(
        tmp_path,
        entry("fentanyl", "Fentanyl", smiles=FENTANYL_SMILES, systematic_name=FENTANYL_IUPAC),
    )
    report = validate_kb(kb)
    assert report.ok
    assert [w.message for w in report.warnings] == ["Java not found: OPSIN name checks skipped"]


def test_kb_stats_counts(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path,
        entry(
            "fentanyl",
            "Fentanyl",
            cas=["437-38-7"],
            smiles=FENTANYL_SMILES,
            names={"weak": ["blues"], "es": ["fentanilo"]},
            controls=[{"regime": "UN-1961", "schedule": "I", "source": "un-1961"}],
        ),
        {"id": "cocaine", "name": "Cocaine", "class": "cocaine"},
    )
    stats = kb_stats(kb)
    assert stats["substances"] == 2
    assert stats["by_class"] == {"cocaine": 1, "opioid": 1}
    assert stats["by_control"] == {"UN-1961": {"I": 1}}
    assert stats["names_by_kind"] == {"es": 1, "preferred": 2, "weak": 1}
    assert stats["weak_names"] == 1
    assert stats["languages"] == ["es"]
    assert (stats["with_cas"], stats["with_inchikey"], stats["with_smiles"]) == (1, 0, 1)
    assert stats["sources_used"] == {"curated": 2}


def test_derived_snapshots_load_and_have_no_errors(tmp_path: Path) -> None:
    derived = [PACKAGE_KB / "derived" / name for name in DERIVED_ORDER]
    sources = yaml.safe_load((PACKAGE_KB / "sources.yaml").read_text(encoding="utf-8"))
    kb = build_kb([], derived, {s["id"]: s for s in sources["sources"]})
    assert len(kb) > 800
    report = validate_kb(kb, structures=False)
    assert report.ok, [str(e) for e in report.errors]


@pytest.mark.skipif(
    not any((PACKAGE_KB / "curated").glob("*.yaml")),
    reason="the curated files are not written yet",
)
def test_shipped_kb_has_at_least_400_substances() -> None:
    kb = load_kb()
    assert len(kb) >= 400


def test_a_name_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "substances:\n  - {id: x, name: X, class: other, names: {de: [3,4-Methylendioxy]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(KBError, match="not text"):
        build_kb([path], [], {})
