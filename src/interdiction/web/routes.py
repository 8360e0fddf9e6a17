"""Web pages. People log in with a password and get a session cookie (HttpOnly, SameSite=Lax,
Secure behind HTTPS); every form that changes something carries a CSRF token bound to the
session. Pages call the same review service as the API, which checks every access."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from interdiction.auth.credentials import Credentials
from interdiction.auth.policy import Forbidden, NotFound, Permission, Principal
from interdiction.review.schemas import DecisionIn
from interdiction.review.service import Conflict, Invalid, ItemFilter, ReviewService
from interdiction.store.models import Item, utcnow
from interdiction.web import charts, present

HERE = Path(__file__).parent
STATIC = HERE / "static"
COOKIE = "interdiction_session"
FLASH_COOKIE = "interdiction_flash"
PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100
DASHBOARD_PERIODS = (7, 30, 90, 365)
DEFAULT_POLICY_GROUND = DecisionIn.model_fields["policy_ground"].default
_OBJECT_ID = re.compile(r"^[0-9a-f]{1,32}$")
# Pages load only this site's own files: injected markup could neither run script nor send a
# form elsewhere, even if escaping ever failed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["P"] = Permission
templates.env.globals["ACTIONS"] = present.ACTIONS
templates.env.globals["ACTION_LABEL"] = present.ACTION_LABEL
templates.env.filters["when"] = present.when
templates.env.filters["controls"] = present.controls
templates.env.filters["safe_href"] = present.safe_href
templates.env.filters["substance_names"] = present.substance_names


class LoginRequired(HTTPException):
    """Raised by pages when nobody is logged in: answered with a redirect to the login page."""

    def __init__(self, next_url: str):
        super().__init__(
            303, "log in first", headers={"Location": f"/login?next={quote(next_url)}"}
        )


def service(request: Request) -> ReviewService:
    return request.app.state.service


def web_principal(request: Request) -> Principal:
    token = request.cookies.get(COOKIE)
    principal = service(request).authenticate_session(token) if token else None
    if principal is None:
        # After logging in, come back to the page asked for; a form post cannot be replayed.
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(here if request.method == "GET" else "/")
    return principal


def check_csrf(request: Request, csrf: str) -> None:
    token = request.cookies.get(COOKIE, "")
    if not token or csrf != Credentials.csrf_token(token):
        raise HTTPException(403, "the form is out of date or came from another site; reload")


def render(request: Request, template: str, principal: Principal | None, **context) -> HTMLResponse:
    token = request.cookies.get(COOKIE, "")
    flash = _read_flash(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "me": principal,
            "csrf": Credentials.csrf_token(token) if token else "",
            "flash": flash,
            **context,
        },
        headers=SECURITY_HEADERS,
    )
    if flash:
        response.delete_cookie(FLASH_COOKIE)
    return response


def redirect_with_flash(request: Request, url: str, message: str, kind: str = "ok") -> Response:
    """Go to ``url`` and show ``message`` there once (a short-lived cookie, read by render)."""
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLASH_COOKIE,
        quote(f"{kind}:{message}"),
        max_age=60,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )
    return response


def _read_flash(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    kind, _, message = unquote(raw).partition(":")
    return {"kind": "error" if kind == "error" else "ok", "message": message[:500]}


def _error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    token = request.cookies.get(COOKIE)
    principal = service(request).authenticate_session(token) if token else None
    response = render(request, "error.html", principal, title=title, message=message)
    response.status_code = status
    return response


def _validation_message(errors: list[Any]) -> str:
    parts = []
    for error in errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


async def _refuse_nul(request: Request) -> None:
    """No page takes a NUL character: PostgreSQL cannot store one in text (SQLite would), so it
    is refused alike on both, with a message instead of a database error."""
    values = list(request.query_params.values())
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        # Starlette keeps the parsed form: the handler reads the same one.
        values += [v for v in (await request.form()).values() if isinstance(v, str)]
    if any("\x00" in value for value in values):
        raise Invalid("the input contains a NUL character; remove it and try again")


class PageRoute(APIRoute):
    """Pages answer with pages: a refusal from the service becomes a readable 403/404/409 page
    instead of JSON, and a visitor who is not logged in is sent to the login page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                await _refuse_nul(request)
                return await handler(request)
            except LoginRequired as exc:
                return RedirectResponse(exc.headers["Location"], status_code=303)
            except NotFound as exc:
                failure = (404, "Not found", str(exc))
            except Forbidden as exc:
                failure = (403, "Not allowed", f"Your role does not allow this: {exc}.")
            except Conflict as exc:
                failure = (409, "Conflict", str(exc))
            except Invalid as exc:
                failure = (422, "Cannot do that", str(exc))
            except RequestValidationError as exc:
                failure = (422, "Check the input", _validation_message(exc.errors()))
            except HTTPException as exc:
                failure = (exc.status_code, "Cannot do that", str(exc.detail))
            return await run_in_threadpool(_error_page, request, *failure)

        return page_handler


