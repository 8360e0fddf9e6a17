"""IdentifierDetector beyond its example table: offsets, normalised values, the published test
vectors checked against independent implementations, corrupted checksums, batch invariance,
the candidate prefilter, and speed."""

from __future__ import annotations

import base64
import hashlib
import random
import time

import pytest
from Crypto.Hash import SHA3_256, keccak

from interdiction.detect import identifiers as ids
from interdiction.detect.base import DetectorContext, available_detectors, detection_label
from interdiction.detect.identifiers import IdentifierDetector
from interdiction.text.batch import TextBatch


@pytest.fixture(scope="module")
def detector(kb):
    return IdentifierDetector(DetectorContext(kb=kb))


@pytest.fixture(scope="module")
def detector_gb(kb):
    return IdentifierDetector(DetectorContext(kb=kb, options={"phone_region": "GB"}))


def found(detector, text):
    (detections,) = detector.detect(TextBatch([text]))
    return [(d.attrs["type"], d.value) for d in detections]


def types(detector, text):
    return {t for t, _ in found(detector, text)}


# ---------------------------------------------------------------------------------------------
# Independent implementations, written from the specifications, to check the vectors with
# ---------------------------------------------------------------------------------------------
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32M_CONSTANT = 0x2BC830A3


def _polymod(values):
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(generators):
            if (top >> bit) & 1:
                check ^= generator
    return check


def reference_segwit_decode(address):
    """(hrp, witness version, program) per BIP-173/350, or None; written from the BIPs' text."""
    if address.lower() != address and address.upper() != address:
        return None
    address = address.lower()
    separator = address.rfind("1")
    if separator < 1 or separator + 7 > len(address) or len(address) > 90:
        return None
    hrp, data_part = address[:separator], address[separator + 1 :]
    if any(c not in BECH32_CHARSET for c in data_part):
        return None
    data = [BECH32_CHARSET.index(c) for c in data_part]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    constant = _polymod(expanded + data)
    if constant not in (1, BECH32M_CONSTANT) or len(data) < 7:
        return None
    version, five_bit = data[0], data[1:-6]
    accumulator = bits = 0
    program = []
    for value in five_bit:
        accumulator = (accumulator << 5) | value
        bits += 5
        while bits >= 8:
            bits -= 8
            program.append((accumulator >> bits) & 0xFF)
    if bits >= 5 or (accumulator << (8 - bits)) & 0xFF:
        return None  # more than 4 padding bits, or padding that is not zero
    if version > 16 or not 2 <= len(program) <= 40:
        return None
    if version == 0 and len(program) not in (20, 32):
        return None
    if (version == 0) != (constant == 1):
        return None  # v0 must use Bech32, v1+ Bech32m
    return hrp, version, bytes(program)


def reference_script_pubkey(version, program):
    return bytes([version + 0x50 if version else 0, len(program)]) + program


BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def reference_base58check(address):
    number = 0
    for char in address:
        number = number * 58 + BASE58_ALPHABET.index(char)
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(address) - len(address.lstrip("1"))) + raw
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def reference_eip55(address):
    hex40 = address[2:].lower()
    digest = keccak.new(digest_bits=256, data=hex40.encode()).digest()
    out = []
    for index, char in enumerate(hex40):
        nibble = (digest[index // 2] >> (4 if index % 2 == 0 else 0)) & 0xF
        out.append(char.upper() if char.isalpha() and nibble >= 8 else char)
    return "0x" + "".join(out)


def reference_onion_v3(address):
    raw = base64.b32decode(address.removesuffix(".onion").upper())
    key, checksum, version = raw[:32], raw[32:34], raw[34:]
    return (
        version == b"\x03"
        and SHA3_256.new(b".onion checksum" + key + version).digest()[:2] == checksum
    )


# BIP-350's valid segwit vectors with the scriptPubKey it lists for each.
BIP350_SCRIPT_PUBKEYS = {
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4": "0014751e76e8199196d454941c45d1b3a323f1433bd6",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7": (
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"
    ),
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y": (
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"
    ),
    "BC1SW50QGDZ25J": "6002751e",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs": "5210751e76e8199196d454941c45d1b3a323",
    "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy": (
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"
    ),
    "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c": (
        "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"
    ),
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0": (
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    ),
}
# docs.getmonero.org's standard address example decodes to this (network byte, keys, checksum).
XMR_STANDARD_DECODED = (
    "12eda9fe8dfcdd25d5430ea64229d04f6b41b2e5a1587c29cd499a63eb79d117113076a02b73d130fb904c9e91"
    "075fcd16f735c6850dfadb125eb826d96a113f09a57120a3"
)
# Litecoin Core key_io_valid.json: address -> the hash in its scriptPubKey
LTC_HASHES = {
    ids.LTC_P2PKH: "558dbca7118cd5894502767c7b2ffc21a22f54db",
    ids.LTC_P2SH: "6d328a5b2a20d943a641c8d29b6cc3c2d2df85d3",
}


