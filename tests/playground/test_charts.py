"""Chart builders of the Network page, fed with real engine data (fast: no browser)."""

from __future__ import annotations

import ast
import json
import string
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import engine as eg
from engine.datasets import features, make
from engine.train import HistogramBins, Series
from playground import charts as C
from playground import raster
from playground.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ROOT / "playground" / "charts.py"
LOCALES = ROOT / "playground" / "locales"
EN, ZH = Translator("en"), Translator("zh")
FEATS = ["x1", "x2", "sin_x1", "sin_x2"]
GRID = 20


def _catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALES / lang / "charts.json").read_text(encoding="utf-8"))


def _trainer(steps: int, *, test: bool = True, hidden=(8,), n_features: int = 2,
             regression: bool = False) -> eg.Trainer:
    ds = make("reg_plane" if regression else "spiral", 200, 0.0, 0)
    X = features(ds.X, FEATS[:n_features]) if n_features != 2 else ds.X
    layers = [eg.layers.Dense(u, activation="tanh") for u in hidden]
    layers.append(eg.layers.Dense(1, activation="linear" if regression else "sigmoid"))
    m = eg.Sequential(layers, input_shape=(X.shape[1],), seed=0)
    m.compile(optimizer=eg.optim.Adam(lr=0.03),
              loss="mean_squared_error" if regression else "binary_crossentropy",
              metrics=[] if regression else ["accuracy"])
    t = eg.Trainer(m, X, ds.y, *((X, ds.y) if test else ()), batch_size=10)
    t.step(steps)
    return t


@pytest.fixture(scope="module")
def trained() -> eg.Trainer:
    return _trainer(50)


@pytest.fixture(scope="module")
def fresh() -> eg.Trainer:
    return _trainer(0)


@pytest.fixture(scope="module")
def deep() -> eg.Trainer:
    """A [4, 8, 8, 1] network on four input features."""
    return _trainer(30, hidden=(8, 8), n_features=4)


def _grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs = np.linspace(-6, 6, GRID)
    gx, gy = np.meshgrid(xs, xs)  # rows: ascending x2
    return xs, xs, np.c_[gx.ravel(), gy.ravel()]


def _net_inputs(t: eg.Trainer, names=FEATS):
    """(layer_sizes, neuron_maps, weights, input_names) of a trainer's model on the grid."""
    _, _, G = _grid()
    n_in = t.X.shape[1]
    Xg = features(G, names[:n_in]) if n_in != 2 else G
    outs = t.model.layer_outputs(Xg)
    maps = [Xg.T.reshape(n_in, GRID, GRID)]
    maps += [o.T.reshape(o.shape[1], GRID, GRID) for o in outs]
    maps[-1] = 2 * maps[-1] - 1  # sigmoid output -> [-1, 1], as the page does
    sizes = [n_in] + [o.shape[1] for o in outs]
    return sizes, maps, [layer.W for layer in t.model.layers], list(names[:n_in])


# -- generic checks ------------------------------------------------------------------------------
def _strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list | tuple):
        return [s for v in obj for s in _strings(v)]
    return []


def _check(fig: dict) -> go.Figure:
    """Plotly accepts it, the look is clean and zoom-stable, no catalog key leaks."""
    assert set(fig) == {"data", "layout"}
    out = go.Figure(fig)
    lay = fig["layout"]
    assert isinstance(lay["uirevision"], str) and lay["uirevision"]
    assert lay.get("template", "none") == "none"
    leaked = [s for s in _strings(fig) if s.startswith("chart.")]
    assert not leaked, leaked
    return out


def _titles(fig: dict) -> dict[str, str]:
    lay = fig["layout"]
    out = {k: v["title"]["text"] for k, v in lay.items()
           if k.startswith(("xaxis", "yaxis")) and "title" in v}
    if "title" in lay:
        out["title"] = lay["title"]["text"]
    return out


def _img(trace: dict) -> np.ndarray:
    """The RGBA pixels of an image trace (z rows ascending in y, as drawn)."""
    assert trace["type"] == "image"
    return raster.decode(trace["source"])


