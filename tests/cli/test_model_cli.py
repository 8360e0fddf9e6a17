"""scan, explain and demo use the shipped model by default; --no-model and --model choose."""

from __future__ import annotations

import orjson

# a strain the KB lacks, with stealth shipping: only the model flags it
LISTING = "Cheddar Moonwalk 1/8 oz, stealth shipping"


def _items() -> bytes:
    rows = [{"id": "1", "text": LISTING}, {"id": "2", "text": "lunch at 1? it's £5 parking"}]
    return b"\n".join(orjson.dumps(r) for r in rows) + b"\n"


def test_scan_uses_the_default_model(cli):
    result = cli("scan", "-", stdin=_items())
    assert result.returncode == 0, result
    first, second = result.records()
    assert first["flagged"] and any("model offer-v1" in r for r in first["reasons"])
    assert not second["flagged"]


def test_scan_no_model_is_the_rules_alone(cli):
    result = cli("scan", "-", "--no-model", stdin=_items())
    assert result.returncode == 0, result
    assert [r["flagged"] for r in result.records()] == [False, False]
    assert not any("model" in r for rec in result.records() for r in rec["reasons"])


def test_explain_names_the_model_and_a_missing_model_fails_clearly(cli):
    explained = cli("explain", LISTING, "--json")
    assert explained.returncode == 0, explained
    assert orjson.loads(explained.stdout)["flagged"]
    assert not orjson.loads(cli("explain", LISTING, "--json", "--no-model").stdout)["flagged"]
    missing = cli("scan", "-", "--model", "nowhere.npz", stdin=_items())
    assert missing.returncode == 2
    assert "no such model file" in missing.stderr and "--no-model" in missing.stderr