# ---------------------------------------------------------------------------------------------
# Official vectors
# ---------------------------------------------------------------------------------------------
def test_the_vector_lists_in_the_module_are_the_bips():
    mainnet = {a for a in BIP350_SCRIPT_PUBKEYS if a.lower().startswith("bc1")}
    testnet = {a for a in BIP350_SCRIPT_PUBKEYS if a.lower().startswith("tb1")}
    assert set(ids.BIP350_VALID_MAINNET) == mainnet
    assert set(ids.BIP350_VALID_TESTNET) == testnet


@pytest.mark.parametrize("address", sorted(BIP350_SCRIPT_PUBKEYS))
def test_bip350_valid_vectors_decode_to_the_listed_script(address):
    _, version, program = reference_segwit_decode(address)
    assert reference_script_pubkey(version, program).hex() == BIP350_SCRIPT_PUBKEYS[address]


@pytest.mark.parametrize("address", ids.BIP350_VALID_MAINNET)
def test_bip350_valid_mainnet_addresses_are_found(detector, address):
    text = f"pay {address} today"
    assert found(detector, text) == [("btc", address.lower())]
    assert ids.segwit_type(address) is not None


@pytest.mark.parametrize("address", ids.BIP350_VALID_TESTNET)
def test_testnet_addresses_are_not_reported(detector, address):
    assert reference_segwit_decode(address) is not None  # valid, but not mainnet
    assert not types(detector, f"pay {address}") & {"btc", "ltc"}


@pytest.mark.parametrize(
    "address", ids.BIP350_INVALID + ids.BIP173_INVALID + ids.BIP173_V1_PLUS_NOW_INVALID
)
def test_bip173_and_bip350_invalid_addresses_are_not_found(detector, address):
    decoded = reference_segwit_decode(address)
    assert decoded is None or decoded[0] not in ("bc", "tb")  # the BIPs' "invalid HRP" cases
    if address.lower().startswith("bc1"):
        assert ids.segwit_type(address) is None
    assert not types(detector, f"pay {address} now") & {"btc", "ltc"}


@pytest.mark.parametrize("address", ids.EIP55_VALID)
def test_eip55_vectors(detector, address):
    assert reference_eip55(address) == address or address[2:] in (
        address[2:].lower(),
        address[2:].upper(),
    )
    assert found(detector, f"eth: {address}") == [("eth", address.lower())]


def test_eip55_miscased_address_is_not_found(detector):
    assert reference_eip55(ids.EIP55_MISCASED) != ids.EIP55_MISCASED
    assert found(detector, f"eth: {ids.EIP55_MISCASED}") == []


@pytest.mark.parametrize(
    ("address", "version", "coin"),
    [
        (ids.BTC_GENESIS, 0x00, "btc"),
        (ids.BTC_P2SH, 0x05, "btc"),
        (ids.TRON_USDT, 0x41, "trx"),
        (ids.LTC_P2PKH, 0x30, "ltc"),
        (ids.LTC_P2SH, 0x32, "ltc"),
    ],
)
def test_base58check_vectors(detector, address, version, coin):
    payload = reference_base58check(address)
    assert payload is not None and payload[0] == version and len(payload) == 21
    if address in LTC_HASHES:
        assert payload[1:].hex() == LTC_HASHES[address]
    assert found(detector, f"to {address}.") == [(coin, address)]


def test_ltc_bech32_is_the_bip173_program_under_litecoins_hrp(detector):
    hrp, version, program = reference_segwit_decode(ids.LTC_BECH32)
    assert (hrp, version, program.hex()) == ("ltc", 0, "751e76e8199196d454941c45d1b3a323f1433bd6")
    assert found(detector, ids.LTC_BECH32) == [("ltc", ids.LTC_BECH32)]


