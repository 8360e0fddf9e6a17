"""Write kb/derived/common_weak_names.json: the KB's weak names that are everyday words.

A weak name this frequent (Zipf >= 4.5: about once per 30,000 words in any language the product
reads) matches ordinary messages all the time ("coffee", "morning", "down") and, being weak,
proves nothing even when it matches. The substance detector leaves these out. The classic
ambiguous slang that reviewers expect to see weighed in context is kept (KEEP), and so are
strain and press names, which count only in their own narrow context (a weight, a pill
strength: kb/schema.py): wordfreq rates a phrase of everyday words ("blue dream") as if it
were as common as its words.

Maintainer tool: needs the ``kb-build`` extra (wordfreq). Run after changing KB names:

    python scripts/common_weak_names.py
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from wordfreq import zipf_frequency

from interdiction.kb import load_kb, merge_key

COMMON_ZIPF = 4.5
LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl")
KEEP = frozenset(
    merge_key(w)
    for w in (
        "molly", "snow", "ice", "coke", "speed", "mandy", "girl", "charlie", "brown sugar",
        "crystal", "blow", "glass", "tina", "candy", "bars", "weed", "grass", "pot", "hash",
        "skunk", "acid", "tabs", "blues", "pressies", "rock", "rocks", "white", "brown", "tar",
        "smack", "horse", "dope", "gear", "gas", "loud", "flower", "buds", "shrooms", "caps",
        "base", "paste", "pep", "lean", "drank", "syrup", "spice", "salts", "bath salts",
        "nieve", "perico", "hierba", "chocolate", "liquid", "powder", "pills", "beans",
        # market descriptors that identify cannabis and cocaine listings in context
        "cheese", "bud", "strain", "strains", "indoor", "outdoor", "leaf", "gras", "cristal",
        "diesel", "haze", "fishscale", "fish scale", "flake", "green", "purple", "hydro",
        "happy 5",
    )
)  # fmt: skip
OUTPUT = Path(__file__).resolve().parents[1] / "src/interdiction/kb/derived/common_weak_names.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    kb = load_kb()
    weak = {
        merge_key(n.text): n.text
        for sub in kb.substances.values()
        for n in sub.names
        if n.weak and n.kind not in ("emoji", "strain", "press")
    }
    common = sorted(
        text
        for key, text in weak.items()
        if key not in KEEP and max(zipf_frequency(text, lang) for lang in LANGUAGES) >= COMMON_ZIPF
    )
    doc = {
        "generated_by": "scripts/common_weak_names.py",
        "zipf_threshold": COMMON_ZIPF,
        "languages": list(LANGUAGES),
        "names": common,
    }
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(common)} of {len(weak)} weak names are everyday words -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
