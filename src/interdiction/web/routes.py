"""Web pages. People log in with a password and get a session cookie (HttpOnly, SameSite=Lax,
Secure behind HTTPS); every form that changes something carries a CSRF token bound to the
session. Pages call the same review service as the API, which checks every access."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from interdiction.auth.credentials import Credentials
from interdiction.auth.policy import Principal
from interdiction.review.service import ReviewService

HERE = Path(__file__).parent
STATIC = HERE / "static"
COOKIE = "interdiction_session"
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


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
        raise LoginRequired(request.url.path)
    return principal


def check_csrf(request: Request, csrf: str) -> None:
    token = request.cookies.get(COOKIE, "")
    if not token or csrf != Credentials.csrf_token(token):
        raise HTTPException(403, "the form is out of date or came from another site; reload")


def render(request: Request, template: str, principal: Principal | None, **context) -> HTMLResponse:
    token = request.cookies.get(COOKIE, "")
    return templates.TemplateResponse(
        request,
        template,
        {
            "me": principal,
            "csrf": Credentials.csrf_token(token) if token else "",
            **context,
        },
    )


Person = Annotated[Principal, Depends(web_principal)]


def _safe_next(next_url: str | None) -> str:
    # Only local paths: never send a person who just logged in to another site.
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        return next_url
    return "/queue"


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> RedirectResponse:
    return RedirectResponse("/queue", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/queue",
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
