"""Contact and payment identifiers: phones, e-mail, links, domains, onions, messenger handles and
crypto wallets.

Speed: one hyperscan pass over the whole batch (the ``lower`` view, which keeps digits and
symbols and is shared with other detectors) runs loose candidate patterns, one family per kind
of identifier; each is a superset of what the exact check accepts, so it never hides a real
identifier. Only the items a family hit (about 1 % of real chat) go through Python: an exact
regex over that item's original text, then validation (checksums, phonenumbers, the
public-suffix list). Everything after the scan looks at one item alone, so findings never
depend on the rest of the batch.

Validation per type:

- btc: base58check with version 0x00 (P2PKH) or 0x05 (P2SH); ``bc1`` segwit addresses decoded per
  BIP-173 (v0, Bech32) and BIP-350 (v1+, Bech32m) with the ``bech32m`` package. Testnet and
  regtest are not reported. A ``3...`` P2SH address is the same string on Bitcoin and on legacy
  Litecoin; it is reported once, as btc (by far the more common), with ``attrs["also"] = "ltc"``.
- ltc: base58check 0x30 (``L``) or 0x32 (``M``); ``ltc1`` segwit as for btc.
- eth: ``0x`` + 40 hex; all-lower and all-upper are accepted, mixed case must pass EIP-55.
- trx: base58check with version 0x41 (``T...``).
- xmr: Monero base58 (8-byte blocks) with its Keccak-256 checksum; mainnet standard (tag 18,
  ``4...``) and subaddress (42, ``8...``) of 95 characters, integrated (19) of 106.
- onion: v3 addresses with the checksum verified (SHA3-256 of ".onion checksum" || key ||
  version 3). v2 addresses (16 characters, no checksum) are reported too, as ``version: 2`` with
  a lower weight: unreachable since 2021, but seized archives from before then are full of them
  and they still link vendors.
- session: 66 hex characters starting ``05`` (an X25519 key with Session's prefix).
- phone: ``phonenumbers`` with ``Leniency.VALID`` (precision over recall). Without
  ``options["phone_region"]`` only numbers written with ``+`` or ``00`` are found; with a region,
  that region's national formats too. Dates, times, CAS numbers, IP addresses, prices,
  quantities and order or reference numbers are dropped.
- a phone number labelled with a messenger ("WhatsApp: +44 ...", "+44 ... (Signal)") is reported
  as that messenger (value E.164, ``form: "phone"``) and not again as a phone.
- email, url, domain: the host must end in a suffix of the public-suffix list bundled with
  tldextract (nothing is fetched). URL values have scheme and host lower-cased and the path kept
  (paths are case-sensitive). A bare host (no scheme) needs a well-known TLD (country codes, IDNs,
  classic and commonly abused gTLDs) or more evidence; TLDs that are everyday words (``ok.so``)
  or file extensions and code (``readme.md``, ``user.id``) need more still: see
  ``_bare_domain_ok``.
- telegram, snapchat, wickr, threema, signal usernames: the platform must be named ("telegram:
  @name", "tg @name", "@name on telegram", "wickr me: name") or the handle be in a platform link
  (t.me/..., snapchat.com/add/..., signal.me/..., wa.me/..., chat.whatsapp.com/...).
  A bare ``@name`` with no platform named nearby, or whose nearest named platform has no type
  here (Instagram, Discord, ...), is not reported: it could be any service, and a guessed
  platform would send an analyst to the wrong company. Usernames are lower-cased; invite codes
  keep their case (they are case-sensitive).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import base58
import bech32m
import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat

from interdiction.detect.base import Detector, DetectorContext, Example, Findings
from interdiction.kb.cache import BytesCache
from interdiction.model import Detection
from interdiction.text.batch import TextBatch
from interdiction.text.engine import PatternSet
from interdiction.text.normalize import lower_view

NAME = "identifiers"
KIND = "identifier"
TYPES = (
    "phone", "email", "url", "domain", "onion", "telegram", "whatsapp", "signal", "wickr",
    "threema", "session", "snapchat", "btc", "eth", "trx", "xmr", "ltc",
)  # fmt: skip

# How much one identifier says on its own: off-platform contact and payment details are a trade
# signal, strongest for the channels sellers prefer (onions, end-to-end messengers, privacy coins).
TYPE_WEIGHT = {
    "onion": 0.6, "xmr": 0.5, "session": 0.5, "wickr": 0.5, "threema": 0.5, "signal": 0.4,
    "telegram": 0.4, "whatsapp": 0.35, "snapchat": 0.35, "btc": 0.4, "ltc": 0.4, "eth": 0.35,
    "trx": 0.35, "phone": 0.3, "email": 0.2, "url": 0.2, "domain": 0.15,
}  # fmt: skip
V2_ONION_WEIGHT = 0.4

_B58 = "1-9A-HJ-NP-Za-km-z"
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"

# ---------------------------------------------------------------------------------------------
# Messenger names, as written in ads and chats
# ---------------------------------------------------------------------------------------------
# None: platforms with no type here. As the nearest platform named, they keep a handle from
# being credited to a platform named farther away ("my insta @x, telegram below").
_PLATFORM_WORDS: dict[str | None, str] = {
    "telegram": r"telegram\w{0,6}|телеграм\w{0,6}|телег\w{0,6}|tg|тг|tele",
    "whatsapp": r"whats\s?app\w{0,6}|wats\s?app\w{0,6}|whatsap|watsap|wapp|wa"
    r"|ватсап\w{0,6}|вотсап\w{0,6}|вацап\w{0,6}",
    "signal": r"signal|сигнал\w{0,6}",
    "wickr": r"wickr(?:\s?me)?|викр\w{0,6}",
    "threema": r"threema|трима",
    "snapchat": r"snapchat|snap|sc|снапчат\w{0,6}|снап|снэп",
    None: r"instagram|insta|ig|twitter|tiktok|tik\s?tok|discord|kik|facebook|fb|messenger|viber"
    r"|wechat|reddit|youtube|threads|e-?mail|gmail|skype|line",
}
# The literal stems of those words (for the candidate scan), per platform that can own a handle.
_HANDLE_PLATFORM_STEMS = {
    "telegram": ("telegram", "телеграм", "телег", "tg", "тг", "tele"),
    "signal": ("signal", "сигнал"),
    "wickr": ("wickr", "викр"),
    "snapchat": ("snapchat", "snap", "sc", "снапчат", "снап", "снэп"),
}
_THREEMA_STEMS = ("threema", "трима")

# ---------------------------------------------------------------------------------------------
# Candidate patterns: hyperscan over the UTF-8 of the lower view. Each is looser than the exact
# check below (the view only lower-cases and folds look-alikes, so a superset on it is a superset
# on the original); windows are counted in bytes, up to four per character.
# ---------------------------------------------------------------------------------------------


def _stems(words: tuple[str, ...]) -> bytes:
    return b"(?:" + b"|".join(re.escape(lower_view(w).encode()) for w in words) + b")"


def _candidate_patterns(region: str | None) -> list[tuple[str, bytes]]:
    labelled = _stems(tuple(s for stems in _HANDLE_PLATFORM_STEMS.values() for s in stems))
    at_platforms = _stems(
        _HANDLE_PLATFORM_STEMS["telegram"]
        + _HANDLE_PLATFORM_STEMS["snapchat"]
        + _HANDLE_PLATFORM_STEMS["wickr"]
    )
    phone_gap = rb"[\s()\[\].\-/~\x80-\xff]{0,4}"
    patterns = [
        # any run of 26 base58 characters: looser than "[13lmt48]" then 25 more, and a third
        # of its scanning time (a class of common letters opening a long repeat is costly)
        ("base58", rb"[1-9a-z]{26}"),
        ("bech32", rb"(?:bc|ltc)1[02-9ac-hj-np-z]{6}"),
        ("eth", rb"0x[0-9a-f]{40}"),
        ("session", rb"05[0-9a-f]{64}"),
        ("onion", rb"[a-z2-7]{16}\.onion"),
        ("email", rb"[^\s@]@[^\s@.]+\."),
        ("url", rb"https?://|www\."),
        (
            "link",
            rb"(?:t|telegram)\.(?:me|dog)/|tg://|wa\.me/|whatsapp\.com/|signal\.(?:me|group)/"
            rb"|snapchat\.com/add/",
        ),
        # the public-suffix check is left to Python: 1,400 TLDs take seconds to compile
        ("domain", rb"[a-z0-9\x80-\xff]\.[a-z\x80-\xff]{2}"),
        # "telegram: name", "snap @name"
        ("label", labelled + rb"[\s\S]{0,60}[:=>@\-]"),
        ("label", _stems(_THREEMA_STEMS)),
        # "@name" with a platform named within the context windows
        ("at_handle", at_platforms + rb"[\s\S]{0,160}@[a-z]"),
        ("at_handle", rb"@[a-z][\s\S]{0,240}" + at_platforms),
        ("phone", rb"(?:\+|\b00)" + phone_gap + rb"[1-9](?:" + phone_gap + rb"[0-9]){6}"),
    ]
    if region:
        # national formats: any seven digits in a row, allowing phone punctuation between them
        patterns.append(("phone", rb"[0-9](?:" + phone_gap + rb"[0-9]){6}"))
    return patterns


@lru_cache(maxsize=8)
def _compiled_candidates(
    region: str | None, cache: BytesCache | None
) -> tuple[PatternSet, tuple[str, ...]]:
    """One hyperscan database per phone region, shared by the detectors of one cache."""
    patterns = _candidate_patterns(region)
    # no CASELESS: the lower view has no upper-case ASCII left
    pattern_set = PatternSet([pattern for _, pattern in patterns], cache=cache)
    return pattern_set, tuple(family for family, _ in patterns)


@lru_cache(maxsize=1)
def _suffix_extractor():
    """tldextract with the snapshot it bundles: never fetched, never cached on disk. Imported
    on first use: with the HTTP stack it carries for fetching, it is a fifth of start-up."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def _registered(host: str) -> str | None:
    """``domain.suffix`` of a host under a known public suffix, else None. Kept per host: the
    same few mail and shop hosts come back again and again, at some 0.1 ms a look-up."""
    parts = _suffix_extractor()(host)
    if not parts.suffix or not parts.domain:
        return None
    return f"{parts.domain}.{parts.suffix}".lower()


