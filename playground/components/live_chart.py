"""Live Plotly charts that update in place.

``st.plotly_chart`` derives the element's identity from the figure, so every
new frame re-mounts the chart: zoom and 3-D camera reset and the chart is
blank for part of the time. ``live_chart`` is a small ``st.components.v2``
component instead: it mounts one ``<div>`` per chart and, on every rerun,
calls ``Plotly.react(div, data, layout, config)`` with the new data, so the
element is never re-mounted and ``layout.uirevision`` keeps what the user did
(zoom, pan, camera, legend clicks).

    live_chart(fig, key="loss", height=300)                 # one chart
    live_charts({"loss": f1, "hist": f2}, key="metrics")    # several, one element

Figures may be ``plotly.graph_objects.Figure`` objects, ``{"data": [...],
"layout": {...}}`` dicts, a list of trace dicts, or one trace dict. Plain dicts
are cheapest (building a ``go.Figure`` validates every property). Numeric
arrays are sent as base64 float32 / int typed arrays (plotly.js's own
``{"dtype", "bdata", "shape"}`` spec); ``layout.template`` is dropped (the
``template="none"`` look). In ``live_charts`` a chart whose payload did not
change since the last frame is not redrawn in the browser.

plotly.js is the installed ``plotly`` package's ``plotly.min.js`` for elements
with 3-D (or other non-cartesian) traces, else the same version's cartesian
bundle shipped next to this module (a third of the browser's time); both are
copied on first use into ``<main script dir>/static/`` and served by
Streamlit's static file serving (``server.enableStaticServing = true``), never
from a CDN.

This module imports only the standard library, NumPy and Streamlit; plotly is
never imported here.
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import hashlib
import importlib.util
import json
import logging
import math
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

__all__ = [
    "COMPONENT_NAME",
    "ensure_plotly_js",
    "encode_array",
    "live_chart",
    "live_charts",
    "plotly_js_source",
    "preload_plotly",
    "to_payload",
]

_LOG = logging.getLogger(__name__)

COMPONENT_NAME = "dl_playground_live_chart"
PLOTLY_JS_NAME = "plotly.min.js"
#: plotly.js's official cartesian partial bundle (npm ``plotly.js-cartesian-dist-min``, MIT,
#: its licence beside it), shipped next to this module: 1.5 MB instead of 4.8 MB, which the
#: browser evaluates in a third of the time. Used for elements whose charts need no other
#: trace type; it must be the same plotly.js version as the installed ``plotly`` package's.
PLOTLY_CARTESIAN_NAME = "plotly-cartesian.min.js"
CARTESIAN_TRACES = frozenset(
    "bar box contour heatmap histogram histogram2d histogram2dcontour image pie scatter "
    "scatterternary violin".split()
)
#: Python lists of numbers at least this long inside traces are sent as typed arrays.
MIN_LIST_LEN = 8
DEFAULT_HEIGHT = 320
DEFAULT_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": False}
DEFAULT_MARGIN: dict[str, int] = {"l": 48, "r": 16, "t": 36, "b": 40}

# Trace attributes that plotly.js expects as plain (short) arrays, never typed arrays.
_PLAIN_ARRAY_KEYS = frozenset(
    "colorscale domain range constraintrange bounds geojson layer layers "
    "text hovertext ids labels parents ticktext selectedpoints".split()
)
_SHORT_DTYPES = {
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
    "float32": "f4",
    "float64": "f8",
}
_NUMPY_DTYPES = {v: k for k, v in _SHORT_DTYPES.items()}

_ASSET_DIR = Path(__file__).with_name("live_chart")
# The JS travels with every element delta, so drop its comment lines.
_JS = "\n".join(
    line
    for line in (_ASSET_DIR / "live_chart.js").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.lstrip().startswith("//")
)
_CSS = (_ASSET_DIR / "live_chart.css").read_text(encoding="utf-8")

# Registered once at import. isolate_styles=False: Plotly injects its CSS into
# document.head, which would not reach a shadow root.
_mount = st.components.v2.component(COMPONENT_NAME, js=_JS, css=_CSS, isolate_styles=False)


# --------------------------------------------------------------------------
# figure -> compact payload (pure; no Streamlit involved)
# --------------------------------------------------------------------------


def encode_array(values: Any, *, float32: bool = True) -> Any:
    """Encode an array as a plotly.js typed-array spec ``{"dtype", "bdata"[, "shape"]}``.

    Floats become little-endian float32 (float64 with ``float32=False``) with
    ``±inf`` mapped to NaN (a gap in plotly); integers keep the smallest of
    int32/uint32 that fits (else float64); bools, strings, dates and objects
    come back as plain JSON lists.
    """
    a = np.asarray(values)
    kind = a.dtype.kind
    if a.size == 0:
        return a.tolist()
    if kind == "M":
        return np.datetime_as_string(a).tolist()
    if kind not in "fiu":
        return _sanitize(a.tolist())
    if kind == "f":
        a = a.astype("<f4" if float32 else "<f8", copy=False)
        if not np.isfinite(a).all():
            a = np.where(np.isinf(a), np.nan, a).astype(a.dtype, copy=False)
    elif a.dtype.itemsize == 8 or a.dtype.byteorder == ">":
        lo, hi = int(a.min()), int(a.max())
        if -(2**31) <= lo and hi < 2**31:
            a = a.astype("<i4")
        elif lo >= 0 and hi < 2**32:
            a = a.astype("<u4")
        else:
            a = a.astype("<f8")
    if a.ndim > 3:
        return _sanitize(a.tolist())
    a = np.ascontiguousarray(a)
    spec: dict[str, Any] = {
        "dtype": _SHORT_DTYPES[a.dtype.name],
        "bdata": base64.b64encode(a.data).decode("ascii"),
    }
    if a.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in a.shape)
    return spec


def _is_typed_spec(value: Mapping) -> bool:
    return "bdata" in value and "dtype" in value and len(value) <= 3


def _recode_spec(spec: Mapping, *, float32: bool) -> dict[str, Any]:
    """Down-cast a plotly.py float64 typed-array spec to float32."""
    if not float32 or spec.get("dtype") != "f8":
        return dict(spec)
    a = np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<f8")
    if "shape" in spec:
        a = a.reshape([int(n) for n in str(spec["shape"]).split(",")])
    return encode_array(a, float32=True)


def _sanitize(value: Any) -> Any:
    """Make a value JSON-safe: non-finite floats -> None, numpy scalars -> Python."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list | tuple):
        return [_sanitize(v) for v in value]
    if isinstance(value, dict):
        return {k: _sanitize(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return _sanitize(value.item())
    if isinstance(value, _dt.date | _dt.time):
        return value.isoformat()
    return value


def _numeric_list(value: Sequence) -> np.ndarray | None:
    """The list as an ndarray if it is a (nested) list of plain numbers."""
    first = value[0]
    if isinstance(first, bool | str | bytes) or first is None:
        return None
    try:
        a = np.asarray(value)
    except (ValueError, TypeError):  # ragged
        return None
    return a if a.dtype.kind in "fiu" else None


def _compact(value: Any, key: str | None, *, in_trace: bool, float32: bool) -> Any:
    if isinstance(value, np.ndarray):
        if in_trace and key not in _PLAIN_ARRAY_KEYS:
            return encode_array(value, float32=float32)
        return _sanitize(value.tolist())
    if isinstance(value, Mapping):
        if _is_typed_spec(value):
            return _recode_spec(value, float32=float32)
        return {k: _compact(v, k, in_trace=in_trace, float32=float32) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if (
            in_trace
            and key not in _PLAIN_ARRAY_KEYS
            and len(value) >= MIN_LIST_LEN
            and (a := _numeric_list(value)) is not None
        ):
            return encode_array(a, float32=float32)
        return [_compact(v, None, in_trace=in_trace, float32=float32) for v in value]
    if isinstance(value, str | bool | int) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.generic):
        return _sanitize(value.item())
    if hasattr(value, "to_plotly_json"):  # graph_objects trace / layout parts
        return _compact(value.to_plotly_json(), key, in_trace=in_trace, float32=float32)
    if hasattr(value, "to_numpy"):  # pandas Series / Index
        return _compact(value.to_numpy(), key, in_trace=in_trace, float32=float32)
    return _sanitize(value)


def _split_figure(figure: Any) -> tuple[list[Any], dict[str, Any]]:
    if hasattr(figure, "to_plotly_json"):  # plotly.graph_objects.Figure
        figure = figure.to_plotly_json()
    if isinstance(figure, Mapping):
        if "data" in figure or "layout" in figure:
            data = figure.get("data") or []
            layout = figure.get("layout") or {}
        elif "type" in figure:  # a single trace
            data, layout = [figure], {}
        else:
            raise ValueError(
                "live_chart: a figure dict needs 'data' and/or 'layout' "
                f"(got keys {sorted(figure)[:6]})"
            )
    elif isinstance(figure, Sequence) and not isinstance(figure, str | bytes):
        data, layout = list(figure), {}
    else:
        raise TypeError(
            "live_chart: expected a plotly Figure, a {'data', 'layout'} dict, "
            f"a list of traces or a trace dict, not {type(figure).__name__}"
        )
    if isinstance(data, Mapping) or hasattr(data, "to_plotly_json"):
        data = [data]
    if hasattr(layout, "to_plotly_json"):
        layout = layout.to_plotly_json()
    return list(data), dict(layout)


def to_payload(
    figure: Any,
    *,
    uirevision: Any = "live",
    keep_template: bool = False,
    float32: bool = True,
) -> dict[str, Any]:
    """Convert a figure to the compact ``{"data": [...], "layout": {...}}`` sent to the browser.

    The input is never modified. ``layout.uirevision`` defaults to
    ``uirevision`` (keep it constant to keep user zoom across updates; change
    it to reset the view). The layout's template is dropped unless
    ``keep_template``; margins default to compact ones.
    """
    data, layout = _split_figure(figure)
    traces = []
    for trace in data:
        if hasattr(trace, "to_plotly_json"):
            trace = trace.to_plotly_json()
        if not isinstance(trace, Mapping):
            raise TypeError(f"live_chart: a trace must be a dict, not {type(trace).__name__}")
        traces.append(_compact(trace, None, in_trace=True, float32=float32))
    out_layout = _compact(layout, None, in_trace=False, float32=float32)
    if not keep_template:
        out_layout.pop("template", None)
    out_layout.setdefault("uirevision", uirevision)
    out_layout.setdefault("margin", dict(DEFAULT_MARGIN))
    out_layout.setdefault("autosize", True)
    return {"data": traces, "layout": out_layout}


def _digest(chart: Mapping[str, Any]) -> str:
    blob = json.dumps(chart, separators=(",", ":"), allow_nan=False).encode()
    return hashlib.blake2b(blob, digest_size=8).hexdigest()


def _check_key(key: Any, what: str = "key") -> str:
    if isinstance(key, bool) or not isinstance(key, str | int):
        raise TypeError(f"live_chart: {what} must be a str or int, not {type(key).__name__}")
    key = str(key)
    if not key.strip():
        raise ValueError(f"live_chart: {what} must not be empty")
    return key


def _check_height(height: Any) -> int:
    if isinstance(height, bool) or not isinstance(height, int | np.integer) or height < 50:
        raise ValueError(f"live_chart: height must be an int (pixels) >= 50, not {height!r}")
    return int(height)


def build_component_data(
    figures: Mapping[Any, Any] | Sequence[Any],
    *,
    key: Any,
    height: int = DEFAULT_HEIGHT,
    columns: int | None = None,
    config: Mapping[str, Any] | None = None,
    keep_template: bool = False,
    float32: bool = True,
    src: str | None = None,
    first: str | None = None,
) -> dict[str, Any]:
    """The JSON-safe ``data`` the component receives (pure; used by the mount helpers)."""
    key = _check_key(key)
    height = _check_height(height)
    if hasattr(figures, "to_plotly_json") or (
        isinstance(figures, Mapping) and ("data" in figures or "layout" in figures)
    ):
        raise TypeError(
            "live_charts: expected {name: figure} or a list of figures; "
            "for one figure use live_chart(figure, key=...)"
        )
    if isinstance(figures, Mapping):
        items = [(_check_key(name, "chart name"), fig) for name, fig in figures.items()]
    else:
        items = [(str(i), fig) for i, fig in enumerate(figures)]
    if not items:
        raise ValueError("live_chart: no figures given")
    names = [name for name, _ in items]
    if first is not None and first not in names:
        raise ValueError(f"live_charts: first={first!r} is not one of the charts {names}")
    cfg = _sanitize({**DEFAULT_CONFIG, **(config or {})})
    charts = []
    for name, fig in items:
        payload = to_payload(
            fig, uirevision=f"{key}.{name}", keep_template=keep_template, float32=float32
        )
        own_height = payload["layout"].get("height")
        chart_height = own_height if isinstance(own_height, int | float) else height
        chart: dict[str, Any] = {"id": name, "height": int(chart_height), **payload, "config": cfg}
        chart["digest"] = _digest(chart)
        if name == first:
            chart["first"] = True  # not in the digest: it orders the first draw only
        charts.append(chart)
    ncols = len(charts) if columns is None else int(columns)
    # the cartesian bundle when every trace is cartesian (and the bundle is usable)
    full = src is not None or not all(_cartesian(chart["data"]) for chart in charts)
    full = full or not cartesian_bundle_usable()
    return {
        "key": key,
        "src": src if src is not None else plotly_js_source(full=full),
        "full": full,
        "columns": max(1, min(ncols, len(charts))),
        "height": height,
        "charts": charts,
    }


def _cartesian(traces: Any) -> bool:
    """True when every trace is of a type in plotly.js's cartesian bundle."""
    return all(t.get("type", "scatter") in CARTESIAN_TRACES
               for t in (traces or []) if isinstance(t, Mapping))


# --------------------------------------------------------------------------
# serving plotly.min.js
# --------------------------------------------------------------------------

_copied: set[Path] = set()
_copy_lock = threading.Lock()
_warned_static = False


def plotly_js_path() -> Path:
    """Path of ``plotly.min.js`` inside the installed ``plotly`` package (not imported)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("live_chart needs the 'plotly' package (pip install plotly)")
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / PLOTLY_JS_NAME
    if not path.is_file():
        raise FileNotFoundError(f"live_chart: {path} is missing from the plotly package")
    return path


def plotly_js_version(path: str | os.PathLike[str]) -> str | None:
    """The version in a plotly.js bundle's banner ("4.1.1"), None when there is none."""
    with open(path, "rb") as fh:
        head = fh.read(300).decode("latin-1")
    m = re.search(r"plotly\.js[^\n]*?\bv(\d+\.\d+\.\d+)", head)
    return m.group(1) if m else None


def cartesian_bundle_path() -> Path:
    """The cartesian partial bundle shipped with this module."""
    return _ASSET_DIR / PLOTLY_CARTESIAN_NAME


@functools.cache
def cartesian_bundle_usable() -> bool:
    """Whether the shipped cartesian bundle is the installed plotly.js's version. When not
    (another ``plotly`` release), every chart uses the full bundle: slower, never wrong."""
    try:
        ours = plotly_js_version(cartesian_bundle_path())
        theirs = plotly_js_version(plotly_js_path())
    except OSError:
        return False
    if ours is None or ours != theirs:
        _LOG.warning("live_chart: the shipped cartesian plotly.js is %s but the plotly package "
                     "has %s; using the full bundle for every chart", ours, theirs)
        return False
    return True


def ensure_plotly_js(static_dir: str | os.PathLike[str] | None = None) -> Path:
    """Copy the plotly package's ``plotly.min.js`` into the app's ``static/`` folder.

    ``static_dir`` defaults to ``<main script dir>/static`` (what Streamlit
    serves at ``app/static/``). The copy is refreshed when the installed file
    differs in size (e.g. after a plotly upgrade); it is done once per process.
    A symlink would not do: Streamlit refuses static files whose real path
    leaves the static folder.
    """
    if static_dir is None:
        static_dir = _main_script_dir() / "static"
    target = Path(static_dir) / PLOTLY_JS_NAME
    if target in _copied:
        return target
    with _copy_lock:
        if target in _copied:
            return target
        _copy_if_changed(plotly_js_path(), target)
        if cartesian_bundle_usable():
            _copy_if_changed(cartesian_bundle_path(), target.with_name(PLOTLY_CARTESIAN_NAME))
        _copied.add(target)
    return target


def _copy_if_changed(source: Path, target: Path) -> None:
    if target.is_file() and target.stat().st_size == source.stat().st_size:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".plotly-", suffix=".js")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)  # atomic: a concurrent request never sees half a file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _main_script_dir() -> Path:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None and getattr(ctx, "main_script_path", None):
        return Path(ctx.main_script_path).resolve().parent
    return Path(__file__).resolve().parents[1]  # playground/


