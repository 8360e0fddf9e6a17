"""Write kb/derived/near_name_words.json: everyday words one typing slip from a KB name.

kb/spelling.py reads a word one slip from a KB name ("Alprazolum") as a misspelt name. Many
everyday words sit that close to a brand or a name ("concert" ~ Concerta, "central" ~
Centrax, "methanol" ~ methadol): every word of wordfreq's lists in seven languages that is at
least this frequent (Zipf >= 2.0: once per ten million words) and one slip from a KB name is
listed here and never counts. Rarer words are left out: below that frequency wordfreq's lists
hold the misspellings themselves ("marijuan", "cockayne"). DRUG_SPELLINGS are frequent words
that are the drug's own name in another language or form: they stay countable.

Maintainer tool: needs the ``kb-build`` extra (wordfreq). Run after changing KB names:

    python scripts/near_name_words.py
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from wordfreq import top_n_list, zipf_frequency

from interdiction.kb import load_kb
from interdiction.kb.spelling import MIN_CHARS, NearNames

EVERYDAY_ZIPF = 2.0
LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl")
WORDS_PER_LANGUAGE = 500_000
DRUG_SPELLINGS = frozenset(
    {
        "amphetaminen", "anabolizante", "anfetamine", "chloroforme", "codeïne", "fluoxetina",
        "metanfetaminas", "methylamin", "paroxetina", "ritaline", "schroom", "scopolamina",
        "sertralina", "tolueen", "toluène",
    }
)  # fmt: skip
OUTPUT = Path(__file__).resolve().parents[1] / "src/interdiction/kb/derived/near_name_words.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    near_names = NearNames(load_kb(), skip_everyday=False)
    words: dict[str, str] = {}
    for lang in LANGUAGES:
        for word in top_n_list(lang, WORDS_PER_LANGUAGE):
            if len(word) < MIN_CHARS or word in words or word in DRUG_SPELLINGS:
                continue
            if max(zipf_frequency(word, other) for other in LANGUAGES) < EVERYDAY_ZIPF:
                continue
            near = near_names.nearest(word)
            if near is not None:
                words[word] = near.name
    doc = {
        "generated_by": "scripts/near_name_words.py",
        "zipf_threshold": EVERYDAY_ZIPF,
        "languages": list(LANGUAGES),
        "words": sorted(words),
    }
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(words)} everyday words are one slip from a KB name -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
