"""The personal design model on tiny synthetic portfolios drawn in the test."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import defusedxml.ElementTree as SafeET
import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.ml.design.factories import (
    MINT,
    NAVY,
    design_samples,
    logo_bytes,
    photo_bytes,
    raster_design,
    svg_design,
)
from twinwork.ml.design import (
    AD_SIZES,
    Brief,
    BriefImageError,
    HeadlineTooLong,
    Style,
    TextDoesNotFit,
    UnreadableDesign,
    ad_size,
    default_style,
    entry,
    generate_designs,
    generate_files,
    learn_style,
    read_design,
    style_picture,
    watermarked_preview,
)
from twinwork.ml.design.color import ciede2000, contrast_ratio, delta_e
from twinwork.ml.design.config import DesignPlan
from twinwork.ml.design.evaluation import layout_quality
from twinwork.ml.design.style import PaletteColor
from twinwork.ml.design.typography import FONTS, available_fonts, load_font
from twinwork.ml.registry import (
    EvaluateRequest,
    GenerateRequest,
    ModelEnvironment,
    TrainingCancelled,
    TrainRequest,
)

BRIEF = Brief(
    headline="Autumn menu, cooked slowly",
    body="Seasonal plates from local farms, every evening from six. Book a table for two.",
    cta="Book now",
    logo=logo_bytes(),
    photo=photo_bytes(),
)


@pytest.fixture(scope="module")
def navy_designs() -> list[bytes]:
    return [raster_design(NAVY, index=i) for i in range(4)] + [
        svg_design(NAVY, index=i) for i in range(2)
    ]


@pytest.fixture(scope="module")
def navy_style(navy_designs: list[bytes]) -> Style:
    return learn_style([read_design(d) for d in navy_designs])


def test_ciede2000_matches_published_reference_pairs() -> None:
    # Sharma, Wu and Dalal (2005), pairs 1, 7 and 17.
    pairs = [
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
    ]
    for lab1, lab2, expected in pairs:
        assert float(ciede2000(np.array(lab1), np.array(lab2))) == pytest.approx(expected, abs=1e-4)


def test_style_recovers_palette_roles_from_raster_and_svg(navy_style: Style) -> None:
    expected = {
        "background": NAVY.background,
        "primary": NAVY.primary,
        "accent": NAVY.accent,
        "text": NAVY.text,
    }
    for role, hex_ in expected.items():
        assert delta_e(navy_style.color(role), hex_) < 5, (role, navy_style.color(role))
    weights = [c.weight for c in navy_style.palette]
    assert all(0 <= w <= 1 for w in weights)
    assert navy_style.palette[0].role == "background"


def test_svg_fonts_and_corner_radius_are_learned(navy_style: Style) -> None:
    # Mixed portfolio: the raster posts' bold headlines are measured as a bold face.
    headline = navy_style.font("headline")
    assert headline.weight == 700 and headline.render_font.endswith("-bold")
    svg_only = learn_style([read_design(svg_design(NAVY, index=i)) for i in range(2)])
    assert svg_only.font("headline").family == "Playfair Display"
    assert svg_only.font("headline").weight == 700
    assert svg_only.font("headline").render_font == "serif-bold"
    assert svg_only.font("body").family == "Inter"
    assert svg_only.shapes.shape == "rounded"
    assert svg_only.shapes.corner_radius == pytest.approx(24 / 90, abs=0.01)
    pill = learn_style([read_design(svg_design(NAVY, radius=45))])
    assert pill.shapes.shape == "pill"


def test_raster_layout_finds_elements_and_alignment() -> None:
    left = read_design(raster_design(NAVY, index=0, align="left"))
    roles = {e.role: e for e in left.elements}
    assert set(roles) >= {"headline", "body", "cta", "image"}
    assert roles["headline"].box.y < roles["body"].box.y < roles["cta"].box.y
    assert roles["image"].box.x > 0.5 and roles["image"].box.y > 0.4
    assert roles["headline"].align == "left"
    centred = learn_style(
        [read_design(raster_design(MINT, index=i, align="center", photo=False)) for i in range(3)]
    )
    assert centred.layout.alignment == "center"
    # WebP and JPEG go through the same reading.
    assert read_design(raster_design(MINT, fmt="WEBP")).element("headline") is not None
    assert read_design(raster_design(MINT, fmt="JPEG")).element("headline") is not None


def test_style_json_round_trips_and_locks_colours(navy_style: Style, tmp_path: Path) -> None:
    navy_style.save(tmp_path)
    data = json.loads((tmp_path / "style.json").read_text())
    assert {"hex", "role", "weight", "locked"} <= set(data["palette"][0])
    assert Style.load(tmp_path) == navy_style
    locked = navy_style.with_locked_colors({"accent": "#00aa55"})
    assert locked.color("accent") == "#00AA55"
    assert next(c for c in locked.palette if c.role == "accent").locked
    with pytest.raises(ValueError, match="unknown palette role"):
        navy_style.with_locked_colors({"sparkle": "#000000"})


def test_generator_renders_all_five_sizes_as_png_and_svg(navy_style: Style) -> None:
    files = generate_files(navy_style, BRIEF, variants=1)
    by_name = {f.name: f for f in files}
    for size in AD_SIZES:
        png = by_name[f"{size.label}-v1.png"]
        image = Image.open(BytesIO(png.content))
        assert image.format == "PNG" and image.size == (size.width, size.height)
        svg = SafeET.fromstring(by_name[f"{size.label}-v1.svg"].content)
        assert svg.attrib["width"] == str(size.width) and svg.attrib["height"] == str(size.height)
        texts = [el for el in svg.iter() if el.tag.endswith("text")]
        assert any("Autumn" in (t.text or "") for t in texts)


def _styles(navy_style: Style) -> list[Style]:
    # A palette whose own text colour fails on its background must still come out legible.
    clash = Style(
        palette=(
            PaletteColor("#777777", "background", 0.8),
            PaletteColor("#7A7A7A", "primary", 0.1),
            PaletteColor("#808080", "accent", 0.05),
            PaletteColor("#858585", "text", 0.05),
        ),
        fonts=navy_style.fonts,
        layout=navy_style.layout,
        shapes=navy_style.shapes,
        designs=1,
    )
    return [navy_style, default_style(), clash]


def test_text_never_overflows_and_always_reaches_aa_contrast(navy_style: Style) -> None:
    for style in _styles(navy_style):
        for design in generate_designs(style, BRIEF, variants=3, seed=7):
            c = design.composition
            canvas = (0, 0, c.size.width, c.size.height)
            for block in c.texts():
                font = load_font(block.font_key, block.px)
                for line, (x, y) in zip(block.lines, block.baselines, strict=True):
                    left, top, right, bottom = font.getbbox(line, anchor="ls")
                    ink = (x + left, y + top, x + right, y + bottom)
                    box = block.box
                    assert ink[0] >= box.x - 1 and ink[2] <= box.right + 1, (c.size, line)
                    assert ink[1] >= box.y and ink[3] <= box.bottom, (c.size, line)
                    assert ink[0] >= canvas[0] and ink[2] <= canvas[2]
                    assert ink[1] >= canvas[1] and ink[3] <= canvas[3]
                assert contrast_ratio(block.color, block.background) >= 4.5
            quality = layout_quality(c)
            assert quality.overlapping_text_boxes == 0, c.size
            assert quality.validity == 1.0
            assert quality.min_contrast >= 4.5


def test_headline_too_long_for_leaderboard_names_the_size(navy_style: Style) -> None:
    long_brief = Brief(headline=" ".join(["Unbelievable"] * 40), cta="Go")
    with pytest.raises(HeadlineTooLong, match="728x90") as caught:
        generate_designs(navy_style, long_brief, sizes=[ad_size("728x90")], variants=1)
    assert caught.value.size.label == "728x90"
    assert isinstance(caught.value, TextDoesNotFit)
    # The same headline still fits a square post, shrunk and wrapped.
    generate_designs(navy_style, long_brief, sizes=[ad_size("1080x1080")], variants=1)


def test_same_seed_gives_identical_files_and_variants_differ(navy_style: Style) -> None:
    first = generate_files(navy_style, BRIEF, variants=2, seed=3)
    again = generate_files(navy_style, BRIEF, variants=2, seed=3)
    assert [(f.name, f.content) for f in first] == [(f.name, f.content) for f in again]
    pngs = {f.name: f.content for f in first}
    assert pngs["1080x1080-v1.png"] != pngs["1080x1080-v2.png"]


def test_pictures_of_the_style_and_watermarked_preview(navy_style: Style) -> None:
    picture = Image.open(BytesIO(style_picture(navy_style)))
    assert picture.format == "PNG"
    full = generate_designs(navy_style, BRIEF, sizes=[AD_SIZES[0]], variants=1)[0].png
    preview = Image.open(BytesIO(watermarked_preview(full)))
    assert max(preview.size) == 540
    original = Image.open(BytesIO(full)).convert("RGB").resize(preview.size)
    changed = np.abs(np.asarray(preview, dtype=int) - np.asarray(original, dtype=int)).sum(axis=2)
    assert (changed > 60).mean() > 0.02  # the mark is visible across the picture


def test_training_evaluation_and_generation_through_the_modality_shape(
    tmp_path: Path,
) -> None:
    designs = [raster_design(NAVY, index=i) for i in range(6)] + [
        svg_design(NAVY, index=i) for i in range(3)
    ]
    excluded_design = raster_design(MINT, index=9)
    samples = design_samples(tmp_path / "samples", designs + [excluded_design])
    plan = entry.plan(type("P", (), {"samples": samples, "max_steps": None})())  # type: ignore[arg-type]
    config = DesignPlan(
        palette_size=plan.palette_size,
        locked_colors={"text": "#F5F1E6"},
        excluded_designs=(samples[-1].content_hash,),
    )
    environment = ModelEnvironment(cache_dir=tmp_path / "cache")
    outcome = entry.train(
        TrainRequest(
            config=config,
            samples=samples,
            environment=environment,
            out_dir=tmp_path / "model",
            checkpoint_dir=tmp_path / "ckpt",
        )
    )
    assert (outcome.adapter_dir / "style.json").is_file()
    assert (outcome.adapter_dir / "style.png").is_file()
    used = {s.content_hash for s in outcome.trained + outcome.heldout}
    assert samples[-1].content_hash not in used
    assert outcome.heldout
    style = Style.load(outcome.adapter_dir)
    assert style.color("text") == "#F5F1E6"

    result = entry.evaluate(
        EvaluateRequest(
            config=config,
            environment=environment,
            trained=outcome,
            portfolio=samples,
            briefs=3,
        )
    )
    m = result.metrics
    assert m["personal_palette_distance"] < m["base_palette_distance"] - 10
    assert m["personal_layout_similarity"] > m["base_layout_similarity"]
    assert m["layout_overlap"] == 0.0
    assert m["overlapping_text_boxes"] == 0.0
    assert m["min_contrast_ratio"] >= 4.5
    assert m["aa_contrast_share"] == 1.0
    assert len(result.outputs) == 3 and result.outputs[0]["personal"].startswith("<svg")

    svg = entry.generate(
        GenerateRequest(
            environment=environment,
            brief="Winter sale\nEverything half price this week.\nShop now",
            adapter_dir=outcome.adapter_dir,
            seed=1,
        )
    )
    assert "Winter sale" in svg and NAVY.background.upper() in svg


def test_unreadable_or_hostile_files_raise_a_clear_error() -> None:
    with pytest.raises(UnreadableDesign, match="not a readable"):
        read_design(b"\x00\x01 definitely not a design")
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>&b;</text></svg>'
    )
    with pytest.raises(UnreadableDesign):
        read_design(laughs)
    with pytest.raises(BriefImageError, match="photo"):
        generate_designs(
            default_style(), Brief("Hello", photo=b"<svg/>"), sizes=[AD_SIZES[0]], variants=1
        )


def test_plain_text_brief_is_read_as_headline_body_and_call_to_action() -> None:
    brief = Brief.from_text("Winter sale\nEverything half price.\nAll week long.\nShop now")
    assert (brief.headline, brief.body, brief.cta) == (
        "Winter sale",
        "Everything half price. All week long.",
        "Shop now",
    )
    as_json = Brief.from_text('{"headline": "Hi", "cta": "Go"}')
    assert (as_json.headline, as_json.body, as_json.cta) == ("Hi", "", "Go")
    with pytest.raises(ValueError, match="headline"):
        Brief.from_text("   ")


@pytest.mark.skipif(
    len(available_fonts()) < len(FONTS), reason="needs the fonts-dejavu-core package"
)
@pytest.mark.parametrize(
    ("headline_font", "body_font"), [("serif-bold", "sans"), ("sans-light", "condensed")]
)
def test_raster_type_is_matched_to_the_closest_bundled_font(
    headline_font: str, body_font: str
) -> None:
    image = Image.new("RGB", (1080, 1080), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text((80, 100), "Grand opening", font=load_font(headline_font, 90), fill=(20, 20, 20))
    draw.text(
        (80, 300),
        "Come and see the new place this weekend",
        font=load_font(body_font, 36),
        fill=(20, 20, 20),
    )
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    style = learn_style([read_design(buffer.getvalue())])
    assert style.font("headline").render_font == headline_font
    assert style.font("headline").source == "measured"
    assert style.font("body").render_font == body_font


def test_svg_sets_every_line_where_the_png_does(navy_style: Style) -> None:
    for design in generate_designs(navy_style, BRIEF, variants=1):
        svg = SafeET.fromstring(design.svg)
        in_svg = sorted(
            (int(t.attrib["x"]), int(t.attrib["y"]), t.text or "")
            for t in svg.iter()
            if t.tag.endswith("text")
        )
        in_png = sorted(
            (x, y, line)
            for block in design.composition.texts()
            for line, (x, y) in zip(block.lines, block.baselines, strict=True)
        )
        assert in_svg == in_png
        kinds = {el.attrib.get("data-role") for el in svg.iter()}
        expected = {"background", "headline", "body", "cta", "image", "logo"}
        assert expected - set(design.composition.omitted) <= kinds


def test_training_reports_progress_and_stops_when_asked(tmp_path: Path) -> None:
    samples = design_samples(tmp_path / "samples", [raster_design(NAVY, index=i) for i in range(5)])
    seen: list[int] = []
    environment = ModelEnvironment(cache_dir=tmp_path / "cache")
    with pytest.raises(TrainingCancelled):
        entry.train(
            TrainRequest(
                config=DesignPlan(),
                samples=samples,
                environment=environment,
                out_dir=tmp_path / "model",
                checkpoint_dir=tmp_path / "ckpt",
                on_progress=lambda p: seen.append(p.step),
                should_stop=lambda: len(seen) >= 2,
            )
        )
    assert seen == [1, 2]
    assert not (tmp_path / "model").exists()


def test_named_svg_layers_decide_the_roles() -> None:
    svg = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 800">
      <rect width="800" height="800" fill="#FFFFFF"/>
      <g id="Body copy"><text x="40" y="120" font-size="60" fill="#222222">Big body text</text></g>
      <g id="Headline"><text x="40" y="400" font-size="30" fill="#AA0000">Small title</text></g>
      <g transform="translate(600, 640)"><image id="logo" width="120" height="120"/></g>
    </svg>"""
    observation = read_design(svg)
    headline = observation.element("headline")
    body = observation.element("body")
    logo = observation.element("logo")
    assert headline is not None and headline.color == "#AA0000"
    assert body is not None and body.color == "#222222"
    assert logo is not None and logo.box.x == pytest.approx(0.75)
