"""Chart builders of the Images page: traces, shapes, payload size and titles in both languages."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from playground import charts_images as CI
from playground.components import to_payload
from playground.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]
NAMES = [str(i) for i in range(10)]


def catalog(lang: str) -> dict[str, str]:
    return json.loads((ROOT / "playground" / "locales" / lang / "images.json")
                      .read_text(encoding="utf-8"))


def valid(fig: dict) -> None:
    """plotly.py accepts the figure, and the live component can encode it."""
    go.Figure(fig)
    json.dumps(to_payload(fig))


def samples(k=16, h=8, wrong=(2, 5)):
    rng = np.random.default_rng(0)
    true = rng.integers(0, 10, k)
    pred = true.copy()
    for i in wrong:
        pred[i] = (true[i] + 1) % 10
    return rng.random((k, h, h)), true, pred, rng.random(k)


def test_charts_module_never_imports_streamlit():
    tree = ast.parse((ROOT / "playground" / "charts_images.py").read_text(encoding="utf-8"))
    mods = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    mods |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not any(m.split(".")[0] == "streamlit" for m in mods)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sample_grid_marks_the_wrong_ones(lang):
    tr, cat = Translator(lang), catalog(lang)
    imgs, true, pred, conf = samples()
    fig = CI.sample_grid(imgs, true, pred, conf, class_names=NAMES, tr=tr)
    valid(fig)
    heat, hover = fig["data"]
    assert heat["type"] == "heatmap" and heat["z"].dtype == np.uint8  # one byte per pixel
    assert heat["z"].shape[0] >= 4 * 8 and heat["z"].shape[1] == 4 * 8 + 3 * 2
    assert len(hover["x"]) == 16 and len(hover["text"]) == 16
    lay = fig["layout"]
    assert lay["title"]["text"] == cat["img.chart.samples.title"].format(wrong=2, k=16)
    frames = lay["shapes"]
    assert len(frames) == 16 and len(lay["annotations"]) == 16
    red = [i for i, s in enumerate(frames) if s["line"]["color"] == CI.WRONG]
    assert red == [2, 5]
    assert lay["annotations"][2]["text"] == cat["img.chart.samples.wrong"].format(
        pred=pred[2], true=true[2])
    assert lay["annotations"][0]["text"] == cat["img.chart.samples.right"].format(pred=pred[0])
    assert lay["yaxis"]["range"][0] > lay["yaxis"]["range"][1]  # images upright
    # MNIST-sized tiles stay small on the wire: 16 × 28 × 28 bytes + gaps
    big = CI.sample_grid(*samples(h=28), class_names=NAMES, tr=tr)
    assert big["data"][0]["z"].nbytes < 24_000
    with pytest.raises(ValueError):
        CI.sample_grid(imgs[0], true, pred, conf, class_names=NAMES, tr=tr)
    with pytest.raises(ValueError):
        CI.sample_grid(imgs, true[:3], pred, conf, class_names=NAMES, tr=tr)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_confusion_matrix(lang):
    tr, cat = Translator(lang), catalog(lang)
    cm = np.diag(np.full(10, 9))
    cm[3, 8] = 1
    fig = CI.confusion_matrix(cm, class_names=NAMES, tr=tr)
    valid(fig)
    (heat,) = fig["data"]
    assert heat["z"].shape == (10, 10) and heat["z"].dtype == np.float32
    assert heat["z"][3, 3] == pytest.approx(0.9) and heat["z"][3, 8] == pytest.approx(0.1)
    assert heat["text"][3][8] == "1" and heat["text"][0][1] == ""
    lay = fig["layout"]
    assert lay["title"]["text"] == cat["img.chart.confusion.title"].format(acc="98.9%")
    assert lay["xaxis"]["title"]["text"] == cat["img.chart.confusion.predicted"]
    assert lay["yaxis"]["title"]["text"] == cat["img.chart.confusion.true"]
    assert lay["yaxis"]["autorange"] == "reversed"
    empty = CI.confusion_matrix(np.zeros((10, 10)), class_names=NAMES, tr=tr)
    assert empty["layout"]["title"]["text"] == cat["img.chart.confusion.title_empty"]
    with pytest.raises(ValueError):
        CI.confusion_matrix(np.zeros((3, 3)), class_names=NAMES, tr=tr)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_filters(lang):
    tr, cat = Translator(lang), catalog(lang)
    k = np.random.default_rng(1).normal(size=(8, 3, 3)).astype(np.float32)
    fig = CI.filters(k, kind="conv2d", total=8, tr=tr, cols=4)
    valid(fig)
    heat, hover = fig["data"]
    assert heat["z"].shape == (2 * 3 + 1, 4 * 3 + 3)  # 2 rows × 4 filters, 1-cell gaps
    top = float(np.abs(k).max())
    assert heat["zmin"] == pytest.approx(-top) and heat["zmax"] == pytest.approx(top)
    np.testing.assert_allclose(heat["z"][0:3, 4:7], k[1])
    assert np.isnan(heat["z"][3]).all()  # the gap row
    assert len(hover["text"]) == 8 and len(fig["layout"]["shapes"]) == 8
    assert fig["layout"]["title"]["text"] == cat["img.chart.filters.title_conv"].format(
        shown=8, total=8)
    # Dense: big unit maps are averaged down (28 -> 14) to keep the payload small
    dense = CI.filters(np.ones((16, 28, 28)), kind="dense", total=64, tr=tr)
    assert dense["data"][0]["z"].size <= 16 * 14 * 14 + 2000
    assert dense["layout"]["title"]["text"] == cat["img.chart.filters.title_dense"].format(
        shown=16, total=64)
    for kind, key in ((None, "img.chart.filters.none"), ("dense", "img.chart.filters.not_image")):
        note = CI.filters(None, kind=kind, total=0, tr=tr)
        valid(note)
        assert note["layout"]["annotations"][0]["text"] == cat[key]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_feature_maps(lang):
    tr, cat = Translator(lang), catalog(lang)
    rng = np.random.default_rng(2)
    image = rng.random((8, 8))
    layers = [{"title": "Conv2D 1", "maps": np.maximum(rng.normal(size=(8, 8, 8)), 0),
               "total": 8},
              {"title": "Conv2D 2", "maps": rng.normal(size=(16, 4, 4)), "total": 32}]
    fig = CI.feature_maps(image, layers, tr=tr, index=3, label="7", cols=8)
    valid(fig)
    inp, maps, hover = fig["data"]
    assert inp["z"].shape == (8, 8) and inp["z"].dtype == np.uint8
    assert maps["z"].dtype == np.uint8 and maps["z"].max() == 255
    assert len(hover["text"]) == 1 + 8 + 16 and len(fig["layout"]["shapes"]) == 25
    lay = fig["layout"]
    assert lay["title"]["text"] == cat["img.chart.maps.title"].format(index=3, label="7")
    labels = [a["text"] for a in lay["annotations"]]
    assert labels == [cat["img.chart.maps.input"],
                      cat["img.chart.maps.band"].format(layer="Conv2D 1", shown=8, total=8),
                      cat["img.chart.maps.band"].format(layer="Conv2D 2", shown=16, total=32)]
    # every map is scaled to its own range: a constant map is blank, not an error
    flat = CI.feature_maps(image, [{"title": "c", "maps": np.zeros((2, 8, 8)), "total": 2}],
                           tr=tr)
    assert flat["data"][1]["z"].max() == 0
    none = CI.feature_maps(image[..., None], [], tr=tr)
    valid(none)
    assert cat["img.chart.maps.none"] in [a["text"] for a in none["layout"]["annotations"]]


def test_mosaic_layout():
    tiles = np.arange(5 * 2 * 3).reshape(5, 2, 3)
    z, boxes = CI.mosaic(tiles, cols=2, gap=1, fill=-1)
    assert z.shape == (3 * 2 + 2, 2 * 3 + 1)
    assert boxes[3] == (4, 3, 6, 4)
    np.testing.assert_array_equal(z[3:5, 4:7], tiles[3])
    assert z[2, 0] == -1
