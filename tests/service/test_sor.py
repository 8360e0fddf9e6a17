"""Statements of reasons exported for the DSA Transparency Database (schema v2): the mapping from
real decisions made through the service and the API, the validator, batches of 100, marking,
auditing and access control. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from interdiction.auth.policy import Forbidden, Principal, Role
from interdiction.review.schemas import Action, DecisionIn, ItemIn
from interdiction.review.service import ReviewService
from interdiction.review.sor import (
    BATCH_SIZE,
    StatementExport,
    export_page,
    export_statements,
    provenance_problems,
    validate,
)
from interdiction.store.models import Decision, Notice
from tests.service.conftest import PASSWORD, Org

LISTING = "Selling pure fentanyl powder 10g, wickr me: dealer99, btc only, ships EU"
PILLS = "Oxycodone 80mg without prescription, discreet shipping to all EU countries"
LAW = "Opium Act (NL) art. 2: sale of a Schedule I substance"


def person(service: ReviewService, org: Org, role: Role = Role.REVIEWER) -> Principal:
    """A person logged in through the web (their decisions are not automated)."""
    token = service.login(org.usernames[role], PASSWORD, "pytest")
    return service.authenticate_session(token)


def machine(service: ReviewService, org: Org, role: Role = Role.ADMIN) -> Principal:
    return service.authenticate_key(org.keys[role])


def flagged_item(service: ReviewService, org: Org, text: str = LISTING, **fields):
    submitted = service.submit_items(
        machine(service, org, Role.ANALYST), [ItemIn(text=text, **fields)]
    )
    item = submitted[0].item
    assert item.flagged and item.status == "pending", "the screener should flag this listing"
    return item


def statements_of(service: ReviewService, org: Org, **window) -> dict[str, dict]:
    page = export_page(service, machine(service, org), **window)
    assert not page.invalid, page.invalid
    return {s["puid"]: s for batch in page.batches for s in batch["statements"]}


def decide(service, principal, item_id, action, **fields) -> list[Decision]:
    fields.setdefault("explanation", "Offers a controlled opioid for sale.")
    return service.decide(principal, item_id, DecisionIn(action=action, **fields))


# ------------------------------------------------------------------------------ mapping


def test_each_restricting_action_gets_a_valid_statement(service, org_a):
    reviewer = person(service, org_a)
    expected = {
        Action.REMOVE: ("decision_visibility", ["DECISION_VISIBILITY_CONTENT_REMOVED"]),
        Action.RESTRICT_VISIBILITY: (
            "decision_visibility",
            ["DECISION_VISIBILITY_CONTENT_DEMOTED"],
        ),
        Action.SUSPEND_ACCOUNT: ("decision_account", "DECISION_ACCOUNT_SUSPENDED"),
    }
    content_date = datetime(2025, 3, 4, 22, 30, tzinfo=UTC)
    decisions = {}
    for n, action in enumerate(expected):
        item = flagged_item(
            service,
            org_a,
            f"{LISTING} lot {n}",
            content_type="product",
            language="en-GB",
            content_date=content_date,
        )
        decisions[action] = decide(
            service, reviewer, item.id, action, legal_ground=LAW, territorial_scope=["NL", "DE"]
        )[0]

    statements = statements_of(service, org_a)
    assert set(statements) == {d.id for d in decisions.values()}
    for action, (field, value) in expected.items():
        decision = decisions[action]
        statement = statements[decision.id]
        assert validate(statement) == []
        assert statement[field] == value
        other = {"decision_visibility", "decision_account"} - {field}
        assert not other & set(statement), "one restriction per action"
        assert statement["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
        assert statement["illegal_content_legal_ground"] == LAW
        assert statement["illegal_content_explanation"] == "Offers a controlled opioid for sale."
        assert "incompatible_content_ground" not in statement
        assert statement["category"] == "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS"
        assert statement["category_specification"] == ["KEYWORD_PROHIBITED_PRODUCTS"]
        assert statement["content_type"] == ["CONTENT_TYPE_PRODUCT"]
        assert statement["content_date"] == "2025-03-04"
        assert statement["application_date"] == decision.created_at.date().isoformat()
        assert statement["source_type"] == "SOURCE_VOLUNTARY"
        assert "source_identity" not in statement
        assert statement["automated_detection"] == "Yes"  # the screener found it
        assert statement["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
        assert statement["territorial_scope"] == ["DE", "NL"]
        assert statement["content_language"] == "EN"
        assert statement["puid"] == decision.id
        facts = statement["decision_facts"]
        assert facts.startswith("Offers a controlled opioid for sale.")
        assert "Found by the platform's automated screening." in facts
        assert "Fentanyl" in facts and "Trade signals:" in facts


def test_terms_ground_text_item_and_unknown_language(service, org_a):
    item = flagged_item(service, org_a, PILLS, language="klingon")
    [decision] = decide(
        service, person(service, org_a), item.id, Action.REMOVE, policy_ground="Rule 4: no drugs"
    )
    statement = statements_of(service, org_a)[decision.id]
    assert validate(statement) == []
    assert statement["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert statement["incompatible_content_ground"] == "Rule 4: no drugs"
    assert statement["incompatible_content_explanation"] == "Offers a controlled opioid for sale."
    assert statement["incompatible_content_illegal"] == "No"
    assert not {"illegal_content_legal_ground", "illegal_content_explanation"} & set(statement)
    assert statement["content_type"] == ["CONTENT_TYPE_TEXT"]
    assert "content_language" not in statement and "territorial_scope" not in statement
    # Without a content date the statement uses when the platform received the item.
    assert statement["content_date"] == item.created_at.date().isoformat()


def test_decisions_that_restrict_nothing_get_no_statement(service, org_a):
    reviewer = person(service, org_a)
    for n, action in enumerate([Action.NO_ACTION, Action.ESCALATE, Action.NEEDS_INFO]):
        item = flagged_item(service, org_a, f"{LISTING} batch {n}")
        decide(service, reviewer, item.id, action)
    page = export_page(service, machine(service, org_a))
    assert page.batches == [] and page.exported == 0 and page.total == 0
    assert page.invalid == {}


def test_source_type_comes_from_the_review_log(service, org_a, client):
    flagger, reviewer = org_a.headers(Role.FLAGGER), org_a.headers(Role.REVIEWER)

    def notice(kind, content, submitter, **extra):
        body = {
            "kind": kind,
            "url": f"https://market.example/listing/{kind}",
            "content": content,
            "explanation": "This listing sells a controlled drug.",
            "submitter_name": submitter,
            "good_faith": True,
            **extra,
        }
        response = client.post("/v1/notices", json=body, headers=flagger)
        assert response.status_code == 201, response.text
        return response.json()

    def decide_api(item_id):
        response = client.post(
            f"/v1/items/{item_id}/decisions",
            json={
                "action": "remove",
                "explanation": "Sells a controlled drug.",
                "legal_ground": LAW,
            },
            headers=reviewer,
        )
        assert response.status_code == 200, response.text
        return response.json()["decisions"][0]["id"]

    voluntary = decide_api(flagged_item(service, org_a).id)
    trusted = decide_api(
        notice("trusted_flagger", "Garden chairs, two left", "Drug Watch EU")["item_id"]
    )
    order = decide_api(
        notice("authority_order", PILLS, "Police NL", legal_basis="Opium Act art. 2")["item_id"]
    )
    article_16 = decide_api(
        notice("notice", f"{PILLS} today", "Jane Citizen", submitter_email="jane@example.org")[
            "item_id"
        ]
    )

    statements = statements_of(service, org_a)
    assert statements[voluntary]["source_type"] == "SOURCE_VOLUNTARY"
    assert "source_identity" not in statements[voluntary]
    assert statements[trusted]["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert statements[trusted]["source_identity"] == "Drug Watch EU"
    # The trusted flagger's listing was not flagged by the screener.
    assert statements[trusted]["automated_detection"] == "No"
    assert statements[order]["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"
    assert statements[order]["source_identity"] == "Police NL"
    assert "Opium Act art. 2" in statements[order]["decision_facts"]
    assert statements[order]["automated_detection"] == "Yes"
    # A person who sent an Art. 16 notice is not named (no personal data in the database).
    assert statements[article_16]["source_type"] == "SOURCE_ARTICLE_16"
    assert "source_identity" not in statements[article_16]
    assert "Jane" not in orjson.dumps(statements[article_16]).decode()
    # Decided through an API key: a machine decided, so the decision was fully automated.
    for puid in (voluntary, trusted, order, article_16):
        assert statements[puid]["automated_decision"] == "AUTOMATED_DECISION_FULLY"
        assert validate(statements[puid]) == []


def test_cluster_decision_is_partially_automated(service, org_a):
    analyst = machine(service, org_a, Role.ANALYST)
    submitted = service.submit_items(
        analyst, [ItemIn(text=f"{PILLS}, {n} boxes left") for n in range(2, 5)]
    )
    first, *rest = [s.item for s in submitted]
    decisions = decide(
        service, person(service, org_a), first.id, Action.REMOVE, apply_to_cluster=True
    )
    assert len(decisions) == 3

    statements = statements_of(service, org_a)
    assert statements[decisions[0].id]["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    for decision in decisions[1:]:
        statement = statements[decision.id]
        assert statement["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
        assert "near-identical listing" in statement["decision_facts"]
    assert {d.item_id for d in decisions[1:]} == {i.id for i in rest}


def test_identifiers_and_seller_are_withheld_from_the_text(service, org_a):
    item = flagged_item(service, org_a, f"{LISTING} today", account="seller_jane")
    [decision] = decide(
        service,
        person(service, org_a),
        item.id,
        Action.SUSPEND_ACCOUNT,
        legal_ground=LAW,
        explanation="Seller_Jane offers fentanyl; contact on wickr DEALER99.",
    )
    statement = statements_of(service, org_a)[decision.id]
    text = orjson.dumps(statement).decode()
    assert "dealer99" not in text.lower() and "seller_jane" not in text.lower()
    assert statement["illegal_content_explanation"] == (
        "[withheld] offers fentanyl; contact on wickr [withheld]."
    )
    assert (
        "Contact or payment identifiers (values withheld): 1 wickr." in statement["decision_facts"]
    )


# ------------------------------------------------------------------------------ export


def test_batches_of_100_file_export_marking_and_audit(service, org_a, client, tmp_path):
    analyst = machine(service, org_a, Role.ANALYST)
    # Near-identical listings (they differ in digits only): one cluster, decided in one call.
    texts = [f"{PILLS}, listing {n}" for n in range(160)]
    items = [s.item for s in service.submit_items(analyst, [ItemIn(text=t) for t in texts])]
    decisions = decide(
        service, person(service, org_a), items[0].id, Action.REMOVE, apply_to_cluster=True
    )
    assert len(decisions) == 160
    admin = machine(service, org_a)

    page = export_page(service, admin)
    assert [len(b["statements"]) for b in page.batches] == [BATCH_SIZE, 60]
    assert page.exported == page.total == 160

    out = tmp_path / "statements.jsonl"
    summary = export_statements(service, admin, out)
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [len(line["statements"]) for line in lines] == [100, 60] and summary.batches == 2
    puids = [s["puid"] for line in lines for s in line["statements"]]
    assert sorted(puids) == sorted(d.id for d in decisions)
    assert summary.exported == 160 and summary.marked == 0 and summary.invalid == {}

    # Not marked: a second run writes the same statements.
    again = export_statements(service, admin, out)
    assert (
        again.exported == 160 and [orjson.loads(x) for x in out.read_bytes().splitlines()] == lines
    )

    marked = export_statements(service, admin, tmp_path / "sent.jsonl", mark_exported=True)
    assert marked.marked == 160
    assert service.get_decision(admin, decisions[0].id).exported_at is not None
    after = export_statements(service, admin, tmp_path / "next.jsonl")
    assert after.exported == 0 and (tmp_path / "next.jsonl").read_bytes() == b""
    resent = export_statements(service, admin, tmp_path / "all.jsonl", include_exported=True)
    assert resent.exported == 160

    # The API pages with limit/offset; the batches stay at most 100.
    response = client.get(
        "/v1/statements",
        params={"include_exported": "true", "limit": 150, "offset": 0},
        headers=org_a.headers(Role.AUDITOR),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [len(b["statements"]) for b in body["batches"]] == [100, 50]
    assert body["total"] == 160 and body["exported"] == 150 and body["invalid"] == []

    exports = [e for e in service.audit_events(admin, limit=50) if e.action == "statements.export"]
    assert len(exports) == 7
    file_exports = [e.details for e in exports if e.details["via"] == "file"]
    assert [d["exported"] for d in file_exports] == [160, 0, 160, 160, 160]  # newest first
    assert [d["marked"] for d in file_exports] == [0, 0, 160, 0, 0]
    marks = [
        e for e in service.audit_events(admin, limit=50) if e.action == "statements.mark_exported"
    ]
    assert [e.details["marked"] for e in marks] == [160]


def test_since_until_window(service, org_a):
    item = flagged_item(service, org_a)
    [decision] = decide(service, person(service, org_a), item.id, Action.REMOVE, legal_ground=LAW)
    made = decision.created_at
    assert decision.id in statements_of(service, org_a, since=made.date())
    assert statements_of(service, org_a, since=made + timedelta(seconds=1)) == {}
    assert statements_of(service, org_a, until=made) == {}  # until is exclusive
    assert decision.id in statements_of(service, org_a, until=made + timedelta(seconds=1))


def test_mark_exported_through_the_api(service, org_a, client):
    item = flagged_item(service, org_a)
    [decision] = decide(service, person(service, org_a), item.id, Action.REMOVE, legal_ground=LAW)
    headers = org_a.headers(Role.ADMIN)
    batch = client.get("/v1/statements", headers=headers).json()["batches"][0]["statements"]
    assert [s["puid"] for s in batch] == [decision.id]
    response = client.post(
        "/v1/statements/exported", json={"decision_ids": [decision.id]}, headers=headers
    )
    assert response.status_code == 200 and response.json() == {"marked": 1}
    assert client.get("/v1/statements", headers=headers).json()["total"] == 0
    again = client.post(
        "/v1/statements/exported", json={"decision_ids": [decision.id]}, headers=headers
    )
    assert again.json() == {"marked": 0}
    for bad_ids in ([], ["\x00"], ["not hex"]):
        bad = client.post(
            "/v1/statements/exported", json={"decision_ids": bad_ids}, headers=headers
        )
        assert bad.status_code == 422


def test_invalid_statements_are_counted_and_reported(service, org_a, client, tmp_path):
    good = flagged_item(service, org_a)
    old = flagged_item(service, org_a, PILLS, content_date=datetime(1999, 6, 1, tzinfo=UTC))
    reviewer = person(service, org_a)
    [kept] = decide(service, reviewer, good.id, Action.REMOVE, legal_ground=LAW)
    [broken] = decide(
        service, reviewer, old.id, Action.REMOVE, legal_ground=LAW, territorial_scope=["US", "FR"]
    )

    page = export_page(service, machine(service, org_a))
    assert page.exported == 1 and page.total == 2
    assert [s["puid"] for b in page.batches for s in b["statements"]] == [kept.id]
    assert page.invalid == {
        broken.id: [
            "territorial_scope: 'US' is not one of the 30 values the v2 schema allows "
            "(docs/statements.md)",
            "content_date: 1999-06-01 is before 2000-01-01",
        ]
    }

    summary = export_statements(
        service, machine(service, org_a), tmp_path / "out.jsonl", mark_exported=True
    )
    assert summary.exported == 1 and summary.marked == 1 and list(summary.invalid) == [broken.id]
    assert summary.problems[0].startswith(f"decision {broken.id}: territorial_scope:")
    # The broken one is not marked: it stays due until it is fixed.
    body = client.get("/v1/statements", headers=org_a.headers(Role.ADMIN)).json()
    assert body["total"] == 1 and body["invalid"][0]["decision_id"] == broken.id
    audit = next(
        e for e in service.audit_events(machine(service, org_a)) if e.action == "statements.export"
    )
    assert audit.details["invalid"] == 1 and audit.details["invalid_decisions"] == [broken.id]


def test_a_puid_is_exported_once(service, org_a):
    item = flagged_item(service, org_a)
    decide(service, person(service, org_a), item.id, Action.REMOVE, legal_ground=LAW)
    [(decision, stored_item, notice)], _ = service.statement_sources(machine(service, org_a))
    export = StatementExport()
    assert export.add(decision, stored_item, notice) is True
    assert export.add(decision, stored_item, notice) is False
    assert export.invalid[decision.id] == [
        f"puid: {decision.id!r} is already used by another statement in this export"
    ]


# ------------------------------------------------------------------------------ access


def test_an_organisation_exports_only_its_own_decisions(service, org_a, org_b, client):
    item_b = flagged_item(service, org_b)
    [decision_b] = decide(
        service, person(service, org_b), item_b.id, Action.REMOVE, legal_ground=LAW
    )
    item_a = flagged_item(service, org_a)
    [decision_a] = decide(
        service, person(service, org_a), item_a.id, Action.REMOVE, legal_ground=LAW
    )

    assert set(statements_of(service, org_a)) == {decision_a.id}
    body = client.get("/v1/statements", headers=org_a.headers(Role.ADMIN)).json()
    assert [s["puid"] for b in body["batches"] for s in b["statements"]] == [decision_a.id]
    # Org A cannot mark org B's decisions either.
    response = client.post(
        "/v1/statements/exported",
        json={"decision_ids": [decision_b.id]},
        headers=org_a.headers(Role.ADMIN),
    )
    assert response.json() == {"marked": 0}
    assert set(statements_of(service, org_b)) == {decision_b.id}


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ANALYST, Role.FLAGGER])
def test_roles_without_export_permission_get_403(service, org_a, client, role, tmp_path):
    headers = org_a.headers(role)
    assert client.get("/v1/statements", headers=headers).status_code == 403
    mark = client.post("/v1/statements/exported", json={"decision_ids": ["ab"]}, headers=headers)
    assert mark.status_code == 403
    with pytest.raises(Forbidden):
        export_statements(service, machine(service, org_a, role), tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()


def test_dates_at_the_ends_of_the_calendar_are_no_error(client, org_a):
    # In UTC these lie past 9999-12-31 or before 0001-01-01.
    for since in ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]:
        response = client.get(
            "/v1/statements", params={"since": since}, headers=org_a.headers(Role.ADMIN)
        )
        assert response.status_code == 200 and response.json()["total"] == 0


def test_unauthenticated_requests_get_401(client):
    assert client.get("/v1/statements").status_code == 401
    bad_key = {"Authorization": "Bearer idk_not_a_key"}
    assert client.get("/v1/statements", headers=bad_key).status_code == 401
    assert client.post("/v1/statements/exported", json={"decision_ids": ["ab"]}).status_code == 401


# ------------------------------------------------------------------------------ validator

VALID = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
    "illegal_content_legal_ground": LAW,
    "illegal_content_explanation": "Offers fentanyl for sale.",
    "content_type": ["CONTENT_TYPE_TEXT"],
    "category": "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "category_specification": ["KEYWORD_PROHIBITED_PRODUCTS"],
    "content_date": "2025-01-31",
    "application_date": "2025-02-01",
    "decision_facts": "Offers fentanyl for sale.",
    "source_type": "SOURCE_TRUSTED_FLAGGER",
    "source_identity": "Drug Watch EU",
    "automated_detection": "Yes",
    "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
    "puid": "0123abcd-ef_99",
}


def broken(**changes) -> dict:
    statement = copy.deepcopy(VALID)
    for name, value in changes.items():
        if value is None:
            statement.pop(name)
        else:
            statement[name] = value
    return statement


def test_the_reference_statement_is_valid():
    assert validate(VALID) == []


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        (
            broken(illegal_content_legal_ground=None),
            "illegal_content_legal_ground: required when decision_ground is "
            "DECISION_GROUND_ILLEGAL_CONTENT",
        ),
        (
            broken(illegal_content_explanation="  "),
            "illegal_content_explanation: required when decision_ground is "
            "DECISION_GROUND_ILLEGAL_CONTENT",
        ),
        (
            broken(decision_ground="DECISION_GROUND_INCOMPATIBLE_CONTENT"),
            "incompatible_content_ground: required when decision_ground is "
            "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        ),
        (
            broken(incompatible_content_illegal="Yes"),
            "incompatible_content_illegal: only allowed when decision_ground is "
            "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        ),
        (
            broken(category="STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS"),  # the v1 name
            "category: 'STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS' is not one of the 16 "
            "values the v2 schema allows (docs/statements.md)",
        ),
        (
            broken(automated_decision="No"),
            "automated_decision: 'No' is not one of AUTOMATED_DECISION_FULLY, "
            "AUTOMATED_DECISION_NOT_AUTOMATED, AUTOMATED_DECISION_PARTIALLY",
        ),
        (
            broken(automated_detection=True),
            "automated_detection: True is not one of No, Yes",
        ),
        (
            broken(content_type="CONTENT_TYPE_TEXT"),
            "content_type: must be a list, not str",
        ),
        (
            broken(decision_visibility=["DECISION_VISIBILITY_CONTENT_HIDDEN"]),
            "decision_visibility: 'DECISION_VISIBILITY_CONTENT_HIDDEN' is not one of "
            "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED, DECISION_VISIBILITY_CONTENT_DEMOTED, "
            "DECISION_VISIBILITY_CONTENT_DISABLED, "
            "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED, "
            "DECISION_VISIBILITY_CONTENT_LABELLED, DECISION_VISIBILITY_CONTENT_REMOVED, "
            "DECISION_VISIBILITY_OTHER",
        ),
        (
            broken(puid="decision 1/2"),
            "puid: 'decision 1/2' may hold only letters, digits, '-' and '_'",
        ),
        (broken(puid="x" * 501), "puid: 501 characters, at most 500 allowed"),
        (broken(puid=None), "puid: required"),
        (
            broken(source_type="SOURCE_VOLUNTARY"),
            "source_identity: must be left out when source_type is SOURCE_VOLUNTARY "
            "(no one reported the content)",
        ),
        (
            broken(decision_visibility=None),
            "restriction: at least one of decision_visibility, decision_monetary, "
            "decision_provision or decision_account is required",
        ),
        (
            broken(content_type=["CONTENT_TYPE_OTHER"]),
            "content_type_other: required when content_type is CONTENT_TYPE_OTHER",
        ),
        (
            broken(content_type_other="a listing"),
            "content_type_other: only allowed when content_type is CONTENT_TYPE_OTHER",
        ),
        (
            broken(decision_visibility=["DECISION_VISIBILITY_OTHER"]),
            "decision_visibility_other: required when decision_visibility is "
            "DECISION_VISIBILITY_OTHER",
        ),
        (
            broken(content_date="2025-02-30"),
            "content_date: '2025-02-30' is not a date written YYYY-MM-DD",
        ),
        (
            broken(application_date="01/02/2025"),
            "application_date: '01/02/2025' is not a date written YYYY-MM-DD",
        ),
        (
            broken(application_date="2019-12-31"),
            "application_date: 2019-12-31 is before 2020-01-01",
        ),
        (
            broken(end_date_visibility_restriction="2025-01-01"),
            "end_date_visibility_restriction: 2025-01-01 is before the application_date",
        ),
        (
            broken(decision_facts="x" * 5001),
            "decision_facts: 5001 characters, at most 5000 allowed",
        ),
        (broken(decision_facts=None), "decision_facts: required"),
        (
            broken(content_language="en"),
            "content_language: 'en' is not one of the 183 values the v2 schema allows "
            "(docs/statements.md)",
        ),
        (broken(territorial_scope=["DE", "DE"]), "territorial_scope: lists a value twice"),
        (
            broken(decision_taken="REMOVED"),
            "decision_taken: not a field of the Transparency Database v2 schema",
        ),
        (broken(content_id={"EAN-13": "123"}), 'content_id: must be {"EAN-13": "<13 digits>"}'),
    ],
)
def test_validator_names_each_problem(statement, problem):
    assert problem in validate(statement)


def test_validator_reports_every_problem_at_once():
    problems = validate(broken(puid="a b", category="X", decision_facts=None))
    assert len(problems) == 3


def test_provenance_is_checked_against_the_notice_and_cluster():
    notice = Notice(id="n1", kind="trusted_flagger")
    says_voluntary = Decision(source_type="voluntary", automated_decision="not")
    assert provenance_problems(says_voluntary, notice) == [
        "source_type: the decision says 'voluntary', but the notice it answers (n1) is a "
        "trusted_flagger, which makes it 'trusted_flagger'"
    ]
    says_order = Decision(source_type="order", automated_decision="not")
    assert provenance_problems(says_order, None) == [
        "source_type: the decision says 'order' but answers no notice"
    ]
    from_cluster = Decision(source_type="voluntary", automated_decision="not", cluster_of="i1")
    assert provenance_problems(from_cluster, None) == [
        "automated_decision: the decision was applied from another item's decision (i1), so "
        "it cannot be 'not automated'"
    ]
    assert (
        provenance_problems(
            Decision(
                source_type="trusted_flagger", automated_decision="partially", cluster_of="i1"
            ),
            notice,
        )
        == []
    )
