"""Verdicts end to end: offers (plain and disguised, in many languages) are flagged; hard
negatives (news, harm reduction, pharmacies, patients, everyday goods that share a word with
street slang) are not; and every verdict is internally consistent.

Texts are written for this file (none are copied from eval/data/). Run through the shared
``screener`` fixture: every detector, the shipped KB and the rule scorer.
"""

from __future__ import annotations

import re
import shutil

import pytest

from interdiction.detect.opsin import bundled_jar
from interdiction.model import Assessment, Label

needs_opsin = pytest.mark.skipif(
    shutil.which("java") is None or bundled_jar() is None,
    reason="systematic names of unlisted analogues are parsed by OPSIN, which needs Java",
)

# --------------------------------------------------------------------------- offers
# (test id, text): each must come back label "offer", flagged.
PLAIN_OFFERS = [
    ("plain-fentanyl", "Selling fentanyl powder 5g, DM for prices, ship worldwide"),
    ("nitazene-proto",
     "protonitazene powder 99% purity, 10g, worldwide shipping, wickr: chemvendor"),
    ("nitazene-meto", "metonitazene available, 5g sample, pay with BTC, telegram @nitazene_lab"),
    ("nitazene-iso", "isotonitazene 99.8%, bulk orders, discreet shipping worldwide"),
    # market titles named by strain, steroid product or lab abbreviation
    ("strain-weak-stealth", "Blue Dream 7g shipped stealth"),
    ("strain-strong", "Bubblelicious 1/4 oz indoor AAA"),
    ("strain-og", "Alien OG 28 grams, ships from US"),
    ("strain-seeds", "Autoflower seeds 10 pack, discreet shipping"),
    ("space-cake", "Space cakes 10 pack, 200mg each, ships from NL"),
    ("thc-carts", "THC carts 1g, ships from US"),
    ("tren-vial", "Tren E 200mg 10ml vial"),
    ("deca-strength", "Deca 250"),
    # a name with a hyphenated letter ("2C-I", "5-MeO") is no first-person story
    ("2ci-dose", "2C-I 25mg x 10"),
    ("5meo-gram", "5-MeO-DMT 1g"),
    ("pipe-for-l", "tramado| powder 10g"),
    # how dark-web markets sell buds: hand-trimmed, finalise early
    ("fe-hand-trimmed", "*FE SPECIAL* Sour Diesel 1/2 lb (227g) || Greenhouse || Hand-Trimmed"),
    ("sustanon-strength", "Sustanon 250 10ml"),
    # what is sold with an ambiguous name confirms it: a pill press beside its strength, a
    # strain with no weighed everyday sense beside a weight
    ("press-strength", "Tesla 250mg pills x 20"),
    ("press-strength-range", "Blue Punisher 200-220mg, 10 pills"),
    ("strain-weight", "1oz Headband"),
    ("strain-weight-lb", "Amnesia Haze 1 lb"),
    ("food-strain-drug-context", "Blue Cheese 28g indoor, stealth shipping"),
    ("strain-weight-grade", "1oz Lemon Haze AAA"),
    # a count of the named product, doses of an edible
    ("count-bars", "15,000 pfizer xanax bars"),
    ("count-blotter", "25 LSD Blotter"),
    ("edible-doses", "THC chocolate bar, 10 doses"),
    ("subutex-no-naloxone", "Subutex 8mg x 10, no naloxone"),
    ("street-name-strength", "Oxy 80mg x 10"),  # a pill medicine's street name and strength
    ("strength-street-name", "80mg oxy old school 5 pills"),
    ("trial-size", ".5gr Clean & Clear MDMA - Trial"),  # a trial pack, not a court
    ("ambiguous-with-use", "1 Oxy 80 Mg Real Deal, Crush / Snort In Hand"),
    ("test-e-vial", "Test E 250 10ml vial, domestic shipping"),
    ("listed-analogue-systematic",
     "N-phenyl-N-[1-(2-phenylethyl)piperidin-4-yl]cyclopropanecarboxamide, 10g for sale, "
     "discreet shipping"),
    ("cas-precursor", "CAS 79099-07-3 in stock, safe delivery"),
    ("cas-partial", "CAS79099 in stock, fast shipping to USA and Mexico, whatsapp +1 555 201 3344"),
    ("cas-with-name",
     "Precursors 4-ANPP in stock CAS 21409-26-7, door to door delivery, safe customs clearance"),
    ("bmk-glycidate", "BMK glycidate CAS 5413-05-8 factory supply, safe delivery to Europe"),
    ("rogue-pharmacy-oxy", "Buy oxycodone online without prescription"),
    ("rogue-pharmacy-tramadol",
     "Cheap Tramadol 200mg without prescription, overnight delivery, pay with bitcoin"),
    ("rogue-pharmacy-adderall", "Order Adderall 30mg online no Rx, discreet packaging"),
    ("title-xanax", "10 x Xanax 2mg bars"),
    ("title-cannabis", "3.5g Blue Dream"),
    ("title-cocaine", "1g cocaine 90% pure"),
    ("title-oxycontin", "2 x Oxycontin 80mg"),
    ("title-lsd", "5 x 250ug LSD blotters"),
    ("title-mdma", "1g MDMA crystal 84%"),
    ("title-strain", "28g Gorilla Glue #4 top shelf"),
    ("solicit-xans", "looking to buy xans, dm me"),
    ("solicit-bars", "Anyone know where to buy xanax bars? dm me"),
    ("solicit-molly", "wtb molly this weekend, hmu"),
    ("street-oxy-slang", "get your oxy 80s here, no rx needed, ship overnight"),
    # counts and amounts as market titles write them
    ("count-in-brackets", "(10) Norco 10/325 Hydrocodone - Watson Brand"),
    ("count-glued", "5xOxycodon \"OXYGESIC AKUT\" ORIGINAL MUNDIPHARMA"),
    ("count-before-bars", "20 Pfizer Brand Xanax Bars2mg."),
    ("points", "5 points imported Meth"),
    ("amount-in-words", "#4 Thai Heroin One gram"),
    ("bare-amount-opening", "0.2 GOOD BROWN #3 HEROIN"),
    ("seller-voice", "100g of our world famous soft Ketama Hash."),
    ("press-count-colour", "5x Green Partyflock"),
    ("strain-half-lb", "Caliconnect Blue Dream GH Half LB"),
    ("strain-new", "3.5g Maui Wowi - 20$ Limited New Seller Sale"),
    ("decimal-comma", "CRYSTAL 0,5 gr."),
    ("medicine-market-count", "Xanax 2mg x 100 tablets"),  # a market's count, not a pack
    ("medicine-pack-illicit", "Diazepam 10mg 28 tablets, no prescription needed"),
    ("medicine-market-dash", "Diazepam 10mg - 100 Tabletten"),  # a vendor's count, not a pack
    # market words and units of other languages
    ("ru-tramadol-units", "Трамадол 100мг - 15 капсул"),
    ("ru-xanax-units", "Ксанакс 1мг x 25 таблеток"),
    ("pl-cocaine", "Kokaina 2g - Peru - wysyłka PL"),
    ("nl-weed", "Nederwiet 50g - Indoor"),
    ("de-amphe-paste", "Amphe Paste 1kg - Großhandel"),
    ("ru-dead-drop", "Шишки Cheese 3г прикоп"),
    ("press-new", "[UK] 20x Pink Cartier 240mg"),
    ("fr-skenan", "Skenan 100mg x 14"),
    ("wickr-weak-name", "Wickr only – 1lb indoor Gelato – USA"),
    ("press-colour-count-after", "Blue Tesla (x25)"),
    ("strain-bare-lb", "LB Blue Dream indoor"),
    ("pill-title-count-after", "Grey Audi 240mg x10"),
    ("pill-title-count-before", "50 x Orange Kinder Surprise 220mg"),
    ("price-tiers", "🚀 SAME DAY 🚀 London drop – Kush 3.5 / 7 / 14 / 28"),
    ("pl-pieces", "Ecstasy Punisher niebieski 10 szt"),
    ("route-domestic-after", "HP Master Kush - domestic US"),
    ("litres", "Ayahuasca brew 1L"),
    ("press-inside-pill-title", "Blue Tesla 240mg"),
    ("bare-fraction-strain", "Purple Haze 1/4"),
    ("bare-fraction-name", "Bubba Kush 1/8"),
    ("fi-alprazolam", "Alpratsolaami 3mg 100 tablettia | Tosi vahva"),
    ("vial", "KETAMINE LIQUID 1 VIAL"),
    ("press-count-with-notes", "200x Green Ferrari - EU - bulk deal"),
    ("ru-street-gram", "Соль СК кристалл 1г"),
]  # fmt: skip

