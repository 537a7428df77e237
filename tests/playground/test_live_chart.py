"""The Python side of the live chart: figure -> payload, compaction, keys, serving, AppTest."""

from __future__ import annotations

import base64
import copy
import importlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

lc = importlib.import_module("playground.components.live_chart")

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "playground" / "demos" / "live_demo.py"
NP_DTYPES = {"f4": "<f4", "f8": "<f8", "i4": "<i4", "u4": "<u4", "i1": "i1", "u1": "u1",
             "i2": "<i2", "u2": "<u2"}  # fmt: skip


def decode(spec: dict) -> np.ndarray:
    a = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=NP_DTYPES[spec["dtype"]])
    if "shape" in spec:
        a = a.reshape([int(n) for n in spec["shape"].split(",")])
    return a


# --------------------------------------------------------------------------
# encode_array: float32 compaction
# --------------------------------------------------------------------------


def test_float64_becomes_float32_typed_array():
    x = np.linspace(0.0, 1.0, 11)
    spec = lc.encode_array(x)
    assert spec["dtype"] == "f4" and "shape" not in spec
    np.testing.assert_array_equal(decode(spec), x.astype(np.float32))
    assert len(base64.b64decode(spec["bdata"])) == 4 * x.size


def test_float64_kept_on_request():
    x = np.array([1.0 + 1e-12, 2.0])
    spec = lc.encode_array(x, float32=False)
    assert spec["dtype"] == "f8"
    np.testing.assert_array_equal(decode(spec), x)


def test_2d_array_has_plotly_shape():
    z = np.arange(12, dtype=np.float64).reshape(3, 4)
    spec = lc.encode_array(z)
    assert spec["shape"] == "3, 4"
    np.testing.assert_array_equal(decode(spec), z.astype(np.float32))


def test_non_finite_floats_become_nan_gaps():
    spec = lc.encode_array(np.array([1.0, np.inf, -np.inf, np.nan]))
    out = decode(spec)
    assert out[0] == 1.0 and np.isnan(out[1:]).all()


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (np.arange(5, dtype=np.int64), "i4"),
        (np.array([0, 2**31 + 5], dtype=np.int64), "u4"),
        (np.array([-1, 2**40], dtype=np.int64), "f8"),
        (np.arange(5, dtype=np.uint8), "u1"),
        (np.arange(5, dtype=np.int16), "i2"),
    ],
)
def test_integers_stay_exact(values, dtype):
    spec = lc.encode_array(values)
    assert spec["dtype"] == dtype
    np.testing.assert_array_equal(decode(spec).astype(np.int64), values)


def test_non_numeric_arrays_stay_lists():
    assert lc.encode_array(np.array([True, False])) == [True, False]
    assert lc.encode_array(np.array(["a", "b"])) == ["a", "b"]
    assert lc.encode_array(np.array([], dtype=float)) == []
    dates = np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]")
    assert lc.encode_array(dates) == ["2024-01-01", "2024-01-02"]


# --------------------------------------------------------------------------
# to_payload: figure -> payload
# --------------------------------------------------------------------------


def test_dict_figure_is_compacted_and_not_mutated():
    z = np.random.default_rng(0).normal(size=(5, 6))
    fig = {
        "data": [
            {"type": "heatmap", "z": z, "colorscale": [[0, "#000"], [1, "#fff"]]},
            {"type": "scatter", "x": list(range(20)), "y": [0.5] * 20, "text": ["a"] * 20},
            {"type": "scatter", "x": [1, 2], "y": [3.0, float("nan")]},
        ],
        "layout": {"title": {"text": "T"}, "xaxis": {"range": [0, 1]}, "template": {"x": 1}},
    }
    before = copy.deepcopy(fig)
    p = lc.to_payload(fig, uirevision="u")
    heat, long_line, short_line = p["data"]
    assert heat["z"]["dtype"] == "f4" and heat["z"]["shape"] == "5, 6"
    assert heat["colorscale"] == [[0, "#000"], [1, "#fff"]]  # plain arrays stay plain
    assert long_line["x"]["dtype"] == "i4" and long_line["y"]["dtype"] == "f4"
    assert long_line["text"] == ["a"] * 20
    assert short_line["x"] == [1, 2] and short_line["y"] == [3.0, None]  # NaN -> null
    assert p["layout"]["xaxis"]["range"] == [0, 1]
    assert "template" not in p["layout"]
    assert p["layout"]["uirevision"] == "u"
    assert p["layout"]["margin"] == lc.DEFAULT_MARGIN
    json.dumps(p, allow_nan=False)  # strict JSON: the browser JSON.parses it
    assert fig["layout"] == before["layout"] and fig["data"][1] == before["data"][1]
    assert fig["data"][0]["z"] is z


