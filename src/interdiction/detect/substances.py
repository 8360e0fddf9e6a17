"""Substance names from the KB, found in one linear-time pass however they are disguised.

All names (preferred, synonyms, brands, slang, misspellings, translations, emoji) are folded
like the text (see text/normalize.py) and compiled into one hyperscan literal database. Matches
are checked for word boundaries in the original text, and the characters that differ from the
KB spelling are reported as the obfuscation used (leetspeak, homoglyph, styled letters).
Items with zero-width characters or spaced-out letters are compacted and scanned once more.
"""

from __future__ import annotations

import itertools
import re
import sys
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from interdiction.detect.base import Detector, DetectorContext, Example, Findings
from interdiction.kb import KnowledgeBase, merge_key
from interdiction.kb.cache import cached_object, code_fingerprint
from interdiction.model import Detection
from interdiction.text import normalize
from interdiction.text.batch import TextBatch
from interdiction.text.engine import MULTILINE, SOM, UTF8, PatternSet
from interdiction.text.normalize import NEEDS_COMPACT_HS, compact, fold_name, lower_view

# a word of buying or selling before what is dealt ("wtb k", "selling md")
_DEAL_VERB = r"\b(?:wtb|wts|selling|buying|cop|copping|anyone got|who has|looking for)\s+"
# Colours ecstasy pills are titled by (English, German, Dutch; as the lower view writes them)
PILL_COLOURS = (
    "white", "yellow", "red", "blue", "green", "pink", "purple", "orange", "black", "grey", "gray",
    "brown", "gold", "silver", "peach", "lime", "weiss", "gelb", "rot", "blau", "grun", "rosa",
    "lila", "wit", "geel", "rood", "blauw", "groen", "roze", "paars",
)  # fmt: skip
_COLOUR = "(?:" + "|".join(PILL_COLOURS) + ")"
# Forms that name no substance but point to one: a blotter dose in micrograms is LSD (or an
# NBOMe), a "220+mg" pill is ecstasy. Weak: they count only in drug or trade context.
# (pattern in the lower view, substance, what it means, name kind of the detection)
IMPLIED = (
    (r"\b\d{2,4}\s?(?:ug|µg|mcg)\b", "lsd", "dose in micrograms (LSD-type blotter)", "implied"),
    (r"\b[12]\d{2}\s?\+\s?mg\b", "mdma", "pill strength 100+ mg (ecstasy)", "implied"),
    (r"\b[12]\d{2}\s?mg\s?\+", "mdma", "pill strength 100+ mg (ecstasy)", "implied"),
    # the one- and two-letter slang too short to match alone, as the object of a deal
    (_DEAL_VERB + r"(?:some\s+)?k\b", "ketamine", "'k' bought or sold (ketamine)", "implied"),
    (_DEAL_VERB + r"(?:some\s+)?md\b", "mdma", "'md' bought or sold (MDMA)", "implied"),
    # an ecstasy pill titled by colour, logo and strength, the logo one no KB lists ("Grey
    # Audi 240mg", "10x Orange Kinder Surprise 220mg"): the scorer wants a count beside it
    (
        r"^\W*(?:\d+\s?x\s?)?" + _COLOUR + r"\s+[a-z][a-z'&-]*(?:\s[a-z][a-z'&-]*)?\s?"
        r"[1-3]\d{2}\s?mg\b",
        "mdma",
        "a pill's colour, logo and strength (ecstasy)",
        "pill-title",
    ),
)
WEIGHT_STRONG = 1.0
WEIGHT_WEAK = 0.4
WEIGHT_EMOJI = 0.3
MIN_NAME_CHARS = 3  # shorter names ("x", "md", "k") are everyday letters, not evidence
MIN_IDEOGRAPH_CHARS = 2  # in Chinese or Japanese two characters make a word (冰毒, 大麻)


class _Term(NamedTuple):
    """A KB name behind a pattern (a tuple: thousands are read back from the cache at start)."""

    substance_id: str
    name: str  # the KB spelling
    kind: str
    weak: bool
    emoji: bool
    bounded: bool  # needs word boundaries (alphabetic scripts)
    plain: str  # the KB spelling, lower case, to tell what the writer changed
    accented: bool  # Latin letters with diacritics: written without them it may be another
    # language's everyday word (French "héroïne" vs English "heroine")
    declines: bool  # a Cyrillic name: Russian and Ukrainian endings may follow it


