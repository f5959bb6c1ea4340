"""Pure ML code: no database, no web, no settings. Jobs hand it paths and plain values.

One sub-package per modality, each exposing the same entry points (see ``Modality``), listed in
one table. A modality's sub-package is imported only when first used, so reading the table
(e.g. to label a form or check a sample count) costs nothing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from twinwork.ml.hashing import hash_directory, sha256_text


class Modality(Protocol):
    """What every modality sub-package provides (a module satisfies it)."""

    @property
    def name(self) -> str: ...

    @property
    def MIN_TRAINING_SAMPLES(self) -> int: ...

    def plan_training(
        self, n_samples: int, total_chars: int, *, max_steps: int | None = None
    ) -> Any: ...

    def train(self, *args: Any, **kwargs: Any) -> Any: ...

    def evaluate(self, *args: Any, **kwargs: Any) -> Any: ...

    def generate(self, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class ModalitySpec:
    name: str
    label: str
    sample_kinds: tuple[str, ...]
    """Portfolio sample kinds this modality trains on."""
    min_samples: int
    module: str
    """Dotted path of the sub-package implementing ``Modality``."""

    def load(self) -> Modality:
        return cast(Modality, importlib.import_module(self.module))


MODALITIES: dict[str, ModalitySpec] = {
    "text": ModalitySpec(
        name="text",
        label="Writing",
        sample_kinds=("text",),
        # Must equal twinwork.ml.text.MIN_TRAINING_SAMPLES (a test holds them together); not
        # imported from there so that reading this table stays free.
        min_samples=3,
        module="twinwork.ml.text",
    ),
}


def get_modality(name: str) -> ModalitySpec:
    try:
        return MODALITIES[name]
    except KeyError:
        known = ", ".join(sorted(MODALITIES))
        raise ValueError(f"unknown modality {name!r} (known: {known})") from None


if TYPE_CHECKING:
    # Checked by mypy, never run: the text sub-package must keep satisfying the protocol.
    from twinwork.ml import text as _text

    _conforms: Modality = _text


__all__ = [
    "MODALITIES",
    "Modality",
    "ModalitySpec",
    "get_modality",
    "hash_directory",
    "sha256_text",
]
