"""Rule-based verdicts: offer, mention or none, with a risk in [0, 1] and reasons in words.

risk = substance evidence x trade evidence x (1 - damping by context), where
- substance evidence is the strongest counted name, CAS number or structure (ambiguous slang
  and emoji count only with drug-specific context);
- trade evidence combines the categories of trade signals found (price, quantity, sale,
  shipping, contact, no-prescription, cover language ...), contact and payment identifiers, and
  the shape of a market listing (a short title with a quantity);
- context (news, harm reduction, medical talk, a pharmacy asking for a prescription, negation)
  damps it.
An item is an ``offer`` (flagged) when risk reaches the threshold, a ``mention`` when a
substance counts but trade does not, else ``none``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from interdiction.detect.substances import PILL_COLOURS
from interdiction.kb import KnowledgeBase
from interdiction.model import Assessment, Detection, Label, Substance

# What an identifier says about trade: a way to be contacted or paid.
IDENTIFIER_TRADE = {
    "phone": ("contact", 0.5), "email": ("contact", 0.35), "telegram": ("contact", 0.6),
    "whatsapp": ("contact", 0.6), "signal": ("contact", 0.6), "wickr": ("contact", 0.7),
    "threema": ("contact", 0.7), "session": ("contact", 0.7), "snapchat": ("contact", 0.6),
    "url": ("link", 0.3), "domain": ("link", 0.3), "onion": ("link", 0.7),
    "btc": ("payment", 0.6), "eth": ("payment", 0.6), "trx": ("payment", 0.6),
    "xmr": ("payment", 0.7), "ltc": ("payment", 0.6),
}  # fmt: skip
# Categories that speak of trade whatever the goods (pharmacies and shops use the others too).
ILLICIT_TRADE = frozenset(
    {"no-prescription", "stealth", "cover", "customs", "contact", "plug", "payment", "request",
     "dealer-emoji", "sale", "street-quantity", "street-price", "route", "bulk-count",
     "online-order"}
)  # fmt: skip
# What lets an ambiguous word ("snow", "molly") be read as a drug: illicit-trade signals other
# than a bare "for sale", which every classified ad has.
WEAK_NAME_CONTEXT = ILLICIT_TRADE - {"sale"}
# Substances that shops and pharmacies legitimately sell (some preparations over the counter):
# a price or pack size is no evidence for them, only illicit-trade signals are.
PHARMACY_CLASSES = frozenset({"prescription"})
# Controlled or prescription substances that many countries' pharmacies and shops sell over
# the counter in low-dose preparations (codeine in Solpadeine, pseudoephedrine in Sudafed).
PHARMACY_SOLD = frozenset(
    {"codeine", "dihydrocodeine", "pholcodine", "pseudoephedrine", "ephedrine", "norephedrine",
     "dextromethorphan", "diphenhydramine", "doxylamine", "promethazine", "loperamide",
     "sildenafil", "tadalafil", "poppy-straw",
     # medicines of pharmacy shelves and prescriptions that the KB lists for their misuse
     "dimenhydrinate", "cyclizine", "hydroxyzine", "propranolol", "baclofen", "clonidine",
     "cyclobenzaprine", "metaxalone", "trazodone", "atomoxetine", "bupropion", "benzydamine",
     "viloxazine", "propylhexedrine", "memantine",
     # bulk chemicals of the 1988 Tables with everyday industrial and household uses
     "acetone", "toluene", "hydrochloric-acid", "sulphuric-acid", "potassium-permanganate",
     "methyl-ethyl-ketone", "ethyl-ether", "acetic-anhydride", "iodine", "benzaldehyde",
     "piperidine", "gamma-butyrolactone", "methylamine", "ethylamine", "red-phosphorus",
     "anthranilic-acid", "phenylacetic-acid", "piperonal", "nitroethane"}
)  # fmt: skip
# A word of its own: the "i" of "2C-I", the "me" of "5-MeO" or the "am" of "a|prazo|am" (a
# pipe written for an l) is part of a name, not a person. A seller speaks as "we" and "our"
# ("50g of our famous Ketama hash"): only a person telling of themselves or others is a story.
_ALONE_BEFORE, _ALONE_AFTER = r"(?<![\w|-])", r"(?![\w|-])"
FIRST_PERSON = re.compile(
    _ALONE_BEFORE
    # "IM" in capitals is intramuscular ("Winstrol 100mg/ml IM"), not "I'm"
    + r"(?:i|i'm|(?-i:im|Im)|i've|ive|i'd|my|me|he|she|his|her|they|mi|je|mon|ma|mes|"
    r"ich|mein|meine|meu|minha|ik|mijn|mij|io|mio|mia|я|мой|моя|мне|我)" + _ALONE_AFTER,
    re.IGNORECASE,
)
# Verbs of a story, not of a title: "took 2 xanax" is talk, "2 xanax 2mg" a listing.
NARRATIVE = re.compile(
    _ALONE_BEFORE
    + r"(?:took|take|taking|taken|had|have|has|was|were|is|are|am|did|does|been|feel|felt|"
    r"love|hate|think|said|says|tried|want|wants|need|needs|tomorrow|yesterday|tonight|"
    # the same story told in other languages: since, I take, prescribed, receives
    r"depuis|prends|prescrit|re[cç]oit|desde|hace|tomo|llevo|recet[oó]|h[aá]|receitou|seit|"
    r"nehme|verschrieben|bekommt|принимаю|назначил|назначили|уже)" + _ALONE_AFTER,
    re.IGNORECASE,
)
LISTING_MAX_WORDS = 14
# Signals that can state an amount.
AMOUNT_CATEGORIES = frozenset({"quantity", "street-quantity", "street-price", "bulk-count"})
# An ecstasy pill's strength: 100 to 399 mg.
PILL_STRENGTH = re.compile(r"\b[1-3]\d\d\s?(?:\+\s?)?mgs?\b", re.IGNORECASE)
# Medicines sold as pills, whose street names ("xanny", "oxy", "percs") count written right
# beside a strength in mg ("Xanny 2mg", "80mg oxy") in a listing title. Not stimulants:
# "Speed 200mg" is a caffeine tablet.
PILL_CLASSES = frozenset(
    {"benzodiazepine", "designer-benzodiazepine", "opioid", "synthetic-opioid", "sedative",
     "prescription"}
)  # fmt: skip
MG = re.compile(r"\d\s?(?:mgs?\b|мг)", re.IGNORECASE)
# Ecstasy pills are also sold by count and colour before the press name: "5x Green Partyflock",
# "500 Purple Doraemon" (a title opening; a shop writes "Tesla Model 3 mats, 2 pack").
# the pill colours of the substance detector, and the forms an adjective takes before a noun
_COLOURS = "(?:" + "|".join(
    (*PILL_COLOURS, "beige", "weisse", "gelbe", "rote", "blaue", "grune", "witte", "gele",
     "rode", "blauwe", "groene", "paarse")
) + ")"  # fmt: skip
_PILL_WORDS = r"(?:pills?|pillen|tabs?|tablets?|xtc)"
COUNT_AND_COLOUR = re.compile(
    rf"^\W*\d+\s?(?:x|{_PILL_WORDS})?\s*{_COLOURS}\s+\Z", re.IGNORECASE
)  # "5x Green ", "50 pills Blue "
COLOUR_ONLY = re.compile(rf"^\W*{_COLOURS}\s+\Z", re.IGNORECASE)  # "Blue " before "Tesla (x25)"
# ... with nothing after the name but the pill word, a note in brackets or a dash-separated
# note ("- EU - bulk deal"): "2x Red Tesla toy car" is a toy.
PRESS_CLOSING = re.compile(rf"\s*{_PILL_WORDS}?\s*(?:[(\[].*|\s[-–|]\s.*)?\W*\Z", re.IGNORECASE)
# ... or a count closing the title: "Blue Tesla (x25)", "Pink Cartier x50"
COUNT_CLOSING = re.compile(r"\s*\(?\s*x\s?(?:[5-9]|\d{2,})\s?\)?\W*\Z", re.IGNORECASE)
STRENGTH_GAP = 2  # characters between the name and its strength: "Oxy 80mg", "oxy-80mg"
OPENING = re.compile(r"\W*(?:\d+\s?x\s?)?\W*", re.IGNORECASE)  # nothing, or a count: "10x "
# Buds are sold by weight (or by the pound and its fractions); strain names that are no
# food or other weighed goods ("Headband", "Amnesia") count beside a weight in a listing.
WEIGHT = re.compile(
    r"\d\s*(?:g|gr|gram|grams|gramm|gramos|oz|ounces?|lbs?|pounds?|kg|kilos?)\b"
    r"|\b(?:qp|hp|lb|zip|zips|half oz|quarter oz)\b|(?:^|\s)1/[248](?:\s|$)"
    r"|\b(?:one|two|three|four|five|ten|half a|half|a quarter|quarter|full)\s(?:gram|grams"
    r"|ounce|ounces|kilo|kilos|pound|pounds|lb|lbs)\b",
    re.IGNORECASE,
)

# A medicine as a pharmacy lists it: a dosage form named the way packs and catalogues name it,
# or a pack of a usual size right after the strength or the dosage form ("Lorazepam 1mg
# Tablets 28", "Tramal 50 mg 20 kapsül"; not "Diazepam 10mg - 100 Tabletten" or "x 100
# tablets", a market's count). Markets sell medicines too, but a row like this proves no trade
# by its dose or pack size: only illicit-trade signals do.
MEDICINE_CLASSES = frozenset({"benzodiazepine", "sedative", "prescription", "steroid"})
_PACK_SIZES = r"(?:4|6|7|8|10|12|14|16|18|20|21|24|28|30|32|48|50|56|60|84|90|98|100|112|120)"
_DOSAGE_NOUNS = (
    r"(?:tablets?|capsules?|caplets?|softgels?|sachets?|lozenges?|patches|tabletten|kapseln"
    r"|tabletki|tabletek|tabletas|comprimidos|comprim[eé]s|c[aá]psulas|g[eé]lules|compresse"
    r"|kaps[uü]l|kapsu[lł]ek|tabletter|kapslar|kapsler|tabletit|kapselit|таблеток|таблетки"
    r"|капсул|st\.|stück)"
)
_STRENGTH = r"\d+(?:[.,]\d+)?\s?(?:mg|mcg|µg|g|ml|мг|мл)"
PHARMACY_FORM = re.compile(
    "|".join(
        [
            r"\b(?:prolonged[- ]release|modified[- ]release|extended[- ]release|film[- ]coated"
            r"|gastro[- ]resistant|orodispersible|oral (?:solution|suspension|liquid)|oromucosal"
            r"|transdermal patches|elixir|linctus|solution for injection|injectievloeistof"
            r"|hard capsules|soft capsules|soluble tablets|effervescent|retardtabletten"
            r"|filmtabletten|hartkapseln|quadris[eé]cables?|pellicul[eé]s|gocce orali"
            r"|oral drops|comprimidos revestidos|nasal spray|oromucosal spray)\b",
            r"\bb/\d+\b",  # a French box: "B/30"
            # the strength, then the pack: "50 mg 20 kapsül", "7.5mg 28 tablets"
            rf"\b{_STRENGTH},?\s+{_PACK_SIZES}\s?{_DOSAGE_NOUNS}(?!\w)",
            # the dosage form, then the pack: "Tablets 28", "Tablets (28)", "Tablets 60mg x 12"
            # (a brand in brackets may come between: "Capsules (OxyNorm) 56")
            rf"\b{_DOSAGE_NOUNS},?\s?(?:{_STRENGTH}\s?)?(?:\([^)]{{1,30}}\)\s?)?(?:x\s?)?\(?"
            rf"{_PACK_SIZES}\b",
            rf"\b(?:pack of|boîte de|packung mit|caja de|caja con) {_PACK_SIZES}\b",
            r"\bstrip of \d+\b",  # Indian pharmacies: "Strip of 15 Tablets"
            r"胶囊|[×x*]\s?\d+\s?[片粒]",  # capsules; "×20片", twenty tablets
        ]
    ),
    re.IGNORECASE,
)

# Detection kinds that can make an item worth a verdict: something named or someone reachable.
EVIDENCE = frozenset({"substance", "cas", "analogue", "inchikey", "identifier"})


# The verdict of an item with nothing worth a verdict: one shared object, told apart by identity.
NOTHING_FOUND = Assessment(
    label=Label.NONE, risk=0.0, flagged=False, reasons=[], detections=[], model="rules"
)


def worth_a_verdict(detections: list[Detection]) -> bool:
    """Something named or someone reachable: "available" or "$20" alone name nothing, and an
    ambiguous word ("coke") counts only beside trade signals."""
    named = False
    for det in detections:
        if det.kind in ("trade", "solicitation"):
            return any(d.kind in EVIDENCE for d in detections)
        if det.kind in EVIDENCE and not (
            det.kind == "substance" and det.attrs.get("match") == "weak"
        ):
            named = True
    return named


@dataclass(frozen=True)
class RulePolicy:
    threshold: float = 0.5
    weak_weight: float = 0.8  # an ambiguous name, once drug-specific context confirms the reading
    emoji_weight: float = 0.5
    uncontrolled_weight: float = 0.8  # a prescription medicine that no regime controls
    unknown_cas_weight: float = 0.5
    analogue_weight: float = 0.9
    listing_trade: float = 0.65
    weak_trade_context: float = 0.7  # illicit-trade evidence that lets ambiguous names count
    context_damping: float = 0.75
    max_context: float = 0.95
    pharmacy_sold: frozenset[str] = PHARMACY_SOLD


@dataclass
class _Evidence:
    substance: float = 0.0
    substance_reasons: list[str] = field(default_factory=list)
    trade: dict[str, tuple[float, str]] = field(default_factory=dict)  # category -> best
    context: dict[str, tuple[float, str]] = field(default_factory=dict)
    context_weights: list[float] = field(default_factory=list)  # one per distinct cue
    counted: list[Detection] = field(default_factory=list)
    shop_sold: list[bool] = field(default_factory=list)  # per counted piece: sold in shops too
    pharmacy_row: str = ""  # how the text names a medicine as pharmacies list it, if it does

    @property
    def strict(self) -> bool:
        """Everything counted is also sold legitimately: only illicit-trade signals count."""
        return bool(self.shop_sold) and all(self.shop_sold)


# An ambiguous word glued by a hyphen to another word: "grass-fed", "snow-white", "ice-cold".
_COMPOUND_BEFORE = re.compile(r"[^\W\d_]-\Z")
_COMPOUND_AFTER = re.compile(r"-[^\W\d_]")


def _in_compound(text: str, det: Detection) -> bool:
    return bool(_COMPOUND_AFTER.match(text, det.end) or _COMPOUND_BEFORE.search(text, 0, det.start))


def _outside_everyday_phrases(
    text: str, detections: list[Detection], ev: _Evidence
) -> list[Detection]:
    """Leave uncounted what sits inside an everyday phrase ("weed killer", "Coke Zero") and
    ambiguous words that are part of a hyphenated compound ("grass-fed beef")."""
    phrases = [d for d in detections if d.kind == "context" and d.value == "everyday"]
    active = []
    for det in detections:
        if det.kind == "substance" and det.attrs.get("match") == "weak" and _in_compound(text, det):
            det.attrs["ignored"] = det.attrs["compound"] = True
            reason = f"{det.text!r} is part of a compound word"
            if reason not in ev.substance_reasons:
                ev.substance_reasons.append(reason)
            continue
        if not phrases:
            active.append(det)
            continue
        inside = next((p for p in phrases if p.start < det.end and det.start < p.end), None)
        if inside is not None and det is not inside:
            det.attrs["ignored"] = True
            ev.substance_reasons.append(
                f"{det.text!r} read in its everyday sense ({inside.text!r})"
            )
        elif det is not inside:
            active.append(det)
    return active


def _controls_text(sub: Substance) -> str:
    if not sub.controls:
        return "not internationally controlled in the KB"
    return "; ".join(f"{c.regime} {c.schedule}" for c in sub.controls[:3])


def _combine(weights: list[float]) -> float:
    remaining = 1.0
    for w in weights:
        remaining *= 1.0 - w
    return 1.0 - remaining


class RuleScorer:
    name = "rules"

    def __init__(self, kb: KnowledgeBase, policy: RulePolicy | None = None):
        self.kb = kb
        self.policy = policy or RulePolicy()
        # licensed medicines somewhere: substances the KB knows a brand of, and the classes
        # that are medicines first (delorazepam drops are sold as "EN")
        self.medicines = frozenset(
            sub.id
            for sub in kb.substances.values()
            if sub.substance_class in MEDICINE_CLASSES or any(n.kind == "brand" for n in sub.names)
        )

    def assess_batch(
        self, texts: Sequence[str], detections: Sequence[list[Detection]], explain_all: bool = False
    ) -> list[Assessment]:
        return [self.assess(t, d) for t, d in zip(texts, detections, strict=True)]

    def assess(self, text: str, detections: list[Detection]) -> Assessment:
        ev = _Evidence()
        active = _outside_everyday_phrases(text, detections, ev)
        self._trade_and_context(active, ev)
        drug_context = any(
            d.attrs.get("drug_specific") for d in active if d.kind in ("trade", "solicitation")
        )
        self._substances(text, active, ev, drug_context)

        listing = False
        trade = _combine([w for w, _ in ev.trade.values()])
        if ev.substance > 0:
            if ev.strict:
                trade = _combine([w for c, (w, _) in ev.trade.items() if c in ILLICIT_TRADE])
            elif not ev.context and self._listing_shaped(text, ev):
                listing = True
                trade = max(trade, self.policy.listing_trade)
        # every cue of news, medical talk or a pharmacy found makes trade less likely
        context = min(_combine(ev.context_weights), self.policy.max_context)
        risk = ev.substance * trade * (1.0 - self.policy.context_damping * context)
        risk = round(min(max(risk, 0.0), 1.0), 4)

        if ev.substance > 0 and risk >= self.policy.threshold:
            label = Label.OFFER
        elif ev.substance > 0:
            label = Label.MENTION
        else:
            label = Label.NONE
        reasons = list(ev.substance_reasons)
        if ev.trade:
            parts = [f"{cat} {quote}" for cat, (_, quote) in sorted(ev.trade.items())]
            reasons.append("trade signals: " + "; ".join(parts))
            if ev.substance > 0 and ev.strict:
                listed = (
                    f" (listed as pharmacies list it: {ev.pharmacy_row!r})"
                    if ev.pharmacy_row
                    else ""
                )
                reasons.append(
                    f"sold in pharmacies and shops too{listed}: only illicit-trade signals count"
                )
        if listing:
            reasons.append(
                "shaped like a market listing: a short title with a quantity, price or grade"
            )
        if ev.context:
            parts = [f"{cat} {quote}" for cat, (_, quote) in sorted(ev.context.items())]
            reasons.append("context lowers risk: " + "; ".join(parts))
        verdict = "offer" if label is Label.OFFER else "below"
        reasons.append(
            f"risk {risk:.2f} {'≥' if verdict == 'offer' else '<'} threshold "
            f"{self.policy.threshold:.2f} (rules)"
        )
        return Assessment(
            label=label,
            risk=risk,
            flagged=label is Label.OFFER,
            reasons=reasons,
            detections=detections,
            model=self.name,
        )

    def _trade_and_context(self, detections: list[Detection], ev: _Evidence) -> None:
        for det in detections:
            if det.kind in ("trade", "solicitation"):
                category, weight = str(det.value), det.weight
                target = ev.trade
            elif det.kind == "context":
                category, weight = str(det.value), det.weight
                target = ev.context
            elif det.kind == "identifier":
                category, weight = IDENTIFIER_TRADE.get(str(det.attrs.get("type")), ("link", 0.2))
                target = ev.trade
            else:
                continue
            if det.kind == "context":
                ev.context_weights.append(weight)
            quote = (
                repr(det.text) if det.kind != "identifier" else f"{det.attrs['type']} {det.value}"
            )
            if weight > target.get(category, (0.0, ""))[0]:
                target[category] = (weight, quote)

    def _substances(
        self, text: str, detections: list[Detection], ev: _Evidence, drug_context: bool
    ) -> None:
        policy = self.policy
        strong_ids: set[str] = set()
        weak: list[Detection] = []
        weights: list[float] = []
        pharmacy_row = PHARMACY_FORM.search(text)
        if pharmacy_row:
            ev.pharmacy_row = pharmacy_row.group(0)
        for det in detections:
            if det.kind == "substance" and det.attrs.get("match") == "weak":
                weak.append(det)
                continue
            if det.kind in ("substance", "inchikey"):
                sub = self.kb.get(str(det.value))
                if sub is None or sub.id in strong_ids:
                    continue
                strong_ids.add(sub.id)
                rx_only = sub.substance_class in PHARMACY_CLASSES and not sub.controls
                weight = policy.uncontrolled_weight if rx_only else 1.0
                ev.shop_sold.append(self.shop_sold(sub, pharmacy_row is not None))
                how = ", ".join(det.attrs.get("obfuscation") or ())
                written = f" written {det.text!r} ({how})" if how else ""
                ev.substance_reasons.append(
                    f"names {sub.name} [{sub.substance_class}]{written}: {_controls_text(sub)}"
                )
            elif det.kind == "cas":
                sub = self.kb.get(str(det.attrs.get("substance_id") or ""))
                strong_ids.add(sub.id if sub else str(det.value))
                weight = 1.0 if sub else policy.unknown_cas_weight
                # a laboratory supplier's acetone comes with its CAS number
                ev.shop_sold.append(self.shop_sold(sub, False))
                target = f"{sub.name}: {_controls_text(sub)}" if sub else "not in the KB"
                ev.substance_reasons.append(f"CAS number {det.value} ({target})")
            elif det.kind == "analogue":
                strong_ids.add(f"analogue:{det.text}")
                weight = policy.analogue_weight
                ev.shop_sold.append(False)
                ev.substance_reasons.append(
                    f"structure {det.text!r}: {det.attrs.get('label', 'closely related, review')}"
                )
            else:
                continue
            weights.append(weight)
            ev.counted.append(det)
        if weak and strong_ids:
            # the substance is named plainly (or by CAS number or structure): ambiguous words
            # beside it add noise, not evidence
            for det in weak:
                det.attrs["ignored"] = True
        elif weak:
            emoji_codes = sum(1 for d in weak if d.attrs.get("name_kind") == "emoji")
            illicit = _combine([w for c, (w, _) in ev.trade.items() if c in WEAK_NAME_CONTEXT])
            contact = "contact" in ev.trade or "contact-weak" in ev.trade
            dealer_emoji = sum(1 for d in detections if d.value in ("emoji", "dealer-emoji"))
            general = (
                drug_context
                or illicit >= policy.weak_trade_context
                or (emoji_codes >= 2 and contact)
                or (emoji_codes >= 1 and dealer_emoji >= 2)
            )
            confirmed = self._confirmed_by_kind(text, weak, detections)
            if general:
                # a press name is a brand first: replica sellers ship discreetly too
                for det in weak:
                    if det.attrs.get("name_kind") != "press":
                        confirmed.setdefault(id(det), "drug context")
            if confirmed:
                for det in weak:
                    if id(det) not in confirmed:
                        det.attrs["ignored"] = True
                        continue
                    sub = self.kb.get(str(det.value))
                    ev.shop_sold.append(self.shop_sold(sub, pharmacy_row is not None))
                    weights.append(
                        policy.emoji_weight
                        if det.attrs.get("name_kind") == "emoji"
                        else policy.weak_weight
                    )
                    ev.counted.append(det)
                    name = sub.name if sub else det.value
                    how = ", ".join(det.attrs.get("obfuscation") or ())
                    written = f" ({how})" if how else ""
                    ev.substance_reasons.append(
                        f"ambiguous {det.text!r}{written} read as {name}: {confirmed[id(det)]}"
                    )
            else:
                for det in weak:
                    det.attrs["ignored"] = True  # shown as evidence examined, not as a finding
                quoted = ", ".join(sorted({repr(d.text) for d in weak}))
                ev.substance_reasons.append(f"ambiguous {quoted} ignored: no drug context")
        if weights:
            ev.substance = min(1.0, _combine(weights))

    def shop_sold(self, sub: Substance | None, pharmacy_row: bool) -> bool:
        """Sold in shops and pharmacies too (or, on a row listed as pharmacies list medicines,
        a licensed medicine): then only illicit-trade signals count."""
        if sub is None:
            return False
        if sub.id in self.policy.pharmacy_sold or sub.substance_class in PHARMACY_CLASSES:
            return True
        return pharmacy_row and sub.id in self.medicines

    def _confirmed_by_kind(
        self, text: str, weak: list[Detection], detections: list[Detection]
    ) -> dict[int, str]:
        """Ambiguous names that what is sold with them confirms in a listing title, without
        drug-specific context (by ``id`` of the detection, with the reason): a pill press
        name beside a pill strength ("Mitsubishi 220mg pill"), a strain name with no weighed
        everyday sense beside a weight ("1oz Headband"), a medicine's street name with its
        strength written on it ("Xanny 2mg", "80mg oxy")."""
        if not title_shaped(text):
            return {}
        confirmed: dict[int, str] = {}
        for det in weak:
            kind = det.attrs.get("name_kind")
            if kind == "pill-title":
                count = _pill_count(text, det)
                if count is not None:
                    confirmed[id(det)] = f"an ecstasy pill's title, sold by count {count!r}"
                continue
            if kind not in ("press", "strain"):
                dose = self._strength_beside(text, det, detections)
                if dose is not None:
                    confirmed[id(det)] = f"a medicine's street name with the strength {dose.text!r}"
                continue
            apart = [d for d in detections if d.kind == "trade" and not _overlap(d, det)]
            if kind == "press":
                pill = next((d for d in apart if _pill_strength(d)), None)
                if pill is not None:
                    confirmed[id(det)] = f"a pill press name beside {pill.text!r}"
                elif (
                    COUNT_AND_COLOUR.match(text, 0, det.start)
                    and PRESS_CLOSING.match(text, det.end)
                ) or (COLOUR_ONLY.match(text, 0, det.start) and COUNT_CLOSING.match(text, det.end)):
                    confirmed[id(det)] = f"a pill press name sold by count and colour {text!r}"
            else:
                weight = next(
                    (d for d in apart if d.value in AMOUNT_CATEGORIES and WEIGHT.search(d.text)),
                    None,
                )
                if weight is not None:
                    confirmed[id(det)] = f"a strain name beside the weight {weight.text!r}"
        return confirmed

    def _strength_beside(
        self, text: str, det: Detection, detections: list[Detection]
    ) -> Detection | None:
        """The dose in mg written right before or after a weak name of a pill medicine, the
        two opening the title ("Oxy 80mg x 10", "10x Xanny 2mg"): further in, the name is more
        often a product's word ("Nicorette Icy White gum 4mg", gum being opium's)."""
        sub = self.kb.get(str(det.value))
        if sub is None or sub.substance_class not in PILL_CLASSES:
            return None
        for dose in detections:
            if dose.kind != "trade" or dose.value != "dose" or not MG.search(dose.text):
                continue
            gap = dose.start - det.end if dose.start >= det.end else det.start - dose.end
            if 0 <= gap <= STRENGTH_GAP and OPENING.fullmatch(text[: min(det.start, dose.start)]):
                return dose
        return None

    def _listing_shaped(self, text: str, ev: _Evidence) -> bool:
        return title_shaped(text) and bool(ev.trade)  # a quantity, price, grade or the like


def title_shaped(text: str) -> bool:
    """Short, and no one telling a story: the shape of a listing's title."""
    words = text.split()
    return not (
        len(words) > LISTING_MAX_WORDS or FIRST_PERSON.search(text) or NARRATIVE.search(text)
    )