router = APIRouter(include_in_schema=False, route_class=PageRoute)
Person = Annotated[Principal, Depends(web_principal)]
Csrf = Annotated[str, Form(max_length=200)]
Position = Annotated[int | None, Query(ge=0, le=100_000)]


def _safe_next(next_url: str | None) -> str:
    # Only local paths: never send a person who just logged in to another site.
    # "/\\host" is read by browsers as "//host", another site, so backslashes are refused too.
    if (
        next_url
        and next_url.startswith("/")
        and not next_url.startswith("//")
        and ("\\" not in next_url)
    ):
        return next_url
    return "/"


def _object_id(value: str, kind: str) -> str:
    if not _OBJECT_ID.match(value):
        raise NotFound(f"no {kind} {value[:40]}")
    return value


@router.get("/", response_class=HTMLResponse)
def home(me: Person) -> RedirectResponse:
    # Each role lands where its work is.
    for permission, page in (
        (Permission.REVIEW, "/queue"),
        (Permission.READ_ITEMS, "/search"),
        (Permission.READ_OWN_NOTICES, "/notices"),
    ):
        if me.can(permission):
            return RedirectResponse(page, status_code=303)
    return RedirectResponse("/dashboard", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/",
):
    client = request.client.host if request.client else None
    token = service(request).login(username, password, client)
    if token is None:
        response = render(
            request, "login.html", None, next=_safe_next(next), error="Wrong username or password."
        )
        response.status_code = 401
        return response
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        max_age=int(request.app.state.settings.session_hours * 3600),
    )
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    check_csrf(request, csrf)
    token = request.cookies.get(COOKIE)
    if token:
        service(request).logout(token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


# ---------------------------------------------------------------- queue and items
def _claim_active(item: Item, now: datetime) -> bool:
    return bool(item.claimed_by and item.claimed_until and item.claimed_until > now)


def _holder(item: Item, me: Principal, names: dict[str, str], now: datetime) -> str | None:
    """Who holds a live claim on the item: "you", a colleague's name, or None."""
    if not _claim_active(item, now):
        return None
    return "you" if item.claimed_by == me.user_id else names.get(item.claimed_by, "a colleague")


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request, me: Person, page: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> HTMLResponse:
    svc = service(request)
    offset = (page - 1) * PAGE_SIZE
    # One more than a page tells whether there is a next page.
    items = svc.queue(me, limit=PAGE_SIZE + 1, offset=offset)
    has_next, items = len(items) > PAGE_SIZE, items[:PAGE_SIZE]
    now = utcnow()
    names = svc.usernames(me, [i.claimed_by for i in items if _claim_active(i, now)])
    rows = [
        {
            "item": item,
            "position": offset + index,
            "why": present.QUEUE_REASON.get(item.priority, "flagged"),
            "substances": present.substance_names(
                item.assessments[-1].substances if item.assessments else []
            ),
            "sla": present.time_left(item.due_at, now),
            "holder": _holder(item, me, names, now),
        }
        for index, item in enumerate(items)
    ]
    pending = svc.search_items(me, ItemFilter(status="pending", limit=1))[1]
    return render(
        request, "queue.html", me, rows=rows, page=page, has_next=has_next, pending=pending
    )


def _neighbours(
    svc: ReviewService, me: Principal, item_id: str, position: int | None
) -> tuple[str | None, str | None]:
    """Links to the previous and next queue items around ``position`` (j/k on the item
    page); without a position, "next" is the top of the queue."""
    if not me.can(Permission.REVIEW):
        return None, None
    if position is not None:
        start = max(0, position - 1)
        ids = [item.id for item in svc.queue(me, limit=3, offset=start)]
        if item_id in ids:
            index = ids.index(item_id)
            before = f"/items/{ids[index - 1]}?pos={start + index - 1}" if index > 0 else None
            after = (
                f"/items/{ids[index + 1]}?pos={start + index + 1}" if index + 1 < len(ids) else None
            )
            return before, after
    return None, _next_in_queue(svc, me, skip=item_id)


def _next_in_queue(svc: ReviewService, me: Principal, skip: str) -> str | None:
    """The first queue item this reviewer can take (not held by a colleague)."""
    now = utcnow()
    for position, item in enumerate(svc.queue(me, limit=25)):
        if item.id != skip and (not _claim_active(item, now) or item.claimed_by == me.user_id):
            return f"/items/{item.id}?pos={position}"
    return None


def _item_page(
    request: Request,
    me: Principal,
    item_id: str,
    position: int | None,
    form: dict[str, Any] | None = None,
    errors: str | None = None,
) -> HTMLResponse:
    svc = service(request)
    view = svc.item_view(me, _object_id(item_id, "item"))
    item, assessment = view.item, view.assessment
    now = utcnow()
    names = svc.usernames(me, [item.claimed_by] if _claim_active(item, now) else [])
    holder = _holder(item, me, names, now)
    previous, following = _neighbours(svc, me, item.id, position)
    response = render(
        request,
        "item.html",
        me,
        view=view,
        item=item,
        assessment=assessment,
        segments=present.highlight(item.text, assessment.detections if assessment else []),
        why=present.QUEUE_REASON.get(item.priority) if item.status == "pending" else None,
        sla=present.time_left(item.due_at, now) if item.status == "pending" else None,
        holder=holder,
        can_review=me.can(Permission.REVIEW),
        decidable=me.can(Permission.REVIEW)
        and item.status == "pending"
        and holder in (None, "you"),
        position=position,
        previous=previous,
        following=following,
        form=form
        or {
            "action": "",
            "policy_ground": DEFAULT_POLICY_GROUND,
            "legal_ground": "",
            "explanation": "",
            "apply_to_cluster": False,
        },
        errors=errors,
    )
    if errors:
        response.status_code = 422
    return response


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, me: Person, item_id: str, pos: Position = None) -> HTMLResponse:
    return _item_page(request, me, item_id, pos)


