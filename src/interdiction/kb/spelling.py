"""Words one typing slip away from a KB name: "Alprazolum" for alprazolam, "Oxycodne" for
oxycodone. Sellers misspell on purpose to slip past keyword lists, and by accident.

A slip is one letter changed, added, dropped, or two neighbours swapped (optimal string
alignment distance 1, computed by rapidfuzz) against a name of at least MIN_CHARS letters:
shorter names have too many everyday neighbours. Street slang counts only from
MIN_SLANG_CHARS letters ("turinabol"): the short words ("pingers", "vallies") sit one slip
from a dozen everyday words each. Everyday words that happen to sit one slip from a name
("concert" ~ Concerta, "central" ~ Centrax) are listed in derived/near_name_words.json (written by
scripts/near_name_words.py from word frequencies in seven languages) and never count.

Candidates are found through a deletion index (each name and its one-letter deletions), so a
word costs a few dictionary lookups, whatever the size of the KB.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex
from rapidfuzz.distance import OSA

from interdiction.kb.loader import KnowledgeBase

MIN_CHARS = 7
MIN_SLANG_CHARS = 8
_WORD = regex.compile(rf"\p{{Latin}}{{{MIN_CHARS},}}")


@dataclass(frozen=True, slots=True)
class NearName:
    word: str  # as written
    name: str  # the KB name it is one slip from
    substance_id: str


class NearNames:
    """The KB names (Latin script, single words, not weak, not slang) and their deletions."""

    def __init__(self, kb: KnowledgeBase, *, skip_everyday: bool = True):
        self.kb = kb
        self._everyday = kb.near_name_words if skip_everyday else frozenset()
        self._names: dict[str, tuple[str, str]] = {}  # lower-case name -> (name, substance id)
        self._known: set[str] = set()  # every KB name, lower case: not a slip
        for sub in kb.substances.values():
            self._known.update(n.text.casefold() for n in sub.names)
            self._known.add(sub.name.casefold())
            for text in [sub.name, *(n.text for n in sub.names if self._counts(n))]:
                key = text.casefold()
                if len(key) >= MIN_CHARS and _WORD.fullmatch(key):
                    self._names.setdefault(key, (text, sub.id))
        self._by_deletion: dict[str, list[str]] = {}
        for key in self._names:
            for variant in {key, *_deletions(key)}:
                self._by_deletion.setdefault(variant, []).append(key)

    @staticmethod
    def _counts(name) -> bool:
        return not name.weak and (name.kind != "slang" or len(name.text) >= MIN_SLANG_CHARS)

    def nearest(self, word: str) -> NearName | None:
        """The KB name ``word`` is one slip from, or None (a KB name itself, an everyday
        word, too short, or nothing near)."""
        key = word.casefold()
        if len(key) < MIN_CHARS or key in self._known or key in self._everyday:
            return None
        candidates: set[str] = set()
        for variant in (key, *_deletions(key)):
            candidates.update(self._by_deletion.get(variant, ()))
        for candidate in sorted(candidates):
            if OSA.distance(key, candidate, score_cutoff=1) <= 1:
                name, substance_id = self._names[candidate]
                return NearName(word, name, substance_id)
        return None

    def in_text(self, text: str) -> list[NearName]:
        found = []
        for match in _WORD.finditer(text):
            near = self.nearest(match.group())
            if near is not None:
                found.append(near)
        return found


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]
