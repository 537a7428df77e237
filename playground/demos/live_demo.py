"""The live-chart component alone, on synthetic data (its e2e tests and benchmark use it).

Play/Pause sits outside a ``st.fragment(run_every=...)``; while playing, each
tick advances a synthetic state in ``st.session_state`` and redraws three live
charts (a heatmap on its own, a line and a histogram as one ``live_charts``
group) in place with ``Plotly.react``.

    streamlit run playground/demos/live_demo.py

``PLAYGROUND_LIVE_INTERVAL`` (seconds, default 0.1) sets the tick interval.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import streamlit as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `streamlit run` puts only the script's folder on the path
    sys.path.insert(0, str(ROOT))

from playground.components import live_chart, live_charts  # noqa: E402

INTERVAL = float(os.environ.get("PLAYGROUND_LIVE_INTERVAL", "0.1"))
GRID = 48
HISTORY = 2000


class DemoState:
    """A moving 2-D field, a noisy decaying 'loss' and a drifting 'weight' vector."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.step = 0
        self.weights = self.rng.normal(0.0, 1.0, 2000)
        self.losses: list[float] = []
        axis = np.linspace(-3.0, 3.0, GRID)
        self.gx, self.gy = np.meshgrid(axis, axis)

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            self.step += 1
            self.weights += self.rng.normal(0.0, 0.05, self.weights.size) - 0.01 * self.weights
            loss = 2.0 * np.exp(-self.step / 150) + 0.05 * abs(self.rng.normal())
            self.losses.append(float(loss))
        del self.losses[:-HISTORY]

    def heatmap(self) -> dict:
        t = self.step * 0.15
        z = np.sin(self.gx * 1.3 + t) * np.cos(self.gy * 1.1 - 0.7 * t)
        cx, cy = 2 * np.cos(t / 3), 2 * np.sin(t / 3)
        z += 0.6 * np.exp(-((self.gx - cx) ** 2 + (self.gy - cy) ** 2))
        return {
            "data": [{"type": "heatmap", "z": z, "colorscale": "RdBu", "zmin": -1.6, "zmax": 1.6}],
            "layout": {"title": {"text": "Field"}},
        }

    def loss_line(self) -> dict:
        steps = np.arange(self.step - len(self.losses) + 1, self.step + 1)
        line = {"type": "scatter", "mode": "lines", "x": steps, "y": np.asarray(self.losses)}
        return {
            "data": [line],
            "layout": {"title": {"text": "Loss"}, "xaxis": {"title": {"text": "step"}}},
        }

    def histogram(self) -> dict:
        counts, edges = np.histogram(self.weights, bins=40, range=(-4.0, 4.0))
        return {
            "data": [
                {
                    "type": "bar",
                    "x": 0.5 * (edges[:-1] + edges[1:]),
                    "y": counts,
                    "width": float(edges[1] - edges[0]),
                }
            ],
            "layout": {"title": {"text": "Weights"}, "bargap": 0.0},
        }


def _state() -> DemoState:
    if "demo" not in st.session_state:
        st.session_state.demo = DemoState(seed=0)
    return st.session_state.demo


def _step_once() -> None:
    _state().advance(1)


st.set_page_config(page_title="Live chart demo", layout="wide")
st.title("Live chart demo")

controls = st.columns([1, 1, 6], vertical_alignment="center")
playing = controls[0].toggle("Play", key="playing")
controls[1].button("Step", key="step", on_click=_step_once)


@st.fragment(run_every=INTERVAL if playing else None)
def live_view() -> None:
    state = _state()
    if st.session_state.get("playing"):
        state.advance(1)
    with st.container(key="step_counter"):
        st.text(f"Step {state.step}")
    left, right = st.columns([1, 2])
    with left:
        live_chart(state.heatmap(), key="heatmap", height=320)
    with right:
        live_charts(
            {"loss": state.loss_line(), "hist": state.histogram()}, key="metrics", height=320
        )


live_view()
