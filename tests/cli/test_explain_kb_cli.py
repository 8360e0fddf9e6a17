"""``interdiction explain`` and ``interdiction kb ...`` as a user runs them."""

from __future__ import annotations

import orjson
import pytest

RESERVED = ["id", "flagged", "label", "risk", "reasons", "substances", "identifiers", "detections"]
OFFER = "selling f3ntanyl 10g, tg @plug, BTC only"


# --------------------------------------------------------------------------- explain


def test_explain_prints_the_verdict_with_its_evidence(cli):
    result = cli("explain", OFFER)
    assert result.returncode == 0, result
    out = result.out
    assert "OFFER" in out
    assert "risk 0.9" in out or "risk 1.00" in out
    assert OFFER in out  # the text itself, to highlight the evidence in
    assert "'f3ntanyl'" in out and "fentanyl" in out and "leetspeak" in out
    assert "threshold 0.50" in out


def test_explain_json_prints_one_output_record(cli):
    result = cli("explain", "--json", OFFER)
    assert result.returncode == 0, result
    record = orjson.loads(result.stdout)
    assert list(record)[: len(RESERVED)] == RESERVED
    assert record["id"] == "explain"
    assert (record["label"], record["flagged"]) == ("offer", True)
    assert 0.5 <= record["risk"] <= 1.0
    assert [s["id"] for s in record["substances"]] == ["fentanyl"]
    assert record["substances"][0]["cas"] == ["437-38-7"]
    for det in record["detections"]:
        assert OFFER[det["start"] : det["end"]] == det["text"]
    assert record["reasons"][-1].startswith("risk ")


def test_explain_json_of_an_everyday_text_is_not_flagged(cli):
    text = "Coke Zero 24 pack for $12 at the store this week"
    result = cli("explain", "--json", text)
    assert result.returncode == 0, result
    record = orjson.loads(result.stdout)
    assert (record["label"], record["flagged"], record["substances"]) == ("none", False, [])
    assert any("everyday sense" in r for r in record["reasons"])


# --------------------------------------------------------------------------- kb


@pytest.mark.parametrize("name", ["Fentanyl", "437-38-7", "PJMPHNIQZUBGLI-UHFFFAOYSA-N"])
def test_kb_show_finds_a_substance_by_name_cas_or_inchikey(cli, name):
    result = cli("kb", "show", name)
    assert result.returncode == 0, result
    out = result.out
    assert "Fentanyl  (fentanyl)" in out
    assert "437-38-7" in out
    assert "UN-1961 I" in out
    assert "fentanilo" in out  # translated names are listed


def test_kb_search_lists_matching_substances(cli):
    result = cli("kb", "search", "nitazene")
    assert result.returncode == 0, result
    for substance_id in ("nitazenes", "isotonitazene", "protonitazene", "metonitazene"):
        assert substance_id in result.out, substance_id
    assert "fentanyl" not in result.out.lower()


def test_kb_stats_json_parses(cli):
    result = cli("kb", "stats", "--json")
    assert result.returncode == 0, result
    stats = orjson.loads(result.stdout)
    assert stats["substances"] > 500
    assert stats["by_class"]["nitazene"] > 10
    assert stats["by_class"]["fentanyl-analogue"] > 10
    assert stats["names"] > stats["substances"]
    assert {"UN-1961", "UN-1971", "UN-1988"} <= set(stats["by_control"])


def test_kb_validate_without_structures_passes(cli):
    result = cli("kb", "validate", "--no-structures")
    assert result.returncode == 0, result
    assert "0 error(s)" in result.out


def test_kb_show_unknown_name_exits_1(cli):
    result = cli("kb", "show", "nosuchthing")
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert "no substance named 'nosuchthing'" in result.stderr
    assert result.stdout == b""


def test_kb_show_partial_name_exits_1_suggesting_similar_names(cli):
    result = cli("kb", "show", "nitazen")
    assert result.returncode == 1, result
    message = " ".join(result.stderr.split())
    assert "no substance named 'nitazen'; similar: " in message, result
    assert "Nitazenes" in message and "Metonitazene" in message


@pytest.mark.parametrize("name", ["nosuchthing", "fentanyll"])
def test_kb_show_unknown_name_gives_a_hint(cli, name):
    result = cli("kb", "show", name)
    assert result.returncode == 1, result
    message = " ".join(result.stderr.split())
    assert "similar:" in message or "kb search" in message, result
    if name == "fentanyll":
        assert "Fentanyl" in message, result


def test_detectors_lists_the_installed_detectors(cli):
    result = cli("detectors")
    assert result.returncode == 0, result
    for name in ("substances", "trade", "identifiers", "chemistry", "everyday"):
        assert f"{name}:" in result.out