def _keccak256(data: bytes) -> bytes:
    from Crypto.Hash import keccak  # imported on first use (cffi is slow to load)

    return keccak.new(digest_bits=256, data=data).digest()


# ---------------------------------------------------------------------------------------------
# Exact patterns (Python re, run on one candidate item's original text)
# ---------------------------------------------------------------------------------------------
_BASE58_RE = re.compile(_NOT_ALNUM_BEFORE + f"[{_B58}]{{26,106}}" + _NOT_ALNUM_AFTER)
_BECH32_RE = re.compile(
    _NOT_ALNUM_BEFORE + r"(?:bc|ltc|BC|LTC)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}" + _NOT_ALNUM_AFTER
)
_ETH_RE = re.compile(_NOT_ALNUM_BEFORE + r"0x[0-9a-fA-F]{40}" + _NOT_ALNUM_AFTER)
_SESSION_RE = re.compile(_NOT_ALNUM_BEFORE + r"05[0-9a-fA-F]{64}" + _NOT_ALNUM_AFTER)
_ONION_RE = re.compile(
    _NOT_ALNUM_BEFORE + r"(?P<label>[a-z2-7]{56}|[a-z2-7]{16})\.onion(?![\w-])", re.I
)
_HOST_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[\w%+-](?:[\w.%+-]{0,62}[\w%+-])?@(?P<host>(?:"
    + _HOST_LABEL
    + r"\.)+[^\W\d_]{2,63})(?![\w-]|\.[^\W_])"
)
_URL_RE = re.compile(r"(?<![\w@.])(?:https?://|www\.)[^\s<>\"'`{}|\\^\[\]]+", re.I)
_URL_PARTS_RE = re.compile(r"(?P<scheme>https?://)?(?P<netloc>[^/?#]+)(?P<rest>.*)", re.I | re.S)
_PORT_RE = re.compile(r":\d*$")
_DOMAIN_RE = re.compile(
    r"(?<![\w@.\-/:])(?P<host>(?:"
    + _HOST_LABEL
    + r"\.)+(?P<tld>[^\W\d_]{2,63}|xn--[a-z0-9-]{2,59}))(?![\w-]|\.[^\W_])",
    re.I,
)
_LINK_START = r"(?<![\w.-])(?:https?://)?(?:www\.)?"
_TELEGRAM_LINK_RE = re.compile(
    r"(?:"
    + _LINK_START
    + r"(?:t|telegram)\.(?:me|dog)/(?:(?:\+|joinchat/)(?P<invite>[\w-]{10,})|(?:s/)?"
    r"(?P<name>[A-Za-z][A-Za-z0-9_]{3,31})(?![\w-]))"
    r"|(?<![\w.-])tg://(?:resolve\?domain=(?P<domain>[A-Za-z][A-Za-z0-9_]{3,31})(?!\w)"
    r"|join\?invite=(?P<join>[\w-]{10,})))",
    re.I,
)
# t.me paths that are features, not usernames
_TELEGRAM_RESERVED = frozenset({
    "share", "addstickers", "addemoji", "addtheme", "addlist", "proxy", "socks", "iv",
    "setlanguage", "login", "confirmphone", "bg", "boost", "contact", "invoice", "giftcode",
})  # fmt: skip
_WHATSAPP_LINK_RE = re.compile(
    _LINK_START
    + r"(?:(?:wa\.me/|(?:api\.|web\.)?whatsapp\.com/send/?\?phone=)\+?(?P<digits>\d{7,15})(?!\d)"
    r"|chat\.whatsapp\.com/(?:invite/)?(?P<invite>[A-Za-z0-9]{20,24})(?![A-Za-z0-9]))",
    re.I,
)
_SIGNAL_LINK_RE = re.compile(
    _LINK_START + r"signal\.(?:me/#(?:p/(?P<phone>\+?\d{7,15})(?!\d)|eu/(?P<username>[\w-]{20,}))"
    r"|group/#(?P<group>[\w-]{20,}))",
    re.I,
)
_SNAPCHAT_LINK_RE = re.compile(
    _LINK_START + r"snapchat\.com/add/(?P<name>[A-Za-z][A-Za-z0-9._-]{1,13}[A-Za-z0-9])(?![\w-])",
    re.I,
)

_PLATFORM_WORD_RE = re.compile(
    "|".join(
        f"(?P<{platform or 'other'}>(?<![^\\W_])(?:{words})(?![^\\W_]))"
        for platform, words in _PLATFORM_WORDS.items()
    ),
    re.I,
)
_PHONE_MESSENGERS = ("whatsapp", "signal", "telegram")
_AT_PLATFORMS = ("telegram", "snapchat", "wickr")  # the ones whose users write "@name"

# What ends a handle: not a word character or '@', nor '.'/'-' going on into a longer name.
_HANDLE_END = r"(?![\w@]|[.\-][^\W_])"
_HANDLE_NAMES = {
    "telegram": r"[A-Za-z][A-Za-z0-9_]{4,31}",
    "snapchat": r"[A-Za-z][A-Za-z0-9._-]{1,13}[A-Za-z0-9]",
    "wickr": r"[A-Za-z0-9][A-Za-z0-9._-]{3,30}[A-Za-z0-9]",
    "signal": r"[A-Za-z_][A-Za-z0-9_]{2,31}\.\d{2,9}",
}
_HANDLE_NAME_RES = {platform: re.compile(name) for platform, name in _HANDLE_NAMES.items()}
# "telegram: name", "wickr me - name", "snap @name", "signal username: name.42"
_LABEL_SEPARATOR = (
    r"(?:\s{0,3}(?:id|me|user(?:name)?|name|handle|nick|acc(?:ount)?))?\s{0,3}"
    r"(?:[:=>\-–—]+\s{0,3}(?P<at>@)?|(?P<at2>@))"
)
_LABELLED_HANDLE_RES = {
    platform: re.compile(
        r"(?<![^\W_])(?:"
        + _PLATFORM_WORDS[platform]
        + ")"
        + _LABEL_SEPARATOR
        + f"(?P<name>{name}){_HANDLE_END}",
        re.I,
    )
    for platform, name in _HANDLE_NAMES.items()
}
_THREEMA_RE = re.compile(
    r"(?<![^\W_])(?:threema|трима)(?:\s{0,3}id)?\s{0,3}(?:[:=>\-–—]+\s{0,3}|\s)"
    r"(?P<name>\*[A-Za-z0-9]{7}|[A-Za-z0-9]{8})(?!\w)",
    re.I,
)
_AT_HANDLE_RE = re.compile(r"(?<![\w@.+\-/])@(?P<name>[A-Za-z][A-Za-z0-9._-]{1,31})" + _HANDLE_END)
# words that follow "telegram:" in ads without being a handle
_NOT_HANDLES = frozenset({
    "contact", "message", "available", "only", "inbox", "here", "below", "above", "same", "link",
    "profile", "username", "name", "channel", "group", "account", "chat", "private", "support",
    "official", "follow", "subscribe", "join", "write", "text", "call", "send", "click", "dm",
    "pm", "me", "us", "direct",
})  # fmt: skip
_CONTEXT_BEFORE = 40  # characters before an @handle searched for the platform's name
_CONTEXT_AFTER = 25  # and after it

# ---------------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------------
# "0044 ..." -> " +44 ...", same length: phonenumbers then reads the commonest international
# prefix without a region.
_DOUBLE_ZERO_RE = re.compile(r"(?<![\w+])00(?=\s?[1-9])")
_NOT_PHONE_SHAPES = re.compile(
    r"\d{2,7}-\d{2}-\d"  # CAS registry number
    r"|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"  # date
    r"|\d{4}-\d{2}-\d{2}.*"  # ISO date and more
    r"|\d{1,3}(?:\.\d{1,3}){3}"  # IPv4
)
_TIME_RE = re.compile(r"\d{1,2}:\d{2}")
# object identifiers and versions: dotted numbers with a single-digit group (1.3.6.1.5.5.7)
_OID_RE = re.compile(r"\d+(?:\.\d+)*\.\d\.\d+(?:\.\d+)*")
# the tail of a decimal ("0.5772156649") or an operand ("== 2147483647", "% 7", "aix-6107")
_DECIMAL_BEFORE_RE = re.compile(r"\d[.,]$")
_OPERATOR_BEFORE_RE = re.compile(r"[-=*/%^|<>]\s?$")
_PRICE_BEFORE_RE = re.compile(
    r"(?:[$€£¥₽₴₹₿]|\b(?:usd|eur|gbp|rub|btc|eth|xmr|usdt|price|total|sum|цена))\s*[:=]?\s*$",
    re.I,
)
_REFERENCE_BEFORE_RE = re.compile(
    r"(?:[#№]|\b(?:no|nr|order|tracking|track|invoice|ref|reference|id|sku|lot|batch|cas|tx"
    r"|txid|iban|account|acct|ticket|case|заказ)\b\.?)\s*[:#.]?\s*$",
    re.I,
)
_UNIT_AFTER_RE = re.compile(
    r"\s*(?:[$€£¥₽₴₹₿%]|(?:usd|eur|gbp|rub|руб\w*|euros?|dollars?|bucks|btc|eth|xmr|usdt|g|gr"
    r"|grams?|mg|mcg|ug|µg|kg|ml|l|oz|lbs?|pcs|pieces|pills?|tabs?|caps?|x|units?|ea)\b)",
    re.I,
)
# "+44 ... (WhatsApp only)", "+44 ... - signal.": the name closes the phrase, so it does not
# label the next number ("+44 ..., WhatsApp +44 ...")
_MESSENGER_AFTER_RE = re.compile(
    r"[\s(\[,:–—-]{0,3}(?:"
    + "|".join(f"(?P<{p}>{_PLATFORM_WORDS[p]})" for p in _PHONE_MESSENGERS)
    + r")(?:\s{1,2}(?:only|too|also))?\s{0,2}(?:[)\].,;!\n]|$)",
    re.I,
)
_PHONE_CONTEXT_BEFORE = 30  # characters before a number searched for a messenger's name

# ---------------------------------------------------------------------------------------------
# Domains
# ---------------------------------------------------------------------------------------------
# A bare host (no scheme) counts as a domain on its own when its TLD is a country code, an IDN,
# or one of these: the classic gTLDs and the new ones that shops and spammers actually use.
# Hundreds of other new gTLDs are words (.data, .group, .name, .style) that code and run-on
# sentences produce: those need a digit or hyphen in the name, or a path, to count.
_POPULAR_TLDS = frozenset({
    "com", "net", "org", "info", "biz", "edu", "gov", "mil", "int", "mobi", "pro", "asia", "app",
    "dev", "xyz", "top", "icu", "online", "site", "club", "shop", "store", "live", "buzz", "fun",
    "space", "website", "tech", "bid", "loan", "work", "click", "link", "vip", "cyou", "rest",
    "monster", "sbs", "cfd", "lol", "quest", "bar", "host", "press", "pics", "pharmacy", "health",
    "care", "world", "life", "today", "one", "win", "best", "plus", "ltd", "cloud", "media",
})  # fmt: skip
# Country codes and popular TLDs that are also everyday words: "ok.so", "done.it" are usually a
# missing space, not a site.
_WORD_TLDS = frozenset({
    "am", "as", "at", "be", "by", "do", "in", "is", "it", "me", "my", "no", "so", "to", "us",
    "top", "live", "fun", "work", "click", "link", "win", "best", "one", "today", "world", "life",
    "plus",
})  # fmt: skip
# TLDs that are also file extensions or attribute names in code: "readme.md", "user.id".
_CODE_TLDS = frozenset({"md", "py", "sh", "rs", "ps", "id", "zip", "mov"})
_SENTENCE_GOES_ON_RE = re.compile(r" +[^\W\d_A-Z]")


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------
_BASE58CHECK_TYPES = {  # version byte -> (type, format)
    0x00: ("btc", "p2pkh"),
    0x05: ("btc", "p2sh"),
    0x30: ("ltc", "p2pkh"),
    0x32: ("ltc", "p2sh"),
    0x41: ("trx", "base58"),
}
_MONERO_ALPHABET = {
    char: index
    for index, char in enumerate("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
}
# Monero base58 encodes 8-byte blocks as 11 characters; a shorter last block of n bytes takes
# this many characters.
_MONERO_BLOCK_BYTES = {0: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 5, 9: 6, 10: 7, 11: 8}
_MONERO_FORMATS = {  # (network tag, decoded length) -> format; mainnet only
    (18, 69): "standard",
    (42, 69): "subaddress",
    (19, 77): "integrated",
}


def base58check_type(address: str) -> tuple[str, str] | None:
    """(type, format) of a mainnet base58check address of a supported coin, else None."""
    try:
        payload = base58.b58decode_check(address)
    except ValueError:
        return None
    if len(payload) != 21:
        return None
    return _BASE58CHECK_TYPES.get(payload[0])


def segwit_type(address: str) -> tuple[str, str] | None:
    """(type, format) of a mainnet bc1/ltc1 address valid per BIP-173/BIP-350, else None."""
    hrp = address[: address.rfind("1")].lower()
    coin = {"bc": "btc", "ltc": "ltc"}.get(hrp)
    if coin is None:
        return None
    try:
        decoded = bech32m.decode(hrp, address)
    except ValueError:
        return None
    if decoded.witver == 0:
        return coin, "p2wpkh" if len(decoded.witprog) == 20 else "p2wsh"
    return coin, "p2tr" if decoded.witver == 1 else f"segwit-v{decoded.witver}"


def eip55_ok(hex40: str) -> bool:
    """EIP-55: single-case addresses carry no checksum; mixed case must match keccak's bits."""
    if hex40 == hex40.lower() or hex40 == hex40.upper():
        return True
    digest = _keccak256(hex40.lower().encode()).hex()
    return all(
        char.isupper() == (int(nibble, 16) >= 8)
        for char, nibble in zip(hex40, digest[:40], strict=True)
        if char.isalpha()
    )


def monero_base58_decode(text: str) -> bytes | None:
    out = bytearray()
    for offset in range(0, len(text), 11):
        block = text[offset : offset + 11]
        size = _MONERO_BLOCK_BYTES.get(len(block))
        if size is None:
            return None
        value = 0
        for char in block:
            digit = _MONERO_ALPHABET.get(char)
            if digit is None:
                return None
            value = value * 58 + digit
        if value >> (8 * size):
            return None  # overflows its block: not a valid encoding
        out += value.to_bytes(size, "big")
    return bytes(out)


def monero_format(address: str) -> str | None:
    """standard / subaddress / integrated for a valid mainnet Monero address, else None."""
    data = monero_base58_decode(address)
    if data is None or len(data) < 5:
        return None
    found = _MONERO_FORMATS.get((data[0], len(data)))
    if found is None:
        return None
    checksum = _keccak256(data[:-4])[:4]
    return found if checksum == data[-4:] else None


def onion_v3_ok(label: str) -> bool:
    """Tor rend-spec v3: base32(pubkey || checksum || version), checksum over all three."""
    raw = base64.b32decode(label.upper())
    pubkey, checksum, version = raw[:32], raw[32:34], raw[34]
    expected = hashlib.sha3_256(b".onion checksum" + pubkey + bytes([version])).digest()[:2]
    return version == 3 and checksum == expected


def _international_number(candidate: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException:
        return None
    # a messenger link names its number outright: possible is enough (VALID drops new ranges)
    return number if phonenumbers.is_possible_number(number) else None


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence rather than the URL."""
    while url and url[-1] in ".,;:!?'\"»”’)]}>*":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _is_ipv4(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv4Address)
    except ValueError:
        return False


def _bare_domain_ok(text: str, host: str, end: int) -> bool:
    """Whether a host written without a scheme reads as a site, not as words, code or a file."""
    labels = host.split(".")
    tld, name = labels[-1], labels[-2]
    if tld != tld.lower() and host != host.upper():
        return False  # "Sentence.It": a missing space before a capitalised word
    if name.isdigit() and len(name) < 3:
        return False  # "1.ru": numbers, not names
    if text.startswith("(", end):
        return False  # "logger.info(": a call in code
    tld = tld.lower()
    evidence = any(c.isdigit() or c == "-" for c in name) or text.startswith("/", end)
    if tld in _CODE_TLDS:
        return evidence or len(labels) > 2
    if tld in _WORD_TLDS:
        # "ok.so what": a run-on sentence goes on with a lower-case word
        return len(name) >= 3 and (
            evidence or len(labels) > 2 or not _SENTENCE_GOES_ON_RE.match(text, end)
        )
    well_known = len(tld) == 2 or tld in _POPULAR_TLDS or not tld.isascii()
    return well_known or tld.startswith("xn--") or evidence


def _nearest_platform(text: str, start: int, end: int) -> str | None:
    """The platform named closest to the handle at text[start:end], if one is named nearby."""
    best: tuple[int, str | None] | None = None
    window_end = min(len(text), end + _CONTEXT_AFTER)
    for match in _PLATFORM_WORD_RE.finditer(text, max(0, start - _CONTEXT_BEFORE), window_end):
        if match.end() <= start:
            distance = start - match.end()
        elif match.start() >= end:
            distance = match.start() - end
        else:
            continue
        if best is None or distance < best[0]:
            best = (distance, None if match.lastgroup == "other" else match.lastgroup)
    return best[1] if best else None


def _messengers_named_around(text: str, start: int, end: int, after_id: int) -> tuple[str, ...]:
    """Messengers labelling the phone number at text[start:end]: named just before it (on its
    line, after any earlier identifier) or right after it ("+44 ... (WhatsApp)")."""
    line_start = text.rfind("\n", 0, start) + 1
    window_start = max(start - _PHONE_CONTEXT_BEFORE, line_start, after_id, 0)
    named = [
        m.lastgroup
        for m in _PLATFORM_WORD_RE.finditer(text, window_start, start)
        if m.lastgroup in _PHONE_MESSENGERS
    ]
    after = _MESSENGER_AFTER_RE.match(text, end)
    if after and after.lastgroup:
        named.append(after.lastgroup)
    return tuple(dict.fromkeys(named))


def _not_a_phone(text: str, start: int, end: int) -> bool:
    raw = text[start:end]
    if _NOT_PHONE_SHAPES.fullmatch(raw) or _OID_RE.fullmatch(raw) or _TIME_RE.search(raw):
        return True
    before = text[max(0, start - 20) : start]
    if _DECIMAL_BEFORE_RE.search(before):
        return True
    if raw[0] not in "+0" and _OPERATOR_BEFORE_RE.search(before):
        return True  # a national-format number in arithmetic or code
    if _PRICE_BEFORE_RE.search(before) or _REFERENCE_BEFORE_RE.search(before):
        return True
    return bool(_UNIT_AFTER_RE.match(text, end))


# ---------------------------------------------------------------------------------------------
# The detector
# ---------------------------------------------------------------------------------------------
class _Findings:
    """Detections of one item; later (weaker) finders skip spans already claimed."""

    def __init__(self, text: str):
        self.text = text
        self.items: list[Detection] = []

    def overlaps(self, start: int, end: int) -> bool:
        return any(d.start < end and start < d.end for d in self.items)

    def add(self, type_: str, start: int, end: int, value: str, **attrs: object) -> None:
        weight = V2_ONION_WEIGHT if attrs.get("version") == 2 else TYPE_WEIGHT[type_]
        self.items.append(
            Detection(
                detector=NAME,
                kind=KIND,
                start=start,
                end=end,
                text=self.text[start:end],
                value=value,
                weight=weight,
                attrs={"type": type_, **attrs},
            )
        )


class IdentifierDetector(Detector):
    name = NAME
    finds = (KIND, *TYPES)

    def __init__(self, context: DetectorContext):
        super().__init__(context)
        region = context.options.get("phone_region")
        self.phone_region: str | None = region.upper() if region else None
        self._candidates, self._family_of = _compiled_candidates(
            self.phone_region, context.pattern_cache
        )
        # in this order: a later finder skips the spans an earlier (stronger) one claimed
        self._finders: tuple[tuple[str, Callable[[_Findings], None]], ...] = (
            ("base58", self._find_base58),
            ("bech32", self._find_bech32),
            ("eth", self._find_eth),
            ("session", self._find_session),
            ("onion", self._find_onions),
            ("link", self._find_links),
            ("email", self._find_emails),
            ("url", self._find_urls),
            ("label", self._find_labelled_handles),
            ("at_handle", self._find_at_handles),
            ("domain", self._find_domains),
            ("phone", self._find_phones),
        )

    def detect(self, batch: TextBatch) -> list[Sequence[Detection]]:
        results = Findings(len(batch))
        families: dict[int, set[str]] = {}
        for pattern, item, _, _ in self._candidates.scan(batch, "lower"):
            families.setdefault(item, set()).add(self._family_of[pattern])
        for item, hit in families.items():
            found = self.find(batch.texts[item], hit)
            if found:
                results[item] = found
        return results.as_lists()

    def find(self, text: str, families: set[str] | None = None) -> list[Detection]:
        """Identifiers in one text; ``families`` (from the candidate scan) limits the work."""
        findings = _Findings(text)
        for family, finder in self._finders:
            if families is None or family in families:
                finder(findings)
        return sorted(findings.items, key=lambda d: (d.start, d.end, d.attrs["type"]))

    # -- wallets and other self-validating identifiers --------------------------------------
    def _find_base58(self, found: _Findings) -> None:
        for match in _BASE58_RE.finditer(found.text):
            address = match.group()
            if address[0] in "48" and len(address) in (95, 106):
                fmt = monero_format(address)
                if fmt:
                    found.add("xmr", *match.span(), address, format=fmt)
            elif address[0] in "13LMT" and len(address) <= 35:
                kind = base58check_type(address)
                if kind is None:
                    continue
                coin, fmt = kind
                shared = {"also": "ltc"} if (coin, fmt) == ("btc", "p2sh") else {}
                found.add(coin, *match.span(), address, format=fmt, **shared)

    def _find_bech32(self, found: _Findings) -> None:
        for match in _BECH32_RE.finditer(found.text):
            kind = segwit_type(match.group())
            if kind:
                # bech32 is case-insensitive and canonically lower-case
                found.add(kind[0], *match.span(), match.group().lower(), format=kind[1])

    def _find_eth(self, found: _Findings) -> None:
        for match in _ETH_RE.finditer(found.text):
            if eip55_ok(match.group()[2:]):
                found.add("eth", *match.span(), match.group().lower())

    def _find_session(self, found: _Findings) -> None:
        for match in _SESSION_RE.finditer(found.text):
            found.add("session", *match.span(), match.group().lower())

    def _find_onions(self, found: _Findings) -> None:
        for match in _ONION_RE.finditer(found.text):
            label = match.group("label").lower()
            if len(label) == 56 and not onion_v3_ok(label):
                continue
            version = 3 if len(label) == 56 else 2
            found.add("onion", *match.span(), f"{label}.onion", version=version)

    # -- messenger links -----------------------------------------------------------------------
    def _find_links(self, found: _Findings) -> None:
        text = found.text
        for match in _TELEGRAM_LINK_RE.finditer(text):
            invite = match.group("invite") or match.group("join")
            name = match.group("name") or match.group("domain")
            if invite:
                found.add("telegram", *match.span(), f"+{invite}", form="invite")
            elif name and name.lower() not in _TELEGRAM_RESERVED:
                found.add("telegram", *match.span(), name.lower(), form="username")
        for match in _WHATSAPP_LINK_RE.finditer(text):
            if match.group("invite"):
                found.add("whatsapp", *match.span(), match.group("invite"), form="invite")
                continue
            number = _international_number("+" + match.group("digits"))
            if number is not None:
                found.add("whatsapp", *match.span(), _e164(number), form="phone")
        for match in _SIGNAL_LINK_RE.finditer(text):
            if match.group("phone"):
                number = _international_number("+" + match.group("phone").lstrip("+"))
                if number is not None:
                    found.add("signal", *match.span(), _e164(number), form="phone")
            elif match.group("username"):
                found.add("signal", *match.span(), match.group("username"), form="username_link")
            else:
                found.add("signal", *match.span(), match.group("group"), form="group")
        for match in _SNAPCHAT_LINK_RE.finditer(text):
            found.add("snapchat", *match.span(), match.group("name").lower(), form="username")

    # -- e-mail, URLs, domains -------------------------------------------------------------------
    def _find_emails(self, found: _Findings) -> None:
        for match in _EMAIL_RE.finditer(found.text):
            if found.overlaps(*match.span()) or _registered(match.group("host")) is None:
                continue
            found.add("email", *match.span(), match.group().lower())

    def _find_urls(self, found: _Findings) -> None:
        for match in _URL_RE.finditer(found.text):
            url = _trim_url(match.group())
            start, end = match.start(), match.start() + len(url)
            parts = _URL_PARTS_RE.match(url)
            if parts is None or found.overlaps(start, end):
                continue
            host = _PORT_RE.sub("", parts.group("netloc").rsplit("@", 1)[-1].lower())
            # onion hosts are reported (checksum permitting) as onions
            if host.endswith(".onion") or not (_is_ipv4(host) or _registered(host)):
                continue
            value = (parts.group("scheme") or "").lower() + parts.group("netloc").lower()
            found.add("url", start, end, value + parts.group("rest"), host=host)

    def _find_domains(self, found: _Findings) -> None:
        text = found.text
        for match in _DOMAIN_RE.finditer(text):
            start, end = match.span()
            host = match.group("host")
            # an onion that failed its checksum must not come back as a domain
            if found.overlaps(start, end) or match.group("tld").lower() == "onion":
                continue
            registered = _registered(host)
            if registered is not None and _bare_domain_ok(text, host, end):
                found.add("domain", start, end, host.lower(), registered=registered)

    # -- messenger handles ------------------------------------------------------------------------
    def _find_labelled_handles(self, found: _Findings) -> None:
        text = found.text
        for platform, pattern in _LABELLED_HANDLE_RES.items():
            for match in pattern.finditer(text):
                has_at = bool(match.group("at") or match.group("at2"))
                name = match.group("name")
                if not has_at and name.lower() in _NOT_HANDLES:
                    continue
                start = match.start("name") - has_at  # the '@' belongs to the span
                if not found.overlaps(start, match.end()):
                    found.add(platform, start, match.end(), name.lower(), form="username")
        for match in _THREEMA_RE.finditer(text):
            threema_id = match.group("name")
            # IDs are shown upper-case: a lower-case word needs a digit to count as one
            if not (threema_id.isupper() or any(c.isdigit() for c in threema_id)):
                continue
            if not found.overlaps(*match.span("name")):
                found.add("threema", *match.span("name"), threema_id.upper(), form="id")

    def _find_at_handles(self, found: _Findings) -> None:
        text = found.text
        for match in _AT_HANDLE_RE.finditer(text):
            start, end = match.span()
            if found.overlaps(start, end):
                continue
            platform = _nearest_platform(text, start, end)
            if platform in _AT_PLATFORMS and _HANDLE_NAME_RES[platform].fullmatch(match["name"]):
                found.add(platform, start, end, match.group("name").lower(), form="username")

    # -- phone numbers ---------------------------------------------------------------------------
    def _find_phones(self, found: _Findings) -> None:
        text = found.text
        prepared = _DOUBLE_ZERO_RE.sub(" +", text)
        matcher = phonenumbers.PhoneNumberMatcher(
            prepared, self.phone_region, leniency=Leniency.VALID
        )
        for match in matcher:
            start, end = match.start, match.end
            if prepared[start] == "+" and text[start] == "0":
                start -= 1  # the "00" rewritten above
            if found.overlaps(start, end) or _not_a_phone(text, start, end):
                continue
            # a label before an earlier identifier (or number) is that one's, not this number's
            after_id = max((d.end for d in found.items if d.end <= start), default=0)
            value = _e164(match.number)
            region = phonenumbers.region_code_for_number(match.number)
            messengers = _messengers_named_around(text, start, end, after_id)
            for messenger in messengers:
                found.add(messenger, start, end, value, region=region, form="phone")
            if not messengers:
                found.add("phone", start, end, value, region=region)


# ---------------------------------------------------------------------------------------------
# Examples (run by the shared conformance test). Wallet and onion vectors are published ones,
# each checked with the validators above and with an independent implementation.
# ---------------------------------------------------------------------------------------------
# BIP-350 "valid segwit addresses", mainnet ones (testnet ones must not be found).
BIP350_VALID_MAINNET = (
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
    "BC1SW50QGDZ25J",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
)
BIP350_VALID_TESTNET = (
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
    "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
)
# BIP-350 "invalid segwit addresses" (all of them) and BIP-173's: v1+ addresses that BIP-173
# listed as valid are invalid since BIP-350 moved them to Bech32m.
BIP350_INVALID = (
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
    "bc1pw5dgrnzv",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
    "bc1gmk9yu",
)
BIP173_INVALID = (
    "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
    "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",
    "bc1rw5uspcuh",
    "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
    "bc1gmk9yu",
)
BIP173_V1_PLUS_NOW_INVALID = (
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
    "BC1SW50QA3JX3S",
    "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
)
# EIP-55's test cases: all caps, all lower, and checksummed.
EIP55_VALID = (
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
)
EIP55_MISCASED = "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # second letter's case flipped
BTC_GENESIS = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # the genesis block's coinbase address
BTC_P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"  # the Bitcoin wiki's P2SH example
TRON_USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"  # Tether's USDT TRC-20 contract
# Litecoin Core src/test/data/key_io_valid.json (mainnet P2PKH, P2SH)
LTC_P2PKH = "LT2KVaAy1ppRuxRgrS5RNU3vBsy7RibPeA"
LTC_P2SH = "MHrYRxAiMNBTku3eoDHwhA1LQGDjUStZW2"
# BIP-173's P2WPKH program under Litecoin's HRP, a common test vector of wallet libraries
LTC_BECH32 = "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9"
# docs.getmonero.org, public-address pages (standard and integrated examples); the Monero
# General Fund's donation address; a subaddress from the monero-python test suite
XMR_STANDARD = (
    "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5Uzq"
    "tReoS44qo9mtmXCqY45DJ852K5Jv2684Rge"
)
XMR_INTEGRATED = (
    "4LL9oSLmtpccfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2bYXZ"
    "KKQePHES9khPK"
)
XMR_GENERAL_FUND = (
    "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7Sq"
    "SsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
)
XMR_SUBADDRESS = (
    "86iQTnEqQ9mXJFvBvbY3KU5do5Jh2NCkpTcZsw3TMZ6oKNJhELvAreZFQ1p8"
    "EknRRTKPp2vg9fJvy47Q4ARVChjLMuUAFQJ"
)
# onion services published by the Tor Project, DuckDuckGo and the BBC
ONION_TOR_PROJECT = "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion"
ONION_DUCKDUCKGO = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"
ONION_BBC = "bbcnewsd73hkzno2ini43t4gblxvycyac5aw4gnv7t2rccijh7745uqd.onion"
ONION_TOR_PROJECT_CORRUPTED = "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wie.onion"
ONION_V2_TOR_PROJECT = "expyuzz4wqqyqhjn.onion"  # the Tor Project's former v2 address
SESSION_ID = "05" + "d871fc80ca007eed9b2f4df72853e2a2d5465a92fcb1889fb5c84aa2833b3b40"
THREEMA_ECHO = "ECHOECHO"  # Threema's own echo-test ID


def _corrupt(address: str) -> str:
    """The address with its last character replaced (a checksum must catch it)."""
    last = address[-1]
    return address[:-1] + ("2" if last != "2" else "3")


def _build_examples() -> tuple[Example, ...]:
    def find(text: str, type_: str, value: str | None, note: str = "") -> Example:
        return Example(text, finds=((type_, value),), note=note)

    def absent(text: str, *types: str, note: str = "") -> Example:
        return Example(text, absent=types or ("*",), note=note)

    rows = [
        # phones (international formats: no phone_region is set for examples)
        find("Call me on +44 7911 123456 after 6", "phone", "+447911123456", "UK mobile"),
        find("Ruf an: 0049 1512 3456789", "phone", "+4915123456789", "00 prefix, German mobile"),
        find("écris au +33 6 12 34 56 78", "phone", "+33612345678", "French mobile"),
        find("звони +7 912 345-67-89", "phone", "+79123456789", "Russian mobile"),
        find("US line +1 (201) 555-0123", "phone", "+12015550123", "US, parentheses"),
        find("BR +55 11 96123-4567", "phone", "+5511961234567", "Brazilian mobile"),
        absent("CAS 79099-07-3, purity 99.8%", "phone", note="a CAS number is not a phone"),
        absent("Total +1 250 000.00 for the lot", "phone", note="a price is not a phone"),
        absent("order no. 4471123456 shipped 2024-05-17", "phone", note="order number, date"),
        absent("07911 123456", "phone", note="national format needs options['phone_region']"),
        # e-mail, URLs, domains
        find("Write to Plug.Shop@ProtonMail.com", "email", "plug.shop@protonmail.com"),
        absent("user@localhost, a@b.c", "email"),
        find(
            "Order at https://Shop-Pills.com/Catalog?id=7.",
            "url",
            "https://shop-pills.com/Catalog?id=7",
            "host lower-cased, path kept",
        ),
        find("see www.example.org/buy", "url", "www.example.org/buy"),
        find("visit shop-pills.com for more", "domain", "shop-pills.com"),
        find("магазин.рф работает", "domain", "магазин.рф", "internationalised domain"),
        absent("see file.txt, e.g. 3.5g or 1.5mg", "domain"),
        absent("Sentence.It was ok.so what", "domain", note="missing spaces, not domains"),
        # onions
        find(f"mirror: http://{ONION_TOR_PROJECT}/", "onion", ONION_TOR_PROJECT),
        find(f"{ONION_DUCKDUCKGO.upper()} works", "onion", ONION_DUCKDUCKGO),
        find(f"news at {ONION_BBC}", "onion", ONION_BBC),
        absent(f"shop: {ONION_TOR_PROJECT_CORRUPTED}", note="v3 checksum fails"),
        find(f"old link {ONION_V2_TOR_PROJECT}", "onion", ONION_V2_TOR_PROJECT, "v2"),
        # telegram
        find("telegram: @PlugShop_UK", "telegram", "plugshop_uk"),
        find("tg @fastplug24 24/7", "telegram", "fastplug24"),
        find("TG: plug_london", "telegram", "plug_london"),
        find("add @budbrothers on telegram", "telegram", "budbrothers"),
        find("пиши в телеграм @plug_msk", "telegram", "plug_msk"),
        find("t.me/plugshop", "telegram", "plugshop"),
        find("join https://t.me/+AbCdEfGhIjKlMnOp", "telegram", "+AbCdEfGhIjKlMnOp", "invite"),
        find("t.me/joinchat/AAAAAEkJ1234567890", "telegram", "+AAAAAEkJ1234567890"),
        absent("follow @plugshop for updates", note="bare @handle: no platform named"),
        absent("my insta @plugshop, telegram below", "telegram", note="nearest platform wins"),
        # whatsapp
        find("wa.me/447911123456", "whatsapp", "+447911123456"),
        find("chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv", "whatsapp", "AbCdEfGhIjKlMnOpQrStUv"),
        Example(
            "WhatsApp: +44 7911 123456",
            finds=(("whatsapp", "+447911123456"),),
            absent=("phone",),
            note="a labelled number is the messenger's",
        ),
        # signal
        find("signal.me/#p/+447911123456", "signal", "+447911123456"),
        find("Signal: +44 7911 123456", "signal", "+447911123456"),
        find("signal username: dealer.42", "signal", "dealer.42"),
        absent("no signal here, call later"),
        # wickr, threema, session, snapchat
        find("wickr: plugman420", "wickr", "plugman420"),
        find("Wickr Me: the.plug", "wickr", "the.plug"),
        absent("wickr: message me", "wickr"),
        find(f"Threema ID: {THREEMA_ECHO}", "threema", THREEMA_ECHO),
        absent("threema download", "threema"),
        find(f"session {SESSION_ID}", "session", SESSION_ID),
        absent(f"session {SESSION_ID[:-1]}", "session", note="65 hex characters"),
        find("snap: plug_uk", "snapchat", "plug_uk"),
        find("sc: plug.uk", "snapchat", "plug.uk"),
        find("snapchat.com/add/pluguk", "snapchat", "pluguk"),
        absent("snap later?"),
        # wallets
        find(f"btc {BTC_GENESIS}", "btc", BTC_GENESIS, "P2PKH"),
        Example(
            f"btc {BTC_P2SH}",
            finds=(("btc", BTC_P2SH),),
            absent=("ltc",),
            note="'3' P2SH: reported once, as btc",
        ),
        absent(f"btc {_corrupt(BTC_GENESIS)}", "btc"),
        *(find(f"send to {a}", "btc", a.lower(), "BIP-350 valid") for a in BIP350_VALID_MAINNET),
        *(
            absent(f"send to {a}", "btc", "ltc", note="BIP-350 testnet")
            for a in BIP350_VALID_TESTNET
        ),
        *(absent(f"send to {a}", "btc", "ltc", note="BIP-350 invalid") for a in BIP350_INVALID),
        *(absent(f"send to {a}", "btc", "ltc", note="BIP-173 invalid") for a in BIP173_INVALID),
        *(find(f"eth {a}", "eth", a.lower(), "EIP-55") for a in EIP55_VALID),
        absent(f"eth {EIP55_MISCASED}", "eth", note="EIP-55 checksum fails"),
        find(f"usdt trc20 {TRON_USDT}", "trx", TRON_USDT),
        absent(f"usdt trc20 {_corrupt(TRON_USDT)}", "trx"),
        find(f"xmr {XMR_STANDARD}", "xmr", XMR_STANDARD, "standard"),
        find(f"xmr {XMR_INTEGRATED}", "xmr", XMR_INTEGRATED, "integrated"),
        find(f"donate {XMR_GENERAL_FUND}", "xmr", XMR_GENERAL_FUND),
        find(f"xmr {XMR_SUBADDRESS}", "xmr", XMR_SUBADDRESS, "subaddress"),
        absent(f"xmr {_corrupt(XMR_STANDARD)}", "xmr"),
        find(f"ltc {LTC_P2PKH}", "ltc", LTC_P2PKH),
        find(f"ltc {LTC_P2SH}", "ltc", LTC_P2SH),
        find(f"ltc {LTC_BECH32}", "ltc", LTC_BECH32),
        absent(f"ltc {_corrupt(LTC_P2PKH)}", "ltc"),
        # nothing at all
        absent("hey bro, 2g for 50 at 10:30? same place as last time 👍"),
    ]
    return tuple(rows)


IdentifierDetector.examples = _build_examples()