def test_user_layout_wins_over_defaults():
    p = lc.to_payload(
        {"data": [], "layout": {"uirevision": "mine", "margin": {"l": 0}, "template": "none"}},
        keep_template=True,
    )
    assert p["layout"]["uirevision"] == "mine"
    assert p["layout"]["margin"] == {"l": 0}
    assert p["layout"]["template"] == "none"


def test_graph_objects_figure_is_accepted():
    go = pytest.importorskip("plotly.graph_objects")
    z = np.random.default_rng(1).normal(size=(4, 3))
    fig = go.Figure(go.Heatmap(z=z), layout={"title": {"text": "H"}})
    p = lc.to_payload(fig)
    spec = p["data"][0]["z"]
    assert p["data"][0]["type"] == "heatmap"
    assert spec["dtype"] == "f4"  # plotly.py's own f8 spec is recoded
    np.testing.assert_allclose(decode(spec), z, rtol=1e-6)
    assert "template" not in p["layout"]  # the "plotly" template is big; template="none" look
    assert p["layout"]["title"]["text"] == "H"


def test_trace_objects_in_a_plain_dict():
    go = pytest.importorskip("plotly.graph_objects")
    p = lc.to_payload({"data": [go.Bar(x=["a", "b"], y=np.array([1.5, 2.5]))]})
    assert p["data"][0]["type"] == "bar" and p["data"][0]["x"] == ["a", "b"]
    np.testing.assert_array_equal(decode(p["data"][0]["y"]), [1.5, 2.5])


def test_trace_list_and_single_trace_inputs():
    trace = {"type": "scatter", "y": np.arange(3.0)}
    assert lc.to_payload([trace])["data"][0]["type"] == "scatter"
    assert lc.to_payload(trace)["data"][0]["type"] == "scatter"


