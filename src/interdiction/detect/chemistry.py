"""Chemical identifiers and systematic names: CAS numbers, InChIKeys, IUPAC/CAS-index names.

Precursor sellers on B2B sites write products by CAS number ("CAS79099 powder",
"125541-22-2, 79099-07-3 in stock"); NPS sellers write the systematic name of an unlisted
analogue. This detector reads both:

- CAS numbers ``NNNNNNN-NN-N`` with a valid check digit, also unhyphenated or cut to the first
  segment right after "CAS" ("CAS 79099073", "CAS79099": the prefix must name exactly one KB
  number). A valid number not in the KB is still reported, with a low weight: a bare CAS number
  in a listing is itself a precursor-seller signal. An invalid check digit is never reported.
- InChIKeys of KB substances.
- Systematic names: chemical morphemes mark candidate spans, which are widened to the whole name
  (with ester, salt and CAS-index words), resolved by OPSIN in one call per batch, keyed by
  RDKit and looked up in the KB by InChIKey (exact, then the skeleton block). No KB hit but a
  structure class (see structures.py) gives an "analogue": closely related to the nearest KB
  substance of that class, for review, never reported as controlled.

Speed: one hyperscan pass over the batch's ``lower`` view (shared with other detectors) runs
loose prefilters; only the items they hit go through Python, and ordinary chat hits almost
none of them (about 1 in 15,000 messages of English, Spanish and Russian text has a candidate
name, all of them chemistry words). The OPSIN process starts only when a batch has a candidate
name. Everything after the scan looks at one item alone, so findings never depend on
the rest of the batch.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import hyperscan
from rdkit import Chem, DataStructs, rdBase
from rdkit.Chem import rdFingerprintGenerator

from interdiction.detect import structures
from interdiction.detect.base import Detector, DetectorContext, Example, Findings
from interdiction.detect.opsin import MAX_NAME_CHARS, OpsinResolver, shared_resolver
from interdiction.kb import KnowledgeBase, cas_check_digit_ok, format_cas, merge_key
from interdiction.kb.cache import BytesCache, cached_object, code_fingerprint
from interdiction.model import Detection, Substance
from interdiction.text.batch import TextBatch
from interdiction.text.engine import PatternSet

WEIGHT_KB_IDENTIFIER = 1.0  # a CAS number or InChIKey of a KB substance
WEIGHT_PARTIAL_CAS = 0.7  # "CAS79099": the first segment, unique in the KB
WEIGHT_UNKNOWN_CAS = 0.3  # valid check digit, not in the KB
WEIGHT_NAME_EXACT = 1.0
WEIGHT_NAME_SKELETON = 0.9  # same skeleton, other stereo/isotopes
WEIGHT_ANALOGUE = 0.6

# -- prefilters (hyperscan, on the lower view; loose supersets of the exact checks below) ------

# Multiline: "$" ends an item without taking the separator, so a match never crosses into the
# next item (where TextBatch.locate would drop it, and the result would depend on the batch).
_PREFILTER_FLAGS = hyperscan.HS_FLAG_MULTILINE
_CAS_PREFILTERS = (
    rb"(?:^|[^0-9-])[0-9]{2,7}-[0-9]{2}-[0-9](?:[^0-9\n-]|$)",
    rb"(?:^|[^a-z])cas[^a-z0-9]{0,6}(?:(?:no|nr|number|rn|reg|registry)[^a-z0-9]{0,6})?[0-9]{2}",
)
_INCHIKEY_PREFILTER = rb"[a-z]{14}-[a-z]{8}[sn]a-[a-z]"
# Morphemes of systematic names that everyday words in English, Spanish, Russian, German,
# French, Portuguese and Italian do not contain (checked against the 200,000 most frequent
# words of each: what matches is chemistry vocabulary such as "methyl" or "pyridine").
_NAME_CUES = (
    rb"(?:meth|eth|prop|but|pent|hex|hept|oct|phen|benz|naphth|tol|anil|pyrid|piperid|piperaz"
    rb"|pyrrolid|morpholin|thien|fur|indol|indaz|imidazol|quinol|carbon|sulfon|sulfan|acet"
    rb"|form|all|cyclo[a-z]{3,5})(?:yl|oxy|oyl)",
    rb"piperidin|piperazin|pyrrolidin|morpholin|pyridin|pyrimidin|imidazo|indazol|oxiran|dioxol"
    rb"|thiophen|azepin|triazol|tetrazol|quinolin|oxazol|thiazol|pyrazol|tropan|carbazol"
    rb"|naphthalen|bicyclo\[|benzofuran|glycid|carboxyl",
    rb"[a-z]-[0-9]+(?:,[0-9]+)*-(?:yl|ylidene|one|ol|amine|amide|carboxyl|carboxam|oate|oic|thiol)",
    rb"(?:^|[^a-z])n,n'?-[a-z]",
    rb"(?:an|en|yn)(?:amine|amide|oate|oic(?:[^a-z\n]|$))",
    rb"(?:yl|oxy|ylene)(?:amine|amide|amino|idene|oxy|phenyl|benzyl|ethyl|methyl|propyl|piperid)",
)
_FIRST_NAME_CUE = len(_CAS_PREFILTERS) + 1  # pattern ids from here on are name cues

# -- exact checks (Python, on one item's lower view: same offsets as the original) -------------

_CAS_RE = re.compile(r"(?<![\d\-/])(?<!\d[.,])(\d{2,7})-(\d{2})-(\d)(?![\d\-]|[.,/]\d)")
_CAS_KEYWORD_RE = re.compile(
    r"(?<![a-z])cas(?:[\s.]*(?:no|nr|number|rn|reg(?:istry)?(?:[\s.]*no)?|n°|№))?[\s.:#=\-]*"
    r"(\d{2,10})(?![\d\-])"
)
_INCHIKEY_RE = re.compile(r"(?<![a-z])[a-z]{14}-[a-z]{8}[sn]a-[a-z](?![a-z])")

# -- systematic-name spans ---------------------------------------------------------------------

_NAME_CHARS = re.compile(r"[A-Za-z0-9αβγδεωΑΒΓΔΩ\-‐‑‒–−,'′″()\[\]{}+.]+")
_MORPHEME = re.compile(
    r"meth|eth|prop|but|pent|hex|hept|oct|phen|benz|naphth|tol|anil|pyrid|piperid|piperaz"
    r"|pyrrolid|morphol|thien|thiophen|fur|indol|indaz|imidaz|quinol|oxir|diox|glycid|carbox"
    r"|carbon|sulf|phosph|amin|amid|oxy|oxo|nitro|fluoro|chloro|bromo|iodo|cyano|cyclo|azep"
    r"|azol|yl"
)
_OPENERS, _CLOSERS = "([{", ")]}"
_LEADING_JUNK = "\"'«“‘<"
_TRAILING_JUNK = ".,;:!?\"'»”’>-"
# Words that belong to a name when next to it: esters and salts before, acids and salts after.
_BEFORE_WORDS = frozenset({
    "methyl", "ethyl", "propyl", "isopropyl", "butyl", "isobutyl", "sec-butyl", "tert-butyl",
    "t-butyl", "n-butyl", "n-propyl", "pentyl", "hexyl", "benzyl", "phenyl", "allyl", "sodium",
    "potassium", "lithium", "calcium", "magnesium", "ammonium",
})  # fmt: skip
_AFTER_WORDS = frozenset({
    "acid", "ester", "hydrochloride", "dihydrochloride", "hydrobromide", "hydroiodide", "citrate",
    "tartrate", "oxalate", "fumarate", "maleate", "sulfate", "sulphate", "phosphate", "mesylate",
    "hydrate", "monohydrate", "dihydrate", "hemihydrate",
})  # fmt: skip
_LOWERCASE_N_LOCANT = re.compile(r"(?<![A-Za-z])n(?=[0-9'′]*[,\-])")
MIN_BARE_WORD_CHARS = 10  # a name without locants or brackets ("methylamine") must be this long


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A possible systematic name: ways to read it, most complete first, as (start, end, text)."""

    readings: tuple[tuple[int, int, str], ...]


