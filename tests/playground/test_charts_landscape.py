"""Chart builders of the Loss landscape page: engine numbers in, valid Plotly dicts out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import engine as eg
from playground import charts_landscape as cl
from playground.components.live_chart import to_payload
from playground.i18n import Translator

EN, ZH = Translator("en"), Translator("zh")


@pytest.fixture(scope="module")
def trained():
    """A small trained net, its trajectory and a 9×9 random-plane surface around it."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)[:, None]
    model = eg.Sequential([eg.layers.Dense(6, activation="tanh"),
                           eg.layers.Dense(1, activation="sigmoid")], input_shape=(2,), seed=0)
    model.compile(optimizer=eg.optim.SGD(lr=0.5), loss="binary_crossentropy",
                  metrics=["accuracy"])
    trainer = eg.Trainer(model, X, y, batch_size=None, snapshot_every=2)
    trainer.step(30)
    d1, d2 = eg.landscape.random_directions(model, seed=0)
    surface = eg.landscape.grid(model, X, y, model.params, d1, d2, span=1.0, resolution=9)
    path = eg.landscape.project(trainer.trajectory(), model.params, d1, d2)
    steps = np.asarray(trainer.history.snapshots.steps)
    return {"model": model, "trainer": trainer, "surface": surface, "path": path,
            "steps": steps, "X": X, "y": y}


def _trace(fig, uid):
    found = [t for t in fig["data"] if t.get("uid") == uid]
    assert len(found) == 1, [t.get("uid") for t in fig["data"]]
    return found[0]


def _accepted(fig) -> go.Figure:
    """plotly.py validates every property; the live payload must be JSON-safe too."""
    out = go.Figure(fig)
    json.dumps(to_payload(fig), allow_nan=False)
    return out


def test_contour_has_surface_path_and_markers(trained):
    fig = cl.contour(trained["surface"], tr=EN, path=trained["path"], steps=trained["steps"],
                     current=trained["path"][-1])
    _accepted(fig)
    surf = _trace(fig, "surface")
    assert surf["type"] == "contour" and surf["z"].shape == (9, 9)
    assert surf["z"].dtype == np.float32 and surf["x"].dtype == np.float32
    path = _trace(fig, "trajectory")
    assert path["type"] == "scatter" and path["x"].shape == (len(trained["steps"]),)
    assert list(path["customdata"]) == list(trained["steps"])
    assert _trace(fig, "current")["marker"]["symbol"] == "star"
    assert _trace(fig, "start")["x"][0] == path["x"][0]
    assert _trace(fig, "center")["x"][0] == 0.0
    assert fig["layout"]["title"]["text"] == "Loss landscape (contour)"
    assert fig["layout"]["template"] == "none" and fig["layout"]["uirevision"] == "ls-contour"


def test_contour_without_path_is_just_the_surface_and_centre(trained):
    fig = cl.contour(trained["surface"], tr=EN, show_center=False, show_title=False)
    _accepted(fig)
    assert [t["uid"] for t in fig["data"]] == ["surface"]
    assert "title" not in fig["layout"]


def test_log_scale_draws_log10_and_says_so(trained):
    s = trained["surface"]
    fig = cl.contour(s, tr=EN, log=True)
    z = _trace(fig, "surface")["z"]
    np.testing.assert_allclose(z, np.log10(s.loss), rtol=1e-5)
    assert _trace(fig, "surface")["colorbar"]["title"]["text"] == "log₁₀ loss"
    bad = eg.landscape.Surface(s.a, s.b, np.where(s.loss > 0.7, -1.0, s.loss))
    z = _trace(cl.contour(bad, tr=EN, log=True), "surface")["z"]
    assert np.isnan(z[bad.loss < 0]).all()  # a gap, never -inf in the payload


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_a_diverged_loss_is_clipped_not_overflowed(trained):
    s = trained["surface"]
    huge = eg.landscape.Surface(s.a, s.b, np.where(s.loss > 0.7, 1e300, s.loss))
    for fig in (cl.contour(huge, tr=EN, path=trained["path"]),
                cl.surface3d(huge, tr=EN, path=trained["path"], current=[0.0, 0.0])):
        z = _trace(fig, "surface")["z"]
        assert np.isfinite(z).all() and z.max() == np.finfo(np.float32).max
        json.dumps(to_payload(fig), allow_nan=False)
    fig = cl.sharpness_chart([0, 1], [1.0, 1e300], tr=EN, loss_steps=[0, 1],
                             loss_values=[1.0, float("inf")])
    assert np.isfinite(_trace(fig, "sharpness")["y"]).all()
    assert np.isnan(_trace(fig, "loss")["y"][1])


