#!/usr/bin/env python3
# ruff: noqa: E501  (phrase pools: one phrase a line)
"""Write the extra labelled negative and mention sets used to train the default model.

The phrase pools below were written for this project (no real personal data, nothing copied
from ../shared); each set is composed from them with a fixed seed, so the files are the same
on every run:

- eval/data/shop.jsonl: grocery, pharmacy (OTC and behind-the-counter medicines, supplements),
  garden, household and hardware catalogue lines in en/es/fr/de/pt/ru, many with words that
  collide with drug slang or with pill counts and doses like a market listing's;
- eval/data/chat.jsonl: everyday chat and notifications in the same languages, slang
  collisions included;
- eval/data/patients.jsonl: patients and carers writing about prescribed drugs (label mention);
- eval/data/press.jsonl: news, public-health and harm-reduction text (label mention).

    .venv/bin/python scripts/write_extra_sets.py      # rewrites the four files
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "eval" / "data"
SEED = 20261124

# ------------------------------------------------------------------------------- shop
# (name, language, label) -- label "mention" where a KB substance is named
SHOP_PRODUCTS = {
    "en": [
        "Paracetamol 500mg caplets",
        "Ibuprofen 200mg tablets",
        "Nurofen Express 342mg capsules",
        "Aspirin 75mg dispersible tablets",
        "Loratadine 10mg hayfever tablets",
        "Cetirizine 10mg allergy relief tablets",
        "Fexofenadine 120mg tablets",
        "Omeprazole 20mg gastro-resistant capsules",
        "Gaviscon Double Action tablets",
        "Rennie peppermint chewable tablets",
        "Imodium Instant Melts 2mg",
        "Senokot 7.5mg tablets",
        "Dioralyte blackcurrant sachets",
        "Strepsils honey & lemon lozenges",
        "Lemsip Max cold & flu capsules",
        "Night Nurse liquid 160ml",
        "Benylin dry cough syrup 150ml",
        "Vicks VapoRub 100g",
        "Sudocrem antiseptic cream 125g",
        "Savlon antiseptic cream 60g",
        "Germolene cream 30g",
        "Hydrocortisone 1% cream 15g",
        "Canesten thrush cream",
        "Clarityn allergy 7 tablets",
        "Piriton allergy tablets 4mg",
        "Kalms Night tablets",
        "Nytol Herbal tablets",
        "Melatonin gummies 1mg (US)",
        "Valerian root 450mg capsules",
        "Magnesium glycinate 120 capsules",
        "Vitamin D3 1000IU softgels",
        "Vitamin C 1000mg effervescent",
        "Iron 14mg + vitamin C tablets",
        "Folic acid 400mcg tablets",
        "Multivitamin gummies",
        "Omega-3 fish oil 1000mg",
        "Cod liver oil capsules",
        "Glucosamine 1500mg tablets",
        "Evening primrose oil 1000mg",
        "Probiotic 10 billion CFU capsules",
        "Ashwagandha 600mg capsules",
        "Turmeric & black pepper 1440mg",
        "Collagen powder unflavoured 300g",
        "Whey protein chocolate 1kg",
        "Creatine monohydrate powder 500g",
        "Pre-workout fruit punch 30 servings",
        "Electrolyte tabs lemon 20",
        "Caffeine 200mg tablets",
        "Nicotine patches 21mg 7 patches",
        "Nicorette gum 4mg icy white",
        "Nicotine pouches mint 10mg",
        "Kwells travel sickness tablets",
        "Travel sickness bands",
        "Pregnancy test 2 pack",
        "Ovulation test strips",
        "Blood pressure monitor upper arm",
        "Digital thermometer",
        "Plasters fabric mixed 40",
        "Crepe bandage 7.5cm",
        "Eye drops for dry eyes 10ml",
        "Saline nasal spray 20ml",
        "Head lice treatment lotion",
        "Athlete's foot spray",
        "Verruca freeze treatment",
        "Mouthwash cool mint 500ml",
        "Whitening toothpaste 75ml",
        "Electric toothbrush heads 4 pack",
        "Dental floss mint 50m",
        "Hand sanitiser gel 500ml",
        "Antibacterial wipes 80",
        "Face masks type IIR 50",
        "Condoms ultra thin 12",
        "Lubricant gel 100ml",
        "Sildenafil 50mg 4 tablets (Viagra Connect) – pharmacy medicine",
        "Codeine linctus 200ml – pharmacy medicine, one per customer",
        "Co-codamol 8/500 32 tablets – pharmacy only, max 3 days use",
        "Sudafed decongestant tablets 12 (pseudoephedrine) – ask the pharmacist",
        "Diphenhydramine sleep aid 50mg 20 caplets",
        "Dextromethorphan cough syrup 100ml",
        "Loperamide 2mg capsules 6",
        "Kaolin & morphine mixture 100ml – pharmacy medicine",
        "Solpadeine Headache soluble tablets 16",
        "Nurofen Plus 12 tablets – pharmacy only",
        "Acetone nail varnish remover 250ml",
        "Isopropyl alcohol 99% 1L",
        "Surgical spirit 200ml",
        "Hydrogen peroxide 3% 200ml",
        "Epsom salts 1kg",
        "Bicarbonate of soda 200g",
        "Baking powder 170g",
        "Icing sugar 1kg",
        "Caster sugar 1kg",
        "Self raising flour 1.5kg",
        "Cornflour 500g",
        "Desiccated coconut 200g",
        "Ground almonds 200g",
        "Poppy seeds 100g",
        "Hemp hearts shelled 250g",
        "Chia seeds 300g",
        "Oregano dried 14g",
        "Mixed herbs 11g",
        "Basil fresh pot",
        "Mint growing herb pot",
        "Rosemary & thyme 25g",
        "Bay leaves 4g",
        "Nutmeg whole 40g",
        "Vanilla pods 2",
        "Saffron threads 0.4g",
        "Matcha green tea powder 30g",
        "Ground coffee Colombian 227g",
        "Espresso beans dark roast 1kg",
        "Decaf instant coffee 100g",
        "Earl grey tea 80 bags",
        "Peppermint tea 20 bags",
        "Hot chocolate 500g",
        "Coca-Cola Zero 8 x 330ml",
        "Diet Coke 2L",
        "Pepsi Max cherry 1.5L",
        "Red Bull 4 x 250ml",
        "Monster Energy ultra 500ml",
        "Sparkling water lime 12 pack",
        "Orange juice smooth 1L",
        "Semi skimmed milk 4 pints",
        "Oat milk barista 1L",
        "Greek yoghurt 500g",
        "Cheddar mature 400g",
        "Free range eggs 12",
        "Unsalted butter 250g",
        "Smoked salmon 100g",
        "Chicken breast fillets 650g",
        "Beef mince 5% fat 500g",
        "Pork sausages 12 pack",
        "Frozen peas 1kg",
        "Oven chips 1.5kg",
        "Ice cream cookie dough 500ml",
        "Crushed ice 2kg bag",
        "Ice cubes 1.5kg",
        "Ice lollies 10 pack",
        "Snowballs marshmallow 6 pack",
        "Sherbet lemons 200g",
        "Popping candy 3 pack",
        "Skunk anansie greatest hits CD",
        "Purple haze LED bulb 9W",
        "White widow spider toy",
        "Methylated spirits 1L",
        "White spirit 2L",
        "Turps substitute 1L",
        "Weed killer concentrate 1L",
        "Lawn weed & feed 100m²",
        "Grass seed hard wearing 1kg",
        "Potting compost 50L",
        "Growbag 3 plants",
        "Grow light LED 45W",
        "Hydroponic nutrient A+B 1L",
        "Plant pots terracotta 3 pack",
        "Tomato feed 1L",
        "Slug pellets 650g",
        "Bird seed mix 2kg",
        "Rolling tobacco 30g",
        "Rizla king size papers",
        "Lighter refill gas 300ml",
        "Clipper lighters 5",
        "Digital kitchen scale 5kg",
        "Pocket scale 500g x 0.1g",
        "Zip lock bags 100 small",
        "Vacuum sealer bags 50",
        "Glass jars with lids 6",
        "Bubble wrap 10m",
        "Padded envelopes A5 10",
        "Packing tape 3 rolls",
        "Cardboard boxes medium 5",
        "Snow shovel",
        "Snow boots kids size 12",
        "Ski goggles",
        "Crystal tumbler glasses 4",
        "Crystal bead bracelet kit",
        "Speed queen washer belt",
        "Speed bag boxing",
        "Speed cable skipping rope",
        "Molly Mae tan 200ml",
        "Charlie Bigham's fish pie",
        "Charlie and Lola book set",
        "Henry hoover bags 10",
        "Special K cereal 500g",
        "Special K bars 6",
        "Mary Jane shoes girls",
        "Blue Dream hair dye",
        "Snowflake fairy lights 3m",
        "Mushroom soup 400g",
        "Chestnut mushrooms 250g",
        "Dried porcini 30g",
        "Magic eraser sponges 4",
        "Magic tree air freshener",
        "Rocket salad 60g",
        "Pineapple express juice 1L",
    ],
    "es": [
        "Paracetamol 1 g 20 comprimidos",
        "Ibuprofeno 600 mg 40 comprimidos",
        "Omeprazol 20 mg 28 cápsulas",
        "Loratadina 10 mg 20 comprimidos",
        "Frenadol complex 10 sobres",
        "Bisolvon jarabe 200 ml",
        "Vitamina D3 2000 UI 60 cápsulas",
        "Magnesio + B6 60 comprimidos",
        "Melatonina 1,9 mg 30 comprimidos",
        "Colágeno hidrolizado 300 g",
        "Proteína whey chocolate 1 kg",
        "Tiritas surtidas 20",
        "Alcohol 96º 250 ml",
        "Agua oxigenada 250 ml",
        "Acetona quitaesmalte 125 ml",
        "Café molido natural 250 g",
        "Cacao puro en polvo 250 g",
        "Azúcar glas 500 g",
        "Harina de trigo 1 kg",
        "Coca-Cola Zero pack 9 latas",
        "Hielo en cubitos 2 kg",
        "Helado de vainilla 1 l",
        "Hierba luisa infusión 20 bolsitas",
        "Orégano seco 15 g",
        "Semillas de cáñamo peladas 250 g",
        "Abono para césped 5 kg",
        "Herbicida total 1 l",
        "Sustrato universal 50 l",
        "Báscula de cocina digital",
        "Bolsas zip 100 unidades",
        "Setas variadas bandeja 300 g",
        "Champiñón laminado 250 g",
        "Cristal templado iPhone 15",
        "Vasos de cristal 6 uds",
        "Polvos de talco 200 g",
        "Papel de fumar 50 librillos",
    ],
    "fr": [
        "Doliprane 1000 mg 8 comprimés",
        "Ibuprofène 400 mg 12 comprimés",
        "Spasfon 30 comprimés",
        "Smecta 30 sachets",
        "Strepsils miel citron 24 pastilles",
        "Vitamine C 500 mg 30 comprimés",
        "Mélatonine 1 mg 60 gélules",
        "Magnésium marin 90 gélules",
        "Homéopathie Arnica 9CH tube",
        "Codéine sirop 125 ml – sur ordonnance",
        "Alcool à 70° 250 ml",
        "Dissolvant acétone 125 ml",
        "Café en grains 1 kg",
        "Chocolat noir 70 % 100 g",
        "Sucre glace 500 g",
        "Farine T45 1 kg",
        "Coca-Cola zéro 6 x 33 cl",
        "Glaçons 2 kg",
        "Glace vanille 1 l",
        "Herbes de Provence 20 g",
        "Graines de chanvre 200 g",
        "Désherbant naturel 1 l",
        "Gazon rustique 1 kg",
        "Terreau 40 l",
        "Balance de cuisine 5 kg",
        "Sachets congélation 50",
        "Champignons de Paris 500 g",
        "Verres en cristal lot de 6",
        "Feuilles à rouler slim",
        "Neige artificielle en bombe",
    ],
    "de": [
        "Ibuprofen 400 mg 20 Filmtabletten",
        "Paracetamol 500 mg 20 Tabletten",
        "Aspirin Complex 10 Beutel",
        "Thomapyrin 20 Tabletten",
        "Wick MediNait 180 ml",
        "Loratadin 10 mg 20 Tabletten",
        "Pantoprazol 20 mg 14 Tabletten",
        "Magnesium 400 mg 60 Kapseln",
        "Vitamin D3 1000 I.E. 90 Tabletten",
        "Baldrian Dragees 60",
        "Melatonin Spray 30 ml",
        "Nasenspray 10 ml",
        "Pflaster Sortiment 20",
        "Isopropanol 99 % 1 l",
        "Aceton 500 ml",
        "Kaffee gemahlen 500 g",
        "Puderzucker 250 g",
        "Weizenmehl Type 405 1 kg",
        "Coca-Cola Zero 6 x 1,5 l",
        "Eiswürfel 2 kg",
        "Eis Vanille 900 ml",
        "Hanfsamen geschält 250 g",
        "Unkrautvernichter 1 l",
        "Rasensamen 1 kg",
        "Blumenerde 40 l",
        "Küchenwaage digital",
        "Gefrierbeutel 50 Stück",
        "Champignons braun 400 g",
        "Kristallgläser 6er Set",
        "Zigarettenpapier 50 Heftchen",
        "Schneeschieber",
    ],
    "pt": [
        "Paracetamol 500 mg 20 comprimidos",
        "Ibuprofeno 400 mg 20 comprimidos",
        "Dipirona 1 g 10 comprimidos",
        "Omeprazol 20 mg 28 cápsulas",
        "Vitamina C efervescente 10 comprimidos",
        "Melatonina 0,21 mg gotas",
        "Protetor solar FPS 50 200 ml",
        "Álcool em gel 70% 500 ml",
        "Acetona 100 ml",
        "Café torrado e moído 500 g",
        "Açúcar refinado 1 kg",
        "Farinha de trigo 1 kg",
        "Coca-Cola Zero 2 l",
        "Gelo em cubos 2 kg",
        "Sorvete de creme 1,5 l",
        "Erva-doce 20 g",
        "Sementes de cânhamo 200 g",
        "Herbicida 1 l",
        "Grama esmeralda semente 1 kg",
        "Terra vegetal 20 kg",
        "Balança digital de cozinha",
        "Sacos zip 50 unidades",
        "Cogumelos paris 200 g",
        "Taças de cristal 6 unidades",
        "Seda para cigarro 50 folhas",
        "Pó compacto 10 g",
    ],
    "ru": [
        "Парацетамол 500 мг 20 таблеток",
        "Ибупрофен 200 мг 50 таблеток",
        "Нурофен 200 мг 10 таблеток",
        "Омепразол 20 мг 30 капсул",
        "Лоратадин 10 мг 10 таблеток",
        "Но-шпа 40 мг 24 таблетки",
        "Валериана 20 мг 50 таблеток",
        "Мелатонин 3 мг 30 таблеток",
        "Витамин D3 1000 МЕ 60 капсул",
        "Магний B6 50 таблеток",
        "Пластырь бактерицидный 20 шт",
        "Спирт медицинский 70% 100 мл",
        "Ацетон 500 мл",
        "Кофе молотый 250 г",
        "Сахарная пудра 200 г",
        "Мука пшеничная 2 кг",
        "Кока-Кола Зеро 1,5 л",
        "Лёд пищевой 2 кг",
        "Мороженое пломбир 400 г",
        "Укроп свежий 50 г",
        "Семена конопли очищенные 200 г",
        "Гербицид Раундап 100 мл",
        "Газонная трава 1 кг",
        "Грунт универсальный 50 л",
        "Весы кухонные электронные",
        "Пакеты зип-лок 100 шт",
        "Шампиньоны 400 г",
        "Бокалы хрусталь 6 шт",
        "Сигаретная бумага 50 листов",
        "Соль поваренная 1 кг",
    ],
}
CURRENCY = {"en": ["£{p}", "${p}", "{p} GBP"], "es": ["{p} €", "€{p}"], "fr": ["{p} €"],
            "de": ["{p} €", "EUR {p}"], "pt": ["R$ {p}", "{p} €"], "ru": ["{p} ₽", "{p} руб."]}  # fmt: skip
SHOP_FORMATS = [
    "{name}",
    "{name} – {price}",
    "{name} | {price}",
    "{name}\n{price}",
    "{price} | {name}",
    "{name}, {price}",
    "SKU {sku} | {name} | {price}",
    "{name} – Was {price2} Now {price}",
    "{name} ({price}) – {stock}",
    "{name} {price} – {deal}",
]
STOCK = {"en": ["in stock", "low stock", "out of stock", "click & collect"], "es": ["disponible", "agotado"],
         "fr": ["en stock", "rupture de stock"], "de": ["auf Lager", "ausverkauft"],
         "pt": ["em estoque", "esgotado"], "ru": ["в наличии", "нет в наличии"]}  # fmt: skip
DEAL = {"en": ["2 for £5", "buy 1 get 1 free", "1/3 off", "Clubcard price", "save 20%"],
        "es": ["2x1", "-30 %", "oferta"], "fr": ["2 achetés = 1 offert", "-20 %", "promo"],
        "de": ["Angebot", "-25 %", "2 für 1"], "pt": ["leve 3 pague 2", "promoção"],
        "ru": ["скидка 20%", "акция 1+1"]}  # fmt: skip
SHOP_MENTION_WORDS = ("codeine", "codéine", "morphine", "sildenafil", "pseudoephedrine",
                      "diphenhydramine", "dextromethorphan", "sudafed", "co-codamol",
                      "nurofen plus", "solpadeine")  # fmt: skip


def _price(rng: random.Random, lang: str) -> tuple[str, str]:
    value = rng.choice([0.99, 1.49, 2.19, 2.5, 3.75, 4.99, 6.49, 8.0, 9.99, 12.5, 14.99, 19.99,
                        24.99, 39.0, 89.9, 129.0, 349.0])  # fmt: skip
    text = f"{value:.2f}"
    if lang in ("es", "fr", "de", "pt", "ru"):
        text = text.replace(".", ",")
    higher = f"{value * 1.25:.2f}" if lang == "en" else f"{value * 1.25:.2f}".replace(".", ",")
    pattern = rng.choice(CURRENCY[lang])
    return pattern.format(p=text), pattern.format(p=higher)


def shop_rows(rng: random.Random) -> list[dict]:
    rows = []
    for lang, names in SHOP_PRODUCTS.items():
        for name in names:
            for _ in range(2 if lang == "en" else 3):
                price, price2 = _price(rng, lang)
                text = rng.choice(SHOP_FORMATS).format(
                    name=name, price=price, price2=price2, sku=rng.randint(100000, 999999),
                    stock=rng.choice(STOCK[lang]), deal=rng.choice(DEAL[lang]),
                )  # fmt: skip
                label = "mention" if any(w in name.lower() for w in SHOP_MENTION_WORDS) else "none"
                rows.append({"text": text, "label": label, "lang": lang})
    return _unique(rows)


# ------------------------------------------------------------------------------- chat
CHAT = {
    "en": [
        "running 10 min late, save me a seat",
        "can you grab milk and 2 bags of ice on the way?",
        "the grass needs cutting again, your turn",
        "snow day!! schools closed",
        "it's pure ice out, drive slow",
        "that new coke zero flavour is vile",
        "got a gram of saffron for the paella, cost a fortune",
        "weigh out 250g flour and 100g sugar",
        "my speed on the treadmill is finally 10k/h",
        "speed dating thing on friday, you in?",
        "the blow dryer broke again",
        "pass the pot, the big one for pasta",
        "molly's birthday is saturday, bring cake",
        "charlie's coming round at 8",
        "bars closed early tonight",
        "did 3 sets of pull ups on the bars",
        "just had 2 paracetamol, headache gone",
        "remember your vitamins",
        "the baby is 7 pounds 2 oz!!",
        "the dog ate a whole bar of chocolate, vet says he's ok",
        "selling my old bike, £60, anyone?",
        "anyone want 2 tickets for saturday? £30 each",
        "free sofa, collection only, dm me",
        "yard sale sunday 9am, cash only",
        "our plug socket in the kitchen stopped working",
        "need a plug adapter for the US trip",
        "tap in to the team call at 3",
        "hit me up when you're free",
        "hmu if you need a lift",
        "the stuff you ordered came, it's on the porch",
        "package delivered to your safe place",
        "your parcel is out for delivery, track it here",
        "order #48213 dispatched, arriving tomorrow",
        "your verification code is 481516",
        "payment of £12.99 received, thanks",
        "rent is due friday",
        "high on life today ☀️",
        "I'm so baked from this heat",
        "this song is pure fire 🔥🔥",
        "that pitch was dope",
        "we smashed it at the pub quiz",
        "grab me a crystal water bottle",
        "trip to Lisbon booked ✈️",
        "what a trip that film was",
        "my acid reflux is back",
        "I'm addicted to this show",
        "doctor upped my sertraline to 100mg",
        "nan is on morphine now, it's peaceful",
        "vet prescribed tramadol for the dog's hip",
        "pharmacy says my prescription is ready",
        "got my flu jab today",
        "420 is my locker number lol",
        "happy 4/20 to my fellow gardeners 🌱",
        "the mushrooms on the pizza were great",
        "picked some mushrooms in the woods, checking them with the app first",
        "need 2 oz of butter for this recipe",
        "half a pound of mince please",
        "can you pick up 1kg of rice",
        "let's split the bill, £23 each",
        "the eighth birthday party is at 2",
        "quarter past 5 at the station",
        "they were selling hot dogs outside the stadium",
        "sold out in 5 minutes 😭",
        "I'll sell you my ticket for face value",
        "weed the garden beds before mum comes",
        "dad's gone to buy some grass seed",
        "the kids want snow cones",
        "Jack Frost came early",
        "my phone is on 2%",
        "send me the pdf pls",
    ],
    "es": [
        "llego en 10 minutos, pide por mí",
        "compra hielo y coca cola zero para la fiesta",
        "hay que cortar la hierba del jardín",
        "mañana nieva en Madrid, abrigaos",
        "vendo mi bici vieja, 60 euros",
        "¿quién tiene un cargador de iPhone?",
        "la farmacia ya tiene mi receta",
        "me tomé un ibuprofeno y ya estoy mejor",
        "cumple de María el sábado, traed tarta",
        "pedido enviado, llega mañana",
        "tu código de verificación es 204815",
        "¡qué viaje tan bonito!",
        "pásame la receta de la tarta de queso",
        "mi abuela está con morfina en el hospital",
        "el perro se comió el chocolate",
        "pesa 200 g de harina y 100 g de azúcar",
        "nos vemos en el bar a las 9",
    ],
    "fr": [
        "j'arrive dans 10 min, garde-moi une place",
        "il neige à Lyon, c'est magnifique",
        "tu peux prendre des glaçons et du coca zéro ?",
        "je vends mon vélo 60 €, intéressé ?",
        "la pharmacie a préparé mon ordonnance",
        "j'ai pris un doliprane, ça va mieux",
        "anniversaire de Léa samedi, apporte un gâteau",
        "colis expédié, livraison demain",
        "ton code de vérification est 739201",
        "quel voyage incroyable !",
        "il faut tondre la pelouse",
        "mamie est sous morphine, elle ne souffre plus",
        "pèse 250 g de farine et 100 g de sucre",
    ],
    "de": [
        "bin in 10 Minuten da, fang schon mal an",
        "es schneit in München, endlich",
        "bring bitte Eis und Cola Zero mit",
        "verkaufe mein altes Fahrrad für 60 €",
        "die Apotheke hat mein Rezept fertig",
        "hab eine Ibuprofen genommen, geht schon besser",
        "Geburtstag von Jonas am Samstag, bring Kuchen mit",
        "Paket versendet, Zustellung morgen",
        "dein Bestätigungscode lautet 552019",
        "der Rasen muss gemäht werden",
        "Oma bekommt jetzt Morphium",
        "250 g Mehl und 100 g Zucker abwiegen",
        "was für ein Trip, dieser Film",
    ],
    "pt": [
        "chego em 10 minutos, guarda lugar",
        "compra gelo e coca zero pra festa",
        "vendo minha bike usada, 300 reais",
        "a farmácia já separou minha receita",
        "tomei um paracetamol e melhorou",
        "aniversário da Ana no sábado, leva bolo",
        "pedido enviado, chega amanhã",
        "seu código de verificação é 883102",
        "tem que cortar a grama do quintal",
        "minha avó está tomando morfina no hospital",
        "pesa 200 g de farinha e 100 g de açúcar",
        "que viagem incrível!",
    ],
    "ru": [
        "буду через 10 минут, займи место",
        "купи лёд и колу зеро на вечер",
        "продаю старый велосипед, 5000 руб",
        "в аптеке готов мой рецепт",
        "выпила ибупрофен, стало лучше",
        "день рождения у Маши в субботу, принеси торт",
        "заказ отправлен, доставка завтра",
        "ваш код подтверждения 640217",
        "надо покосить траву на даче",
        "бабушке колют морфин, ей уже не больно",
        "отвесь 200 г муки и 100 г сахара",
        "в Москве снег, красота",
    ],
}
CHAT_TAILS = ["", "", "", " 😂", " x", " 👍", " lol", " !!", " 🙏", " ❤️"]


def chat_rows(rng: random.Random) -> list[dict]:
    rows = []
    for lang, lines in CHAT.items():
        for line in lines:
            for variant in range(3):
                text = line
                if variant == 1:
                    text = text[0].upper() + text[1:] + rng.choice(CHAT_TAILS)
                elif variant == 2:
                    text = (
                        rng.choice(CHAT_TAILS).strip() + " " + text
                        if rng.random() < 0.3
                        else text + "?"
                    )
                rows.append({"text": text.strip(), "label": "none", "lang": lang})
    return _unique(rows)


# ------------------------------------------------------------------------------- patients
DRUGS = [
    ("oxycodone", "5mg", "back pain after surgery"),
    ("tramadol", "50mg", "knee arthritis"),
    ("codeine", "30mg", "a broken wrist"),
    ("morphine", "10mg", "cancer pain"),
    ("hydrocodone", "10mg", "a root canal"),
    ("fentanyl patches", "25mcg/h", "chronic pain"),
    ("buprenorphine", "8mg", "opioid use disorder"),
    ("methadone", "60mg", "recovery"),
    ("diazepam", "5mg", "muscle spasms"),
    ("lorazepam", "1mg", "panic attacks"),
    ("alprazolam", "0.5mg", "anxiety"),
    ("clonazepam", "0.5mg", "seizures"),
    ("zolpidem", "10mg", "insomnia"),
    ("zopiclone", "7.5mg", "shift-work insomnia"),
    ("pregabalin", "75mg", "nerve pain"),
    ("gabapentin", "300mg", "sciatica"),
    ("methylphenidate", "18mg", "ADHD"),
    ("Adderall XR", "20mg", "ADHD"),
    ("lisdexamfetamine", "30mg", "ADHD"),
    ("modafinil", "100mg", "narcolepsy"),
    ("ketamine infusions", "0.5mg/kg", "treatment-resistant depression"),
    ("esketamine nasal spray", "56mg", "depression"),
    ("dronabinol", "2.5mg", "appetite loss during chemo"),
    ("medical cannabis oil", "10mg CBD/THC", "MS spasticity"),
    ("phenobarbital", "30mg", "epilepsy"),
    ("testosterone gel", "50mg", "low testosterone"),
    ("sildenafil", "50mg", "ED"),
    ("quetiapine", "25mg", "sleep and bipolar"),
    ("sertraline", "50mg", "depression"),
]
PATIENT_TEMPLATES = {
    "en": [
        "Been on {drug} {dose} for {cond} for three months. Helps a lot, but constipation is real.",
        "My GP started me on {drug} {dose} for {cond}. First week I was drowsy, now it's fine.",
        "{drug} {dose} — prescribed for {cond}. 7/10. Works, but I hate the fog.",
        "Mum was given {drug} {dose} in hospital for {cond}. The nurses kept a close eye on her.",
        "Q: is it safe to drive on {drug} {dose}? My doctor prescribed it for {cond}.",
        "Day 10 of tapering off {drug}. Down to {dose}. Withdrawal is rough but manageable.",
        "Pharmacist reminded me not to drink alcohol with {drug}. Taking {dose} for {cond}.",
        "I was scared of {drug} because of the news, but at {dose} for {cond} it's given me my life back.",
        "Side effects of {drug} {dose}: dry mouth, itching, weird dreams. Condition: {cond}. Would not take again.",
        "Insurance finally approved {drug} {dose} for my son's {cond}. Pharmacy had it in stock, thank god.",
    ],
    "es": [
        "Llevo tres meses con {drug} {dose} para {cond}. Me ayuda, pero me da sueño.",
        "El médico me recetó {drug} {dose} para {cond}. La primera semana fue dura.",
        "Mi madre toma {drug} {dose} en el hospital por {cond}. Las enfermeras la vigilan.",
    ],
    "fr": [
        "Sous {drug} {dose} depuis trois mois pour {cond}. Efficace mais fatigue importante.",
        "Mon médecin m'a prescrit {drug} {dose} pour {cond}. Effets secondaires : nausées.",
        "Ma mère reçoit {drug} {dose} à l'hôpital pour {cond}, l'équipe surveille bien.",
    ],
    "de": [
        "Nehme seit drei Monaten {drug} {dose} wegen {cond}. Hilft, aber macht müde.",
        "Mein Arzt hat mir {drug} {dose} gegen {cond} verschrieben. Nebenwirkungen: Übelkeit.",
        "Meine Mutter bekommt im Krankenhaus {drug} {dose} wegen {cond}.",
    ],
    "pt": [
        "Tomo {drug} {dose} há três meses para {cond}. Ajuda, mas dá sono.",
        "Meu médico receitou {drug} {dose} para {cond}. Efeitos colaterais: enjoo.",
    ],
    "ru": [
        "Третий месяц принимаю {drug} {dose} от {cond}. Помогает, но клонит в сон.",
        "Врач назначил {drug} {dose}, побочка — тошнота. Диагноз: {cond}.",
    ],
}


CONDITIONS = {
    "es": ["dolor de espalda", "ansiedad", "insomnio", "epilepsia", "TDAH", "dolor crónico"],
    "fr": ["mal de dos", "anxiété", "insomnie", "épilepsie", "TDAH", "douleurs chroniques"],
    "de": ["Rückenschmerzen", "Angststörung", "Schlafstörungen", "Epilepsie", "ADHS", "Schmerzen"],
    "pt": ["dor nas costas", "ansiedade", "insônia", "epilepsia", "TDAH", "dor crônica"],
    "ru": ["боли в спине", "тревожности", "бессонницы", "эпилепсии", "СДВГ", "хронической боли"],
}  # fmt: skip


def patient_rows(rng: random.Random) -> list[dict]:
    rows = []
    for lang, templates in PATIENT_TEMPLATES.items():
        picks = 40 if lang == "en" else 12
        for _ in range(picks):
            drug, dose, cond = rng.choice(DRUGS[:22])  # by international name
            if lang != "en":
                cond = rng.choice(CONDITIONS[lang])
            text = rng.choice(templates).format(drug=drug, dose=dose, cond=cond)
            rows.append({"text": text, "label": "mention", "lang": lang})
    return _unique(rows)


# ------------------------------------------------------------------------------- press
PRESS = {
    "en": [
        "Police seized {q} of {s} at the port of {place}; three men were charged.",
        "Overdose deaths linked to {s} rose again last year, the health ministry said.",
        "Harm reduction: never use {s} alone, start with a small test dose, carry naloxone.",
        "Drug checking services found {s} in pills sold as ecstasy at two festivals.",
        "A court in {place} jailed a man for selling {s} on a dark-web market.",
        "What is {s}? Effects, risks and where to get help — a guide for parents.",
        "Researchers are testing {s} in clinical trials for PTSD, with mixed results.",
        "Customs officers intercepted parcels containing {q} of {s} declared as tea.",
        "The government will schedule {s} as a Class A drug from next month.",
        "Free fentanyl test strips are available at the needle exchange on {place} Road.",
    ],
    "es": [
        "La policía incautó {q} de {s} en el puerto de {place}.",
        "Reducción de riesgos: no consumas {s} solo.",
    ],
    "fr": [
        "La douane a saisi {q} de {s} à {place}.",
        "Réduction des risques : ne jamais consommer de {s} seul.",
    ],
    "de": [
        "Der Zoll hat in {place} {q} {s} beschlagnahmt, berichtet die Polizei.",
        "Drug-Checking fand {s} in angeblichen Ecstasy-Pillen.",
    ],
    "pt": [
        "A polícia apreendeu {q} de {s} no porto de {place}.",
        "Redução de danos: nunca use {s} sozinho.",
    ],
    "ru": [
        "Полиция изъяла {q} {s} в порту {place}.",
        "Снижение вреда: не употребляйте {s} в одиночку.",
    ],
}
PRESS_SUBSTANCES = ["cocaine", "heroin", "fentanyl", "methamphetamine", "MDMA", "ketamine",
                    "nitazenes", "xylazine", "cannabis", "LSD", "psilocybin", "carfentanil",
                    "synthetic cannabinoids", "GHB", "mephedrone", "crack cocaine"]  # fmt: skip
PLACES = [
    "Rotterdam",
    "Antwerp",
    "Valencia",
    "Santos",
    "Hamburg",
    "Felixstowe",
    "Marseille",
    "Riga",
]
QUANTITIES = ["2 tonnes", "450 kg", "12 kg", "30,000 pills", "800 grams", "1.2 tonnes"]


def press_rows(rng: random.Random) -> list[dict]:
    rows = []
    for lang, templates in PRESS.items():
        for template in templates:
            for _ in range(6 if lang == "en" else 5):
                text = template.format(s=rng.choice(PRESS_SUBSTANCES), q=rng.choice(QUANTITIES),
                                       place=rng.choice(PLACES))  # fmt: skip
                rows.append({"text": text, "label": "mention", "lang": lang})
    return _unique(rows)


def _unique(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        if row["text"] not in seen:
            seen.add(row["text"])
            out.append(row)
    return out


def main() -> None:
    makers = {"shop": shop_rows, "chat": chat_rows, "patients": patient_rows, "press": press_rows}
    for name, make in makers.items():
        rows = make(random.Random(f"{SEED}-{name}"))
        path = OUT / f"{name}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for i, row in enumerate(rows, 1):
                record = {"id": f"{name}-{i:04d}", **row, "set": name}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"wrote {len(rows)} rows to {path}")


if __name__ == "__main__":
    main()
