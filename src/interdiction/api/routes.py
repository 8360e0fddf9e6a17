"""The HTTP API, versioned under /v1. Machines authenticate with an API key
(``Authorization: Bearer idk_...``); every handler passes the principal to the review service,
which checks it."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from interdiction.api.schemas import (
    ApiKeyList,
    ApiKeyOut,
    AuditEventOut,
    AuditList,
    AuditVerifyOut,
    DecisionList,
    DecisionOut,
    DetectionOut,
    EntityOut,
    Health,
    InvalidStatementOut,
    ItemDetail,
    ItemList,
    ItemOut,
    LinkedOut,
    MarkedOut,
    Me,
    NewApiKeyOut,
    NoticeList,
    NoticeOut,
    StatementBatch,
    StatementExportOut,
    StatsOut,
    SubmittedList,
    SubmittedOut,
    UserList,
    UserOut,
)
from interdiction.auth.policy import Principal
from interdiction.review import learning
from interdiction.review.schemas import (
    ApiKeyIn,
    DecisionIn,
    ItemBatchIn,
    ItemIn,
    NoticeIn,
    UserIn,
    UtcDatetime,
)
from interdiction.review.service import ItemFilter, ReviewService
from interdiction.review.sor import MarkExportedIn, export_page

router = APIRouter(prefix="/v1")
bearer = HTTPBearer(auto_error=False, description="API key: Authorization: Bearer idk_...")
ObjectId = Annotated[str, Path(min_length=1, max_length=32, pattern="^[0-9a-f]+$")]
Limit = Annotated[int, Query(ge=1, le=500)]
# Free text in a query: PostgreSQL cannot compare text holding a NUL character.
NO_NUL = r"^[^\x00]*$"
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
UNAUTHORISED = {"WWW-Authenticate": "Bearer"}


async def service(request: Request) -> ReviewService:
    # async: a plain function would be run in the thread pool, a hop on every request
    return request.app.state.service


def api_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401, "an API key is needed: Authorization: Bearer idk_...", headers=UNAUTHORISED
        )
    principal = request.app.state.service.authenticate_key(credentials.credentials)
    if principal is None:
        raise HTTPException(401, "unknown or revoked API key", headers=UNAUTHORISED)
    return principal


Caller = Annotated[Principal, Depends(api_principal)]
Service = Annotated[ReviewService, Depends(service)]


@router.get("/health", response_model=Health, tags=["service"])
def health(svc: Service) -> Health:
    ok = svc.db.ping()
    return Health(status="ok" if ok else "degraded", database=ok)


@router.get("/metrics", tags=["service"], response_class=Response)
def metrics(request: Request, svc: Service, caller: Caller) -> Response:
    stats = svc.stats(caller, days=1)
    counters = request.app.state.counters
    lines = [
        "# TYPE interdiction_http_requests_total counter",
        *(
            f'interdiction_http_requests_total{{status="{status}"}} {n}'
            for status, n in sorted(counters["requests"].items())
        ),
        "# TYPE interdiction_items_screened_total counter",
        f"interdiction_items_screened_total {counters['screened']}",
        "# TYPE interdiction_queue_pending gauge",
        f"interdiction_queue_pending {stats.queue}",
        "# TYPE interdiction_queue_overdue gauge",
        f"interdiction_queue_overdue {stats.overdue}",
        "# TYPE interdiction_uptime_seconds gauge",
        f"interdiction_uptime_seconds {time.monotonic() - counters['started']:.0f}",
    ]
    return Response("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


@router.get("/me", response_model=Me, tags=["service"])
def me(caller: Caller) -> Me:
    return Me(
        user_id=caller.user_id,
        username=caller.username,
        org_id=caller.org_id,
        role=str(caller.role),
        via=caller.via,
    )


# ---------------------------------------------------------------- items
@router.post("/items", response_model=SubmittedList, tags=["items"])
async def submit_items(
    request: Request, svc: Service, caller: Caller, body: ItemIn | ItemBatchIn
) -> SubmittedList:
    """Screen and store one item or a batch of up to 1,000. Idempotent: an item with the same
    (source, external_id), or without external_id the same text from the same source, is
    returned as stored (``created: false``), so a client may retry a batch safely. The
    response is sent only after the items are committed."""
    items = body.items if isinstance(body, ItemBatchIn) else [body]
    results = await run_in_threadpool(svc.submit_items, caller, items)
    request.app.state.counters["screened"] += sum(r.created for r in results)
    out = []
    for r in results:
        latest = r.assessment
        out.append(
            SubmittedOut(
                **ItemOut.of(r.item).model_dump(),
                created=r.created,
                reasons=latest.reasons if latest else [],
                substances=latest.substances if latest else [],
            )
        )
    return SubmittedList(items=out)


@router.get("/items", response_model=ItemList, tags=["items"])
def search_items(
    svc: Service,
    caller: Caller,
    label: Annotated[str | None, Query(pattern="^(offer|mention|none)$")] = None,
    flagged: bool | None = None,
    status: Annotated[str | None, Query(pattern="^(clear|pending|decided)$")] = None,
    min_risk: Annotated[float | None, Query(ge=0, le=1)] = None,
    substance: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    identifier: Annotated[str | None, Query(max_length=500, pattern=NO_NUL)] = None,
    source: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=NO_NUL, description="text contains")
    ] = None,
    since: UtcDatetime | None = None,
    until: UtcDatetime | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ItemList:
    items, total = svc.search_items(
        caller,
        ItemFilter(
            label=label,
            flagged=flagged,
            status=status,
            min_risk=min_risk,
            substance=substance,
            identifier=identifier,
            source=source,
            text=q,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
        ),
    )
    return ItemList(items=[ItemOut.of(i) for i in items], total=total)


@router.get("/items/{item_id}", response_model=ItemDetail, tags=["items"])
def get_item(svc: Service, caller: Caller, item_id: ObjectId) -> ItemDetail:
    view = svc.item_view(caller, item_id)
    a = view.assessment
    return ItemDetail(
        **ItemOut.of(view.item).model_dump(),
        text=view.item.text,
        language=view.item.language,
        content_type=view.item.content_type,
        model=a.model if a else None,
        reasons=a.reasons if a else [],
        substances=a.substances if a else [],
        detections=[
            DetectionOut(
                detector=d.detector,
                kind=d.kind,
                start=d.start,
                end=d.end,
                text=d.text,
                value=d.value,
                weight=d.weight,
            )
            for d in (a.detections if a else [])
        ],
        entities=[EntityOut(type=e.type, value=e.value) for e in view.entities],
        linked=[LinkedOut(item=ItemOut.of(i), shared=s) for i, s in view.linked],
        decisions=[DecisionOut.of(d) for d in view.decisions],
        notices=[NoticeOut.of(n) for n in view.notices],
        cluster_pending=view.cluster_size,
        claimed_by=view.item.claimed_by,
        claimed_until=view.item.claimed_until,
    )


@router.post("/items/{item_id}/decisions", response_model=DecisionList, tags=["review"])
def decide(svc: Service, caller: Caller, item_id: ObjectId, body: DecisionIn) -> DecisionList:
    """Decide an item (claiming it if no one holds it); ``apply_to_cluster`` decides every
    pending near-identical listing the same way (recorded as partially automated)."""
    return DecisionList(decisions=[DecisionOut.of(d) for d in svc.decide(caller, item_id, body)])


# ---------------------------------------------------------------- queue
@router.get("/queue", response_model=ItemList, tags=["review"])
def queue(svc: Service, caller: Caller, limit: Limit = 50, offset: Offset = 0) -> ItemList:
    """Pending items: authority orders, then trusted-flagger notices, then notices, then what
    the screener flagged; by risk within each."""
    items = svc.queue(caller, limit=limit, offset=offset)
    return ItemList(items=[ItemOut.of(i) for i in items], total=len(items))


@router.post("/queue/sample", response_model=ItemList, tags=["review"])
def sample_uncertain(
    svc: Service, caller: Caller, count: Annotated[int, Query(ge=1, le=500)] = 20
) -> ItemList:
    """Active learning: queue the unflagged items the screener was least sure about, so that
    reviewers' decisions on them train the next model (``interdiction model train
    --from-decisions``)."""
    items = learning.sample_uncertain(svc, caller, count)
    return ItemList(items=[ItemOut.of(i) for i in items], total=len(items))


@router.post("/queue/{item_id}/claim", response_model=ItemOut, tags=["review"])
def claim(svc: Service, caller: Caller, item_id: ObjectId) -> ItemOut:
    return ItemOut.of(svc.claim(caller, item_id))


@router.post("/queue/{item_id}/release", response_model=ItemOut, tags=["review"])
def release(svc: Service, caller: Caller, item_id: ObjectId) -> ItemOut:
    return ItemOut.of(svc.release(caller, item_id))


@router.get("/decisions", response_model=DecisionList, tags=["review"])
def list_decisions(
    svc: Service, caller: Caller, limit: Limit = 100, offset: Offset = 0
) -> DecisionList:
    return DecisionList(
        decisions=[DecisionOut.of(d) for d in svc.list_decisions(caller, limit, offset)]
    )


@router.get("/decisions/{decision_id}", response_model=DecisionOut, tags=["review"])
def get_decision(svc: Service, caller: Caller, decision_id: ObjectId) -> DecisionOut:
    return DecisionOut.of(svc.get_decision(caller, decision_id))


# ---------------------------------------------------------------- notices
@router.post("/notices", response_model=NoticeOut, status_code=201, tags=["notices"])
def submit_notice(svc: Service, caller: Caller, body: NoticeIn) -> NoticeOut:
    """A notice (DSA Art. 16), a trusted flagger's notice (Art. 22) or an authority's order: the
    exact location, the explanation, the submitter and the good-faith statement. Acknowledged
    with the notice id; the item goes to the front of the review queue."""
    return NoticeOut.of(svc.submit_notice(caller, body))


@router.get("/notices", response_model=NoticeList, tags=["notices"])
def list_notices(
    svc: Service, caller: Caller, limit: Limit = 100, offset: Offset = 0
) -> NoticeList:
    return NoticeList(notices=[NoticeOut.of(n) for n in svc.list_notices(caller, limit, offset)])


@router.get("/notices/{notice_id}", response_model=NoticeOut, tags=["notices"])
def get_notice(svc: Service, caller: Caller, notice_id: ObjectId) -> NoticeOut:
    return NoticeOut.of(svc.get_notice(caller, notice_id))


# ---------------------------------------------------------------- statements of reasons
@router.get("/statements", response_model=StatementExportOut, tags=["statements"])
def export_statements(
    svc: Service,
    caller: Caller,
    since: UtcDatetime | None = None,
    until: UtcDatetime | None = None,
    include_exported: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
    offset: Offset = 0,
) -> StatementExportOut:
    """Statements of reasons (DSA Art. 17) for the restricting decisions made in [since, until)
    and not yet marked exported (all with ``include_exported``), oldest first: ``limit``
    decisions from ``offset``, checked against the Transparency Database v2 schema and grouped
    into batches of at most 100, each a body for its multiple endpoint. Decisions whose
    statement fails a check are listed under ``invalid`` with every problem. Audited; marks
    nothing: once the database has accepted a batch, POST its puids to /v1/statements/exported.
    """
    page = export_page(
        svc,
        caller,
        since=since,
        until=until,
        include_exported=include_exported,
        limit=limit,
        offset=offset,
    )
    return StatementExportOut(
        batches=[StatementBatch(statements=b["statements"]) for b in page.batches],
        exported=page.exported,
        invalid=[InvalidStatementOut(decision_id=d, problems=p) for d, p in page.invalid.items()],
        total=page.total,
    )


@router.post("/statements/exported", response_model=MarkedOut, tags=["statements"])
def mark_statements_exported(svc: Service, caller: Caller, body: MarkExportedIn) -> MarkedOut:
    """Mark decisions as exported (their statement's puid is the decision id), so the next
    export leaves them out. Unknown, other organisations' and already marked ids are ignored."""
    return MarkedOut(marked=svc.mark_exported(caller, body.decision_ids))


# ---------------------------------------------------------------- audit and statistics
@router.get("/audit", response_model=AuditList, tags=["audit"])
def audit_events(
    svc: Service,
    caller: Caller,
    limit: Limit = 100,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,  # seq is a 32-bit int
) -> AuditList:
    return AuditList(events=[AuditEventOut.of(e) for e in svc.audit_events(caller, limit, before)])


@router.get("/audit/verify", response_model=AuditVerifyOut, tags=["audit"])
def audit_verify(svc: Service, caller: Caller) -> AuditVerifyOut:
    result = svc.verify_audit(caller)
    return AuditVerifyOut(
        ok=result.ok, events=result.events, head_hash=result.head_hash, problems=result.problems
    )


@router.get("/stats", response_model=StatsOut, tags=["audit"])
def stats(
    svc: Service, caller: Caller, days: Annotated[int, Query(ge=1, le=3650)] = 30
) -> StatsOut:
    return StatsOut.of(svc.stats(caller, days))


# ---------------------------------------------------------------- users and keys
@router.get("/users", response_model=UserList, tags=["admin"])
def list_users(svc: Service, caller: Caller) -> UserList:
    return UserList(users=[UserOut.of(u) for u in svc.list_users(caller)])


@router.post("/users", response_model=UserOut, status_code=201, tags=["admin"])
def create_user(svc: Service, caller: Caller, body: UserIn) -> UserOut:
    return UserOut.of(svc.create_user(caller, body))


@router.get("/users/{user_id}", response_model=UserOut, tags=["admin"])
def get_user(svc: Service, caller: Caller, user_id: ObjectId) -> UserOut:
    return UserOut.of(svc.get_user(caller, user_id))


@router.post("/users/{user_id}/deactivate", response_model=UserOut, tags=["admin"])
def deactivate_user(svc: Service, caller: Caller, user_id: ObjectId) -> UserOut:
    return UserOut.of(svc.set_user_active(caller, user_id, False))


@router.get("/keys", response_model=ApiKeyList, tags=["admin"])
def list_keys(svc: Service, caller: Caller) -> ApiKeyList:
    return ApiKeyList(keys=[ApiKeyOut.of(k) for k in svc.list_api_keys(caller)])


@router.post("/keys", response_model=NewApiKeyOut, status_code=201, tags=["admin"])
def create_key(svc: Service, caller: Caller, body: ApiKeyIn) -> NewApiKeyOut:
    """The key is in this response only; it is stored hashed."""
    key, secret = svc.create_api_key(caller, body)
    return NewApiKeyOut(**ApiKeyOut.of(key).model_dump(), key=secret)


@router.delete("/keys/{key_id}", response_model=ApiKeyOut, tags=["admin"])
def revoke_key(svc: Service, caller: Caller, key_id: ObjectId) -> ApiKeyOut:
    return ApiKeyOut.of(svc.revoke_api_key(caller, key_id))
