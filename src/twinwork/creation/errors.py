"""Creation's domain errors, in a module of their own: the domains built on creation
(generation, orders) raise and catch them without importing creation's service."""

from __future__ import annotations

from twinwork.kit.errors import DomainError


class ModelGone(DomainError):
    status_code = 410
    title = "Model erased"
    type_slug = "model-erased"
