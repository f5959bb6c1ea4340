"""`make bench`: run every benchmark and print its side-by-side ratios."""

from __future__ import annotations

from bench import (
    assistant_bench,
    design_bench,
    engine_bench,
    engine_http_bench,
    engine_ttft_bench,
    search_bench,
    serving_under_training_bench,
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
    engine_http_bench.main([])
    engine_ttft_bench.main([])
    training_bench.main([])
    serving_under_training_bench.main([])
    style_bench.main([])
    voice_bench.main([])
    assistant_bench.main([])


if __name__ == "__main__":
    main()
