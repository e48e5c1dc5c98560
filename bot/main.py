"""The bot web service: the home page with the chat widget, the widget gateway
(/chat/api), the internal API for the action server (/api), the staff console (/staff) and
the health check, with the middleware and error handlers they share."""

from __future__ import annotations

import html
import logging
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware

from bot.api.deps import get_db, require_service_token
from bot.api.schemas import Health, problems
from bot.chat.router import Limits as chat_limits
from bot.chat.router import router as chat_router
from bot.config import Settings, get_settings
from bot.console import labels
from bot.console.content_router import router as content_router
from bot.console.deps import NotAllowed, SignInRequired, login_redirect, render
from bot.console.insight_router import router as insight_router
from bot.console.router import router as console_router
from bot.database.core import make_engine, make_session_factory
from bot.directory.router import router as directory_router
from bot.faq import service as faq_service
from bot.faq.router import router as faq_router
from bot.hotline import service as hotline_service
from bot.hotline.office_hours import OfficeHours
from bot.hotline.router import router as hotline_router

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
CHAT_DIR = Path(__file__).resolve().parent / "chat"
CONSOLE_STATIC = Path(__file__).resolve().parent / "console" / "static"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


HSTS = "max-age=31536000; includeSubDomains"
# Responses that carry personal data or a conversation's token: never kept by a browser or
# a proxy cache (static files are not among them).
PRIVATE_PREFIXES = ("/staff", "/chat/api", "/api")
STATIC_PREFIXES = ("/staff/static",)


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app, *, production: bool) -> None:
        super().__init__(app)
        self.production = production

    async def dispatch(self, request: Request, call_next):
        response = await call_next(request)
        path = request.url.path
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not path.startswith("/api/docs"):  # Swagger UI needs its own scripts (not in production)
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if path.startswith(PRIVATE_PREFIXES) and not path.startswith(STATIC_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        if self.production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


class StaticFilesNoNul(StaticFiles):
    """Static files where a path holding NUL (`/widget/%00`) is simply not found: the
    standard class lets the operating system's error out as a 500."""

    def lookup_path(self, path: str):
        if "\x00" in path:
            return "", None
        return super().lookup_path(path)


class BodySizeLimit(BaseHTTPMiddleware):
    """Refuse oversized request bodies before they are read."""

    async def dispatch(self, request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None:
            if not (length.isascii() and length.isdigit()):
                return JSONResponse({"detail": "The Content-Length header is not a number."}, status_code=400)
            if int(length) > MAX_BODY_BYTES:
                return JSONResponse(
                    {"detail": f"The request body is larger than {MAX_BODY_BYTES // 1024} KB."},
                    status_code=413,
                )
        return await call_next(request)


def _describe(error: dict) -> dict:
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    return {"field": location or "body", "message": error.get("msg", "is not valid")}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    production = settings.environment == "production"
    app = FastAPI(
        title="Mutuals Information Service assistant",
        description="The bot web service: internal API for the action server.",
        version="1.0.0",
        # Swagger UI loads its scripts from a CDN: not served in production.
        docs_url=None if production else "/api/docs",
        redoc_url=None,
        openapi_url=None if production else "/api/openapi.json",
    )
    app.state.settings = settings
    # Office hours are read where they are used (bot/hotline); checked here so a setting that
    # cannot be read stops the service at start, not the first handoff.
    OfficeHours.parse(settings.office_hours, settings.office_timezone)
    labels.set_display_zone(settings.office_timezone)
    app.state.engine = make_engine(settings.database_url)
    app.state.session_factory = make_session_factory(app.state.engine)
    app.state.chat_limits = chat_limits(settings)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(SecurityHeaders, production=production)
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            expose_headers=["Retry-After"],
            max_age=600,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_describe(e) for e in exc.errors()]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse(
            status_code=422,
            content=jsonable_encoder({"detail": f"The request is not valid. {summary}", "errors": errors}),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, exc: SignInRequired) -> RedirectResponse:
        return RedirectResponse(login_redirect(exc.next_path), status_code=303)

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, exc: NotAllowed) -> HTMLResponse:
        return render(request, "error.html", status_code=403, heading="You cannot do that", message=exc.message)

    @app.exception_handler(hotline_service.TicketNotFound)
    async def _no_ticket(request: Request, exc: hotline_service.TicketNotFound) -> HTMLResponse:
        return render(
            request, "error.html", status_code=404, heading="Ticket not found", message=f"There is no ticket {exc}."
        )

    @app.exception_handler(hotline_service.IllegalTransition)
    async def _illegal(request: Request, exc: hotline_service.IllegalTransition) -> RedirectResponse:
        reference = request.path_params.get("reference", "")  # the route's own parameter
        return RedirectResponse(f"/staff/tickets/{reference}?error=transition", status_code=303)

    @app.exception_handler(StaleDataError)
    async def _changed_meanwhile(request: Request, _exc: StaleDataError):
        """Someone else changed the ticket between reading and writing it: nothing was
        written; the staff member sees the ticket as it now is."""
        reference = request.path_params.get("reference")
        log.info("Refused %s %s: 409 (the ticket changed meanwhile)", request.method, request.url.path)
        if request.url.path.startswith("/staff/tickets/") and reference:
            return RedirectResponse(f"/staff/tickets/{reference}?error=changed", status_code=303)
        return JSONResponse(
            {"detail": "The ticket changed while this request was made. Read it again and retry."},
            status_code=status.HTTP_409_CONFLICT,
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    async def _store_unavailable(_request: Request, exc: Exception) -> JSONResponse:
        log.error("store unavailable: %s", type(exc).__name__)
        return JSONResponse(
            {"detail": "The store is unavailable just now. Try again shortly."},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return JSONResponse({"detail": "Something went wrong on our side."}, status_code=500)

    internal = APIRouter(prefix="/api", dependencies=[Depends(require_service_token)], responses=problems(401, 503))
    internal.include_router(faq_router)
    internal.include_router(directory_router)
    internal.include_router(hotline_router)

    @internal.get("/health", tags=["health"], response_model=Health)
    def health(db_session=Depends(get_db)) -> Health:
        db_session.execute(text("SELECT 1"))
        return Health(status="ok", database="ok")

    app.include_router(internal)
    app.include_router(chat_router)
    app.include_router(console_router)
    app.include_router(content_router)
    app.include_router(insight_router)
    app.mount("/widget", StaticFilesNoNul(directory=CHAT_DIR / "static" / "widget"), name="widget")
    app.mount("/staff/static", StaticFilesNoNul(directory=CONSOLE_STATIC), name="console-static")
    # GOV.UK Frontend's stylesheet finds its fonts and images under /assets.
    app.mount("/assets", StaticFilesNoNul(directory=CONSOLE_STATIC / "govuk" / "assets"), name="govuk-assets")

    @app.on_event("startup")
    def _warm_faq_index() -> None:
        # The first visitor's question should not pay for building the search index;
        # with the store down the instance still starts and builds it on first use.
        try:
            with app.state.session_factory() as session:
                faq_service.rank(db_session=session, query="mutual", limit=1)
        except Exception as exc:  # noqa: BLE001 - a warm-up, never a reason not to start
            log.warning("FAQ index not built at start-up: %s", type(exc).__name__)

    @app.get("/healthz", include_in_schema=False)
    def liveness() -> dict:
        return {"status": "ok"}

    home_page = (CHAT_DIR / "templates" / "index.html").read_text(encoding="utf-8")
    home_page = home_page.replace("{{hotline_number}}", html.escape(settings.hotline_number))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        """The information service's page, with the widget embedded as the real site would."""
        return home_page

    return app