@dataclass(frozen=True, slots=True)
class _Identity:
    """What RDKit makes of a resolved name."""

    inchikey: str
    smiles: str
    classes: tuple[str, ...]


@dataclass
class _KBStructures:
    """KB substances by InChIKey (given, or computed from the SMILES) and by structure class."""

    by_key: dict[str, str] = field(default_factory=dict)
    by_skeleton: dict[str, list[str]] = field(default_factory=dict)
    class_members: dict[str, list[tuple[str, DataStructs.ExplicitBitVect]]] = field(
        default_factory=dict
    )

    def find(self, inchikey: str) -> tuple[str | None, str]:
        """(substance id or None, "exact" or "skeleton"): the full key first, then its first
        block (same connectivity, other stereo, isotopes or protonation)."""
        if inchikey in self.by_key:
            return self.by_key[inchikey], "exact"
        same_skeleton = self.by_skeleton.get(inchikey.split("-")[0])
        return (same_skeleton[0] if same_skeleton else None), "skeleton"


_FINGERPRINTS = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)


@lru_cache(maxsize=65536)
def _identify(smiles: str) -> _Identity | None:
    """InChIKey, canonical SMILES and structure classes of the parent of a resolved name."""
    mol = structures.mol_from_smiles(smiles)
    if mol is None:
        return None
    parent = structures.parent_molecule(mol)
    key = structures.inchikey(parent)
    if key is None:
        return None
    return _Identity(key, Chem.MolToSmiles(parent), tuple(structures.classify(parent)))