def _is_emoji(text: str) -> bool:
    return all(unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf") for ch in text)


def _needs_boundary(text: str) -> bool:
    """Scripts written without spaces (CJK, Thai) match anywhere; others need word edges."""
    if text.isascii():
        return True
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            # Arabic glues articles and prepositions to the word (الكبتاغون, بالكبتاغون)
            if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "ARABIC")):
                return False
    return True


def compile_terms(
    kb: KnowledgeBase, weak: bool, fold: bool = False
) -> tuple[list[str], list[list[_Term]]]:
    """Pattern texts and, for each, the KB names it stands for.

    Strong names are folded like the fold view (leetspeak and look-alikes undone); weak names
    like the lower view, since folding would let "call" meet "Cali", and also (``fold``) like
    the fold view, for the matches written in digits and symbols ("c0ke") that only a
    disguise explains.
    """
    by_pattern: dict[str, list[_Term]] = {}
    for sub in kb.substances.values():
        for name in sub.names:
            if name.kind in ("systematic", "cas"):
                continue  # systematic names and CAS numbers are the chemistry detector's
            if name.weak and merge_key(name.text) in kb.common_weak_names:
                continue  # an everyday word ("coffee") proves nothing and matches everything
            if _QUANTITY_LIKE.match(name.text):
                continue  # "25g" is read as a weight far more often than as 25G-NBOMe
            # short letter abbreviations (DPD, DOC, MET) are everyday acronyms too
            short_acronym = (
                name.kind == "abbreviation"
                and name.source != "curated"
                and len(name.text) <= 4
                and name.text.isalpha()
            )
            if not weak and (name.weak or name.kind == "emoji" or short_acronym):
                continue  # cheap early exit: the other set's
            for variant in separator_variants(name.text.replace("\ufe0f", "").strip()):
                folded = fold_name(variant)
                emoji = name.kind == "emoji" or _is_emoji(folded)
                is_weak = name.weak or emoji or short_acronym
                if is_weak != weak:
                    continue
                bounded = not emoji and _needs_boundary(folded)
                shortest = MIN_NAME_CHARS if bounded or emoji else MIN_IDEOGRAPH_CHARS
                if not folded or (not emoji and len(folded) < shortest):
                    continue
                key = folded if fold or not weak else lower_view(variant).strip()
                plain = _plain(variant)
                term = _Term(
                    substance_id=sub.id,
                    name=name.text,
                    kind=name.kind,
                    weak=is_weak,
                    emoji=emoji,
                    bounded=bounded,
                    plain=plain,
                    accented=_has_diacritics(name.text),
                    declines=any(_is_cyrillic(ch) for ch in plain),
                )
                terms = by_pattern.setdefault(key, [])
                same = next((k for k, t in enumerate(terms) if t.substance_id == sub.id), None)
                if same is None:
                    terms.append(term)
                elif plain.isascii() and not terms[same].plain.isascii():
                    # "α-PVP" and "a-PVP" fold alike: a match is checked against the spelling
                    # most people type, or "a-PVP" would read as a disguised "α-PVP"
                    terms[same] = term
    patterns = sorted(by_pattern)
    return patterns, [by_pattern[p] for p in patterns]


# the term tables depend on this module and on the folding of text/normalize.py
_CODE_VERSION = code_fingerprint(sys.modules[__name__], normalize)


def _cached_terms(
    kb: KnowledgeBase, weak: bool, cache, fold: bool = False
) -> tuple[list[str], list[list[_Term]]]:
    """compile_terms, kept between runs with the compiled databases (same KB, same code)."""
    key = f"terms-{kb.fingerprint}-{_CODE_VERSION}-{int(weak)}{'-fold' if fold else ''}"
    return cached_object(cache, key, lambda: compile_terms(kb, weak, fold))


