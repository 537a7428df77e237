"""The naive live page the live chart is measured against (benchmarks/bench_live_chart.py).

The same synthetic state, the same three figures and the same
``st.fragment(run_every=...)`` as the demo in ``playground/demos/live_demo.py``, but drawn
with ``st.plotly_chart``, which re-mounts a chart whenever its figure changes.

    streamlit run benchmarks/naive_live_page.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts only the script's folder on the path
    sys.path.insert(0, str(ROOT))

from playground.demos.demo_state import DemoState  # noqa: E402

INTERVAL = float(os.environ.get("PLAYGROUND_LIVE_INTERVAL", "0.1"))


def _state() -> DemoState:
    if "demo" not in st.session_state:
        st.session_state.demo = DemoState(seed=0)
    return st.session_state.demo


st.set_page_config(page_title="Naive live page", layout="wide")
st.title("Naive live page (st.plotly_chart)")
controls = st.columns([1, 1, 6], vertical_alignment="center")
playing = controls[0].toggle("Play", key="playing")
controls[1].button("Step", key="step", on_click=lambda: _state().advance(1))


@st.fragment(run_every=INTERVAL if playing else None)
def live_view() -> None:
    state = _state()
    if st.session_state.get("playing"):
        state.advance(1)
    with st.container(key="step_counter"):
        st.text(f"Step {state.step}")
    left, mid, right = st.columns([1, 1, 1])
    left.plotly_chart(state.heatmap(), key="heatmap", height=320)
    mid.plotly_chart(state.loss_line(), key="loss", height=320)
    right.plotly_chart(state.histogram(), key="hist", height=320)


live_view()
