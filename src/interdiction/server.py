"""The web application: the /v1 API and the reviewers' web UI on one review service."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interdiction import __version__
from interdiction.api.routes import router as api_router
from interdiction.auth.policy import Forbidden, NotFound
from interdiction.review.service import Conflict, Invalid, ReviewService
from interdiction.settings import Settings
from interdiction.store.db import Database
from interdiction.web.routes import STATIC
from interdiction.web.routes import router as web_router

MAX_BODY_BYTES = 32 * 1024 * 1024


def create_app(settings: Settings | None = None, service: ReviewService | None = None) -> FastAPI:
    settings = settings or Settings.load()
    if service is None:
        service = ReviewService(settings, Database.open(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Build the screener before the first request (a no-op when the caller already did).
        await run_in_threadpool(lambda: service.screener)
        yield
        service.db.close()

    # Swagger UI at /docs from files shipped in a package: nothing is fetched from a CDN.
    app = FastAPIOffline(
        title="Interdiction",
        version=__version__,
        description="Screen, review and decide listings that offer controlled substances.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.settings = settings
    app.state.counters = {"requests": Counter(), "screened": 0, "started": time.monotonic()}
    app.include_router(api_router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _error_handlers(app)

    app.add_middleware(LimitsAndCounts, counts=app.state.counters["requests"])
    return app


class LimitsAndCounts:
    """Refuses a body over MAX_BODY_BYTES and counts answers by status. Plain ASGI: Starlette's
    ``@app.middleware("http")`` costs a task and a stream per request (measured: a quarter of
    the server's time on a health check)."""

    def __init__(self, app: ASGIApp, counts: Counter):
        self.app = app
        self.counts = counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            too_large = JSONResponse({"detail": "request body too large"}, status_code=413)
            await too_large(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.counts[message["status"]] += 1
            await send(message)

        await self.app(scope, receive, counting_send)


def _error_handlers(app: FastAPI) -> None:
    def handler(status: int):
        async def handle(_request: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)

        return handle

    app.add_exception_handler(NotFound, handler(404))
    app.add_exception_handler(Forbidden, handler(403))
    app.add_exception_handler(Conflict, handler(409))
    app.add_exception_handler(Invalid, handler(422))

    async def validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    app.add_exception_handler(RequestValidationError, validation)
