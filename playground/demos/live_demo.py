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

import streamlit as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `streamlit run` puts only the script's folder on the path
    sys.path.insert(0, str(ROOT))

from playground.components import live_chart, live_charts  # noqa: E402
from playground.demos.demo_state import DemoState  # noqa: E402

INTERVAL = float(os.environ.get("PLAYGROUND_LIVE_INTERVAL", "0.1"))
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
