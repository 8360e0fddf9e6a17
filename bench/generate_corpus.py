"""Synthetic corpus of short chat messages for the scan benchmark (deterministic, no downloads).

Columns: ``id`` (string), ``text``, ``lang`` (en, es, fr, de, pt, ru, zh, ar) and ``kind``, what
was planted in the message:

- ``none``: everyday chat built from the phrase pools below;
- ``collision``: everyday words that are also drug slang ("coke zero", "speed dating");
- ``substance``: a KB substance name in a non-trade context (news, medical, questions);
- ``trade``: a substance name with prices, quantities and contact calls ("DM me");
- ``obfuscated``: a disguised substance name (leetspeak, fullwidth, spaced letters, Cyrillic
  homoglyphs, zero-width characters), in trade or plain context;
- ``offer``: a trade message that also carries a contact identifier;
- ``identifier``: a phone number, email, URL, Telegram handle or crypto address in everyday text.

Substance names come from the shipped KB (strong names mostly, a few weak ones, translated names
for the message's language where the KB has them). Crypto addresses are syntactically valid:
base58check (Bitcoin P2PKH/P2SH, Tron), bech32/bech32m (SegWit v0, Taproot) and EIP-55 Ethereum
addresses over random payloads. Phone numbers are in fictional ranges.

    python bench/generate_corpus.py --n 1000000 --seed 1 --out bench/out/corpus.parquet
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import base58
import bech32m
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from Crypto.Hash import keccak

from interdiction.kb import KnowledgeBase, load_kb

LANGS = ("en", "es", "fr", "de", "pt", "ru", "zh", "ar")
LANG_SHARES = (0.62, 0.09, 0.07, 0.06, 0.06, 0.05, 0.03, 0.02)
# Share of messages per planted kind; the rest are "none". Substances: 2.0 %, identifiers: 1.0 %.
KIND_SHARES = {
    "collision": 0.010,
    "substance": 0.007,
    "trade": 0.005,
    "obfuscated": 0.006,
    "offer": 0.002,
    "identifier": 0.008,
}
WEAK_NAME_SHARE = 0.1  # of plain and trade plants; disguised names are always strong
POPULAR_SHARE = 0.6  # of names drawn from the substances most talked about
POPULAR = (
    "fentanyl", "heroin", "cocaine", "methamphetamine", "mdma", "cannabis", "alprazolam",
    "oxycodone", "ketamine", "lsd", "psilocybin", "mephedrone", "amphetamine", "tramadol",
    "codeine", "morphine", "diazepam", "methadone", "buprenorphine", "hydrocodone", "clonazepam",
    "carfentanil", "alpha-pvp", "2c-b", "isotonitazene", "xylazine",
)  # fmt: skip
LOWERCASE_SHARE = 0.35  # chat written all in lower case
ROW_GROUP = 65_536

# Everyday chat, written for this benchmark.
CHAT: dict[str, tuple[str, ...]] = {
    "en": (
        "hey are you coming tonight?", "running 10 min late sorry", "did you see the game",
        "lol that's hilarious", "can you pick up milk on the way home", "happy birthday!!",
        "meeting moved to 3pm", "thanks for yesterday, had a great time", "ok sounds good",
        "where are we meeting", "I'll call you later", "just landed, taking a taxi",
        "the wifi at the office is down again", "who's bringing the snacks", "miss you",
        "good morning everyone", "the train is delayed, ugh", "send me the photos pls",
        "let me check and get back to you", "that new series is so good", "on my way",
        "did mom call you?", "I can't find my keys anywhere", "dinner at 8?", "see you soon",
        "the kids are finally asleep", "weather is crazy today", "can't wait for the weekend",
        "traffic is terrible on the highway", "just finished my workout", "nice one!",
        "what time does the shop close", "I forgot my charger at home", "congrats on the new job",
        "let's grab lunch tomorrow", "the package arrived this morning", "haha no way",
        "are we still on for Saturday", "my phone is about to die", "sorry, missed your call",
        "the meeting notes are in the shared folder", "how was the concert", "good night",
        "I'm at the supermarket, need anything?", "the dog ate my sandwich again",
        "just booked the flights for August", "please remind me to pay the rent",
        "the printer is jammed again", "who won last night", "feeling sick today, staying in",
        "can you send the invoice by Friday", "we should go hiking soon", "love this song",
        "the cat knocked over the plant", "are you free for a quick call", "yes", "no worries",
        "that restaurant was amazing", "the bus never came", "check out this recipe",
        "I'll be there in five", "what are you up to this weekend", "we're out of coffee",
        "great presentation today", "I need a vacation", "the new update broke everything",
    ),
    "es": (
        "hola, ¿qué tal?", "llego tarde, hay mucho tráfico", "¿nos vemos mañana?",
        "gracias por todo", "feliz cumpleaños!!", "¿a qué hora es la reunión?",
        "ya estoy en casa", "qué calor hace hoy", "te llamo luego", "buenos días a todos",
        "¿viste el partido anoche?", "jajaja qué bueno", "no encuentro las llaves",
        "la cena está lista", "vamos a la playa el sábado", "me encanta esta canción",
        "el tren va con retraso", "mándame las fotos", "besos", "todo bien por aquí",
    ),
    "fr": (
        "salut, ça va ?", "j'arrive dans dix minutes", "on se voit ce soir ?",
        "merci pour hier soir", "joyeux anniversaire !", "la réunion est à 15h",
        "je suis à la maison", "il fait super beau aujourd'hui", "je t'appelle plus tard",
        "bonne nuit", "tu as vu le match ?", "mdr trop drôle", "le train est en retard",
        "envoie-moi les photos stp", "on mange où ?", "bon week-end à tous",
        "j'ai oublié mon chargeur", "à demain", "c'est noté", "bisous",
    ),
    "de": (
        "hallo, wie geht's?", "ich komme zehn Minuten später", "sehen wir uns heute Abend?",
        "danke für gestern", "alles Gute zum Geburtstag!", "das Meeting ist um 15 Uhr",
        "bin gleich zu Hause", "heute ist es richtig heiß", "ich ruf dich später an",
        "gute Nacht", "hast du das Spiel gesehen?", "der Zug hat Verspätung",
        "schick mir bitte die Fotos", "wo treffen wir uns?", "schönes Wochenende",
        "ich hab mein Ladekabel vergessen", "bis morgen", "alles klar", "haha genau",
    ),
    "pt": (
        "oi, tudo bem?", "vou chegar atrasado", "a gente se vê amanhã?", "valeu pela ajuda",
        "feliz aniversário!!", "a reunião é às 15h", "já estou em casa", "que calor hoje",
        "te ligo mais tarde", "bom dia pessoal", "viu o jogo ontem?", "kkkkk muito bom",
        "o ônibus atrasou de novo", "manda as fotos", "bora almoçar amanhã",
        "bom fim de semana", "esqueci meu carregador", "até logo", "beijos",
    ),
    "ru": (
        "привет, как дела?", "опаздываю на десять минут", "увидимся вечером?",
        "спасибо за вчера", "с днём рождения!", "встреча в три часа", "я уже дома",
        "сегодня очень жарко", "перезвоню позже", "спокойной ночи", "ты смотрел матч?",
        "ахах смешно", "поезд задерживается", "скинь фотки", "где встречаемся?",
        "хороших выходных", "забыл зарядку дома", "до завтра", "всё понятно",
    ),
    "zh": (
        "你好，最近怎么样", "我晚十分钟到", "今晚见吗", "谢谢你昨天的帮助", "生日快乐",
        "会议改到下午三点", "我已经到家了", "今天好热", "我等会儿给你打电话", "晚安",
        "你看昨晚的比赛了吗", "哈哈哈太好笑了", "火车晚点了", "把照片发给我", "我们在哪儿见",
        "周末愉快", "我忘带充电器了", "明天见", "好的没问题",
    ),
    "ar": (
        "مرحبا، كيف حالك؟", "سأتأخر عشر دقائق", "هل نلتقي الليلة؟", "شكرا على الأمس",
        "عيد ميلاد سعيد", "الاجتماع الساعة الثالثة", "أنا في البيت الآن", "الجو حار جدا اليوم",
        "سأتصل بك لاحقا", "تصبح على خير", "هل شاهدت المباراة؟", "القطار متأخر",
        "أرسل لي الصور", "أين نلتقي؟", "عطلة نهاية أسبوع سعيدة", "نسيت الشاحن", "إلى الغد",
    ),
}  # fmt: skip

# Everyday words that are also drug slang: the detector must not flag them.
COLLISIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "grabbing a coke zero, want one?", "speed dating tonight lol wish me luck",
        "ice cream after work?", "snow day tomorrow!!", "that new track is dope",
        "high school reunion next month", "hash browns for breakfast", "pot roast for dinner",
        "flight leaves at the crack of dawn", "acid reflux again, ugh", "need to weed the garden",
        "molly is coming to the party too", "special k cereal is on sale", "blues night at the bar",
        "horse riding lessons on sunday", "the grass is still wet", "crystal clear water today",
        "smack talk before the match", "opening a joint account at the bank", "green tea please",
        "his bars on this track are insane", "my speed on the treadmill went up", "diet coke",
        "the ecstasy of finally finishing", "chalk for the climbing gym", "rock concert tonight",
        "ordered the china set for grandma", "beans on toast again", "she is such a sweetheart",
    ),
    "es": ("una coca-cola bien fría", "nieve en la sierra este finde", "qué hierba tan verde"),
    "fr": ("la neige tombe enfin", "un coca zéro s'il vous plaît", "l'herbe est mouillée"),
    "de": ("endlich Schnee!", "eine Cola Zero bitte", "Speed-Dating war lustig"),
    "pt": ("uma coca zero por favor", "a grama está molhada", "que neve linda"),
    "ru": ("кока-кола без сахара", "снег идёт весь день"),
    "zh": ("来一瓶可乐", "下雪了"),
    "ar": ("كوكا كولا باردة", "الثلج جميل"),
}  # fmt: skip

MENTIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "just watched a documentary about {sub}", "is {sub} dangerous with alcohol?",
        "my doctor put me on {sub} after the surgery", "police found {sub} in a car downtown",
        "{sub} overdoses are up again in our city", "anyone know the history of {sub}?",
        "good article on {sub} and harm reduction", "my cousin is in rehab for {sub}",
        "they talked about {sub} on the news tonight",
        "the pharmacist said {sub} can cause drowsiness",
    ),
    "es": ("vi un documental sobre {sub}", "la policía incautó {sub} en el puerto"),
    "fr": ("reportage sur {sub} ce soir", "mon médecin m'a prescrit {sub}"),
    "de": ("Doku über {sub} gesehen", "die Polizei hat {sub} beschlagnahmt"),
    "pt": ("vi uma reportagem sobre {sub}", "a polícia apreendeu {sub} ontem"),
    "ru": ("смотрел передачу про {sub}", "полиция изъяла {sub}"),
    "zh": ("看了一个关于{sub}的纪录片", "警方查获了{sub}"),
    "ar": ("شاهدت برنامجا عن {sub}", "الشرطة ضبطت {sub}"),
}  # fmt: skip

TRADE: dict[str, tuple[str, ...]] = {
    "en": (
        "{sub} {qty} {price}, DM me", "selling {sub} {qty} for {price}",
        "got {sub} in stock, {qty} {price} hmu", "{sub} available, stealth shipping worldwide",
        "who has {sub}? need {qty} tonight", "fresh {sub} {qty} = {price}, telegram only",
        "{qty} {sub} {price} pm me", "plug for {sub}, {price} per {qty}",
        "{sub} restock!! {qty} {price}, discreet delivery", "looking to buy {sub}, {qty}",
    ),
    "es": ("vendo {sub} {qty} {price}, escríbeme", "tengo {sub}, {qty} a {price}, envío discreto",
           "busco {sub} urgente, {qty}"),
    "fr": ("je vends {sub} {qty} {price}, mp moi", "{sub} dispo, {qty} à {price}, livraison"),
    "de": ("verkaufe {sub} {qty} für {price}, schreib mir",
           "{sub} verfügbar, {qty} {price}, Versand"),
    "pt": ("vendo {sub} {qty} por {price}, chama no zap", "tenho {sub} {qty} {price}, entrega"),
    "ru": ("продам {sub} {qty} {price}, пиши в лс", "{sub} в наличии, {qty} – {price}, закладки"),
    "zh": ("出售{sub} {qty} {price} 加微信", "有货 {sub} {qty} {price} 包邮"),
    "ar": ("للبيع {sub} {qty} {price} راسلني", "{sub} متوفر {qty} {price} توصيل"),
}  # fmt: skip

CONTACT: dict[str, tuple[str, ...]] = {
    "en": ("contact {ident}", "text {ident}", "hit me up {ident}", "orders: {ident}"),
    "es": ("contacto {ident}", "escríbeme {ident}"),
    "fr": ("contact {ident}", "écris-moi {ident}"),
    "de": ("Kontakt {ident}", "schreib mir {ident}"),
    "pt": ("contato {ident}", "chama {ident}"),
    "ru": ("связь {ident}", "пиши {ident}"),
    "zh": ("联系 {ident}", "微信 {ident}"),
    "ar": ("تواصل {ident}", "راسلني {ident}"),
}

IDENTIFIER_CONTEXT: dict[str, tuple[str, ...]] = {
    "en": (
        "my new number is {ident}", "call me on {ident} when you land", "send the file to {ident}",
        "check this out {ident}", "donations welcome: {ident}", "reach me at {ident}",
        "the form is at {ident}", "whatsapp {ident}",
    ),
    "es": ("mi número nuevo es {ident}", "mándalo a {ident}"),
    "fr": ("mon nouveau numéro : {ident}", "envoie à {ident}"),
    "de": ("meine neue Nummer: {ident}", "schick es an {ident}"),
    "pt": ("meu número novo é {ident}", "manda para {ident}"),
    "ru": ("мой новый номер {ident}", "отправь на {ident}"),
    "zh": ("我的新号码是 {ident}", "发到 {ident}"),
    "ar": ("رقمي الجديد {ident}", "أرسل إلى {ident}"),
}  # fmt: skip

EMOJI = ("😂", "👍", "❤️", "🙏", "😅", "🔥", "🎉", "😭", "👀", "✅", "🙂", "😎")
FIRST_NAMES = ("Anna", "Ben", "Carla", "Dev", "Emma", "Farid", "Gabi", "Hugo", "Ines", "Jonas",
               "Kenji", "Lena", "Marco", "Nadia", "Omar", "Priya", "Sam", "Yusuf")  # fmt: skip
NAME_PREFIXED = ("en", "es", "fr", "de", "pt")  # "Anna, are you coming?"
UNITS = ("g", "gr", " grams", "oz", " pills", " tabs", "x", "ml")
AMOUNTS = ("1", "2", "3.5", "5", "7", "10", "14", "28", "50", "100")
PRICES: dict[str, tuple[str, ...]] = {
    "en": ("${}", "£{}", "{} usd", "€{}"), "es": ("{}€", "${}"), "fr": ("{}€", "{} euros"),
    "de": ("{}€", "{} Euro"), "pt": ("R${}", "{}€"), "ru": ("{} руб", "{}₽"),
    "zh": ("{}元", "¥{}"), "ar": ("{}$", "{} دولار"),
}  # fmt: skip
JOINERS = {"zh": ("，", "。", " "), "ar": (" ، ", " ", ". ")}
DEFAULT_JOINERS = (" ", ". ", ", ", "! ", " - ")

LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
CYRILLIC = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у",
    "A": "А", "E": "Е", "O": "О", "P": "Р", "C": "С", "X": "Х", "K": "К", "M": "М",
}  # fmt: skip
ZERO_WIDTH = ("\u200b", "\u200c", "\u2060")
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
HANDLE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"
WORDS = ("green", "fast", "north", "shop", "store", "delta", "lucky", "nova", "alpha", "pure")


@dataclass(frozen=True)
class NamePools:
    """KB names to plant: all strong ones, the popular substances' ones, weak ones, by language."""

    strong: tuple[str, ...]
    popular: tuple[str, ...]
    weak: tuple[str, ...]
    translated: dict[str, tuple[str, ...]]