class _TermSet:
    """One compiled set of names and the view it is matched in."""

    def __init__(self, kb: KnowledgeBase, weak: bool, cache, fold: bool = False) -> None:
        patterns, self.terms = _cached_terms(kb, weak, cache, fold)
        self.view = "fold" if fold or not weak else "lower"
        self.leet_only = weak and fold  # weak names count folded only when digits disguise them
        self.unbounded = np.array([not terms[0].bounded for terms in self.terms], dtype=bool)
        self.patterns = PatternSet([p.encode() for p in patterns], literal=True, cache=cache)


_QUANTITY_LIKE = re.compile(r"^\d+(?:[.,]\d+)?\s?(?:g|mg|kg|ml|l|oz|x|mcg|ug|lb|lbs)$", re.I)
_SEPARATOR = re.compile(r"(?<=[^\W_])[\s\-]+(?=[^\W_])")


def separator_variants(name: str) -> list[str]:
    """The name with its inner hyphens/spaces written as hyphen, space or nothing.

    Sellers write 5F-PB-22 as 5F-PB22, 25I-NBOMe as 25i nbome, crystal meth as crystalmeth,
    2C-B as 2-CB.
    Every combination for up to three separators; beyond that, all alike.
    """
    parts = _SEPARATOR.split(name)
    if len(parts) == 1:
        return [name]
    gaps = len(parts) - 1
    choices = itertools.product(("-", " ", ""), repeat=gaps) if gaps <= 3 else ("-" * gaps,)
    variants = {name} | {
        parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:], strict=True))
        for seps in choices
    }
    if gaps > 3:
        variants |= {" ".join(parts), "".join(parts)}
    return sorted(variants | _number_hyphenated(variants))


# digits and symbols standing for letters: what no one writes by accident
_LEET_MARK = re.compile(r"[0-9@$€£!|+]")
# items worth the weak names' leetspeak scan: a letter, digits or symbols, a letter ("c0ke")
_LEET_WORD_HS = rb"[a-z][0-9@$!|+]{1,3}[a-z]"
_LEADING_NUMBER = re.compile(r"^\d+(?=[^\W\d_])")


def _number_hyphenated(variants: set[str]) -> set[str]:
    """Code names that open with a number glued to a letter are also written with a hyphen
    after the number: 2C-B as 2-CB, 5F-ADB as 5-F-ADB. A hyphen only: "2 CB" is a radio."""
    out = set()
    for variant in variants:
        lead = _LEADING_NUMBER.match(variant)
        if lead:
            out.add(f"{lead.group()}-{variant[lead.end() :]}")
    return out


def _has_diacritics(text: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text))


def _plain(text: str) -> str:
    """Lower case and without accents, one character for one."""
    if text.isascii():
        return text.lower()
    out = []
    for ch in text:
        low = ch.lower()
        low = low if len(low) == 1 else ch
        base = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
        out.append(base if len(base) == 1 else low)
    return "".join(out)


def _changed_characters(original: str, expected: str) -> list[str]:
    """Kinds of disguise where the written span differs from the KB spelling."""
    kinds: list[str] = []
    for got, want in zip(_plain(original), expected, strict=False):
        if got == want:
            continue
        styled = unicodedata.normalize("NFKC", got)
        if not got.isascii() and styled.isascii() and styled.isalpha():
            kind = "styled"  # fullwidth, mathematical, enclosed, small-capital letters
        elif got.isdigit() or not got.isalnum():
            kind = "leetspeak"
        elif not got.isascii():
            kind = "homoglyph"
        else:
            kind = "leetspeak"  # a letter standing for another (l for i, I for l)
        if kind not in kinds:
            kinds.append(kind)
    return kinds


