"""The notifications page, the bell's target, and the same list through the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from twinwork.kit.pagination import MAX_PAGE
from twinwork.kit.public_ids import NotificationId
from twinwork.notify.schemas import MarkedReadOut, NotificationOut, NotificationPageOut
from twinwork.notify.service import notification_service
from twinwork.web.deps import PAGE_DEPENDENCIES, ApiUser, DbSession, PageUser, writes_on_get
from twinwork.web.templating import render

api = APIRouter(prefix="/api/v1", tags=["notifications"])
pages = APIRouter(dependencies=PAGE_DEPENDENCIES, include_in_schema=False)


@api.get("/notifications", response_model=NotificationPageOut)
async def list_notifications(
    user: ApiUser, session: DbSession, page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1
) -> NotificationPageOut:
    """Your notifications (new orders, deliveries, revision requests, disputes, sales and
    payouts), newest first, with how many are unread."""
    results = await notification_service.page(session, user, page)
    return NotificationPageOut(
        items=[NotificationOut.model_validate(n) for n in results.items],
        page=results.page,
        pages=results.pages,
        total=results.total,
        unread=await notification_service.unread_count(session, user.id),
    )


@api.post("/notifications/read", response_model=MarkedReadOut)
async def mark_notifications_read(user: ApiUser, session: DbSession) -> MarkedReadOut:
    """Mark every notification of yours as read."""
    return MarkedReadOut(marked_read=await notification_service.mark_all_read(session, user))


@pages.get("/notifications")
async def notifications_page(
    request: Request,
    session: DbSession,
    user: PageUser,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    results = await notification_service.page(session, user, page)
    return render(request, "notifications.html", {"results": results})


@pages.get("/notifications/{notification_id}")
@writes_on_get
async def open_notification(
    notification_id: NotificationId, session: DbSession, user: PageUser
) -> Response:
    """Following a notification marks it read and goes where it points."""
    notification = await notification_service.open(session, user, notification_id)
    return RedirectResponse(notification.link or "/notifications", status_code=303)


@pages.post("/notifications/read")
async def mark_read_page(session: DbSession, user: PageUser) -> Response:
    await notification_service.mark_all_read(session, user)
    return RedirectResponse("/notifications", status_code=303)
