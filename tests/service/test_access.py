"""Adversarial access to every /v1 endpoint: without a valid key (401), with a role that lacks the
permission (403), and from another organisation (404 for its objects; its data never shows up).

The table ENDPOINTS is the specification; it is written out here, not derived from the policy,
so a change to the policy that opens an endpoint fails. An endpoint added to the app without a
row in the table fails ``test_every_endpoint_has_a_case``."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interdiction.auth.policy import Principal, Role
from interdiction.review.schemas import DecisionIn, ItemIn, NoticeIn, UserIn
from interdiction.review.service import ReviewService
from interdiction.store.models import ApiKey, AuditEvent, Decision, Item, Notice, User

from .conftest import Org, make_org

ADMIN, REVIEWER, ANALYST, FLAGGER, AUDITOR = (
    Role.ADMIN,
    Role.REVIEWER,
    Role.ANALYST,
    Role.FLAGGER,
    Role.AUDITOR,
)
EVERYONE = frozenset(Role)
READERS = frozenset({ADMIN, REVIEWER, ANALYST, AUDITOR})  # the organisation's own staff
REVIEWERS = frozenset({ADMIN, REVIEWER})
ADMINS = frozenset({ADMIN})
AUDITORS = frozenset({ADMIN, AUDITOR})
_counter = itertools.count()


@dataclass
class World:
    """Two organisations, each with an offer, a restricting decision, a notice from its
    flagger and a second flagger; fresh objects on demand for calls that use them up."""

    service: ReviewService
    a: Org
    b: Org
    items: dict[str, str] = field(default_factory=dict)  # org id -> a pending item
    decisions: dict[str, str] = field(default_factory=dict)
    notices: dict[str, str] = field(default_factory=dict)  # sent by the org's flagger
    second_flagger_keys: dict[str, str] = field(default_factory=dict)

    def principal(self, org: Org, role: Role) -> Principal:
        return self.service.authenticate_key(org.keys[role])

    def fresh_item(self, org: Org) -> str:
        text = f"{org.slug} selling fentanyl 10g for $200, telegram @plug_{org.slug[2:]}"
        item = ItemIn(text=text, source=f"shop-{org.slug}", external_id=str(next(_counter)))
        [submitted] = self.service.submit_items(self.principal(org, ANALYST), [item])
        assert submitted.item.status == "pending"
        return submitted.item.id

    def fresh_user(self, org: Org) -> str:
        username = f"{org.slug}-extra-{next(_counter)}"
        return self.service.bootstrap_user(org.id, UserIn(username=username, role=ANALYST)).id

    def fresh_key(self, org: Org) -> str:
        return self.service.bootstrap_api_key(org.id, org.users[ANALYST], "spare")[0].id

    def markers(self, org: Org) -> set[str]:
        """Strings that identify the organisation's data: none may reach another one."""
        with self.service.db.session() as session:
            ids = {org.id, org.slug}
            for model in (Item, Decision, Notice, User):
                ids |= set(
                    session.execute(select(model.id).where(model.org_id == org.id)).scalars()
                )
            ids |= set(
                session.execute(select(ApiKey.prefix).where(ApiKey.org_id == org.id)).scalars()
            )
        return ids


def snapshot(service: ReviewService, org: Org) -> dict[str, Any]:
    """Everything of the organisation that a request could change."""
    with service.db.session() as session:

        def rows(*columns, where) -> list[tuple]:
            return sorted(tuple(r) for r in session.execute(select(*columns).where(where)).all())

        return {
            "items": rows(
                Item.id, Item.status, Item.priority, Item.claimed_by, where=Item.org_id == org.id
            ),
            "decisions": rows(Decision.id, Decision.exported_at, where=Decision.org_id == org.id),
            "notices": rows(Notice.id, Notice.status, where=Notice.org_id == org.id),
            "users": rows(User.id, User.active, User.role, where=User.org_id == org.id),
            "keys": rows(ApiKey.id, ApiKey.revoked_at, where=ApiKey.org_id == org.id),
            "audit": session.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.org_id == org.id)
            ).scalar_one(),
        }


@pytest.fixture(scope="module")
def world(service) -> World:
    w = World(service, make_org(service, "a"), make_org(service, "b"))
    for org in (w.a, w.b):
        w.items[org.id] = w.fresh_item(org)
        decided = w.fresh_item(org)
        decision = DecisionIn(action="remove", explanation="Offers fentanyl.")
        w.decisions[org.id] = service.decide(w.principal(org, REVIEWER), decided, decision)[0].id
        sent = NoticeIn(
            item_id=w.items[org.id],
            explanation="Offers a controlled opioid.",
            submitter_name="Drug Enforcement Unit",
            good_faith=True,
        )
        w.notices[org.id] = service.submit_notice(w.principal(org, FLAGGER), sent).id
        flagger = service.bootstrap_user(
            org.id, UserIn(username=f"{org.slug}-flagger-2", role=FLAGGER)
        )
        w.second_flagger_keys[org.id] = service.bootstrap_api_key(org.id, flagger.id, "f2")[1]
    return w