def _cached_kb_structures(kb: KnowledgeBase, cache: BytesCache | None) -> _KBStructures:
    """_build_kb_structures (half a second of RDKit), kept between runs: the index depends on
    the KB, on this module and structures.py, and on RDKit."""
    code = code_fingerprint(sys.modules[__name__], structures)
    key = f"kb-structures-{kb.fingerprint}-{code}-{rdBase.rdkitVersion}"
    return cached_object(cache, key, lambda: _build_kb_structures(kb))


def _build_kb_structures(kb: KnowledgeBase) -> _KBStructures:
    index = _KBStructures()
    for sub in kb.substances.values():
        keys = [sub.inchikey] if sub.inchikey else []
        mol = structures.mol_from_smiles(sub.smiles or "")
        if mol is not None:
            parent = structures.parent_molecule(mol)
            computed = structures.inchikey(parent)
            if computed:
                keys.append(computed)
            fingerprint = _FINGERPRINTS.GetFingerprint(parent)
            for class_id in structures.classify(parent):
                index.class_members.setdefault(class_id, []).append((sub.id, fingerprint))
        for key in keys:
            index.by_key.setdefault(key, sub.id)
            skeleton = index.by_skeleton.setdefault(key.split("-")[0], [])
            if sub.id not in skeleton:
                skeleton.append(sub.id)
    return index


