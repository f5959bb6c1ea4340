"""Authorisation, proven from the route table: every route of the app declares who may call
it, and the declaration is checked against what the app answers to anonymous visitors,
buyers and freelancers. A new route without a declared policy fails the first test."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.catalog.factories import create_gig, gig_payload
from tests.creation.factories import stored_model
from tests.order.test_orders import funded_buyer, order
from tests.portfolio.factories import sample_body
from tests.web.test_pages import csrf_token, sign_in, signed_in_user
from twinwork.account.models import User
from twinwork.kit import public_ids


class Policy(StrEnum):
    PUBLIC = "anyone, signed in or not"
    LISTED_OR_OWNER = "anyone may read a listed object; only its owner an unlisted one"
    SIGNED_IN = "any signed-in user"
    OWN_DATA = "any signed-in user, who sees only their own (a buyer's list is empty)"
    FREELANCER = "signed-in freelancers; buyers get 403"
    ADMIN = "operators; everyone else gets 403"
    OWNER_PRIVATE = "the object's owner; a stranger gets the 404 of a missing id"
    PARTY_PRIVATE = "the parties of an order or generation; a stranger gets 404"
    WEBHOOK = "the payment provider, by signature"


P = Policy
POLICIES: dict[tuple[str, str], Policy] = {
    # Account
    ("POST", "/api/v1/auth/signup"): P.PUBLIC,
    ("POST", "/api/v1/auth/token"): P.PUBLIC,
    ("DELETE", "/api/v1/auth/token"): P.SIGNED_IN,
    ("GET", "/api/v1/auth/tokens"): P.SIGNED_IN,
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): P.OWNER_PRIVATE,
    ("POST", "/api/v1/auth/sign-out-everywhere"): P.SIGNED_IN,
    ("GET", "/api/v1/me"): P.SIGNED_IN,
    ("POST", "/api/v1/me/freelancer"): P.SIGNED_IN,
    # Catalog and search
    ("GET", "/api/v1/categories"): P.PUBLIC,
    ("GET", "/api/v1/ai-tools"): P.PUBLIC,
    ("GET", "/api/v1/gigs"): P.PUBLIC,
    ("GET", "/api/v1/gigs/{gig_id}"): P.LISTED_OR_OWNER,
    ("POST", "/api/v1/gigs"): P.FREELANCER,
    ("PATCH", "/api/v1/gigs/{gig_id}"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/freelancers/{handle}"): P.PUBLIC,
    ("PATCH", "/api/v1/me/profile"): P.FREELANCER,
    ("GET", "/api/v1/search"): P.PUBLIC,
    # Billing
    ("GET", "/api/v1/wallet"): P.SIGNED_IN,
    ("POST", "/api/v1/wallet/top-ups"): P.SIGNED_IN,
    ("GET", "/api/v1/wallet/top-ups"): P.SIGNED_IN,
    ("GET", "/api/v1/ledger/transactions"): P.SIGNED_IN,
    ("GET", "/api/v1/admin/ledger/check"): P.ADMIN,
    ("GET", "/api/v1/receipts"): P.SIGNED_IN,
    ("GET", "/api/v1/receipts/{number}"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/earnings"): P.OWN_DATA,
    ("POST", "/api/v1/payouts"): P.FREELANCER,
    ("GET", "/api/v1/payouts"): P.OWN_DATA,
    ("POST", "/api/v1/webhooks/stripe"): P.WEBHOOK,
    ("GET", "/api/v1/admin/webhooks"): P.ADMIN,
    # Program
    ("POST", "/api/v1/subscriptions"): P.FREELANCER,
    ("GET", "/api/v1/subscriptions/current"): P.OWN_DATA,
    ("DELETE", "/api/v1/subscriptions/current"): P.OWN_DATA,
    ("POST", "/api/v1/subscriptions/current/resume"): P.OWN_DATA,
    ("PUT", "/api/v1/subscriptions/current/card"): P.OWN_DATA,
    ("GET", "/api/v1/program/eligibility"): P.FREELANCER,
    ("POST", "/api/v1/program/applications"): P.FREELANCER,
    ("GET", "/api/v1/program/applications/current"): P.OWN_DATA,
    ("GET", "/api/v1/admin/program/applications"): P.ADMIN,
    ("POST", "/api/v1/admin/program/applications/{application_id}/approve"): P.ADMIN,
    ("POST", "/api/v1/admin/program/applications/{application_id}/decline"): P.ADMIN,
    ("POST", "/api/v1/admin/program/invitations"): P.ADMIN,
    ("GET", "/api/v1/admin/program/rules"): P.ADMIN,
    ("PUT", "/api/v1/admin/program/rules"): P.ADMIN,
    # Portfolio
    ("POST", "/api/v1/portfolio/samples"): P.FREELANCER,
    ("GET", "/api/v1/portfolio/samples"): P.OWN_DATA,
    ("PATCH", "/api/v1/portfolio/samples/{sample_id}"): P.OWNER_PRIVATE,
    ("DELETE", "/api/v1/portfolio/samples/{sample_id}"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/portfolio/data-use"): P.OWN_DATA,
    # Creation
    ("POST", "/api/v1/models"): P.FREELANCER,
    ("GET", "/api/v1/models"): P.OWN_DATA,
    ("GET", "/api/v1/models/{model_id}"): P.LISTED_OR_OWNER,
    ("PATCH", "/api/v1/models/{model_id}"): P.OWNER_PRIVATE,
    ("POST", "/api/v1/models/{model_id}/activate"): P.OWNER_PRIVATE,
    ("POST", "/api/v1/models/{model_id}/deactivate"): P.OWNER_PRIVATE,
    ("DELETE", "/api/v1/models/{model_id}"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/models/{model_id}/erasure-receipt"): P.OWNER_PRIVATE,
    ("POST", "/api/v1/models/{model_id}/training-runs"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/training-runs/{run_id}"): P.OWNER_PRIVATE,
    ("POST", "/api/v1/training-runs/{run_id}/cancel"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/models/{model_id}/versions"): P.OWNER_PRIVATE,
    ("POST", "/api/v1/models/{model_id}/versions/{version_id}/approve"): P.OWNER_PRIVATE,
    # Generation
    ("POST", "/api/v1/models/{model_id}/generations"): P.SIGNED_IN,
    ("POST", "/api/v1/models/{model_id}/generations/stream"): P.SIGNED_IN,
    ("GET", "/api/v1/generations/{generation_id}"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/generations/{generation_id}/purchase"): P.PARTY_PRIVATE,
    ("GET", "/api/v1/generations/{generation_id}/preview-files/{name}"): P.PARTY_PRIVATE,
    ("GET", "/api/v1/generations/{generation_id}/files/{name}"): P.PARTY_PRIVATE,
    ("GET", "/api/v1/certificates/public-key"): P.PUBLIC,
    ("GET", "/api/v1/certificates/content-credentials-anchor"): P.PUBLIC,
    ("GET", "/api/v1/certificates/{certificate_id}"): P.PUBLIC,
    ("POST", "/api/v1/certificates/verify"): P.PUBLIC,
    # Orders
    ("POST", "/api/v1/orders"): P.SIGNED_IN,
    ("GET", "/api/v1/orders"): P.SIGNED_IN,
    ("GET", "/api/v1/orders/{order_id}"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/orders/{order_id}/requirements"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/orders/{order_id}/deliveries"): P.PARTY_PRIVATE,
    ("GET", "/api/v1/orders/{order_id}/files/{file_id}"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/orders/{order_id}/accept"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/orders/{order_id}/revisions"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/orders/{order_id}/cancel"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/orders/{order_id}/reviews"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/orders/{order_id}/disputes"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/orders/{order_id}/dispute/response"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/orders/{order_id}/dispute/withdraw"): P.PARTY_PRIVATE,
    ("GET", "/api/v1/admin/disputes"): P.ADMIN,
    ("POST", "/api/v1/admin/disputes/{dispute_id}/resolve"): P.ADMIN,
    # Trends
    ("GET", "/api/v1/trends"): P.PUBLIC,
    ("GET", "/api/v1/trends/terms/{term}"): P.PUBLIC,
    ("POST", "/api/v1/admin/search-events:import"): P.ADMIN,
    ("GET", "/trends"): P.PUBLIC,
    ("GET", "/trends.csv"): P.PUBLIC,
    ("GET", "/trends/terms/{term}"): P.PUBLIC,
    ("GET", "/admin/trends"): P.ADMIN,
    ("POST", "/admin/trends/synonyms"): P.ADMIN,
    ("POST", "/admin/trends/synonyms/remove"): P.ADMIN,
    # Pages: site, account
    ("GET", "/"): P.PUBLIC,
    ("GET", "/api"): P.PUBLIC,
    ("GET", "/how-it-works"): P.PUBLIC,
    ("GET", "/help"): P.PUBLIC,
    ("GET", "/terms"): P.PUBLIC,
    ("GET", "/licence"): P.PUBLIC,
    ("GET", "/dashboard"): P.SIGNED_IN,
    ("GET", "/dashboard/buyer"): P.SIGNED_IN,
    ("GET", "/admin"): P.ADMIN,
    ("GET", "/signup"): P.PUBLIC,
    ("POST", "/signup"): P.PUBLIC,
    ("GET", "/login"): P.PUBLIC,
    ("POST", "/login"): P.PUBLIC,
    ("POST", "/logout"): P.PUBLIC,
    ("POST", "/dashboard/sign-out-everywhere"): P.SIGNED_IN,
    ("POST", "/dashboard/become-freelancer"): P.SIGNED_IN,
    # Pages: catalog and search
    ("GET", "/gigs/{gig_id}"): P.LISTED_OR_OWNER,
    ("GET", "/freelancers/{handle}"): P.PUBLIC,
    ("GET", "/dashboard/freelancer"): P.FREELANCER,
    ("GET", "/dashboard/gigs/new"): P.FREELANCER,
    ("POST", "/dashboard/gigs/new"): P.FREELANCER,
    ("GET", "/dashboard/gigs/{gig_id}/edit"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/gigs/{gig_id}/edit"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/gigs/{gig_id}/status"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/profile"): P.FREELANCER,
    # Gig galleries and avatars
    ("GET", "/gig-images/{image_id}"): P.LISTED_OR_OWNER,
    ("GET", "/freelancers/{handle}/avatar"): P.PUBLIC,
    ("POST", "/dashboard/gigs/{gig_id}/gallery"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/gigs/{gig_id}/gallery/from-portfolio"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/gigs/{gig_id}/gallery/{image_id}/{action}"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/profile/avatar"): P.FREELANCER,
    # Notifications: each person's own
    ("GET", "/api/v1/notifications"): P.OWN_DATA,
    ("POST", "/api/v1/notifications/read"): P.OWN_DATA,
    ("GET", "/notifications"): P.OWN_DATA,
    ("GET", "/notifications/{notification_id}"): P.OWNER_PRIVATE,
    ("POST", "/notifications/read"): P.OWN_DATA,
    ("GET", "/search"): P.PUBLIC,
    # Pages: billing
    ("GET", "/dashboard/wallet"): P.SIGNED_IN,
    ("POST", "/dashboard/wallet/top-up"): P.SIGNED_IN,
    ("GET", "/dashboard/receipts"): P.SIGNED_IN,
    ("GET", "/receipts/{number}"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/earnings"): P.FREELANCER,
    ("POST", "/dashboard/earnings/payouts"): P.FREELANCER,
    ("GET", "/dashboard/earnings/statement.csv"): P.FREELANCER,
    # Pages: program
    ("GET", "/dashboard/program"): P.FREELANCER,
    ("POST", "/dashboard/program/subscribe"): P.FREELANCER,
    ("POST", "/dashboard/program/apply"): P.FREELANCER,
    ("POST", "/dashboard/program/{action}"): P.FREELANCER,
    ("GET", "/admin/program"): P.ADMIN,
    ("POST", "/admin/program/applications/{application_id}/{action}"): P.ADMIN,
    ("POST", "/admin/program/invitations"): P.ADMIN,
    ("POST", "/admin/program/rules"): P.ADMIN,
    # Pages: portfolio
    ("GET", "/dashboard/portfolio"): P.FREELANCER,
    ("POST", "/dashboard/portfolio/samples"): P.FREELANCER,
    ("POST", "/dashboard/portfolio/samples/{sample_id}/consent"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/portfolio/samples/{sample_id}/remove"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/portfolio/data-use.csv"): P.FREELANCER,
    # Pages: creation
    ("GET", "/dashboard/models"): P.FREELANCER,
    ("POST", "/dashboard/models"): P.FREELANCER,
    ("GET", "/dashboard/models/{model_id}"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/models/{model_id}/run"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/models/{model_id}/train"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/models/{model_id}/runs/{run_id}/cancel"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/models/{model_id}/versions/{version_id}/approve"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/models/{model_id}/listing"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/models/{model_id}/activate"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/models/{model_id}/deactivate"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/models/{model_id}/erase"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/models/{model_id}/receipt"): P.OWNER_PRIVATE,
    # Designs: portfolio pictures, the learned style and its corrections (API and pages)
    ("GET", "/api/v1/portfolio/samples/{sample_id}/thumbnail"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/portfolio/samples/{sample_id}/thumbnail"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/models/{model_id}/style"): P.OWNER_PRIVATE,
    ("PUT", "/api/v1/models/{model_id}/corrections"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/models/{model_id}/style.png"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/models/{model_id}/corrections"): P.OWNER_PRIVATE,
    # Voice: recordings in the portfolio, verification, the voice page and its held-out takes
    ("GET", "/api/v1/portfolio/samples/{sample_id}/audio"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/portfolio/samples/{sample_id}/waveform"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/portfolio/samples/{sample_id}/audio"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/portfolio/samples/{sample_id}/waveform"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/models/{model_id}/voice-verification"): P.OWNER_PRIVATE,
    ("POST", "/api/v1/models/{model_id}/voice-verification"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/models/{model_id}/voice"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/models/{model_id}/voice/verification"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/models/{model_id}/versions/{version_id}/takes/{name}"): P.OWNER_PRIVATE,
    # Pages: generation
    ("GET", "/models/{model_id}"): P.LISTED_OR_OWNER,
    ("POST", "/models/{model_id}/generate"): P.SIGNED_IN,
    ("POST", "/models/{model_id}/generate/stream"): P.SIGNED_IN,
    ("GET", "/generations/{generation_id}"): P.PARTY_PRIVATE,
    ("POST", "/generations/{generation_id}/purchase"): P.PARTY_PRIVATE,
    ("GET", "/generations/{generation_id}/preview-files/{name}"): P.PARTY_PRIVATE,
    ("GET", "/generations/{generation_id}/files/{name}"): P.PARTY_PRIVATE,
    ("GET", "/dashboard/generations"): P.SIGNED_IN,
    ("GET", "/certificates/verify"): P.PUBLIC,
    ("POST", "/certificates/verify"): P.PUBLIC,
    ("GET", "/certificates/{certificate_id}"): P.PUBLIC,
    # Pages: orders and disputes
    ("POST", "/orders"): P.SIGNED_IN,
    ("POST", "/orders/checkout"): P.SIGNED_IN,
    ("GET", "/orders/{order_id}"): P.PARTY_PRIVATE,
    ("GET", "/orders/{order_id}/files/{file_id}"): P.PARTY_PRIVATE,
    ("POST", "/orders/{order_id}/{action}"): P.PARTY_PRIVATE,
    ("GET", "/dashboard/orders"): P.SIGNED_IN,
    ("GET", "/admin/disputes"): P.ADMIN,
    ("GET", "/admin/disputes/{dispute_id}"): P.ADMIN,
    ("GET", "/admin/disputes/{dispute_id}/files/{file_id}"): P.ADMIN,
    ("POST", "/admin/disputes/{dispute_id}/resolve"): P.ADMIN,
    # Equity: API and pages
    ("POST", "/api/v1/admin/equity/rounds"): P.ADMIN,
    ("GET", "/api/v1/admin/equity/rounds/{year}"): P.ADMIN,
    ("GET", "/api/v1/admin/equity/rules"): P.ADMIN,
    ("PUT", "/api/v1/admin/equity/rules"): P.ADMIN,
    ("GET", "/api/v1/equity/grants"): P.OWN_DATA,
    ("GET", "/api/v1/equity/progress"): P.FREELANCER,
    ("GET", "/dashboard/equity"): P.FREELANCER,
    ("GET", "/dashboard/equity/grants/{grant_id}/statement"): P.OWNER_PRIVATE,
    ("GET", "/admin/equity"): P.ADMIN,
    ("POST", "/admin/equity/rules"): P.ADMIN,
    ("POST", "/admin/equity/rounds"): P.ADMIN,
    # Inbox: API and pages
    ("GET", "/api/v1/conversations"): P.OWN_DATA,
    ("POST", "/api/v1/conversations"): P.SIGNED_IN,
    ("GET", "/api/v1/conversations/{conversation_id}"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): P.PARTY_PRIVATE,
    ("GET", "/api/v1/conversations/{conversation_id}/attachments/{attachment_id}"): (
        P.PARTY_PRIVATE
    ),
    ("POST", "/api/v1/conversations/{conversation_id}/offers"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/conversations/{conversation_id}/offers/{offer_id}/accept"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/conversations/{conversation_id}/offers/{offer_id}/withdraw"): (
        P.PARTY_PRIVATE
    ),
    ("POST", "/api/v1/conversations/{conversation_id}/offers/{offer_id}/decline"): (
        P.PARTY_PRIVATE
    ),
    ("POST", "/api/v1/conversations/{conversation_id}/takeover"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/conversations/{conversation_id}/handback"): P.PARTY_PRIVATE,
    ("POST", "/api/v1/conversations/{conversation_id}/reports"): P.PARTY_PRIVATE,
    ("GET", "/api/v1/admin/reports"): P.ADMIN,
    ("POST", "/api/v1/admin/reports/{report_id}/resolve"): P.ADMIN,
    ("GET", "/inbox"): P.OWN_DATA,
    ("GET", "/inbox/new"): P.SIGNED_IN,
    ("POST", "/inbox"): P.SIGNED_IN,
    ("GET", "/inbox/{conversation_id}"): P.PARTY_PRIVATE,
    ("GET", "/inbox/orders/{order_id}"): P.PARTY_PRIVATE,
    ("GET", "/inbox/{conversation_id}/messages"): P.PARTY_PRIVATE,
    ("POST", "/inbox/{conversation_id}/messages"): P.PARTY_PRIVATE,
    ("GET", "/inbox/{conversation_id}/attachments/{attachment_id}"): P.PARTY_PRIVATE,
    ("POST", "/inbox/{conversation_id}/offers"): P.PARTY_PRIVATE,
    ("POST", "/inbox/{conversation_id}/offers/{offer_id}/accept"): P.PARTY_PRIVATE,
    ("POST", "/inbox/{conversation_id}/offers/{offer_id}/withdraw"): P.PARTY_PRIVATE,
    ("POST", "/inbox/{conversation_id}/offers/{offer_id}/decline"): P.PARTY_PRIVATE,
    ("POST", "/inbox/{conversation_id}/takeover"): P.PARTY_PRIVATE,
    ("POST", "/inbox/{conversation_id}/handback"): P.PARTY_PRIVATE,
    ("GET", "/inbox/{conversation_id}/offers/{offer_id}/checkout"): P.PARTY_PRIVATE,
    ("POST", "/inbox/{conversation_id}/report"): P.PARTY_PRIVATE,
    ("GET", "/admin/reports"): P.ADMIN,
    ("POST", "/admin/reports/{report_id}/resolve"): P.ADMIN,
    # Assistant: API and pages (settings for creation-program members)
    ("GET", "/api/v1/assistant/settings"): P.FREELANCER,
    ("PATCH", "/api/v1/assistant/settings"): P.FREELANCER,
    ("GET", "/api/v1/assistant/faq"): P.FREELANCER,
    ("POST", "/api/v1/assistant/faq"): P.FREELANCER,
    ("PUT", "/api/v1/assistant/faq/{entry_id}"): P.OWNER_PRIVATE,
    ("DELETE", "/api/v1/assistant/faq/{entry_id}"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/assistant/faq-suggestions"): P.FREELANCER,
    ("POST", "/api/v1/assistant/faq-suggestions/{handover_id}"): P.OWNER_PRIVATE,
    ("GET", "/api/v1/assistant/handovers"): P.FREELANCER,
    ("GET", "/api/v1/assistant/drafts"): P.FREELANCER,
    ("POST", "/api/v1/assistant/drafts/{draft_id}/confirm"): P.OWNER_PRIVATE,
    ("POST", "/api/v1/assistant/drafts/{draft_id}/dismiss"): P.OWNER_PRIVATE,
    ("GET", "/dashboard/assistant"): P.FREELANCER,
    ("GET", "/dashboard/assistant/handover-count"): P.FREELANCER,
    ("POST", "/dashboard/assistant/settings"): P.FREELANCER,
    ("POST", "/dashboard/assistant/faq"): P.FREELANCER,
    ("POST", "/dashboard/assistant/faq-suggestions/{handover_id}"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/assistant/faq/{entry_id}/delete"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/assistant/drafts/{draft_id}/confirm"): P.OWNER_PRIVATE,
    ("POST", "/dashboard/assistant/drafts/{draft_id}/dismiss"): P.OWNER_PRIVATE,
}

# Not the application's own routes: the schema, static files and the load balancer's probe.
UNGUARDED = {"/openapi.json", "/static", "/healthz"}
# A request in a browser that is not signed in: the sign-in page, and back here afterwards.
SIGN_IN_REDIRECT = re.compile(r"^/login\?next=")

# An id no test creates: a caller's own token or order must not be what a probe hits. Routes
# are given its public id, of the kind the parameter names.
MISSING = 2_000_000_000
# Path parameters whose name is not their kind; every other ``x_id`` names a row of kind x.
PARAMETER_KINDS = {"entry_id": "faq"}
# Path parameters that are not ids: a value the route accepts, so the answer is about access.
PATH_VALUES = {
    "handle": "nobody-here",
    "number": "TW-00000001",
    "action": "cancel",
}
ACTIONS = {
    "/dashboard/program/{action}": "cancel",
    "/orders/{order_id}/{action}": "accept",
    "/dashboard/gigs/{gig_id}/gallery/{image_id}/{action}": "remove",
    "/admin/program/applications/{application_id}/{action}": "approve",
}


CARD = {"card_number": "4242424242424242"}
# A valid body, so that a refusal is about who calls, not about what they sent.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/gigs"): gig_payload,
    ("POST", "/api/v1/portfolio/samples"): sample_body,
    ("POST", "/api/v1/models"): lambda: {"name": "Probe voice"},
    ("POST", "/api/v1/models/{model_id}/voice-verification"): lambda: {"content_base64": "AAAA"},
    ("POST", "/api/v1/assistant/faq"): lambda: {"q": "Do you print?", "a": "No, files only."},
    ("POST", "/api/v1/payouts"): lambda: {"amount": 1000},
    ("POST", "/api/v1/subscriptions"): lambda: CARD,
    ("PATCH", "/api/v1/gigs/{gig_id}"): lambda: {"title": "Taken over by someone else"},
    ("PATCH", "/api/v1/portfolio/samples/{sample_id}"): lambda: {"consent_to_train": False},
    ("PATCH", "/api/v1/models/{model_id}"): lambda: {"price_amount": 100},
    ("POST", "/api/v1/orders/{order_id}/requirements"): lambda: {"requirements": "Mine now"},
    ("POST", "/api/v1/orders/{order_id}/deliveries"): lambda: {"text": "Not my order"},
    ("POST", "/api/v1/orders/{order_id}/revisions"): lambda: {"message": "Do it again"},
    ("POST", "/api/v1/orders/{order_id}/reviews"): lambda: {"rating": 1},
    ("POST", "/api/v1/orders/{order_id}/disputes"): lambda: {"reason": "A stranger objects."},
    ("POST", "/api/v1/orders/{order_id}/dispute/response"): lambda: {"response": "Not mine"},
    ("POST", "/dashboard/gigs/{gig_id}/status"): lambda: {"status": "published"},
    ("POST", "/api/v1/conversations"): lambda: {"freelancer_handle": "nobody-here", "text": "Hi"},
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): lambda: {"text": "Not mine"},
    ("POST", "/api/v1/conversations/{conversation_id}/offers"): lambda: {
        "description": "Work for a stranger",
        "price_amount": 5000,
        "delivery_days": 3,
        "revisions": 1,
    },
    ("POST", "/inbox/{conversation_id}/messages"): lambda: {"text": "Not mine"},
    ("POST", "/api/v1/conversations/{conversation_id}/reports"): lambda: {"reason": "spam"},
    ("POST", "/api/v1/admin/reports/{report_id}/resolve"): lambda: {"resolution": "Warned"},
    ("POST", "/inbox/{conversation_id}/report"): lambda: {"reason": "spam"},
}


def app_routes() -> set[tuple[str, str]]:
    from twinwork.web.app import create_app

    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(create_app().routes):
        if route.path in UNGUARDED:
            continue
        assert isinstance(route.original_route, APIRoute), route.path
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, route.path))
    return found


def is_api(path: str) -> bool:
    return path.startswith("/api/v1/")


def kind_of(parameter: str) -> str:
    """The kind of row a path parameter such as ``gig_id`` or ``entry_id`` names."""
    return PARAMETER_KINDS.get(parameter, parameter.removesuffix("_id"))


def public(kind: str, value: object) -> str:
    """``value`` as a URL writes it: a row's public id. A row id (from the database or an
    answer not yet moved over) is encoded; a public id is checked to name a row of ``kind``."""
    if isinstance(value, int) or str(value).isdigit():
        return public_ids.public_id(kind, int(str(value)))
    assert public_ids.row_id(kind, value) != public_ids.NO_ROW, (kind, value)
    return str(value)


def row(kind: str, value: object) -> int:
    """The row id an API answer's public id names."""
    found = public_ids.row_id(kind, value)
    assert found != public_ids.NO_ROW, (kind, value)
    return found