def _back_to_item(item_id: str, position: int | None) -> str:
    return f"/items/{item_id}" + (f"?pos={position}" if position is not None else "")


@router.post("/items/{item_id}/claim")
def claim(
    request: Request, me: Person, item_id: str, csrf: Csrf = "", pos: Position = None
) -> Response:
    check_csrf(request, csrf)
    back = _back_to_item(_object_id(item_id, "item"), pos)
    try:
        item = service(request).claim(me, item_id)
    except Conflict as exc:
        return redirect_with_flash(request, back, str(exc), "error")
    return redirect_with_flash(
        request, back, f"You hold this item until {present.when(item.claimed_until)}."
    )


@router.post("/items/{item_id}/release")
def release(
    request: Request, me: Person, item_id: str, csrf: Csrf = "", pos: Position = None
) -> Response:
    check_csrf(request, csrf)
    service(request).release(me, _object_id(item_id, "item"))
    return redirect_with_flash(request, _back_to_item(item_id, pos), "Released for others.")


@router.post("/items/{item_id}/decide")
def decide(
    request: Request,
    me: Person,
    item_id: str,
    csrf: Csrf = "",
    action: Annotated[str, Form(max_length=40)] = "",
    policy_ground: Annotated[str, Form(max_length=2000)] = DEFAULT_POLICY_GROUND,
    legal_ground: Annotated[str, Form(max_length=2000)] = "",
    explanation: Annotated[str, Form(max_length=20_000)] = "",
    apply_to_cluster: Annotated[str, Form(max_length=10)] = "",
    pos: Position = None,
) -> Response:
    check_csrf(request, csrf)
    _object_id(item_id, "item")
    form = {
        "action": action,
        "policy_ground": policy_ground,
        "legal_ground": legal_ground,
        "explanation": explanation,
        "apply_to_cluster": bool(apply_to_cluster),
    }
    if not action:
        return _item_page(request, me, item_id, pos, form, "Choose an action.")
    try:
        decision = DecisionIn(
            action=action,
            policy_ground=policy_ground,
            legal_ground=legal_ground.strip() or None,
            explanation=explanation,
            apply_to_cluster=bool(apply_to_cluster),
        )
    except ValidationError as exc:
        return _item_page(request, me, item_id, pos, form, _validation_message(exc.errors()))
    svc = service(request)
    try:
        decisions = svc.decide(me, item_id, decision)
    except Conflict as exc:
        return redirect_with_flash(request, _back_to_item(item_id, pos), str(exc), "error")
    others = len(decisions) - 1
    message = f"Decided: {present.ACTION_LABEL[str(decision.action)]}" + (
        f", also on {others} near-identical listing{'s' if others != 1 else ''}." if others else "."
    )
    following = _next_in_queue(svc, me, skip=item_id)
    if following is None:
        return redirect_with_flash(request, "/queue", message + " The queue is empty.")
    return redirect_with_flash(request, following, message)