# (test id, text, substance id, how the name was disguised)
DISGUISED_OFFERS = [
    ("leetspeak", "selling f3ntanyl 10g, tg @plug, BTC only", "fentanyl", "leetspeak"),
    ("fullwidth", "ｆｅｎｔａｎｙｌ for sale, discreet shipping, wickr me", "fentanyl", "styled"),
    ("spaced-letters", "F E N T A N Y L available now, 2g, telegram @opiatesdirect", "fentanyl",
     "spacing"),
    ("hyphenated-letters", "M-D-M-A pills 20 for $100, stealth shipping", "mdma", "spacing"),
    ("spaced-acronym", "sell M D M A 100 pills, 2 euro each, telegram", "mdma", "spacing"),
    ("zero-width", "fen\u200btan\u200byl in stock, 10g, contact on telegram", "fentanyl",
     "zero-width"),
    ("cyrillic-e", "fеntanyl for sale 5g discreet", "fentanyl", "homoglyph"),
    ("cyrillic-three", "fеntаnуl for sale, 5g, ship worldwide", "fentanyl", "homoglyph"),
    ("cyrillic-acronym", "МDМА crystals for sale, 10g, telegram", "mdma", "homoglyph"),
    ("math-bold", "𝐟𝐞𝐧𝐭𝐚𝐧𝐲𝐥 for sale, 5g, telegram @rx_king", "fentanyl", "styled"),
    ("enclosed", "ⓕⓔⓝⓣⓐⓝⓨⓛ available, 10g, dm me", "fentanyl", "styled"),
    ("fancy-text", "gяαм σƒ ρυяє Cσcαιηє 90%, ships from EU", "cocaine", "homoglyph"),
    # an ambiguous name spelt letter by letter: a disguise, still weighed with its context
    ("spaced-slang", "c-o-k-e 1g £70, Bristol drop", "cocaine", "spacing"),
    ("leet-slang", "c0ke 1g 80€ wickr: snowman77", "cocaine", "leetspeak"),
]  # fmt: skip

