"""`make bench`: run every benchmark and print its side-by-side ratios."""

from __future__ import annotations

from bench import design_bench, search_bench, text_model_bench, trends_bench


def main() -> None:
    search_bench.main()
    trends_bench.main([])
    design_bench.main([])
    text_model_bench.main()


if __name__ == "__main__":
    main()
