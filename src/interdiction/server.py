"""The web application: the /v1 API and the reviewers' web UI on one review service."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

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
        yield
        service.db.close()

    app = FastAPI(
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

    @app.middleware("http")
    async def limits_and_counts(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse({"detail": "request body too large"}, status_code=413)
        response = await call_next(request)
        app.state.counters["requests"][response.status_code] += 1
        return response

    return app


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