def test_a_p2sh_3_address_is_reported_once_as_btc_noting_litecoin(detector):
    (detections,) = detector.detect(TextBatch([ids.BTC_P2SH]))
    assert [(d.attrs["type"], d.attrs.get("also")) for d in detections] == [("btc", "ltc")]


def test_monero_vectors(detector):
    assert ids.monero_base58_decode(ids.XMR_STANDARD).hex() == XMR_STANDARD_DECODED
    expected = {
        ids.XMR_STANDARD: "standard",
        ids.XMR_INTEGRATED: "integrated",
        ids.XMR_GENERAL_FUND: "standard",
        ids.XMR_SUBADDRESS: "subaddress",
    }
    for address, fmt in expected.items():
        data = ids.monero_base58_decode(address)
        # the checksum, recomputed here: first 4 bytes of Keccak-256 of the rest
        assert keccak.new(digest_bits=256, data=data[:-4]).digest()[:4] == data[-4:]
        (detections,) = detector.detect(TextBatch([f"xmr: {address}"]))
        assert [(d.attrs["type"], d.value, d.attrs["format"]) for d in detections] == [
            ("xmr", address, fmt)
        ]


@pytest.mark.parametrize("onion", [ids.ONION_TOR_PROJECT, ids.ONION_DUCKDUCKGO, ids.ONION_BBC])
def test_published_v3_onions(detector, onion):
    assert reference_onion_v3(onion)
    assert found(detector, f"http://{onion.upper()}/index") == [("onion", onion)]


def test_corrupted_onion_is_not_an_onion_nor_a_domain(detector):
    assert not reference_onion_v3(ids.ONION_TOR_PROJECT_CORRUPTED)
    text = f"http://{ids.ONION_TOR_PROJECT_CORRUPTED}/shop and {ids.ONION_TOR_PROJECT_CORRUPTED}"
    assert found(detector, text) == []


def test_v2_onions_are_reported_as_version_2_with_less_weight(detector):
    (v2,) = detector.detect(TextBatch([f"old: {ids.ONION_V2_TOR_PROJECT}"]))[0]
    (v3,) = detector.detect(TextBatch([f"new: {ids.ONION_TOR_PROJECT}"]))[0]
    assert (v2.attrs["version"], v3.attrs["version"]) == (2, 3)
    assert v2.weight < v3.weight


# ---------------------------------------------------------------------------------------------
# A corrupted address of each wallet type is never a wallet
# ---------------------------------------------------------------------------------------------
WALLETS = [
    ids.BTC_GENESIS,
    ids.BTC_P2SH,
    ids.TRON_USDT,
    ids.LTC_P2PKH,
    ids.LTC_P2SH,
    ids.XMR_STANDARD,
    ids.XMR_INTEGRATED,
    ids.XMR_SUBADDRESS,
]
WALLET_TYPES = {"btc", "eth", "trx", "xmr", "ltc"}


def _substitutions(address, alphabet):
    """The address with each position in turn replaced by the next character of its alphabet."""
    for index, char in enumerate(address):
        if char not in alphabet:
            continue
        replacement = alphabet[(alphabet.index(char) + 1) % len(alphabet)]
        yield address[:index] + replacement + address[index + 1 :]


@pytest.mark.parametrize("address", WALLETS)
def test_every_single_substitution_in_a_base58_wallet_is_rejected(detector, address):
    variants = list(_substitutions(address, BASE58_ALPHABET))
    results = detector.detect(TextBatch([f"send to {v} now" for v in variants]))
    for variant, detections in zip(variants, results, strict=True):
        assert not [d for d in detections if d.attrs["type"] in WALLET_TYPES], variant


@pytest.mark.parametrize("address", (*ids.BIP350_VALID_MAINNET, ids.LTC_BECH32))
def test_every_single_substitution_in_a_segwit_wallet_is_rejected(detector, address):
    prefix = address[: address.rfind("1") + 1]
    body = address[len(prefix) :]
    alphabet = BECH32_CHARSET.upper() if body.isupper() else BECH32_CHARSET
    variants = [prefix + v for v in _substitutions(body, alphabet)]
    results = detector.detect(TextBatch(variants))
    for variant, detections in zip(variants, results, strict=True):
        assert not [d for d in detections if d.attrs["type"] in WALLET_TYPES], variant


