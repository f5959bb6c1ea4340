"""Request dependencies shared by every domain's routes: the unit of work and who is asking."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.inbox.service import inbox_service
from twinwork.kit.csrf import CSRF_COOKIE, SAFE_METHODS, page_token, verify_csrf
from twinwork.kit.csrf import SESSION_COOKIE as SESSION_COOKIE  # pages set and clear it
from twinwork.kit.db import unit_of_work
from twinwork.kit.errors import Forbidden, NotAuthenticated
from twinwork.kit.storage import ObjectStorage
from twinwork.notify.service import notification_service

P = ParamSpec("P")
R = TypeVar("R")

VISITOR_COOKIE = "tw_sid"


WRITES_ON_GET: set[Callable[..., Any]] = set()
"""Endpoints that write although called with GET (opening a conversation marks it read)."""


def writes_on_get(endpoint: Callable[P, R]) -> Callable[P, R]:
    WRITES_ON_GET.add(endpoint)
    return endpoint


WRITES_OWN_UNITS: set[Callable[..., Any]] = set()
"""Endpoints that only read in the request's transaction and write in short units of work of
their own, because they spend seconds on something else (a model generating text): on SQLite
the request's write lock would otherwise block every other writer meanwhile."""


def writes_own_units(endpoint: Callable[P, R]) -> Callable[P, R]:
    WRITES_OWN_UNITS.add(endpoint)
    return endpoint


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response leaves (scope="function")."""
    endpoint = request.scope.get("endpoint")
    writes = (
        request.method not in SAFE_METHODS or endpoint in WRITES_ON_GET
    ) and endpoint not in WRITES_OWN_UNITS
    async with unit_of_work(request.app.state.sessionmaker, writes=writes) as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(db_session, scope="function")]


def storage(request: Request) -> ObjectStorage:
    return request.app.state.storage  # type: ignore[no-any-return]


Storage = Annotated[ObjectStorage, Depends(storage)]


def sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.sessionmaker  # type: ignore[no-any-return]


SessionMaker = Annotated[async_sessionmaker[AsyncSession], Depends(sessionmaker)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def api_user_optional(request: Request, session: DbSession) -> User | None:
    token = bearer_token(request)
    if token is None:
        return None
    user = await account_service.user_for_api_token(session, token)
    if user is None:
        raise NotAuthenticated(
            "This API token is not valid, was revoked or has expired. "
            "Create a new one with POST /api/v1/auth/token."
        )
    return user


BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token from POST /api/v1/auth/token, as 'Authorization: Bearer <token>'.",
)
"""Declares the token in the OpenAPI document; ``bearer_token`` still reads it, so a missing
or malformed header is our own 401 problem, not FastAPI's."""


async def api_user(
    user: Annotated[User | None, Depends(api_user_optional)],
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
) -> User:
    if user is None:
        raise NotAuthenticated(
            "Send an API token as 'Authorization: Bearer <token>' (POST /api/v1/auth/token)."
        )
    return user


async def api_admin(user: Annotated[User, Depends(api_user)]) -> User:
    if not user.is_admin:
        raise Forbidden("This endpoint is for operators only.")
    return user


async def page_user_optional(request: Request, session: DbSession) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    # Forms on this page must carry the CSRF token bound to this session (see kit.csrf).
    csrf_cookie = request.cookies.get(CSRF_COOKIE)
    if csrf_cookie:
        request.state.csrf_token = page_token(csrf_cookie, token)
    user = await account_service.user_for_session(session, token)
    # Templates get a plain copy: an error page renders after the rollback has expired the
    # ORM object, and must still know who is signed in.
    request.state.user = Viewer.of(user) if user is not None else None
    if user is not None:
        # The header's bell shows the unread count on every page.
        request.state.unread_notifications = await notification_service.unread_count(
            session, user.id
        )
        # And the Messages link its unread messages.
        request.state.unread_messages = await inbox_service.unread_total(session, user)
    return user


@dataclass(frozen=True)
class Viewer:
    id: int
    display_name: str
    is_buyer: bool
    is_freelancer: bool
    is_admin: bool

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(user.id, user.display_name, user.is_buyer, user.is_freelancer, user.is_admin)


class LoginRequired(NotAuthenticated):
    """Raised on pages: the error handler sends the browser to the sign-in page."""


async def page_user(user: Annotated[User | None, Depends(page_user_optional)]) -> User:
    if user is None:
        raise LoginRequired("Sign in to continue.")
    return user


async def page_admin(user: Annotated[User, Depends(page_user)]) -> User:
    if not user.is_admin:
        raise Forbidden("This page is for operators only.")
    return user


async def page_freelancer(user: Annotated[User, Depends(page_user)]) -> User:
    if not user.is_freelancer:
        raise Forbidden("This page is for freelancers. Become a seller from your dashboard.")
    return user


def visitor_key(request: Request) -> str:
    """What the search log hashes: the random visitor cookie, else the API token, else the IP."""
    return (
        request.cookies.get(VISITOR_COOKIE)
        or bearer_token(request)
        or (request.client.host if request.client else "unknown")
    )


# Every HTML page: CSRF check on form posts, and the signed-in viewer for the layout.
PAGE_DEPENDENCIES = [Depends(verify_csrf), Depends(page_user_optional)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=120,
        description="Retrying with the same key returns the first result and charges once.",
    ),
]
"""Optional on top-ups, program sign-ups, payouts and orders: a retry with the same key gets
the first result."""

ApiUser = Annotated[User, Depends(api_user)]
ApiUserOptional = Annotated[User | None, Depends(api_user_optional)]
ApiAdmin = Annotated[User, Depends(api_admin)]
PageUser = Annotated[User, Depends(page_user)]
PageUserOptional = Annotated[User | None, Depends(page_user_optional)]
PageAdmin = Annotated[User, Depends(page_admin)]
PageFreelancer = Annotated[User, Depends(page_freelancer)]
