"""The /v1 API end to end, on SQLite and on PostgreSQL: intake and idempotency, search, item
detail, notices and the queue's priority order, claims, decisions, the audit trail, health,
metrics, users and keys."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update

from interdiction.auth.policy import Role
from interdiction.review import service as service_module
from interdiction.review.schemas import ItemIn, UserIn
from interdiction.review.service import ReviewService
from interdiction.server import MAX_BODY_BYTES, create_app
from interdiction.store.db import Database
from interdiction.store.models import ApiKey, Item

from .conftest import Org, scratch_database

FENTANYL = "Selling pure fentanyl powder {grams}g for ${price}, telegram @{handle} fast shipping"
COCAINE = "Fresh cocaine 1g 80 eur, btc {wallet}"
NITAZENE = "Protonitazene 5g ready to ship, DM for details"
WALLET = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
BENIGN = [
    "Vintage oak bookshelf, 5 shelves, pick up only",
    "Had an ice cream at the beach with the kids today",
    "Selling my road bike, 54cm frame, barely used, 350 EUR",
]


def submit(client: TestClient, org: Org, *items: dict, role: Role = Role.ANALYST) -> list[dict]:
    """Post one item (as a bare object) or several (as a batch); the response's items."""
    body = items[0] if len(items) == 1 else {"items": list(items)}
    response = client.post("/v1/items", json=body, headers=org.headers(role))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def stored_items(service: ReviewService, org: Org) -> int:
    with service.db.session() as session:
        return session.execute(
            select(func.count()).select_from(Item).where(Item.org_id == org.id)
        ).scalar_one()


def search(client: TestClient, org: Org, **params) -> set[str]:
    response = client.get("/v1/items", params=params, headers=org.headers(Role.ANALYST))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def notice(client: TestClient, org: Org, role: Role = Role.FLAGGER, **fields):
    body = {
        "kind": "trusted_flagger",
        "explanation": "This listing offers a controlled opioid for sale.",
        "submitter_name": "Drug Enforcement Unit",
        "submitter_email": "unit@example.org",
        "good_faith": True,
    } | fields
    return client.post("/v1/notices", json=body, headers=org.headers(role))


def decide(client: TestClient, org: Org, item_id: str, role: Role = Role.REVIEWER, **fields):
    body = {"action": "remove", "explanation": "Offers fentanyl for sale."} | fields
    return client.post(f"/v1/items/{item_id}/decisions", json=body, headers=org.headers(role))


def queue_ids(client: TestClient, org: Org) -> list[str]:
    response = client.get("/v1/queue", params={"limit": 500}, headers=org.headers(Role.REVIEWER))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# ---------------------------------------------------------------- intake
def test_single_item_is_screened_stored_and_queued(client, org_a):
    text_ = FENTANYL.format(grams=10, price=200, handle="plug_one")
    [item] = submit(client, org_a, {"text": text_, "source": "shop", "external_id": "l-1"})
    assert item["created"] is True
    assert (item["label"], item["flagged"], item["status"]) == ("offer", True, "pending")
    assert item["risk"] >= 0.5
    assert [s["id"] for s in item["substances"]] == ["fentanyl"]
    assert any("Fentanyl" in reason for reason in item["reasons"])
    assert item["id"] in queue_ids(client, org_a)

    [clear] = submit(client, org_a, {"text": BENIGN[0], "source": "shop"})
    assert (clear["label"], clear["flagged"], clear["status"]) == ("none", False, "clear")
    assert clear["id"] not in queue_ids(client, org_a)


def test_a_batch_of_1000_is_accepted_and_1001_refused(client, service, org_a):
    batch = [
        {"text": f"Garden chair number {n}, blue", "external_id": f"c{n}"} for n in range(1000)
    ]
    items = submit(client, org_a, *batch)
    assert len(items) == 1000 and all(i["created"] for i in items)
    assert [i["external_id"] for i in items] == [f"c{n}" for n in range(1000)]

    too_many = {"items": [*batch, {"text": "one more chair", "external_id": "c1000"}]}
    response = client.post("/v1/items", json=too_many, headers=org_a.headers(Role.ANALYST))
    assert response.status_code == 422
    assert "1000" in response.text
    assert stored_items(service, org_a) == 1000


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "   "},
        {"text": "x", "unknown_field": 1},
        {"text": "x", "content_type": "video"},
        {"items": []},
        {"text": "x" * 100_001},
        {"text": "nul \u0000 inside"},
        {"text": "x", "extra": {"seller": "nul \u0000"}},
        {"text": "x", "source": "s" * 101},
        {"text": "x", "url": "https://shop.example/" + "a" * 2000},
    ],
    ids=[
        "missing",
        "empty",
        "blank",
        "extra-field",
        "bad-content-type",
        "empty-batch",
        "long",
        "nul",
        "nul-in-extra",
        "long-source",
        "long-url",
    ],
)
def test_bad_items_get_422_with_a_message(client, org_a, body):
    response = client.post("/v1/items", json=body, headers=org_a.headers(Role.ANALYST))
    assert response.status_code == 422
    assert response.json()["detail"]