# (test id, text, substance id): drug emoji, counted only beside dealer context
EMOJI_OFFERS = [
    ("snow-plug", "❄️❄️ 🔌 dm for prices, delivery tonight, tg @snowman", "cocaine"),
    ("snow-three", "❄️❄️❄️ 🔌 available now, tg @snowplug", "cocaine"),
    ("maple-leaf", "🍁🍁 top shelf gas 28g, tap in, 📦 shipping nationwide", "cannabis"),
    ("mushrooms", "🍄🍄 shrooms 🔌 hit me on snap for the menu", "psilocybin-mushrooms"),
    ("pills-percs", "💊💊 percs 30s available, 🔌 hit my snap", "oxycodone"),
]  # fmt: skip

# (test id, text): natural seller and buyer phrases in other languages
MULTILINGUAL_OFFERS = [
    ("es-cocaine", "vendo cocaína 50 el gramo, envío discreto"),
    ("pl-mephedrone", "Sprzedam mefedron, wysyłka w całej Polsce"),
    ("bath-salts-cover", "bath salts 1g stealth shipping, not for human consumption"),
    ("de-koks", "Koks 80€/g, sauber, Treffen in Hamburg"),
    ("es-ecstasy", "vendo éxtasis pastillas, 10 por 50 euros, whatsapp"),
    ("es-weed", "Vendo marihuana de calidad, 10 gramos 50 euros, envío discreto"),
    ("es-request", "Alguien vende perico? pago bien, escríbeme al WhatsApp"),
    ("fr-cocaine", "je vends de la cocaïne, 60 le gramme, livraison discrète"),
    ("fr-heroin-price", "je vends de l'héroïne 40 le gramme, livraison discrète"),
    ("fr-request", "Je cherche de la coke sur Lyon, contactez-moi en privé"),
    ("de-cocaine", "verkaufe Kokain, 1g 70 Euro, diskreter Versand"),
    ("de-meth", "Crystal Meth zu verkaufen, 5g, Versand per Post, Telegram"),
    ("de-request", "Suche Ecstasy Pillen, bitte per Telegram melden"),
    ("pt-cocaine", "vendo cocaína pura, 1g por 80 reais, entrega discreta, chama no zap"),
    ("pt-weed", "vendo maconha prensada, 100g, entrega rápida"),
    ("pt-ecstasy", "Vendo ecstasy, 10 comprimidos por 150 reais, entrega discreta"),
    ("pt-request", "Procuro comprar cocaína, alguém tem? chama no whatsapp"),
    ("ru-mephedrone", "продам мефедрон, закладки"),
    ("ru-heroin", "продаю героин, закладки по городу, телеграм"),
    ("ru-amphetamine", "Продаю амфетамин, оптом и в розницу, доставка, пишите в телегу"),
    ("ru-request", "Куплю мефедрон, срочно, пишите в личку"),
    ("ru-slang-request", "куплю меф, пишите в тг"),
    ("zh-meth", "出售冰毒 微信联系"),
    ("zh-fentanyl", "出售芬太尼，货到付款，微信联系"),
    ("zh-ketamine", "高纯度K粉出售，全国包邮，加微信"),
    ("zh-ecstasy", "出售摇头丸，量大从优，微信联系"),
    ("zh-request", "收购冰毒，价格好说，加微信"),
    ("ar-hashish", "للبيع حشيش، توصيل سريع، واتساب"),
    ("ar-captagon", "للبيع حبوب كبتاغون، توصيل سريع، واتساب"),
    ("ar-tramadol", "للبيع ترامادول ٢٢٥ بدون وصفة طبية، توصيل سريع"),
]  # fmt: skip

# Offers a user expects flagged that the current rules miss. Each reason says what came back.
MISSED_OFFERS = [
    pytest.param(
        "Oxycodone 30mg, no prescription needed, fast shipping",
        id="en-no-prescription-needed",
    ),
    pytest.param(
        "❄️ 🍃 menu dropping tonight, 🔌 tg @frostyplug, cash or BTC",
        id="emoji-single-snow-menu",
    ),
    pytest.param(
        "Vends héro et coke, livraison rapide sur Paris, contact Snap",
        marks=pytest.mark.xfail(
            strict=True,
            reason=(
                "comes back none, risk 0: 'héro' is not found at all and weak 'coke' is ignored "
                "('no drug context'): sale 'Vends', shipping 'livraison' and contact 'contact "
                "Snap' are not counted as drug context"
            ),
        ),
        id="fr-hero-coke",
    ),
    pytest.param(
        "Buscando comprar perico, alguien que venda? mándame mensaje",
        id="es-request-perico",
    ),
    pytest.param(
        "verkaufe Gras, 10g 100 Euro, Abholung oder Versand",
        marks=pytest.mark.xfail(
            strict=True,
            reason=(
                "comes back none, risk 0: weak 'Gras' is ignored ('no drug context'): sale "
                "'verkaufe', price '100 Euro', quantity '10g' and shipping 'Versand' are not "
                "counted as drug context"
            ),
        ),
        id="de-gras",
    ),
    pytest.param(
        "Продаю 5 грамм героина, закладки по Москве, пиши в телегу",
        id="ru-heroin-genitive",
    ),
    pytest.param(
        "بيع الكبتاغون بالجملة، توصيل لكل المدن، واتساب",
        id="ar-captagon-article",
    ),
    pytest.param(
        "أبيع كريستال ميث، الدفع بالبيتكوين، تواصل عبر تيليجرام",
        id="ar-crystal-meth",
    ),
]