def _pill_strength(det: Detection) -> bool:
    """A pill word beside a strength, or an ecstasy pill's strength alone."""
    return det.value == "pill-press" or (
        det.value == "dose" and PILL_STRENGTH.search(det.text) is not None
    )


# a count of pills opening or after the pill's title: "10x", "x10", "10 pack", "25 pills"
PILL_COUNT = re.compile(r"\bx\s?\d+|\b\d+\s?x\b|\b\d+\s?(?:pack|pills?|pcs|tabs|stk|stuck)\b", re.I)
OPENING_COUNT = re.compile(r"\W*\d+\s?x", re.IGNORECASE)
# supplements named by a colour, whose strengths and counts look like a pill's
SUPPLEMENT_WORDS = re.compile(
    r"\b(?:tea|coffee|yeast|clover|cohosh|dock|seeds?|pepper|beans?|willow|garlic|maca|ginseng"
    r"|rice|algae|kidney|mussel|cabbage|onion|vervain|mulberry|tulsi|sage)\b",
    re.IGNORECASE,
)


def _pill_count(text: str, title: Detection) -> str | None:
    """The count an ecstasy pill's title is sold by, or None (or a supplement's title)."""
    if SUPPLEMENT_WORDS.search(title.text):
        return None
    opening = OPENING_COUNT.match(title.text)
    if opening:
        return opening.group(0).strip()
    after = PILL_COUNT.search(text, title.end)
    return after.group(0) if after else None


def _overlap(a: Detection, b: Detection) -> bool:
    return a.start < b.end and b.start < a.end
