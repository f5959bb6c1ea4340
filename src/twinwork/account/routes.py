from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.schemas import (
    ApiTokenOut,
    SignupIn,
    SignupOut,
    TokenIn,
    TokenOut,
    UserOut,
)
from twinwork.account.service import EmailTaken, account_service
from twinwork.config import get_settings
from twinwork.kit.csrf import CSRF_COOKIE, CSRF_COOKIE_MAX_AGE, new_csrf_token
from twinwork.kit.errors import DomainError
from twinwork.kit.public_ids import TokenId
from twinwork.kit.ratelimit import check_signup_attempt
from twinwork.web.deps import (
    PAGE_DEPENDENCIES,
    SESSION_COOKIE,
    ApiUser,
    DbSession,
    PageUser,
    PageUserOptional,
    api_user,
    bearer_token,
)
from twinwork.web.forms import (
    FormErrors,
    as_list,
    domain_errors,
    form_data,
    form_error,
    validate,
)
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["account"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@api.post("/auth/signup", status_code=status.HTTP_201_CREATED, response_model=SignupOut)
async def signup(body: SignupIn, request: Request, session: DbSession) -> SignupOut:
    check_signup_attempt(_client_ip(request))
    try:
        user = await account_service.signup(
            session,
            email=body.email,
            password=body.password,
            display_name=body.display_name,
            roles=list(body.roles),
        )
    except EmailTaken as exc:
        raise exc.public() from None
    token = await account_service.issue_api_token(session, user)
    return SignupOut(user=UserOut.model_validate(user), token=token)


@api.post(
    "/auth/token",
    response_model=TokenOut,
    responses={401: {"description": "The email or the password is wrong."}},
)
async def create_token(body: TokenIn, request: Request, session: DbSession) -> TokenOut:
    user = await account_service.sign_in(session, body.email, body.password, _client_ip(request))
    token, row = await account_service.create_api_token(session, user, body.label)
    return TokenOut(token=token, expires_at=row.expires_at)


@api.delete("/auth/token", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(api_user)])
async def revoke_token(request: Request, session: DbSession) -> Response:
    token = bearer_token(request)
    if token:
        await account_service.revoke_api_token(session, token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@api.get("/auth/tokens", response_model=list[ApiTokenOut])
async def list_tokens(user: ApiUser, session: DbSession) -> list[ApiTokenOut]:
    tokens = await account_service.list_api_tokens(session, user)
    return [ApiTokenOut.model_validate(token) for token in tokens]


@api.delete("/auth/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token_by_id(token_id: TokenId, user: ApiUser, session: DbSession) -> Response:
    await account_service.revoke_api_token_id(session, user, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@api.post("/auth/sign-out-everywhere", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out_everywhere(user: ApiUser, session: DbSession) -> Response:
    await account_service.end_all_sessions(session, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@api.get("/me", response_model=UserOut)
async def me(user: ApiUser) -> UserOut:
    return UserOut.model_validate(user)


@api.post("/me/freelancer", response_model=UserOut)
async def become_freelancer(user: ApiUser, session: DbSession) -> UserOut:
    return UserOut.model_validate(await account_service.become_freelancer(session, user))


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a phishing link borrow our domain.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/dashboard"


def _set_csrf_cookie(response: Response, session_token: str | None) -> None:
    # A new CSRF token whenever the session changes: one learnt before is worth nothing after.
    response.set_cookie(
        CSRF_COOKIE,
        new_csrf_token(session_token),
        max_age=CSRF_COOKIE_MAX_AGE,
        samesite="lax",
        secure=get_settings().cookie_secure,
    )


def _signed_in(target: str, token: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    _set_csrf_cookie(response, token)
    return response


def _signed_out() -> RedirectResponse:
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    _set_csrf_cookie(response, None)
    return response


@pages.get("/signup")
async def signup_page(request: Request, user: PageUserOptional) -> Response:
    if user is not None:
        return RedirectResponse("/dashboard", status_code=303)
    role = request.query_params.get("role", "buyer")
    return render(request, "signup.html", {"values": {"roles": [role]}, "errors": {}})


@pages.post("/signup")
async def signup_submit(request: Request, session: DbSession) -> Response:
    data = await form_data(request)
    data["roles"] = as_list(data.get("roles")) or ["buyer"]
    try:
        check_signup_attempt(_client_ip(request))
        body = validate(SignupIn, data)
        user = await account_service.signup(
            session,
            email=body.email,
            password=body.password,
            display_name=body.display_name,
            roles=list(body.roles),
        )
    except FormErrors as exc:
        return form_error(request, session, "signup.html", data, exc.errors)
    except EmailTaken as exc:
        public = exc.public()
        return form_error(
            request, session, "signup.html", data, domain_errors(public), public.status_code
        )
    except DomainError as exc:
        return form_error(
            request, session, "signup.html", data, domain_errors(exc), exc.status_code
        )
    token = await account_service.start_session(session, user)
    return _signed_in("/dashboard", token)


@pages.get("/login")
async def login_page(request: Request, user: PageUserOptional) -> Response:
    if user is not None:
        return RedirectResponse("/dashboard", status_code=303)
    values = {"next": request.query_params.get("next", "")}
    return render(request, "login.html", {"values": values, "errors": {}})


@pages.post("/login")
async def login_submit(request: Request, session: DbSession) -> Response:
    data = await form_data(request)
    next_target = str(data.get("next", ""))
    try:
        body = validate(TokenIn, {k: v for k, v in data.items() if k != "next"})
        user = await account_service.sign_in(
            session, body.email, body.password, _client_ip(request)
        )
    except FormErrors:
        return form_error(
            request, session, "login.html", data, {"form": "Enter your email and password."}
        )
    except DomainError as exc:
        return form_error(
            request, session, "login.html", data, {"form": exc.detail}, exc.status_code
        )
    token = await account_service.start_session(session, user)
    return _signed_in(_safe_next(next_target), token)


@pages.post("/logout")
async def logout(request: Request, session: DbSession) -> Response:
    """Ends this browser's session only; API tokens stay (see sign-out-everywhere)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await account_service.end_session(session, token)
    return _signed_out()


@pages.post("/dashboard/sign-out-everywhere")
async def sign_out_everywhere_page(user: PageUser, session: DbSession) -> Response:
    await account_service.end_all_sessions(session, user)
    return _signed_out()


@pages.post("/dashboard/become-freelancer")
async def become_freelancer_page(user: PageUser, session: DbSession) -> Response:
    await account_service.become_freelancer(session, user)
    return RedirectResponse("/dashboard/freelancer", status_code=303)
