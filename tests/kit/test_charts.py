from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from twinwork.kit.charts import bar_chart, line_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_line_chart_is_an_image_labelled_by_its_title_and_description() -> None:
    svg = parse(
        line_chart(
            ["Jan 5", "Jan 12"], [3.0, 8.0], title="Weekly", description="Two weeks", chart_id="c1"
        )
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "Weekly"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}desc").text == "Two weeks"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}path") is not None
    assert "style=" not in str(line_chart(["a"], [1.0], title="t", description="d"))


def test_every_text_is_escaped() -> None:
    evil = '<script>alert("x")</script> & "quotes"'
    for markup in (
        line_chart([evil, evil], [1.0, 2.0], title=evil, description=evil, chart_id='x" onload="y'),
        bar_chart([evil], [5.0], title=evil, description=evil),
    ):
        assert "<script>" not in str(markup)
        svg = parse(markup)  # still well-formed XML
        assert svg.find(f"{SVG}title").text == evil  # type: ignore[union-attr]
        assert re.fullmatch(r"[A-Za-z0-9_-]+", svg.get("id") or "")


def test_missing_values_break_the_line() -> None:
    svg = parse(line_chart(list("abcde"), [1.0, 2.0, None, 4.0, 5.0], title="t", description="d"))
    assert len(svg.findall(f"{SVG}path")) == 2


def test_a_lone_point_is_drawn_as_a_dot_and_an_empty_chart_renders() -> None:
    assert (
        parse(line_chart(["a", "b", "c"], [None, 2.0, None], title="t", description="d")).find(
            f"{SVG}circle"
        )
        is not None
    )
    assert parse(line_chart([], [], title="t", description="d")).tag == f"{SVG}svg"


def test_the_drawing_is_sized_for_a_phone() -> None:
    svg = parse(bar_chart(["one", "two"], [10.0, -3.0], title="t", description="d"))
    assert svg.get("viewBox", "").startswith("0 0 360 ") and svg.get("height") is None
    assert len(svg.findall(f"{SVG}rect")) == 2


def test_axis_tops_are_round_numbers() -> None:
    assert [nice_ceiling(v) for v in (0, 7, 13, 240, 2400)] == [1, 10, 20, 250, 2500]


def test_labels_and_values_must_match() -> None:
    with pytest.raises(ValueError):
        line_chart(["a"], [], title="t", description="d")