def name_pools(kb: KnowledgeBase) -> NamePools:
    skip = ("systematic", "cas", "emoji")
    strong, popular, weak = [], [], []
    translated: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for sub in kb.substances.values():
        for name in sub.names:
            if name.kind in skip or len(name.text) < 3 or len(name.text) > 30:
                continue
            if name.kind in translated:
                translated[name.kind].append(name.text)
            elif name.weak:
                weak.append(name.text)
            else:
                strong.append(name.text)
                if sub.id in POPULAR:
                    popular.append(name.text)
    if not strong:
        raise SystemExit("the KB has no strong substance names to plant")
    return NamePools(
        strong=tuple(sorted(set(strong))),
        popular=tuple(sorted(set(popular))) or tuple(sorted(set(strong))),
        weak=tuple(sorted(set(weak))) or tuple(sorted(set(strong))),
        translated={k: tuple(sorted(set(v))) for k, v in translated.items()},
    )


def corpus_key(kb: KnowledgeBase) -> str:
    """Changes whenever a corpus generated now would differ: the names to plant or this code."""
    digest = hashlib.sha256(repr(name_pools(kb)).encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


def _leet(name: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(name) if ch.lower() in LEET]
    if not spots:
        return name.upper()
    chosen = set(rng.sample(spots, max(1, len(spots) // 2)))
    return "".join(LEET[ch.lower()] if i in chosen else ch for i, ch in enumerate(name))


def _fullwidth(name: str, rng: random.Random) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in name)


def _spaced(name: str, rng: random.Random) -> str:
    return rng.choice((" ", ".", "-", " ")).join(name.replace(" ", ""))


def _homoglyph(name: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(name) if ch in CYRILLIC]
    if not spots:
        return _zero_width(name, rng)
    chosen = set(rng.sample(spots, max(1, (len(spots) + 1) // 2)))
    return "".join(CYRILLIC[ch] if i in chosen else ch for i, ch in enumerate(name))


def _zero_width(name: str, rng: random.Random) -> str:
    if len(name) < 2:
        return name
    cut = rng.randrange(1, len(name))
    return name[:cut] + rng.choice(ZERO_WIDTH) + name[cut:]


OBFUSCATIONS: tuple[Callable[[str, random.Random], str], ...] = (
    _leet, _leet, _fullwidth, _spaced, _homoglyph, _zero_width,
)  # fmt: skip


def _eip55(raw: bytes) -> str:
    hexed = raw.hex()
    digest = keccak.new(data=hexed.encode(), digest_bits=256).hexdigest()
    pairs = zip(hexed, digest[:40], strict=True)
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c for c, d in pairs)


def crypto_address(rng: random.Random) -> str:
    """A syntactically valid address over a random payload (not anybody's wallet)."""
    payload = rng.randbytes(32)
    kind = rng.randrange(6)
    if kind == 0:
        return base58.b58encode_check(b"\x00" + payload[:20]).decode()  # Bitcoin P2PKH
    if kind == 1:
        return base58.b58encode_check(b"\x05" + payload[:20]).decode()  # Bitcoin P2SH
    if kind == 2:
        return bech32m.encode("bc", 0, payload[:20])  # SegWit v0 (bech32)
    if kind == 3:
        return bech32m.encode("bc", 1, payload)  # Taproot (bech32m)
    if kind == 4:
        return base58.b58encode_check(b"\x41" + payload[:20]).decode()  # Tron
    return _eip55(payload[:20])  # Ethereum


def phone_number(rng: random.Random) -> str:
    """International format in ranges reserved for fiction or documentation."""
    n = rng.randrange(1000)
    return rng.choice(
        (
            f"+44 7700 900{n:03d}",
            f"+447700900{n:03d}",
            f"+1 (212) 555-01{n % 100:02d}",
            f"+1-202-555-01{n % 100:02d}",
            f"+61 491 570 {n % 150 + 6:03d}",
            f"+33 6 39 98 {n % 100:02d} {n // 10:02d}",
        )
    )


def _handle(rng: random.Random) -> str:
    size = rng.randrange(5, 16)
    return rng.choice(WORDS) + "".join(rng.choice(HANDLE_CHARS) for _ in range(size - 4))


def identifier(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return phone_number(rng)
    if kind < 0.55:
        domain = rng.choice(("gmail.com", "proton.me", "outlook.com", "example.org", "mail.ru"))
        return f"{_handle(rng)}@{domain}"
    if kind < 0.7:
        return "@" + _handle(rng)  # Telegram handle
    if kind < 0.85:
        return rng.choice(
            (
                f"https://{rng.choice(WORDS)}{rng.randrange(99)}.shop/p/{rng.randrange(10**6)}",
                f"t.me/{_handle(rng)}",
                f"https://wa.me/447700900{rng.randrange(1000):03d}",
                "http://" + "".join(rng.choice(BASE32) for _ in range(56)) + ".onion",
                f"www.{_handle(rng)}.com",
            )
        )
    return crypto_address(rng)


class Planter:
    """Writes the planted part of a message (Python's random: few rows, string work)."""

    def __init__(self, pools: NamePools, seed: int):
        self.pools = pools
        self.rng = random.Random(seed)

    def substance(self, lang: str, weak_ok: bool) -> str:
        rng = self.rng
        translated = self.pools.translated.get(lang, ())
        if lang != "en" and translated and rng.random() < 0.5:
            return rng.choice(translated)
        if weak_ok and rng.random() < WEAK_NAME_SHARE:
            return rng.choice(self.pools.weak)
        pool = self.pools.popular if rng.random() < POPULAR_SHARE else self.pools.strong
        return rng.choice(pool)

    def trade(self, lang: str, sub: str) -> str:
        rng = self.rng
        qty = rng.choice(AMOUNTS) + rng.choice(UNITS)
        price = rng.choice(PRICES[lang]).format(rng.choice((20, 25, 40, 50, 80, 120, 300, 900)))
        return rng.choice(TRADE[lang]).format(sub=sub, qty=qty, price=price)

    def plant(self, kind: str, lang: str) -> str:
        rng = self.rng
        if kind == "collision":
            return rng.choice(COLLISIONS[lang])
        if kind == "identifier":
            return rng.choice(IDENTIFIER_CONTEXT[lang]).format(ident=identifier(rng))
        if kind == "substance":
            return rng.choice(MENTIONS[lang]).format(sub=self.substance(lang, weak_ok=True))
        if kind == "trade":
            return self.trade(lang, self.substance(lang, weak_ok=True))
        if kind == "offer":
            contact = rng.choice(CONTACT[lang]).format(ident=identifier(rng))
            return f"{self.trade(lang, self.substance(lang, weak_ok=False))} {contact}"
        # obfuscated: a disguised strong name, half of the time in a trade message
        name = rng.choice(self.pools.popular if rng.random() < 0.8 else self.pools.strong)
        sub = rng.choice(OBFUSCATIONS)(name, rng)
        if rng.random() < 0.5:
            return self.trade(lang, sub)
        return rng.choice(MENTIONS[lang]).format(sub=sub)


def generate(n: int, seed: int, kb: KnowledgeBase) -> pa.Table:
    rng = np.random.default_rng(seed)
    langs = rng.choice(len(LANGS), size=n, p=LANG_SHARES)
    kind_names = ("none", *KIND_SHARES)
    kind_p = [1.0 - sum(KIND_SHARES.values()), *KIND_SHARES.values()]
    kinds = rng.choice(len(kind_names), size=n, p=kind_p)
    # phrases per message: 1 + lognormal, median 2, a long tail of long messages
    counts = np.clip(1 + rng.lognormal(0.5, 0.85, size=n).astype(np.int64), 1, 24)
    picks = rng.random(int(counts.sum()))  # which phrase, scaled to each pool's size
    joins = rng.random(int(counts.sum()))
    lower = rng.random(n) < LOWERCASE_SHARE
    decor = rng.random(n)
    slot = rng.random(n)
    extras = rng.integers(0, 1 << 30, size=n)
    planter = Planter(name_pools(kb), seed)
    texts: list[str] = []
    pool_of = [CHAT[lang] for lang in LANGS]
    joiners_of = [JOINERS.get(lang, DEFAULT_JOINERS) for lang in LANGS]
    at = 0
    for i in range(n):
        li, k, count = int(langs[i]), int(kinds[i]), int(counts[i])
        pool, joiners = pool_of[li], joiners_of[li]
        parts = [pool[int(p * len(pool))] for p in picks[at : at + count].tolist()]
        seps = [joiners[int(j * len(joiners))] for j in joins[at : at + count].tolist()]
        at += count
        if k:
            planted = planter.plant(kind_names[k], LANGS[li])
            parts[int(slot[i] * count)] = planted
        text = parts[0]
        for sep, part in zip(seps, parts[1:], strict=False):
            text += sep + part
        if decor[i] < 0.2:
            text += " " + EMOJI[int(extras[i]) % len(EMOJI)]
        elif decor[i] < 0.3 and LANGS[li] in NAME_PREFIXED:
            text = f"{FIRST_NAMES[int(extras[i]) % len(FIRST_NAMES)]}, {text}"
        if lower[i] and not k:
            text = text.lower()
        texts.append(text)
    width = len(str(n - 1))
    return pa.table(
        {
            "id": pa.array([f"m{i:0{width}d}" for i in range(n)], pa.string()),
            "text": pa.array(texts, pa.string()),
            "lang": pa.DictionaryArray.from_arrays(langs.astype(np.int8), list(LANGS)),
            "kind": pa.DictionaryArray.from_arrays(kinds.astype(np.int8), list(kind_names)),
        }
    )


def write_corpus(n: int, seed: int, out: Path, kb: KnowledgeBase) -> float:
    """Generate and write the corpus; returns the seconds it took."""
    started = time.perf_counter()
    table = generate(n, seed, kb)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out, compression="zstd", row_group_size=ROW_GROUP)
    return time.perf_counter() - started


@dataclass(frozen=True)
class CorpusStats:
    rows: int
    bytes_on_disk: int
    text_mb: float
    chars_median: int
    chars_p90: int
    chars_p99: int
    chars_max: int
    langs: dict[str, float]
    kinds: dict[str, float]


def describe(path: Path) -> CorpusStats:
    table = pq.read_table(path, columns=["text", "lang", "kind"])
    lengths = pc.utf8_length(table["text"]).to_numpy()
    p50, p90, p99 = np.percentile(lengths, [50, 90, 99])
    rows = table.num_rows

    def shares(column: str) -> dict[str, float]:
        counts = Counter(table[column].to_pylist())
        return {k: v / rows for k, v in counts.most_common()}

    return CorpusStats(
        rows=rows,
        bytes_on_disk=path.stat().st_size,
        text_mb=pc.sum(pc.binary_length(table["text"])).as_py() / 1e6,
        chars_median=int(p50),
        chars_p90=int(p90),
        chars_p99=int(p99),
        chars_max=int(lengths.max()),
        langs=shares("lang"),
        kinds=shares("kind"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="messages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out/corpus.parquet"))
    args = parser.parse_args()
    seconds = write_corpus(args.n, args.seed, args.out, load_kb())
    stats = describe(args.out)
    print(f"wrote {stats.rows:,} messages to {args.out} in {seconds:.1f} s; {stats}")


if __name__ == "__main__":
    main()