class ChemicalDetector(Detector):
    name = "chemistry"
    finds = ("cas", "substance", "analogue", "inchikey")
    examples = (
        Example("CAS 79099-07-3 in stock", finds=(("cas", "79099-07-3"),)),
        Example(
            "125541-22-2, 79099-07-3 in stock, door to door",
            finds=(("cas", "125541-22-2"), ("cas", "79099-07-3")),
        ),
        Example("CAS79099 powder is best", finds=(("cas", "79099-07-3"),), note="first segment"),
        Example("cas no. 79099073 available", finds=(("cas", "79099-07-3"),), note="no hyphens"),
        Example("norfentanyl 1609-66-1", finds=(("cas", "1609-66-1"),)),
        Example("CAS 1609-66-5 wholesale", absent=("cas",), note="check digit fails"),
        Example("order 437-38-7 now", finds=(("cas", "437-38-7"),)),
        Example(
            "InChIKey PJMPHNIQZUBGLI-UHFFFAOYSA-N",
            finds=(("inchikey", "fentanyl"),),
        ),
        Example(
            "N-phenyl-N-[1-(2-phenylethyl)-4-piperidinyl]propanamide 99% purity",
            finds=(("substance", "fentanyl"),),
            note="another spelling than the KB's, resolved by OPSIN",
        ),
        Example(
            "tert-butyl 4-oxopiperidine-1-carboxylate, fast shipping",
            finds=(("substance", "1-boc-4-piperidone"),),
        ),
        Example(
            "we have N-(4-chlorophenyl)-2-methoxy-N-[1-[2-(thiophen-2-yl)ethyl]piperidin-4-yl]"
            "acetamide in stock",
            finds=(("analogue", None),),
            absent=("substance",),
            note="an unlisted fentanyl analogue",
        ),
        Example(
            "2-[2-[(4-hexoxyphenyl)methyl]-5-nitrobenzimidazol-1-yl]-N,N-diethylethanamine",
            finds=(("analogue", None),),
            absent=("substance",),
            note="an unlisted nitazene",
        ),
        Example(
            "pentyl 2-methyl-3-phenyloxirane-2-carboxylate (new BMK)",
            finds=(("analogue", None),),
            absent=("substance",),
            note="an unlisted BMK glycidate ester",
        ),
        Example(
            "3-(1,3-benzodioxol-5-yl)-2-methyloxirane-2-carboxylic acid hexyl ester",
            finds=(("analogue", None),),
            absent=("substance",),
            note="an unlisted PMK glycidate ester",
        ),
        Example("see you at 10-12, call 555-1234", absent=("*",)),
        Example("the methylated spirits are in the shed", absent=("*",)),
        Example("Let's meet at noon for lunch, my ethyl alcohol joke was bad", absent=("*",)),
    )

    def __init__(self, context: DetectorContext):
        super().__init__(context)
        self._kb = context.kb
        # options["opsin_resolver"]: an OpsinResolver of the caller's; default one per process
        resolver: OpsinResolver | None = context.options.get("opsin_resolver")
        self._resolver = resolver or shared_resolver()
        self._cache = context.pattern_cache
        self._prefilter = PatternSet(
            [*_CAS_PREFILTERS, _INCHIKEY_PREFILTER, *_NAME_CUES],
            flags=_PREFILTER_FLAGS,
            cache=self._cache,
        )
        self._cas_by_prefix = _unique_cas_prefixes(self._kb)
        self._kb_structures: _KBStructures | None = None

    def detect(self, batch: TextBatch) -> list[Sequence[Detection]]:
        found = Findings(len(batch))
        identifier_items: set[int] = set()
        name_cues: dict[int, set[int]] = defaultdict(set)
        for pattern_id, item, _, end in self._prefilter.scan(batch, "lower"):
            if pattern_id >= _FIRST_NAME_CUE:
                name_cues[item].add(end - 1)
            else:
                identifier_items.add(item)
        for item in sorted(identifier_items):
            text, lower = batch.texts[item], _item_lower(batch, item)
            found[item].extend(self._cas_numbers(text, lower))
            found[item].extend(self._inchikeys(text, lower))
        if name_cues:
            self._names(batch, name_cues, found)
        return found.as_lists()

    # -- CAS numbers and InChIKeys ----------------------------------------------------------

    def _cas_numbers(self, text: str, lower: str) -> list[Detection]:
        out = []
        for match in _CAS_RE.finditer(lower):
            number = "-".join(match.groups())
            if cas_check_digit_ok(number):
                out.append(self._cas_detection(text, match.start(), match.end(), number, False))
        for match in _CAS_KEYWORD_RE.finditer(lower):
            resolved = self._keyword_cas(match.group(1))
            if resolved is not None:
                number, partial = resolved
                out.append(self._cas_detection(text, match.start(), match.end(), number, partial))
        return out

    def _keyword_cas(self, digits: str) -> tuple[str, bool] | None:
        """The number meant by digits written right after "CAS", and whether it was cut short."""
        whole = format_cas(digits) if len(digits) >= 5 else None
        whole_ok = whole is not None and cas_check_digit_ok(whole)
        if whole_ok and self._kb.by_cas(whole) is not None:
            return whole, False
        if digits in self._cas_by_prefix:
            return self._cas_by_prefix[digits], True
        return (whole, False) if whole_ok else None

    def _cas_detection(
        self, text: str, start: int, end: int, number: str, partial: bool
    ) -> Detection:
        substance = self._kb.by_cas(number)
        if substance is None:
            weight = WEIGHT_UNKNOWN_CAS
        else:
            weight = WEIGHT_PARTIAL_CAS if partial else WEIGHT_KB_IDENTIFIER
        return Detection(
            detector=self.name,
            kind="cas",
            start=start,
            end=end,
            text=text[start:end],
            value=number,
            weight=weight,
            attrs={
                "substance_id": substance.id if substance else None,
                "partial": partial,
                "check_digit": True,
            },
        )

    def _inchikeys(self, text: str, lower: str) -> list[Detection]:
        out = []
        for match in _INCHIKEY_RE.finditer(lower):
            key = match.group().upper()
            substance_id, how = self._kb_index().find(key)
            if substance_id is None:
                continue  # a key of some chemical: no sign of a controlled substance
            out.append(
                Detection(
                    detector=self.name,
                    kind="inchikey",
                    start=match.start(),
                    end=match.end(),
                    text=text[match.start() : match.end()],
                    value=substance_id,
                    weight=WEIGHT_KB_IDENTIFIER,
                    attrs={"inchikey": key, "match": how},
                )
            )
        return out

    # -- systematic names ---------------------------------------------------------------------

    def _names(
        self, batch: TextBatch, cues: dict[int, set[int]], found: list[list[Detection]]
    ) -> None:
        unresolved: list[tuple[int, _Candidate]] = []
        for item in sorted(cues):
            text = batch.texts[item]
            for candidate in _candidates(text, cues[item]):
                kb_hit = self._kb_name_hit(candidate)
                if kb_hit is None:
                    unresolved.append((item, candidate))
                    continue
                start, end, substance = kb_hit
                if substance is not None:
                    attrs = {"match": "exact", "via": "iupac", "inchikey": substance.inchikey}
                    weight = WEIGHT_NAME_EXACT
                    found[item].append(
                        self._detection(text, start, end, "substance", substance.id, weight, attrs)
                    )
        if not unresolved:
            return
        names = list(dict.fromkeys(r for _, c in unresolved for _, _, r in c.readings))
        resolved = dict(zip(names, self._resolver.resolve(names), strict=True))
        for item, candidate in unresolved:
            detection = self._resolved_detection(batch.texts[item], candidate, resolved)
            if detection is not None:
                found[item].append(detection)

    def _kb_name_hit(self, candidate: _Candidate) -> tuple[int, int, Substance | None] | None:
        """A KB name spelled exactly (loosely) like a reading: (start, end, substance or None).

        A systematic name is this detector's exact hit; any other KB name (a synonym such as
        "N-phenethyl-4-piperidone") is the substance-name detector's, so None means "skip".
        """
        for start, end, text in candidate.readings:
            key = merge_key(text)
            for substance in self._kb.lookup(text):
                systematic = any(
                    n.kind == "systematic" and merge_key(n.text) == key for n in substance.names
                )
                return start, end, substance if systematic else None
        return None

    def _resolved_detection(
        self, text: str, candidate: _Candidate, resolved: dict[str, str | None]
    ) -> Detection | None:
        for start, end, reading in candidate.readings:
            smiles = resolved.get(reading)
            identity = _identify(smiles) if smiles else None
            if identity is not None:
                return self._identity_detection(text, start, end, identity)
        return None

    def _identity_detection(
        self, text: str, start: int, end: int, identity: _Identity
    ) -> Detection | None:
        substance_id, match = self._kb_index().find(identity.inchikey)
        base = {"inchikey": identity.inchikey, "smiles": identity.smiles}
        if substance_id is not None:
            weight = WEIGHT_NAME_EXACT if match == "exact" else WEIGHT_NAME_SKELETON
            attrs = {"match": match, "via": "iupac", **base}
            return self._detection(text, start, end, "substance", substance_id, weight, attrs)
        if not identity.classes:
            return None
        class_id = identity.classes[0]
        nearest, similarity = self._nearest(class_id, identity.smiles)
        structure_class = structures.CLASSES_BY_ID[class_id]
        nearest_sub = self._kb.get(nearest) if nearest else None
        related_to = nearest_sub.name if nearest_sub else structure_class.label
        attrs = {
            "class": class_id,
            "classes": list(identity.classes),
            "class_label": structure_class.label,
            "label": f"closely related to {related_to}, review",
            "similarity": similarity,
            **base,
        }
        return self._detection(text, start, end, "analogue", nearest, WEIGHT_ANALOGUE, attrs)

    def _detection(
        self,
        text: str,
        start: int,
        end: int,
        kind: str,
        value: str | None,
        weight: float,
        attrs: dict,
    ) -> Detection:
        return Detection(
            detector=self.name,
            kind=kind,
            start=start,
            end=end,
            text=text[start:end],
            value=value,
            weight=weight,
            attrs=attrs,
        )

    def _kb_index(self) -> _KBStructures:
        if self._kb_structures is None:
            self._kb_structures = _cached_kb_structures(self._kb, self._cache)
        return self._kb_structures

    def _nearest(self, class_id: str, smiles: str) -> tuple[str | None, float | None]:
        """The KB substance of a class most similar to the molecule (Morgan/Tanimoto).

        Falls back to the class's first related id present in the KB when no KB member of the
        class has a structure, and to None when the KB has nothing of the class.
        """
        members = self._kb_index().class_members.get(class_id, [])
        mol = structures.mol_from_smiles(smiles)
        if members and mol is not None:
            fingerprint = _FINGERPRINTS.GetFingerprint(mol)
            scores = DataStructs.BulkTanimotoSimilarity(fingerprint, [fp for _, fp in members])
            best = max(range(len(members)), key=scores.__getitem__)
            return members[best][0], round(scores[best], 2)
        related = structures.CLASSES_BY_ID[class_id].related
        return next((sid for sid in related if self._kb.get(sid) is not None), None), None


