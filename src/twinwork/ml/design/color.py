"""Colour arithmetic: hex codes, CIELAB, CIEDE2000 and WCAG contrast, in plain numpy.

CIEDE2000 is implemented here (Sharma, Wu and Dalal 2005) rather than taken from a colour
package: it is forty lines, and keeping it in numpy lets the palette code compare whole arrays
of colours at once without another dependency.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# D65 reference white, the white point of sRGB.
_WHITE = np.array([0.95047, 1.0, 1.08883])
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)


def parse_hex(value: str) -> tuple[int, int, int]:
    """``#rgb`` or ``#rrggbb`` (case-insensitive) to an RGB triple."""
    text = value.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"not a hex colour: {value!r}")
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        raise ValueError(f"not a hex colour: {value!r}") from None


def to_hex(rgb: tuple[int, int, int] | NDArray[np.generic]) -> str:
    r, g, b = (int(round(float(c))) for c in rgb)
    r, g, b = (min(255, max(0, c)) for c in (r, g, b))
    return f"#{r:02X}{g:02X}{b:02X}"


def _linear(rgb: FloatArray) -> FloatArray:
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear: FloatArray = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear


def rgb_to_lab(rgb: FloatArray | NDArray[np.generic]) -> FloatArray:
    """sRGB (0..255, shape (..., 3)) to CIELAB under D65."""
    xyz = _linear(np.asarray(rgb, dtype=np.float64)) @ _RGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    lab: FloatArray = np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )
    return lab


def lab_to_rgb(lab: FloatArray) -> FloatArray:
    """CIELAB to sRGB 0..255, clipped to the gamut."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    xyz = np.where(f > 6 / 29, f**3, 3 * (6 / 29) ** 2 * (f - 4 / 29)) * _WHITE
    linear = np.clip(xyz @ np.linalg.inv(_RGB_TO_XYZ).T, 0, 1)
    srgb = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    rgb: FloatArray = np.clip(srgb * 255, 0, 255)
    return rgb


def hex_to_lab(value: str) -> FloatArray:
    return rgb_to_lab(np.array(parse_hex(value), dtype=np.float64))


def ciede2000(lab1: FloatArray, lab2: FloatArray) -> FloatArray:
    """CIEDE2000 colour difference, broadcasting over the leading axes (kL = kC = kH = 1)."""
    lab1 = np.asarray(lab1, dtype=np.float64)
    lab2 = np.asarray(lab2, dtype=np.float64)
    l1, a1, b1 = lab1[..., 0], lab1[..., 1], lab1[..., 2]
    l2, a2, b2 = lab2[..., 0], lab2[..., 1], lab2[..., 2]
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    zero = (c1p * c2p) == 0

    d_l = l2 - l1
    d_c = c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(zero, 0.0, dh)
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))

    l_bar = (l1 + l2) / 2
    cp_bar = (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_bar = np.where(
        np.abs(h1p - h2p) <= 180,
        h_sum / 2,
        np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2),
    )
    h_bar = np.where(zero, h_sum, h_bar)
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    de: FloatArray = np.sqrt(
        (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)
    )
    return de


def delta_e(hex1: str, hex2: str) -> float:
    return float(ciede2000(hex_to_lab(hex1), hex_to_lab(hex2)))


def relative_luminance(value: str) -> float:
    """WCAG 2 relative luminance of a hex colour."""
    lin = _linear(np.array(parse_hex(value), dtype=np.float64))
    return float(0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2])


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio, 1..21."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def chroma(value: str) -> float:
    lab = hex_to_lab(value)
    return float(np.hypot(lab[1], lab[2]))


def palette_distance(colors_a: list[tuple[str, float]], colors_b: list[tuple[str, float]]) -> float:
    """How far apart two area-weighted palettes are, in CIEDE2000 units: the cost of moving
    one palette's area onto the other's (earth mover's distance, solved greedily, cheapest
    pairs first, which is exact enough for a handful of colours and deterministic).

    Unlike nearest-colour matching, this sees that a navy poster and a white one differ even
    when both use some dark ink somewhere."""
    if not colors_a or not colors_b:
        return float("nan")
    lab_a = np.stack([hex_to_lab(h) for h, _ in colors_a])
    lab_b = np.stack([hex_to_lab(h) for h, _ in colors_b])
    mass_a = np.array([max(w, 0.0) for _, w in colors_a]) + 1e-9
    mass_b = np.array([max(w, 0.0) for _, w in colors_b]) + 1e-9
    mass_a /= mass_a.sum()
    mass_b /= mass_b.sum()
    cost = ciede2000(lab_a[:, None, :], lab_b[None, :, :])
    total = 0.0
    for flat in np.argsort(cost, axis=None, kind="stable"):
        i, j = divmod(int(flat), len(colors_b))
        flow = min(mass_a[i], mass_b[j])
        if flow <= 0:
            continue
        total += flow * float(cost[i, j])
        mass_a[i] -= flow
        mass_b[j] -= flow
    return total