def test_surface3d_puts_path_and_markers_on_the_surface(trained):
    s, path = trained["surface"], trained["path"]
    fig = cl.surface3d(s, tr=EN, path=path, steps=trained["steps"], current=path[-1])
    _accepted(fig)
    surf = _trace(fig, "surface")
    assert surf["type"] == "surface" and surf["z"].shape == (9, 9)
    p3 = _trace(fig, "trajectory")
    assert p3["type"] == "scatter3d" and p3["z"].shape == p3["x"].shape
    # the path's heights are the surface's, lifted a little so it is drawn on top
    h = cl.heights(s, path)
    ok = np.isfinite(h)
    assert ok.any()
    lift = p3["z"][ok] - h[ok]
    assert np.all(lift > 0) and np.ptp(lift) < 1e-5
    cur = _trace(fig, "current")
    assert cur["type"] == "scatter3d" and cur["z"].shape == (1,)
    assert fig["layout"]["scene"]["zaxis"]["title"]["text"] == "Loss"
    assert fig["layout"]["title"]["text"] == "Loss landscape (3-D)"


def test_heights_interpolate_exactly_on_grid_points_and_nan_outside(trained):
    s = trained["surface"]
    pts = np.array([[s.a[2], s.b[5]], [s.a[0], s.b[-1]], [s.a[-1] + 1.0, 0.0]])
    h = cl.heights(s, pts)
    assert h[0] == pytest.approx(s.loss[5, 2]) and h[1] == pytest.approx(s.loss[-1, 0])
    assert np.isnan(h[2])
    mid = cl.heights(s, [[0.5 * (s.a[3] + s.a[4]), s.b[4]]])[0]
    assert mid == pytest.approx(0.5 * (s.loss[4, 3] + s.loss[4, 4]))
    assert cl.heights(s, np.zeros((0, 2))).shape == (0,)


def test_axis_labels_name_variance_and_eigenvalues():
    assert cl.axis_labels("pca", tr=EN, ratio=[0.781, 0.09]) == \
        ("PC1 (78.1 % of variance)", "PC2 (9.0 % of variance)")
    x, y = cl.axis_labels("hessian", tr=EN, eigenvalues=[12.34, 3.0])
    assert "λ = 12.3" in x and "λ = 3" in y
    assert cl.axis_labels("random", tr=EN)[1] == "Random direction 2 (filter-normalised)"
    assert cl.axis_labels("pca", tr=ZH, ratio=[0.5, 0.25])[0] == "主成分 1（方差占比 50.0 %）"
    with pytest.raises(ValueError, match="kind"):
        cl.axis_labels("nope", tr=EN)


def test_labels_land_on_the_axes(trained):
    labels = cl.axis_labels("pca", tr=EN, ratio=[0.7, 0.2])
    fig = cl.contour(trained["surface"], tr=EN, labels=labels)
    assert fig["layout"]["xaxis"]["title"]["text"] == labels[0]
    assert fig["layout"]["yaxis"]["title"]["text"] == labels[1]
    fig = cl.surface3d(trained["surface"], tr=EN, labels=labels)
    assert fig["layout"]["scene"]["xaxis"]["title"]["text"] == labels[0]


def test_interpolation_marks_initial_and_trained(trained):
    t = trained["trainer"]
    curve = eg.landscape.line(trained["model"], trained["X"], trained["y"], t.initial_params,
                              trained["model"].params, points=41)
    fig = cl.interpolation(curve.alphas, curve.loss, tr=EN)
    _accepted(fig)
    line = _trace(fig, "line")
    assert line["x"].shape == (41,) and line["y"].dtype == np.float32
    init, done = _trace(fig, "initial"), _trace(fig, "trained")
    assert init["x"] == [0.0] and done["x"] == [1.0]
    assert init["y"][0] == pytest.approx(curve.loss[10], rel=1e-5)  # α = 0 is point 10 of 41
    assert done["y"][0] == pytest.approx(curve.loss[30], rel=1e-5)
    assert fig["layout"]["xaxis"]["title"]["text"].startswith("α")
    with pytest.raises(ValueError, match="same length"):
        cl.interpolation([0, 1], [1.0], tr=EN)


