"""Structure classes of controlled substances and precursors, as RDKit SMARTS with test sets.

A structure class catches what an exact list cannot: an unlisted analogue or a re-protected
precursor written by its systematic name. A match means "structurally within class X, needs
legal review", never "controlled": legal status comes only from an exact KB identity.

Every class carries positive and negative example molecules (tests/detect/test_structures.py
checks them), and the KB substance ids it relates to, most typical first; ids missing from a
deployment's KB are skipped by the caller.

Classes are ordered most specific first, so ``classify(...)[0]`` is the best description.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdkit import Chem, rdBase
from rdkit.Chem.MolStandardize import rdMolStandardize

# Basic (non-amide, non-aryl) amine nitrogen: what makes a phenethylamine, a cathinone or a
# nitazene side chain a drug rather than an amide or an aniline.
_BASIC_N = "[NX3;!$(N-[#6,#16]=[O,S,N]);!$(N-[SX4]);!$(N-a)]"
# Ring N free or protected as a carbamate (Boc, Cbz): the forms precursors are traded in.
_FREE_OR_CARBAMATE_N = "[NX3;H1,$(N-C(=O)-O-[#6])]"
# Ring N bearing -CH2-CH2-(any ring): the phenethyl of fentanyl or the monocycle-ethyl that
# the US "fentanyl-related substances" definition allows (21 CFR 1308.11(h), modification A/B).
_RING_ETHYL_N = "[NX3](-[CX4;!R]-[CX4;!R]-[*;R])"
_ANILIDE_PIPERIDINE = "[CX3](=O)-[NX3;!R](-a)-[CX4]1-[CX4]-[CX4]-{n}-[CX4]-[CX4]-1"
_ANILINO_PIPERIDINE = "[NX3;H1;!R](-a)-[CX4]1-[CX4]-[CX4]-{n}-[CX4]-[CX4]-1"
_PIPERIDONE = "[$([CX3]=O),$([CX4](-[OH1])-[OH1])]1-[CX4]-[CX4]-{n}-[CX4]-[CX4]-1"


@dataclass(frozen=True)
class StructureClass:
    id: str
    label: str
    smarts: str
    related: tuple[str, ...]  # KB substance ids, most typical first
    positives: tuple[tuple[str, str], ...]  # (name, SMILES) that must match
    negatives: tuple[tuple[str, str], ...]  # (name, SMILES) that must not
    note: str = ""
    query: Chem.Mol = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        query = Chem.MolFromSmarts(self.smarts)
        if query is None:
            raise ValueError(f"structure class {self.id!r}: SMARTS does not parse")
        object.__setattr__(self, "query", query)

    def matches(self, mol: Chem.Mol) -> bool:
        return mol.HasSubstructMatch(self.query)


# Shared negatives: medicines and commodity chemicals that share fragments with the classes.
PETHIDINE = ("pethidine", "CCOC(=O)C1(c2ccccc2)CCN(C)CC1")
LOPERAMIDE = ("loperamide", "CN(C)C(=O)C(CCN1CCC(O)(c2ccc(Cl)cc2)CC1)(c1ccccc1)c1ccccc1")
MORPHINE = ("morphine", "CN1CCC23C4Oc5c(O)ccc(CC1C2C=CC4O)c53")
BENDAZOL = ("bendazol (2-benzylbenzimidazole)", "c1ccc(Cc2nc3ccccc3[nH]2)cc1")
PIPERIDINE = ("piperidine", "C1CCNCC1")
ASPIRIN = ("aspirin", "CC(=O)Oc1ccccc1C(=O)O")
CAFFEINE = ("caffeine", "Cn1cnc2c1c(=O)n(C)c(=O)n2C")
PARACETAMOL = ("paracetamol", "CC(=O)Nc1ccc(O)cc1")
BUPIVACAINE = ("bupivacaine", "CCCCN1CCCCC1C(=O)Nc1c(C)cccc1C")
AMPHETAMINE = ("amphetamine", "CC(N)Cc1ccccc1")
COMMON_NEGATIVES = (PETHIDINE, LOPERAMIDE, MORPHINE, BENDAZOL, PIPERIDINE, ASPIRIN, CAFFEINE)

FENTANYL = ("fentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")
ACETYLFENTANYL = ("acetylfentanyl", "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")
CARFENTANIL = ("carfentanil", "CCC(=O)N(c1ccccc1)C1(C(=O)OC)CCN(CCc2ccccc2)CC1")
FURANYLFENTANYL = ("furanylfentanyl", "O=C(c1ccco1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")
OCFENTANIL = ("ocfentanil", "COCC(=O)N(c1ccccc1F)C1CCN(CCc2ccccc2)CC1")
METHYLFENTANYL_3 = ("3-methylfentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1C")
ALPHA_METHYLFENTANYL = ("alpha-methylfentanyl", "CCC(=O)N(c1ccccc1)C1CCN(C(C)Cc2ccccc2)CC1")
OHMEFENTANYL = ("ohmefentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CC(O)c2ccccc2)CC1C")
SUFENTANIL = ("sufentanil", "CCC(=O)N(c1ccccc1)C1(COC)CCN(CCc2cccs2)CC1")
ALFENTANIL = ("alfentanil", "CCC(=O)N(c1ccccc1)C1(COC)CCN(CCn2nnn(CC)c2=O)CC1")
THIOFENTANYL = ("thiofentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2cccs2)CC1")
CYCLOPROPYLFENTANYL = ("cyclopropylfentanyl", "O=C(C1CC1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")
PARA_FLUOROFENTANYL = ("para-fluorofentanyl", "CCC(=O)N(c1ccc(F)cc1)C1CCN(CCc2ccccc2)CC1")
REMIFENTANIL = ("remifentanil", "CCC(=O)N(c1ccccc1)C1(C(=O)OC)CCN(CCC(=O)OC)CC1")
BENZYLFENTANYL = ("benzylfentanyl", "CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1")
ANPP = ("4-ANPP", "c1ccc(CCN2CCC(Nc3ccccc3)CC2)cc1")
NPP = ("NPP (N-phenethyl-4-piperidone)", "O=C1CCN(CCc2ccccc2)CC1")
NORFENTANYL = ("norfentanyl", "CCC(=O)N(c1ccccc1)C1CCNCC1")
BOC_NORFENTANYL = ("1-boc-norfentanyl", "CCC(=O)N(c1ccccc1)C1CCN(C(=O)OC(C)(C)C)CC1")
FOUR_AP = ("4-AP (4-anilinopiperidine)", "c1ccc(NC2CCNCC2)cc1")
BOC_FOUR_AP = ("1-boc-4-AP", "CC(C)(C)OC(=O)N1CCC(Nc2ccccc2)CC1")
FOUR_PIPERIDONE = ("4-piperidone", "O=C1CCNCC1")
BOC_FOUR_PIPERIDONE = ("1-boc-4-piperidone", "CC(C)(C)OC(=O)N1CCC(=O)CC1")

ISOTONITAZENE = (
    "isotonitazene",
    "CCN(CC)CCn1c(Cc2ccc(OC(C)C)cc2)nc2cc([N+](=O)[O-])ccc21",
)
BMK_METHYL_GLYCIDATE = ("BMK methyl glycidate", "COC(=O)C1(C)OC1c1ccccc1")
PMK_ETHYL_GLYCIDATE = ("PMK ethyl glycidate", "CCOC(=O)C1(C)OC1c1ccc2c(c1)OCO2")
TWO_C_B = ("2C-B", "NCCc1cc(OC)c(Br)cc1OC")
NBOME_25I = ("25I-NBOMe", "COc1ccccc1CNCCc1cc(OC)c(I)cc1OC")

STRUCTURE_CLASSES: tuple[StructureClass, ...] = (
    StructureClass(
        id="fentanyl_related",
        label="fentanyl-related substance (4-anilidopiperidine with N-2-(ring)ethyl)",
        smarts=_ANILIDE_PIPERIDINE.format(n=_RING_ETHYL_N),
        related=(
            "fentanyl",
            "acetylfentanyl",
            "carfentanil",
            "furanylfentanyl",
            "sufentanil",
            "ocfentanil",
            "acrylfentanyl",
            "cyclopropylfentanyl",
            "3-methylfentanyl",
            "alpha-methylfentanyl",
            "thiofentanyl",
            "alfentanil",
            "fentanyl-related-substances",
        ),
        positives=(
            FENTANYL,
            ACETYLFENTANYL,
            CARFENTANIL,
            FURANYLFENTANYL,
            OCFENTANIL,
            METHYLFENTANYL_3,
            ALPHA_METHYLFENTANYL,
            OHMEFENTANYL,
            SUFENTANIL,
            ALFENTANIL,
            THIOFENTANYL,
            CYCLOPROPYLFENTANYL,
            PARA_FLUOROFENTANYL,
            ("N-(2-cyclohexylethyl) fentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCC2CCCCC2)CC1"),
        ),
        negatives=(
            REMIFENTANIL,
            BENZYLFENTANYL,
            ANPP,
            NORFENTANYL,
            NPP,
            PARACETAMOL,
            BUPIVACAINE,
            *COMMON_NEGATIVES,
        ),
        note="mirrors the US class definition: any ring on the ethyl, substituents anywhere",
    ),
    StructureClass(
        id="fentanyl_core",
        label="fentanyl core (4-anilidopiperidine)",
        smarts=_ANILIDE_PIPERIDINE.format(n="[NX3](-[CX4])"),
        related=("fentanyl", "remifentanil", "carfentanil", "sufentanil", "alfentanil"),
        positives=(
            FENTANYL,
            CARFENTANIL,
            SUFENTANIL,
            ALFENTANIL,
            REMIFENTANIL,
            BENZYLFENTANYL,
            ("N-methylnorfentanyl", "CCC(=O)N(c1ccccc1)C1CCN(C)CC1"),
        ),
        negatives=(
            ANPP,
            NORFENTANYL,
            BOC_NORFENTANYL,
            NPP,
            PARACETAMOL,
            BUPIVACAINE,
            *COMMON_NEGATIVES,
        ),
        note="ring N alkylated; free or carbamate ring N is the norfentanyl-like precursor class",
    ),
    StructureClass(
        id="anpp_like",
        label="ANPP-like fentanyl precursor (4-anilino-1-(2-ring-ethyl)piperidine)",
        smarts=_ANILINO_PIPERIDINE.format(n=_RING_ETHYL_N),
        related=("4-anpp", "anpp"),
        positives=(
            ANPP,
            ("para-fluoro ANPP", "Fc1ccc(NC2CCN(CCc3ccccc3)CC2)cc1"),
            ("thienyl ANPP", "c1ccc(NC2CCN(CCc3cccs3)CC2)cc1"),
        ),
        negatives=(FENTANYL, FOUR_AP, NPP, BOC_FOUR_AP, *COMMON_NEGATIVES),
    ),
    StructureClass(
        id="npp_like",
        label="NPP-like fentanyl precursor (1-(2-ring-ethyl)-4-piperidone)",
        smarts=_PIPERIDONE.format(n=_RING_ETHYL_N),
        related=("npp", "n-phenethyl-4-piperidone"),
        positives=(
            NPP,
            ("1-[2-(thiophen-2-yl)ethyl]piperidin-4-one", "O=C1CCN(CCc2cccs2)CC1"),
            ("1-[2-(4-fluorophenyl)ethyl]piperidin-4-one", "O=C1CCN(CCc2ccc(F)cc2)CC1"),
        ),
        negatives=(
            FOUR_PIPERIDONE,
            BOC_FOUR_PIPERIDONE,
            ANPP,
            ("1-benzyl-4-piperidone", "O=C1CCN(Cc2ccccc2)CC1"),
            ("1-methyl-4-piperidone", "CN1CCC(=O)CC1"),
            *COMMON_NEGATIVES,
        ),
    ),
    StructureClass(
        id="norfentanyl_like",
        label="norfentanyl-like fentanyl precursor (4-anilidopiperidine, ring N free or carbamate)",
        smarts=_ANILIDE_PIPERIDINE.format(n=_FREE_OR_CARBAMATE_N),
        related=("norfentanyl",),
        positives=(
            NORFENTANYL,
            BOC_NORFENTANYL,
            ("para-fluoro norfentanyl", "CCC(=O)N(c1ccc(F)cc1)C1CCNCC1"),
            ("norcarfentanil", "CCC(=O)N(c1ccccc1)C1(C(=O)OC)CCNCC1"),
        ),
        negatives=(FENTANYL, FOUR_AP, BOC_FOUR_AP, *COMMON_NEGATIVES),
    ),
    StructureClass(
        id="four_ap_like",
        label="4-AP-like fentanyl precursor (4-anilinopiperidine, ring N free or carbamate)",
        smarts=_ANILINO_PIPERIDINE.format(n=_FREE_OR_CARBAMATE_N),
        related=("4-ap", "1-boc-4-ap"),
        positives=(
            FOUR_AP,
            BOC_FOUR_AP,
            ("4-fluoro 4-AP", "Fc1ccc(NC2CCNCC2)cc1"),
            ("1-Cbz-4-AP", "O=C(OCc1ccccc1)N1CCC(Nc2ccccc2)CC1"),
        ),
        negatives=(
            ANPP,
            NORFENTANYL,
            BOC_NORFENTANYL,
            ("aniline", "Nc1ccccc1"),
            ("4-aminopiperidine", "NC1CCNCC1"),
            *COMMON_NEGATIVES,
        ),
    ),
    StructureClass(
        id="four_piperidone_like",
        label="4-piperidone-like fentanyl precursor (ring N free or carbamate)",
        smarts=_PIPERIDONE.format(n=_FREE_OR_CARBAMATE_N),
        related=("4-piperidone", "1-boc-4-piperidone"),
        positives=(
            FOUR_PIPERIDONE,
            BOC_FOUR_PIPERIDONE,
            ("4-piperidone hydrochloride monohydrate (piperidine-4,4-diol)", "OC1(O)CCNCC1.Cl"),
            ("1-Cbz-4-piperidone", "O=C1CCN(C(=O)OCc2ccccc2)CC1"),
            ("3-methyl-4-piperidone", "CC1CNCCC1=O"),
        ),
        negatives=(
            NPP,
            ("1-methyl-4-piperidone", "CN1CCC(=O)CC1"),
            ("2-piperidone", "O=C1CCCCN1"),
            ("4-hydroxypiperidine", "OC1CCNCC1"),
            ("cyclohexanone", "O=C1CCCCC1"),
            *COMMON_NEGATIVES,
        ),
        note="the traded hydrochloride hydrate is the gem-diol, so that form is included",
    ),
    StructureClass(
        id="nitazene_core",
        label="nitazene core (2-benzylbenzimidazole with N1-(2-aminoethyl))",
        smarts=f"{_BASIC_N}-[CX4;!R]-[CX4;!R]-n1:c(-[CX4;!R]-c2ccccc2):n:c2ccccc:2:1",
        related=(
            "isotonitazene",
            "metonitazene",
            "protonitazene",
            "etonitazene",
            "butonitazene",
            "etodesnitazene",
            "protonitazepyne",
            "metonitazepyne",
            "n-desethyl-isotonitazene",
            "nitazenes",
        ),
        positives=(
            ISOTONITAZENE,
            ("metonitazene", "CCN(CC)CCn1c(Cc2ccc(OC)cc2)nc2cc([N+](=O)[O-])ccc21"),
            ("etonitazene", "CCN(CC)CCn1c(Cc2ccc(OCC)cc2)nc2cc([N+](=O)[O-])ccc21"),
            ("butonitazene", "CCCCOc1ccc(Cc2nc3cc([N+](=O)[O-])ccc3n2CCN(CC)CC)cc1"),
            ("etodesnitazene", "CCN(CC)CCn1c(Cc2ccc(OCC)cc2)nc2ccccc21"),
            ("protonitazepyne", "CCCOc1ccc(Cc2nc3ccccc3n2CCN2CCCC2)cc1"),
            ("N-desethyl isotonitazene", "CCNCCn1c(Cc2ccc(OC(C)C)cc2)nc2cc([N+](=O)[O-])ccc21"),
        ),
        negatives=(
            ("clemizole", "Clc1ccc(Cn2c(CN3CCCC3)nc3ccccc32)cc1"),
            ("albendazole", "CCCSc1ccc2[nH]c(NC(=O)OC)nc2c1"),
            ("omeprazole", "COc1ccc2[nH]c(S(=O)Cc3ncc(C)c(OC)c3C)nc2c1"),
            ("N1-(2-acetamidoethyl)-2-benzylbenzimidazole", "CC(=O)NCCn1c(Cc2ccccc2)nc2ccccc21"),
            *COMMON_NEGATIVES,
        ),
    ),
    StructureClass(
        id="aryl_glycidate",
        label="aryl glycidate (BMK/PMK methyl glycidic acid or ester)",
        smarts="[CH3]-[C;R1]1(-[CX3](=O)-[OX2,OX1-])-O-[C;R1]-1-a",
        related=(
            "bmk-methyl-glycidate",
            "bmk-glycidic-acid",
            "pmk-methyl-glycidate",
            "pmk-ethyl-glycidate",
            "pmk-glycidic-acid",
            "bmk-ethyl-glycidate",
            "bmk-glycidic-acid-and-esters",
            "pmk-glycidic-acid-and-esters",
        ),
        positives=(
            BMK_METHYL_GLYCIDATE,
            PMK_ETHYL_GLYCIDATE,
            ("BMK glycidic acid", "CC1(C(=O)O)OC1c1ccccc1"),
            ("BMK ethyl glycidate", "CCOC(=O)C1(C)OC1c1ccccc1"),
            ("BMK glycidate sodium salt", "CC1(C(=O)[O-])OC1c1ccccc1.[Na+]"),
            ("PMK glycidic acid", "CC1(C(=O)O)OC1c1ccc2c(c1)OCO2"),
            ("PMK methyl glycidate", "COC(=O)C1(C)OC1c1ccc2c(c1)OCO2"),
            ("BMK tert-butyl glycidate", "CC(C)(C)OC(=O)C1(C)OC1c1ccccc1"),
        ),
        negatives=(
            ("ethyl methylphenylglycidate (strawberry aldehyde)", "CCOC(=O)C1OC1(C)c1ccccc1"),
            ("ethyl 3-phenylglycidate", "CCOC(=O)C1OC1c1ccccc1"),
            ("styrene oxide", "c1ccc(C2CO2)cc1"),
            ("P2P (phenylacetone)", "CC(=O)Cc1ccccc1"),
            ("safrole", "C=CCc1ccc2c(c1)OCO2"),
            *COMMON_NEGATIVES,
        ),
        note="the flavouring ethyl methylphenylglycidate has methyl and aryl on one carbon",
    ),
    StructureClass(
        id="nbome",
        label="NBOMe/NBOH (N-(2-methoxy- or 2-hydroxybenzyl)phenethylamine)",
        smarts="c-[CH2;!R]-[CX4;!R]-[NX3;H1]-[CH2]-c1ccccc1-[OX2;H1,$(O-[CH3])]",
        related=("25i-nbome", "25c-nbome", "25b-nbome", "25b-nboh"),
        positives=(
            NBOME_25I,
            ("25C-NBOMe", "COc1ccccc1CNCCc1cc(OC)c(Cl)cc1OC"),
            ("25B-NBOMe", "COc1ccccc1CNCCc1cc(OC)c(Br)cc1OC"),
            ("25B-NBOH", "Oc1ccccc1CNCCc1cc(OC)c(Br)cc1OC"),
        ),
        negatives=(
            TWO_C_B,
            AMPHETAMINE,
            ("N-benzylphenethylamine", "c1ccc(CNCCc2ccccc2)cc1"),
            ("tamsulosin", "CCOc1ccccc1OCCNC(C)Cc1ccc(OC)c(S(N)(=O)=O)c1"),
            ("2-methoxybenzylamine", "COc1ccccc1CN"),
            *COMMON_NEGATIVES,
        ),
    ),
    StructureClass(
        id="two_c_x",
        label="2C-x/DOx (2,5-dimethoxyphenethylamine)",
        smarts=f"{_BASIC_N}-[CX4;!R]-[CH2;!R]-c1:c(-[OX2]-[CH3]):c:c:c(-[OX2]-[CH3]):c:1",
        related=("2c-b", "2c-i", "2c-e", "2c-c", "2c-t-7", "dom", "dob"),
        positives=(
            TWO_C_B,
            NBOME_25I,
            ("2C-I", "NCCc1cc(OC)c(I)cc1OC"),
            ("2C-E", "CCc1cc(OC)c(CCN)cc1OC"),
            ("2C-T-7", "CCCSc1cc(OC)c(CCN)cc1OC"),
            ("2C-H", "NCCc1cc(OC)ccc1OC"),
            ("DOM", "CC(N)Cc1cc(OC)c(C)cc1OC"),
            ("DOB", "CC(N)Cc1cc(OC)c(Br)cc1OC"),
        ),
        negatives=(
            AMPHETAMINE,
            ("mescaline", "NCCc1cc(OC)c(OC)c(OC)c1"),
            ("methoxamine", "COc1ccc(OC)c(C(O)C(C)N)c1"),
            ("dopamine", "NCCc1ccc(O)c(O)c1"),
            ("MDMA", "CNC(C)Cc1ccc2c(c1)OCO2"),
            ("2,5-dimethoxybenzaldehyde", "COc1ccc(OC)c(C=O)c1"),
            ("bk-2C-B", "NCC(=O)c1cc(OC)c(Br)cc1OC"),
            *COMMON_NEGATIVES,
        ),
        note="benzylic CH2 required: the beta-hydroxy medicine methoxamine stays out",
    ),
    StructureClass(
        id="cathinone",
        label="synthetic cathinone (beta-keto phenethylamine)",
        smarts=f"a-[CX3;!R](=O)-[CX4;!R](-[#6])-{_BASIC_N}",
        related=(
            "mephedrone",
            "methcathinone",
            "cathinone",
            "3-mmc",
            "3-cmc",
            "4-cmc",
            "methylone",
            "mdpv",
            "alpha-pvp",
            "n-ethylpentylone",
            "dipentylone",
            "eutylone",
        ),
        positives=(
            ("cathinone", "CC(N)C(=O)c1ccccc1"),
            ("mephedrone", "CNC(C)C(=O)c1ccc(C)cc1"),
            ("3-MMC", "CNC(C)C(=O)c1cccc(C)c1"),
            ("3-CMC", "CNC(C)C(=O)c1cccc(Cl)c1"),
            ("methylone", "CNC(C)C(=O)c1ccc2c(c1)OCO2"),
            ("alpha-PVP", "CCCC(C(=O)c1ccccc1)N1CCCC1"),
            ("MDPV", "CCCC(C(=O)c1ccc2c(c1)OCO2)N1CCCC1"),
            ("dipentylone", "CCCC(N(C)C)C(=O)c1ccc2c(c1)OCO2"),
            ("alpha-PVT", "CCCC(C(=O)c1cccs1)N1CCCC1"),
            ("bupropion (a medicine, structurally a cathinone)", "CC(NC(C)(C)C)C(=O)c1cccc(Cl)c1"),
        ),
        negatives=(
            AMPHETAMINE,
            PARACETAMOL,
            ("acetophenone", "CC(=O)c1ccccc1"),
            ("2-aminoacetophenone", "NCC(=O)c1ccccc1"),
            ("ephedrine", "CNC(C)C(O)c1ccccc1"),
            ("haloperidol", "O=C(CCCN1CCC(O)(c2ccc(Cl)cc2)CC1)c1ccc(F)cc1"),
            ("alpha-acetamidopropiophenone", "CC(NC(C)=O)C(=O)c1ccccc1"),
            *COMMON_NEGATIVES,
        ),
        note="an alpha carbon substituent is required (all synthetic cathinones have one)",
    ),
    StructureClass(
        id="benzodiazepine",
        label="1,4-benzodiazepine core (also triazolo-, imidazo- and thieno-fused)",
        smarts="[#6;R]-[#6]1=[#7]-[#6]-[#6]~[#7]-a:a-1",
        related=(
            "alprazolam",
            "bromazolam",
            "etizolam",
            "flualprazolam",
            "clonazolam",
            "flubromazolam",
            "diazepam",
            "flubromazepam",
            "clonazepam",
            "lorazepam",
        ),
        positives=(
            ("diazepam", "CN1C(=O)CN=C(c2ccccc2)c2cc(Cl)ccc21"),
            ("alprazolam", "Cc1nnc2n1-c1ccc(Cl)cc1C(c1ccccc1)=NC2"),
            ("bromazolam", "Cc1nnc2n1-c1ccc(Br)cc1C(c1ccccc1)=NC2"),
            ("clonazolam", "Cc1nnc2n1-c1ccc([N+](=O)[O-])cc1C(c1ccccc1Cl)=NC2"),
            ("etizolam", "CCc1cc2c(s1)-n1c(C)nnc1CN=C2c1ccccc1Cl"),
            ("flubromazepam", "O=C1CN=C(c2ccccc2F)c2cc(Br)ccc2N1"),
            ("lorazepam", "O=C1Nc2ccc(Cl)cc2C(c2ccccc2Cl)=NC1O"),
            ("midazolam", "Cc1ncc2n1-c1ccc(Cl)cc1C(c1ccccc1F)=NC2"),
            ("chlordiazepoxide", "CNC1=Nc2ccc(Cl)cc2C(c2ccccc2)=[N+]([O-])C1"),
            ("bromazepam", "O=C1CN=C(c2ccccn2)c2cc(Br)ccc2N1"),
            ("tetrazepam (5-cyclohexenyl)", "CN1C(=O)CN=C(C2=CCCCC2)c2cc(Cl)ccc21"),
        ),
        negatives=(
            ("clobazam (1,5-benzodiazepine)", "CN1C(=O)CC(=O)N(c2ccccc2)c2cc(Cl)ccc21"),
            ("carbamazepine", "NC(=O)N1c2ccccc2C=Cc2ccccc21"),
            ("clozapine", "CN1CCN(C2=Nc3cc(Cl)ccc3Nc3ccccc32)CC1"),
            ("olanzapine", "Cc1cc2c(s1)Nc1ccccc1N=C2N1CCN(C)CC1"),
            ("flumazenil", "CCOC(=O)c1ncn2c1CN(C)C(=O)c1cc(F)ccc1-2"),
            ("zolpidem", "Cc1ccc(-c2nc3ccc(C)cn3c2CC(=O)N(C)C)cc1"),
            *COMMON_NEGATIVES,
        ),
    ),
    StructureClass(
        id="synthetic_cannabinoid",
        label="synthetic cannabinoid (N1-alkyl indole/indazole-3-carbonyl)",
        smarts="[CX3](=O)(-[#7,#8,#6])-c1:[c,n]:n(-[CH2]-[#6]):c2:a:a:a:a:c:1:2",
        related=(
            "5f-adb",
            "mdmb-4en-pinaca",
            "adb-butinaca",
            "ab-fubinaca",
            "jwh-018",
            "5f-mdmb-pica",
            "4f-mdmb-binaca",
            "cumyl-4cn-binaca",
            "ur-144",
            "5f-pb-22",
        ),
        positives=(
            ("5F-ADB", "COC(=O)C(NC(=O)c1nn(CCCCCF)c2ccccc12)C(C)(C)C"),
            ("MDMB-4en-PINACA", "COC(=O)C(NC(=O)c1nn(CCCC=C)c2ccccc12)C(C)(C)C"),
            ("AB-FUBINACA", "NC(=O)C(NC(=O)c1nn(Cc2ccc(F)cc2)c2ccccc12)C(C)C"),
            ("JWH-018", "CCCCCn1cc(C(=O)c2cccc3ccccc23)c2ccccc21"),
            ("5F-PB-22", "FCCCCCn1cc(C(=O)Oc2cccc3cccnc23)c2ccccc21"),
            ("UR-144", "CCCCCn1cc(C(=O)C2C(C)(C)C2(C)C)c2ccccc21"),
            ("CUMYL-4CN-BINACA", "CC(C)(NC(=O)c1nn(CCCCC#N)c2ccccc12)c1ccccc1"),
            ("5F-MDMB-P7AICA", "COC(=O)C(NC(=O)c1cn(CCCCCF)c2ncccc12)C(C)(C)C"),
        ),
        negatives=(
            ("granisetron", "CN1C2CCCC1CC(NC(=O)c1nn(C)c3ccccc13)C2"),
            ("tropisetron", "CN1C2CCC1CC(OC(=O)c1c[nH]c3ccccc13)C2"),
            ("indomethacin", "COc1ccc2c(c1)c(CC(=O)O)c(C)n2C(=O)c1ccc(Cl)cc1"),
            ("ondansetron", "Cc1nccn1CC1CCc2c(C1=O)c1ccccc1n2C"),
            ("tryptophan", "NC(Cc1c[nH]c2ccccc12)C(=O)O"),
            ("serotonin", "NCCc1c[nH]c2ccc(O)cc12"),
            *COMMON_NEGATIVES,
        ),
        note="N1 chain of two or more carbons: the N1-methyl antiemetics stay out",
    ),
    StructureClass(
        id="u_series",
        label="U-series opioid (N-(2-aminocyclohexyl) benzamide or arylacetamide)",
        smarts=f"[#6]-[CX3](=O)-[NX3]-[C;R1]1-[C;R1](-{_BASIC_N})-[C;R1]-[C;R1]-[C;R1]-[C;R1]-1",
        related=("u-47700", "u-49900", "u-48800", "u-51754"),
        positives=(
            ("U-47700", "CN(C)C1CCCCC1N(C)C(=O)c1ccc(Cl)c(Cl)c1"),
            ("U-49900", "CCN(CC)C1CCCCC1N(C)C(=O)c1ccc(Cl)c(Cl)c1"),
            ("U-48800", "CN(C)C1CCCCC1N(C)C(=O)Cc1ccc(Cl)cc1Cl"),
            ("U-51754", "CN(C)C1CCCCC1N(C)C(=O)Cc1ccc(Cl)c(Cl)c1"),
            ("U-50488", "CN(C(=O)Cc1ccc(Cl)c(Cl)c1)C1CCCCC1N1CCCC1"),
        ),
        negatives=(
            ("AH-7921", "CN(C)C1(CNC(=O)c2ccc(Cl)c(Cl)c2)CCCCC1"),
            ("1,2-diaminocyclohexane", "NC1CCCCC1N"),
            ("lidocaine", "CCN(CC)CC(=O)Nc1c(C)cccc1C"),
            ("ketamine", "CNC1(c2ccccc2Cl)CCCCC1=O"),
            ("tramadol", "CN(C)CC1CCCCC1(O)c1cccc(OC)c1"),
            *COMMON_NEGATIVES,
        ),
    ),
    StructureClass(
        id="arylcyclohexylamine",
        label="arylcyclohexylamine (PCP/ketamine type)",
        smarts=f"{_BASIC_N}-[C;R1]1(-a)-[C;R1]-[C;R1]-[C;R1]-[C;R1]-[C;R1]-1",
        related=("ketamine", "pcp", "2-fdck", "deschloroketamine", "methoxetamine", "3-meo-pcp"),
        positives=(
            ("ketamine", "CNC1(c2ccccc2Cl)CCCCC1=O"),
            ("PCP", "c1ccc(C2(N3CCCCC3)CCCCC2)cc1"),
            ("2-fluorodeschloroketamine", "CNC1(c2ccccc2F)CCCCC1=O"),
            ("methoxetamine", "CCNC1(c2cccc(OC)c2)CCCCC1=O"),
            ("3-MeO-PCP", "COc1cccc(C2(N3CCCCC3)CCCCC2)c1"),
            ("tiletamine", "CCNC1(c2cccs2)CCCCC1=O"),
        ),
        negatives=(
            ("tramadol", "CN(C)CC1CCCCC1(O)c1cccc(OC)c1"),
            ("venlafaxine", "COc1ccc(C(CN(C)C)C2(O)CCCCC2)cc1"),
            ("gabapentin", "NCC1(CC(=O)O)CCCCC1"),
            ("sertraline", "CNC1CCC(c2ccc(Cl)c(Cl)c2)c2ccccc21"),
            ("cyclohexylamine", "NC1CCCCC1"),
            *COMMON_NEGATIVES,
        ),
    ),
)

CLASSES_BY_ID: dict[str, StructureClass] = {c.id: c for c in STRUCTURE_CLASSES}


def parent_molecule(mol: Chem.Mol) -> Chem.Mol:
    """The drug part of a salt or solvate: largest fragment, charges neutralised."""
    with rdBase.BlockLogs():
        parent = mol
        if len(Chem.GetMolFrags(mol)) > 1:
            parent = rdMolStandardize.LargestFragmentChooser().choose(mol)
        if any(atom.GetFormalCharge() for atom in parent.GetAtoms()):
            parent = rdMolStandardize.Uncharger().uncharge(parent)
        return parent


def mol_from_smiles(smiles: str) -> Chem.Mol | None:
    """A molecule, or None for an empty or unparsable SMILES (RDKit's '' is an empty molecule)."""
    if not smiles:
        return None
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles)
    return mol if mol is not None and mol.GetNumAtoms() else None


def inchikey(mol: Chem.Mol) -> str | None:
    with rdBase.BlockLogs():
        key = Chem.MolToInchiKey(mol)
    return key or None


def classify(mol: Chem.Mol) -> list[str]:
    """Ids of the classes ``mol`` (its parent, for salts) falls in, most specific first."""
    parent = parent_molecule(mol)
    return [c.id for c in STRUCTURE_CLASSES if c.matches(parent)]


def classify_smiles(smiles: str) -> list[str]:
    mol = mol_from_smiles(smiles)
    return classify(mol) if mol is not None else []