@dataclass(frozen=True)
class Call:
    path: dict[str, str] = field(default_factory=dict)
    json: Any = None
    params: dict[str, Any] | None = None

    def named(self) -> list[str]:
        """The ids in the path and the body."""
        body = list((self.json or {}).values())
        return [*self.path.values(), *(v for v in body if isinstance(v, str))]


@dataclass(frozen=True)
class Endpoint:
    roles: frozenset[Role]  # who may call it; every other role gets 403
    call: Callable[[World, Org], Call]  # a valid request about the given organisation's objects
    # What a caller gets when the objects named are another organisation's: 404 when the request
    # names one, the caller's own (unchanged) view otherwise.
    foreign_status: int = 200


def _notice(w: World, org: Org) -> Call:
    return Call(
        json={
            "item_id": w.items[org.id],
            "explanation": "Offers a controlled opioid.",
            "submitter_name": "Drug Enforcement Unit",
            "good_faith": True,
        }
    )


def _new_user(w: World, org: Org) -> Call:
    return Call(json={"username": f"user-{secrets.token_hex(6)}", "role": "analyst"})


ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("GET", "/v1/metrics"): Endpoint(READERS, lambda w, o: Call()),
    ("GET", "/v1/me"): Endpoint(EVERYONE, lambda w, o: Call()),
    ("POST", "/v1/items"): Endpoint(
        frozenset({ADMIN, REVIEWER, ANALYST}), lambda w, o: Call(json={"text": "a blue chair"})
    ),
    ("GET", "/v1/items"): Endpoint(READERS, lambda w, o: Call(params={"limit": 500})),
    ("GET", "/v1/items/{item_id}"): Endpoint(
        READERS, lambda w, o: Call(path={"item_id": w.items[o.id]}), 404
    ),
    ("POST", "/v1/items/{item_id}/decisions"): Endpoint(
        REVIEWERS,
        lambda w, o: Call(
            path={"item_id": w.fresh_item(o)}, json={"action": "remove", "explanation": "offer"}
        ),
        404,
    ),
    ("GET", "/v1/queue"): Endpoint(REVIEWERS, lambda w, o: Call(params={"limit": 500})),
    ("POST", "/v1/queue/sample"): Endpoint(REVIEWERS, lambda w, o: Call(params={"count": 5})),
    ("POST", "/v1/queue/{item_id}/claim"): Endpoint(
        REVIEWERS, lambda w, o: Call(path={"item_id": w.fresh_item(o)}), 404
    ),
    ("POST", "/v1/queue/{item_id}/release"): Endpoint(
        REVIEWERS, lambda w, o: Call(path={"item_id": w.fresh_item(o)}), 404
    ),
    ("GET", "/v1/decisions"): Endpoint(READERS, lambda w, o: Call(params={"limit": 500})),
    ("GET", "/v1/decisions/{decision_id}"): Endpoint(
        READERS, lambda w, o: Call(path={"decision_id": w.decisions[o.id]}), 404
    ),
    ("POST", "/v1/notices"): Endpoint(frozenset({ADMIN, FLAGGER}), _notice, 404),
    ("GET", "/v1/notices"): Endpoint(EVERYONE, lambda w, o: Call(params={"limit": 500})),
    ("GET", "/v1/notices/{notice_id}"): Endpoint(
        EVERYONE, lambda w, o: Call(path={"notice_id": w.notices[o.id]}), 404
    ),
    ("GET", "/v1/statements"): Endpoint(
        AUDITORS, lambda w, o: Call(params={"include_exported": True})
    ),
    ("POST", "/v1/statements/exported"): Endpoint(
        AUDITORS, lambda w, o: Call(json={"decision_ids": [w.decisions[o.id]]})
    ),
    ("GET", "/v1/audit"): Endpoint(AUDITORS, lambda w, o: Call(params={"limit": 500})),
    ("GET", "/v1/audit/verify"): Endpoint(AUDITORS, lambda w, o: Call()),
    ("GET", "/v1/stats"): Endpoint(READERS, lambda w, o: Call()),
    ("GET", "/v1/users"): Endpoint(ADMINS, lambda w, o: Call()),
    ("POST", "/v1/users"): Endpoint(ADMINS, _new_user),
    ("GET", "/v1/users/{user_id}"): Endpoint(
        ADMINS, lambda w, o: Call(path={"user_id": o.users[ANALYST]}), 404
    ),
    ("POST", "/v1/users/{user_id}/deactivate"): Endpoint(
        ADMINS, lambda w, o: Call(path={"user_id": w.fresh_user(o)}), 404
    ),
    ("GET", "/v1/keys"): Endpoint(ADMINS, lambda w, o: Call()),
    ("POST", "/v1/keys"): Endpoint(
        ADMINS, lambda w, o: Call(json={"name": "bot", "user_id": o.users[ANALYST]}), 404
    ),
    ("DELETE", "/v1/keys/{key_id}"): Endpoint(
        ADMINS, lambda w, o: Call(path={"key_id": w.fresh_key(o)}), 404
    ),
}
PUBLIC = {("GET", "/v1/health")}
CASES = sorted(ENDPOINTS)