class SubstanceTermDetector(Detector):
    name = "substances"
    finds = ("substance",)
    examples = (
        Example("Fentanyl powder 1g", finds=(("substance", "fentanyl"),)),
        Example("Grey Audi 240mg x10", finds=(("substance", "mdma"),), note="a pill's title"),
        Example("f3nt@nyl pressed pills", finds=(("substance", "fentanyl"),)),
        Example("ｆｅｎｔａｎｙｌ available", finds=(("substance", "fentanyl"),)),
        Example("F E N T A N Y L", finds=(("substance", "fentanyl"),)),
        Example("fen\u200btanyl", finds=(("substance", "fentanyl"),)),
        Example("20 x 2-CB, 16mg", finds=(("substance", "2c-b"),), note="a hyphen moved"),
        Example("2 CB radios for trucks", absent=("substance",), note="a space is not a hyphen"),
        Example("a-PVP 10g", finds=(("substance", "alpha-pvp"),), note="Latin a for alpha"),
        Example("α-PVP 10g", finds=(("substance", "alpha-pvp"),)),
        Example("c-o-k-e 1g", finds=(("substance", "cocaine"),), note="slang spelt out"),
        Example("c0ke 1g", finds=(("substance", "cocaine"),), note="slang in leetspeak"),
        Example("call me at 5, b2b team", absent=("substance",), note="no digit: not 'cali'"),
        Example("wtb k, 2g", finds=(("substance", "ketamine"),), note="one-letter slang, dealt"),
        Example("I need 5k for the car", absent=("substance",), note="a sum of money"),
        Example("n i c e day", absent=("substance",), note="'ice' inside a spelt-out word"),
        Example("fеntanyl with a Cyrillic e", finds=(("substance", "fentanyl"),)),
        Example("M-D-M-A crystals", finds=(("substance", "mdma"),)),
        Example("куплю мефедрон", finds=(("substance", "mephedrone"),)),
        Example("出售芬太尼", finds=(("substance", "fentanyl"),)),
        Example("Methodology of the study", absent=("substance",), note="a name inside a word"),
        Example(
            "Газонная трава 1 кг",
            absent=("substance",),
            note="a Latin name (TPA) read through Cyrillic letters takes no Russian ending",
        ),
        Example("героина 5 г", finds=(("substance", "heroin"),), note="a Russian name declines"),
        Example("Bubblelicious 1/4 oz", finds=(("substance", "cannabis"),)),
        Example("Tren E 200mg 10ml vial", finds=(("substance", "trenbolone"),)),
        Example("Let's meet at noon for lunch", absent=("*",)),
    )

    def __init__(self, context: DetectorContext):
        super().__init__(context)
        self._strong = _TermSet(context.kb, weak=False, cache=context.pattern_cache)
        self._weak = _TermSet(context.kb, weak=True, cache=context.pattern_cache)
        self._weak_leet = _TermSet(context.kb, weak=True, cache=context.pattern_cache, fold=True)
        # one pass over the lower view finds implied substances and items to compact
        self._implied = [i for i in IMPLIED if i[1] in context.kb.substances]
        self._lower_patterns = PatternSet(
            [i[0].encode() for i in self._implied] + list(NEEDS_COMPACT_HS) + [_LEET_WORD_HS],
            flags=[SOM | UTF8 | MULTILINE] * len(self._implied)
            + [UTF8] * (len(NEEDS_COMPACT_HS) + 1),
            cache=context.pattern_cache,
        )
        self._leet_index = len(self._implied) + len(NEEDS_COMPACT_HS)

    def detect(self, batch: TextBatch) -> list[Sequence[Detection]]:
        found = Findings(len(batch))
        compact: set[int] = set()
        leet: set[int] = set()
        for index, item, start, end in self._lower_patterns.scan(batch, "lower"):
            if index < len(self._implied):
                found[item].append(self._implied_detection(batch.texts[item], start, end, index))
            elif index == self._leet_index:
                leet.add(item)
            else:
                compact.add(item)
        self._scan_terms(batch, found, (self._strong, self._weak))
        if leet:  # few items have digits or symbols inside words: scan only those
            items = sorted(leet)
            sub_found = Findings(len(items))
            self._scan_terms(
                TextBatch([batch.texts[i] for i in items]), sub_found, (self._weak_leet,)
            )
            for sub_item, detections in enumerate(sub_found.as_lists()):
                found[items[sub_item]].extend(detections)
        compact_items = sorted(compact)
        if compact_items:
            self._scan_compacted(batch, compact_items, found)
        return found.as_lists(_keep_longest)

    def _scan_terms(self, batch: TextBatch, found: Findings, term_sets) -> None:
        for terms in term_sets:
            ids, starts, ends = terms.patterns.scan_chars(batch, terms.view)
            if not len(ids):
                continue
            may_stand_alone, free = _word_edges(batch, starts, ends)
            keep = terms.unbounded[ids] | may_stand_alone
            matches = batch.to_items(ids[keep], starts[keep], ends[keep], free[keep])
            for pattern_id, item, start, end, edges_free in matches:
                text = batch.texts[item]
                found[item].extend(
                    self._confirm(
                        text, start, end, terms.terms[pattern_id], (), edges_free, terms.leet_only
                    )
                )

    def _implied_detection(self, text: str, start: int, end: int, index: int) -> Detection:
        _, substance_id, meaning, name_kind = self._implied[index]
        return Detection(
            detector=self.name,
            kind="substance",
            start=start,
            end=end,
            text=text[start:end],
            value=substance_id,
            weight=WEIGHT_WEAK,
            attrs={"name": meaning, "name_kind": name_kind, "match": "weak", "obfuscation": []},
        )

    def _scan_compacted(
        self, batch: TextBatch, items: list[int], found: list[list[Detection]]
    ) -> None:
        compacted = [compact(batch.texts[i]) for i in items]
        sub_batch = TextBatch([c.text for c in compacted])
        # weak names too: "c-o-k-e" spelt letter by letter is a disguise, never Coca-Cola
        for terms in (self._strong, self._weak):
            for pattern_id, sub_item, start, end in terms.patterns.scan(sub_batch, terms.view):
                view = compacted[sub_item]
                item = items[sub_item]
                o_start, o_end = view.span(start, end)
                if o_end - o_start == end - start:
                    continue  # nothing was joined inside: the plain pass has it already
                disguise = []
                if view.spaced:
                    disguise.append("spacing")
                if view.invisible:
                    disguise.append("zero-width")
                for detection in self._confirm(
                    view.text,
                    start,
                    end,
                    terms.terms[pattern_id],
                    tuple(disguise),
                    original=batch.texts[item],
                    o_start=o_start,
                    o_end=o_end,
                ):
                    found[item].append(detection)

    def _confirm(
        self,
        text: str,
        start: int,
        end: int,
        terms: list[_Term],
        disguise: tuple[str, ...],
        edges_free: bool = False,
        leet_only: bool = False,
        original: str | None = None,
        o_start: int | None = None,
        o_end: int | None = None,
    ) -> list[Detection]:
        """Detections for a match; ``edges_free``: nothing is glued to it (see _word_edges)."""
        head = terms[0]
        if head.bounded and not edges_free and not _at_word_edges(text, start, end, head.declines):
            return []
        written = text[start:end]
        if leet_only and not _LEET_MARK.search(written):
            return []  # a weak name in letters is the lower view's match (or "call" for "Cali")
        # most matches are spelt as in the KB: skip the per-character analysis for them
        changed = [] if written.lower() == head.plain else _changed_characters(written, head.plain)
        if changed and not _plausible_disguise(written, head.plain):
            return []
        obfuscation = list(disguise) + changed
        if original is not None:
            text, start, end = original, o_start, o_end
        span = text[start:end]
        out = []
        unaccented = span.isascii()
        for term in terms:
            weak = term.weak or (term.accented and unaccented)
            if weak and changed and not term.emoji and not leet_only:
                # an everyday word with letters swapped for look-alikes is noise, not evidence;
                # spelt out letter by letter (spacing, invisible characters) or with digits and
                # symbols for letters ("c0ke") it is a disguise
                continue
            weight = WEIGHT_EMOJI if term.emoji else WEIGHT_WEAK if weak else WEIGHT_STRONG
            out.append(
                Detection(
                    detector=self.name,
                    kind="substance",
                    start=start,
                    end=end,
                    text=span,
                    value=term.substance_id,
                    weight=weight,
                    attrs={
                        "name": term.name,
                        "name_kind": term.kind,
                        "match": "weak" if weak else "exact",
                        "obfuscation": obfuscation,
                    },
                )
            )
        return out