def concrete(path: str, values: dict[str, str] | None = None) -> str:
    """The path with its parameters filled: from ``values`` where given, else a missing id."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "action":
            return ACTIONS[path]
        if values and name in values:
            return values[name]
        if name.endswith("_id"):
            return public_ids.public_id(kind_of(name), MISSING)
        return PATH_VALUES.get(name, str(MISSING))

    return re.sub(r"\{(\w+)\}", fill, path)


def routes_with(
    *policies: Policy, api_only: bool = False, pages_only: bool = False, method: str | None = None
) -> list[Any]:
    return [
        pytest.param(route_method, path, id=f"{route_method} {path}")
        for (route_method, path), policy in sorted(POLICIES.items(), key=lambda item: item[0][::-1])
        if policy in policies
        and (is_api(path) or not api_only)
        and not (is_api(path) and pages_only)
        and method in (None, route_method)
    ]


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
) -> httpx.Response:
    url = concrete(path, values)
    # Pay-per-use routes refuse a request without one before they look at the caller's rights.
    headers = {"Idempotency-Key": "authorisation-probe", **(headers or {})}
    if is_api(path):
        if body is None and (method, path) in BODIES:
            body = BODIES[method, path]()
        json = (body or {}) if method in {"POST", "PUT", "PATCH"} else None
        return await client.request(method, url, json=json, headers=headers)
    data = None
    if method == "POST":
        if body is None and (method, path) in BODIES:
            body = BODIES[method, path]()
        data = {"csrf_token": await csrf_token(client), **(body or {})}
    return await client.request(method, url, data=data, headers=headers)


def test_every_route_declares_a_policy() -> None:
    routes = app_routes()
    declared = set(POLICIES)
    undeclared = sorted(routes - declared, key=lambda route: route[::-1])
    gone = sorted(declared - routes, key=lambda route: route[::-1])
    assert not undeclared, "Routes without a declared policy in POLICIES: " + ", ".join(
        f"{method} {path}" for method, path in undeclared
    )
    assert not gone, "POLICIES names routes the app no longer has: " + ", ".join(
        f"{method} {path}" for method, path in gone
    )


GUARDED = (P.SIGNED_IN, P.OWN_DATA, P.FREELANCER, P.ADMIN, P.OWNER_PRIVATE, P.PARTY_PRIVATE)


@pytest.mark.parametrize(("method", "path"), routes_with(*GUARDED))
async def test_anonymous_is_refused_everywhere_but_public_routes(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await call(client, method, path)
    if is_api(path):
        assert response.status_code == 401, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    else:
        assert response.status_code == 303, response.text
        assert SIGN_IN_REDIRECT.match(response.headers["location"]), response.headers


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(("method", "path"), routes_with(P.FREELANCER, P.ADMIN, api_only=True))
async def test_buyers_are_refused_freelancer_and_admin_routes(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    _, buyer = await api_signup(client, roles=("buyer",))
    assert_problem(await call(client, method, path, buyer), 403)


@pytest.mark.parametrize(("method", "path"), routes_with(P.ADMIN, api_only=True))
async def test_freelancers_are_refused_admin_routes(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    _, freelancer = await api_signup(client, roles=("freelancer",))
    assert_problem(await call(client, method, path, freelancer), 403)


Owned = Callable[[httpx.AsyncClient, AsyncSession, User, dict[str, str]], Awaitable[dict[str, str]]]


async def _draft_gig(
    _client: httpx.AsyncClient, session: AsyncSession, owner: User, _headers: dict[str, str]
) -> dict[str, str]:
    gig = await create_gig(session, owner, status="draft")
    await session.commit()
    return {"gig_id": gig.public_id}


async def _draft_model(
    _client: httpx.AsyncClient, session: AsyncSession, owner: User, _headers: dict[str, str]
) -> dict[str, str]:
    """An unapproved model with a finished run and its version, written directly: no training."""
    stored = await stored_model(session, owner)
    await session.commit()
    return {
        "model_id": stored.model.public_id,
        "run_id": stored.run.public_id,
        "version_id": stored.version.public_id,
    }


async def _sample(
    client: httpx.AsyncClient, _session: AsyncSession, _owner: User, headers: dict[str, str]
) -> dict[str, str]:
    response = await client.post("/api/v1/portfolio/samples", json=sample_body(), headers=headers)
    assert response.status_code == 201, response.text
    return {"sample_id": public("sample", response.json()["id"])}


async def _order(
    client: httpx.AsyncClient, _session: AsyncSession, _owner: User, headers: dict[str, str]
) -> dict[str, str]:
    """Buyer A's order of freelancer A's gig: both parties are someone other than the caller."""
    gig = await client.post("/api/v1/gigs", json=gig_payload(), headers=headers)
    assert gig.status_code == 201, gig.text
    placed = await order(client, await funded_buyer(client), gig.json()["id"], brief="A logo")
    assert placed.status_code == 201, placed.text
    return {"order_id": public("order", placed.json()["id"])}


async def _receipt(
    client: httpx.AsyncClient, _session: AsyncSession, _owner: User, headers: dict[str, str]
) -> dict[str, str]:
    assert (await top_up(client, headers, 2500)).status_code == 201
    [receipt] = (await client.get("/api/v1/receipts", headers=headers)).json()["items"]
    return {"number": str(receipt["number"])}


async def _token(
    client: httpx.AsyncClient, _session: AsyncSession, _owner: User, headers: dict[str, str]
) -> dict[str, str]:
    [token] = (await client.get("/api/v1/auth/tokens", headers=headers)).json()
    return {"token_id": public("token", token["id"])}


async def _conversation(
    client: httpx.AsyncClient, _session: AsyncSession, _owner: User, headers: dict[str, str]
) -> dict[str, str]:
    """A buyer's conversation with the owner about the owner's gig: the caller is neither."""
    gig = await client.post("/api/v1/gigs", json=gig_payload(), headers=headers)
    assert gig.status_code == 201, gig.text
    _, buyer = await api_signup(client)
    started = await client.post(
        "/api/v1/conversations", json={"gig_id": gig.json()["id"], "text": "Hi"}, headers=buyer
    )
    assert started.status_code == 201, started.text
    return {"conversation_id": public("conversation", started.json()["id"])}


# The object a route's first path parameter names, and how its owner makes one. Generations
# and disputes are not here: they need a trained model or a dispute with an operator.
OWNED: dict[str, Owned] = {
    "gig_id": _draft_gig,
    "model_id": _draft_model,
    "run_id": _draft_model,
    "sample_id": _sample,
    "order_id": _order,
    "number": _receipt,
    "token_id": _token,
    "conversation_id": _conversation,
}


def first_parameter(path: str) -> str:
    match = re.search(r"\{(\w+)\}", path)
    assert match, path
    return match.group(1)


STRANGER_ROUTES = [
    param
    for param in routes_with(P.OWNER_PRIVATE, P.PARTY_PRIVATE, P.LISTED_OR_OWNER)
    if first_parameter(param.values[1]) in OWNED
]


@pytest.mark.parametrize("role", ["freelancer", "buyer"])
@pytest.mark.parametrize(("method", "path"), STRANGER_ROUTES)
async def test_strangers_get_404_for_owner_private_objects(
    client: httpx.AsyncClient, session: AsyncSession, role: str, method: str, path: str
) -> None:
    """Another user's unlisted object answers a stranger like an id that does not exist. A
    buyer meets the freelancer dashboard's 403 first, for a real id and a missing one alike."""
    owner_json, owner_headers = await api_signup(client, roles=("freelancer",))
    owner = await session.get(User, row("user", owner_json["id"]))
    assert owner is not None
    values = await OWNED[first_parameter(path)](client, session, owner, owner_headers)
    stranger_json, stranger = await api_signup(client, roles=(role,))
    if not is_api(path):
        await sign_in(client, str(stranger_json["email"]))
        stranger = {}
    theirs = await call(client, method, path, stranger, values=values)
    missing = await call(client, method, path, stranger)
    refused = 403 if role == "buyer" and path.startswith("/dashboard/") else 404
    assert (theirs.status_code, missing.status_code) == (refused, refused), theirs.text[:300]
    if is_api(path):
        assert theirs.headers["content-type"].startswith("application/problem+json")
        assert theirs.json()["title"] == missing.json()["title"]


@pytest.mark.parametrize(
    ("method", "path"), routes_with(P.FREELANCER, P.ADMIN, pages_only=True, method="GET")
)
async def test_buyers_get_403_on_freelancer_and_admin_pages(
    client: httpx.AsyncClient, session: AsyncSession, method: str, path: str
) -> None:
    await signed_in_user(client, session, roles=("buyer",))
    response = await call(client, method, path)
    assert response.status_code == 403, response.text


@pytest.mark.parametrize(("method", "path"), routes_with(P.ADMIN, pages_only=True, method="GET"))
async def test_freelancers_get_403_on_admin_pages(
    client: httpx.AsyncClient, session: AsyncSession, method: str, path: str
) -> None:
    await signed_in_user(client, session, roles=("freelancer",))
    response = await call(client, method, path)
    assert response.status_code == 403, response.text
