"""Derive the KB snapshots in ``src/interdiction/kb/derived/`` from the licensed source data.

Maintainer-run: the inputs live in the steering repository's ``shared/data/sources`` (``../shared``
beside the repository root), which users do not have; users get the JSON this script writes.

    python scripts/derive_kb.py [--shared PATH] [--wordlist PATH]

Writes, each as ``{"source", "generated_by", "input_sha256", "entries": [...]}`` with one entry
per line and entries in the curated schema (``interdiction.kb.schema.parse_entry``):

- ``dea_orange_book.json``: DEA "Controlled Substances - Alphabetical Order" (2020-09), one entry
  per substance row, with its US-CSA schedule;
- ``tripsit.json``: the TripSit drug database, one entry per substance, aliases as names;
- ``dea_slang.json``: DEA "Drug Slang Code Words" (2017), one entry per substance the slang names.

Names that are also everyday words go under ``weak`` (they count only with drug or trade context).
That check uses the explicit EVERYDAY_WORDS below plus, when one is found, a system word list
(``/usr/share/dict/words``); the script prints which word list it used, because the output
depends on it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from interdiction.kb.loader import merge_key
from interdiction.kb.schema import parse_entry

REPO_ROOT = Path(__file__).resolve().parent.parent
DERIVED_DIR = REPO_ROOT / "src" / "interdiction" / "kb" / "derived"
GENERATED_BY = "scripts/derive_kb.py"
DEFAULT_WORDLIST = Path("/usr/share/dict/words")

DEA_LIST = Path("data/sources/dea_dope/dea_controlled_substances_2020-09.csv")
DEA_SLANG = Path("data/sources/dea_dope/dea_street_names_2017.csv")
TRIPSIT = Path("data/sources/tripsit/drugs.json")

# Strong kinds first: when one text turns up under two kinds of one entry, the first kind keeps it.
KIND_ORDER = ("preferred", "synonym", "abbreviation", "brand", "systematic", "slang", "misspelling",
              "weak")  # fmt: skip
STRONG_KINDS = frozenset(KIND_ORDER) - {"preferred", "weak"}

# Names with an everyday meaning (compared loosely, by merge_key). A system word list, when there
# is one, adds to this; the list is what the output is reproducible from on any machine.
EVERYDAY_WORDS = frozenset(
    merge_key(word)
    for word in (
        # TripSit aliases
        "aces", "acid", "adam", "angel", "bath salts", "beans", "bees", "buttons", "clam",
        "coke", "curie", "dex", "doe", "dot", "dust", "eden", "eve", "ether", "flam", "foxy",
        "hash", "hearts", "hydro", "ice", "kittens", "kitty", "lucy", "mal", "mandy", "molly",
        "morning", "morning glory", "mushroom", "mushrooms", "nexus", "nitrous", "nos", "pea",
        "pep", "rainbows", "robo", "salvia", "san", "san pedro", "special k", "speed", "subs",
        "syrup", "toads", "tram", "truffles", "weed", "wet", "cmd", "mph",
        # DEA orange-book other names (brands and street names that are words or common codes)
        "android", "anorexic", "amt", "cat", "cheque", "china white", "chine white", "cps",
        "crack", "crank", "dma", "dob", "dom", "equipoise", "love drug", "nea", "p2p", "php",
        "redux", "rms", "soma", "sonata", "stp", "synthetic heroin", "tcp", "trip", "versed",
    )
)  # fmt: skip
# Dictionary words that are first of all drug names: a word list never makes these weak.
DRUG_WORDS = frozenset(
    merge_key(word)
    for word in (
        "amphetamine", "amphetamines", "acetaminophen", "barbiturate", "cannabis", "cocaine",
        "codeine", "ecstasy", "fentanyl", "hashish", "heroin", "ketamine", "laudanum",
        "marijuana", "marihuana", "mescaline", "methadone", "morphine", "opium", "peyote",
        "phenobarbital", "psilocybin", "testosterone",
    )
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Shared helpers


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def clean_text(text: str) -> str:
    """Undo typographic and transcription noise: dashes, curly quotes, stray spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    text = text.replace("\ufffd", "").replace("_", " ")
    text = re.sub(r"(?<=\w)- +(?=[\w(\[])", "-", text)  # "In- Between", "3- methylbutanoate"
    text = re.sub(r"-{2,}", "-", text)
    return re.sub(r"\s+", " ", text).strip()


_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "Δ": "delta", "ω": "omega"}


def slugify(text: str) -> str:
    for letter, spelled in _GREEK.items():
        text = text.replace(letter, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9,.+]+", "-", text)
    return text.strip("-,.+") or "substance"


def assign_ids(entries: list[dict[str, Any]]) -> None:
    """Stable ids: the slug of the preferred name, made unique with -2, -3 in entry order."""
    used: Counter[str] = Counter()
    for entry in entries:
        slug = slugify(entry["name"])
        used[slug] += 1
        entry["id"] = slug if used[slug] == 1 else f"{slug}-{used[slug]}"