# --------------------------------------------------------------------------- hard negatives
# (test id, text): must not be flagged; a mention (substance without trade) or none.
HARD_NEGATIVES = [
    ("replica-grade", "Rolex Submariner Black ETA [AAA+] replica watch, free shipping"),
    ("battery-grade", "AAA batteries 24 pack, long lasting"),
    # news
    ("news-seizure", "Police seized 5 kg of fentanyl at the border, officials said"),
    ("news-trial", "Dealer on trial for selling 5g of MDMA outside a school"),
    ("spaced-slang-shop", "g r a s s seed 1kg £7.99"),  # spelt out, but no drug context
    ("koks-fuel", "Koks für den Grill, 10 kg Sack, 12,99 €"),
    ("gum-strength", "Nicorette Icy White gum 4mg 105 pieces"),  # 'gum' is opium's too
    # pharmacy shelves: medicines the KB lists for their misuse, in pack sizes
    ("pharmacy-propranolol", "Propranolol 40mg 28 tablets"),
    ("pharmacy-dimenhydrinate", "Dramamine Motion Sickness 50mg 12 tablets"),
    ("pharmacy-codeine-linctus", "Codeine Linctus 200ml"),
    # grocery shelves: a pack multiple is no street weight, a gift card no payment to a dealer
    ("yeast-sachets", "Dr. Oetker Speed Yeast 3 x 7g"),
    ("gift-card", "Mandy's Salad Bar gift card £25"),
    ("bath-salts", "Bath salts lavender 500g"),
    ("badesalz", "Badesalz Lavendel 500g"),
    # strains named after foods and products, on the shelves they were named after
    ("strain-dressing", "Blue Cheese dressing 250ml"),
    ("strain-pineapple", "Pineapple chunks in juice 432g"),
    ("strain-candy", "Moon Rocks candy 50g"),
    ("strain-shower-gel", "Lemon Haze shower gel 250ml"),
    ("strain-cookies", "Do-si-dos Girl Scout cookies 9 oz"),
    ("strain-ice-cream", "Sunset Sherbet ice cream 1 pint"),
    ("speed-caffeine", "Speed 200mg caffeine tablets"),
    ("discreet-dress", "Discreto vestido negro talla M 25€ envío gratis"),
    ("news-charge", "Two men accused of selling 2kg of heroin in Leeds"),
    ("news-customs",
     "Customs officers found 200 kg of cocaine hidden in a banana shipment, the ministry said on "
     "Tuesday"),
    ("news-treatment",
     "Heroin assisted treatment programme expands to two more clinics, health ministry says"),
    ("news-study", "Study finds ketamine reduces depression symptoms in clinical trial"),
    ("news-test-strips", "Fentanyl test strips are now legal in Texas, lawmakers said"),
    ("es-news", "La policía incautó 300 kilos de cocaína en el puerto de Valencia, informó el "
                "ministerio"),
    ("fr-news", "Le fentanyl a tué plus de 70 000 personnes aux États-Unis en 2022, selon les "
                "autorités"),
    ("de-news", "Die Polizei hat 40 Kilo Kokain im Hamburger Hafen beschlagnahmt"),
    ("ru-news", "Полиция изъяла 2 кг героина на границе, сообщили в МВД"),
    ("zh-news", "警方在边境查获冰毒50公斤"),
    # harm reduction
    ("harm-reduction-test", "Test your MDMA with a reagent kit and never use alone"),
    ("harm-reduction-naloxone",
     "Carry naloxone if you or your friends use opioids; fentanyl test strips are free at the "
     "clinic"),
    ("fr-harm-reduction", "Testez votre MDMA avec un réactif et ne consommez jamais seul"),
    ("fr-harm-reduction-dose",
     "Analyse ta MDMA avant de consommer, commence par une petite dose et ne consomme jamais seul"),
    ("pt-harm-reduction", "Nunca use sozinho: teste sua MDMA e tenha naloxona por perto"),
    # prescription-only pharmacy text
    ("pharmacy-rx-only", "Oxycodone 10mg tablets – prescription only, ask your pharmacist"),
    ("pharmacy-rx-required",
     "Tramadol 50mg capsules, 30 pack. Prescription required. Speak to our pharmacist before "
     "ordering."),
    ("de-pharmacy", "Tramadol 50 mg Kapseln, verschreibungspflichtig – Beratung in Ihrer Apotheke"),
    # patients
    ("review-oxycodone", "My doctor switched me to oxycodone 5mg for back pain, side effects mild"),
    ("review-alprazolam",
     "Been on sertraline and alprazolam 0.5mg for a year, the anxiety is much better"),
    ("review-adderall", "Got my Adderall refill today, pharmacy was out for two weeks"),
    ("es-review", "Mi médico me recetó tramadol para el dolor de espalda, me dio náuseas"),
    # everyday commerce sharing a word with street slang
    ("snow-boots", "Women's snow boots, waterproof, size 8, $45, free shipping"),
    ("snow-boots-dm", "Selling my old snowboard and snow boots, DM me"),
    ("snow-globes", "Selling snow globes and crystal figurines, 10 for $50, DM me"),
    ("coke-zero", "Coke Zero 24 pack for $12 at the store this week"),
    ("purple-haze-bulbs", "Purple Haze tulip bulbs 10 pack"),
    ("purple-haze-led", "Purple haze LED bulb 9W | $12.50"),
    ("mary-jane-shoes", "Mary Jane school shoes size 5"),
    ("mary-jane-shoes-price", "Mary Jane shoes girls £24.99 – save 20%"),
    ("blue-dream-dye", "Blue Dream hair dye | $1.49"),
    ("hemp-seeds-pt", "Sementes de cânhamo 200 g"),
    ("hemp-seeds-en", "Hulled hemp seeds 500g, organic"),
    ("acetone-in-stock-ru", "Ацетон 500 мл (19,99 ₽) – в наличии"),
    ("acetone-in-stock", "Acetone nail polish remover 250ml, in stock"),
    ("coca-cola-ru", "Кока-Кола Зеро 1,5 л – 24,99 руб."),
    ("lawn-grass-ru", "Газонная трава 1 кг | 19,99 руб."),
    ("wedding-cake-toppers", "Wedding cake toppers, 2 pcs, $9.99"),
    ("coke-pepsi-bulk", "Buying Coke and Pepsi in bulk for the office party, delivery needed"),
    ("mandy-moore", "2 tickets for Mandy Moore at the Greek Theatre, $80 each, DM me"),
    ("molly-ringwald", "Molly Ringwald signed poster, $30, free shipping"),
    ("speed-dating", "Speed dating night for over-30s this Friday, tickets $25"),
    ("speed-boat", "Speed boat rental, $200 per day, call now"),
    ("crystal-glasses", "Set of 6 crystal glasses, hand cut, £30, collection only"),
    ("crystal-pepsi", "Crystal Pepsi is back for a limited time, 6-pack $5.99"),
    ("crystal-clear", "crystal clear water, best snorkeling spot, book a tour"),
    ("brown-sugar", "Domino brown sugar 2 lb bag, $3.49, in stock"),
    ("brown-sugar-cafe", "Hot chocolate with brown sugar and whipped cream, $4 at our cafe"),
    ("weed-killer", "Weed killer concentrate 1L, kills roots, fast delivery"),
    ("grass-seed", "Premium grass seed 10kg bag, free delivery, in stock"),
    ("ice-cream-maker", "Ice cream maker, barely used, $40, pick up downtown"),
    ("ice-cream-pint", "Homemade vanilla ice cream, 1 pint for $6, order by text"),
    ("party-ice", "Buy ice online: 10 lb bag of party ice delivered in an hour"),
    ("special-k", "Special K cereal 2 for $5 this week only"),
    ("hash-browns", "Hash browns and eggs, breakfast special $7.99"),
    ("blow-dryer", "Blow dryer for sale, barely used, $25, pick up only"),
    ("charlie-bakery", "Charlie's bakery: cookies 12 for $10, call to order"),
    ("maple-syrup", "Pure Michigan maple syrup, 1 quart, free shipping"),
    ("diesel", "Diesel fuel additive 5 gallon, in stock, fast shipping"),
    ("plug-adapter", "Need a plug adapter for UK sockets, dm me"),
    ("sugar-daddy", "Sugar daddy looking for a sweet arrangement, text me"),
    ("es-snow-boots", "Vendo botas de nieve talla 38, envío a todo el país"),
    ("es-ice", "Vendo hielo en bolsas de 5 kilos, entrega a domicilio"),
    ("fr-crystal", "Vends verres en cristal, lot de 12, livraison possible"),
    ("de-snowshoes", "Verkaufe Schneeschuhe, kaum benutzt, Versand möglich"),
    ("de-crystal", "Verkaufe Kristallgläser, 6 Stück, Versand möglich"),
    ("pt-coke-zero", "Vendo Coca-Cola Zero fardo com 12 latas, entrega rápida"),
    ("ru-snow-scooter", "Продам снегокат, доставка по городу, пишите"),
    ("zh-fridge", "出售冰箱，九成新，微信联系"),
    # ambiguous names beside amounts that shops use too: not confirmed
    ("food-strain-weight", "Cheese 1 lb, aged cheddar"),
    ("gelato-weight", "Pistachio gelato 500g"),
    ("vitamin-e-pills", "Vitamin E 400mg softgels, 100 pills"),
    ("maker-pills", "Sandoz ibuprofen 400mg, 100 pills"),
    ("cotton-pads", "Watsons cotton pads 100 pcs"),
    ("headband-pack", "Indoor cycling headband, 2 pack"),
    ("press-name-watch", "Rolex Datejust 36mm, box and papers, $5,200"),
    ("count-headline", "5 things to know about fentanyl test strips"),
    ("press-name-toy", "2x Red Tesla toy car"),
    ("press-name-mats", "Tesla Model 3 floor mats, 2 pack"),
    ("points-headline", "Shares in cannabis firms fell 5 points, officials said"),
    ("seller-voice-shop", "Our famous Cheese 500g, made on the farm"),
    ("strain-word-book", "Jack Frost picture book, hardback"),
    ("decimal-comma-sugar", "Kristallzucker 0,5 g Portionssticks, 500 Stück"),
    # medicines as pharmacies list them: a dosage form, a usual pack, a prescription mark
    ("pharmacy-pack", "Lorazepam 1mg Tablets 28"),
    ("pharmacy-form", "Tramadol Biogaran 50 mg 30 gélules"),
    ("pharmacy-form-tr", "Contramal 50 mg 20 kapsül"),
    ("pharmacy-solution", "Oramorph 10mg/5ml Oral Solution 100ml"),
    ("pharmacy-mark-de", "Diazepam-ratiopharm 5 mg Tabletten 20 St. (Rp)"),
    ("pharmacy-mark-pt", "Rivotril 2mg 30 comprimidos – receita azul (B1)"),
    ("pharmacy-mark-cd", "Oxycodone 5mg Capsules, 56 – Schedule 2 Controlled Drug"),
    # legal hemp states its THC, or the lack of it
    ("hemp-thc-limit", "CBD Öl 10 % Vollspektrum 10 ml – THC < 0,2 %"),
    ("hemp-thc-free", "Huile CBD 10 % spectre large, sans THC, 10 ml"),
    # shop words that dealers use too, and names that are other things
    ("perfume", "Yves Saint Laurent Black Opium Eau de Parfum 90 ml"),
    ("cosmetics", "Rimmel Stay Matte Pressed Powder 14g – 001 Transparent"),
    ("diamond", "Raw Uncut Diamond 0.5ct rough crystal – certified"),
    ("gelatin", "Bovine Gelatin Powder 250 Bloom 1kg – pharma grade"),
    ("trainers", "Nike Air Max 1 '86 OG Big Bubble, size 9"),
    ("glue", "Gorilla Glue Original 59ml"),
    ("paint", "Benjamin Moore Regal Select Eggshell, China White PM-20, 1 gal"),
    ("tea-province", "Çaykur Rize Turist Çayı 1 kg"),
    ("e-liquid", "E-liquide Classic Blond 10 ml 6 mg"),
    ("pool-acid", "Hydrochloric Acid 10% pH Reducer for Pools & Spas 5L"),
    ("mushroom-spawn", "Shiitake Mushroom Spawn Plug Dowels x 100"),
    ("capsule-pack-zh", "芬必得 布洛芬缓释胶囊 0.3g*20粒"),
    ("scale-resolution", "Digital pocket scale 0.01g, 200g, blue light"),
    ("pharmacy-comma-pack", "Zolpidem 10 mg, 30 comprimidos revestidos"),
    ("pharmacy-ru", "Трамадол 50 мг, 20 капсул, рецептурный"),
    ("pharmacy-mark-mid", "Zolpidem 10mg, 30 tablets — Rx, generic for Ambien"),
    ("pharmacy-box-fr", "Lexomil 6 mg comprimés quadrisécables, B/30"),
    ("lab-supplier-cas", "Toluene ACS Reagent ≥99.5%, 1 L, CAS 108-88-3"),
    ("shop-pure-claim", "Dried Catnip 30g Tub – 100% pure, no fillers"),
    ("coffee-vacuum", "Kenya AA Whole Bean Coffee 1kg – vacuum sealed"),
    ("chocolate-coins", "Chocolate Bitcoin Coins Gold Foil x 20"),
    ("perfume-opium", "Yves Saint Laurent Opium Eau de Toilette 50ml"),
    ("terpenes", "OG Kush Terpene CBD E-liquid 1000mg 10ml"),
    ("feta-cheese", "Feta cheese 200g, Greek PDO"),
    ("ru-salt", "Соль поваренная 1кг"),
    ("ru-pharmacy-brand", "Лирика 75 мг 56 капсул"),
    ("wheel-cleaner", "Autoglym wheel cleaner 500ml"),
    ("press-name-pair", "Red Rolex (x2)"),
    ("press-name-model", "Blue Tesla Model 3 x2"),
    ("supplement-colour", "Green Tea 250mg x 60"),
    ("lipstick-grams", "Charlotte Tilbury Pillow Talk Matte Revolution Lipstick 3.5g"),
    ("sweets-grams", "Warheads Extreme Sour Hard Candy 28g"),
    ("hemp-limit-it", "Cannabis light Amnesia 3 g THC inferiore allo 0,2%"),
    ("hemp-limit-pl", "Susz CBD Critical Mass 5 g – THC poniżej 0,3%"),
    ("cbd-paste", "Full Spectrum CBD Paste 30% 3g Syringe"),
    ("tea-sample", "Silver Needle White Tea Sample 7g"),
    ("spice-sample", "Kashmiri Chili Powder 7g Sample Tin"),
    ("pharmacy-sv", "Sobril 10 mg 30 tabletter"),
    ("pharmacy-brand-between", "Oxycodone 5mg Capsules (OxyNorm) 56"),
    ("hemp-protein-ru", "Конопляный протеин 500 г"),
    # strong names that are everyday words somewhere (kb/curated/everyday-words.yaml)
    ("android-phone", "Android phone 64GB for sale, £90, ships next day"),
    ("mph-car", "Top speed 150 mph, for sale £3,000"),
    ("lacquer-nl", "Flexa Strak in de Lak Hoogglans Wit 750 ml"),
    ("cat-food-jellies", "Felix Sensations Jellies kapsičky pro kočky 12 x 85 g"),
    ("glue-ounces", "Gorilla Original Gorilla Glue, Waterproof Polyurethane Glue, 2 Ounce Bottle"),
    ("weed-n-feed", "Yates Weed'n'Feed Lawn Fertiliser 4kg"),
    ("pharmacy-strip", "Ultracet Tablet | Strip of 15 Tablets"),
    ("drill-bit-fraction", "Masonry drill bit 1/4 inch, pack of 5"),
    ("supplement-colour-2", "Red Yeast Rice 300mg x 60"),
    ("hemp-delta-9", "Premium Hemp Flower Sour Space Candy 7g – Under 0.3% Δ9-THC"),
    ("pack-after-strength", "Sudafed Decongestant Tablets 60mg x 12"),
]  # fmt: skip