@pytest.mark.parametrize("address", [a for a in ids.EIP55_VALID if a[2:] != a[2:].lower()])
def test_every_case_flip_in_a_checksummed_eth_address_is_rejected(detector, address):
    variants = [
        address[:i] + address[i].swapcase() + address[i + 1 :]
        for i in range(2, len(address))
        if address[i].isalpha()
    ]
    mixed = [v for v in variants if v[2:] not in (v[2:].lower(), v[2:].upper())]
    results = detector.detect(TextBatch(mixed))
    assert all(not r for r in results)


def test_every_single_substitution_in_a_v3_onion_is_rejected(detector):
    label = ids.ONION_TOR_PROJECT.removesuffix(".onion")
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    variants = [f"{v}.onion" for v in _substitutions(label, alphabet)]
    results = detector.detect(TextBatch(variants))
    assert all(not r for r in results)


# ---------------------------------------------------------------------------------------------
# Offsets and normalised values
# ---------------------------------------------------------------------------------------------
def test_offsets_are_character_offsets_into_the_original_text(detector):
    texts = [
        f"🔥🔥 Телеграм: @Plug_Msk, BTC {ids.BTC_GENESIS} ✅ звони +7 912 345-67-89",
        f"ｆｕｌｌ　ｗｉｄｔｈ then {ids.EIP55_VALID[4]} and 𝐦𝐚𝐭𝐡 shop-pills.com",
        "中文 wickr: plugman420 中文 https://Shop.Example.org/A?b=C 中文",
    ]
    for text, detections in zip(texts, detector.detect(TextBatch(texts)), strict=True):
        assert detections
        for d in detections:
            assert text[d.start : d.end] == d.text
            assert d.detector == "identifiers" and d.kind == "identifier"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring +44 (0)7911 123456", ("phone", "+447911123456")),
        ("ring +44 7911-123-456", ("phone", "+447911123456")),
        ("ring 0044 7911 123456", ("phone", "+447911123456")),
        ("ring +49 (30) 1234 5678", ("phone", "+493012345678")),
        ("telegram: @Plug_UK", ("telegram", "plug_uk")),
        ("TELEGRAM - PlugUK247", ("telegram", "pluguk247")),
        ("https://T.ME/Plug_UK", ("telegram", "plug_uk")),
        ("tg://resolve?domain=PlugUK", ("telegram", "pluguk")),
        ("snapchat.com/add/Plug.UK", ("snapchat", "plug.uk")),
        ("Threema: abcd1234", ("threema", "ABCD1234")),
        ("Write to Plug.Shop@ProtonMail.COM!", ("email", "plug.shop@protonmail.com")),
        ("HTTPS://WWW.Shop.COM/Path/X", ("url", "https://www.shop.com/Path/X")),
        ("SHOP-PILLS.COM", ("domain", "shop-pills.com")),
        (ids.ONION_BBC.upper(), ("onion", ids.ONION_BBC)),
        (ids.SESSION_ID.upper(), ("session", ids.SESSION_ID)),
        (ids.EIP55_VALID[5], ("eth", ids.EIP55_VALID[5].lower())),
        ("https://wa.me/4479-11123456", None),
        ("api.whatsapp.com/send?phone=447911123456", ("whatsapp", "+447911123456")),
        ("https://signal.me/#p/+447911123456", ("signal", "+447911123456")),
    ],
)
def test_normalised_values(detector, text, expected):
    result = found(detector, text)
    if expected is None:
        assert not {t for t, _ in result} & {"whatsapp", "phone"}
    else:
        assert expected in result


def test_url_keeps_trailing_parenthesis_only_when_balanced(detector):
    assert ("url", "https://en.wikipedia.org/wiki/Fentanyl_(disambiguation)") in found(
        detector, "(see https://en.wikipedia.org/wiki/Fentanyl_(disambiguation))."
    )


def test_phone_attrs_carry_the_region(detector):
    (detection,) = detector.detect(TextBatch(["+33 6 12 34 56 78"]))[0]
    assert detection.attrs == {"type": "phone", "region": "FR"}


# ---------------------------------------------------------------------------------------------
# Phones: regions and look-alikes
# ---------------------------------------------------------------------------------------------
def test_national_numbers_need_a_region(detector, detector_gb):
    assert found(detector, "call 07911 123456") == []
    assert found(detector_gb, "call 07911 123456") == [("phone", "+447911123456")]