class Ambiguity:
    """Decides whether a name is an everyday word (and so weak evidence on its own)."""

    def __init__(self, wordlist: Path | None) -> None:
        self.words: frozenset[str] = frozenset()
        if wordlist is not None:
            # lower-case entries only: capitalised ones are proper nouns (Valium, Molly)
            lines = wordlist.read_text(encoding="utf-8", errors="ignore").splitlines()
            self.words = frozenset(w for w in (line.strip() for line in lines) if w.islower())

    def is_everyday(self, text: str) -> bool:
        key = merge_key(text)
        if key in EVERYDAY_WORDS:
            return True
        return text.casefold() in self.words and key not in DRUG_WORDS


@dataclass
class Draft:
    """An entry being assembled: names by kind, deduplicated loosely (merge_key)."""

    name: str
    substance_class: str
    sources: tuple[str, ...]
    entry_type: str = "substance"
    names: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    controls: list[dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def add(self, kind: str, text: str) -> None:
        text = clean_text(text)
        if not merge_key(text):
            return
        kinds_by_key = {merge_key(t): k for k, texts in self.names.items() for t in texts}
        kinds_by_key.setdefault(merge_key(self.name), "preferred")
        have = kinds_by_key.get(merge_key(text))
        if have is not None:
            if KIND_ORDER.index(kind) < KIND_ORDER.index(have) and have != "preferred":
                self.names[have] = [t for t in self.names[have] if merge_key(t) != merge_key(text)]
                self.names[kind].append(text)
            return
        self.names[kind].append(text)

    def strong_keys(self) -> set[str]:
        return {merge_key(t) for k in STRONG_KINDS for t in self.names.get(k, ())}

    def to_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": "", "name": self.name, "class": self.substance_class}
        if self.entry_type != "substance":
            entry["type"] = self.entry_type
        names = {
            k: sorted(self.names[k], key=str.casefold) for k in KIND_ORDER if self.names.get(k)
        }
        if names:
            entry["names"] = names
        if self.controls:
            entry["controls"] = self.controls
        if self.tags:
            entry["tags"] = sorted(set(self.tags))
        entry["sources"] = list(self.sources)
        return entry


def resolve_shared_names(drafts: list[Draft]) -> Counter[str]:
    """A strong name that is another entry's preferred name names that entry: drop it. A strong
    name that several entries claim is ambiguous between them: make it weak. Returns counts."""
    preferred = {merge_key(d.name) for d in drafts}
    claims = Counter(key for d in drafts for key in d.strong_keys())
    counts: Counter[str] = Counter()
    for draft in drafts:
        own = merge_key(draft.name)
        for kind in STRONG_KINDS:
            keep = []
            for text in draft.names.get(kind, ()):
                key = merge_key(text)
                if key in preferred and key != own:
                    counts["dropped: another entry's preferred name"] += 1
                elif claims[key] > 1:
                    counts["made weak: claimed by several entries"] += 1
                    draft.names["weak"].append(text)
                else:
                    keep.append(text)
            if kind in draft.names:
                draft.names[kind] = keep
    return counts


def write_snapshot(path: Path, source: str, input_path: Path, drafts: list[Draft]) -> int:
    """Check every entry against the schema, then write one entry per line (readable diffs)."""
    preferred = Counter(merge_key(d.name) for d in drafts)
    if clashes := sorted(d.name for d in drafts if preferred[merge_key(d.name)] > 1):
        raise SystemExit(f"{path.name}: several entries have the preferred name(s) {clashes}")
    entries = [d.to_entry() for d in sorted(drafts, key=lambda d: (slugify(d.name), d.name))]
    assign_ids(entries)
    for entry in entries:
        parse_entry(entry, path.name)  # raises EntryError naming the entry and field
    header = {"source": source, "generated_by": GENERATED_BY, "input_sha256": sha256_of(input_path)}
    lines = [json.dumps(header, ensure_ascii=False)[:-1] + ', "entries": [']
    lines += [json.dumps(e, ensure_ascii=False) + ("," if i < len(entries) - 1 else "")
              for i, e in enumerate(entries)]  # fmt: skip
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(entries)


def name_count(drafts: Iterable[Draft]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for draft in drafts:
        counts["preferred"] += 1
        for kind, texts in draft.names.items():
            counts[kind] += len(texts)
    return counts


# ---------------------------------------------------------------------------------------------
# Substance class guesses: simple keyword rules, first match wins

# (class, keywords looked for in the lower-cased names of a DEA row)
DEA_CLASS_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("precursor", ("pcp precursor", "lsd precursor", "phenylacetone")),
    ("fentanyl-precursor", ("anilino-n-phenethyl", "norfentanyl")),
    ("fentanyl-analogue", ("fentan", "phenethylpiperidin-4-yl")),
    ("nitazene", ("nitazen",)),
    ("synthetic-opioid", ("u-47700", "ah-7921", "mt-45")),
    ("benzodiazepine", ("azepam", "azolam", "chlordiazepoxide", "clorazepate", "clobazam",
                        "loflazepate")),
    ("synthetic-cannabinoid", ("naphthoyl", "indazole-3-carbox", "indole-3-carbox", "jwh-",
                               "pinaca", "chmica", "akb48", "cp-47", "ur-144", "xlr11", "pb-22",
                               "am2201", "am-694", "rcs-", "tetramethylcyclopropyl", "nabilone",
                               "parahexyl", "aica", "indazol-3-yl", "cumyl")),
    ("cannabis", ("marihuana", "tetrahydrocannabinol")),
    ("cocaine", ("cocaine", "coca ", "ecgonine")),
    ("cathinone", ("cathinone", "pyrrolidino", "pyrovalerone", "naphyrone", "ylone", "edrone",
                   "phenone", "pv8")),
    ("empathogen", ("methylenedioxy",)),
    ("dissociative", ("cyclidine", "ketamine", "phenylcyclohexyl", "thienyl)cyclohexyl")),
    ("psychedelic", ("tryptamine", "lysergic", "mescaline", "peyote", "psilocy", "dimethoxy",
                     "trimethoxy", "nbome", "ibogaine", "bufotenine", "dmt", "2c-")),
    ("stimulant", ("amphetamine", "amfetamine", "phenidate", "metrazine", "termine", "aminorex",
                   "cathine", "piperazine", "modafinil", "pemoline", "fenproporex", "fencamfamin",
                   "fenethylline", "mazindol", "diethylpropion", "pipradrol", "mefenorex",
                   "sibutramine", "fenfluramine", "lorcaserin", "benzphetamine")),
    ("sedative", ("barbit", "meprobamate", "carisoprodol", "chloral", "zolpidem", "zaleplon",
                  "zopiclone", "methaqualone", "mecloqualone", "glutethimide", "hydroxybutyr",
                  "suvorexant", "lemborexant", "paraldehyde", "ethchlorvynol", "ethinamate",
                  "methyprylon", "mebutamate", "sulfonmethane", "sulfonethylmethane",
                  "sulfondiethylmethane", "chlorhexadol", "propofol", "butalbital", "talbutal",
                  "methohexital", "thiopental", "thiamylal", "alfaxalone", "brexanolone",
                  "embutramide")),
    ("opioid", ("morph", "codeine", "opium", "poppy", "orphan", "azocine", "thebaine", "oripavine",
                "methadol", "methadone", "eluxadoline")),
)  # fmt: skip
DEA_STEROID_CODE = "4000"  # DEA code number shared by all anabolic steroids


def refine_class_by_name(base: str, names: Iterable[str], research_chemical: bool) -> str:
    """Name-based corrections that a category vocabulary cannot express."""
    text = " ".join(names).casefold()
    if base in ("opioid", "other") and ("fentanyl" in text or "fentanil" in text):
        return "fentanyl-analogue"
    if "nitazen" in text:
        return "nitazene"
    if base in ("benzodiazepine", "sedative", "other") and ("azepam" in text or "azolam" in text):
        return "designer-benzodiazepine" if research_chemical else "benzodiazepine"
    return base


# ---------------------------------------------------------------------------------------------
# DEA controlled substances (orange book), 2020-09

# Rows whose text defeats the general parsing: substance -> (substance, other_names) as intended.
DEA_ROW_FIXES = {
    "APINACA and AKB48 N-(1-Adamantyl)-1-pentyl-1H-indazole-3-carboxamide": (
        "APINACA (N-(1-Adamantyl)-1-pentyl-1H-indazole-3-carboxamide)", "AKB48"),
    "Fentanyl related-substances as defined in 21 CFR 1308.11(h)": (
        "Fentanyl-related substances", ""),
    "Dextropropoxyphene, bulk (non-dosage forms)": ("Dextropropoxyphene", "Propoxyphene"),
    "Etorphine (except HCl)": ("Etorphine", ""),
    "Alphacetylmethadol except levo-alphacetylmethadol": ("Alphacetylmethadol", ""),
    "4-Methylaminorex (cis isomer)": ("4-Methylaminorex", "U4Euh, McN-422"),
    "Opium, granulated": ("Granulated opium", ""),
    "Opium, powdered": ("Powdered opium", ""),
    "Opium, raw": ("Raw opium", "gum opium"),
    "JWH-081 (1-Pentyl-3-(1-(4-methoxynaphthoyl) indole)": (
        "JWH-081 (1-Pentyl-3-(4-methoxy-1-naphthoyl)indole)", ""),
    "Cenobamate [(1R)-1-(2-chlorophenyl)-2-(tetrazol-2-yl)ethyl]carbamate": (
        "Cenobamate ([(1R)-1-(2-chlorophenyl)-2-(tetrazol-2-yl)ethyl] carbamate)", ""),
    "Solriamfetol (2-amino-3-phenylpropyl car-bamate; benzenepropanol, beta-amino-, carbamate "
    "(ester))": ("Solriamfetol (2-amino-3-phenylpropyl carbamate)", ""),
}  # fmt: skip
# Rows that name a group (a class of substances, or all isomers) rather than one substance.
DEA_GROUP_MARKERS = ("related substances", "anabolic steroids", "barbituric acid derivative",
                     "tetrahydrocannabinols")  # fmt: skip
# Preparations, dosage forms and combination products of a substance that has its own row.
DEA_PREPARATION = re.compile(
    r"preparation|combination product|dosage form|suppository|noncontrolled active|"
    r"\d+ ?mg\b|in sesame oil|oral solution|compounds previously excepted",
    re.IGNORECASE,
)
# Parts of other_names that describe rather than name.
DEA_NOTE = re.compile(
    r"precursor|constituent|sold as|listed as|\bi\.e\.|various|not specifically listed|"
    r"body building|which contains|\bwith\b|\bw/|^others?$|^in ",
    re.IGNORECASE,
)
_LOCANT = re.compile(r"\d['′]?-|\d,\d|\b[NOS],[NOS]\b|\b[NOS]-|[αβ]-|\b(?:alpha|beta)-|\[|\(\d")
_CHEMICAL_SUFFIX = re.compile(r"(?:yl|ine|one|ol|ide|ate|ane|ene|ole)\b|yl\)|oyl", re.IGNORECASE)
# Trivial names that carry locants all the same (3-Methylfentanyl, 4-cyano-CUMYL-BUTINACA).
_TRIVIAL_STEM = re.compile(r"fentanyl|cumyl|testosterone|nandrolone|cathinone", re.IGNORECASE)
# Word parts of generic (non-proprietary) names: a capitalised name with one is not a brand.
_GENERIC_PART = re.compile(
    r"methyl|ethyl|acetyl|morph|amine|amide|\bacid\b|ester|fentan|azepam|codone|thc\b|delta|"
    r"psilo|opium|barbit|cannab|olone|amidone|ephedrine|fetamine",
    re.IGNORECASE,
)
_CODE = re.compile(r"^[A-Za-z0-9α-ω][A-Za-z0-9α-ω\-]*$")


def looks_systematic(text: str) -> bool:
    """A chemical (IUPAC-like) name: locants or brackets, a chemical suffix, some length."""
    if not (_LOCANT.search(text) and _CHEMICAL_SUFFIX.search(text)) or _TRIVIAL_STEM.search(text):
        return False
    return len(text) >= 22 or "(" in text or "[" in text or bool(re.search(r"\d,\d", text))


def looks_like_code(text: str) -> bool:
    """A short code such as 2C-P, α-PVP, ANPP, 4-MEC: one token with a capital or a digit."""
    return (
        len(text) <= 16
        and bool(_CODE.match(text))
        and any(c.isupper() or c.isdigit() for c in text)
    )


def is_abbreviation(text: str) -> bool:
    """A code in capitals: MDMA, ANPP, bk-MBDP, SGT-78, 5F-MDMB-PINACA (not Winstrol-V)."""
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    short_or_coded = len(letters) <= 5 or any(c.isdigit() or c == "-" for c in text)
    return looks_like_code(text) and upper >= 2 and upper >= len(letters) - upper and short_or_coded


def is_brand(text: str) -> bool:
    """Capitalised words with no generic-name part: Duragesic, Talwin NX, Stimolag Fortis."""
    words = text.split()
    capitalised = all(w[0].isupper() or w[0].isdigit() for w in words)
    return bool(re.match(r"[A-Z][a-z]", text)) and capitalised and not _GENERIC_PART.search(text)


def other_name_kind(text: str, ambiguity: Ambiguity) -> str:
    if looks_systematic(text):
        return "systematic"
    if ambiguity.is_everyday(text) or len(merge_key(text)) <= 2:
        return "weak"
    if is_abbreviation(text):
        return "abbreviation"
    return "brand" if is_brand(text) else "synonym"


def trim_unbalanced(text: str) -> str:
    """Drop stray leading '(' and trailing ')' left by the transcription."""
    text = text.strip()
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()
    while text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:].lstrip()
    while text.startswith("(") and text.endswith(")") and _encloses(text):
        text = text[1:-1].strip()
    while text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        text = text[1:-1].strip()
    return text