def test_pandas_series_are_converted():
    pd = pytest.importorskip("pandas")
    p = lc.to_payload({"data": [{"type": "scatter", "y": pd.Series([1.0, 2.0, 3.0])}]})
    np.testing.assert_array_equal(decode(p["data"][0]["y"]), [1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("bad", "error"),
    [(42, TypeError), ("figure", TypeError), ({"foo": 1}, ValueError), ([1, 2], TypeError)],
)
def test_bad_figures_raise_clear_errors(bad, error):
    with pytest.raises(error, match="live_chart"):
        lc.to_payload(bad)


# --------------------------------------------------------------------------
# component data: keys, names, digests
# --------------------------------------------------------------------------


def fig_of(y) -> dict:
    return {"data": [{"type": "scatter", "y": np.asarray(y, dtype=float)}]}


def test_component_data_layout():
    d = lc.build_component_data(
        {"loss": fig_of([1, 2]), "acc": fig_of([3])}, key="metrics", height=250, src="/x.js"
    )
    assert d["key"] == "metrics" and d["src"] == "/x.js" and d["height"] == 250
    assert [c["id"] for c in d["charts"]] == ["loss", "acc"]
    assert d["columns"] == 2
    assert d["charts"][0]["layout"]["uirevision"] == "metrics.loss"
    assert d["charts"][0]["config"]["displaylogo"] is False
    json.dumps(d, allow_nan=False)


def test_a_figure_height_wins():
    tall = {"data": [], "layout": {"height": 500}}
    d = lc.build_component_data({"a": fig_of([1]), "b": tall}, key="k", height=200, src="")
    assert [c["height"] for c in d["charts"]] == [200, 500]


def test_sequence_of_figures_gets_index_names_and_columns_are_clamped():
    d = lc.build_component_data([fig_of([1]), fig_of([2])], key=7, columns=5, src="")
    assert d["key"] == "7" and [c["id"] for c in d["charts"]] == ["0", "1"]
    assert d["columns"] == 2


def test_config_is_merged():
    d = lc.build_component_data(
        {"a": fig_of([1])}, key="k", config={"displayModeBar": False}, src=""
    )
    assert d["charts"][0]["config"] == {**lc.DEFAULT_CONFIG, "displayModeBar": False}


def test_digest_tracks_content():
    def digest(y):
        return lc.build_component_data({"a": fig_of(y)}, key="k", src="")["charts"][0]["digest"]

    assert digest([1, 2, 3]) == digest([1, 2, 3])
    assert digest([1, 2, 3]) != digest([1, 2, 4])


@pytest.mark.parametrize("key", ["", "   ", None, True, 1.5, ["a"]])
def test_bad_keys_are_rejected(key):
    with pytest.raises((TypeError, ValueError), match="key"):
        lc.build_component_data({"a": fig_of([1])}, key=key, src="")


@pytest.mark.parametrize("height", [0, 10, -5, "300", 300.0, True])
def test_bad_heights_are_rejected(height):
    with pytest.raises(ValueError, match="height"):
        lc.build_component_data({"a": fig_of([1])}, key="k", height=height, src="")


def test_one_figure_given_as_a_group_is_an_error():
    with pytest.raises(TypeError, match="live_chart"):
        lc.build_component_data(fig_of([1]), key="k", src="")


def test_no_figures_is_an_error():
    with pytest.raises(ValueError, match="no figures"):
        lc.build_component_data({}, key="k", src="")


def test_live_chart_requires_a_key():
    with pytest.raises(TypeError):
        lc.live_chart(fig_of([1]))  # type: ignore[call-arg]


def test_plotly_src_honours_base_url_path(monkeypatch):
    monkeypatch.setattr(lc.st, "get_option", lambda name: "/course/" if "baseUrl" in name else None)
    assert lc.plotly_js_source() == "/course/app/static/plotly.min.js"
    monkeypatch.setattr(lc.st, "get_option", lambda name: "")
    assert lc.plotly_js_source() == "/app/static/plotly.min.js"
    assert lc.plotly_js_source(full=False) == "/app/static/plotly-cartesian.min.js"


def test_the_shipped_cartesian_bundle_matches_the_installed_plotly():
    # A plotly upgrade changes the full bundle's version: ship the same version's cartesian
    # bundle (npm pack plotly.js-cartesian-dist-min@<version>) or every page loads 4.8 MB.
    ours = lc.plotly_js_version(lc.cartesian_bundle_path())
    theirs = lc.plotly_js_version(lc.plotly_js_path())
    assert ours is not None and ours == theirs, (
        f"shipped cartesian plotly.js {ours} != plotly package's {theirs}")
    assert lc.cartesian_bundle_usable()


def test_cartesian_charts_take_the_small_bundle_and_3d_the_full_one():
    flat = {"a": {"data": [{"type": "image", "source": "x"}, {"x": [1, 2]}]},
            "b": {"data": [{"type": "bar", "y": [1, 2]}, {"type": "contour", "z": [[1]]}]}}
    data = lc.build_component_data(flat, key="k")
    assert data["src"].endswith("/plotly-cartesian.min.js") and data["full"] is False
    mixed = {**flat, "c": {"data": [{"type": "surface", "z": [[1, 2], [3, 4]]}]}}
    data = lc.build_component_data(mixed, key="k")
    assert data["src"].endswith("/plotly.min.js") and data["full"] is True
    data = lc.build_component_data(flat, key="k", src="own.js")  # a given src is trusted whole
    assert data["src"] == "own.js" and data["full"] is True


def test_another_plotly_version_falls_back_to_the_full_bundle(monkeypatch, tmp_path):
    other = tmp_path / "plotly-cartesian.min.js"
    other.write_text("/**\n* plotly.js (cartesian - minified) v0.0.1\n*/\n")
    monkeypatch.setattr(lc, "cartesian_bundle_path", lambda: other)
    lc.cartesian_bundle_usable.cache_clear()
    try:
        assert not lc.cartesian_bundle_usable()
        data = lc.build_component_data({"a": {"data": [{"x": [1]}]}}, key="k")
        assert data["src"].endswith("/plotly.min.js") and data["full"] is True
        assert lc.plotly_js_source(full=False).endswith("/plotly.min.js")
        target = lc.ensure_plotly_js(tmp_path / "static")
        assert not target.with_name("plotly-cartesian.min.js").exists()
    finally:
        lc.cartesian_bundle_usable.cache_clear()


def test_conversion_is_cheap():
    import time

    z = np.random.default_rng(0).normal(size=(100, 100))
    figs = {"h": {"data": [{"type": "heatmap", "z": z}]}, "l": fig_of(np.arange(2000.0))}
    lc.build_component_data(figs, key="k", src="")
    t0 = time.perf_counter()
    for _ in range(20):
        lc.build_component_data(figs, key="k", src="")
    assert (time.perf_counter() - t0) / 20 < 0.02  # typically ~0.3 ms


# --------------------------------------------------------------------------
# serving plotly.min.js and imports
# --------------------------------------------------------------------------


def test_plotly_js_is_copied_from_the_installed_package(tmp_path):
    pytest.importorskip("plotly")
    source = lc.plotly_js_path()
    assert source.name == "plotly.min.js" and "plotly" in source.read_text()[:200]
    target = lc.ensure_plotly_js(tmp_path / "static")
    assert target == tmp_path / "static" / "plotly.min.js"
    assert target.stat().st_size == source.stat().st_size
    assert not target.is_symlink()  # Streamlit refuses symlinks leaving static/
    assert lc.ensure_plotly_js(tmp_path / "static") == target  # idempotent
    small = target.with_name("plotly-cartesian.min.js")
    assert small.stat().st_size == lc.cartesian_bundle_path().stat().st_size


def test_stale_copy_is_refreshed(tmp_path):
    pytest.importorskip("plotly")
    target = tmp_path / "static" / "plotly.min.js"
    target.parent.mkdir()
    target.write_text("old plotly")
    lc.ensure_plotly_js(target.parent)
    assert target.stat().st_size == lc.plotly_js_path().stat().st_size


def test_module_never_imports_plotly():
    import ast

    tree = ast.parse(Path(lc.__file__).read_text())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not any(name.split(".")[0] == "plotly" for name in imported)


def test_a_call_imports_nothing_new():
    figs = {"a": fig_of(np.arange(50.0)), "b": {"data": [{"type": "bar", "y": [1] * 9}]}}
    lc.build_component_data(figs, key="warm", src="")
    before = set(sys.modules)
    lc.build_component_data(figs, key="k", src="")
    lc.to_payload(figs["a"])
    assert set(sys.modules) == before


# --------------------------------------------------------------------------
# the demo app under AppTest (no browser: run_every never fires here)
# --------------------------------------------------------------------------


def _component_data(at) -> dict[str, dict]:
    out = {}
    for el in at.get("bidi_component"):
        assert el.proto.component_name == lc.COMPONENT_NAME
        data = json.loads(el.proto.json)
        out[data["key"]] = data
    return out


def test_demo_app_runs_steps_and_plays():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    assert at.text[0].value == "Step 0"
    charts = _component_data(at)
    assert set(charts) == {"heatmap", "metrics"}
    assert [c["id"] for c in charts["metrics"]["charts"]] == ["loss", "hist"]
    z = charts["heatmap"]["charts"][0]["data"][0]["z"]
    assert z["dtype"] == "f4" and z["shape"] == "48, 48"
    assert charts["heatmap"]["src"].endswith("/app/static/plotly-cartesian.min.js")

    at.button(key="step").click().run()
    assert not at.exception
    assert at.text[0].value == "Step 1"
    after = _component_data(at)
    assert after["heatmap"]["charts"][0]["digest"] != charts["heatmap"]["charts"][0]["digest"]

    at.toggle(key="playing").set_value(True).run()  # one frame advances; run_every never fires
    assert not at.exception
    assert at.text[0].value == "Step 2"
    at.toggle(key="playing").set_value(False).run()
    assert not at.exception
    assert at.text[0].value == "Step 2"
    assert (APP.parent / "static" / "plotly.min.js").is_file()