def _item_lower(batch: TextBatch, item: int) -> str:
    return batch.lower[int(batch.starts[item]) : int(batch.ends[item])]


def _unique_cas_prefixes(kb: KnowledgeBase) -> dict[str, str]:
    """First segment -> the one KB CAS number starting with it (ambiguous segments left out)."""
    numbers: dict[str, set[str]] = defaultdict(set)
    for substance in kb.substances.values():
        for number in substance.cas:
            numbers[number.split("-")[0]].add(number)
    return {prefix: next(iter(found)) for prefix, found in numbers.items() if len(found) == 1}


def _candidates(text: str, positions: set[int]) -> list[_Candidate]:
    """Name spans around cue positions, one candidate per token however many cues it has."""
    spans: dict[tuple[int, int], _Candidate] = {}
    token_end = -1
    for position in sorted(positions):
        if position < token_end:
            continue  # one more cue in the token just looked at: no quadratic rescans
        token_start, token_end = _token_around(text, position)
        span = _name_span(text, token_start, token_end)
        if span is not None and span not in spans:
            spans[span] = _Candidate(tuple(_readings(text, *span)))
    return list(spans.values())


def _token_around(text: str, position: int) -> tuple[int, int]:
    """The whitespace-delimited token at ``position`` (or just before it, if it is a space)."""
    while position > 0 and text[position].isspace():
        position -= 1  # a cue may end on the character after the word
    start = position
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = position + 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _name_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The token text[start:end], trimmed, if it can be a systematic name."""
    if end - start > MAX_NAME_CHARS:
        return None
    start, end = _trim(text, start, end)
    token = text[start:end]
    if not token or not _NAME_CHARS.fullmatch(token):
        return None
    if token.lower().startswith("poly"):
        return None  # polymers (polypropylene bags) are materials, never a traded substance
    letters = sum(ch.isascii() and ch.isalpha() for ch in token)
    morphemes = len(_MORPHEME.findall(token.lower()))
    if any(ch.isdigit() or ch in "-(,[" for ch in token):
        return (start, end) if letters >= 4 and morphemes >= 1 else None
    return (start, end) if len(token) >= MIN_BARE_WORD_CHARS and morphemes >= 2 else None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop quotes, sentence punctuation and unbalanced brackets at the edges of a token."""
    changed = True
    while changed and start < end:
        changed = False
        token = text[start:end]
        first, last = token[0], token[-1]
        if first in _LEADING_JUNK or (first in _OPENERS and not _balanced(token)):
            start, changed = start + 1, True
        elif last in _TRAILING_JUNK or (last in _CLOSERS and not _balanced(token)):
            end, changed = end - 1, True
    return start, end


