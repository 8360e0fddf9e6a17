"""Check a loaded knowledge base: identifiers, duplicate names, sources, dates and structures.

``validate_kb`` collects every problem instead of stopping at the first, so a curator sees them
all at once; ``ok`` is false when there is any error. Warnings are worth a look but do not fail.
The structure checks use RDKit (SMILES, InChIKey) and OPSIN (systematic names, through
py2opsin); OPSIN runs once for all names, because every call starts a Java VM.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from interdiction.kb.loader import KnowledgeBase, merge_key
from interdiction.kb.schema import LANGUAGES, cas_check_digit_ok
from interdiction.model import Substance

_SINCE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
KB_WIDE = ""  # substance id of an issue that concerns no single substance


@dataclass(frozen=True, slots=True)
class Issue:
    substance_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.substance_id or '(kb)'}: {self.field}: {self.message}"


@dataclass
class ValidationReport:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, substance_id: str, field_name: str, message: str) -> None:
        self.errors.append(Issue(substance_id, field_name, message))

    def warn(self, substance_id: str, field_name: str, message: str) -> None:
        self.warnings.append(Issue(substance_id, field_name, message))


def validate_kb(kb: KnowledgeBase, structures: bool = True) -> ValidationReport:
    """Every check on ``kb``; ``structures`` adds the RDKit and OPSIN checks (seconds, not ms)."""
    report = ValidationReport()
    substances = sorted(kb.substances.values(), key=lambda s: s.id)
    _check_cas(substances, report)
    _check_names(substances, report)
    _check_sources(substances, kb.sources, report)
    _check_controls(substances, report)
    if structures:
        _check_structures(substances, report)
    return report


def _check_cas(substances: list[Substance], report: ValidationReport) -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for sub in substances:
        for number in sub.cas:
            owners[number].append(sub.id)
            if not cas_check_digit_ok(number):
                report.error(sub.id, "cas", f"{number} fails the CAS check digit")
    for number, ids in sorted(owners.items()):
        if len(set(ids)) > 1:
            report.error(ids[0], "cas", f"{number} is shared by {sorted(set(ids))}")


def _check_names(substances: list[Substance], report: ValidationReport) -> None:
    """The same name on two substances: an error when both hold it as strong evidence (a match
    could not tell them apart), a warning when it is weak on at least one of them."""
    strong: dict[str, set[str]] = defaultdict(set)
    anywhere: dict[str, set[str]] = defaultdict(set)
    spelling: dict[str, str] = {}
    for sub in substances:
        for name in sub.names:
            key = merge_key(name.text)
            if not key or name.kind == "emoji":
                continue
            spelling.setdefault(key, name.text)
            anywhere[key].add(sub.id)
            if not name.weak:
                strong[key].add(sub.id)
    for key, ids in sorted(anywhere.items()):
        if len(ids) < 2:
            continue
        owners = sorted(ids)
        if len(strong[key]) > 1:
            report.error(owners[0], "names", f"{spelling[key]!r} also names {owners[1:]}")
        else:
            report.warn(owners[0], "names", f"{spelling[key]!r} (weak) also names {owners[1:]}")


def _check_sources(
    substances: list[Substance], sources: dict[str, dict], report: ValidationReport
) -> None:
    for sub in substances:
        cited = [("sources", s) for s in sub.sources]
        cited += [("names", n.source) for n in sub.names if n.source]
        cited += [("controls", c.source) for c in sub.controls if c.source]
        for field_name, source in dict.fromkeys(cited):
            if source not in sources:
                report.error(sub.id, field_name, f"source {source!r} is not in sources.yaml")


def _since_ok(since: str) -> bool:
    match = _SINCE.match(since)
    if not match:
        return False
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _check_controls(substances: list[Substance], report: ValidationReport) -> None:
    for sub in substances:
        for control in sub.controls:
            if control.since is not None and not _since_ok(control.since):
                report.error(
                    sub.id,
                    "controls",
                    f"{control.regime} since {control.since!r} is not YYYY, YYYY-MM or YYYY-MM-DD",
                )


def _check_structures(substances: list[Substance], report: ValidationReport) -> None:
    from rdkit import Chem, rdBase

    smiles_keys: dict[str, str] = {}  # substance id -> RDKit InChIKey of its SMILES
    with rdBase.BlockLogs():  # RDKit prints every parse failure; the report says it once
        for sub in substances:
            if not sub.smiles:
                continue
            mol = Chem.MolFromSmiles(sub.smiles)
            if mol is None:
                report.error(sub.id, "smiles", f"{sub.smiles!r} does not parse (RDKit)")
                continue
            smiles_keys[sub.id] = Chem.MolToInchiKey(mol)
            if sub.inchikey and sub.inchikey != smiles_keys[sub.id]:
                report.error(
                    sub.id,
                    "inchikey",
                    f"{sub.inchikey} is not the InChIKey of the SMILES ({smiles_keys[sub.id]})",
                )
    named = [s for s in substances if s.systematic_name and s.id in smiles_keys]
    if named:
        _check_systematic_names(named, smiles_keys, report)


def _check_systematic_names(
    named: list[Substance], smiles_keys: dict[str, str], report: ValidationReport
) -> None:
    """OPSIN(systematic_name) and RDKit(SMILES) must describe the same skeleton (first block of
    the InChIKey: stereo, isotopes and protonation may differ)."""
    if shutil.which("java") is None:
        report.warn(KB_WIDE, "systematic_name", "Java not found: OPSIN name checks skipped")
        return
    names = [" ".join(str(s.systematic_name).split()) for s in named]  # one name per line
    opsin_keys = _opsin_inchikeys(names)
    if opsin_keys is None:
        report.warn(KB_WIDE, "systematic_name", "OPSIN failed to run: name checks skipped")
        return
    for sub, name, opsin_key in zip(named, names, opsin_keys, strict=True):
        rdkit_key = smiles_keys[sub.id]
        if not opsin_key:
            report.warn(sub.id, "systematic_name", f"OPSIN cannot parse {name!r}")
        elif opsin_key.split("-")[0] != rdkit_key.split("-")[0]:
            report.error(
                sub.id,
                "systematic_name",
                f"OPSIN reads {name!r} as {opsin_key}, the SMILES is {rdkit_key}",
            )


def _opsin_inchikeys(names: list[str]) -> list[str] | None:
    """Standard InChIKeys for ``names`` in one OPSIN run; '' where a name does not parse."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # py2opsin warns for each name OPSIN cannot parse
        from py2opsin import py2opsin

        with tempfile.TemporaryDirectory(prefix="interdiction-opsin-") as folder:
            keys = py2opsin(
                names, output_format="StdInChIKey", tmp_fpath=str(Path(folder) / "names.txt")
            )
    if not isinstance(keys, list) or len(keys) != len(names):
        return None
    return [key.strip() for key in keys]


