"""Load the substance knowledge base shipped in the package, merging curated and derived data.

Curated entries (``kb/curated/*.yaml``) come first and win. Derived snapshots
(``kb/derived/*.json``, written by ``scripts/derive_kb.py`` from licensed source data) are merged
into the curated entry they name (same id, or a shared preferred/synonym name); the rest become
entries of their own. Every name keeps the source it came from.

Parsing the YAML takes a good part of a second, so a loaded KB is kept, pickled, in the user's
cache directory (kb/cache.py), keyed by everything it is built from: every file read, the
code that reads them and the versions of the parsers.
"""

from __future__ import annotations

import hashlib
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import orjson
import yaml

from interdiction.kb import schema
from interdiction.kb.cache import DirectoryCache, cached_object, code_fingerprint
from interdiction.kb.schema import EntryError, parse_entry
from interdiction.model import Name, Substance, records

PACKAGE_KB = Path(__file__).parent
# Merge order of derived snapshots: more authoritative first.
DERIVED_ORDER = ("dea_orange_book.json", "tripsit.json", "dea_slang.json")
_LINK_KINDS = ("preferred", "synonym", "systematic", "brand", "abbreviation")


class KBError(ValueError):
    """The knowledge base files cannot be loaded; the message says which file and entry."""


def merge_key(text: str) -> str:
    """Loose identity of a name for merging and duplicate checks: case, spaces, dashes ignored."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


@dataclass
class KnowledgeBase:
    substances: dict[str, Substance]
    sources: dict[str, dict]
    # hash of what it was loaded from (load_kb: the files, the code and parsers reading them);
    # keys the caches of what is compiled from it
    fingerprint: str
    files: list[str] = field(default_factory=list)
    # merge keys of weak names that are everyday words (derived/common_weak_names.json)
    common_weak_names: frozenset[str] = frozenset()
    # everyday words one typing slip from a KB name ("concert" ~ Concerta), which are not
    # misspelt names (derived/near_name_words.json, read by kb/spelling.py)
    near_name_words: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._by_cas: dict[str, str] = {}
        self._by_inchikey: dict[str, str] = {}
        self._by_key: dict[str, list[str]] = {}
        for sub in self.substances.values():
            for number in sub.cas:
                self._by_cas.setdefault(number, sub.id)
            if sub.inchikey:
                self._by_inchikey.setdefault(sub.inchikey, sub.id)
            for name in sub.names:
                ids = self._by_key.setdefault(merge_key(name.text), [])
                if sub.id not in ids:
                    ids.append(sub.id)

    def __len__(self) -> int:
        return len(self.substances)

    def get(self, substance_id: str) -> Substance | None:
        return self.substances.get(substance_id)

    def by_cas(self, cas: str) -> Substance | None:
        sid = self._by_cas.get(cas)
        return self.substances[sid] if sid else None

    def by_inchikey(self, inchikey: str) -> Substance | None:
        """Exact key first, then the skeleton block (stereo- and salt-agnostic)."""
        sid = self._by_inchikey.get(inchikey)
        if sid is None:
            block = inchikey.split("-")[0]
            sid = next((v for k, v in self._by_inchikey.items() if k.startswith(block)), None)
        return self.substances[sid] if sid else None

    def lookup(self, text: str) -> list[Substance]:
        """Substances having exactly this name (loosely: case, spaces and dashes ignored)."""
        return [self.substances[i] for i in self._by_key.get(merge_key(text), ())]

    def search(self, text: str, limit: int = 20) -> list[tuple[Substance, Name]]:
        """Substances with a name containing ``text`` (loosely), best (shortest) first."""
        key = merge_key(text)
        if not key:
            return []
        hits: dict[str, tuple[int, Substance, Name]] = {}
        for sub in self.substances.values():
            for name in sub.names:
                name_key = merge_key(name.text)
                if key in name_key:
                    rank = (0 if name_key == key else 1, len(name_key))
                    best = hits.get(sub.id)
                    if best is None or rank < best[0]:
                        hits[sub.id] = (rank, sub, name)
        return [(sub, name) for _, sub, name in sorted(hits.values(), key=lambda h: h[0])][:limit]


def _read_yaml(path: Path) -> dict:
    try:
        doc = yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise KBError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("substances", []), list):
        raise KBError(f"{path}: expected a mapping with a 'substances' list")
    if not isinstance(doc.get("more_names", []), list):
        raise KBError(f"{path}: 'more_names' must be a list")
    if "substances" not in doc and "more_names" not in doc:
        raise KBError(f"{path}: expected 'substances' and/or 'more_names'")
    return doc


def _read_derived(path: Path) -> list[dict]:
    doc = orjson.loads(path.read_bytes())
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise KBError(f"{path}: expected a mapping with an 'entries' list")
    return doc["entries"]


def _merge_into(
    target: Substance, extra: Substance, owner: dict[str, str], curated: bool = False
) -> None:
    """Add what ``extra`` knows to ``target`` without duplicating names or controls.

    A name that already identifies another entry (``owner``: merge key -> substance id) stays
    with that entry: source lists often attach a sibling's name (d-amphetamine on amphetamine).
    A ``curated`` vocabulary may turn a weak name strong, or say which kind of weak name it is
    (a strain, a pill press), or make a strong name weak (an everyday word somewhere: "AMT" is
    German for an office, "mph" a speed); derived data never does.
    """
    seen = {merge_key(n.text) or n.text: n for n in target.names}
    for name in extra.names:
        key = merge_key(name.text) or name.text  # emoji have no letters to key on
        if owner.get(key, target.id) != target.id and not name.weak:
            continue
        have = seen.get(key)
        if (
            curated
            and have is not None
            and have.kind == "weak"
            and name.kind != "preferred"
            and name.kind != "weak"
        ):
            # a curator made it a strong name, or a weak name of a kind (strain, press)
            target.names[target.names.index(have)] = name
            seen[key] = name
            continue
        if curated and have is not None and name.kind == "weak" and not have.weak:
            # the name keeps its kind (preferred, brand ...) and counts only with drug context
            weakened = Name(have.text, have.kind, weak=True, source=have.source)
            target.names[target.names.index(have)] = weakened
            seen[key] = weakened
            continue
        if key not in seen:
            kind = "synonym" if name.kind == "preferred" else name.kind
            seen[key] = Name(name.text, kind, weak=name.weak, source=name.source)
            target.names.append(seen[key])
    have = {(c.regime, c.schedule) for c in target.controls}
    regimes = {c.regime for c in target.controls}
    for control in extra.controls:
        # a curated control for a regime is newer than a derived snapshot for the same regime
        if (control.regime, control.schedule) not in have and control.regime not in regimes:
            target.controls.append(control)
    target.cas = tuple(dict.fromkeys(target.cas + extra.cas))
    target.tags = tuple(dict.fromkeys(target.tags + extra.tags))
    target.sources = tuple(dict.fromkeys(target.sources + extra.sources))


def build_kb(
    curated: Iterable[Path], derived: Iterable[Path], sources: dict[str, dict]
) -> KnowledgeBase:
    digest = hashlib.sha256()
    substances: dict[str, Substance] = {}
    link: dict[str, str] = {}  # merge_key of a linking name -> substance id
    files: list[str] = []

    owner: dict[str, str] = {}  # merge_key of any strong name -> substance id
    vocabularies: list[tuple[str, list]] = []

    def register_links(sub: Substance) -> None:
        for name in sub.names:
            key = merge_key(name.text)
            if name.kind in _LINK_KINDS:
                link.setdefault(key, sub.id)
            if not name.weak and name.kind != "emoji":
                owner.setdefault(key, sub.id)

    for path in curated:
        data = path.read_bytes()
        digest.update(data)
        files.append(path.name)
        doc = _read_yaml(path)
        for raw in doc.get("substances", []):
            try:
                sub = parse_entry(raw, path.name)
            except EntryError as exc:
                raise KBError(str(exc)) from exc
            if sub.id in substances:
                raise KBError(f"{path.name}: id {sub.id!r} is defined twice")
            substances[sub.id] = sub
            register_links(sub)
        vocabularies.append((path.name, doc.get("more_names", [])))

    for path in derived:
        digest.update(path.read_bytes())
        files.append(path.name)
        for raw in _read_derived(path):
            try:
                sub = parse_entry(raw, path.name)
            except EntryError as exc:
                raise KBError(str(exc)) from exc
            target_id = sub.id if sub.id in substances else None
            if target_id is None:
                target_id = next(
                    (link[k] for n in sub.names if n.kind in _LINK_KINDS
                     if (k := merge_key(n.text)) in link),
                    None,
                )  # fmt: skip
            if target_id is not None:
                _merge_into(substances[target_id], sub, owner)
            else:
                substances[sub.id] = sub
                register_links(sub)
    # Vocabulary files add names to entries defined anywhere, derived ones included.
    for origin, additions in vocabularies:
        for raw in additions:
            target = substances.get(str(raw.get("id"))) if isinstance(raw, dict) else None
            if target is None:
                raise KBError(f"{origin}: more_names for unknown id {raw!r:.60}")
            try:
                extra = parse_entry(
                    {"name": target.name, "class": target.substance_class, **raw}, origin
                )
            except EntryError as exc:
                raise KBError(str(exc)) from exc
            _merge_into(target, extra, owner, curated=True)
            register_links(target)

    return KnowledgeBase(substances, sources, digest.hexdigest()[:16], files)


@dataclass(frozen=True)
class _KBFiles:
    """The files a KB directory is built from."""

    root: Path
    curated: list[Path]
    derived: list[Path]
    sources: Path | None
    common_weak_names: Path | None
    near_name_words: Path | None

    @classmethod
    def find(cls, root: Path) -> _KBFiles:
        curated = sorted((root / "curated").glob("*.yaml"))
        if not curated:
            raise KBError(f"{root}: no curated/*.yaml files")
        derived_dir = root / "derived"
        derived = [derived_dir / name for name in DERIVED_ORDER if (derived_dir / name).exists()]
        sources = root / "sources.yaml"
        common, near = derived_dir / "common_weak_names.json", derived_dir / "near_name_words.json"
        return cls(
            root,
            curated,
            derived,
            *(path if path.exists() else None for path in (sources, common, near)),
        )

    def fingerprint(self) -> str:
        """Hash of every file (path and content), the loader's code and the parsers' versions."""
        code = code_fingerprint(sys.modules[__name__], schema, records)
        digest = hashlib.sha256(f"{code} {yaml.__version__} {orjson.__version__}".encode())
        extra = [self.sources, self.common_weak_names, self.near_name_words]
        for path in [*self.curated, *self.derived, *extra]:
            if path is not None:
                data = path.read_bytes()
                digest.update(f"{path.relative_to(self.root)}\0{len(data)}\0".encode() + data)
        return digest.hexdigest()

    def build(self) -> KnowledgeBase:
        sources: dict[str, dict] = {}
        if self.sources is not None:
            doc = yaml.safe_load(self.sources.read_text(encoding="utf-8")) or {}
            sources = {s["id"]: s for s in doc.get("sources", [])}
        kb = build_kb(self.curated, self.derived, sources)
        if self.common_weak_names is not None:
            names = orjson.loads(self.common_weak_names.read_bytes()).get("names", [])
            kb.common_weak_names = frozenset(merge_key(n) for n in names)
        if self.near_name_words is not None:
            words = orjson.loads(self.near_name_words.read_bytes()).get("words", [])
            kb.near_name_words = frozenset(w.casefold() for w in words)
        return kb


@lru_cache(maxsize=4)
def load_kb(directory: str | None = None) -> KnowledgeBase:
    """The knowledge base in ``directory`` (default: the one shipped in the package)."""
    files = _KBFiles.find(Path(directory) if directory else PACKAGE_KB)
    key = files.fingerprint()

    def build() -> KnowledgeBase:
        kb = files.build()
        kb.fingerprint = key[:16]
        return kb

    return cached_object(DirectoryCache(section="kb"), key, build)
