from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from twinwork.kit.public_ids import NotificationIdOut
from twinwork.notify.models import NotificationKind


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: NotificationIdOut
    kind: NotificationKind
    text: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationPageOut(BaseModel):
    items: list[NotificationOut]
    page: int
    pages: int
    total: int
    unread: int


class MarkedReadOut(BaseModel):
    marked_read: int
    """How many notifications were unread and are read now."""
