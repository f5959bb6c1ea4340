"""Orders of AI and hybrid work need a trained, active personal model."""

from tests.creation.conftest import active, storage, trained

__all__ = ["active", "storage", "trained"]
