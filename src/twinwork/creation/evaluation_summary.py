"""A version's held-out evaluation in plain words and a picture: how close the base model and
the freelancer's own model come to their style, as bars, with one sentence that says what it
means. The raw metrics stay available in a fold on the page.

"Closer to your style" is read from the measure each modality reports for it: for text, the
similarity of what each model writes for standard briefs to the freelancer's portfolio
(sentence embeddings, cosine); for designs, how similar the layouts are to held-out designs
and how close the colours are (100 minus the mean CIEDE2000 colour difference); for voices,
the speaker similarity to held-out recordings (speaker embeddings, cosine).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from twinwork.kit.charts import bar_chart


@dataclass(frozen=True)
class Closeness:
    label: str
    base: float
    """0..100: how close the base model comes."""
    personal: float
    """0..100: how close the freelancer's model comes."""


@dataclass(frozen=True)
class EvaluationSummary:
    verdict: str
    closer: bool | None
    """True: closer than the base; False: not; None: nothing measured to say either."""
    chart: Markup | None
    measures: list[Closeness]


def _percent(value: float) -> float:
    return max(0.0, min(100.0, value * 100))


def closeness(metrics: dict[str, float]) -> list[Closeness]:
    found: list[Closeness] = []

    def pair(key: str) -> tuple[float, float] | None:
        base, personal = metrics.get(f"base_{key}"), metrics.get(f"personal_{key}")
        if base is None or personal is None:
            return None
        return float(base), float(personal)

    if style := pair("style_similarity"):
        found.append(Closeness("Writing style", _percent(style[0]), _percent(style[1])))
    if layout := pair("layout_similarity"):
        found.append(Closeness("Layout", _percent(layout[0]), _percent(layout[1])))
    if colours := pair("palette_distance"):
        base, personal = (max(0.0, 100.0 - d) for d in colours)
        found.append(Closeness("Colours", base, personal))
    # Speaker embeddings of held-out recordings (cosine): how like the freelancer it sounds.
    if speaker := pair("speaker_similarity"):
        found.append(Closeness("Voice", _percent(speaker[0]), _percent(speaker[1])))
    return found


def summarise(metrics: dict[str, float], chart_id: str) -> EvaluationSummary:
    measures = closeness(metrics)
    if not measures:
        return EvaluationSummary(
            "This version has no measure of closeness to your style yet.", None, None, []
        )
    gains = [m.personal - m.base for m in measures]
    flagged = metrics.get("closer_than_base")
    closer = bool(flagged) if flagged is not None else sum(gains) > 0
    main = measures[0]
    if closer:
        verdict = (
            f"Closer to your style than the base model: {main.label.lower()} "
            f"{main.personal:.0f}% like your own work, against {main.base:.0f}% for the base."
        )
    else:
        verdict = (
            f"Not closer to your style yet: {main.label.lower()} {main.personal:.0f}% like "
            f"your own work, against {main.base:.0f}% for the base. Add more of your work "
            "with consent, then train again."
        )
    labels: list[str] = []
    values: list[float] = []
    for m in measures:
        labels += [f"{m.label}: base model", f"{m.label}: your model"]
        values += [round(m.base, 1), round(m.personal, 1)]
    description = "; ".join(
        f"{m.label}: base model {m.base:.0f}%, your model {m.personal:.0f}%" for m in measures
    )
    chart = bar_chart(
        labels,
        values,
        title="How close each model comes to your style (100% is your own work)",
        description=description,
        chart_id=chart_id,
        value_format=lambda v: f"{v:.0f}%",
    )
    return EvaluationSummary(verdict, closer, chart, measures)