def plotly_js_source(full: bool = True) -> str:
    """URL path under which the browser loads plotly.js (honours server.baseUrlPath): the full
    bundle, or with ``full=False`` the cartesian one when it is usable."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    name = PLOTLY_JS_NAME if full or not cartesian_bundle_usable() else PLOTLY_CARTESIAN_NAME
    return f"{prefix}/app/static/{name}"


def _prepare_serving() -> None:
    global _warned_static
    ensure_plotly_js()
    if not _warned_static and not st.get_option("server.enableStaticServing"):
        _warned_static = True
        _LOG.warning(
            "live_chart: server.enableStaticServing is off, so plotly.min.js cannot be "
            "served; set it in .streamlit/config.toml or pass "
            "--server.enableStaticServing true"
        )


# --------------------------------------------------------------------------
# Streamlit API
# --------------------------------------------------------------------------


_PRELOAD_JS = """<script>
(() => {
  // the live-chart component's loader takes this bundle when it is enough (live_chart.js)
  const src = %s, full = %s;
  if (window.__liveChartPlotly) return;
  const promise = new Promise((resolve, reject) => {
    const script = document.createElement("script");
    const fail = () => { window.__liveChartPlotly = null; script.remove();
                         reject(new Error("could not load plotly.js from " + src)); };
    script.src = src;
    script.async = true;
    script.dataset.liveChart = "plotly";
    script.onload = () => (window.Plotly && window.Plotly.react ? resolve(window.Plotly) : fail());
    script.onerror = fail;
    document.head.appendChild(script);
  });
  promise.catch(() => {});
  window.__liveChartPlotly = {promise, full};
})();
</script>"""


def preload_plotly(full: bool = False) -> None:
    """Start loading plotly.js as soon as the page's first elements arrive.

    A tiny inline script (``st.html`` with JavaScript allowed) adds the ``<script>`` tag at
    once, instead of when the first live-chart element has mounted (components load their own
    module first: ~0.8 s later on this machine); the component then finds the promise and
    reuses it. Call it early in the script. ``full``: the full bundle, for a page with 3-D
    charts; else the cartesian one (which a later element that needs more replaces). Draws
    nothing.
    """
    _prepare_serving()
    full = full or not cartesian_bundle_usable()
    st.html(_PRELOAD_JS % (json.dumps(plotly_js_source(full=full)), json.dumps(full)),
            unsafe_allow_javascript=True)


def live_charts(
    figures: Mapping[str, Any] | Sequence[Any],
    *,
    key: str,
    height: int = DEFAULT_HEIGHT,
    columns: int | None = None,
    config: Mapping[str, Any] | None = None,
    keep_template: bool = False,
    float32: bool = True,
    first: str | None = None,
) -> None:
    """Draw several live charts as ONE element (one delta per rerun), in a grid.

    ``figures`` maps a chart name to a figure (or is a list; names are then
    "0", "1", ...). Charts sit in ``columns`` columns (default: all in one
    row) and are ``height`` pixels high (a figure's own ``layout.height``
    wins). Only charts whose payload changed since the last frame are redrawn.
    In the page the chart div is ``[data-live-chart=KEY] [data-chart-id=NAME]``.
    Keep ``key`` stable across reruns: it is the element's identity.

    When the page opens, the charts of all live elements are drawn one per painted frame
    (so the first one shows at once); ``first`` names the chart that goes ahead of them.
    """
    data = build_component_data(
        figures,
        key=key,
        height=height,
        columns=columns,
        config=config,
        keep_template=keep_template,
        float32=float32,
        first=first,
    )
    _prepare_serving()
    _mount(key=f"live_chart-{data['key']}", data=data)


def live_chart(
    figure: Any,
    *,
    key: str,
    height: int = DEFAULT_HEIGHT,
    config: Mapping[str, Any] | None = None,
    keep_template: bool = False,
    float32: bool = True,
) -> None:
    """Draw one live chart that updates in place (``Plotly.react``) on every rerun.

    ``figure`` is a ``plotly.graph_objects.Figure``, a ``{"data", "layout"}``
    dict, a list of trace dicts or one trace dict. ``key`` (required, stable
    across reruns) is the element's identity and the default
    ``layout.uirevision``; set ``layout.uirevision`` yourself to reset the
    user's zoom when, say, the dataset changes. In the page the chart div is
    ``[data-live-chart=KEY] [data-chart-id=KEY]``.
    """
    key = _check_key(key)
    live_charts(
        {key: figure},
        key=key,
        height=height,
        columns=1,
        config=config,
        keep_template=keep_template,
        float32=float32,
    )
