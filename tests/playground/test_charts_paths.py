"""Chart builders of the Optimizer paths page, fed with real engine paths (no browser)."""

from __future__ import annotations

import ast
import base64
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from engine import optim, paths, surfaces, theory
from playground import charts_paths as C
from playground import raster
from playground.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "playground" / "charts_paths.py"
LOCALES = ROOT / "playground" / "locales"
LANGS = ("en", "zh")


def _catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALES / lang / "paths.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rosen():
    s = surfaces.get("rosenbrock")
    xs, ys, Z = s.grid(41)
    runs = [
        C.Run("gd", "GD", "#0072B2", paths.descend_full(s, optim.SGD(lr=1e-3), None, 60)),
        C.Run("momentum", "Momentum", "#D55E00",
              paths.descend_full(s, optim.SGD(lr=1e-3, momentum=0.9), None, 60)),
        C.Run("adam", "Adam", "#882255", paths.descend_full(s, optim.Adam(lr=0.05), None, 60)),
        C.Run("lbfgsb", "L-BFGS-B", "#56B4E9", paths.minimize_full(s, "L-BFGS-B", None, 60)),
        C.Run("bad", "GD lr=1", "#000000", paths.descend_full(s, optim.SGD(lr=1.0), None, 60)),
    ]
    return s, xs, ys, Z, runs


def _title(fig: dict) -> str:
    return fig["layout"]["title"]["text"]


def _traces(fig: dict, kind: str) -> list[dict]:
    return [t for t in fig["data"] if t["type"] == kind]


def test_module_never_imports_streamlit_or_plotly():
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
             for a in n.names}
    names |= {(n.module or "").split(".")[0] for n in ast.walk(tree)
              if isinstance(n, ast.ImportFrom)}
    assert not names & {"streamlit", "plotly"}, names


def test_the_diverging_fixture_really_diverged(rosen):
    assert rosen[4][-1].result.status != "ok"


@pytest.mark.parametrize("lang", LANGS)
def test_contour_and_surface_show_function_minima_start_and_every_path(rosen, lang):
    s, xs, ys, Z, runs = rosen
    tr, cat = Translator(lang), _catalog(lang)
    fig = C.contour_figure(xs, ys, Z, runs, tr=tr, minima=s.minima, start=s.start,
                           log_scale=True, floor=0.0)
    go.Figure(fig)
    assert _title(fig) == cat["paths.chart.contour_title"]
    # the field: a filled-contour PNG (upsampled 2x) and a colour bar on an invisible point
    (field,) = _traces(fig, "image")
    rgba = raster.decode(field["source"])
    assert rgba.shape == (2 * 40 + 1, 2 * 40 + 1, 4)
    assert (field["x0"], field["y0"]) == (pytest.approx(xs[0]), pytest.approx(ys[0]))
    assert field["meta"]["zmax"] == pytest.approx(np.log10(1 + Z.max()), rel=1e-5)
    assert field["meta"]["zmin"] == pytest.approx(np.log10(1 + Z.min()), abs=1e-6)
    bar = next(t for t in fig["data"] if t.get("marker", {}).get("showscale"))
    assert bar["marker"]["colorbar"]["title"]["text"] == cat["paths.chart.f_log"]
    assert (bar["marker"]["cmin"], bar["marker"]["cmax"]) == (field["meta"]["zmin"],
                                                              field["meta"]["zmax"])
    assert fig["layout"]["yaxis"]["scaleanchor"] is False  # free aspect, like the contour
    lines = [t for t in fig["data"] if t["type"] == "scatter" and "lines" in t["mode"]]
    assert [t["name"] for t in lines] == [r.label for r in runs]
    for t, r in zip(lines, runs, strict=True):
        assert t["x"].dtype == np.float32 and len(t["x"]) == len(r.result.points)
    ends = [t for t in fig["data"] if t.get("legendgroup") and t["mode"] == "markers"]
    assert ends[-1]["marker"]["symbol"] == "x"  # the diverged run ends in a cross
    names = {t.get("name") for t in fig["data"]}
    assert {cat["paths.chart.minimum"], cat["paths.chart.start"]} <= names

    fig3 = C.surface_figure(xs, ys, Z, runs, tr=tr, minima=s.minima, min_value=0.0,
                            log_scale=False, floor=0.0)
    go.Figure(fig3)
    assert _title(fig3) == cat["paths.chart.surface_title"]
    (surf,) = _traces(fig3, "surface")
    assert surf["z"].shape == (41, 41)
    assert len(_traces(fig3, "scatter3d")) == 2 * len(runs) + 1  # path + end, and the minimum
    assert fig3["layout"]["scene"]["zaxis"]["title"]["text"] == cat["paths.chart.f"]


