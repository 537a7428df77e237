"""Streamlit components of the playground.

``live_chart`` / ``live_charts``: Plotly charts that update in place with
``Plotly.react`` (one div, never re-mounted), for views driven by
``st.fragment(run_every=...)``.
"""

from playground.components.live_chart import live_chart, live_charts, preload_plotly, to_payload

__all__ = ["live_chart", "live_charts", "preload_plotly", "to_payload"]
