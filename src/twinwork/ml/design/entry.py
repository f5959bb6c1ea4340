"""The design modality's entry points in the registry's shapes: requests in, files out.

Not registered yet: the registry's ``generate`` returns text, and a design is files. ``generate``
below answers with the square design's SVG so the shape fits today; ``generate_files_for``
gives every size as PNG + SVG files.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from twinwork.ml.design.brief import AD_SIZES, AdSize, Brief
from twinwork.ml.design.compose import compose
from twinwork.ml.design.config import SAMPLE_KINDS, DesignPlan, plan_design, split_heldout
from twinwork.ml.design.defaults import DEFAULT_STYLE_ID, default_style
from twinwork.ml.design.evaluation import STANDARD_BRIEFS, evaluate_style
from twinwork.ml.design.generator import GeneratedFile, generate_files
from twinwork.ml.design.learn import learn_style
from twinwork.ml.design.observation import DesignObservation
from twinwork.ml.design.preview import style_picture
from twinwork.ml.design.reader import UnreadableDesign, read_design
from twinwork.ml.design.render import render_svg
from twinwork.ml.design.style import Style
from twinwork.ml.registry import (
    EvaluateRequest,
    EvaluationResult,
    GenerateRequest,
    PlanRequest,
    TrainingCancelled,
    TrainingProgress,
    TrainingSample,
    TrainOutcome,
    TrainRequest,
)

STYLE_PICTURE = "style.png"


def plan(request: PlanRequest) -> DesignPlan:
    return plan_design(len([s for s in request.samples if s.kind in SAMPLE_KINDS]))


def read_sample(sample: TrainingSample) -> DesignObservation:
    if sample.path is None:
        raise UnreadableDesign(f"design sample {sample.sample_id} has no file")
    try:
        return read_design(sample.path.read_bytes())
    except ValueError as exc:
        raise UnreadableDesign(f"design sample {sample.sample_id}: {exc}") from exc


def train(request: TrainRequest[DesignPlan]) -> TrainOutcome:
    """Hold out a few designs, learn the style from the rest, and write ``style.json`` (with a
    picture of it) as the model's artifact directory."""
    config = request.config
    excluded = set(config.excluded_designs)
    usable = [
        s for s in request.samples if s.kind in SAMPLE_KINDS and s.content_hash not in excluded
    ]
    if not usable:
        raise ValueError("no design samples left to learn from")
    learn_set, heldout = split_heldout(usable, config)
    observations: list[DesignObservation] = []
    started = time.monotonic()
    total = len(learn_set)
    # Reading the designs is the whole cost (tens of milliseconds each): no checkpoint is kept,
    # a cancelled run simply starts again.
    for step, sample in enumerate(learn_set, start=1):
        if request.should_stop():
            raise TrainingCancelled(step - 1)
        observations.append(read_sample(sample))
        elapsed = time.monotonic() - started
        eta = elapsed / step * (total - step)
        request.on_progress(TrainingProgress(step, total, None, elapsed, eta, "training"))
    style = learn_style(
        observations,
        palette_size=config.palette_size,
        seed=config.seed,
        locked_colors=config.locked_colors,
        excluded=tuple(sorted(excluded)),
    )
    elapsed = time.monotonic() - started
    request.on_progress(TrainingProgress(total, total, None, elapsed, 0.0, "saving"))
    save_style(style, request.out_dir)
    return TrainOutcome(
        adapter_dir=request.out_dir,
        base_model_id=DEFAULT_STYLE_ID,
        trained=tuple(learn_set),
        heldout=tuple(heldout),
        steps=len(learn_set),
        final_loss=None,
    )


def save_style(style: Style, out_dir: Path) -> None:
    """Write the artifact next to its final place and swap it in whole, so a reader never
    sees half a style."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    style.save(staging)
    (staging / STYLE_PICTURE).write_bytes(style_picture(style))
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)


def evaluate(request: EvaluateRequest[DesignPlan]) -> EvaluationResult:
    trained = request.trained
    style = Style.load(trained.adapter_dir)
    # Without a held-out design (a minimal portfolio), one learned design still shows whether
    # anything was learned at all.
    samples = trained.heldout or trained.trained[:1]
    metrics, outputs = evaluate_style(
        style,
        default_style(),
        [read_sample(s) for s in samples],
        briefs=STANDARD_BRIEFS[: max(request.briefs, 1)],
        seed=request.config.seed,
    )
    return EvaluationResult(metrics=metrics, outputs=outputs)


def load_style(adapter_dir: Path | None) -> Style:
    """The personal style, or the neutral default where there is no personal model."""
    return Style.load(adapter_dir) if adapter_dir is not None else default_style()


def generate(request: GenerateRequest) -> str:
    """The square design's SVG for a plain-text brief (the registry's shape today). Without a
    seed it is the style's most faithful variant; a seed picks one of the others."""
    style = load_style(request.adapter_dir)
    seed = request.seed
    variant = 0 if seed is None else 1 + seed % 4
    composition = compose(
        style, Brief.from_text(request.brief), AD_SIZES[0], variant=variant, seed=seed or 0
    )
    return render_svg(composition)


def generate_files_for(
    request: GenerateRequest,
    brief: Brief | None = None,
    *,
    sizes: Sequence[AdSize] = AD_SIZES,
    variants: int = 3,
) -> list[GeneratedFile]:
    """Every size and variant as PNG + SVG files; ``brief`` carries the logo and photo the
    plain-text request cannot."""
    return generate_files(
        load_style(request.adapter_dir),
        brief or Brief.from_text(request.brief),
        sizes=sizes,
        variants=variants,
        seed=request.seed or 0,
    )