# ---------------------------------------------------------------- search
def _parse_filters(params: dict[str, str]) -> tuple[ItemFilter, list[str]]:
    errors = []
    query = ItemFilter(
        text=params.get("q") or None,
        label=params.get("label") or None,
        status=params.get("status") or None,
        substance=params.get("substance") or None,
        identifier=params.get("identifier") or None,
        source=params.get("source") or None,
    )
    if query.label not in (None, "offer", "mention", "none"):
        errors.append("label: choose offer, mention or none")
    if query.status not in (None, "clear", "pending", "decided"):
        errors.append("status: choose clear, pending or decided")
    if params.get("min_risk"):
        try:
            query.min_risk = float(params["min_risk"])
            if not 0 <= query.min_risk <= 1:
                raise ValueError
        except ValueError:
            errors.append("minimum risk: a number from 0 to 1")
    for name, label in (("since", "from"), ("until", "to")):
        if params.get(name):
            try:
                day = date.fromisoformat(params[name])
            except ValueError:
                errors.append(f"{label}: a date like 2025-01-31")
                continue
            start = datetime.combine(day, time(), tzinfo=UTC)
            if name == "since":
                query.since = start
            elif day < date.max:  # "to" includes the whole day; the last day of all ends nothing
                query.until = start + timedelta(days=1)
    return query, errors


Filter = Annotated[str, Query(max_length=200)]


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    me: Person,
    q: Filter = "",
    label: Filter = "",
    status: Filter = "",
    substance: Filter = "",
    identifier: Annotated[str, Query(max_length=500)] = "",
    source: Filter = "",
    min_risk: Filter = "",
    since: Filter = "",
    until: Filter = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    params = {
        "q": q.strip(),
        "label": label,
        "status": status,
        "substance": substance.strip(),
        "identifier": identifier.strip(),
        "source": source.strip(),
        "min_risk": min_risk.strip(),
        "since": since,
        "until": until,
    }
    query, errors = _parse_filters(params)
    items, total = [], 0
    if not errors:
        query.limit, query.offset = PAGE_SIZE, (page - 1) * PAGE_SIZE
        items, total = service(request).search_items(me, query)
    kept = {k: v for k, v in params.items() if v}
    return render(
        request,
        "search.html",
        me,
        params=params,
        errors=errors,
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        page_url=lambda n: "/search?" + urlencode({**kept, "page": n}),
    )


# ---------------------------------------------------------------- dashboard
@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, me: Person, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> HTMLResponse:
    svc = service(request)
    stats = svc.stats(me, days)
    # One day more than the period: its first day is partly inside it.
    axis = charts.day_range(days + 1, utcnow().date())
    substance_names = {sid: svc.substance_name(sid) for sid, _ in stats.by_substance}
    flagged_rows = [
        row
        for day, total, flagged in stats.items_by_day
        for row in ((day, "flagged", flagged), (day, "not flagged", total - flagged))
    ]
    figures = [
        charts.stacked_by_day("Items per day, flagged or not", axis, flagged_rows),
        charts.stacked_by_day("Items per day by label", axis, stats.items_by_day_label),
        charts.stacked_by_day(
            "Items per day by substance named",
            axis,
            stats.items_by_day_substance,
            substance_names,
        ),
        charts.stacked_by_day("Items per day by source", axis, stats.items_by_day_source),
        charts.stacked_by_day(
            "Decisions per day by action", axis, stats.decisions_by_day, present.ACTION_LABEL
        ),
    ]
    totals = [
        charts.totals_bars(
            "Items by substance",
            [(substance_names[sid], n) for sid, n in stats.by_substance],
        ),
        charts.totals_bars(
            "Decisions by action",
            [(present.ACTION_LABEL.get(a, a), n) for a, n in sorted(stats.by_action.items())],
        ),
        charts.totals_bars(
            "Items by source", sorted(stats.by_source.items(), key=lambda kv: -kv[1])[:15]
        ),
    ]
    return render(
        request,
        "dashboard.html",
        me,
        stats=stats,
        days=days,
        periods=DASHBOARD_PERIODS,
        figures=figures,
        totals=totals,
        items_total=sum(total for _, total, _ in stats.items_by_day),
        flagged_total=sum(flagged for _, _, flagged in stats.items_by_day),
        decisions_total=sum(stats.by_action.values()),
    )


# ---------------------------------------------------------------- audit and notices
@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    me: Person,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    verify: bool = False,
) -> HTMLResponse:
    svc = service(request)
    events = svc.audit_events(me, AUDIT_PAGE_SIZE, before)  # checks READ_AUDIT first
    return render(
        request,
        "audit.html",
        me,
        events=events,
        # Recomputing the chain reads every event: on request, not on every page view.
        verification=svc.verify_audit(me) if verify else None,
        older=events[-1].seq if len(events) == AUDIT_PAGE_SIZE else None,
        before=before,
    )


@router.get("/notices", response_class=HTMLResponse)
def notices_page(
    request: Request, me: Person, page: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> HTMLResponse:
    notices = service(request).list_notices(me, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return render(
        request,
        "notices.html",
        me,
        notices=notices[:PAGE_SIZE],
        page=page,
        has_next=len(notices) > PAGE_SIZE,
    )