def test_content_dates_at_the_ends_of_the_calendar_are_no_error(client, org_a):
    # In UTC these lie before 0001-01-01 and after 9999-12-31.
    for n, date in enumerate(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]):
        submit(client, org_a, {"text": "a blue chair", "external_id": str(n), "content_date": date})


def test_a_retry_never_duplicates(client, service, org_a):
    by_id = {"text": NITAZENE, "source": "shop", "external_id": "n-1"}
    [first] = submit(client, org_a, by_id)
    # Same (source, external id): the stored item comes back, even if the text changed.
    [again] = submit(client, org_a, by_id | {"text": NITAZENE + " (edited)"})
    assert (again["id"], again["created"]) == (first["id"], False)
    # The same external id from another source is another item.
    [other_source] = submit(client, org_a, by_id | {"source": "forum"})
    assert other_source["created"] is True

    # Without an external id: same text from the same source is the same item.
    [by_text] = submit(client, org_a, {"text": BENIGN[1], "source": "chat"})
    [same_text] = submit(client, org_a, {"text": BENIGN[1], "source": "chat"})
    assert (same_text["id"], same_text["created"]) == (by_text["id"], False)
    assert stored_items(service, org_a) == 3

    batch = [
        {"text": FENTANYL.format(grams=n, price=10 * n, handle="h"), "external_id": f"b-{n}"}
        for n in range(1, 6)
    ] + [{"text": BENIGN[2], "source": "chat"}]
    first_try = submit(client, org_a, *batch)
    assert [i["created"] for i in first_try] == [True] * 6
    retry = submit(client, org_a, *batch)
    assert [i["created"] for i in retry] == [False] * 6
    assert [i["id"] for i in retry] == [i["id"] for i in first_try]
    # The retry answers with the stored verdict.
    assert [i["label"] for i in retry] == [i["label"] for i in first_try]
    assert retry[0]["reasons"] == first_try[0]["reasons"]
    assert stored_items(service, org_a) == 9

    # The same item twice in one batch is stored once.
    twice = submit(
        client, org_a, {"text": "twice", "external_id": "t"}, {"text": "twice", "external_id": "t"}
    )
    assert twice[0]["id"] == twice[1]["id"]
    assert [i["created"] for i in twice] == [True, False]
    assert stored_items(service, org_a) == 10


def test_concurrent_intake_stores_each_item_once(service, org_a):
    """Requests that overlap share commits; racing duplicates still end up stored once."""
    analyst = service.authenticate_key(org_a.keys[Role.ANALYST])

    def client(number: int) -> list[tuple[str, str, bool]]:
        answers = []
        for n in range(15):
            shared = ItemIn(text=f"Shared listing {n}", source="race", external_id=f"s{n}")
            own = ItemIn(text=NITAZENE, source="race", external_id=f"c{number}-{n}")
            for submitted in service.submit_items(analyst, [shared, own]):
                item = submitted.item
                answers.append((item.external_id, item.id, submitted.created))
        return answers

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = [a for result in pool.map(client, range(6)) for a in result]
    ids_by_external_id: dict[str, set[str]] = {}
    created = Counter()
    for external_id, item_id, was_created in answers:
        ids_by_external_id.setdefault(external_id, set()).add(item_id)
        created[external_id] += was_created
    assert all(len(ids) == 1 for ids in ids_by_external_id.values())
    assert set(created.values()) == {1}, "each item is reported created exactly once"
    assert stored_items(service, org_a) == 15 + 6 * 15


