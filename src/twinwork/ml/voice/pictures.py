"""Pictures of speech: a waveform, and a spectrogram with its pitch contour."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image, ImageDraw

from twinwork.ml.voice.signal import Audio
from twinwork.ml.voice.world import Features

WAVE_COLOR = (37, 99, 235)
BACKGROUND = (248, 250, 252)


def waveform_png(audio: Audio, width: int = 640, height: int = 96) -> bytes:
    """The peak envelope of a recording, one column per slice of samples."""
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    middle = height // 2
    draw.line([(0, middle), (width, middle)], fill=(203, 213, 225))
    if audio.size:
        edges = np.linspace(0, audio.size, width + 1).astype(int)
        peak = max(float(np.max(np.abs(audio))), 1e-6)
        for x in range(width):
            part = audio[edges[x] : max(edges[x + 1], edges[x] + 1)]
            top = float(part.max()) / peak if part.size else 0.0
            bottom = float(part.min()) / peak if part.size else 0.0
            draw.line(
                [(x, middle - top * (middle - 2)), (x, middle - bottom * (middle - 2))],
                fill=WAVE_COLOR,
            )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _spectrogram(audio: Audio, rate: int, height: int) -> np.ndarray:
    window, hop = 512, 128
    if audio.size < window:
        audio = np.pad(audio, (0, window - audio.size))
    count = 1 + (audio.size - window) // hop
    index = np.arange(window)[None, :] + hop * np.arange(count)[:, None]
    spectrum = np.abs(np.fft.rfft(audio[index] * np.hanning(window), axis=1))
    top = int(min(8000, rate / 2) / (rate / 2) * spectrum.shape[1])
    db = 20 * np.log10(spectrum[:, :top] + 1e-6)
    db = np.clip((db - (db.max() - 70)) / 70, 0, 1)
    picture = (255 * (1 - db.T[::-1])).astype(np.uint8)
    return np.asarray(Image.fromarray(picture).resize((picture.shape[1], height)))


def speech_png(
    audio: Audio,
    features: Features,
    reference: Features | None = None,
    width: int = 480,
    height: int = 180,
) -> bytes:
    """A spectrogram (to 8 kHz) with the pitch contour drawn over it (solid), and the
    freelancer's own contour for the same script (dashed) when given."""
    grey = Image.fromarray(_spectrogram(audio, features.rate, height)).resize((width, height))
    image = grey.convert("RGB")
    draw = ImageDraw.Draw(image)
    ceiling = 400.0

    def contour(f0: np.ndarray, color: tuple[int, int, int], dashed: bool) -> None:
        if f0.size < 2:
            return
        xs = np.linspace(0, width - 1, f0.size)
        for i in range(1, f0.size):
            if f0[i] <= 0 or f0[i - 1] <= 0 or (dashed and (i // 6) % 2):
                continue
            y0 = height - 1 - min(f0[i - 1], ceiling) / ceiling * (height - 1)
            y1 = height - 1 - min(f0[i], ceiling) / ceiling * (height - 1)
            draw.line([(xs[i - 1], y0), (xs[i], y1)], fill=color, width=2)

    if reference is not None:
        contour(reference.f0, (22, 163, 74), True)
    contour(features.f0, (220, 38, 38), False)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def as_svg(png: bytes, width: int, height: int, label: str) -> str:
    """A PNG wrapped in SVG markup: the evaluation outputs are text, and pages show SVG
    outputs as pictures."""
    data = base64.b64encode(png).decode("ascii")
    safe = label.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{safe}">'
        f'<image href="data:image/png;base64,{data}" width="{width}" height="{height}"/></svg>'
    )
