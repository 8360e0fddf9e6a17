"""Structure classes: every SMARTS against its own positive and negative molecules, and against
the structures the shipped KB carries."""

from __future__ import annotations

import pytest
from rdkit import Chem

from interdiction.detect import structures
from interdiction.detect.structures import (
    CLASSES_BY_ID,
    STRUCTURE_CLASSES,
    classify,
    classify_smiles,
    mol_from_smiles,
    parent_molecule,
)

POSITIVES = [(c.id, name, smiles) for c in STRUCTURE_CLASSES for name, smiles in c.positives]
NEGATIVES = [(c.id, name, smiles) for c in STRUCTURE_CLASSES for name, smiles in c.negatives]
# The classes the research notes define (substances.md section 4.3) and the KB ids each must
# reach: a deployment without them would report analogues with no substance to compare with.
CORE_RELATED = {
    "fentanyl_related": "fentanyl",
    "fentanyl_core": "fentanyl",
    "anpp_like": "4-anpp",
    "npp_like": "npp",
    "norfentanyl_like": "norfentanyl",
    "four_ap_like": "4-ap",
    "four_piperidone_like": "4-piperidone",
    "nitazene_core": "isotonitazene",
    "aryl_glycidate": "bmk-methyl-glycidate",
}


@pytest.mark.parametrize(("class_id", "name", "smiles"), POSITIVES)
def test_positive_matches(class_id, name, smiles):
    assert class_id in classify_smiles(smiles), f"{name} should be in {class_id}"


@pytest.mark.parametrize(("class_id", "name", "smiles"), NEGATIVES)
def test_negative_does_not_match(class_id, name, smiles):
    assert class_id not in classify_smiles(smiles), f"{name} must not be in {class_id}"


@pytest.mark.parametrize("structure_class", STRUCTURE_CLASSES, ids=lambda c: c.id)
def test_class_is_well_formed(structure_class):
    assert len(structure_class.positives) >= 3 and len(structure_class.negatives) >= 3
    assert structure_class.label and structure_class.related
    for _, smiles in structure_class.positives + structure_class.negatives:
        assert mol_from_smiles(smiles) is not None, smiles


def test_class_ids_are_unique():
    assert len(CLASSES_BY_ID) == len(STRUCTURE_CLASSES)


def test_the_research_note_prototype_flags():
    """substances.md 4.3: fentanyl is core + FRS-like, remifentanil core only, precursors apart."""
    expected = {
        "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1": ["fentanyl_related", "fentanyl_core"],
        "CCC(=O)N(c1ccccc1)C1(C(=O)OC)CCN(CCC(=O)OC)CC1": ["fentanyl_core"],
        "c1ccc(CCN2CCC(Nc3ccccc3)CC2)cc1": ["anpp_like"],
        "O=C1CCN(CCc2ccccc2)CC1": ["npp_like"],
        "CCC(=O)N(c1ccccc1)C1CCNCC1": ["norfentanyl_like"],
        "CC(C)(C)OC(=O)N1CCC(Nc2ccccc2)CC1": ["four_ap_like"],
        "CC(C)(C)OC(=O)N1CCC(=O)CC1": ["four_piperidone_like"],
        "COC(=O)C1(C)OC1c1ccccc1": ["aryl_glycidate"],
        "c1ccc(Cc2nc3ccccc3[nH]2)cc1": [],
        "C1CCNCC1": [],
    }
    assert {smiles: classify_smiles(smiles) for smiles in expected} == expected


def test_salts_are_classified_by_their_parent():
    hydrochloride = Chem.MolFromSmiles("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1.Cl")
    assert classify(hydrochloride) == ["fentanyl_related", "fentanyl_core"]
    sodium_salt = Chem.MolFromSmiles("CC1(C(=O)[O-])OC1c1ccccc1.[Na+]")
    assert Chem.MolToSmiles(parent_molecule(sodium_salt)) == "CC1(C(=O)O)OC1c1ccccc1"


def test_unparsable_and_empty_smiles_are_no_molecule():
    assert mol_from_smiles("") is None
    assert mol_from_smiles("C1CC(") is None
    assert classify_smiles("not a smiles") == []


def test_inchikey_of_fentanyl():
    assert structures.inchikey(mol_from_smiles(CLASSES_BY_ID["fentanyl_core"].positives[0][1])) == (
        "PJMPHNIQZUBGLI-UHFFFAOYSA-N"
    )


@pytest.mark.parametrize(("class_id", "substance_id"), sorted(CORE_RELATED.items()))
def test_core_classes_relate_to_kb_substances(class_id, substance_id, kb):
    assert substance_id in CLASSES_BY_ID[class_id].related
    assert kb.get(substance_id) is not None


@pytest.mark.parametrize(
    ("kb_class", "class_id"),
    [
        ("nitazene", "nitazene_core"),
        ("cathinone", "cathinone"),
        ("designer-benzodiazepine", "benzodiazepine"),
    ],
)
def test_kb_structures_of_a_family_fall_in_its_class(kb_class, class_id, kb):
    """Families whose every member shares the core: a KB structure outside it is a data error."""
    members = [s for s in kb.substances.values() if s.substance_class == kb_class and s.smiles]
    outside = [s.id for s in members if class_id not in classify_smiles(s.smiles)]
    assert not outside, f"{kb_class} entries outside {class_id}: {outside}"


def test_kb_fentanyl_analogues_have_the_core(kb):
    members = [
        s for s in kb.substances.values() if s.substance_class == "fentanyl-analogue" and s.smiles
    ]
    outside = [s.id for s in members if "fentanyl_core" not in classify_smiles(s.smiles)]
    assert not outside, f"fentanyl-analogue entries without the 4-anilidopiperidine: {outside}"