# ---------------------------------------------------------------- search
def test_search_filters(client, org_a):
    before = datetime.now(UTC) - timedelta(seconds=1)
    fentanyl, fentanyl_2, cocaine, nitazene, chair = submit(
        client,
        org_a,
        {"text": FENTANYL.format(grams=10, price=200, handle="plug_msk"), "source": "market"},
        {"text": FENTANYL.format(grams=3, price=90, handle="plug_msk"), "source": "market"},
        {"text": COCAINE.format(wallet=WALLET), "source": "forum"},
        {"text": NITAZENE, "source": "forum"},
        {"text": "Garden chair, 100% teak, blue", "source": "market"},
    )
    after = datetime.now(UTC) + timedelta(seconds=1)
    offers = {fentanyl["id"], fentanyl_2["id"], cocaine["id"], nitazene["id"]}
    everything = offers | {chair["id"]}
    decide(client, org_a, cocaine["id"], action="no_action", explanation="")

    assert search(client, org_a) == everything
    assert search(client, org_a, label="offer") == offers
    assert search(client, org_a, label="none") == {chair["id"]}
    assert search(client, org_a, flagged="true") == offers
    assert search(client, org_a, flagged="false") == {chair["id"]}
    assert search(client, org_a, status="clear") == {chair["id"]}
    assert search(client, org_a, status="decided") == {cocaine["id"]}
    assert search(client, org_a, status="pending") == offers - {cocaine["id"]}
    lowest_offer = min(i["risk"] for i in (fentanyl, fentanyl_2, cocaine, nitazene))
    assert search(client, org_a, min_risk=lowest_offer) == offers
    assert search(client, org_a, min_risk=1) == set()
    # Substance by KB id, by name in any case, by a synonym.
    assert search(client, org_a, substance="fentanyl") == {fentanyl["id"], fentanyl_2["id"]}
    assert search(client, org_a, substance="Cocaine") == {cocaine["id"]}
    assert search(client, org_a, substance="protonitazene") == {nitazene["id"]}
    assert search(client, org_a, substance="Duragesic") == {fentanyl["id"], fentanyl_2["id"]}
    assert search(client, org_a, substance="no such substance xyz") == set()
    # Identifier typed and bare; a wallet keeps its case.
    assert search(client, org_a, identifier="telegram:plug_msk") == {
        fentanyl["id"],
        fentanyl_2["id"],
    }
    assert search(client, org_a, identifier="plug_msk") == {fentanyl["id"], fentanyl_2["id"]}
    assert search(client, org_a, identifier="wickr:plug_msk") == set()
    assert search(client, org_a, identifier=f"btc:{WALLET}") == {cocaine["id"]}
    assert search(client, org_a, identifier=WALLET) == {cocaine["id"]}
    assert search(client, org_a, source="forum") == {cocaine["id"], nitazene["id"]}
    # Text contains, case-insensitive; LIKE wildcards in the query are literal.
    assert search(client, org_a, q="PROTONITAZENE") == {nitazene["id"]}
    assert search(client, org_a, q="100%") == {chair["id"]}
    assert search(client, org_a, q="_") == {fentanyl["id"], fentanyl_2["id"]}  # plug_msk
    # Time window on when the item was received.
    assert search(client, org_a, since=before.isoformat()) == everything
    assert search(client, org_a, since=after.isoformat()) == set()
    assert search(client, org_a, until=before.isoformat()) == set()
    assert search(client, org_a, until=after.isoformat()) == everything
    # Beyond the calendar once in UTC: the nearest end of it, no error.
    assert search(client, org_a, since="0001-01-01T00:00:00+14:00") == everything
    assert search(client, org_a, since="9999-12-31T23:59:59-14:00") == set()
    # Filters combine.
    assert search(client, org_a, source="market", label="offer", identifier="plug_msk") == {
        fentanyl["id"],
        fentanyl_2["id"],
    }
    page = client.get(
        "/v1/items", params={"limit": 2, "offset": 0}, headers=org_a.headers(Role.ANALYST)
    ).json()
    assert len(page["items"]) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"label": "bad"},
        {"min_risk": 2},
        {"since": "yesterday"},
        {"limit": 0},
        {"flagged": "maybe"},
        {"q": "nul \u0000"},
        {"source": "\u0000"},
    ],
)
def test_bad_search_parameters_get_422(client, org_a, params):
    response = client.get("/v1/items", params=params, headers=org_a.headers(Role.ANALYST))
    assert response.status_code == 422


# ---------------------------------------------------------------- item detail
def test_item_detail_has_evidence_entities_and_linked_items(client, org_a):
    text_ = "💊💊 Продаю fentanyl 10g — 200€, пишите в телеграм @plug_msk ✅"
    first, linked, unrelated = submit(
        client,
        org_a,
        {"text": text_, "source": "chat", "url": "https://chat.example/m/1"},
        {"text": "ｆｅｎｔａｎｙｌ available now, telegram @plug_msk", "source": "chat"},
        {"text": NITAZENE, "source": "chat"},
    )
    detail = client.get(f"/v1/items/{first['id']}", headers=org_a.headers(Role.REVIEWER))
    assert detail.status_code == 200
    body = detail.json()
    assert body["text"] == text_
    assert body["url"] == "https://chat.example/m/1"
    assert body["detections"], "an offer comes with its evidence"
    for detection in body["detections"]:
        assert text_[detection["start"] : detection["end"]] == detection["text"]
    assert {"detector": "substances", "text": "fentanyl"}.items() <= next(
        d for d in body["detections"] if d["kind"] == "substance"
    ).items()
    assert {"type": "telegram", "value": "plug_msk"} in body["entities"]
    assert [(link["item"]["id"], link["shared"]) for link in body["linked"]] == [
        (linked["id"], ["telegram:plug_msk"])
    ]
    assert unrelated["id"] not in {link["item"]["id"] for link in body["linked"]}
    assert body["substances"][0]["id"] == "fentanyl"
    assert body["model"]

    missing = client.get(f"/v1/items/{'0' * 32}", headers=org_a.headers(Role.REVIEWER))
    assert missing.status_code == 404
    not_an_id = client.get("/v1/items/not-hex", headers=org_a.headers(Role.REVIEWER))
    assert not_an_id.status_code == 422


