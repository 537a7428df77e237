"""Heat maps as small PNG images: colour mapping and PNG encoding in NumPy, one ``image`` trace.

Why: a plotly ``heatmap`` trace is painted cell by cell on a canvas and re-encoded with
``toDataURL`` on every ``Plotly.react``; in the live Network page that was the largest single
cost in the browser (~230 ms of main-thread time per second while playing, CDP profile). An
``image`` trace whose ``source`` is a ready PNG is one ``<image>`` element the browser decodes
natively, and the PNG of a 60×60 field is a few kilobytes, smaller than the float32 payload.

Trade-off: plotly cannot hover an image by value, so pages that need values on hover put them
on other traces (points, neuron markers). No streamlit here.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

Colorscale = Sequence[Sequence[Any]]


@lru_cache(maxsize=64)
def _stops(scale: tuple[tuple[float, str], ...]) -> tuple[np.ndarray, np.ndarray]:
    """(positions (k,), rgb (k, 3) float) of a plotly colour scale of '#rrggbb' or 'rgb()'."""
    pos = np.array([float(p) for p, _ in scale])
    rgb = []
    for _, c in scale:
        c = c.strip()
        if c.startswith("#") and len(c) == 7:
            rgb.append([int(c[i:i + 2], 16) for i in (1, 3, 5)])
        elif c.startswith("rgb"):
            rgb.append([float(v) for v in c[c.index("(") + 1:c.rindex(")")].split(",")[:3]])
        else:
            raise ValueError(f"colour {c!r}: expected '#rrggbb' or 'rgb(r, g, b)'")
    return pos, np.asarray(rgb, dtype=np.float64)


def colorize(z: Any, zmin: float, zmax: float, colorscale: Colorscale,
             opacity: float = 1.0) -> np.ndarray:
    """z (h, w) -> RGBA uint8 (h, w, 4), as plotly colours a heatmap (values clipped to
    [zmin, zmax], linear between the scale's stops). NaN cells are transparent."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"z must be 2-D (rows, columns), got shape {z.shape}")
    pos, rgb = _stops(tuple((float(p), str(c)) for p, c in colorscale))
    span = float(zmax) - float(zmin)
    t = (z - float(zmin)) / (span if span > 0 else 1.0)
    t = np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0)
    out = np.empty((*z.shape, 4), dtype=np.uint8)
    for i in range(3):
        out[..., i] = np.rint(np.interp(t, pos, rgb[:, i]))
    out[..., 3] = np.where(np.isnan(z), 0, int(round(255 * float(opacity))))
    return out


