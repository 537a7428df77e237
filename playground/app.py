"""Entry point: page config, language, navigation — nothing else.

    streamlit run playground/app.py
"""

from __future__ import annotations

import html
import os
import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run` puts only the script's folder on the path
    sys.path.insert(0, str(ROOT))

from playground.components import preload_plotly  # noqa: E402
from playground.i18n import LANGUAGE_NAMES, LANGUAGES, Translator, normalize  # noqa: E402
from playground.views import images, landscape, lessons, network, paths, sequences  # noqa: E402

FULL_PLOTLY_PAGES = ("paths", "landscape")  # pages with 3-D charts (surface, scatter3d)


def _language() -> str:
    """From the URL on first load, else the browser's locale; then whatever the user picks."""
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang") or getattr(st.context, "locale", None)
        st.session_state["lang"] = normalize(wanted)
    return st.session_state["lang"]


def main() -> None:
    st.set_page_config(page_title="Deep-learning playground", page_icon="🧠", layout="wide")
    # Streamlit fades elements whose fragment run is in flight; live charts redraw in place,
    # so fading only makes them flicker (bench_ui counted 14-24 % of frames faded).
    st.html('<style>[data-testid="stElementContainer"]:has(.lc-root)'
            '{opacity:1 !important;transition:none !important}</style>')
    lang = _language()
    tr = Translator(lang)
    with st.sidebar:
        st.selectbox("Language / 语言", LANGUAGES, key="lang",
                     format_func=lambda code: LANGUAGE_NAMES[code])
        st.caption(tr("app.tagline"))
        replica = os.environ.get("PLAYGROUND_REPLICA")  # set by deploy/run_replicas.py
        if replica:
            st.html(f'<span class="pg-replica" data-replica="{html.escape(replica)}"></span>')
    pages = [
        st.Page(network.render, title=tr("nav.network"), icon=":material/hub:",
                url_path="network", default=True),
        st.Page(paths.render, title=tr("nav.paths"), icon=":material/timeline:",
                url_path="paths"),
        st.Page(landscape.render, title=tr("nav.landscape"), icon=":material/landscape:",
                url_path="landscape"),
        st.Page(images.render, title=tr("nav.images"), icon=":material/image:",
                url_path="images"),
        st.Page(sequences.render, title=tr("nav.sequences"), icon=":material/stacked_line_chart:",
                url_path="sequences"),
        st.Page(lessons.render, title=tr("nav.lessons"), icon=":material/school:",
                url_path="lessons"),
    ]
    page = st.navigation(pages)
    # plotly.js starts loading with the page's first elements: the full bundle where 3-D
    # charts are drawn, else the cartesian one (a third of the browser's time)
    preload_plotly(full=page.url_path in FULL_PLOTLY_PAGES)
    # A page switch: the widgets of the page left are gone from session state, so a page
    # refills its widgets from its own settings on the first run after it is entered.
    st.session_state["page_entered"] = st.session_state.get("page_now") != page.url_path
    st.session_state["page_now"] = page.url_path
    page.run()


main()