OFFER_TEXTS = (
    [t for _, t in PLAIN_OFFERS]
    + [t for _, t, _, _ in DISGUISED_OFFERS]
    + [t for _, t, _ in EMOJI_OFFERS]
    + [t for _, t in MULTILINGUAL_OFFERS]
)
NEGATIVE_TEXTS = [t for _, t in HARD_NEGATIVES]
MISSED_TEXTS = [p.values[0] for p in MISSED_OFFERS]
SUBSTANCE_REASON = re.compile(r"^(?:names |CAS number |structure |ambiguous .* read as )")


@pytest.fixture(scope="module")
def verdicts(screener) -> dict[str, Assessment]:
    """Every text of this file screened once, in one batch (as a scan would)."""
    texts = list(dict.fromkeys(OFFER_TEXTS + NEGATIVE_TEXTS + MISSED_TEXTS))
    return dict(zip(texts, screener.screen(texts), strict=True))


def _explain(assessment: Assessment) -> str:
    found = [(d.kind, d.text, d.value) for d in assessment.detections]
    return f"{assessment.label} risk {assessment.risk}: {assessment.reasons}; found {found}"


def _substance_ids(assessment: Assessment) -> set[str]:
    ids = set()
    for det in assessment.detections:
        if det.attrs.get("ignored"):
            continue
        if det.kind in ("substance", "analogue", "inchikey"):
            ids.add(str(det.value))
        elif det.kind == "cas":
            ids.add(str(det.attrs.get("substance_id")))
    return ids