def upsample(z: Any, factor: int) -> np.ndarray:
    """Bilinear interpolation of a grid (h, w) to ((h-1)·factor+1, (w-1)·factor+1) points;
    NaN spreads to its neighbours."""
    z = np.asarray(z, dtype=np.float64)
    if factor <= 1 or min(z.shape) < 2:
        return z
    h, w = z.shape
    yi = np.linspace(0, h - 1, (h - 1) * factor + 1)
    xi = np.linspace(0, w - 1, (w - 1) * factor + 1)
    y0 = np.minimum(yi.astype(int), h - 2)
    x0 = np.minimum(xi.astype(int), w - 2)
    fy, fx = (yi - y0)[:, None], (xi - x0)[None, :]
    a, b = z[y0][:, x0], z[y0][:, x0 + 1]
    c, d = z[y0 + 1][:, x0], z[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def contour_bands(z: Any, colorscale: Colorscale, levels: int = 24,
                  line_mix: float = 0.65) -> tuple[np.ndarray, float, float]:
    """z (h, w) as a filled contour plot: (RGBA uint8 (h, w, 4), zmin, zmax).

    The finite range is cut into ``levels`` equal bands, each painted in the scale's colour
    at its middle, and pixels where the band changes are mixed ``line_mix`` of the way to
    white (the contour lines). NaN cells are white.
    """
    z = np.asarray(z, dtype=np.float64)
    finite = z[np.isfinite(z)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    with np.errstate(all="ignore"):
        t = np.clip((z - lo) / (hi - lo or 1.0), 0.0, 1.0)
    band = np.floor(np.nan_to_num(t) * levels)
    mid = (np.minimum(band, levels - 1) + 0.5) / levels
    rgba = colorize(mid, 0.0, 1.0, colorscale)
    rgba[~np.isfinite(z), :3] = 255
    rgba[..., 3] = 255
    line = np.zeros(z.shape, dtype=bool)
    line[:, 1:] |= band[:, 1:] != band[:, :-1]
    line[1:, :] |= band[1:, :] != band[:-1, :]
    rgba[line, :3] = np.rint((1 - line_mix) * rgba[line, :3] + line_mix * 255.0)
    return rgba, lo, hi


def _chunk(tag: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + tag + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))


def png_bytes(rgba: np.ndarray) -> bytes:
    """RGBA uint8 (h, w, 4) -> PNG bytes (8-bit RGBA, no filter, fast zlib level)."""
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    if rgba.ndim != 3 or rgba.shape[2] != 4 or min(rgba.shape[:2]) < 1:
        raise ValueError(f"expected an RGBA image of shape (h, w, 4), got {rgba.shape}")
    h, w = rgba.shape[:2]
    rows = np.zeros((h, 1 + 4 * w), dtype=np.uint8)  # a filter byte (0 = none) per row
    rows[:, 1:] = rgba.reshape(h, 4 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + _chunk(b"IEND", b""))


def data_uri(rgba: np.ndarray) -> str:
    """RGBA uint8 (h, w, 4) -> 'data:image/png;base64,...'."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(rgba)).decode("ascii")


def image_trace(z: Any, *, x0: float, dx: float, y0: float, dy: float, zmin: float,
                zmax: float, colorscale: Colorscale, opacity: float = 1.0,
                **extra: Any) -> dict[str, Any]:
    """A plotly ``image`` trace showing z (h, w) like a heatmap with cell centres at
    ``(x0 + j·dx, y0 + i·dy)``: row 0 at ``y0`` (z rows in ascending y, as for heatmaps).

    plotly places the image's first pixel row at ``y0`` and steps by ``dy``, so on a normal
    (increasing) y axis the picture is upright as a heatmap of the same z would be (checked in
    Chromium). ``extra`` keys (name, xaxis, yaxis, meta, ...) go on the trace.
    """
    z = np.asarray(z)
    if z.ndim != 2:
        raise ValueError(f"z must be 2-D (rows, columns), got shape {z.shape}")
    rgba = colorize(z, zmin, zmax, colorscale, opacity)
    trace = {"type": "image", "source": data_uri(rgba), "x0": float(x0), "dx": float(dx),
             "y0": float(y0), "dy": float(dy), "hoverinfo": "skip"}
    trace.update(extra)
    return trace


def decode(uri: str) -> np.ndarray:
    """'data:image/png;base64,...' written by :func:`data_uri` -> RGBA uint8 (h, w, 4).

    Reads only what this module writes (8-bit RGBA, filter 0); anything else is refused.
    """
    prefix = "data:image/png;base64,"
    if not isinstance(uri, str) or not uri.startswith(prefix):
        raise ValueError(f"expected a {prefix}... URI, got {str(uri)[:40]!r}")
    blob = base64.b64decode(uri[len(prefix):])
    if blob[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, size = 8, b"", None
    while pos < len(blob):
        (n,) = struct.unpack(">I", blob[pos:pos + 4])
        tag, body = blob[pos + 4:pos + 8], blob[pos + 8:pos + 8 + n]
        if tag == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            if (depth, colour) != (8, 6):
                raise ValueError(f"expected 8-bit RGBA, got depth {depth}, colour type {colour}")
            size = (h, w)
        elif tag == b"IDAT":
            idat += body
        pos += 12 + n
    if size is None:
        raise ValueError("PNG without IHDR")
    rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(size[0], -1)
    if np.any(rows[:, 0]):
        raise ValueError("expected filter type 0 on every row")
    return rows[:, 1:].reshape(size[0], size[1], 4)