def request(client: TestClient, endpoint: tuple[str, str], call: Call, headers: dict[str, str]):
    method, template = endpoint
    return client.request(
        method, template.format(**call.path), json=call.json, params=call.params, headers=headers
    )


def test_every_endpoint_has_a_case(app):
    served = {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and context.path.startswith("/v1/")
        for method in context.original_route.methods
    }
    assert served - set(ENDPOINTS) - PUBLIC == set(), "endpoints without an access case"
    assert (set(ENDPOINTS) | PUBLIC) - served == set(), "cases for endpoints that are gone"


def test_the_public_endpoints_answer_without_a_key(client):
    # Every other endpoint refuses a request without one (the next test).
    for method, path in PUBLIC:
        assert client.request(method, path).status_code == 200


@pytest.mark.parametrize("endpoint", CASES, ids=" ".join)
def test_without_a_valid_key_nothing_happens(client, world, endpoint):
    call = ENDPOINTS[endpoint].call(world, world.a)
    revoked = world.fresh_key(world.a)
    with world.service.db.session() as session:
        prefix = session.get(ApiKey, revoked).prefix
    admin = world.principal(world.a, ADMIN)
    world.service.revoke_api_key(admin, revoked)
    before = snapshot(world.service, world.a)
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": f"Basic {world.a.keys[ADMIN]}"},
        {"Authorization": "Bearer idk_000000000000_" + "x" * 43},
        # The right prefix of a live key with a wrong secret.
        {"Authorization": f"Bearer {world.a.keys[ADMIN][:17]}{'x' * 43}"},
        {"Authorization": f"Bearer idk_{prefix}_{'x' * 43}"},
    ):
        response = request(client, endpoint, call, headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
    assert snapshot(world.service, world.a) == before


@pytest.mark.parametrize("endpoint", CASES, ids=" ".join)
def test_each_role_gets_exactly_its_permissions(client, world, endpoint):
    spec = ENDPOINTS[endpoint]
    for role in Role:
        response = request(client, endpoint, spec.call(world, world.a), world.a.headers(role))
        if role in spec.roles:
            assert response.status_code < 300, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)


@pytest.mark.parametrize("endpoint", CASES, ids=" ".join)
def test_another_organisation_is_invisible_and_untouchable(client, world, endpoint):
    spec = ENDPOINTS[endpoint]
    victim_markers = world.markers(world.b)
    for role in sorted(spec.roles):
        call = spec.call(world, world.b)
        before = snapshot(world.service, world.b)
        response = request(client, endpoint, call, world.a.headers(role))
        assert response.status_code == spec.foreign_status or (
            spec.foreign_status == 200 and response.status_code < 300
        ), (role, response.text)
        assert snapshot(world.service, world.b) == before, role
        # A 404 may repeat the id asked for, nothing else of the other organisation.
        shown = response.text
        for asked in call.named():
            shown = shown.replace(asked, "")
        assert not [m for m in victim_markers if m in shown], (role, response.text)


def test_searches_find_nothing_of_another_organisation(client, world):
    b_item = world.items[world.b.id]
    for params in (
        {"q": world.b.slug},
        {"source": f"shop-{world.b.slug}"},
        {"identifier": f"telegram:plug_{world.b.slug[2:]}"},
        {"identifier": f"plug_{world.b.slug[2:]}"},
        {"substance": "fentanyl", "limit": 500},
    ):
        response = client.get("/v1/items", params=params, headers=world.a.headers(ANALYST))
        assert response.status_code == 200
        assert b_item not in response.text
        assert world.b.slug not in response.text
    stats = client.get("/v1/stats", headers=world.a.headers(ANALYST)).json()
    assert f"shop-{world.b.slug}" not in stats["by_source"]
    assert f"shop-{world.a.slug}" in stats["by_source"]


def test_a_flagger_sees_only_its_own_notices(client, world):
    mine = world.notices[world.a.id]
    other_flagger = {"Authorization": f"Bearer {world.second_flagger_keys[world.a.id]}"}
    assert client.get(f"/v1/notices/{mine}", headers=world.a.headers(FLAGGER)).status_code == 200
    assert client.get(f"/v1/notices/{mine}", headers=other_flagger).status_code == 404
    listed = client.get("/v1/notices", headers=other_flagger).json()["notices"]
    assert mine not in {n["id"] for n in listed}
    # The organisation's staff see every notice.
    staff = client.get("/v1/notices", headers=world.a.headers(REVIEWER)).json()["notices"]
    assert mine in {n["id"] for n in staff}
    # Nor can a flagger learn about the items a notice points to.
    item = world.items[world.a.id]
    assert client.get(f"/v1/items/{item}", headers=world.a.headers(FLAGGER)).status_code == 403


def test_a_key_cannot_be_made_for_another_organisations_user(client, world):
    before = snapshot(world.service, world.b)
    for user in (world.b.users[ADMIN], world.b.users[ANALYST]):
        response = client.post(
            "/v1/keys", json={"name": "backdoor", "user_id": user}, headers=world.a.headers(ADMIN)
        )
        assert response.status_code == 404
    assert snapshot(world.service, world.b) == before