def _assert_offer(assessment: Assessment) -> None:
    assert assessment.label is Label.OFFER, _explain(assessment)
    assert assessment.flagged, _explain(assessment)
    assert assessment.risk >= 0.5, _explain(assessment)


# --------------------------------------------------------------------------- offers flagged


@pytest.mark.parametrize("text", [t for _, t in PLAIN_OFFERS], ids=[i for i, _ in PLAIN_OFFERS])
def test_offer_is_flagged(verdicts, text):
    _assert_offer(verdicts[text])


@pytest.mark.parametrize(
    ("text", "substance", "disguise"),
    [(t, s, d) for _, t, s, d in DISGUISED_OFFERS],
    ids=[i for i, *_ in DISGUISED_OFFERS],
)
def test_disguised_name_is_seen_through_and_flagged(verdicts, text, substance, disguise):
    assessment = verdicts[text]
    _assert_offer(assessment)
    named = [d for d in assessment.detections if d.kind == "substance" and d.value == substance]
    assert named, _explain(assessment)
    assert any(disguise in (d.attrs.get("obfuscation") or ()) for d in named), _explain(assessment)
    # the reviewer is told how it was written
    assert any(f"({disguise})" in r for r in assessment.reasons), assessment.reasons


@pytest.mark.parametrize(
    ("text", "substance"),
    [(t, s) for _, t, s in EMOJI_OFFERS],
    ids=[i for i, *_ in EMOJI_OFFERS],
)
def test_emoji_codes_with_dealer_context_are_flagged(verdicts, text, substance):
    assessment = verdicts[text]
    _assert_offer(assessment)
    assert substance in _substance_ids(assessment), _explain(assessment)