def _diverging_values(rgba: np.ndarray) -> np.ndarray:
    """Invert DIVERGING (orange -1, grey 0, blue +1) to values by the nearest colour of a fine
    table, NaN where transparent. Accurate to ~0.01."""
    grid = np.linspace(-1.0, 1.0, 2001)
    table = raster.colorize(grid[None, :], -1.0, 1.0, C.DIVERGING)[0, :, :3].astype(float)
    px = rgba[..., :3].reshape(-1, 3).astype(float)
    nearest = np.argmin(((px[:, None, :] - table[None, :, :]) ** 2).sum(-1), axis=1)
    v = grid[nearest].reshape(rgba.shape[:2])
    return np.where(rgba[..., 3] > 0, v, np.nan)


def _payload_ok(fig: dict) -> None:
    """The live component can send it (typed arrays, strict JSON)."""
    lc = pytest.importorskip("playground.components.live_chart")
    json.dumps(lc.to_payload(fig), allow_nan=False)


# -- module rules and catalogs -------------------------------------------------------------------
def test_charts_never_imports_streamlit():
    tree = ast.parse(CHARTS.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "streamlit" for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "streamlit"
    code = "import sys, playground.charts; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_catalogs_have_the_same_keys_and_placeholders():
    en, zh = _catalog("en"), _catalog("zh")
    assert set(en) == set(zh)
    assert all(k.startswith("chart.") for k in en)

    def fields(s: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(s) if f}

    for k in en:
        assert fields(en[k]) == fields(zh[k]), k
        assert zh[k].strip(), k


def test_every_key_used_by_charts_is_in_the_catalog():
    used = set()
    for node in ast.walk(ast.parse(CHARTS.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.startswith("chart.") and " " not in node.value:
            used.add(node.value)
    assert used and used <= set(_catalog("en"))


# -- 1. decision boundary ------------------------------------------------------------------------
def test_decision_boundary_classification(trained):
    xs, ys, G = _grid()
    Z = trained.model.forward(G).reshape(GRID, GRID)
    X, y = trained.X, trained.y
    fig = C.decision_boundary(xs, ys, Z, X, y, X[:50], y[:50], tr=EN)
    _check(fig)
    _payload_ok(fig)
    heat, train, test = fig["data"]
    assert [d["type"] for d in fig["data"]] == ["image", "scatter", "scatter"]
    assert heat["meta"] == {"zmin": 0.0, "zmax": 1.0}
    # the field as a PNG: row i at y = ys[i], colours of the diverging scale centred at 0.5
    assert (heat["x0"], heat["y0"]) == (pytest.approx(xs[0]), pytest.approx(ys[0]))
    assert heat["dx"] == pytest.approx(xs[1] - xs[0]) and heat["dy"] == pytest.approx(ys[1] - ys[0])
    rgba = _img(heat)
    np.testing.assert_array_equal(rgba, raster.colorize(Z, 0.0, 1.0, C.DIVERGING, 0.8))
    np.testing.assert_allclose(_diverging_values(rgba), 2 * Z - 1, atol=0.02)
    assert train["x"].dtype == np.float32 and train["x"].shape == (200,)
    assert set(np.unique(train["marker"]["color"])) <= {0.0, 1.0}
    assert train["marker"]["line"]["color"] == "white"
    assert test["marker"]["line"]["color"] != "white" and test["x"].shape == (50,)
    assert _titles(fig) == {"xaxis": "x1", "yaxis": "x2", "title": "Decision boundary"}
    assert fig["layout"]["yaxis"]["scaleanchor"] == "x"  # equal aspect
    names = {train["name"], test["name"]}
    assert names <= set(_catalog("en").values())
    zh = C.decision_boundary(xs, ys, Z, X, y, X[:50], y[:50], tr=ZH)
    assert zh["data"][1]["name"] != train["name"]
    assert _titles(zh)["title"] == _catalog("zh")["chart.boundary.title"]


def test_decision_boundary_discretized_and_without_test(trained):
    xs, ys, G = _grid()
    Z = trained.model.forward(G).reshape(GRID, GRID)
    fig = C.decision_boundary(xs, ys, Z, trained.X, trained.y, discretize=True, tr=EN)
    _check(fig)
    assert len(fig["data"]) == 2
    rgba = _img(fig["data"][0])
    np.testing.assert_array_equal(
        rgba, raster.colorize((Z >= 0.5).astype(float), 0.0, 1.0, C.TWO_CLASSES, 0.8))
    assert len(np.unique(rgba.reshape(-1, 4), axis=0)) <= 2  # two flat colours


def test_decision_boundary_regression_is_symmetric():
    t = _trainer(20, regression=True)
    xs, ys, G = _grid()
    Z = t.model.forward(G).reshape(GRID, GRID)
    fig = C.decision_boundary(xs, ys, Z, t.X, t.y, t.X, t.y, task="regression", tr=ZH)
    _check(fig)
    heat = fig["data"][0]["meta"]
    assert heat["zmin"] == -heat["zmax"] > -np.inf and heat["zmax"] > 0
    assert heat["zmax"] >= np.abs(Z).max() - 1e-6
    assert fig["data"][1]["marker"]["cmin"] == heat["zmin"]
    np.testing.assert_allclose(_diverging_values(_img(fig["data"][0])), Z / heat["zmax"],
                               atol=0.02)
    assert _titles(fig)["title"] == _catalog("zh")["chart.boundary.title_regression"]


def test_decision_boundary_rejects_a_mismatched_grid(trained):
    xs, ys, _ = _grid()
    with pytest.raises(ValueError, match="len\\(ys\\), len\\(xs\\)"):
        C.decision_boundary(xs, ys[:-1], np.zeros((GRID, GRID)), trained.X, trained.y, tr=EN)


# -- 2. network diagram --------------------------------------------------------------------------
def _by_type(fig: dict, kind: str, mode: str | None = None) -> list[dict]:
    return [d for d in fig["data"] if d["type"] == kind and (mode is None or d.get("mode") == mode)]


def test_network_diagram_structure(deep):
    sizes, maps, Ws, names = _net_inputs(deep)
    assert sizes == [4, 8, 8, 1]
    fig = C.network_diagram(sizes, maps, Ws, input_names=names, tr=EN)
    _check(fig)
    _payload_ok(fig)
    tiles = _by_type(fig, "image")
    lines = _by_type(fig, "scatter", "lines")
    assert len(tiles) == len(sizes) and len(lines) <= 12
    assert len(fig["data"]) == len(tiles) + len(lines) + 2  # + link hover + neuron hover
    # one image per column: every neuron's t x t tile is there, transparent between tiles
    t = C.tile_resolution(max(sizes))
    assert t == 16
    for j, (trace, n) in enumerate(zip(tiles, sizes, strict=True)):
        rgba = _img(trace)
        assert trace["meta"] == {"column": j} and rgba.shape[1] == t
        assert int((rgba[..., 3] > 0).sum()) == n * t * t
        assert trace["dx"] == pytest.approx(trace["dy"])  # square pixels
    # the tiles show the neurons' (shrunk) outputs, within [-1, 1]
    vals = np.concatenate([_diverging_values(_img(tr_))[np.isfinite(
        _diverging_values(_img(tr_)))] for tr_ in tiles])
    assert np.all(np.abs(vals) <= 1.0 + 1e-9)
    # one hover point per link, carrying its weight
    link_hover, nodes = fig["data"][-2], fig["data"][-1]
    all_w = np.concatenate([W.ravel() for W in Ws]).astype(np.float32)
    np.testing.assert_allclose(np.sort(link_hover["customdata"]), np.sort(all_w), rtol=1e-6)
    assert len(link_hover["text"]) == all_w.size == 4 * 8 + 8 * 8 + 8
    assert "x1 → H1.1" in link_hover["text"] and "H2.8 → Out" in link_hover["text"]
    assert link_hover["hovertemplate"].startswith("w = %{customdata:.3f} (%{text})")
    segments = sum(int(np.isnan(d["x"]).sum()) for d in lines)
    assert segments == all_w.size
    # neurons: named, and the input column is labelled with the feature names
    assert len(nodes["text"]) == sum(sizes)
    assert nodes["text"][0] == "Input x1" and nodes["text"][4] == "Hidden layer 1, neuron 1"
    assert nodes["text"][-1] == "Output neuron"
    assert fig["layout"]["yaxis"]["ticktext"] == names
    heads = fig["layout"]["xaxis"]["ticktext"]
    assert heads[0].startswith("Input") and heads[1].startswith("Hidden 1")
    assert heads[-1] == "Output<br>1 unit"
    zh = C.network_diagram(sizes, maps, Ws, input_names=names, tr=ZH)
    assert zh["layout"]["xaxis"]["ticktext"] != heads
    assert zh["data"][-1]["text"][4] == "隐藏层 1，神经元 1"


def test_network_links_follow_weight_size_and_sign():
    sizes = [2, 3, 1]
    W0 = np.array([[2.0, -2.0, 0.1], [-0.5, 1.0, 0.0]])
    W1 = np.array([[1.0], [-1.5], [0.2]])
    maps = [np.zeros((n, 4, 4)) for n in sizes]
    fig = C.network_diagram(sizes, maps, [W0, W1], input_names=["a", "b"], tr=EN)
    _check(fig)
    lines = _by_type(fig, "scatter", "lines")
    nodes = fig["data"][-1]
    by_key = {(d["meta"]["bucket"], d["meta"]["sign"]): d for d in lines}
    assert len(by_key) == len(lines) == 10
    for (b, sign), d in by_key.items():
        assert d["line"]["color"] == (C.BLUE if sign > 0 else C.ORANGE)
        if b:
            assert d["line"]["width"] > by_key[(b - 1, sign)]["line"]["width"]
    w = np.concatenate([W0.ravel(), W1.ravel()])
    bucket = np.minimum((np.abs(w) / 2.0 * 5).astype(int), 4)
    for (b, sign), d in by_key.items():
        expected = int(((bucket == b) & ((w >= 0) if sign > 0 else (w < 0))).sum())
        assert int(np.isnan(d["x"]).sum()) == expected, (b, sign)
    # the thickest blue link is a -> H1.1 (w = 2): it starts at input 0 and ends at hidden 0
    seg = by_key[(4, 1)]
    ny = np.asarray(nodes["y"])
    assert seg["y"][0] == ny[0] and seg["y"][1] == ny[2]
    assert seg["x"][0] < seg["x"][1]
    thick_orange = by_key[(4, -1)]
    assert thick_orange["y"][0] == ny[0] and thick_orange["y"][1] == ny[3]
    # a fixed reference shrinks all links
    fixed = C.network_diagram(sizes, maps, [W0, W1], input_names=["a", "b"], tr=EN, w_max=20.0)
    top = [d for d in _by_type(fixed, "scatter", "lines") if d["meta"]["bucket"] == 0]
    assert sum(int(np.isnan(d["x"]).sum()) for d in top) == w.size


def test_network_diagram_big_and_small_nets():
    rng = np.random.default_rng(0)
    for sizes in ([2, 1], [7, 16, 16, 1], [4, 32, 32, 1], [7] + [64] * 8 + [1]):
        maps = [np.tanh(rng.normal(size=(n, 12, 12))) for n in sizes]
        Ws = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
        names = [f"f{i}" for i in range(sizes[0])]
        fig = C.network_diagram(sizes, maps, Ws, input_names=names, tr=ZH)
        _check(fig)
        t = C.tile_resolution(max(sizes))
        images = _by_type(fig, "image")
        assert len(images) == (len(sizes) if t else 0)
        assert len(_by_type(fig, "scatter", "lines")) <= 12
        hover = fig["data"][-2]
        assert len(hover["customdata"]) <= C.MAX_LINKS
        lines = _by_type(fig, "scatter", "lines")
        assert sum(int(np.isnan(d["x"]).sum()) for d in lines) == len(hover["customdata"])
        nodes = fig["data"][-1]["marker"]
        if t:
            assert sum(int((_img(im)[..., 3] > 0).sum()) for im in images) == \
                sum(sizes) * t * t
            assert nodes["opacity"] == 0
        else:  # plain coloured nodes
            assert nodes["opacity"] == 1.0
    assert [C.tile_resolution(n) for n in (1, 8, 9, 16, 17, 32, 33, 64)] == \
        [16, 16, 8, 8, 4, 4, 0, 0]
    # the strongest links are the ones kept
    sizes = [7] + [64] * 8 + [1]
    Ws = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    fig = C.network_diagram(sizes, None, Ws, input_names=list("abcdefg"), tr=EN, max_links=90)
    kept = np.abs(fig["data"][-2]["customdata"][10:20])  # the second gap's share (10 each)
    assert kept.min() >= np.sort(np.abs(Ws[1].ravel()))[-10] - 1e-6


def test_network_normalisation_modes():
    sizes = [1, 2, 1]
    g = np.linspace(-1, 1, 8)[None, :, None] * np.ones((1, 1, 8))
    maps = [6 * g, np.concatenate([0.5 * g, 0.01 * g]), 3 * g]
    Ws = [np.ones((1, 2)), np.ones((2, 1))]

    def mosaic(mode: str) -> tuple[float, ...]:
        fig = C.network_diagram(sizes, maps, Ws, input_names=["x1"], tr=EN, normalize=mode)
        cols = [np.nanmax(np.abs(_diverging_values(_img(im))))
                for im in _by_type(fig, "image")]
        return tuple(np.round(cols, 1))

    assert mosaic("shrink") == (1.0, 0.5, 1.0)  # bounded outputs keep their amplitude
    assert mosaic("neuron") == (1.0, 1.0, 1.0)
    assert mosaic("layer") == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="normalize"):
        C.network_diagram(sizes, maps, Ws, input_names=["x1"], tr=EN, normalize="nope")


def test_network_diagram_rejects_bad_shapes():
    maps = [np.zeros((n, 4, 4)) for n in (2, 3, 1)]
    with pytest.raises(ValueError, match="weights\\[1\\]"):
        C.network_diagram([2, 3, 1], maps, [np.zeros((2, 3)), np.zeros((2, 1))],
                          input_names=["a", "b"], tr=EN)
    with pytest.raises(ValueError, match="input_names"):
        C.network_diagram([2, 3, 1], maps, [np.zeros((2, 3)), np.zeros((3, 1))],
                          input_names=["a"], tr=EN)
    with pytest.raises(ValueError, match="neuron_maps"):
        C.network_diagram([2, 3, 1], maps[:2], [np.zeros((2, 3)), np.zeros((3, 1))],
                          input_names=["a", "b"], tr=EN)


# -- 3./4. curves --------------------------------------------------------------------------------
def test_loss_curves(trained):
    fig = C.loss_curves(trained.history, tr=EN)
    _check(fig)
    _payload_ok(fig)
    names = [d["name"] for d in fig["data"]]
    assert names == ["Batch loss", "Training loss", "Test loss"]
    batch, train, _ = fig["data"]
    assert batch["x"].dtype == np.int32 and batch["y"].dtype == np.float32
    assert batch["x"][-1] == 50 and len(batch["x"]) == 50
    assert train["x"][0] == 0 and train["x"][-1] == 50
    assert _titles(fig) == {"xaxis": "Step", "yaxis": "Loss", "title": "Loss"}
    zh = C.loss_curves(trained.history, tr=ZH)
    assert set(_titles(zh).values()).isdisjoint(_titles(fig).values())
    log = C.loss_curves(trained.history, tr=EN, log_y=True)
    _check(log)
    assert log["layout"]["yaxis"]["type"] == "log"
    assert log["layout"]["uirevision"] != fig["layout"]["uirevision"]


def test_loss_curves_without_test_data_and_at_step_zero(fresh):
    t = _trainer(5, test=False)
    fig = C.loss_curves(t.history, tr=EN)
    _check(fig)
    assert [d["name"] for d in fig["data"]] == ["Batch loss", "Training loss"]
    fig0 = C.loss_curves(fresh.history, tr=ZH, log_y=True)
    _check(fig0)
    assert len(fig0["data"][0]["x"]) == 0 and len(fig0["data"][1]["x"]) == 1


def test_loss_curves_log_axis_hides_non_positive_values():
    class H:  # the fields loss_curves reads
        batch_loss, train_loss, test_loss = Series(), Series(), Series()

    for s, v in enumerate([1.0, 0.0, -1.0, 0.5]):
        H.train_loss.add(s, v)
    fig = C.loss_curves(H, tr=EN, log_y=True)
    y = fig["data"][1]["y"]
    assert np.isnan(y[1:3]).all() and y[0] == 1.0 and y[3] == 0.5


def test_accuracy_curves(trained, fresh):
    fig = C.accuracy_curves(trained.history, tr=EN)
    _check(fig)
    assert [d["name"] for d in fig["data"]] == ["Training accuracy", "Test accuracy"]
    lo, hi = fig["layout"]["yaxis"]["range"]
    assert lo <= 0 and 1 <= hi < 1.1
    y = fig["data"][0]["y"]
    assert ((0 <= y) & (y <= 1)).all()
    assert _titles(fig)["yaxis"] != _titles(C.accuracy_curves(trained.history, tr=ZH))["yaxis"]
    _check(C.accuracy_curves(fresh.history, tr=EN))
    reg = C.accuracy_curves(_trainer(3, regression=True).history, tr=EN)  # no accuracy at all
    _check(reg)
    assert len(reg["data"]) == 1 and len(reg["data"][0]["x"]) == 0
    assert reg["layout"]["annotations"][0]["text"] == "No data yet"


# -- 5. histograms -------------------------------------------------------------------------------
def test_histogram_over_time(trained):
    name = trained.model.layers[0].name
    s, bins = trained.history.weight_hist[name], trained.history.weight_bins[name]
    fig = C.histogram_over_time(s, bins, title=name, tr=EN)
    _check(fig)
    _payload_ok(fig)
    (heat,) = fig["data"]
    nb = bins.edges.size - 1
    rgba = _img(heat)
    assert rgba.shape == (nb, len(s), 4)
    steps = np.asarray(s.steps)
    assert heat["meta"]["steps"] == [steps[0], steps[-1], len(s)]
    assert heat["x0"] == steps[0] and heat["dx"] == pytest.approx(
        (steps[-1] - steps[0]) / (len(s) - 1))
    assert heat["y0"] == pytest.approx((bins.edges[0] + bins.edges[1]) / 2)
    counts = np.stack(s.values).T
    assert heat["meta"]["top"] == counts.max()
    # log colours: white at 0 (blank), count 1 already visible, darkest at the top count
    scale = C._log_counts_scale(float(counts.max()))
    np.testing.assert_array_equal(rgba, raster.colorize(counts, 0.0, counts.max(), scale))
    assert (rgba[counts == 0][:, :3] == 255).all() and (rgba[counts > 0][:, :3] < 255).any()
    assert scale[0] == [0.0, "#ffffff"] and scale[-1][0] == 1.0
    assert scale[1][0] == pytest.approx(1 / counts.max()) and scale[1][1] != "#ffffff"
    pos = [p for p, _ in scale]
    assert pos == sorted(pos) and len(set(pos)) == len(pos)
    assert _titles(fig) == {"xaxis": "Step", "yaxis": "Value", "title": name}


def test_histogram_over_time_thins_long_series():
    bins = HistogramBins.symmetric(np.ones(3), 10)
    s = Series(capacity=5000)
    for k in range(1000):
        s.add(k, np.full(10, k % 7))
    fig = C.histogram_over_time(s, bins, title="w", tr=EN, max_steps=100)
    heat = fig["data"][0]
    assert _img(heat).shape == (10, 100, 4) and heat["meta"]["steps"] == [0, 999, 100]
    empty = C.histogram_over_time(Series(), bins, title="w", tr=ZH)
    _check(empty)
    assert empty["data"] == []
    assert empty["layout"]["annotations"][0]["text"] == _catalog("zh")["chart.no_data"]


def test_histograms_over_time(trained, fresh):
    h = trained.history
    fig = C.histograms_over_time(h.weight_hist, h.weight_bins, kind="weights", tr=EN)
    _check(fig)
    layers = list(h.weight_hist)
    assert [d["type"] for d in fig["data"]] == ["image"] * len(layers)
    assert [d["yaxis"] for d in fig["data"]] == ["y", "y2"][: len(layers)]
    assert {d["xaxis"] for d in fig["data"]} == {"x"}  # one shared step axis
    lay = fig["layout"]
    assert [lay["yaxis"]["title"]["text"], lay["yaxis2"]["title"]["text"]] == layers
    assert lay["yaxis"]["domain"][0] > lay["yaxis2"]["domain"][1]  # first layer on top
    assert lay["title"]["text"] == "Weights per layer over time"
    g = C.histograms_over_time(h.grad_hist, h.grad_bins, kind="gradients", tr=ZH)
    _check(g)
    assert g["layout"]["title"]["text"] == _catalog("zh")["chart.hist.grads_title"]
    # at step 0 there are no gradient bins yet
    g0 = C.histograms_over_time(fresh.history.grad_hist, fresh.history.grad_bins,
                                kind="gradients", tr=EN)
    _check(g0)
    assert g0["data"] == [] and g0["layout"]["annotations"][0]["text"] == "No data yet"
    with pytest.raises(ValueError, match="kind"):
        C.histograms_over_time(h.grad_hist, h.grad_bins, kind="biases", tr=EN)


def test_histogram_bars(trained):
    name = trained.model.layers[0].name
    counts = trained.history.weight_hist[name].last()
    edges = trained.history.weight_bins[name].edges
    fig = C.histogram_bars(counts, edges, title=name, tr=ZH)
    _check(fig)
    (bar,) = fig["data"]
    assert bar["type"] == "bar" and bar["x"].shape == bar["y"].shape == (edges.size - 1,)
    np.testing.assert_allclose(bar["width"], np.diff(edges), rtol=1e-5)
    assert fig["layout"]["bargap"] == 0
    assert _titles(fig)["xaxis"] == _catalog("zh")["chart.hist.value"]
    with pytest.raises(ValueError, match="edges"):
        C.histogram_bars(counts, edges[:-1], title=name, tr=EN)


# -- 6. gradient norms ---------------------------------------------------------------------------
def test_grad_norms(trained, fresh):
    fig = C.grad_norms(trained.history, tr=EN)
    _check(fig)
    assert [d["name"] for d in fig["data"]] == list(trained.history.grad_norm)
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert len({d["line"]["color"] for d in fig["data"]}) == len(fig["data"])
    assert _titles(fig)["yaxis"] == "Gradient norm (log scale)"
    f0 = C.grad_norms(fresh.history, tr=ZH)
    _check(f0)
    for d in f0["data"]:  # a zero norm would be log(0): it is a gap
        assert np.isnan(d["y"][d["y"] <= 0]).all()


# -- 7. readout ----------------------------------------------------------------------------------
def test_readout(trained, fresh):
    m = trained.metrics()
    text = C.readout(m, tr=EN)
    assert "**Step** 50" in text and "Training loss" in text and "Test accuracy" in text
    assert f"{m['train_loss']:.4f}" in text and "steps/s" in text and "⚠" not in text
    zh = C.readout(m, tr=ZH)
    assert "训练损失" in zh and zh != text
    C.readout(fresh.metrics(), tr=EN)
    C.readout({"step": 0}, tr=EN)


def test_readout_warns_when_training_diverged():
    m = {"step": 12, "epoch": 0, "state": "diverged", "batch_loss": float("nan"),
         "train_loss": float("inf"), "test_loss": None, "train_accuracy": None,
         "test_accuracy": None, "steps_per_second": 0.0, "lr": 5.0,
         "divergence_reason": "the loss became nan at step 12 ..."}
    text = C.readout(m, tr=EN)
    assert "⚠" in text and "learning rate (now 5)" in text and "Reset" in text
    zh = C.readout(m, tr=ZH)
    assert "学习率" in zh and "重置" in zh


# -- every visible title comes from the catalog, in both languages -------------------------------
def _all_figures(t: eg.Trainer, tr: Translator) -> dict[str, dict]:
    h = t.history
    xs, ys, G = _grid()
    Z = t.model.forward(G).reshape(GRID, GRID)
    name = t.model.layers[0].name
    sizes, maps, Ws, names = _net_inputs(t)
    return {
        "boundary": C.decision_boundary(xs, ys, Z, t.X, t.y, t.X, t.y, tr=tr),
        "network": C.network_diagram(sizes, maps, Ws, input_names=names, tr=tr, show_title=True),
        "loss": C.loss_curves(h, tr=tr),
        "loss_log": C.loss_curves(h, tr=tr, log_y=True),
        "accuracy": C.accuracy_curves(h, tr=tr),
        "hist": C.histogram_over_time(h.weight_hist[name], h.weight_bins[name], title=name, tr=tr),
        "weights": C.histograms_over_time(h.weight_hist, h.weight_bins, tr=tr),
        "grads": C.histograms_over_time(h.grad_hist, h.grad_bins, kind="gradients", tr=tr),
        "bars": C.histogram_bars(h.weight_hist[name].last(), h.weight_bins[name].edges,
                                 title=name, tr=tr),
        "grad_norms": C.grad_norms(h, tr=tr),
    }


@pytest.mark.parametrize("steps", [0, 50])
def test_titles_are_catalog_values_in_both_languages(steps):
    t = _trainer(steps)
    data_names = set(t.history.weight_hist)  # layer names are data, not words
    figs = {lang: _all_figures(t, Translator(lang)) for lang in ("en", "zh")}
    for lang, by_name in figs.items():
        words = set(_catalog(lang).values()) | data_names
        for name, fig in by_name.items():
            _check(fig)
            titles = _titles(fig)
            assert titles, name
            assert set(titles.values()) <= words, (lang, name, titles)
            for d in fig["data"]:
                if d.get("name") and d.get("showlegend", True):
                    assert d["name"] in words, (lang, name, d["name"])
    for name in figs["en"]:
        en, zh = _titles(figs["en"][name]), _titles(figs["zh"][name])
        assert any(en[k] != zh[k] for k in en), name  # (x1/x2 and layer names stay as they are)