# ---------------------------------------------------------------- notices and the queue
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"explanation": None}, "explanation"),
        ({"explanation": "too short"}, "explanation"),
        ({"submitter_name": None}, "submitter_name"),
        ({"good_faith": None}, "good_faith"),
        ({"good_faith": False}, "good-faith"),
        ({"url": None, "source": None, "external_id": None}, "where the content is"),
        ({"kind": "authority_order"}, "legal_basis"),
        ({"submitter_email": "not an email"}, "submitter_email"),
        ({"kind": "rumour"}, "kind"),
    ],
)
def test_a_notice_needs_the_article_16_fields(client, org_a, change, message):
    body = {
        "kind": "trusted_flagger",
        "url": "https://shop.example/listing/77",
        "explanation": "This listing offers a controlled opioid for sale.",
        "submitter_name": "Drug Enforcement Unit",
        "good_faith": True,
    }
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post("/v1/notices", json=body, headers=org_a.headers(Role.FLAGGER))
    assert response.status_code == 422
    assert message in response.text


def test_notice_is_acknowledged_and_can_be_read_back(client, org_a):
    [item] = submit(client, org_a, {"text": BENIGN[0], "source": "shop", "external_id": "x9"})
    response = notice(client, org_a, source="shop", external_id="x9")
    assert response.status_code == 201, response.text
    ack = response.json()
    assert ack["id"] and ack["item_id"] == item["id"]
    assert (ack["kind"], ack["status"], ack["outcome"]) == ("trusted_flagger", "received", None)
    read = client.get(f"/v1/notices/{ack['id']}", headers=org_a.headers(Role.FLAGGER))
    assert read.status_code == 200 and read.json() == ack
    listed = client.get("/v1/notices", headers=org_a.headers(Role.REVIEWER)).json()["notices"]
    assert ack["id"] in {n["id"] for n in listed}

    # The notice puts a clear item in the queue, with the trusted flagger's deadline.
    detail = client.get(f"/v1/items/{item['id']}", headers=org_a.headers(Role.REVIEWER)).json()
    assert (detail["status"], detail["priority"]) == ("pending", 1)
    assert [n["id"] for n in detail["notices"]] == [ack["id"]]
    due = datetime.fromisoformat(detail["due_at"])
    assert timedelta(hours=23) < due - datetime.now(UTC) <= timedelta(hours=24)

    # Content not stored yet: the notice's copy is stored and screened.
    order = notice(
        client,
        org_a,
        kind="authority_order",
        url="https://shop.example/listing/404",
        content=FENTANYL.format(grams=50, price=900, handle="bulk_seller"),
        legal_basis="Narcotics Act s. 29",
    )
    assert order.status_code == 201, order.text
    stored = client.get(
        f"/v1/items/{order.json()['item_id']}", headers=org_a.headers(Role.REVIEWER)
    ).json()
    assert (stored["url"], stored["label"], stored["priority"]) == (
        "https://shop.example/listing/404",
        "offer",
        0,
    )


def test_a_notice_about_a_long_url_is_stored_once(client, org_a):
    url = "https://shop.example/listing?" + "&".join(f"p{n}=value{n}" for n in range(30))
    assert len(url) > 200  # longer than an external id may be
    first = notice(client, org_a, url=url)
    assert first.status_code == 201, first.text
    again = notice(client, org_a, url=url)
    assert again.json()["item_id"] == first.json()["item_id"]
    item = client.get(
        f"/v1/items/{first.json()['item_id']}", headers=org_a.headers(Role.REVIEWER)
    ).json()
    assert item["url"] == url


def test_the_longest_ids_are_idempotent_too(client, service, org_a):
    longest = {"text": "a blue chair", "source": "s" * 100, "external_id": "e" * 200}
    [first] = submit(client, org_a, longest)
    [again] = submit(client, org_a, longest)
    assert (again["id"], again["created"]) == (first["id"], False)
    assert stored_items(service, org_a) == 1


def test_only_an_authority_account_sends_orders(client, org_a):
    order = {"kind": "authority_order", "legal_basis": "Narcotics Act s. 29"}
    allowed = notice(client, org_a, url="https://shop.example/o/1", **order)
    assert allowed.status_code == 201
    # An admin may relay one; other roles may not send notices at all.
    assert (
        notice(client, org_a, Role.ADMIN, url="https://shop.example/o/2", **order).status_code
        == 201
    )
    assert (
        notice(client, org_a, Role.REVIEWER, url="https://shop.example/o/3", **order).status_code
        == 403
    )


