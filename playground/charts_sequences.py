"""Pure chart builders for the Sequences page: engine numbers in, plain Plotly figure dicts out.

Same conventions as ``playground.charts`` (whose look and helpers they share): every builder
returns ``{"data": [...], "layout": {...}}`` for the live chart component, big arrays are
float32, ``template`` is "none", and every visible word comes from ``tr`` (catalog
``locales/<lang>/sequences.json``, keys ``seq.chart.*``). Time steps are numbered from 1.
Loss, accuracy and per-layer gradient norms reuse ``playground.charts``.

No streamlit here (a test enforces it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from playground.charts import (
    DIVERGING,
    ORANGE,
    PALETTE,
    Figure,
    Translate,
    _axis,
    _f32,
    _layout,
    _no_data,
)

__all__ = [
    "GATES",
    "attention_figure",
    "char_label",
    "gates_figure",
    "input_gradient_figure",
    "legend_below",
    "output_figure",
    "sequence_figure",
]

TRUE_COLOR = "#009E73"  # the right answer (Okabe-Ito green)
PRED_COLOR = ORANGE  # what the network says
INPUT_COLOR = "#0072B2"
OTHER_COLOR = "#b8bec4"
GATE_SCALE: list[list[Any]] = [[0.0, "#ffffff"], [0.5, "#6baed6"], [1.0, "#08306b"]]
ATTENTION_SCALE: list[list[Any]] = [[0.0, "#ffffff"], [0.35, "#fdae6b"], [1.0, "#7f2704"]]
GATES = ("input", "forget", "output", "cell")  # the rows of the gate figure, top to bottom


def char_label(ch: str) -> str:
    """A character as it is shown on an axis: the space becomes a visible '␣'."""
    return "␣" if ch == " " else ("⏎" if ch == "\n" else ch)


def legend_below(fig: Figure) -> Figure:
    """Move a figure's legend under the plot (narrow charts: a legend on top runs into the
    title). Changes ``fig`` in place and returns it."""
    lay = fig["layout"]
    lay["legend"] = {"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.2,
                     "yanchor": "top", "bgcolor": "rgba(255,255,255,0)", "font": {"size": 11}}
    margin = dict(lay.get("margin") or {})
    margin["b"] = max(int(margin.get("b", 44)), 76)
    lay["margin"] = margin
    return fig


def _steps(T: int) -> np.ndarray:
    return np.arange(1, T + 1, dtype=np.int32)


# -- the example: input over time, target and prediction --------------------------------------
def sequence_figure(x: Any, target: float, output: Any, *, dataset: str, index: int,
                    tr: Translate, vocab: str | None = None,
                    uirevision: str = "seq-input") -> Figure:
    """One test sequence over time, with the true next value / class and the prediction.

    x: (T,) values (sine), bits (parity, count_ones) or token ids into ``vocab`` (next_char).
    target: the true next value, or the class id. output: the model's output — (1,) for sine
    (the predicted next value) and parity (P(odd)); class probabilities otherwise.
    """
    x = np.asarray(x).reshape(-1)
    out = np.asarray(output, dtype=np.float64).reshape(-1)
    T = x.size
    t = _steps(T)
    step_axis = _axis(tr("seq.chart.time"), range=[0.3, T + 1.7], dtick=max(1, T // 10))
    title = tr("seq.chart.input.title", i=index)
    if dataset == "next_char":
        chars = [char_label(vocab[int(i)]) for i in x]
        pred = int(np.argmax(out))
        data = [
            {"type": "scatter", "mode": "text", "x": t, "y": np.zeros(T, np.float32),
             "text": chars, "name": tr("seq.chart.input.text"),
             "textfont": {"size": 20, "color": INPUT_COLOR, "family": "monospace"},
             "hovertemplate": "t = %{x}: “%{text}”<extra></extra>"},
            {"type": "scatter", "mode": "text+markers", "x": [T + 1], "y": [0.0],
             "text": [char_label(vocab[int(target)])], "name": tr("seq.chart.true_next"),
             "marker": {"size": 30, "color": "rgba(0,158,115,0.15)", "symbol": "square",
                        "line": {"color": TRUE_COLOR, "width": 2}},
             "textfont": {"size": 20, "color": TRUE_COLOR, "family": "monospace"},
             "hovertemplate": f"{tr('seq.chart.true_next')}: “%{{text}}”<extra></extra>"},
            {"type": "scatter", "mode": "text+markers", "x": [T + 1], "y": [-1.0],
             "text": [char_label(vocab[pred])], "name": tr("seq.chart.predicted_next"),
             "marker": {"size": 30, "color": "rgba(245,147,34,0.15)", "symbol": "square",
                        "line": {"color": PRED_COLOR, "width": 2}},
             "textfont": {"size": 20, "color": PRED_COLOR, "family": "monospace"},
             "hovertemplate": f"{tr('seq.chart.predicted_next')}: “%{{text}}” "
                              f"(p = {out[pred]:.2f})<extra></extra>"},
        ]
        yaxis = _axis(None, range=[-1.8, 0.8], showticklabels=False, showgrid=False)
    elif dataset == "sine":
        xv = _f32(x)
        pred = float(out[0])
        data = [
            {"type": "scatter", "mode": "lines+markers", "x": t, "y": xv,
             "name": tr("seq.chart.input.values"),
             "line": {"color": INPUT_COLOR, "width": 2}, "marker": {"size": 5},
             "hovertemplate": "t = %{x}: %{y:.3f}<extra></extra>"},
            {"type": "scatter", "mode": "lines", "x": [T, T + 1], "y": [float(xv[-1]), pred],
             "line": {"color": PRED_COLOR, "width": 1.5, "dash": "dot"}, "showlegend": False,
             "hoverinfo": "skip"},
            {"type": "scatter", "mode": "markers", "x": [T + 1], "y": [float(target)],
             "name": tr("seq.chart.true_next"),
             "marker": {"size": 13, "color": TRUE_COLOR, "symbol": "diamond"},
             "hovertemplate": f"{tr('seq.chart.true_next')}: %{{y:.3f}}<extra></extra>"},
            {"type": "scatter", "mode": "markers", "x": [T + 1], "y": [pred],
             "name": tr("seq.chart.predicted_next"),
             "marker": {"size": 13, "color": PRED_COLOR, "symbol": "x"},
             "hovertemplate": f"{tr('seq.chart.predicted_next')}: %{{y:.3f}}<extra></extra>"},
        ]
        yaxis = _axis(tr("seq.chart.value"), range=[-1.6, 1.6])
    else:  # bits
        bits = _f32(x)
        data = [{"type": "bar", "x": t, "y": bits, "name": tr("seq.chart.input.bits"),
                 "marker": {"color": [INPUT_COLOR if b >= 0.5 else OTHER_COLOR for b in bits]},
                 "hovertemplate": "t = %{x}: %{y:.0f}<extra></extra>"}]
        ones = int(round(float(bits.sum())))
        title += " · " + tr("seq.chart.input.ones", n=ones)
        step_axis["range"] = [0.3, T + 0.7]
        yaxis = _axis(tr("seq.chart.bit"), range=[0, 1.15], tickvals=[0, 1])
    layout = _layout(title, f"{uirevision}-{dataset}-{T}", xaxis=step_axis, yaxis=yaxis,
                     hovermode="closest", showlegend=dataset in ("sine", "next_char"))
    return legend_below({"data": data, "layout": layout})


def _class_names(dataset: str, n: int, tr: Translate, vocab: str | None) -> list[str]:
    if dataset == "parity":
        return [tr("seq.class.even"), tr("seq.class.odd")]
    if dataset == "next_char" and vocab:
        return [char_label(c) for c in vocab]
    return [str(k) for k in range(n)]


def output_figure(output: Any, target: float, *, dataset: str, tr: Translate,
                  vocab: str | None = None, predictions: Any = None, targets: Any = None,
                  index: int = 0, top_k: int = 8, uirevision: str = "seq-output") -> Figure:
    """What the network answers.

    Regression (sine): predicted vs true next value over test rows (``predictions``,
    ``targets`` (n,)), the diagonal is a perfect answer, the chosen example highlighted.
    Classification: the class probabilities as bars, the true class green, others grey; for
    next_char only the ``top_k`` most likely characters (plus the true one when it is not
    among them).
    """
    out = np.asarray(output, dtype=np.float64).reshape(-1)
    if dataset == "sine":
        p = _f32(predictions if predictions is not None else out).reshape(-1)
        y = _f32(targets if targets is not None else [target]).reshape(-1)
        data = [
            {"type": "scatter", "mode": "lines", "x": [-1.2, 1.2], "y": [-1.2, 1.2],
             "name": tr("seq.chart.perfect"), "line": {"color": "#999999", "dash": "dash",
                                                     "width": 1},
             "hoverinfo": "skip"},
            {"type": "scatter", "mode": "markers", "x": y, "y": p,
             "name": tr("seq.chart.test_rows"),
             "marker": {"size": 6, "color": INPUT_COLOR, "opacity": 0.6},
             "hovertemplate": f"{tr('seq.chart.true_next')} %{{x:.3f}}<br>"
                              f"{tr('seq.chart.predicted_next')} %{{y:.3f}}<extra></extra>"},
            {"type": "scatter", "mode": "markers", "x": [float(target)], "y": [float(out[0])],
             "name": tr("seq.chart.this_example", i=index),
             "marker": {"size": 13, "color": PRED_COLOR, "symbol": "x"},
             "hovertemplate": f"{tr('seq.chart.true_next')} %{{x:.3f}}<br>"
                              f"{tr('seq.chart.predicted_next')} %{{y:.3f}}<extra></extra>"},
        ]
        layout = _layout(tr("seq.chart.scatter.title"), uirevision,
                         xaxis=_axis(tr("seq.chart.true_next"), range=[-1.2, 1.2]),
                         yaxis=_axis(tr("seq.chart.predicted_next"), range=[-1.2, 1.2]),
                         hovermode="closest")
        return legend_below({"data": data, "layout": layout})
    probs = np.array([1.0 - out[0], out[0]]) if out.size == 1 else out
    names = _class_names(dataset, probs.size, tr, vocab)
    true = int(round(float(target)))
    pred = int(np.argmax(probs))
    order = np.arange(probs.size)
    if dataset == "next_char" and probs.size > top_k:
        order = np.argsort(-probs, kind="stable")[:top_k]
        if true not in order:
            order = np.append(order, true)
    colors = [TRUE_COLOR if k == true else (PRED_COLOR if k == pred else OTHER_COLOR)
              for k in order]
    labels = [names[k] for k in order]
    data = [{"type": "bar", "x": labels, "y": _f32(probs[order]), "marker": {"color": colors},
             "name": tr("seq.chart.probability"),
             "hovertemplate": "%{x}: %{y:.1%}<extra></extra>"}]
    verdict = "seq.chart.right" if pred == true else "seq.chart.wrong"
    title = tr("seq.chart.classes.title") + " — " + tr(verdict, true=names[true],
                                                        pred=names[pred])
    layout = _layout(title, f"{uirevision}-{dataset}-{probs.size}",
                     xaxis=_axis(tr("seq.chart.class"), type="category",
                                 tickfont={"size": 14 if dataset == "next_char" else 12}),
                     yaxis=_axis(tr("seq.chart.probability"), range=[0, 1.05],
                                 tickformat=".0%"),
                     showlegend=False, hovermode="closest", bargap=0.25)
    return {"data": data, "layout": layout}


# -- inside the network ------------------------------------------------------------------------
def gates_figure(gates: Mapping[str, Any], *, tr: Translate, labels: Sequence[str] | None = None,
                 uirevision: str = "seq-gates") -> Figure:
    """LSTM gate activations over time: four heat maps (input, forget, output gate, cell
    state), each units × time (arrays (units, T)), sharing the time axis. Gates are on a fixed
    0..1 scale, the cell state on a scale symmetric around 0. ``labels`` (T,) name the inputs
    on the time axis (e.g. the characters)."""
    mats = {g: _f32(gates[g]) for g in GATES}
    u, T = mats["input"].shape
    for g, m in mats.items():
        if m.shape != (u, T):
            raise ValueError(f"gate {g!r} has shape {m.shape}; expected {(u, T)}")
    t = _steps(T)
    units = np.arange(1, u + 1, dtype=np.int32)
    rows = len(GATES)
    gap = 0.05
    h = (1.0 - gap * (rows - 1)) / rows
    layout = _layout(tr("seq.chart.gates.title", units=u), uirevision, hovermode="closest")
    data = []
    c_max = float(np.max(np.abs(mats["cell"]), initial=0.0))
    c_max = c_max if c_max > 1e-9 and math.isfinite(c_max) else 1.0
    for i, g in enumerate(GATES):
        ax = "y" if i == 0 else f"y{i + 1}"
        top = 1.0 - i * (h + gap)
        name = tr(f"seq.chart.gate.{g}")
        cell = g == "cell"
        trace = {"type": "heatmap", "x": t, "y": units, "z": mats[g], "xaxis": "x", "yaxis": ax,
                 "zmin": -c_max if cell else 0.0, "zmax": c_max if cell else 1.0,
                 "colorscale": DIVERGING if cell else GATE_SCALE, "zsmooth": False,
                 "name": name, "showscale": i in (0, rows - 1),
                 "hovertemplate": f"{name}<br>{tr('seq.chart.unit')} %{{y}}, t = %{{x}}: "
                                  f"%{{z:.2f}}<extra></extra>"}
        if trace["showscale"]:
            trace["colorbar"] = {"len": h, "y": top - h / 2, "yanchor": "middle",
                                 "thickness": 10, "x": 1.01, "tickfont": {"size": 10}}
        data.append(trace)
        layout["yaxis" if i == 0 else f"yaxis{i + 1}"] = _axis(
            name, domain=[max(top - h, 0.0), top], anchor="x", title_font={"size": 11},
            tickfont={"size": 9}, showgrid=False, nticks=4)
    bottom = "y" if rows == 1 else f"y{rows}"
    xaxis = _axis(tr("seq.chart.time"), anchor=bottom, showgrid=False)
    if labels is not None and len(labels) == T:
        xaxis.update(tickvals=t.tolist(), ticktext=[str(s) for s in labels], tickangle=0)
    layout["xaxis"] = xaxis
    layout["margin"] = {"l": 70, "r": 40, "t": 36, "b": 44}
    return {"data": data, "layout": layout}


def attention_figure(weights: Any, *, tr: Translate, labels: Sequence[str] | None = None,
                     causal: bool = False, uirevision: str = "seq-attention") -> Figure:
    """Self-attention weights (T, T) as a heat map: row t (query, top to bottom) shows how
    much position t reads each position (columns, keys); rows sum to 1."""
    A = _f32(weights)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"attention weights must be square (T, T); got {A.shape}")
    T = A.shape[0]
    t = _steps(T)
    top = float(np.max(A, initial=0.0))
    trace = {"type": "heatmap", "x": t, "y": t, "z": A, "zmin": 0.0,
             "zmax": top if top > 1e-9 and math.isfinite(top) else 1.0,
             "colorscale": ATTENTION_SCALE, "zsmooth": False,
             "colorbar": {"thickness": 10, "tickfont": {"size": 10}},
             "hovertemplate": f"{tr('seq.chart.query')} %{{y}} → {tr('seq.chart.key')} %{{x}}: "
                              f"%{{z:.3f}}<extra></extra>"}
    ticks: dict[str, Any] = {}
    if labels is not None and len(labels) == T:
        ticks = {"tickvals": t.tolist(), "ticktext": [str(s) for s in labels]}
    title = tr("seq.chart.attention.title_causal" if causal else "seq.chart.attention.title")
    layout = _layout(title, uirevision,
                     xaxis=_axis(tr("seq.chart.key"), showgrid=False, side="bottom", **ticks),
                     yaxis=_axis(tr("seq.chart.query"), showgrid=False, autorange="reversed",
                                 **ticks),
                     hovermode="closest")
    return {"data": [trace], "layout": layout}


def input_gradient_figure(norms: Any, *, tr: Translate, labels: Sequence[str] | None = None,
                          uirevision: str = "seq-input-grad") -> Figure:
    """‖∂L/∂x_t‖ per time step on a log axis: how much each step of the input still moves the
    loss (backpropagation through time; vanishing gradients fade to the left)."""
    v = _f32(norms).reshape(-1) if norms is not None else np.zeros(0, np.float32)
    T = v.size
    t = _steps(T)
    shown = np.where(v > 0, v, np.nan).astype(np.float32)
    data = [{"type": "bar", "x": t, "y": shown, "name": tr("seq.chart.grad.norm"),
             "marker": {"color": PALETTE[0]},
             "hovertemplate": "t = %{x}: %{y:.3g}<extra></extra>"}]
    xaxis = _axis(tr("seq.chart.time"))
    if labels is not None and len(labels) == T:
        xaxis.update(tickvals=t.tolist(), ticktext=[str(s) for s in labels], tickangle=0)
    yaxis = _axis(tr("seq.chart.grad.axis"), type="log", exponentformat="power")
    pos = v[v > 0]
    if pos.size:  # a few readable ticks (a narrow log range gets crowded minor labels)
        lo, hi = float(pos.min()), float(pos.max())
        vals = np.geomspace(lo, hi, 5) if hi > lo * 1.01 else np.array([lo])
        yaxis.update(tickvals=[float(f"{x:.2g}") for x in vals],
                     ticktext=[f"{x:.2g}" for x in vals])
    layout = _layout(tr("seq.chart.grad.title"), uirevision, xaxis=xaxis, yaxis=yaxis,
                     showlegend=False, hovermode="closest", bargap=0.15)
    layout["margin"] = {**layout["margin"], "l": 72}
    if not T or not np.any(v > 0):
        layout["annotations"] = [_no_data(tr)]
    return {"data": data, "layout": layout}