def test_sharpness_chart_stacks_loss_and_draws_the_threshold():
    fig = cl.sharpness_chart([0, 10, 20], [1.0, 5.0, 19.0], tr=EN, threshold=20.0,
                             loss_steps=[0, 5, 10, 15, 20], loss_values=[1, 0.8, 0.6, 0.5, 0.4])
    _accepted(fig)
    thr = _trace(fig, "threshold")
    assert thr["y"] == [20.0, 20.0] and thr["x"] == [0, 20] and thr["yaxis"] == "y2"
    assert thr["name"] == "2/η = 20" and thr["line"]["dash"] == "dot"
    assert _trace(fig, "sharpness")["yaxis"] == "y2" and _trace(fig, "loss")["yaxis"] == "y"
    lay = fig["layout"]
    assert lay["yaxis"]["domain"][0] > lay["yaxis2"]["domain"][1]  # loss above sharpness
    assert lay["title"]["text"] == "Sharpness and the edge of stability"


def test_sharpness_chart_without_threshold_or_data():
    fig = cl.sharpness_chart([], [], tr=ZH)
    _accepted(fig)
    assert [t["uid"] for t in fig["data"]] == ["sharpness"]
    assert fig["layout"]["annotations"][0]["text"] == "尚未记录锐度：请训练网络"
    assert fig["layout"]["title"]["text"] == "锐度与稳定性边缘"
    fig = cl.sharpness_chart([5], [None], tr=EN, threshold=3.0, threshold_label="(2+2β)/η = 3")
    assert np.isnan(_trace(fig, "sharpness")["y"][0])
    assert _trace(fig, "threshold")["name"] == "(2+2β)/η = 3"
    _accepted(fig)


def test_every_title_and_axis_is_translated(trained):
    kw = {"path": trained["path"], "steps": trained["steps"], "current": trained["path"][-1]}
    for fig_en, fig_zh in (
            (cl.contour(trained["surface"], tr=EN, **kw), cl.contour(trained["surface"], tr=ZH,
                                                                    **kw)),
            (cl.surface3d(trained["surface"], tr=EN, **kw),
             cl.surface3d(trained["surface"], tr=ZH, **kw)),
            (cl.interpolation([0, 1], [1, 0], tr=EN), cl.interpolation([0, 1], [1, 0], tr=ZH)),
            (cl.sharpness_chart([0], [1], tr=EN, threshold=2.0, loss_steps=[0],
                                loss_values=[1]),
             cl.sharpness_chart([0], [1], tr=ZH, threshold=2.0, loss_steps=[0],
                                loss_values=[1]))):
        assert fig_en["layout"]["title"]["text"] != fig_zh["layout"]["title"]["text"]
        names_zh = [t.get("name") for t in fig_zh["data"]]
        assert any(n and any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names_zh)
    zh = cl.contour(trained["surface"], tr=ZH, **kw)
    assert zh["layout"]["title"]["text"] == "损失景观（等高线）"
    assert _trace(zh, "trajectory")["name"] == "训练轨迹"
    assert _trace(zh, "current")["name"] == "当前权重"
    assert "步数" in _trace(zh, "trajectory")["hovertemplate"]


def test_bad_shapes_are_refused(trained):
    s = trained["surface"]
    with pytest.raises(ValueError, match="shape"):
        cl.contour(eg.landscape.Surface(s.a, s.b[:-1], s.loss), tr=EN)
    with pytest.raises(ValueError, match="steps"):
        cl.contour(s, tr=EN, path=trained["path"], steps=[1, 2])


def test_builders_are_cheap_and_never_import_streamlit(trained):
    import time

    t0 = time.perf_counter()
    big = eg.landscape.Surface(np.linspace(-1, 1, 51), np.linspace(-1, 1, 51),
                               np.random.default_rng(0).random((51, 51)))
    path = np.random.default_rng(1).normal(size=(400, 2)) * 0.3
    for _ in range(5):
        cl.contour(big, tr=EN, path=path, current=path[-1])
        cl.surface3d(big, tr=EN, path=path, current=path[-1])
    assert (time.perf_counter() - t0) / 5 < 0.05
    src = Path(cl.__file__).read_text(encoding="utf-8")
    assert "import streamlit" not in src and "from streamlit" not in src