@pytest.mark.parametrize(
    "text",
    [
        "CAS 79099-07-3 (3-MMC)",
        "CAS: 1451-82-7",
        "sent 2024-05-17, arrives 17/05/2024 at 12:30",
        "£1250000 for the lot",
        "1 250 000 pills in stock",
        "tracking no 02079460000",
        "order #07911123456",
        "server 192.168.100.200",
        "OID 1.3.6.1.5.5.7.48.1",
        "gamma = 0.5772156649",
        "if n == 2147483647:",
        f"btc {ids.BTC_GENESIS}",
        f"eth {ids.EIP55_VALID[0]}",
    ],
)
def test_numbers_that_are_not_phones(detector_gb, text):
    assert "phone" not in types(detector_gb, text)


def test_messenger_labels_type_the_number_and_stop_at_earlier_identifiers(detector):
    assert found(detector, "WhatsApp/Signal: +44 7911 123456") == [
        ("signal", "+447911123456"),
        ("whatsapp", "+447911123456"),
    ]
    assert found(detector, "+44 7911 123456 (WhatsApp only)") == [("whatsapp", "+447911123456")]
    text = "telegram @plugshop_uk or call +44 7911 123456"
    assert found(detector, text) == [("telegram", "plugshop_uk"), ("phone", "+447911123456")]
    # a name after a number labels the next number, not the one before it
    assert found(detector, "Signal: +44 7911 123456, WhatsApp +44 7911 123457") == [
        ("signal", "+447911123456"),
        ("whatsapp", "+447911123457"),
    ]
    assert found(detector, "Signal: +44 7911 123456 +44 7911 123457")[1][0] == "phone"


# ---------------------------------------------------------------------------------------------
# Handles: the platform has to be named
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "follow @plugshop for updates",
        "thanks @mike_22 see you",
        "my insta is @plugshop and telegram too",
        "email @plugshop2024",
        "telegram: contact us",
        "wickr: message me",
        "snap later?",
        "no signal here",
        "threema download",
    ],
)
def test_no_handle_without_a_platform(detector, text):
    assert not types(detector, text) & {"telegram", "snapchat", "wickr", "signal", "threema"}


def test_nearest_platform_named_wins(detector):
    assert found(detector, "snapchat @plug.uk or telegram @plug_tg") == [
        ("snapchat", "plug.uk"),
        ("telegram", "plug_tg"),
    ]


# ---------------------------------------------------------------------------------------------
# Domains
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("visit shop-pills.com for more", "shop-pills.com"),
        ("go to pills24.now", "pills24.now"),
        ("dealer.me", "dealer.me"),
        ("store at apteka.example.pl", "apteka.example.pl"),
        ("see plugshop.to/catalog", "plugshop.to"),
        ("shop.xn--p1ai", "shop.xn--p1ai"),
        ("pills-24.group", "pills-24.group"),
        ("tokopedia.co.id", "tokopedia.co.id"),
    ],
)
def test_bare_domains(detector, text, domain):
    assert ("domain", domain) in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "see file.txt and e.g. this",
        "3.5g or 1.5mg or 2.5ml",
        "Sentence.It was fine",
        "ok.so what now",
        "hi.how are you",
        "read readme.md then run script.py",
        "v1.2.3 released",
        "plug@protonmail.com",
        "logger.info(message)",
        "copy self.data to item.group",
        "obj.id and user.id",
    ],
)
def test_not_domains(detector, text):
    assert "domain" not in types(detector, text)


# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------
def test_one_list_per_item_and_empty_batches(detector):
    assert detector.detect(TextBatch([])) == []
    assert [list(r) for r in detector.detect(TextBatch(["", "", ""]))] == [[], [], []]
    result = detector.detect(TextBatch(["hello", f"btc {ids.BTC_GENESIS}", ""]))
    assert [len(r) for r in result] == [0, 1, 0]


