from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response

from twinwork.account.schemas import SignupIn, SignupOut, TokenIn, TokenOut, UserOut
from twinwork.account.service import account_service
from twinwork.config import get_settings
from twinwork.kit.errors import DomainError
from twinwork.kit.ratelimit import check_login_attempt
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
async def signup(body: SignupIn, session: DbSession) -> SignupOut:
    user = await account_service.signup(
        session,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        roles=list(body.roles),
    )
    token = await account_service.issue_api_token(session, user)
    return SignupOut(user=UserOut.model_validate(user), token=token)


@api.post("/auth/token", response_model=TokenOut)
async def create_token(body: TokenIn, request: Request, session: DbSession) -> TokenOut:
    check_login_attempt(_client_ip(request), body.email)
    user = await account_service.authenticate(session, body.email, body.password)
    return TokenOut(token=await account_service.issue_api_token(session, user))


@api.delete("/auth/token", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(api_user)])
async def revoke_token(request: Request, session: DbSession) -> Response:
    token = bearer_token(request)
    if token:
        await account_service.revoke_api_token(session, token)
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
        check_login_attempt(_client_ip(request), body.email)
        user = await account_service.authenticate(session, body.email, body.password)
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
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await account_service.end_session(session, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@pages.post("/dashboard/become-freelancer")
async def become_freelancer_page(user: PageUser, session: DbSession) -> Response:
    await account_service.become_freelancer(session, user)
    return RedirectResponse("/dashboard/freelancer", status_code=303)
