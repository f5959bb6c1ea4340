"""Imports every domain's huey tasks so a consumer knows them all."""

from __future__ import annotations


def register_all() -> None:
    from twinwork.search import tasks as search_tasks  # noqa: F401