def _word_edges(
    batch: TextBatch, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised word-edge test, before any per-match Python runs: (may stand alone, free).

    "May stand alone" drops the many matches glued inside a longer word ("ice" in "office")
    and lets through everything the exact test (:func:`_at_word_edges`) might accept. "Free"
    matches have nothing of their own type glued on either side: the exact test accepts them.
    """
    types = batch.char_types_at
    before = np.where(starts > 0, types(np.maximum(starts - 1, 0)), 0)
    glued_before = (before != 0) & (before == types(starts))
    after = types(ends)
    glued_after = (after != 0) & (after == types(ends - 1))
    free = ~(glued_before | glued_after)
    joined = batch.joined
    maybe_plural = glued_after & ~glued_before
    plural = np.fromiter(
        (
            joined[e] in "sSeE" or "\u0400" <= joined[e] <= "\u04ff"
            for e in ends[maybe_plural].tolist()
        ),
        dtype=bool,
    )
    glued_after[maybe_plural] = ~plural
    return ~(glued_before | glued_after), free


def _char_type(ch: str) -> str | None:
    return "letter" if ch.isalpha() else "digit" if ch.isdigit() else None


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _cyrillic_ending(text: str, end: int) -> bool:
    """Russian and Ukrainian nouns decline (героин, героина, героином): up to three letters."""
    after = end
    while (
        after < len(text)
        and after - end < 4
        and _is_cyrillic(text[after])
        and text[after].isalpha()
    ):
        after += 1
    return after - end <= 3 and (after == len(text) or not text[after].isalnum())


def _at_word_edges(text: str, start: int, end: int, declines: bool = True) -> bool:
    """Nothing of the same type glued on either side ("125g" is no "25g", "Lakes" no "Lak");
    after a letter, a plural ending is allowed, and after a Cyrillic name (``declines``) a
    declension ending. A Latin name read through look-alike letters does not decline: "тра" in
    "трава" (lawn grass) is not "TPA"."""
    if start > 0 and _char_type(text[start - 1]) == _char_type(text[start]) is not None:
        return False
    if end < len(text) and _char_type(text[end]) == _char_type(text[end - 1]) is not None:
        if _is_cyrillic(text[end - 1]):
            return declines and _cyrillic_ending(text, end)
        last = text[end - 1].lower()
        ending = "es" if last in "sxzh" and text[end : end + 2].lower() == "es" else "s"
        if text[end : end + len(ending)].lower() != ending:
            return False
        after = end + len(ending)
        if after < len(text) and text[after].isalnum():
            return False
    return True


def _plausible_disguise(written: str, expected: str) -> bool:
    """Reject digit strings and codes that only fold into a name: most letters must be letters."""
    pairs = list(zip(written, expected, strict=False))
    for got, want in pairs:
        # one Latin letter for another is a different word ("Lily" is not "Illy"), except a
        # capital I, which many fonts draw like an l ("aIprazolam")
        if got.isascii() and got.isalpha() and got.lower() != want and (got, want) != ("I", "l"):
            return False
    # a character as the lower view reads it (str.translate with the whole table per character
    # cost more than the rest of this check)
    letters = [normalize.LOWER_TABLE.get(ord(got), got).isalpha() for got, _ in pairs]
    stand_ins = sum(
        1 for (_, want), letter in zip(pairs, letters, strict=True) if want.isalpha() and not letter
    )
    return stand_ins <= max(1, len(expected) // 2) and sum(letters) >= 2


def _keep_longest(detections: list[Detection]) -> list[Detection]:
    """Drop matches inside a longer match ("crystal" inside "crystal meth"). A plain name wins
    over an ambiguous phrase around it: "MDMA" in "mdma pills", whatever the lengths."""
    strong = _longest_first([d for d in detections if d.attrs.get("match") != "weak"])
    # a pill's title ("Blue Tesla 240mg") keeps the press name inside it: either may be confirmed
    weak = [d for d in detections if d.attrs.get("match") == "weak"]
    titles = [d for d in weak if d.attrs.get("name_kind") == "pill-title"]
    weak = [
        d
        for d in _longest_first([d for d in weak if d.attrs.get("name_kind") != "pill-title"])
        + titles
        if not any(d.start < s.end and s.start < d.end for s in strong)
    ]
    return sorted(strong + weak, key=lambda d: (d.start, d.end))


def _longest_first(detections: list[Detection]) -> list[Detection]:
    ordered = sorted(detections, key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[Detection] = []
    cover_start, cover_end = -1, -1
    for det in ordered:
        if det.start >= cover_end:
            kept.append(det)
            cover_start, cover_end = det.start, det.end
        elif det.start == cover_start and det.end == cover_end:
            kept.append(det)  # the same span naming another substance
    return kept
