"""Heat maps as PNG images: colours as plotly's, a valid PNG, and the trace's geometry."""

from __future__ import annotations

import base64
import zlib

import numpy as np
import pytest

from playground import raster

SCALE = [[0.0, "#000000"], [0.5, "rgb(255, 0, 0)"], [1.0, "#ffffff"]]


def test_colorize_interpolates_between_stops_and_clips():
    z = np.array([[-1.0, 0.0, 0.25, 0.5, 0.75, 1.0, 2.0, np.nan]])
    rgba = raster.colorize(z, 0.0, 1.0, SCALE, opacity=0.5)
    assert rgba.shape == (1, 8, 4) and rgba.dtype == np.uint8
    np.testing.assert_array_equal(rgba[0, :, 0], [0, 0, 128, 255, 255, 255, 255, 0])
    np.testing.assert_array_equal(rgba[0, :, 1], [0, 0, 0, 0, 128, 255, 255, 0])
    np.testing.assert_array_equal(rgba[0, :, 3], [128] * 7 + [0])  # NaN is transparent


def test_png_round_trip_and_is_a_real_png():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (7, 5, 4), dtype=np.uint8)
    uri = raster.data_uri(rgba)
    blob = base64.b64decode(uri.split(",", 1)[1])
    assert blob[:8] == b"\x89PNG\r\n\x1a\n" and blob[12:16] == b"IHDR"
    # every chunk's CRC is right (browsers reject a PNG otherwise)
    pos = 8
    while pos < len(blob):
        n = int.from_bytes(blob[pos:pos + 4], "big")
        tag, body = blob[pos + 4:pos + 8], blob[pos + 8:pos + 8 + n]
        assert int.from_bytes(blob[pos + 8 + n:pos + 12 + n], "big") == zlib.crc32(tag + body)
        pos += 12 + n
    np.testing.assert_array_equal(raster.decode(uri), rgba)


def test_pil_reads_it_when_installed():
    Image = pytest.importorskip("PIL.Image")
    import io

    rgba = np.zeros((3, 4, 4), dtype=np.uint8)
    rgba[0, 0] = [10, 20, 30, 255]
    img = Image.open(io.BytesIO(raster.png_bytes(rgba)))
    assert img.size == (4, 3) and img.mode == "RGBA"
    assert img.getpixel((0, 0)) == (10, 20, 30, 255)


def test_image_trace_geometry_and_extra_keys():
    z = np.arange(6.0).reshape(2, 3)
    tr = raster.image_trace(z, x0=1.0, dx=0.5, y0=-2.0, dy=0.25, zmin=0, zmax=5,
                            colorscale=SCALE, name="field", yaxis="y2")
    assert tr["type"] == "image" and tr["name"] == "field" and tr["yaxis"] == "y2"
    assert (tr["x0"], tr["dx"], tr["y0"], tr["dy"]) == (1.0, 0.5, -2.0, 0.25)
    np.testing.assert_array_equal(raster.decode(tr["source"]),
                                  raster.colorize(z, 0, 5, SCALE))  # row 0 = lowest y


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((2, 2, 2))])
def test_bad_shapes_are_refused(bad):
    with pytest.raises(ValueError, match="2-D"):
        raster.colorize(bad, 0, 1, SCALE)
    with pytest.raises(ValueError):
        raster.png_bytes(np.zeros((2, 2, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="colour"):
        raster.colorize(np.zeros((1, 1)), 0, 1, [[0, "red"], [1, "blue"]])
    with pytest.raises(ValueError, match="URI"):
        raster.decode("not a uri")