@pytest.mark.parametrize(
    "text", [t for _, t in MULTILINGUAL_OFFERS], ids=[i for i, _ in MULTILINGUAL_OFFERS]
)
def test_offer_in_other_languages_is_flagged(verdicts, text):
    _assert_offer(verdicts[text])


def test_offers_cover_at_least_six_languages():
    languages = {i.split("-")[0] for i, _ in MULTILINGUAL_OFFERS}
    assert len(languages) >= 6, languages


CAS_OFFERS = [
    ("CAS 79099-07-3 in stock, safe delivery", "79099-07-3", "1-boc-4-piperidone"),
    ("CAS79099 in stock, fast shipping to USA and Mexico, whatsapp +1 555 201 3344",
     "79099-07-3", "1-boc-4-piperidone"),
    ("Precursors 4-ANPP in stock CAS 21409-26-7, door to door delivery, safe customs clearance",
     "21409-26-7", "4-anpp"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "cas", "substance"), CAS_OFFERS, ids=["full", "partial", "name"])
def test_precursor_cas_number_resolves_to_its_kb_entry(verdicts, kb, text, cas, substance):
    assessment = verdicts[text]
    found = [d for d in assessment.detections if d.kind == "cas"]
    assert [d.value for d in found] == [cas], _explain(assessment)
    assert found[0].attrs["substance_id"] == substance, _explain(assessment)
    assert cas in kb.get(substance).cas
    assert any(r.startswith(f"CAS number {cas}") for r in assessment.reasons), assessment.reasons


