"""The application factory: one FastAPI app serving the JSON API and the HTML pages."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from twinwork import __version__
from twinwork.account import routes as account_routes
from twinwork.assistant import routes as assistant_routes
from twinwork.assistant.embedding import warm_up_in_background as warm_up_assistant_encoder
from twinwork.billing.payout import routes as payout_routes
from twinwork.billing.receipt import routes as receipt_routes
from twinwork.billing.wallet import routes as wallet_routes
from twinwork.billing.webhook import routes as webhook_routes
from twinwork.catalog import gallery_routes
from twinwork.catalog import routes as catalog_routes
from twinwork.config import Settings, get_settings
from twinwork.creation import routes as creation_routes
from twinwork.creation.runtime import warm_up
from twinwork.domains import load_domains
from twinwork.equity import routes as equity_routes
from twinwork.generation import routes as generation_routes
from twinwork.generation import stream_routes as generation_stream_routes
from twinwork.inbox import routes as inbox_routes
from twinwork.kit.db import make_engine, make_sessionmaker
from twinwork.kit.storage import make_storage
from twinwork.notify import routes as notify_routes
from twinwork.order import routes as order_routes
from twinwork.portfolio import routes as portfolio_routes
from twinwork.program import routes as program_routes
from twinwork.search import routes as search_routes
from twinwork.trends import routes as trends_routes
from twinwork.voice import routes as voice_routes
from twinwork.web import errors, openapi
from twinwork.web import routes as web_routes
from twinwork.web.middleware import RequestGuard, VisitorCookies

# Requests that carry files (deliveries, portfolio designs, a brief's logo) may be as large
# as upload_max_bytes; every other body stays under max_request_bytes. A row in the path is
# named by its public id (kit.public_ids), or by its row id while those are still read.
_ROW = r"[a-z2-7]{26}"  # a public id (kit.public_ids.PATTERN)
UPLOAD_PATHS = re.compile(
    rf"/api/v1/orders/{_ROW}/deliveries|/orders/{_ROW}/deliver"
    r"|/api/v1/portfolio/samples|/dashboard/portfolio/samples"
    rf"|/api/v1/models/{_ROW}/generations(/stream)?|/models/{_ROW}/generate(/stream)?"
    rf"|/api/v1/models/{_ROW}/voice-verification|/dashboard/models/{_ROW}/voice/verification"
    rf"|/dashboard/gigs/{_ROW}/gallery|/dashboard/profile/avatar"
    rf"|/api/v1/conversations(/{_ROW}/messages)?|/inbox(/{_ROW}/messages)?"
)

STATIC_DIR = Path(__file__).resolve().parent / "static"
log = logging.getLogger("twinwork")


def create_app(settings: Settings | None = None, *, run_worker: bool = False) -> FastAPI:
    settings = settings or get_settings()
    load_domains()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        consumer = None
        if run_worker:
            # Imported here: registering the tasks needs the queue, plain API use does not.
            from twinwork.kit.jobs import start_consumer
            from twinwork.tasks import register_all

            register_all()
            consumer = start_consumer(settings.worker_threads)
            log.info("job consumer started with %d threads", settings.worker_threads)
        if settings.warm_up_models:
            warm_up(settings)  # a background thread: serving starts at once
            # The assistant's sentence encoder too: a buyer's first message is not the one
            # that waits seconds for it to load.
            warm_up_assistant_encoder()
        try:
            yield
        finally:
            if consumer is not None:
                consumer.stop(graceful=True)
            await app.state.engine.dispose()

    app = FastAPI(
        title="twinwork",
        version=__version__,
        summary="Freelance marketplace with personal AI creation models.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        # Swagger UI loads from a CDN, which offline installs and our CSP both refuse; /api
        # renders the same OpenAPI document as a page of our own.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.resolved_database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.storage = make_storage(settings)

    errors.install(app)
    app.add_middleware(
        VisitorCookies,
        secure=settings.cookie_secure,
        stripe_elements=settings.stripe_elements_key is not None,
    )
    app.add_middleware(
        RequestGuard,
        max_bytes=settings.max_request_bytes,
        upload_max_bytes=settings.upload_max_bytes,
        upload_paths=UPLOAD_PATHS,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.include_router(web_routes.health)
    for module in (
        account_routes,
        catalog_routes,
        search_routes,
        wallet_routes,
        receipt_routes,
        payout_routes,
        webhook_routes,
        program_routes,
        portfolio_routes,
        creation_routes,
        generation_routes,
        generation_stream_routes,
        order_routes,
        equity_routes,
        trends_routes,
        notify_routes,
        inbox_routes,
        assistant_routes,
        voice_routes,
    ):
        app.include_router(module.api)
    for page_module in (
        web_routes,
        account_routes,
        catalog_routes,
        search_routes,
        wallet_routes,
        receipt_routes,
        payout_routes,
        program_routes,
        portfolio_routes,
        creation_routes,
        generation_routes,
        generation_stream_routes,
        order_routes,
        equity_routes,
        trends_routes,
        gallery_routes,
        notify_routes,
        inbox_routes,
        assistant_routes,
        voice_routes,
    ):
        app.include_router(page_module.pages)
    openapi.install(app)
    return app
