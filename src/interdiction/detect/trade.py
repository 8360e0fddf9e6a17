"""Trade signals (offers, requests) and the context that argues against trade, multilingual.

Patterns are written in lower case without accents and matched, all in one hyperscan pass, in
the batch's ``lower`` view (case, width, accents and look-alike letters folded; digits kept).
Each signal has a category, a weight (how much it says "trade" on its own) and whether it is
drug-specific (only drug trade speaks of stealth shipping or a plug), which lets ambiguous
slang count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from interdiction.detect.base import Detector, DetectorContext, Example, Findings
from interdiction.model import Detection
from interdiction.text.batch import TextBatch
from interdiction.text.engine import MULTILINE, UTF8, PatternSet
from interdiction.text.normalize import lower_view


@dataclass(frozen=True, slots=True)
class Signal:
    category: str
    kind: str  # trade | solicitation | context
    weight: float
    drug_specific: bool
    pattern: str


def _signals(category: str, kind: str, weight: float, drug: bool, *patterns: str) -> list[Signal]:
    return [Signal(category, kind, weight, drug, p) for p in patterns]


def _words(*phrases: str) -> str:
    """A whole-word alternation of literal phrases (ASCII edges)."""
    return r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", " ") for p in phrases) + r")\b"


_NUM = r"\d+(?:[.,]\d+)?"
_THC = r"(?:(?:δ|∆|delta)[ -]?9[ -]?)?thc"  # "THC", "Δ9-THC", "delta-9 THC"
_HEMP_LIMIT = r"0?[.,][0-3]\d?\s?%"  # the THC limits of legal hemp: "0.2 %", "0,3%"

SIGNALS: list[Signal] = [
    *_signals(
        "price", "trade", 0.6, False,
        r"[$€£¥₽]\s?" + _NUM,
        r"\b" + _NUM + r"[\s-]?(?:usd|eur|gbp|aud|cad|btc|xmr|usdt|bucks|dollars?|euros?|quid)\b",
        r"\b" + _NUM + r"[$€£]",
        _words("price", "prices", "pricing", "per gram", "per g", "a gram", "obo", "ono", "cheap",
               "discount", "on sale", "precio", "precios", "prix", "preis", "preise", "prezzo",
               "preco"),
        "цена", "цены", "руб", "价格", "价钱", "元", "سعر", "الأسعار",
    ),
    *_signals(
        "quantity", "trade", 0.45, False,
        r"\b" + _NUM + r"\s?(?:g|gr|gram|grams|gramm|gramos|grammes|kg|kilo|kilos|kgs|oz|ounces?"
        r"|lbs?|pcs|pieces|pills?|tabs?|tablets|caps|capsules|blotters?|hits|vials|amps|units"
        r"|packs?|bars|pressies|strips|zips|qp|hp|stck|stk)\b",
        _words("by the gram", "by the ounce", "per ounce", "an ounce", "ounce of", "gram of",
               "grams of"),
        r"\b\d+\s?x\s?\d*\b",
        # "20 Pfizer Brand Xanax Bars2mg", "10 blue Louis Vitton (XTC pills)"
        r"\b\d+\s(?:[\w()-]+\s){1,3}\(?(?:pills?|tabs?|blotters?|caps|hits?|capsules?|tablets?"
        r"|bars?|vials?|strips?|doses?|crystals)(?:\b|\d)",
        # a count opening a title: "(10) Norco 10/325", "5xOxycodon"
        r"^\W*\(\d+\)\s", r"\b\d+\s?x[a-z]",
        # amounts in words, and the tenth of a gram street sales count in ("5 points")
        r"\b(?:one|two|three|four|five|ten|half a|half|a quarter|quarter|full)\s(?:gram|grams"
        r"|ounce|ounces|kilo|kilos|pound|pounds|lb|lbs)\b",
        r"\b\d+(?:[.,]\d)?\s?points?\b",
        # a pound without a number, as cannabis wholesalers write it: "LB Blue Dream", "whole LB"
        _words("lb", "whole lb", "a lb", "per lb", "half lb"),
        # a bare amount opening a title: "0.2 #3 Brown Heroin", "3.5 Hi Heat Cocaine"
        r"^\W*(?:0?\.\d{1,2}|[1-9]\.5)\s+[a-z#]",
        # a dose count sells edibles and blotters: "11 doses", "quad dose", "100x single dose"
        r"\b\d+\s?doses\b", _words("single dose", "double dose", "triple dose", "quad dose"),
        r"\b\d+\s?x\s?\d+(?:[.,]\d+)?\s?(?:mg|g|ml|mcg|ug)\b",
        # a strength times a count, as packs are labelled: "0.3g*20", "500mg x 24"
        r"\b\d+(?:[.,]\d+)?\s?(?:mg|g|ml|mcg|ug)\s?[x×*]\s?\d+",
        r"\b" + _NUM + r"\s?(?:gm|gms|pounds?|lb|lbs|ounces?|oz|kilos?|kgs?|grammes?|gramos)\b",
        r"\bx\s?\d+\b",
        "грамм", r"\d+\s?(?:гр|г|кг|шт)", "克", "公斤", "粒",
        # counts and units of other languages: "30 таблеток", "1 onza", "25 Stück", "30 ct"
        r"\d+\s?(?:таб|капс|марк|пакет)",
        r"\b\d+\s?(?:onzas?|stuck|sztuk|szt|cachets|tabletek|tabletki|tabletten|comprimidos"
        r"|cps|count|ct|bundles?|bags|kartonik\w*|l|liters?|litres?|liter|stuks|vial|kpl"
        r"|tablettia|grammaa|nappia)\b",
        # a fraction of an ounce written alone: "Chemdawg 1/8", "Purple Haze 1/4"
        r"(?:^|\s)(?:1/8|1/4|1/2)(?:\s|$)",
        # price tiers by amount, as vendors list them: "3.5 / 7 / 14 / 28", "100 / 500 / 1000"
        r"\b\d+(?:[.,]\d+)?\s?/\s?\d+(?:[.,]\d+)?\s?/\s?\d+(?:[.,]\d+)?\b",
        r"\d\s?(?:غرام|جرام)",
    ),
    *_signals(
        "dose", "trade", 0.25, False,
        r"\b" + _NUM + r"\s?(?:mg|mcg|ug|µg|ml|iu)\b", r"\d+(?:[.,]\d+)?\s?(?:мг|мкг|мл)",
    ),
    # A strength without a unit closing a title: "Deca 250", "Sustanon 250", "Masteron 100"
    # (steroid and pharmacy products are named by their mg or mg/ml). Counts like a dose.
    *_signals("dose", "trade", 0.25, False, r"(?:^|[^\d.,/:#-])[1-9]\d{1,3}\s*$"),
    # Amounts that street and market drug sales use and shops do not: fractions of an ounce,
    # the classic gram steps, blotter hits.
    *_signals(
        "street-quantity", "trade", 0.6, True,
        # (a decimal comma too: "0,5 gr")
        # (not a scale's resolution: "0.01g")
        r"(?:^|[^\d.,])(?:3[.,]5|7|14|28|0?[.,][1-9]\d?|1[.,]\d{1,2})\s?(?:g|gr|gram|grams)\b",
        # ounces: street sales deal in fractions; shops sell 7, 14 or 16 oz, babies weigh 2oz
        r"(?:^|[^\d.,/])(?:1/8|1/4|1/2)\s?(?:oz|ounce|ounces)\b",
        r"\b1/[248]th\b",
        _words("an eighth", "eighths", "quarter oz", "half oz", "half ounce", "half-o", "half o",
               "half a zip", "qp", "8 ball", "eight ball", "8ball", "teenth", "dime bag",
               "nickel bag"),
        r"\b\d+\s?(?:hits|blotters|pressies)\b",
        r"\b\d+\s?ug\b",
        r"\b\d{3}\s?\+\s?mg\b",
        r"\b\d{3}\s?mg\s?\+",
        r"(?:^|[^\d.,])[1-5]\s?(?:g|gr|gram|grams|gramos|gramm|grammes|grammi)\b",
        # the same steps in Russian shop titles: "0.5г", "1г", "3 гр"
        r"(?:^|[^\d.,])(?:0?[.,][1-9]\d?|[1-5])\s?(?:г|гр)(?:\s|$|[.,;)])",
    ),
    *_signals(
        "street-price", "trade", 0.7, True,
        # a word between amount and unit stands apart from the unit: "20 a g", not "'86 OG"
        r"[$€£]\s?\d+\s?(?:(?:a|per|the|le|el|das|al|o|la)\s|/\s?)"
        r"(?:g|gr|gram|gramme|gramo|gramm|grammo|grama)\b",
        r"\b\d+\s?(?:[$€£]|eur|euros?|bucks|quid)?\s?(?:(?:a|per|the|le|el|das|al|o|la)\s|/\s?)"
        r"(?:g|gramme|gramo|gramm|grammo|grama)\b",
        r"\b\d+\s?(?:[$€£]|eur|euros?)?\s?"
        r"(?:el gramo|le gramme|das gramm|al grammo|o grama|the gram)\b",
        "за грамм", "一克",
    ),
    # How dark-web markets sell buds: hand-trimmed, finalise early ("FE listing"). Not "AAA+":
    # the same markets grade replica watches and trainers with it.
    *_signals(
        "market-grade", "trade", 0.6, True,
        _words("hand trimmed", "hand-trimmed", "machine trimmed", "machine-trimmed",
               "top shelf bud", "top shelf buds", "fe listing", "fe special", "fe price",
               "fe required", "fe accepted", "fe for new", "finalise early"),
        r"[(*\[]\s?fe\s?[)*\]]",
    ),
    # Ecstasy pills are sold by press name and strength ("Mitsubishi 220mg pill"): what lets
    # a press name (a name of kind "press" in the KB) be read as a pill.
    *_signals(
        "pill-press", "trade", 0.45, False,
        r"\b\d{2,3}(?:\s?-\s?\d{2,3})?\s?mg\b[^\n]{0,30}\b(?:pills?|pillen|pilule|pastillas?)\b",
        r"\b(?:pills?|pillen|pastillas?)\b[^\n]{0,30}\b\d{3}\s?mg\b",
        _words("pressed pills", "super pills", "heavy pills", "double stacked", "triple stacked",
               "dubbel stack"),
    ),
    *_signals(
        "route", "trade", 0.6, True,
        r"\b(?:eu|us|usa|uk|aus|au|can|ca|nl|de|fr|es|ww)\s?(?:to|2|>|->)\s?"
        r"(?:eu|us|usa|uk|aus|au|can|ca|ww|worldwide)\b",
        r"\b(?:aus|au|us|usa|uk|can|eu|nl|de|nz) domestic\b",
        r"\bdomestic (?:aus|au|us|usa|uk|can|eu|nl|de|nz)\b",
        _words("ndd", "uk ndd", "ww shipping"),
    ),
    # every web shop ships abroad: a route in words is shipping, not a drug market's mark
    *_signals(
        "shipping", "trade", 0.6, False,
        _words("ships from", "shipping from", "worldwide shipping", "ship worldwide",
               "ships worldwide", "free worldwide shipping", "domestic only"),
    ),
    *_signals(
        "bulk-count", "trade", 0.6, False,
        r"\b(?:[5-9]\d|[1-9]\d{2,3})[\s-]?(?:x\s?)?(?:pills|tabs|pcs)\b",
        r"\b(?:[5-9]\d|[1-9]\d{2,3})\s?x\s+[a-z]",
        r"\bx\s?(?:[5-9]\d|[1-9]\d{2,3})(?:\s*$|\s*[^\w\s.,])",
    ),
    *_signals(
        "sale", "trade", 0.7, False,
        _words("for sale", "selling", "sell", "sells", "menu", "orders open", "wholesale", "bulk",
               "moq", "supplier",
               "vendor", "vending", "vendo", "vendemos", "se vende", "a la venta", "vends",
               "je vends", "a vendre", "verkaufe", "verkaufen", "zu verkaufen", "vendesi",
               "vendiamo", "a venda", "vende-se", "sprzedam", "sprzedaje", "sprzedaję",
               "prodam"),
        _words("verkoop", "verkopen", "te koop", "tengo", "tenemos", "on deck", "in hand",
               "top seller", "fresh batch", "new batch", "just landed", "ready",
               "vendiamo", "vendita"),
        "продам", "продаю", "продаем", "продажа", "опт", "出售", "供应", "卖",
        "出货", "私聊",
        "批发", "出货", "للبيع", "أبيع", "ابيع", "نبيع", "بيع",
    ),
    # Stock notices: every shop writes them, so for goods that shops sell too (acetone,
    # sildenafil) they are no sign of illicit trade, unlike "selling" or "wholesale".
    *_signals(
        "stock", "trade", 0.7, False,
        _words("in stock", "restock", "restocked", "back in stock"),
        "в наличии", "有货",
    ),
    *_signals(
        "availability", "trade", 0.4, False,
        _words("available", "available now", "order now", "buy now", "order online",
               "buy online", "shop now", "get yours", "dispo", "disponible", "disponibles",
               "verfugbar", "disponivel"),
        "есть", "在售",
    ),
    *_signals("plug", "trade", 0.5, True, _words("plug", "the plug", "your plug", "connect")),
    *_signals(
        "online-order", "trade", 0.6, False,
        r"\b(?:buy|order|purchase)\s+(?:[\w@.$-]+\s+){0,4}online\b",
        _words("online pharmacy", "cheapest", "cheapest price", "order here", "secure checkout",
               "credit card accepted", "cod", "cash on delivery"),
    ),
    *_signals("contact-weak", "trade", 0.4, False, _words("dm", "pm")),
    *_signals(
        "street-price", "trade", 0.7, True,
        r"\b(?:3\.5|7|14|28|1/8|1/4|1/2|half|quarter|zip|zips|oz|ounce|8th|qp|hp)\s?"
        r"(?:(?:for|@|=)\s?[$€£]?|[$€£])\d{2,4}\b",
    ),
    *_signals(
        "shipping", "trade", 0.6, False,
        _words("shipping", "ship", "ships", "shipped", "delivery", "deliver", "delivered",
               "worldwide", "overnight", "next day", "tracking", "tracked", "express post",
               "dropship", "door to door", "envio", "envios", "entrega", "entregas", "livraison",
               "livrons", "versand", "lieferung", "spedizione", "consegna", "wysylka",
               "wysyłka", "verzending"),
        "доставка", "доставим", "发货", "包邮", "快递", "توصيل", "شحن",
    ),
    *_signals(
        "stealth", "trade", 0.8, True,
        # not "vacuum sealed" or "mylar bags": coffee, hops and food storage are sold so
        _words("stealth", "discreet", "discrete packaging", "mbb", "smell proof", "reship",
               "reships", "escrow",
               "finalize early",
               "fe only", "no fe", "dead drop", "drop off", "envoi discret", "discret",
               "discrète", "discreto", "discreta", "envio discreto", "envío discreto",
               "diskreter versand", "diskret verpackt", "discrete verzending"),
        "закладк", "клад", "тайник", "самовывоз", "прикоп",
    ),
    *_signals(
        "contact", "trade", 0.6, False,
        _words("dm me", "dm for", "dms open", "pm me", "hmu", "hit me up", "hit me",
               "inbox me", "text me", "message me", "add me", "link in bio", "tap in",
               "contact me", "contact us", "whatsapp me", "telegram me", "snap me", "threema",
               "kik me", "escribeme", "escribenos", "contactame", "mp moi",
               "ecris moi", "schreib mir", "melde dich", "chama no", "manda mensagem"),
        r"\b(?:telegram|whatsapp|signal|snapchat|snap|tg)\s?[:@]",
        _words("contact telegram", "contacto telegram", "contact snap", "par snap", "sur snap",
               "via telegram", "on telegram", "telegram only", "snap only",
               "hit my line", "app mij", "scrivimi", "escribe al privado", "al privado",
               "solo contatti seri", "commande par snap", "msg me",
               "mandame mensaje", "mandame un mensaje", "manda mensaje", "escribeme al dm",
               "dms", "serious buyers", "serious only", "serious inquiries only", "dm to order",
               "dm if", "dm @", "inbox me"),
        "加微", "加飞机", "飞机联系", "同城可送",
        "пиши", "пишите", "в лс", "телеграм", "телега", "加微信", "微信", "联系", "تواصل",
        "راسلني", "واتساب",
    ),
    # Wickr was the drug trade's messenger of choice: contact by it is drug-specific
    *_signals("contact", "trade", 0.6, True, _words("wickr", "wickr me", "wickr only")),
    *_signals(
        "no-prescription", "trade", 0.9, False,
        _words("no medical records", "no medical records needed", "no rx needed",
               "no prescription required", "no doctor visit", "without rx", "no gp needed",
               "online questionnaire", "no r.x", "no r.x needed", "legally without script"),
        r"\bwithout (?:a |any )?(?:doctor'?s? |valid |prior |medical )?"
        r"(?:prescription|script|rx)\b",
        r"\bno (?:doctor'?s? |prior |valid )?(?:prescription|script|rx)\b",
        _words("no prescription", "without prescription", "without a prescription", "no rx",
               "no script", "no doctor", "without doctor", "no prior prescription",
               "prescription not required", "no prescription needed", "without a script",
               "sin receta", "sin prescripcion", "sans ordonnance", "ohne rezept",
               "senza ricetta", "sem receita"),
        "без рецепта", "无需处方", "免处方", "بدون وصفة",
    ),
    *_signals(
        "cover", "trade", 0.8, True,
        _words("research chemical", "research chemicals", "research chem", "rc vendor", "rcs",
               "not for human consumption", "for research purposes", "for research use only",
               "legal high", "legal highs", "plant food", "plant feeder",
               "herbal incense", "pond cleaner", "legal worldwide", "not for consumption",
               "research only", "novelty use only", "not scheduled", "analogue act"),
    ),
    *_signals(
        "customs", "trade", 0.8, True,
        _words("customs clearance", "customs pass", "pass customs", "100% pass",
               "safe delivery", "safe shipping", "relabel", "re-label", "double layer package",
               "guaranteed delivery"),
    ),
    *_signals(
        "quality", "trade", 0.4, True,
        # a dealer's purity claim, not a shop's "100% pure" (honey, catnip, amino acids)
        r"\b[1-9]\d(?:[.,]\d+)?(?:-\d+)? ?% (?:pure|purity|pureness)\b",
        # buprenorphine without the naloxone that deters injecting: what Subutex sellers stress
        _words("no naloxone", "without naloxone", "naloxone free", "naloxone-free"),
        _words("aaa+", "shards", "fishscale", "fish scale", "sin cortar", "sin corte", "reinheit"),
        "чистота", "纯度",
    ),
    *_signals(
        "quality", "trade", 0.3, False,
        _words("pure", "purity", "top shelf", "high quality", "premium", "potent", "fire",
               "best quality", "top stuff", "hq", "aaa", "aaa+", "aaaa", "a+", "grade", "quality",
               "dutch quality", "raw", "strong", "sample", "samples", "free sample",
               # shops grade diamonds, gelatin, powder compacts and supplements alike
               "uncut", "pharma grade", "pharmaceutical grade", "lab tested", "pressed"),
        r"\b\d{2}(?:[.,]\d+)?\s?%",
    ),
    *_signals(
        "payment", "trade", 0.5, True,
        # "bitcoin" and "crypto" alone name goods too (chocolate coins, wallets, books)
        _words("btc", "monero", "xmr", "usdt", "bitcoin only", "btc only", "pay with bitcoin",
               "pay in bitcoin", "paid in bitcoin", "bitcoin accepted", "accept bitcoin",
               "accepts bitcoin", "bitcoin payment", "payment in bitcoin", "via bitcoin",
               "crypto only", "pay with crypto", "pay in crypto", "crypto accepted",
               "crypto payment", "cashapp", "cash app",
               "venmo", "zelle", "apple pay", "western union", "moneygram", "paypal f&f",
               "friends and family"),
    ),
    *_signals("dealer-emoji", "trade", 0.4, True, "🔌"),
    # how the goods are taken, as a pill seller vouches for them: drug-specific, light
    *_signals(
        "use", "trade", 0.2, True,
        _words("snort", "snortable", "crush and snort", "crush/snort", "crush / snort", "ivable",
               "iv-able"),
    ),
    *_signals(
        "emoji", "trade", 0.25, False, "📦", "💰", "💵", "💸", "🍪", "🪂", "🚀", "💣", "💥", "💯",
    ),
    *_signals(
        "request", "solicitation", 0.7, False,
        _words("achat", "quelqu'un a", "un plan pour", "cerco qualcuno", "qualcuno che venda",
               "buscando", "busco comprar", "quiero pillar", "alguien que venda", "quien vende",
               "alguem vende", "alguien vende", "alguien tiene", "onde comprar", "donde comprar",
               "where do people buy", "where do i get", "who's selling", "whos selling",
               "anyone need", "who need", "who needs", "still got", "can you get me", "sort me",
               "split an ounce", "how much for", "do you deliver", "need some", "wanna buy",
               "kto prodaet", "hat jemand", "wer hat"),
        _words("looking to buy", "looking to get", "want to buy", "wanna buy",
               "wtb", "where to buy", "need a plug", "need a connect", "tryna cop",
               "trying to cop", "can i get", "can someone get me", "hook me up", "busco",
               "compro", "quiero comprar", "donde consigo", "je cherche", "j'achete",
               "ich suche", "suche", "kaufe", "procuro"),
        r"\bwhere can i (?:get|buy|find|cop|order)\b",
        r"\banyone (?:selling|got|have|has|know where)\b",
        r"\bwho (?:has|sells|got)\b",
        "куплю", "ищу", "где купить", "求购", "哪里买", "想买", "أريد شراء", "اين اشتري", "أين أجد",
    ),
    *_signals("request-weak", "solicitation", 0.45, False, _words("looking for")),
    # Context that argues against trade
    # a headline's charge: someone "accused of selling", "jailed for dealing" is news, whatever
    # the amounts and substances beside it
    *_signals(
        "news", "context", 0.9, False,
        r"\b(?:accused|suspected|charged|jailed|convicted|arrested|sentenced|guilty|caught|"
        r"busted|indicted|on trial|admits|admitted|denies|denied|prosecuted|imprisoned)"
        r"(?: \w+){0,2} (?:of|for|with) (?:selling|dealing|supplying|trafficking|possessing|"
        r"importing|smuggling|distributing|manufacturing|producing)\b",
    ),
    *_signals(
        "news", "context", 0.6, False,
        _words("police", "policia", "cops", "seized", "seizure", "seizures", "confiscated",
               "arrested", "arrest", "charged", "indicted", "sentenced", "convicted", "jailed",
               "prosecutor", "prosecutors", "court", "on trial", "trial of", "the trial",
               "investigation", "authorities",
               "officials said", "according to", "reported", "report says", "cartel",
               "trafficking", "traffickers", "smuggling", "dea", "customs officers",
               "border patrol", "overdose deaths", "crisis", "epidemic", "study", "researchers",
               "survey", "percent of", "incautacion", "incautaron", "detenido", "detenidos",
               "saisie", "saisi", "interpelle", "polizei", "beschlagnahmt", "festgenommen",
               "apreensao", "preso", "autorites", "autoridades", "behorden", "autorita",
               "legalised", "legalized", "legalisation", "legalization", "possession",
               "decriminalised", "decriminalized", "government", "ministry", "minister",
               "parliament", "law", "laws", "bill", "erlaubt", "gesetz", "besitz", "loi", "ley",
               "customs agents", "agents", "officers", "pleaded guilty",
               "justice department", "gendarmerie", "dismantled", "coast guard", "investigators",
               "offloaded", "street value", "worth an estimated", "douane", "onderschept",
               "juzgado", "condeno", "prision", "tribunal", "condamne", "gericht", "verurteilt",
               "jailed", "prison", "raid", "raided", "bust", "busted", "intercepted",
               "said", "says", "told", "news", "journalist", "documentary", "article",
               # asking to learn, not to buy
               "busco informacion", "informacion sobre", "information about",
               "je cherche des infos", "infos sur", "informationen uber"),
        "изъят", "задержан", "полиция", "суд", "警方", "缴获", "查获", "الشرطة", "ضبط",
    ),
    *_signals(
        "harm-reduction", "context", 0.6, False,
        _words("harm reduction", "test strip", "test strips", "fentanyl strips",
               "drug checking", "drug testing service", "test your", "naloxone", "narcan",
               "never use alone", "start low", "go slow", "overdose prevention", "safer use",
               "safe use", "helpline", "get help", "treatment", "recovery", "addiction support",
               "needle exchange", "seek medical"),
    ),
    *_signals(
        "medical", "context", 0.5, False,
        _words("my doctor", "my dr", "my doc", "prescribed", "appetite", "made me", "makes me",
               "works", "worked", "works like a charm", "10/10", "focus", "panic", "depression",
               "prescribed me", "my dose", "my doses", "the dose", "daily dose", "dose of",
               "doses of", "low dose", "high dose", "higher dose", "lower dose", "starting dose",
               "missed dose", "missed a dose", "first dose", "same dose", "dose was",
               "for flying", "symptoms", "prescription for",
               "my prescription",
               "side effect", "side effects", "i take", "i took", "i was taking",
               "i have been taking", "i've been taking", "been on", "taking it for",
               "withdrawal", "tapering", "taper", "pharmacist", "my pain", "chronic pain",
               "surgery", "diagnosed", "dosage", "my psychiatrist", "insurance", "copay",
               "refill", "patient", "goodrx", "walmart", "cvs", "walgreens", "costco",
               "prescription charge", "savings card", "coming off", "came off", "tapered",
               "put on", "switched me", "switched to", "daily", "twice a day", "once a day",
               "three times a day", "a day", "per day", "at bedtime", "every night",
               "every morning", "out of 5", "5 stars", "five stars", "helped", "helps", "relief",
               # pain, nausea, an operation, the doctor, health insurance in other languages
               "pijn", "douleur", "douleurs", "dolor", "schmerzen", "nausees", "nauseas",
               "misselijk", "ubelkeit", "operatie", "operation", "operacion", "huisarts", "arzt",
               "arztin", "medecin", "medico", "krankenkasse", "mutuelle", "chronische",
               "my gp", "gp", "me lo recetaron", "me recetaron", "recetado", "recetada",
               "psychiatrist", "nurse", "hospital", "anxiety", "adhd", "insomnia", "narcolepsy",
               "sciatica", "migraine", "arthritis", "cancer pain", "back pain", "my husband",
               "my wife", "my son", "my daughter", "my mum", "my mom", "my dad", "the pharmacy",
               "my pharmacy", "nhs"),
        r"\bevery \d+ (?:hours|hrs|days)\b",
    ),
    *_signals(
        "pharmacy", "context", 0.7, False,
        _words("prescription required", "prescription only", "rx only",
               "requires a prescription", "requires prescription", "valid prescription",
               "prescription needed", "pharmacy medicine", "pharmacy only", "pom",
               "consult your doctor", "consult a pharmacist", "ask your pharmacist",
               "read the label", "licensed pharmacy", "registered pharmacy", "con receta",
               "rezept erforderlich", "nur auf rezept", "receta medica", "prescription charge",
               "nhs prescription", "pharmacist check", "answer a few questions",
               "rezepts", "arzneimittel"),
        "rezept erforderlich", "rezeptpflichtig", "verschreibungspflichtig",
        _words(
               "sur ordonnance", "verschreibungspflichtig", "rezeptpflichtig",
               "apothekenpflichtig"),
        "по рецепту", "рецептурн", "处方", "بوصفة",
        # how pharmacies mark prescription and controlled medicines on a product row
        r"\((?:rp|rx|pom|cd)\.?\)", r"(?:^|[\s(,;-])(?:rp|rx|pom|cd)\.?\s*\)?\s*$",
        r"[-,;]\s(?:rp|rx|pom)\.?,",
        r"\bschedule [1-5] (?:cd|controlled drug)\b", r"\bcd\s?(?:sch|schedule)\s?[1-5]\b",
        _words("controlled drug", "btm", "btm-rezept", "ricetta medica", "ricetta", "receita",
               "receita azul", "receita medica", "tarja preta", "tarja vermelha", "recete",
               "receteli", "yesil recete", "kirmizi recete", "na recepte", "lek na recepte",
               "receptgeneesmiddel", "ur geneesmiddel", "receptplichtig", "sob prescricao",
               "prescricao medica", "sujeto a prescripcion",
               "prescripcion medica", "receta", "rezeptpflichtig", "liste i", "liste ii"),
    ),
    # Hemp products sold legally state their THC below the legal limit ("THC < 0.2%"), and
    # licensed stores and pharmacies say what they are: a shop's row, whatever the strain name
    *_signals(
        "legal-cannabis", "context", 0.7, False,
        _words("terpene", "terpenes", "terpene blend", "dispensary pickup", "licensed cannabis",
               "licensed producer", "licensed store", "medicinal cannabis", "medicinale cannabis",
               "medizinal cannabis", "medizinalcannabis", "cannabis flos"),
        r"\b(?:18|19|21)\+(?:\s|$|[,.;)])",
        # "THC < 0.2%", "under 0.3% Δ9-THC", "0.2% THC" (Δ9 or delta-9 written before it)
        r"\b" + _THC + r"(?:[- ]?(?:gehalt|content|level))?\s?(?:<|≤|less than|under|below"
        r"|max\.?|unter|inferior a|inferior al|inferiore a|inferiore al|inferiore allo"
        r"|inferieur a|moins de|menos de|menor que|meno di|minder dan|ponizej|mindre an"
        r"|lavere enn|alle)\s?" + _HEMP_LIMIT,
        r"\btaux de thc inferieur a 0?[.,][0-3]",
        r"(?:<|≤|under|below|less than|max\.?)\s?" + _HEMP_LIMIT + r"\s?(?:of\s)?(?:total\s)?"
        + _THC + r"\b",
        r"\b" + _HEMP_LIMIT + r"\s?" + _THC + r"\b",
        # a CBD product: what legal hemp shops sell (markets rarely list it)
        _words("cbd"),
    ),
    # a perfume is named for its mood ("Opium", "Black Opium", "Poison"), not its contents, and
    # make-up comes in grams ("Pillow Talk lipstick 3.5g")
    *_signals(
        "cosmetics", "context", 0.9, False,
        _words("eau de toilette", "eau de parfum", "parfum", "perfume", "cologne", "aftershave",
               "edt", "edp", "body mist", "lipstick", "lip gloss", "lip balm", "eyeshadow",
               "eye shadow", "mascara", "blusher", "bronzer", "highlighter", "concealer",
               "nail polish", "lustre dust", "luster dust", "edible glitter"),
    ),
    *_signals(
        "negation", "context", 0.8, False,
        _words("not selling", "not for sale", "don't sell", "dont sell", "i don't sell",
               "never buy", "don't buy", "dont buy", "stay away from", "avoid", "warning",
               "beware", "scam"),
    ),
]  # fmt: skip


_LONGEST_SIGNAL = 200  # characters: no trade signal is longer
_EDGE_CHARS = frozenset(" \t\n\r,.;:!?()[]{}<>'\"-/*|")


class TradeSignalDetector(Detector):
    name = "trade"
    finds = ("trade", "solicitation", "context")
    examples = (
        Example("Acetone 1L back in stock", finds=(("trade", "stock"),), note="a shop's notice"),
        Example("Sustanon 250", finds=(("trade", "dose"),), note="a strength closing a title"),
        Example(
            "1g for sale, stealth shipping worldwide",
            finds=(("trade", "sale"), ("trade", "stealth")),
        ),
        Example("£20 a gram, hmu", finds=(("trade", "price"), ("trade", "contact"))),
        Example("(10) Norco 10/325", finds=(("trade", "quantity"),), note="a count in brackets"),
        Example("5 points imported", finds=(("trade", "quantity"),), note="tenths of a gram"),
        Example("Blue Dream Half LB", finds=(("trade", "quantity"),), note="an amount in words"),
        Example("Oxy 80mg, crush and snort", finds=(("trade", "use"),), note="how it is taken"),
        Example(
            "Two men accused of selling 2kg of heroin",
            finds=(("context", "news"),),
            note="a headline's charge",
        ),
        Example("Buy oxycodone online without prescription", finds=(("trade", "no-prescription"),)),
        Example("looking to buy some tonight", finds=(("solicitation", "request"),)),
        Example("research chemical, not for human consumption", finds=(("trade", "cover"),)),
        Example(
            "vendo 5 gramos, envío a todo el país", finds=(("trade", "sale"), ("trade", "shipping"))
        ),
        Example("продам, доставка по городу", finds=(("trade", "sale"), ("trade", "shipping"))),
        Example("出售 有货 发货", finds=(("trade", "sale"), ("trade", "shipping"))),
        Example("للبيع توصيل سريع", finds=(("trade", "sale"), ("trade", "shipping"))),
        Example("Police seized 5 kg, officials said", finds=(("context", "news"),)),
        Example("Tilidin 50 mg 20 St. (Rp)", finds=(("context", "pharmacy"),), note="Rx mark"),
        Example("Tramadol 50 mg 20 kapsułek – lek na receptę", finds=(("context", "pharmacy"),)),
        Example("CBD oil 5%, THC < 0.2%", finds=(("context", "legal-cannabis"),)),
        Example("YSL Opium eau de parfum 50ml", finds=(("context", "cosmetics"),)),
        Example("My doctor prescribed it, side effects were mild", finds=(("context", "medical"),)),
        Example("See you at the park at 5", absent=("*",)),
    )

    def __init__(self, context: DetectorContext):
        super().__init__(context)
        self.signals = SIGNALS
        patterns = [lower_view(s.pattern) for s in self.signals]
        # multi-line: ^ and $ hold at every item edge of the joined batch. No start-of-match
        # tracking (it costs hyperscan 2.5x): the few hits find their start with Python's re,
        # anchored at the end hyperscan reported; ASCII \b as in hyperscan.
        flags = [MULTILINE | (0 if p.isascii() else UTF8) for p in patterns]
        self._patterns = PatternSet(
            [p.encode() for p in patterns], flags=flags, cache=context.pattern_cache
        )
        self._ending_at = [
            re.compile(f"(?:{p})\\Z", re.MULTILINE | (re.ASCII if p.isascii() else 0))
            for p in patterns
        ]

    def detect(self, batch: TextBatch) -> list[Sequence[Detection]]:
        found = Findings(len(batch))
        seen: set[tuple[int, int, int, str]] = set()
        lower = batch.lower
        for pattern_id, item, _, end in self._patterns.scan(batch, "lower"):
            signal = self.signals[pattern_id]
            text = batch.texts[item]
            offset = int(batch.starts[item])
            found_start = self._ending_at[pattern_id].search(
                lower, max(offset, offset + end - _LONGEST_SIGNAL), offset + end
            )
            if found_start is None:
                continue  # cannot happen for the patterns here; never report a made-up span
            start = found_start.start() - offset
            while start < end - 1 and text[start] in _EDGE_CHARS:
                start += 1  # a pattern's leading boundary character is not evidence
            key = (item, start, end, signal.category)
            if key in seen:
                continue  # one span, one signal per category
            seen.add(key)
            found[item].append(
                Detection(
                    detector=self.name,
                    kind=signal.kind,
                    start=start,
                    end=end,
                    text=text[start:end],
                    value=signal.category,
                    weight=signal.weight,
                    attrs={"drug_specific": signal.drug_specific},
                )
            )
        return found.as_lists(_drop_nested)


_PACK_MULTIPLE = re.compile(r"\d\s?(?:[a-z]{1,3}\s?)?[x×*]\s?\d", re.IGNORECASE)


def _drop_nested(detections: list[Detection]) -> list[Detection]:
    """Hyperscan reports every end of a pattern ("ship", "shipping"): keep the longest span.
    Context inside a trade signal is part of it: "prescription needed" in "no prescription
    needed" is no pharmacy asking for one."""
    ordered = sorted(detections, key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[Detection] = []
    for det in ordered:
        inside = [k for k in kept if det.start >= k.start and det.end <= k.end]
        if any(k.value == det.value for k in inside):
            continue
        if det.value == "street-quantity" and any(
            k.value == "quantity" and _PACK_MULTIPLE.search(k.text) for k in inside
        ):
            continue  # "3 x 7g" is three sachets of yeast, "0.3g*20" a pack of capsules
        if det.kind == "context" and any(k.kind != "context" for k in inside):
            continue
        kept.append(det)
    return kept