def test_queue_order_authority_order_then_trusted_flagger_then_notice_then_flagged(client, org_a):
    offer_1, offer_2, for_notice, for_flagger, for_order = submit(
        client,
        org_a,
        {"text": FENTANYL.format(grams=10, price=200, handle="q1"), "external_id": "offer-1"},
        {"text": NITAZENE, "external_id": "offer-2"},
        {"text": BENIGN[0], "external_id": "notice"},
        {"text": BENIGN[1], "external_id": "flagger"},
        {"text": BENIGN[2], "external_id": "order"},
    )
    assert offer_1["flagged"] and offer_2["flagged"] and for_notice["status"] == "clear"
    # Flagged items by risk, the earlier first on a tie (sorted() is stable).
    by_risk = sorted([offer_1, offer_2], key=lambda item: -item["risk"])
    notice_kind = {"kind": "notice"}
    authority = {"kind": "authority_order", "legal_basis": "Narcotics Act s. 29"}
    for external_id, kind in [("notice", notice_kind), ("flagger", {}), ("order", authority)]:
        assert (
            notice(client, org_a, source="api", external_id=external_id, **kind).status_code == 201
        )
    assert queue_ids(client, org_a) == [
        for_order["id"],
        for_flagger["id"],
        for_notice["id"],
        *(item["id"] for item in by_risk),
    ]
    # Within one priority, risk decides: a flagged offer noticed by a trusted flagger comes
    # before the benign item the other trusted flagger's notice is about.
    lower = by_risk[-1]
    assert notice(client, org_a, source="api", external_id=lower["external_id"]).status_code == 201
    assert queue_ids(client, org_a)[1:3] == [lower["id"], for_flagger["id"]]