def test_log_scale_floors_and_gaps():
    v = np.array([0.0, 9.0, 99.0, np.inf, np.nan, -1.0])
    out = C.display_values(v, 0.0, True)
    np.testing.assert_allclose(out[:3], [0.0, 1.0, 2.0])
    assert np.isnan(out[3]) and np.isnan(out[4]) and out[5] == 0.0
    np.testing.assert_array_equal(C.display_values([1.0, 2.0], None, False), [1.0, 2.0])


@pytest.mark.parametrize("lang", LANGS)
def test_animation_has_frames_slider_and_buttons(rosen, lang):
    s, xs, ys, Z, runs = rosen
    tr, cat = Translator(lang), _catalog(lang)
    fig = C.animated_contour(xs, ys, Z, runs, tr=tr, minima=s.minima, start=s.start,
                             log_scale=True, floor=0.0, max_frames=20)
    go.Figure(fig)
    assert _title(fig) == cat["paths.chart.animation_title"]
    # the function is a background image: Plotly.animate without redraw would drop a contour
    assert not _traces(fig, "contour")
    assert fig["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    frames = fig["frames"]
    n_steps = max(len(r.result.points) for r in runs) - 1
    assert len(frames) == 20 and frames[0]["name"] == "0" and frames[-1]["name"] == str(n_steps)
    for f in frames:
        assert len(f["data"]) == len(runs) + 1 == len(f["traces"])
        assert max(f["traces"]) < len(fig["data"])
    last = frames[-1]["data"]
    for r, d in zip(runs, last[:-1], strict=True):  # the last frame shows every whole path
        np.testing.assert_allclose(d["x"][-1], r.result.points[-1, 0], rtol=1e-6)
    np.testing.assert_allclose(last[-1]["x"], [r.result.points[-1, 0] for r in runs], rtol=1e-6)
    (slider,) = fig["layout"]["sliders"]
    assert [st["label"] for st in slider["steps"]] == [f["name"] for f in frames]
    assert slider["currentvalue"]["prefix"].strip() == cat["paths.chart.step"]
    labels = [b["label"] for b in fig["layout"]["updatemenus"][0]["buttons"]]
    assert cat["paths.chart.play"] in labels[0] and cat["paths.chart.pause"] in labels[1]
    assert all(b["method"] == "animate" for b in fig["layout"]["updatemenus"][0]["buttons"])


def test_frames_are_bounded_and_thinning_keeps_the_recent_steps_exact():
    assert list(C.frame_steps(5)) == [0, 1, 2, 3, 4, 5]
    k = C.frame_steps(500, 60)
    assert len(k) == 60 and k[0] == 0 and k[-1] == 500 and np.all(np.diff(k) > 0)
    p = np.cumsum(np.ones((1001, 2)), axis=0)
    q = C._prefix(p, 700)
    assert len(q) == C.MAX_PREFIX
    np.testing.assert_array_equal(q[-C.RECENT:], p[700 - C.RECENT + 1: 701])
    np.testing.assert_array_equal(q[0], p[0])
    assert len(C._prefix(p, 10)) == 11 and len(C._prefix(p[:5], 10)) == 5


def _png_size(uri: str) -> tuple[int, int]:
    blob = base64.b64decode(uri.split(",", 1)[1])
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    (length,) = struct.unpack(">I", blob[8:12])
    assert blob[12:16] == b"IHDR"
    w, h = struct.unpack(">II", blob[16:24])
    # the image data inflates to h rows of (filter byte + 4 bytes per RGBA pixel)
    idat = blob.index(b"IDAT")
    (n,) = struct.unpack(">I", blob[idat - 4: idat])
    assert len(zlib.decompress(blob[idat + 4: idat + 4 + n])) == h * (1 + 4 * w)
    return w, h


def test_field_image_is_a_valid_png_of_the_upsampled_grid():
    z = np.add.outer(np.arange(11.0), np.arange(21.0))
    z[0, 0] = np.nan
    assert _png_size(C.field_image(z, upsample=1)) == (21, 11)
    assert _png_size(C.field_image(z, upsample=3)) == (61, 31)


def test_start_picker_is_a_dense_clickable_grid(rosen):
    s, xs, ys, Z, _ = rosen
    tr = Translator("zh")
    fig = C.start_picker(xs, ys, Z, tr=tr, start=(0.5, 2.0), minima=s.minima, density=21)
    go.Figure(fig)
    grid = fig["data"][1]
    assert grid["type"] == "scatter" and len(grid["x"]) == 21 * 21
    assert grid["marker"]["opacity"] == 0
    assert grid["x"].min() == pytest.approx(xs[0]) and grid["y"].max() == pytest.approx(ys[-1])
    assert fig["layout"]["dragmode"] is False
    assert _catalog("zh")["paths.chart.click_here"] in grid["hovertemplate"]
    start = [t for t in fig["data"] if t.get("name") == _catalog("zh")["paths.chart.start"]]
    assert start and start[0]["x"][0] == pytest.approx(0.5)


@pytest.mark.parametrize("lang", LANGS)
def test_loss_curves_gap_to_minimum_on_log_axis(rosen, lang):
    s, *_, runs = rosen
    tr, cat = Translator(lang), _catalog(lang)
    fig = C.loss_figure(runs, tr=tr, min_value=0.0, log_y=True)
    go.Figure(fig)
    assert _title(fig) == cat["paths.chart.loss_title"]
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert fig["layout"]["yaxis"]["title"]["text"] == cat["paths.chart.gap"]
    assert fig["layout"]["xaxis"]["title"]["text"] == cat["paths.chart.step_or_iter"]
    lines = [t for t in fig["data"] if t["mode"] == "lines"]
    assert len(lines) == len(runs)
    assert lines[0]["x"].dtype == np.int32 and len(lines[0]["y"]) == len(runs[0].result.values)
    assert sum(t["mode"] == "markers" for t in fig["data"]) == 1  # the diverged run's cross
    lin = C.loss_figure(runs[:1], tr=tr, min_value=None, log_y=False)
    assert lin["layout"]["yaxis"]["title"]["text"] == cat["paths.chart.f"]
    empty = C.loss_figure([], tr=tr)
    assert empty["layout"]["annotations"][0]["text"] == cat["paths.chart.no_runs"]


@pytest.mark.parametrize("lang", LANGS)
def test_sweep_marks_best_and_current_rate_and_diverged_rates(rosen, lang):
    s, *_ = rosen
    tr, cat = Translator(lang), _catalog(lang)
    lrs = np.logspace(-5, 0, 31)
    finals = paths.lr_sweep(s, lambda lr: optim.SGD(lr=lr), lrs, None, 100)
    assert np.isinf(finals).any() and np.isfinite(finals).any()
    best = float(lrs[np.argmin(finals)])
    fig = C.sweep_figure([C.SweepCurve("GD", "#0072B2", lrs, finals, 1e-3, best)], tr=tr,
                         min_value=0.0, steps=100)
    go.Figure(fig)
    assert _title(fig) == cat["paths.chart.sweep_title"].format(steps=100)
    assert fig["layout"]["xaxis"]["type"] == "log" and fig["layout"]["yaxis"]["type"] == "log"
    assert fig["layout"]["xaxis"]["title"]["text"] == cat["paths.chart.lr"]
    curve = fig["data"][0]
    assert len(curve["x"]) == 31 and np.isnan(curve["y"][np.isinf(finals)]).all()
    crosses = [t for t in fig["data"] if t["marker"].get("symbol") == "x"]
    assert len(crosses[0]["x"]) == int(np.isinf(finals).sum())
    stars = [t for t in fig["data"] if t["marker"].get("symbol") == "star"]
    assert stars[0]["x"][0] == pytest.approx(best)
    assert stars[0]["name"] == cat["paths.chart.best_lr"]
    assert any(t["marker"].get("symbol") == "diamond" for t in fig["data"])
    empty = C.sweep_figure([], tr=tr)
    assert empty["layout"]["annotations"][0]["text"] == cat["paths.chart.no_sweep"]


@pytest.mark.parametrize("lang", LANGS)
def test_internals_arrows_and_effective_step(rosen, lang):
    s, *_ , runs = rosen
    tr, cat = Translator(lang), _catalog(lang)
    r = runs[1].result
    k = 5
    arrows = [C.Arrow("grad", "#D55E00", -1e-3 * r.grads[k], 5.0),
              C.Arrow("velocity", "#009E73", np.array([0.01, 0.0])),
              C.Arrow("step", "#111111", r.points[k + 1] - r.points[k], 1.8)]
    (x0, x1), (y0, y1) = C.internals_window(r.points[k], arrows, s.domain)
    assert x0 < r.points[k, 0] < x1 and y0 < r.points[k, 1] < y1
    assert x1 - x0 == pytest.approx(y1 - y0)
    wx, wy = np.linspace(x0, x1, 21), np.linspace(y0, y1, 21)
    fig = C.internals_figure(wx, wy, s.f(wx[None, :], wy[:, None]), r.points, k, arrows, tr=tr,
                             log_scale=True, floor=0.0)
    go.Figure(fig)
    assert _title(fig) == cat["paths.chart.internals_title"].format(k=k)
    anns = fig["layout"]["annotations"]
    assert len(anns) == 3 and anns[2]["arrowwidth"] == 1.8
    assert anns[2]["x"] == pytest.approx(r.points[k + 1, 0])
    assert anns[2]["ax"] == pytest.approx(r.points[k, 0])
    assert fig["layout"]["yaxis"]["scaleanchor"] == "x"  # arrows at true angles
    # an arrow longer than the window is shortened, and says by how much
    half = (x1 - x0) / 2
    long, short = C.fit_arrows([C.Arrow("g", "#000", np.array([10 * half, 0.0])),
                                C.Arrow("s", "#000", np.array([0.1 * half, 0.0]))], half)
    assert long.vector[0] == pytest.approx(0.9 * half) and long.label == "g (×0.09)"
    assert short.label == "s" and short.vector[0] == pytest.approx(0.1 * half)
    legend = [t.get("name") for t in fig["data"]]
    assert {"grad", "velocity", "step"} <= set(legend)

    eff = np.full((10, 2), 0.01)
    eff[:, 1] = 0.1
    fe = C.effective_lr_figure(eff, tr=tr, k=3)
    go.Figure(fe)
    assert _title(fe) == cat["paths.chart.eff_title"]
    assert len(fe["data"]) == 2 and len(fe["data"][0]["x"]) == 9
    assert fe["layout"]["yaxis"]["type"] == "log"
    assert fe["data"][1]["name"] == cat["paths.chart.eff_coord"].format(coord="y")


@pytest.mark.parametrize("lang", LANGS)
def test_rate_map_and_convergence(lang):
    tr, cat = Translator(lang), _catalog(lang)
    lam = (0.01, 1.0)
    alphas, betas = np.linspace(0.01, 4.0, 40), np.linspace(0.0, 0.99, 30)
    rates = theory.rate_map(lam, alphas, betas)
    a, b, r = theory.momentum_optimal(lam)
    fig = C.rate_map_figure(alphas, betas, rates, theory.stability_boundary(lam, betas), tr=tr,
                            optimum=(a, b), chosen=(1.0, 0.5), gd_optimum=1.98)
    go.Figure(fig)
    assert _title(fig) == cat["paths.chart.rate_map_title"]
    heat = fig["data"][0]
    assert heat["type"] == "heatmap" and heat["z"].shape == (30, 40)
    assert np.isnan(heat["z"][rates >= 1]).all()  # unstable: blank
    assert heat["zmin"] <= np.nanmin(heat["z"]) and heat["zmax"] == 1.0
    assert fig["data"][1]["name"] == cat["paths.chart.boundary"]
    assert fig["layout"]["xaxis"]["title"]["text"] == cat["paths.chart.alpha_axis"]
    assert len(fig["data"]) == 5

    errors = 2.0 * 0.9 ** np.arange(50)
    fc = C.convergence_figure([{"label": "GD", "color": "#0072B2", "errors": errors,
                                "rate": 0.9, "anchor": 10}], tr=tr)
    go.Figure(fc)
    assert _title(fc) == cat["paths.chart.convergence_title"]
    assert fc["layout"]["yaxis"]["type"] == "log"
    measured, predicted = fc["data"]
    np.testing.assert_allclose(predicted["y"], measured["y"], rtol=1e-5)
    assert predicted["name"] == cat["paths.chart.predicted"].format(label="GD")
