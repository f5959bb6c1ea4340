"""Personal design models: learning a style, rendering a brief, and the evaluation figures.

Learns a style from a synthetic portfolio of 20 designs (15 raster posts at 1080x1080, 5 SVG),
renders one brief with a photo and a logo in all five ad sizes (PNG + SVG), and evaluates the
style on 5 held-out designs of the same hand against the neutral default style.
Usage: `python -m bench.design_bench [--designs N] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from io import BytesIO

from PIL import Image

from twinwork.ml.design import (
    AD_SIZES,
    default_style,
    evaluate_style,
    generate_designs,
    learn_style,
    read_design,
)
from twinwork.ml.design.demo import NAVY, example_brief, portfolio


def _portfolio(count: int) -> list[bytes]:
    """Raster posts at a real post size; the demo draws them small for the tests."""
    designs = []
    for i, data in enumerate(portfolio(NAVY, count)):
        if data.lstrip().startswith(b"<"):
            designs.append(data)
            continue
        image = Image.open(BytesIO(data)).resize((1080, 1080), Image.Resampling.LANCZOS)
        buffer = BytesIO()
        image.save(buffer, format="PNG" if i % 2 else "JPEG")
        designs.append(buffer.getvalue())
    return designs


def run(designs: int = 20, heldout: int = 5, rounds: int = 5) -> dict[str, object]:
    learn_set = _portfolio(designs)
    held = _portfolio(designs + heldout)[designs:]

    started = time.perf_counter()
    style = learn_style([read_design(d) for d in learn_set])
    cold = time.perf_counter() - started  # includes importing scikit-learn once per process
    learn_times = []
    for _ in range(rounds):
        started = time.perf_counter()
        learn_style([read_design(d) for d in learn_set])
        learn_times.append(time.perf_counter() - started)

    brief = example_brief()
    render_times = []
    for _ in range(rounds):
        started = time.perf_counter()
        generated = generate_designs(style, brief, sizes=AD_SIZES, variants=1)
        render_times.append(time.perf_counter() - started)
    assert len(generated) == len(AD_SIZES)

    started = time.perf_counter()
    metrics, _ = evaluate_style(style, default_style(), [read_design(d) for d in held])
    evaluate_seconds = time.perf_counter() - started
    return {
        "designs": designs,
        "learn_cold_seconds": cold,
        "learn_seconds": statistics.median(learn_times),
        "render_seconds": statistics.median(render_times),
        "evaluate_seconds": evaluate_seconds,
        "metrics": metrics,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--designs", type=int, default=20)
    parser.add_argument("--heldout", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    r = run(args.designs, args.heldout, args.rounds)
    m = r["metrics"]
    assert isinstance(m, dict)
    print("design model (synthetic portfolio, navy house style)")
    print(
        f"  learn a style from {r['designs']} designs: {r['learn_seconds']:.2f} s "
        f"(median of {args.rounds}; first run in a process {r['learn_cold_seconds']:.2f} s)"
    )
    print(
        f"  render one brief in all {len(AD_SIZES)} sizes, PNG + SVG: "
        f"{r['render_seconds']:.2f} s (median of {args.rounds})"
    )
    print(f"  evaluate on {args.heldout} held-out designs: {r['evaluate_seconds']:.2f} s")
    print(f"    {'metric':<28} {'default':>9} {'personal':>9}")
    for name in (
        "palette_distance",
        "layout_similarity",
        "layout_overlap",
        "overlapping_text_boxes",
        "layout_alignment",
        "layout_validity",
        "min_contrast_ratio",
        "aa_contrast_share",
    ):
        print(f"    {name:<28} {m[f'base_{name}']:>9.4g} {m[f'personal_{name}']:>9.4g}")


if __name__ == "__main__":
    main()
