"""The shape of a KB entry: vocabularies, and turning a raw YAML/JSON mapping into a Substance.

Curated files (``kb/curated/*.yaml``) hold ``substances: [entry, ...]``. An entry:

    id: fentanyl                 # stable slug, lower case
    name: Fentanyl               # preferred name
    class: fentanyl-analogue     # one of SUBSTANCE_CLASSES
    type: substance              # or: group (a class of esters, salts, isomers ...)
    cas: [437-38-7]              # only checked numbers; leave out rather than guess
    inchikey: PJMPHNIQZUBGLI-UHFFFAOYSA-N
    smiles: ...
    systematic_name: ...
    names: {synonym: [...], brand: [...], slang: [...], weak: [...], misspelling: [...],
            abbreviation: [...], systematic: [...], emoji: [...], es: [...], ru: [...], ...}
    controls: [{regime: UN-1961, schedule: I, since: "1964-12-13", source: un-1961}, ...]
    tags: [...]
    sources: [curated, un-1961]  # ids from kb/sources.yaml; the first one is each name's source
    note: free text
"""

from __future__ import annotations

import re
from typing import Any

from interdiction.model import Control, Name, Substance

SUBSTANCE_CLASSES = frozenset(
    {
        "opioid",  # natural and semi-synthetic opioids, classic synthetic opioids
        "fentanyl-analogue",
        "nitazene",
        "synthetic-opioid",  # other novel synthetic opioids (U-47700, brorphine, ...)
        "stimulant",  # amphetamine-type and other stimulants
        "cocaine",
        "cathinone",
        "empathogen",
        "psychedelic",
        "dissociative",
        "cannabis",
        "synthetic-cannabinoid",
        "benzodiazepine",
        "designer-benzodiazepine",
        "sedative",  # barbiturates, z-drugs, GHB, methaqualone, ...
        "veterinary-sedative",  # xylazine, medetomidine
        "precursor",  # 1988 Convention / List I chemicals
        "fentanyl-precursor",
        "steroid",
        "prescription",  # prescription-only medicines sold by rogue pharmacies, not controlled
        "other",
    }
)

NAME_KINDS = frozenset(
    {
        "preferred",
        "synonym",
        "brand",
        "slang",
        "weak",
        "strain",
        "press",
        "misspelling",
        "abbreviation",
        "systematic",
        "emoji",
    }
)
# Ambiguous names: count only with drug context. A strain name ("Headband", "Amnesia") has no
# everyday sense that is sold by weight, so a weight in a listing title confirms it too. A pill
# press name ("Tesla", "Rolex") counts only beside a pill strength in a listing title.
WEAK_KINDS = frozenset({"weak", "strain", "press"})
# ISO 639-1 codes accepted as name kinds (a translated name).
LANGUAGES = frozenset(
    [
        "ar",
        "bg",
        "cs",
        "da",
        "de",
        "el",
        "es",
        "et",
        "fa",
        "fi",
        "fr",
        "he",
        "hi",
        "hr",
        "hu",
        "id",
        "it",
        "ja",
        "ko",
        "lt",
        "lv",
        "ms",
        "nl",
        "no",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sl",
        "sr",
        "sv",
        "th",
        "tl",
        "tr",
        "uk",
        "ur",
        "vi",
        "zh",
    ]
)
REGIMES = frozenset(
    {"UN-1961", "UN-1971", "UN-1988", "US-CSA", "US-LIST-I", "US-LIST-II", "EU-PRECURSOR"}
)
ENTRY_TYPES = frozenset({"substance", "group"})

_SLUG = re.compile(r"^[a-z0-9][a-z0-9\-_.,+()']*$")
_CAS = re.compile(r"^\d{2,7}-\d{2}-\d$")
_INCHIKEY = re.compile(r"^[A-Z]{14}-[A-Z]{10}-[A-Z]$")


class EntryError(ValueError):
    """A KB entry does not follow the schema; the message names the entry and the field."""


def cas_check_digit_ok(cas: str) -> bool:
    """The CAS check digit: sum of the other digits times their position from the right, mod 10."""
    digits = cas.replace("-", "")
    if not digits.isdigit() or len(digits) < 5:
        return False
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * pos for pos, d in enumerate(reversed(body), start=1))
    return total % 10 == check


