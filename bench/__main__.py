"""`make bench`: run every benchmark and print its side-by-side ratios."""

from __future__ import annotations

from bench import (
    design_bench,
    engine_bench,
    search_bench,
    style_bench,
    text_model_bench,
    training_bench,
    trends_bench,
    voice_bench,
)


def main() -> None:
    search_bench.main()
    trends_bench.main([])
    design_bench.main([])
    text_model_bench.main()
    engine_bench.main([])
    training_bench.main([])
    style_bench.main([])
    voice_bench.main([])


if __name__ == "__main__":
    main()
