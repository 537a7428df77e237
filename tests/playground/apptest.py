"""Opening the app's pages through streamlit.testing (no browser), and reading them back.

Shared by the page tests: ``from apptest import open_page, key, qp``.
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "playground" / "app.py")
TIMEOUT = 60  # seconds per script run: a first run builds and trains a network


def _page(view: str) -> None:
    """The script AppTest runs: one page of ``playground.views`` on its own (no navigation)."""
    import importlib

    import streamlit as st

    st.session_state.setdefault("lang", "en")
    importlib.import_module(f"playground.views.{view}").render()


def open_page(view: str, lang: str = "en", **query: str) -> AppTest:
    """Run the page ``playground.views.<view>`` on its own, in ``lang``, with ``query`` in the
    URL."""
    at = AppTest.from_function(_page, default_timeout=TIMEOUT, args=(view,))
    at.session_state["lang"] = lang
    at.query_params.update(query)
    return at.run()


def open_app(page: str | None = None, **query: str) -> AppTest:
    """Run the whole app (navigation included) with ``query`` in the URL; with ``page``, land
    directly on that page (no other page visited first), like a shared link."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    if page is not None:
        at._page_hash = calc_hash(page)  # st.Page(url_path=page) registers this hash
    return at.run()


def key(at: AppTest, name: str) -> str:
    """The widget key ``name`` in the current language (the pages key widgets per language)."""
    return f"{name}.{at.session_state['lang']}"


def open_tab(at: AppTest, tab: str) -> AppTest:
    """Open the Network page's settings tab ``tab`` ("data", "layers" or "training") as a
    click on it does: the page builds only the open tab."""
    at.session_state[key(at, "w_tab")] = catalog("network", at.session_state["lang"])[f"net.{tab}"]
    at.run()
    assert at.session_state["net"].get("tab") == tab, at.session_state["net"].get("tab")
    return at


def qp(at: AppTest, name: str) -> str | None:
    """The last value of query parameter ``name`` (None when the URL does not have it)."""
    v = at.query_params.get(name)
    return v[-1] if isinstance(v, list) else v


def catalog(area: str, lang: str) -> dict[str, str]:
    """One locale file, ``playground/locales/<lang>/<area>.json``."""
    return json.loads((ROOT / "playground" / "locales" / lang / f"{area}.json")
                      .read_text(encoding="utf-8"))
