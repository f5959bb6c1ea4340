"""Tiny synthetic designs with known palettes and layouts (drawn by ``ml.design.demo``), and
the same as the registry's training samples."""

from __future__ import annotations

import hashlib
from pathlib import Path

from twinwork.ml.design.demo import (  # noqa: F401  # re-exported for the tests
    MINT,
    NAVY,
    SyntheticPalette,
    logo_bytes,
    photo_bytes,
    raster_design,
    svg_design,
)
from twinwork.ml.registry import TrainingSample


def design_samples(
    directory: Path, designs: list[bytes], *, start_id: int = 1
) -> list[TrainingSample]:
    directory.mkdir(parents=True, exist_ok=True)
    samples = []
    for i, data in enumerate(designs):
        suffix = "svg" if data.lstrip().startswith(b"<") else "png"
        path = directory / f"design-{start_id + i}.{suffix}"
        path.write_bytes(data)
        samples.append(
            TrainingSample(
                sample_id=start_id + i,
                content_hash=hashlib.sha256(data).hexdigest(),
                kind="design",
                path=path,
            )
        )
    return samples
