"""Normalisation that defeats disguised spelling while keeping exact offsets into the original.

Two length-preserving views are made with one ``str.translate`` each (C speed, one character in,
one character out), so an offset in a view is the same offset in the original text:

- ``lower``: NFKC compatibility forms (fullwidth, mathematical and enclosed letters, small
  capitals), case folding, diacritics stripped, and look-alike letters from other scripts
  (Cyrillic, Greek) folded to the Latin letter they imitate. Digits are kept, so quantities,
  prices and identifiers can be read from it.
- ``fold``: ``lower`` plus leetspeak (3->e, 0->o, 4/@->a, 1/|/!/l->i, 5/$->s, 7->t). Substance
  names are compiled through the same folding, so ``f3ntanyl`` and ``fentanyl`` meet.

Changes that alter length (zero-width characters, letters spaced or punctuated apart:
``f e n t a n y l``, ``M-D-M-A``) are undone by :func:`compact`, which is only run on the few
items a cheap scan marks as needing it, and returns an offset map back to the original.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

# Latin look-alikes in other scripts (Unicode confusables that attackers use in practice).
_HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ɡ": "g", "һ": "h", "ӏ": "i", "ү": "y", "ց": "g", "ո": "n", "ս": "u",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j", "ω": "w", "μ": "u", "γ": "y",
    # "fancy text" generators: round sigma for o, Ukrainian ie for e, mirrored ya for r
    "σ": "o", "ς": "c", "є": "e", "я": "r", "¢": "c", "∂": "d", "ð": "d", "ɛ": "e", "ყ": "y",
    # Latin extensions and IPA that read as plain letters
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɩ": "i", "ʟ": "l", "ɴ": "n", "ʀ": "r", "ʏ": "y", "ɪ": "i",
    "ſ": "s", "ƅ": "b", "ɢ": "g", "ʜ": "h", "ᴀ": "a", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ᴊ": "j",
    "ᴋ": "k", "ᴍ": "m", "ᴏ": "o", "ᴘ": "p", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
    "ꜰ": "f", "ꜱ": "s", "ǫ": "q",
    # punctuation variants that sellers mix into names
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "﹣": "-", "－": "-",
    "’": "'", "‘": "'", "´": "'",
}  # fmt: skip

# Leetspeak: digits and symbols standing for letters. 'l' joins 'i' because '1' and '|' stand
# for either; names are folded the same way, so both spellings meet.
_LEET = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
    "|": "i", "l": "i",
}  # fmt: skip
# Leetspeak is ASCII to ASCII, so the fold view's UTF-8 is the lower view's UTF-8 through this
# byte table: same length, same byte-to-character map (see TextBatch.encoded).
LEET_BYTES = bytes(ord(_LEET.get(chr(b), chr(b))) if b < 128 else b for b in range(256))

# Invisible characters used to split words without showing a gap.
ZERO_WIDTH = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"  # noqa: E501

# Blocks whose characters may need folding: Latin, IPA, Greek, Cyrillic, phonetic and
# small-capital letters, Latin extended additional, letterlike and enclosed alphanumerics,
# fullwidth forms, mathematical alphanumerics, regional indicators.
_FOLD_RANGES = (
    (0x00C0, 0x052F), (0x1D00, 0x1DBF), (0x1E00, 0x1FFF), (0x2010, 0x2015), (0x2070, 0x209F),
    (0x2100, 0x218F), (0x2460, 0x24FF), (0xA720, 0xA7FF), (0xFE50, 0xFE6F), (0xFF00, 0xFFEF),
    (0x1D400, 0x1D7FF), (0x1F130, 0x1F189),
)  # fmt: skip


# "LATIN SMALL LETTER D WITH HOOK": a letter with a mark that Unicode does not decompose.
_MARKED_LATIN = re.compile(r"LATIN (?:SMALL|CAPITAL) LETTER ([A-Z]) WITH ")


def _single_char_fold(ch: str) -> str | None:
    """The one lower-case base letter ``ch`` stands for, or None if it is not one character."""
    text = unicodedata.normalize("NFKC", ch).casefold()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text)
    if len(text) == 1 and not text.isascii():
        marked = _MARKED_LATIN.match(unicodedata.name(text, ""))
        if marked:
            text = marked.group(1).lower()
    text = _HOMOGLYPHS.get(text, text)
    return text if len(text) == 1 else None


def _build_tables() -> tuple[dict[int, str], dict[int, str]]:
    lower: dict[int, str] = {}
    for cp in range(0x41, 0x5B):
        lower[cp] = chr(cp + 32)
    for lo, hi in _FOLD_RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            folded = _single_char_fold(ch)
            if folded is not None and folded != ch:
                lower[cp] = folded
    for src, dst in _HOMOGLYPHS.items():
        lower[ord(src)] = dst
        upper = src.upper()
        if len(upper) == 1 and upper != src:
            lower.setdefault(ord(upper), dst)
    # Keep letters of scripts that have no Latin look-alike in their own case-folded form.
    fold = dict(lower)
    for src, dst in _LEET.items():
        fold[ord(src)] = dst
    for cp, dst in list(fold.items()):
        if dst in _LEET:
            fold[cp] = _LEET[dst]
    return lower, fold


LOWER_TABLE, FOLD_TABLE = _build_tables()
_LUT_SIZE = 0x110000  # every code point: a direct lookup beats masking (4 MB per table)


def _lookup_array(table: dict[int, str]) -> np.ndarray:
    lut = np.arange(_LUT_SIZE, dtype="<u4")
    for cp, dst in table.items():
        lut[cp] = ord(dst)
    return lut


def _ascii_bytes_table(table: dict[int, str]) -> bytes:
    return bytes(ord(table.get(i, chr(i))) for i in range(128)) + bytes(range(128, 256))


_LUTS = {id(t): (_lookup_array(t), _ascii_bytes_table(t)) for t in (LOWER_TABLE, FOLD_TABLE)}


def translate(text: str, table: dict[int, str]) -> str:
    """``text.translate(table)`` for our one-to-one tables, fast on long mixed-script text.

    ``str.translate`` falls to a slow path at the first non-ASCII character; a numpy lookup
    over the UTF-32 code points does the same mapping about ten times faster.
    """
    if text.isascii():
        return text.encode("ascii").translate(_LUTS[id(table)][1]).decode("ascii")
    return translate_points(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), "<u4"), table)


def translate_points(points: np.ndarray, table: dict[int, str]) -> str:
    """The text of UTF-32 code points after one of our tables."""
    # np.take is twice as fast as indexing with an array here, and the text is decoded from
    # the array's own buffer, without a copy to bytes first
    mapped = np.take(_LUTS[id(table)][0], points)
    return str(memoryview(mapped), "utf-32-le", "surrogatepass")


def lower_view(text: str) -> str:
    """Case-, width-, accent- and homoglyph-folded text of the same length."""
    return text.translate(LOWER_TABLE)


def fold_view(text: str) -> str:
    """``lower_view`` plus leetspeak, same length: the view substance names are matched in."""
    return text.translate(FOLD_TABLE)


def fold_name(name: str) -> str:
    """A KB name as it appears in the fold view (variation selectors dropped from emoji)."""
    return fold_view(name.replace("\ufe0f", "")).strip()


# Letters spaced or punctuated apart: at least three single letters/digits each followed by a
# separator. Word boundaries on both sides so ordinary words are never merged.
_SEPARATORS = " .\\-_*·•~/+,:"
_SPACED_RUN = re.compile(
    r"(?<![^\W_])(?:[^\W_][" + re.escape(_SEPARATORS) + r"]{1,3}){2,}[^\W_](?![^\W_])"
)
_ZERO_WIDTH_RE = re.compile("[" + ZERO_WIDTH + "]")
_GAP = "(?:[ .\\-_*~/+,:\\\\]|·|•)"  # one separator character, as in _SEPARATORS
NEEDS_COMPACT_HS = (
    # hyperscan prefilters for the same two situations, on the UTF-8 of the lower view
    (f"(?:^|[^a-z0-9])[a-z0-9]{_GAP}{{1,3}}[a-z0-9]{_GAP}{{1,3}}[a-z0-9](?:[^a-z0-9]|$)").encode(),
    b"(?:" + b"|".join(re.escape(c.encode()) for c in ZERO_WIDTH) + b")",
)


@dataclass(frozen=True, slots=True)
class Compacted:
    """Text with invisible characters removed and spaced-out letters joined.

    ``origin[i]`` is the offset in the original text of character ``i`` of ``text``.
    """

    text: str
    origin: list[int]
    spaced: bool  # a spaced-out run was joined
    invisible: bool  # zero-width characters were removed

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of ``text[start:end]``."""
        return self.origin[start], self.origin[end - 1] + 1


def compact(text: str) -> Compacted:
    """Remove zero-width characters and join runs of spaced-apart single letters."""
    keep = [i for i, ch in enumerate(text) if ch not in ZERO_WIDTH]
    invisible = len(keep) != len(text)
    visible = "".join(text[i] for i in keep)
    drop: set[int] = set()
    for run in _SPACED_RUN.finditer(visible):
        for offset in range(run.start(), run.end()):
            if visible[offset] in _SEPARATORS:
                drop.add(offset)
    origin = [keep[i] for i in range(len(visible)) if i not in drop]
    joined = "".join(ch for i, ch in enumerate(visible) if i not in drop)
    return Compacted(joined, origin, spaced=bool(drop), invisible=invisible)
