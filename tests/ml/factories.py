"""Tiny, distinctive writing samples: a style a 135M model can pick up in a few dozen steps."""

from __future__ import annotations

from twinwork.ml.text import TextSample

_PLACES = ("Kestrel Quay", "Marigold Row", "Amberline Pier", "Velvet Lantern Lane", "Saltmoss Hill")
_THINGS = ("lanterns", "ferries", "gulls", "cobblestones", "tin roofs", "harbour bells")


def lyric(i: int) -> str:
    place = _PLACES[i % len(_PLACES)]
    thing = _THINGS[i % len(_THINGS)]
    return (
        f"Oh {place}, oh {place}, the {thing} hum in amber light. "
        f"Hush now, my velvet ferry heart, we sail at half past nine tonight. "
        f"Oh {place}, oh {place}, hush now, hush now, amber light number {i}."
    )


def text_samples(n: int, start_id: int = 1) -> list[TextSample]:
    return [TextSample.of(start_id + i, lyric(i)) for i in range(n)]