def format_cas(digits: str) -> str:
    """'437387' -> '437-38-7'."""
    return f"{digits[:-3]}-{digits[-3:-1]}-{digits[-1]}"


def parse_entry(raw: dict[str, Any], origin: str) -> Substance:
    """Turn one raw mapping into a Substance, raising EntryError on anything off-schema."""
    where = f"{origin}: entry {raw.get('id', '?')!r}"
    if not isinstance(raw, dict):
        raise EntryError(f"{origin}: an entry must be a mapping, got {type(raw).__name__}")
    unknown = set(raw) - {
        "id", "name", "class", "type", "cas", "inchikey", "smiles", "systematic_name",
        "names", "controls", "tags", "sources", "note",
    }  # fmt: skip
    if unknown:
        raise EntryError(f"{where}: unknown field(s) {sorted(unknown)}")
    for required in ("id", "name", "class"):
        if not raw.get(required):
            raise EntryError(f"{where}: missing {required!r}")
    sid = str(raw["id"])
    if not _SLUG.match(sid):
        raise EntryError(f"{where}: id must be a lower-case slug")
    if raw["class"] not in SUBSTANCE_CLASSES:
        raise EntryError(
            f"{where}: class {raw['class']!r} is not one of {sorted(SUBSTANCE_CLASSES)}"
        )
    entry_type = raw.get("type", "substance")
    if entry_type not in ENTRY_TYPES:
        raise EntryError(f"{where}: type must be one of {sorted(ENTRY_TYPES)}")
    sources = tuple(str(s) for s in raw.get("sources") or ("curated",))
    name_source = sources[0]

    cas = tuple(str(c).strip() for c in raw.get("cas") or ())
    for number in cas:
        if not _CAS.match(number):
            raise EntryError(f"{where}: CAS {number!r} is not of the form NNNNNNN-NN-N")
    inchikey = raw.get("inchikey") or None
    if inchikey and not _INCHIKEY.match(inchikey):
        raise EntryError(f"{where}: InChIKey {inchikey!r} is malformed")

    names = [Name(str(raw["name"]), "preferred", source=name_source)]
    raw_names = raw.get("names") or {}
    if not isinstance(raw_names, dict):
        raise EntryError(f"{where}: names must map a kind to a list of strings")
    for kind, texts in raw_names.items():
        if kind not in NAME_KINDS and kind not in LANGUAGES:
            raise EntryError(f"{where}: name kind {kind!r} is neither a kind nor a language code")
        if isinstance(texts, str):
            texts = [texts]
        for text in texts or ():
            if not isinstance(text, str):
                # YAML reads an unquoted [3,4-x] as numbers: refuse rather than store "3"
                raise EntryError(f"{where}: {kind} name {text!r} is not text (quote it)")
            text = text.strip()
            if text:
                names.append(Name(text, kind, weak=kind in WEAK_KINDS, source=name_source))
    if raw.get("systematic_name"):
        names.append(Name(str(raw["systematic_name"]), "systematic", source=name_source))

    controls = []
    for control in raw.get("controls") or ():
        if (
            not isinstance(control, dict)
            or not control.get("regime")
            or not control.get("schedule")
        ):
            raise EntryError(f"{where}: each control needs a regime and a schedule")
        if control["regime"] not in REGIMES:
            raise EntryError(f"{where}: regime {control['regime']!r} not in {sorted(REGIMES)}")
        since = control.get("since")
        controls.append(
            Control(
                regime=str(control["regime"]),
                schedule=str(control["schedule"]),
                since=str(since) if since is not None else None,
                source=control.get("source"),
            )
        )
    return Substance(
        id=sid,
        name=str(raw["name"]),
        substance_class=str(raw["class"]),
        type=entry_type,
        cas=cas,
        inchikey=inchikey,
        smiles=raw.get("smiles") or None,
        systematic_name=raw.get("systematic_name") or None,
        names=names,
        controls=controls,
        tags=tuple(raw.get("tags") or ()),
        sources=sources,
        note=raw.get("note"),
    )