# ---------------------------------------------------------------- claims
def test_two_reviewers_never_hold_the_same_item(client, service, org_a):
    [item] = submit(client, org_a, {"text": NITAZENE})
    path = f"/v1/queue/{item['id']}"
    assert client.post(f"{path}/claim", headers=org_a.headers(Role.REVIEWER)).status_code == 200
    taken = client.post(f"{path}/claim", headers=org_a.headers(Role.ADMIN))
    assert taken.status_code == 409 and "claimed" in taken.json()["detail"]
    assert decide(client, org_a, item["id"], Role.ADMIN).status_code == 409
    # The holder may claim again (renew) and is named on the item.
    assert client.post(f"{path}/claim", headers=org_a.headers(Role.REVIEWER)).status_code == 200
    detail = client.get(f"/v1/items/{item['id']}", headers=org_a.headers(Role.REVIEWER)).json()
    assert detail["claimed_by"] == org_a.users[Role.REVIEWER]
    claimed_until = datetime.fromisoformat(detail["claimed_until"])
    minutes = service.settings.claim_minutes
    assert (
        timedelta(minutes=minutes - 1)
        < claimed_until - datetime.now(UTC)
        <= timedelta(minutes=minutes)
    )

    # A claim that ran out lets another reviewer take the item.
    with service.db.session() as session:
        session.execute(
            update(Item)
            .where(Item.id == item["id"])
            .values(claimed_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert client.post(f"{path}/claim", headers=org_a.headers(Role.ADMIN)).status_code == 200
    assert client.post(f"{path}/claim", headers=org_a.headers(Role.REVIEWER)).status_code == 409

    # Releasing someone else's claim changes nothing; the holder's own release frees it.
    client.post(f"{path}/release", headers=org_a.headers(Role.REVIEWER))
    assert client.post(f"{path}/claim", headers=org_a.headers(Role.REVIEWER)).status_code == 409
    released = client.post(f"{path}/release", headers=org_a.headers(Role.ADMIN))
    assert released.status_code == 200
    assert client.post(f"{path}/claim", headers=org_a.headers(Role.REVIEWER)).status_code == 200


def test_short_claims_expire_by_themselves(service_settings, service, org_a):
    # A service whose claims last no time at all: the next reviewer may always take over.
    instant = ReviewService(
        replace(service_settings, claim_minutes=0), service.db, lambda: service.screener
    )
    with TestClient(create_app(service_settings, instant)) as client:
        [item] = submit(client, org_a, {"text": NITAZENE})
        path = f"/v1/queue/{item['id']}/claim"
        assert client.post(path, headers=org_a.headers(Role.REVIEWER)).status_code == 200
        assert client.post(path, headers=org_a.headers(Role.ADMIN)).status_code == 200


def test_claiming_an_item_not_in_the_queue_is_a_conflict(client, org_a):
    [clear] = submit(client, org_a, {"text": BENIGN[0]})
    response = client.post(f"/v1/queue/{clear['id']}/claim", headers=org_a.headers(Role.REVIEWER))
    assert response.status_code == 409


# ---------------------------------------------------------------- decisions
def test_a_decision_can_cover_the_near_identical_listings(client, org_a):
    listings = submit(
        client,
        org_a,
        *(
            {
                "text": FENTANYL.format(grams=10, price=price, handle="dupe"),
                "external_id": f"d{price}",
            }
            for price in (200, 180, 250, 199)
        ),
        {"text": NITAZENE, "external_id": "other"},
    )
    primary, same_1, same_2, held_by_other, different = (i["id"] for i in listings)
    claim = client.post(f"/v1/queue/{held_by_other}/claim", headers=org_a.headers(Role.ADMIN))
    assert claim.status_code == 200
    detail = client.get(f"/v1/items/{primary}", headers=org_a.headers(Role.REVIEWER)).json()
    assert detail["cluster_pending"] == 4

    response = decide(client, org_a, primary, apply_to_cluster=True, territorial_scope=["DE", "FR"])
    assert response.status_code == 200, response.text
    decisions = response.json()["decisions"]
    assert decisions[0]["item_id"] == primary
    assert {d["item_id"] for d in decisions} == {primary, same_1, same_2}
    assert [d["cluster_of"] for d in decisions] == [None, primary, primary]
    for d in decisions:
        assert (d["action"], d["decided_by"]) == ("remove", org_a.usernames[Role.REVIEWER])
        assert d["automated_detection"] is True
        assert d["territorial_scope"] == ["DE", "FR"]
        assert d["source_type"] == "voluntary"

    pending = queue_ids(client, org_a)
    assert primary not in pending and same_1 not in pending and same_2 not in pending
    assert held_by_other in pending and different in pending
    assert search(client, org_a, status="decided") == {primary, same_1, same_2}
    # Decided is final.
    assert decide(client, org_a, primary).status_code == 409

    listed = client.get("/v1/decisions", headers=org_a.headers(Role.ANALYST)).json()["decisions"]
    assert {d["id"] for d in listed} == {d["id"] for d in decisions}
    one = client.get(f"/v1/decisions/{decisions[0]['id']}", headers=org_a.headers(Role.AUDITOR))
    assert one.status_code == 200 and one.json() == decisions[0]


def test_needs_more_information_keeps_the_item_in_the_queue(client, org_a):
    [item] = submit(client, org_a, {"text": NITAZENE})
    response = decide(client, org_a, item["id"], action="needs_more_information", explanation="")
    assert response.status_code == 200
    [decision] = response.json()["decisions"]
    assert decision["action"] == "needs_more_information"
    detail = client.get(f"/v1/items/{item['id']}", headers=org_a.headers(Role.REVIEWER)).json()
    assert (detail["status"], detail["claimed_by"]) == ("pending", None)
    assert [d["id"] for d in detail["decisions"]] == [decision["id"]]
    assert item["id"] in queue_ids(client, org_a)
    # The next reviewer can take it and decide.
    assert decide(client, org_a, item["id"], Role.ADMIN).status_code == 200
    assert item["id"] not in queue_ids(client, org_a)


def test_a_decision_answers_the_notice(client, org_a):
    [item] = submit(client, org_a, {"text": BENIGN[0], "external_id": "n1"})
    ack = notice(client, org_a, source="api", external_id="n1").json()
    [decision] = decide(client, org_a, item["id"], action="no_action", explanation="").json()[
        "decisions"
    ]
    assert (decision["source_type"], decision["source_identity"]) == (
        "trusted_flagger",
        "Drug Enforcement Unit",
    )
    answered = client.get(f"/v1/notices/{ack['id']}", headers=org_a.headers(Role.FLAGGER)).json()
    assert (answered["status"], answered["outcome"]) == ("decided", "no_action")
    assert answered["decided_at"]


@pytest.mark.parametrize(
    "body",
    [
        {"action": "remove", "explanation": ""},
        {"action": "delete_everything"},
        {"action": "no_action", "territorial_scope": ["germany"]},
        {"action": "no_action", "surprise": True},
    ],
)
def test_bad_decisions_get_422(client, org_a, body):
    [item] = submit(client, org_a, {"text": NITAZENE})
    response = client.post(
        f"/v1/items/{item['id']}/decisions", json=body, headers=org_a.headers(Role.REVIEWER)
    )
    assert response.status_code == 422
    assert item["id"] in queue_ids(client, org_a)


# ---------------------------------------------------------------- audit
def test_decisions_are_in_the_audit_trail_and_it_verifies(client, org_a):
    [item] = submit(client, org_a, {"text": NITAZENE})
    [decision] = decide(client, org_a, item["id"]).json()["decisions"]
    events = client.get("/v1/audit", headers=org_a.headers(Role.AUDITOR)).json()["events"]
    assert events == sorted(events, key=lambda e: -e["seq"])
    # The newest event may be the auditor's key use, recorded on its first call.
    latest = next(e for e in events if e["action"] == "decision.create")
    assert latest["object_id"] == decision["id"]
    assert latest["details"]["item"] == item["id"]
    assert latest["actor"].startswith(org_a.usernames[Role.REVIEWER])
    older = client.get(
        "/v1/audit",
        params={"before": latest["seq"], "limit": 1},
        headers=org_a.headers(Role.AUDITOR),
    ).json()["events"]
    assert [e["seq"] for e in older] == [events[events.index(latest) + 1]["seq"]]
    beyond = client.get("/v1/audit", params={"before": 2**31}, headers=org_a.headers(Role.AUDITOR))
    assert beyond.status_code == 422

    verified = client.get("/v1/audit/verify", headers=org_a.headers(Role.AUDITOR)).json()
    assert verified["ok"] is True, verified["problems"]
    assert verified["events"] >= len(events)


@pytest.fixture
def scratch_service(database_url, service_settings, screener, tmp_path):
    """A review service on a database of its own (same backend), for tests that damage it."""
    with scratch_database(database_url, tmp_path, "scratch") as url:
        settings = replace(service_settings, database_url=url)
        svc = ReviewService(settings, Database.open(settings), lambda: screener)
        yield svc
        svc.db.close()


@contextmanager
def audit_verifier(svc: ReviewService) -> Iterator[Callable[[], dict]]:
    """An auditor's ``GET /v1/audit/verify`` on ``svc``, called once before yielding: the key's
    first use is then on the chain, and later calls add nothing to it."""
    org = svc.bootstrap_organisation(f"audit-{secrets.token_hex(3)}", "Audit")
    auditor = svc.bootstrap_user(org.id, UserIn(username=f"{org.slug}-aud", role=Role.AUDITOR))
    headers = {"Authorization": f"Bearer {svc.bootstrap_api_key(org.id, auditor.id, 'v')[1]}"}
    with TestClient(create_app(svc.settings, svc)) as client:

        def verify() -> dict:
            response = client.get("/v1/audit/verify", headers=headers)
            assert response.status_code == 200
            return response.json()

        assert verify()["ok"] is True
        yield verify


def _allow_tampering(svc: ReviewService) -> None:
    with svc.db.engine.begin() as conn:
        if svc.db.is_postgres:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_the_audit_trail_refuses_edits_and_verify_finds_a_changed_event(scratch_service):
    with audit_verifier(scratch_service) as verify:
        tampering = [
            "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3",
            "DELETE FROM audit_events WHERE seq = 3",
        ]
        for statement in tampering:
            with (
                pytest.raises(Exception, match="append-only"),
                scratch_service.db.engine.begin() as conn,
            ):
                conn.execute(text(statement))
        assert verify()["ok"] is True

        _allow_tampering(scratch_service)
        with scratch_service.db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"))
        result = verify()
    assert result["ok"] is False
    assert any("event 3" in p and "changed" in p for p in result["problems"]), result["problems"]


def test_verify_finds_a_deleted_event_and_a_deleted_tail(scratch_service):
    with audit_verifier(scratch_service) as verify:
        _allow_tampering(scratch_service)
        with scratch_service.db.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events WHERE seq = 2"))
        result = verify()
        assert result["ok"] is False
        assert result["problems"] == [
            "events 2..2 are missing",
            "event 3: link to the previous event is broken",
        ]

        with scratch_service.db.engine.begin() as conn:
            last = conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one()
            conn.execute(text("DELETE FROM audit_events WHERE seq >= :s"), {"s": last - 1})
        result = verify()
    assert any("were deleted" in p for p in result["problems"]), result["problems"]


# ---------------------------------------------------------------- health and metrics
def test_health_needs_no_key(client):
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}


def test_a_body_over_the_limit_is_refused_unread(client, org_a):
    # The declared length is enough: the body is not read.
    headers = org_a.headers(Role.ANALYST) | {"content-length": str(MAX_BODY_BYTES + 1)}
    response = client.post("/v1/items", content=b"{}", headers=headers)
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large"}


def test_metrics_count_requests_screened_items_and_the_queue(client, org_a):
    def metric(name: str) -> str:
        response = client.get("/v1/metrics", headers=org_a.headers(Role.ADMIN))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        lines = [line for line in response.text.splitlines() if line.startswith(name + " ")]
        assert len(lines) == 1, response.text
        return lines[0].split()[1]

    screened = int(metric("interdiction_items_screened_total"))
    assert metric("interdiction_queue_pending") == "0"
    submit(client, org_a, {"text": NITAZENE}, {"text": BENIGN[0]})
    assert int(metric("interdiction_items_screened_total")) == screened + 2
    assert metric("interdiction_queue_pending") == "1"
    assert int(metric('interdiction_http_requests_total{status="200"}')) > 0


# ---------------------------------------------------------------- users and keys
def test_users_and_keys(client, service, org_a):
    admin = org_a.headers(Role.ADMIN)
    created = client.post(
        "/v1/users",
        json={
            "username": f"{org_a.slug}-newbie",
            "role": "reviewer",
            "password": "a long password",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert (user["role"], user["active"]) == ("reviewer", True)
    assert "password" not in created.text and "a long password" not in created.text
    assert user["id"] in {u["id"] for u in client.get("/v1/users", headers=admin).json()["users"]}
    assert client.get(f"/v1/users/{user['id']}", headers=admin).json() == user
    duplicate = client.post(
        "/v1/users", json={"username": f"{org_a.slug}-newbie", "role": "analyst"}, headers=admin
    )
    assert duplicate.status_code == 409

    issued = client.post(
        "/v1/keys", json={"name": "ingest bot", "user_id": user["id"]}, headers=admin
    )
    assert issued.status_code == 201, issued.text
    secret = issued.json()["key"]
    key_id = issued.json()["id"]
    assert secret.startswith(f"idk_{issued.json()['prefix']}_")
    # Shown once: listing keys never shows it again, and the database holds only its hash.
    listing = client.get("/v1/keys", headers=admin)
    assert key_id in listing.text and secret not in listing.text
    assert "key" not in next(k for k in listing.json()["keys"] if k["id"] == key_id)
    secret_part = secret.split("_", 2)[2]  # idk_<prefix>_<secret>
    with service.db.session() as session:
        row = session.get(ApiKey, key_id)
        stored = [str(getattr(row, c.key)) for c in ApiKey.__table__.columns]
    assert row.secret_hash == hashlib.sha256(secret_part.encode()).hexdigest()
    assert not any(secret_part in value for value in stored)

    as_bot = {"Authorization": f"Bearer {secret}"}
    me = client.get("/v1/me", headers=as_bot)
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["role"]) == (f"{org_a.slug}-newbie", "reviewer")
    used = next(
        k for k in client.get("/v1/keys", headers=admin).json()["keys"] if k["id"] == key_id
    )
    assert used["last_used_at"]

    revoked = client.delete(f"/v1/keys/{key_id}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    refused = client.get("/v1/me", headers=as_bot)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"

    # A deactivated user's keys stop working too.
    other_key = client.post(
        "/v1/keys", json={"name": "second", "user_id": user["id"]}, headers=admin
    )
    as_second = {"Authorization": f"Bearer {other_key.json()['key']}"}
    assert client.get("/v1/me", headers=as_second).status_code == 200
    deactivated = client.post(f"/v1/users/{user['id']}/deactivate", headers=admin)
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    assert client.get("/v1/me", headers=as_second).status_code == 401
    # An admin cannot lock themselves out.
    myself = client.post(f"/v1/users/{org_a.users[Role.ADMIN]}/deactivate", headers=admin)
    assert myself.status_code == 422

    actions = {e["action"] for e in client.get("/v1/audit", headers=admin).json()["events"]}
    assert {"user.create", "api_key.create", "api_key.revoke", "user.deactivate"} <= actions


def test_the_longest_username_can_use_the_api(client, org_a):
    admin = org_a.headers(Role.ADMIN)
    username = f"{org_a.slug}-" + "x" * (100 - len(org_a.slug) - 1)
    user = client.post("/v1/users", json={"username": username, "role": "analyst"}, headers=admin)
    assert user.status_code == 201, user.text
    key = client.post("/v1/keys", json={"name": "k", "user_id": user.json()["id"]}, headers=admin)
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {key.json()['key']}"})
    assert me.status_code == 200 and me.json()["username"] == username
    assert client.get("/v1/audit/verify", headers=admin).json()["ok"] is True


def test_a_revocation_by_another_process_holds_within_the_trust_period(
    client, service, service_settings, screener, org_a, monkeypatch
):
    monkeypatch.setattr(service_module, "KEY_TRUST_SECONDS", 0.5)
    headers = org_a.headers(Role.ANALYST)
    assert client.get("/v1/me", headers=headers).status_code == 200  # now trusted
    # Another process on the same database (the command line) revokes the key.
    other = ReviewService(service_settings, Database.open(service_settings), lambda: screener)
    admin = other.authenticate_key(org_a.keys[Role.ADMIN])
    key_id = next(
        k.id for k in other.list_api_keys(admin) if k.user_id == org_a.users[Role.ANALYST]
    )
    other.revoke_api_key(admin, key_id)
    other.db.close()
    time.sleep(0.6)
    assert client.get("/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize(
    "presented", ["idk_nope_nope", "not-a-key", "idk_" + "a" * 12 + "_" + "b" * 43, ""]
)
def test_unknown_keys_get_401(client, presented):
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {presented}"})
    assert response.status_code == 401


def test_audit_verification_counts_only_the_callers_organisation(client, org_a, org_b):
    """One chain serves every organisation; its size would tell A how busy B is."""
    for _ in range(3):
        client.post(
            "/v1/items", json={"text": "fentanyl 5g for sale"}, headers=org_b.headers(Role.ANALYST)
        )
    mine = client.get("/v1/audit/verify", headers=org_a.headers(Role.AUDITOR)).json()
    events = client.get(
        "/v1/audit", params={"limit": 500}, headers=org_a.headers(Role.AUDITOR)
    ).json()["events"]
    assert mine["ok"] is True
    assert mine["events"] == len(events)