def _balanced(token: str) -> bool:
    depth = 0
    for ch in token:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _readings(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Ways to read the name at text[start:end], most complete first.

    The widest reading takes in an ester or salt word before ("ethyl 3-(...)..."), acid, ester
    and salt words after ("...-carboxylic acid methyl ester", "... hydrochloride"), or the parent
    of a CAS index name ("Propanamide, N-phenyl-N-[...]-"). Lower-case N locants ("n,n-diethyl")
    are also tried upper-case, which is how OPSIN reads them.
    """
    wide_start, wide_end = start, _extend_after(text, end)
    before = _word_before(text, start)
    if before is not None:
        word_start, word = before
        if word.lower() in _BEFORE_WORDS:
            wide_start = word_start
        elif _is_cas_index_parent(word):
            wide_start = word_start
            if text[end : end + 1] == "-":
                wide_end = end + 1  # CAS index names end on the substituent's hyphen
    spans = [(wide_start, wide_end)]
    if (wide_start, wide_end) != (start, end):
        spans.append((start, end))
    readings = []
    for s, e in spans:
        name = text[s:e]
        readings.append((s, e, name))
        upper_n = _LOWERCASE_N_LOCANT.sub("N", name)
        if upper_n != name:
            readings.append((s, e, upper_n))
    return readings


def _word_before(text: str, start: int) -> tuple[int, str] | None:
    """The word just before ``start`` on the same line (without opening quotes), its start."""
    gap = start
    while gap > 0 and text[gap - 1] in " \t":
        gap -= 1
    if gap == start or gap == 0:
        return None
    word_start = gap
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    while word_start < gap and text[word_start] in _LEADING_JUNK + _OPENERS:
        word_start += 1
    return word_start, text[word_start:gap]


def _word_after(text: str, end: int) -> tuple[int, str] | None:
    """The word just after ``end`` on the same line (without sentence punctuation), its end."""
    gap = end
    while gap < len(text) and text[gap] in " \t":
        gap += 1
    if gap == end or gap == len(text):
        return None
    word_end = gap
    while word_end < len(text) and not text[word_end].isspace():
        word_end += 1
    while word_end > gap and text[word_end - 1] in ".,;:!?":
        word_end -= 1
    return word_end, text[gap:word_end]


def _extend_after(text: str, end: int) -> int:
    """End of the name with the acid, ester and salt words that follow it.

    ("... acid", "... acid methyl ester", "... hydrochloride monohydrate")
    """
    while (after := _word_after(text, end)) is not None:
        word_end, word = after
        if word.lower() in _AFTER_WORDS:
            end = word_end
            continue
        if word.lower() in _BEFORE_WORDS:
            ester = _word_after(text, word_end)
            if ester is not None and ester[1].lower() == "ester":
                end = ester[0]
                continue
        break
    return end


def _is_cas_index_parent(word: str) -> bool:
    """'Propanamide,' in a CAS index name 'Propanamide, N-phenyl-N-[...]-'."""
    parent = word[:-1]
    return (
        word.endswith(",")
        and len(parent) >= 5
        and parent.isalpha()
        and bool(_MORPHEME.search(parent.lower()))
    )