@needs_opsin
def test_unlisted_fentanyl_analogue_by_systematic_name_is_flagged(screener):
    # ortho-fluoro, pentanamide: a fentanyl not in the KB under this name
    text = (
        "N-(2-fluorophenyl)-N-[1-(2-phenylethyl)piperidin-4-yl]pentanamide for sale 10g, "
        "discreet shipping, telegram"
    )
    (assessment,) = screener.screen([text])
    _assert_offer(assessment)
    analogues = [d for d in assessment.detections if d.kind == "analogue"]
    assert analogues, _explain(assessment)
    assert text[analogues[0].start : analogues[0].end].startswith("N-(2-fluorophenyl)")
    assert any(r.startswith("structure ") for r in assessment.reasons), assessment.reasons


@pytest.mark.parametrize("text", MISSED_OFFERS)
def test_offer_missed_by_current_rules(verdicts, text):
    _assert_offer(verdicts[text])


# --------------------------------------------------------------------------- hard negatives


@pytest.mark.parametrize("text", NEGATIVE_TEXTS, ids=[i for i, _ in HARD_NEGATIVES])
def test_hard_negative_is_not_flagged(verdicts, text):
    assessment = verdicts[text]
    assert not assessment.flagged, _explain(assessment)
    assert assessment.label in (Label.MENTION, Label.NONE), _explain(assessment)
    assert assessment.risk < 0.5, _explain(assessment)


@pytest.mark.parametrize(
    "text",
    [t for i, t in HARD_NEGATIVES if i.split("-")[0] in ("news", "harm", "pharmacy", "review")],
)
def test_news_advice_pharmacy_and_patients_are_mentions(verdicts, text):
    """A controlled substance named without trade is a mention, so it stays searchable."""
    assessment = verdicts[text]
    assert assessment.label is Label.MENTION, _explain(assessment)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Women's snow boots, waterproof, size 8, $45, free shipping", "snow"),
        ("Coke Zero 24 pack for $12 at the store this week", "Coke"),
        ("2 tickets for Mandy Moore at the Greek Theatre, $80 each, DM me", "Mandy"),
        ("Speed dating night for over-30s this Friday, tickets $25", "Speed"),
        ("Set of 6 crystal glasses, hand cut, £30, collection only", "crystal"),
        ("Weed killer concentrate 1L, kills roots, fast delivery", "Weed"),
        ("Homemade vanilla ice cream, 1 pint for $6, order by text", "ice"),
        ("Domino brown sugar 2 lb bag, $3.49, in stock", "brown sugar"),
    ],
)
def test_everyday_sense_is_explained_not_counted(verdicts, text, word):
    assessment = verdicts[text]
    assert assessment.label is Label.NONE, _explain(assessment)
    assert not _substance_ids(assessment), _explain(assessment)
    assert any(repr(word) in r for r in assessment.reasons), assessment.reasons


# --------------------------------------------------------------------------- invariants

ALL_TEXTS = OFFER_TEXTS + NEGATIVE_TEXTS + MISSED_TEXTS


def test_every_verdict_is_consistent(verdicts):
    problems = []
    for text in ALL_TEXTS:
        a = verdicts[text]
        if not 0.0 <= a.risk <= 1.0:
            problems.append((text, f"risk {a.risk} outside [0, 1]"))
        if a.flagged != (a.label is Label.OFFER):
            problems.append((text, f"flagged {a.flagged} but label {a.label}"))
        if a.label is Label.NONE and a.risk >= 0.5:
            problems.append((text, f"label none with risk {a.risk}"))
        if a.reasons and not a.reasons[-1].startswith(f"risk {a.risk:.2f}"):
            problems.append((text, f"last reason {a.reasons[-1]!r} does not state the risk"))
    assert not problems, problems


def test_every_detection_span_points_at_its_text(verdicts):
    problems = []
    for text in ALL_TEXTS:
        for d in verdicts[text].detections:
            if not (0 <= d.start < d.end <= len(text)) or text[d.start : d.end] != d.text:
                problems.append((text, d.kind, d.start, d.end, d.text, text[d.start : d.end]))
    assert not problems, problems


def test_every_flagged_item_names_a_substance_and_trade_signals(verdicts):
    flagged = [t for t in ALL_TEXTS if verdicts[t].flagged]
    assert len(flagged) >= len(OFFER_TEXTS)
    for text in flagged:
        reasons = verdicts[text].reasons
        assert any(SUBSTANCE_REASON.match(r) for r in reasons), (text, reasons)
        assert any(r.startswith("trade signals: ") for r in reasons), (text, reasons)
        assert _substance_ids(verdicts[text]), (text, _explain(verdicts[text]))


def test_screening_is_order_independent(screener, verdicts):
    """The same text gets the same verdict whatever batch it is screened in."""
    texts = list(reversed(OFFER_TEXTS[:10] + NEGATIVE_TEXTS[:10]))
    for text, again in zip(texts, screener.screen(texts), strict=True):
        first = verdicts[text]
        assert (again.label, again.risk, again.reasons) == (first.label, first.risk, first.reasons)


def test_medicine_listed_as_pharmacies_list_it_needs_illicit_trade(screener):
    listed, offered = screener.screen(
        ["Lorazepam 1mg Tablets 28", "Lorazepam 1mg Tablets 28, no prescription, bitcoin only"]
    )
    assert listed.label is Label.MENTION, _explain(listed)
    assert any("listed as pharmacies list it: 'Tablets 28'" in r for r in listed.reasons)
    _assert_offer(offered)