def test_batch_invariance(detector):
    texts = [e.text for e in IdentifierDetector.examples]
    rng = random.Random(11)
    noise = ["", "ordinary words", "телеграм", "@x", "+", "wa.me/", "0x", "t.me/", "русский 🔥"]
    mixed = texts + noise * 3
    rng.shuffle(mixed)

    def key(detections):
        return sorted((d.start, d.end, d.text, str(d.value), d.attrs["type"]) for d in detections)

    together = dict(zip(mixed, detector.detect(TextBatch(mixed)), strict=True))
    for text in texts:
        assert key(together[text]) == key(detector.detect(TextBatch([text]))[0]), text


def test_the_prefilter_never_hides_an_identifier(detector, detector_gb):
    """The candidate scan only picks what to check: checking everything finds nothing more."""
    texts = [e.text for e in IdentifierDetector.examples]
    texts += [t.upper() for t in texts] + [t.replace(" ", "\u00a0") for t in texts]
    texts += ["ТЕЛЕГРАМ: @Plug_Msk", "Телега - plug_msk", "call 07911\u00a0123456"]
    for det in (detector, detector_gb):
        for text, detections in zip(texts, det.detect(TextBatch(texts)), strict=True):
            assert list(detections) == det.find(text), text


def test_registered_as_a_plugin_and_built_from_the_shipped_kb(kb):
    assert available_detectors()["identifiers"] is IdentifierDetector
    detector = IdentifierDetector(DetectorContext(kb=kb))
    (detections,) = detector.detect(TextBatch([f"btc {ids.BTC_GENESIS}"]))
    assert [detection_label(d) for d in detections] == ["btc"]
    assert set(IdentifierDetector.finds) == {"identifier", *ids.TYPES}


# ---------------------------------------------------------------------------------------------
# Speed (generous bounds: a noisy 2-core machine must not flake)
# ---------------------------------------------------------------------------------------------
CHAT_WORDS = (
    "hey", "hi", "ok", "yes", "no", "lol", "haha", "thanks", "bro", "mate", "see", "you", "later",
    "tomorrow", "tonight", "meet", "at", "the", "station", "park", "usual", "place", "how", "much",
    "is", "it", "what", "time", "are", "free", "send", "pics", "sure", "price", "50", "for", "2",
    "deal", "got", "on", "my", "way", "10", "min", "late", "sorry", "bad", "signal", "call", "me",
    "weekend", "party", "quality", "same", "as", "last", "cash", "only", "delivery", "pickup",
    "snap", "cool", "nice", "cheers",
)  # fmt: skip
CHAT_EXTRAS = ("😂", "👍", "10:30", "£20", "50$", "2g", "3.5", "x2", "24/7", "привет", "завтра")


def chat_messages(count, seed):
    rng = random.Random(seed)
    messages = []
    for _ in range(count):
        words = [rng.choice(CHAT_WORDS) for _ in range(rng.randint(3, 18))]
        words.insert(rng.randrange(len(words) + 1), rng.choice(CHAT_EXTRAS))
        messages.append(" ".join(words))
    return messages


def test_speed_on_chat_without_identifiers(detector):
    messages = chat_messages(20_000, seed=1)
    start = time.perf_counter()
    results = detector.detect(TextBatch(messages))
    elapsed = time.perf_counter() - start
    assert not any(results)
    # ~0.1 s here, most of it building the batch's lower view: the bound is 20 times that
    assert elapsed < 2.0, f"{elapsed:.2f} s for 20,000 messages"


def test_speed_and_recall_with_one_percent_identifiers(detector):
    planted = [
        ("call me +44 7911 123456", "phone"),
        (f"btc {ids.BTC_GENESIS}", "btc"),
        ("tg @plugshop_uk", "telegram"),
        ("shop-pills.com", "domain"),
        ("wickr: plugman420", "wickr"),
        (f"eth {ids.EIP55_VALID[4]}", "eth"),
        ("t.me/plugshop", "telegram"),
        ("plug@protonmail.com", "email"),
    ]
    messages = chat_messages(20_000, seed=2)
    expected = {}
    for index in range(0, len(messages), 100):
        text, type_ = planted[(index // 100) % len(planted)]
        messages[index] = f"{messages[index]} {text}"
        expected[index] = type_
    start = time.perf_counter()
    results = detector.detect(TextBatch(messages))
    elapsed = time.perf_counter() - start
    got = {i: {d.attrs["type"] for d in r} for i, r in enumerate(results) if r}
    assert got == {i: {t} for i, t in expected.items()}
    assert elapsed < 3.0, f"{elapsed:.2f} s for 20,000 messages"
