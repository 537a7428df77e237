"""A minimal one-chart Streamlit page: the baseline of bench_ui.py's time to the first chart.

One small figure drawn with ``st.plotly_chart`` and nothing else, so its time to the first
drawn chart is Streamlit's own floor (JS bundle, websocket, one script run, Streamlit's
lazily loaded plotly.js chunk) on this machine.

    streamlit run benchmarks/one_chart_page.py
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

fig = go.Figure(go.Scatter(x=list(range(20)), y=[(i * 7) % 11 for i in range(20)], mode="lines"))
fig.update_layout(title="One chart", height=320)
st.plotly_chart(fig, key="one")
