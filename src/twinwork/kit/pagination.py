"""Page arithmetic shared by lists and search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from twinwork.kit.errors import NotFound

T = TypeVar("T")

MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def check_page_in_range(page: int, page_size: int, total: int) -> None:
    """Page 1 always exists (it may be empty); a page past the end is a clear 404."""
    pages = max(1, -(-total // page_size))
    if page > pages:
        raise NotFound(
            f"Page {page} does not exist: there {'is' if pages == 1 else 'are'} "
            f"{pages} page{'' if pages == 1 else 's'} of results.",
            field="page",
        )