def kb_stats(kb: KnowledgeBase) -> dict[str, Any]:
    """Counts that describe the knowledge base, for reports and release notes."""
    substances = list(kb.substances.values())
    names = [name for sub in substances for name in sub.names]
    controls: dict[str, Counter[str]] = defaultdict(Counter)
    for sub in substances:
        for control in sub.controls:
            controls[control.regime][control.schedule] += 1
    sources_used = Counter(source for sub in substances for source in sub.sources)
    return {
        "substances": len(substances),
        "groups": sum(sub.type == "group" for sub in substances),
        "by_class": dict(sorted(Counter(s.substance_class for s in substances).items())),
        "by_control": {regime: dict(sorted(c.items())) for regime, c in sorted(controls.items())},
        "controlled": sum(sub.controlled for sub in substances),
        "names": len(names),
        "names_by_kind": dict(sorted(Counter(n.kind for n in names).items())),
        "weak_names": sum(n.weak for n in names),
        "languages": sorted({n.kind for n in names if n.kind in LANGUAGES}),
        "with_cas": sum(bool(s.cas) for s in substances),
        "with_inchikey": sum(bool(s.inchikey) for s in substances),
        "with_smiles": sum(bool(s.smiles) for s in substances),
        "sources_used": dict(sorted(sources_used.items())),
    }