def _encloses(text: str) -> bool:
    """Whether the '(' at the start closes at the very end."""
    depth = 0
    for index, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if depth == 0:
            return index == len(text) - 1
    return False


def split_top_level(text: str) -> list[str]:
    """Split other_names on ';' and on list commas, never inside brackets or locants (2,5-)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and char == ";":
            parts.append(text[start:index])
            start = index + 1
        elif depth == 0 and char == ",":
            before, after = text[max(0, index - 3) : index], text[index + 1 : index + 4]
            if after.startswith(" ") or (before.isalpha() and after.isalpha()):
                parts.append(text[start:index])
                start = index + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def remove_positional_isomers(text: str) -> str:
    """Drop '(Positional isomer(s): ...)' notes, nested brackets included."""
    while (start := text.casefold().find("(positional")) >= 0:
        depth, end = 0, len(text)
        for index in range(start, len(text)):
            depth += text[index] == "("
            depth -= text[index] == ")"
            if depth == 0:
                end = index + 1
                break
        text = text[:start] + text[end:]
    return text


def split_dea_substance(text: str) -> tuple[list[str], list[str]]:
    """'Head (tail)' -> (names from the head, chemical names or codes from the tail)."""
    tail = ""
    if text.endswith(")"):
        depth = 0
        for index in range(len(text) - 1, -1, -1):
            depth += text[index] == ")"
            depth -= text[index] == "("
            if depth == 0:
                text, tail = text[:index].strip(), text[index + 1 : -1]
                break
    if not tail:
        match = re.search(r" [(\[]", text)
        if match:
            text, tail = text[: match.start()], text[match.start() + 1 :]
    heads = [h for h in re.split(r"; |, | and ", text) if h.strip()]
    tails = [trim_unbalanced(t) for t in tail.split("; ") if trim_unbalanced(t)]
    return [clean_text(h) for h in heads], [clean_text(t) for t in tails]


def dea_schedule_row(row: dict[str, str], ambiguity: Ambiguity, skipped: Counter[str]) -> Draft:
    substance, other_names = DEA_ROW_FIXES.get(
        row["substance"], (row["substance"], row["other_names"])
    )
    substance = clean_text(substance)
    also_known = re.findall(r"\((?:also known as) ([^)]+)\)", substance, flags=re.IGNORECASE)
    substance = re.sub(r"\s*\(also known as [^)]+\)", "", substance, flags=re.IGNORECASE)
    heads, tails = split_dea_substance(substance)

    # the row's own names: a head that is only a chemical name yields to a code after it,
    # "2-(...)ethanamine (2C-P)", and to the names in other_names, "3,4-Methylenedioxy... MDMA"
    head_names = [h for h in heads if not looks_systematic(h)]
    codes = [t for t in tails if not looks_systematic(t) and looks_like_code(t)]
    head_names = codes + head_names if any(_LOCANT.search(h) for h in heads) else head_names + codes
    named = [("abbreviation" if is_abbreviation(t) else "synonym", t) for t in head_names]
    named += [("synonym", t) for t in also_known]
    others = remove_positional_isomers(clean_text(other_names))
    others = re.sub(r"\s*\(UK\)|\s+and others$", "", others)
    for part in split_top_level(others):
        for piece in re.split(r" or | and ", part):
            piece = trim_unbalanced(piece.strip().strip('",;').strip())
            if not piece or DEA_NOTE.search(piece):
                continue
            if len(merge_key(piece)) <= 1:
                skipped["other name: one character"] += 1
                continue
            named.append((other_name_kind(piece, ambiguity), piece))
    named += [("systematic", h) for h in heads if looks_systematic(h)]
    named += [("systematic" if looks_systematic(t) else "synonym", t)
              for t in tails if t not in head_names]  # fmt: skip

    chemical = [text for kind, text in named if kind == "systematic"]
    preferred = (
        [text for kind, text in named if kind in STRONG_KINDS - {"systematic"}] or chemical
    )[0]
    if preferred.islower():
        preferred = preferred[0].upper() + preferred[1:]
    draft = Draft(name=preferred, substance_class="other", sources=("dea-orange-book-2020",))
    for kind, text in named:
        draft.add(kind, text)
    draft.controls.append(
        {"regime": "US-CSA", "schedule": row["schedule"], "source": "dea-orange-book-2020"}
    )
    draft.tags.append(f"dea-cscn:{row['dea_cscn']}")
    lowered = substance.casefold()
    if any(marker in lowered.replace("-", " ") for marker in DEA_GROUP_MARKERS):
        draft.entry_type = "group"
    draft.substance_class = dea_class(row, draft)
    return draft


def dea_class(row: dict[str, str], draft: Draft) -> str:
    texts = [draft.name, row["substance"], remove_positional_isomers(row["other_names"])]
    texts += [text for texts_of_kind in draft.names.values() for text in texts_of_kind]
    text = " ".join(texts).casefold()
    if row["dea_cscn"] == DEA_STEROID_CODE:
        return "steroid"
    for substance_class, keywords in DEA_CLASS_RULES:
        if any(keyword in text for keyword in keywords):
            return substance_class
    # the DEA "narcotic" flag marks opioids (coca products are matched above)
    return "opioid" if row["narcotic"] == "Y" else "other"


def derive_dea_list(path: Path, ambiguity: Ambiguity) -> tuple[list[Draft], Counter[str]]:
    skipped: Counter[str] = Counter()
    drafts = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["dea_cscn"]:
                skipped["Schedule V preparation without a code number"] += 1
            elif DEA_PREPARATION.search(row["substance"]):
                skipped["preparation, dosage form or combination product"] += 1
            else:
                drafts.append(dea_schedule_row(row, ambiguity, skipped))
    return drafts, skipped


# ---------------------------------------------------------------------------------------------
# TripSit

# (TripSit category, class), first match wins; research-chemical only adds a tag. Empathogen
# comes first when the entry is also a stimulant or not a psychedelic (MDMA, MDA, 6-APB), else
# psychedelic wins (2C-B, psilocin, 5-MeO-DiPT are tagged empathogen too).
TRIPSIT_CLASSES = (
    ("opioid", "opioid"),
    ("benzodiazepine", "benzodiazepine"),
    ("dissociative", "dissociative"),
    ("psychedelic", "psychedelic"),
    ("stimulant", "stimulant"),
    ("barbiturate", "sedative"),
    ("depressant", "sedative"),
    ("ssri", "prescription"),  # prescription-only, sold by rogue pharmacies
)
TRIPSIT_CLASS_OVERRIDES = {"cannabis": "cannabis", "cocaine": "cocaine", "marinol": "cannabis"}
# Everyday legal substances: not drugs of concern, and their names would flag ordinary text.
TRIPSIT_EVERYDAY = frozenset(
    {"alcohol", "caffeine", "nicotine", "aspirin", "ibuprofen", "naproxen", "apap", "theobromine",
     "yerba-mate", "lithium"}
)  # fmt: skip
# Display names that are everyday words or misspelt: key -> (name to use, kind of the old name).
TRIPSIT_RENAMES = {
    "dom": ("4-Methyl-2,5-dimethoxyamphetamine", "weak"),
    "doc": ("4-Chloro-2,5-dimethoxyamphetamine", "weak"),
    "don": ("2,5-Dimethoxy-4-nitroamphetamine", "weak"),
    "met": ("Methylethyltryptamine", "weak"),
    "mushrooms": ("Psilocybin mushrooms", "weak"),
    "truffles": ("Psilocybin truffles", "weak"),
    "salvia": ("Salvia divinorum", "weak"),
    "sonata": ("Zaleplon", "weak"),
    "nitrous": ("Nitrous oxide", "weak"),
    "pseudoephedrine": ("Pseudoephedrine", "misspelling"),
}
# Aliases that are fragments of a name split at its comma (4-hydroxy-n,n-dipropyltryptamine).
TRIPSIT_BROKEN_ALIASES = frozenset(
    {"4-hydroxy-n", "n-dipropyltryptamine", "4-cyclopropylmethoxy-3"}
)
# Aliases that name another substance: 4-MePPP is not pentylone, Cesamet is nabilone, THC is
# the cannabinoid rather than the plant.
TRIPSIT_WRONG_ALIASES = {"pentylone": {"4-meppp"}, "marinol": {"cesamet"}, "cannabis": {"thc"}}


def tripsit_class(key: str, categories: list[str], names: list[str]) -> str:
    base = TRIPSIT_CLASS_OVERRIDES.get(key)
    mainly_empathogen = "stimulant" in categories or "psychedelic" not in categories
    if base is None and "empathogen" in categories and mainly_empathogen:
        base = "empathogen"
    if base is None:
        base = next((cls for cat, cls in TRIPSIT_CLASSES if cat in categories), "other")
    return refine_class_by_name(base, names, "research-chemical" in categories)


def derive_tripsit(path: Path, ambiguity: Ambiguity) -> tuple[list[Draft], Counter[str]]:
    skipped: Counter[str] = Counter()
    drafts = []
    for key, record in sorted(json.loads(path.read_text(encoding="utf-8")).items()):
        categories = [c for c in record.get("categories") or () if c]
        if "inactive" in categories:
            skipped["entry: category inactive"] += 1
            continue
        if "supplement" in categories or key in TRIPSIT_EVERYDAY:
            skipped["entry: supplement or everyday legal substance"] += 1
            continue
        pretty = clean_text(record["pretty_name"])
        preferred, old_name_kind = TRIPSIT_RENAMES.get(key, (pretty, ""))
        aliases = [clean_text(a.strip('"')) for a in record.get("aliases") or ()]
        draft = Draft(name=preferred, substance_class="other", sources=("tripsit",))
        if old_name_kind:
            draft.add(old_name_kind, pretty)
        # the key is a name too (demerol, viagra), unless it is the name just replaced
        for text in aliases if old_name_kind else [key, *aliases]:
            if text.casefold() in TRIPSIT_BROKEN_ALIASES:
                skipped["alias: fragment of a name split at a comma"] += 1
            elif text.casefold() in TRIPSIT_WRONG_ALIASES.get(key, ()):
                skipped["alias: names another substance"] += 1
            elif len(merge_key(text)) <= 1:
                skipped["alias: one character"] += 1
            elif len(merge_key(text)) <= 2 or ambiguity.is_everyday(text):
                draft.add("weak", text)
            else:
                draft.add("synonym", text)
        draft.substance_class = tripsit_class(key, categories, [preferred, *aliases])
        draft.tags.extend(categories)
        drafts.append(draft)
    return drafts, skipped


# ---------------------------------------------------------------------------------------------
# DEA drug slang code words, 2017


class SlangTarget(NamedTuple):
    """The entry a DEA slang category belongs to, named as a curated entry would name it."""

    name: str
    substance_class: str
    names: tuple[tuple[str, str], ...] = ()  # (kind, text)
    entry_type: str = "substance"


SLANG_TARGETS = {
    "Acetaminophen and Oxycodone": SlangTarget("Oxycodone", "opioid"),
    "Alprazolam": SlangTarget("Alprazolam", "benzodiazepine"),
    "Amphetamine": SlangTarget("Amphetamine", "stimulant"),
    "Clonazepam": SlangTarget("Clonazepam", "benzodiazepine"),
    "Cocaine": SlangTarget("Cocaine", "cocaine"),
    "Crack Cocaine": SlangTarget("Cocaine", "cocaine", (("synonym", "Crack cocaine"),)),
    "Fentanyl and Fentanyl Derivatives": SlangTarget("Fentanyl", "fentanyl-analogue"),
    "GHB": SlangTarget("GHB", "sedative", (("synonym", "Gamma-hydroxybutyric acid"),)),
    "Heroin": SlangTarget(
        "Heroin", "opioid", (("synonym", "Diacetylmorphine"), ("synonym", "Diamorphine"))
    ),
    "Hydrocodone": SlangTarget("Hydrocodone", "opioid"),
    "Ketamine": SlangTarget("Ketamine", "dissociative"),
    "LSD": SlangTarget("LSD", "psychedelic", (("synonym", "Lysergic acid diethylamide"),)),
    "MDMA": SlangTarget("MDMA", "empathogen", (("synonym", "3,4-Methylenedioxymethamphetamine"),)),
    "Marijuana": SlangTarget(
        "Cannabis", "cannabis", (("synonym", "Marijuana"), ("synonym", "Marihuana"))
    ),
    "Marijuana Concentrates": SlangTarget("Cannabis", "cannabis"),
    "Mescaline": SlangTarget("Mescaline", "psychedelic"),
    "Methamphetamine": SlangTarget("Methamphetamine", "stimulant"),
    "Mushrooms": SlangTarget("Psilocybin", "psychedelic", (("synonym", "Magic mushrooms"),)),
    "Opium": SlangTarget("Opium", "opioid"),
    "Oxycodone": SlangTarget("Oxycodone", "opioid"),
    "PCP": SlangTarget("Phencyclidine", "dissociative", (("abbreviation", "PCP"),)),
    "Peyote": SlangTarget("Peyote", "psychedelic"),
    # codeine is the controlled ingredient of "lean"
    "Promethazine with Codeine": SlangTarget("Codeine", "opioid"),
    "Ritalin": SlangTarget("Methylphenidate", "stimulant", (("brand", "Ritalin"),)),
    "Synthetic Cannabinoids": SlangTarget(
        "Synthetic cannabinoids", "synthetic-cannabinoid", entry_type="group"
    ),
    "Synthetic Cathinones": SlangTarget("Synthetic cathinones", "cathinone", entry_type="group"),
}
# A term containing one of these word stems can only mean a drug.
SLANG_DRUG_STEMS = ("fent", "oxy", "perc", "xan", "zan", "cocain", "heroin", "marijuan", "opium",
                    "dopium", "mdma", "ecsta", "lsd", "pcp", "ketamin", "methamph")  # fmt: skip
SLANG_DRUG_WORDS = frozenset({"meth", "xtc", "thc", "ercs"})
# Terms with a digit that are weak all the same: everyday phrases, and the M30 imprint that
# counterfeit "oxycodone" pills pressed with fentanyl share with the real ones.
SLANG_WEAK_WITH_DIGITS = frozenset(
    merge_key(t) for t in ("Cloud 9", "Cloud 10", "AK-47", "Love Potion #9", "A-1", "4-20", "M-30s")
)


def slang_kind(term: str) -> str:
    """'slang' for terms that cannot be everyday words, 'weak' for all the others.

    Cannot be everyday: a digit beside letters (Murder 8, TR-6s; not 30s, 420), or a drug word
    stem (Fenty, Percs, Zannies, Hillbilly Heroin)."""
    key = merge_key(term)
    if key in SLANG_WEAK_WITH_DIGITS:
        return "weak"
    letters = re.sub(r"[^a-z]", "", key)
    if any(c.isdigit() for c in key) and letters not in ("", "s"):
        return "slang"
    words = re.findall(r"[a-z0-9]+", term.casefold())
    if any(w in SLANG_DRUG_WORDS or w.startswith(SLANG_DRUG_STEMS) for w in words):
        return "slang"
    return "weak"


# A weak slang term this frequent in everyday language (Zipf scale: 4 = once per 100,000 words)
# in any language the product reads cannot tell a drug message from any other: "coffee",
# "night", "love" from the DEA list. Curated weak names are kept; they are chosen by hand.
COMMON_ZIPF = 4.0
ZIPF_LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl")


def too_common(term: str) -> bool:
    from wordfreq import zipf_frequency  # maintainer-only dependency (extra "kb-build")

    return max(zipf_frequency(term, lang) for lang in ZIPF_LANGUAGES) >= COMMON_ZIPF


def split_slang(term: str) -> list[str]:
    """'Birria (mixed with heroin)' -> ['Birria']; 'Gigi (hydroponic) Giggle Smoke' -> two terms.
    The parenthesised part is a note (or an expansion such as 'RIP (Rest in Peace)')."""
    return [p.strip() for p in re.split(r"\([^)]*\)", term) if p.strip()]


def derive_dea_slang(path: Path) -> tuple[list[Draft], Counter[str]]:
    skipped: Counter[str] = Counter()
    drafts: dict[str, Draft] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: (r["category"], r["slang"]))
    for row in rows:
        target = SLANG_TARGETS.get(row["category"])
        if target is None:
            raise SystemExit(f"{path}: DEA slang category {row['category']!r} has no target")
        draft = drafts.get(target.name)
        if draft is None:
            draft = Draft(
                target.name, target.substance_class, ("dea-slang-2017",), target.entry_type
            )
            drafts[target.name] = draft
        for kind, text in target.names:
            draft.add(kind, text)
        if row["brand"]:
            draft.add("brand", row["brand"])
        for term in split_slang(clean_text(row["slang"])):
            kind = slang_kind(term)
            if len(merge_key(term)) <= 1:
                skipped["term: one character"] += 1
            elif kind == "weak" and too_common(term):
                skipped[f"term: everyday word (Zipf frequency >= {COMMON_ZIPF})"] += 1
            else:
                draft.add(kind, term)
    return list(drafts.values()), skipped


# ---------------------------------------------------------------------------------------------


def report(
    label: str, drafts: list[Draft], written: int, skipped: Counter[str], shared: Counter[str]
) -> None:
    names = name_count(drafts)
    classes = Counter(d.substance_class for d in drafts)
    print(f"{label}: {written} entries, {sum(names.values())} names")
    print("  names by kind: " + ", ".join(f"{k} {names[k]}" for k in KIND_ORDER if names[k]))
    print("  classes: " + ", ".join(f"{k} {v}" for k, v in sorted(classes.items())))
    for reason, count in sorted((skipped + shared).items()):
        print(f"  {reason}: {count}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=REPO_ROOT.parent / "shared",
        help="the shared/ folder holding data/sources (default: ../shared)",
    )
    parser.add_argument(
        "--wordlist",
        type=Path,
        default=None,
        help=f"a word list, one word a line (default: {DEFAULT_WORDLIST} if any)",
    )
    parser.add_argument("--out", type=Path, default=DERIVED_DIR, help="where to write the JSON")
    args = parser.parse_args(argv)

    inputs = {"dea": DEA_LIST, "slang": DEA_SLANG, "tripsit": TRIPSIT}
    inputs = {name: args.shared / relative for name, relative in inputs.items()}
    missing = [str(p) for p in inputs.values() if not p.is_file()]
    if missing:
        print("derive_kb: input file(s) missing:\n  " + "\n  ".join(missing), file=sys.stderr)
        print("Pass --shared PATH to the folder that holds data/sources/.", file=sys.stderr)
        return 2
    wordlist = args.wordlist or (DEFAULT_WORDLIST if DEFAULT_WORDLIST.is_file() else None)
    if wordlist is not None and not wordlist.is_file():
        print(f"derive_kb: word list {wordlist} not found", file=sys.stderr)
        return 2
    ambiguity = Ambiguity(wordlist)
    if wordlist is None:
        print("word list: none found; everyday words from the built-in list only")
    else:
        print(f"word list: {wordlist} ({len(ambiguity.words)} words, sha256 {sha256_of(wordlist)})")
    args.out.mkdir(parents=True, exist_ok=True)

    jobs = (
        ("dea_orange_book.json", "dea-orange-book-2020", "dea",
         lambda p: derive_dea_list(p, ambiguity)),
        ("tripsit.json", "tripsit", "tripsit", lambda p: derive_tripsit(p, ambiguity)),
        ("dea_slang.json", "dea-slang-2017", "slang", derive_dea_slang),
    )  # fmt: skip
    for filename, source, input_name, derive in jobs:
        drafts, skipped = derive(inputs[input_name])
        shared = resolve_shared_names(drafts)
        written = write_snapshot(args.out / filename, source, inputs[input_name], drafts)
        report(filename, drafts, written, skipped, shared)
    return 0


if __name__ == "__main__":
    sys.exit(main())
