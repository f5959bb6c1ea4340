"""Learning a palette: area-weighted k-means in CIELAB, then a role for each colour.

Clustering in CIELAB rather than RGB makes "close" mean close to the eye; weighting by area
makes a background count for more than the anti-aliased fringe of a letter. Each design is
normalised to the same total weight, so one large poster does not drown twenty small posts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from twinwork.ml.design.color import (
    chroma,
    ciede2000,
    contrast_ratio,
    lab_to_rgb,
    parse_hex,
    rgb_to_lab,
    to_hex,
)
from twinwork.ml.design.observation import ColorSample, DesignObservation
from twinwork.ml.design.style import ROLES, PaletteColor

# Colours within this CIEDE2000 distance of a cluster's heaviest colour define its centre; the
# plain k-means centre would mix a colour with its anti-aliasing fringe into a muddy average.
_CORE_DELTA_E = 12.0
_HINT_FOR_ROLE = {
    "background": "background",
    "text": "text",
    "accent": "accent",
    "primary": "headline",
}


def learn_palette(
    observations: Sequence[DesignObservation],
    *,
    size: int,
    seed: int,
    locked: Mapping[str, str] | None = None,
) -> tuple[PaletteColor, ...]:
    samples: list[ColorSample] = []
    weights: list[float] = []
    for obs in observations:
        total = sum(c.weight for c in obs.colors) or 1.0
        for c in obs.colors:
            samples.append(c)
            weights.append(c.weight / total)
    if not samples:
        raise ValueError("no colours to learn a palette from")
    labs = rgb_to_lab(np.array([parse_hex(s.hex) for s in samples], dtype=np.float64))
    w = np.array(weights) + 1e-6
    labels = _cluster(labs, w, size, seed)
    clusters = sorted(set(labels.tolist()))

    def centre(members: np.ndarray) -> str:
        heaviest = members[np.argmax(w[members])]
        near = members[ciede2000(labs[members], labs[heaviest]) < _CORE_DELTA_E]
        lab = np.average(labs[near], axis=0, weights=w[near])
        return to_hex(lab_to_rgb(lab))

    cluster_hex = {c: centre(np.flatnonzero(labels == c)) for c in clusters}
    cluster_weight = {c: float(w[labels == c].sum() / w.sum()) for c in clusters}
    # How many times each cluster was seen in each role, across designs.
    hint_count = {
        c: {
            hint: sum(1 for i in np.flatnonzero(labels == c) if samples[i].hint == hint)
            for hint in _HINT_FOR_ROLE.values()
        }
        for c in clusters
    }

    def role_hex(cluster: int, hint: str) -> str:
        # The colour actually used in that role, not the cluster's centre.
        members = [i for i in np.flatnonzero(labels == cluster) if samples[i].hint == hint]
        if not members:
            return cluster_hex[cluster]
        lab = np.average(labs[members], axis=0, weights=w[members])
        return to_hex(lab_to_rgb(lab))

    remaining = list(clusters)
    chosen: dict[str, tuple[str, float]] = {}

    def take(role: str, fallback_key: Callable[[int], float]) -> None:
        hint = _HINT_FOR_ROLE[role]
        scored = [c for c in remaining if hint_count[c][hint] > 0]
        if scored:
            cluster = max(scored, key=lambda c: (hint_count[c][hint], cluster_weight[c]))
            chosen[role] = (role_hex(cluster, hint), cluster_weight[cluster])
        elif remaining:
            cluster = max(remaining, key=fallback_key)
            chosen[role] = (cluster_hex[cluster], cluster_weight[cluster])
        else:
            return
        remaining.remove(cluster)

    take("background", lambda c: cluster_weight[c])
    bg = chosen["background"][0]
    take("text", lambda c: contrast_ratio(cluster_hex[c], bg))
    take("accent", lambda c: chroma(cluster_hex[c]))
    take("primary", lambda c: cluster_weight[c])
    # A palette of fewer clusters than roles borrows: primary from accent or text, and so on.
    for role, borrow in (("text", None), ("accent", "primary"), ("primary", "accent")):
        if role not in chosen:
            if role == "text":
                chosen[role] = (_black_or_white(bg), 0.0)
            elif borrow in chosen:
                chosen[role] = (chosen[borrow][0], 0.0)
            else:
                chosen[role] = (chosen["text"][0], 0.0)
    palette = [PaletteColor(chosen[r][0], r, round(chosen[r][1], 4)) for r in ROLES]
    role_colors = [chosen[r][0] for r in ROLES]
    palette += [
        PaletteColor(cluster_hex[c], "secondary", round(cluster_weight[c], 4))
        for c in sorted(remaining, key=lambda c: -cluster_weight[c])
        if not _is_blend(cluster_hex[c], cluster_weight[c], role_colors)
    ]
    if locked:
        palette = [
            PaletteColor(to_hex(parse_hex(locked[p.role])), p.role, p.weight, locked=True)
            if p.role in locked
            else p
            for p in palette
        ]
    return tuple(palette)


def _cluster(labs: np.ndarray, weights: np.ndarray, size: int, seed: int) -> np.ndarray:
    distinct = len({tuple(np.round(lab, 1)) for lab in labs})
    k = max(1, min(size, distinct))
    if k == 1:
        return np.zeros(len(labs), dtype=np.int64)
    from sklearn.cluster import KMeans  # type: ignore[import-untyped]  # ships no type hints
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    model = KMeans(n_clusters=k, n_init=4, random_state=seed)
    # One thread: the points are few, and OpenMP threads spinning against a busy machine's
    # other work (a server's requests, another training run) made fits take minutes.
    with threadpool_limits(limits=1):
        labels: np.ndarray = model.fit_predict(labs, sample_weight=weights)
    return labels


def _is_blend(color: str, weight: float, roles: list[str]) -> bool:
    """A small cluster between two role colours is their anti-aliased edge, not a colour the
    designer chose."""
    if weight >= 0.03:
        return False
    point = np.array(parse_hex(color), dtype=np.float64)
    for a, b in itertools.combinations(roles, 2):
        start = np.array(parse_hex(a), dtype=np.float64)
        axis = np.array(parse_hex(b), dtype=np.float64) - start
        length = float(axis @ axis)
        if length == 0:
            continue
        t = float(np.clip((point - start) @ axis / length, 0, 1))
        # Quantisation averages edges of several colours, so the tolerance is generous.
        if np.linalg.norm(point - (start + t * axis)) < 60:
            return True
    return False


def _black_or_white(background: str) -> str:
    return (
        "#000000"
        if contrast_ratio("#000000", background) >= contrast_ratio("#FFFFFF", background)
        else "#FFFFFF"
    )
