"""What every page does the same way: widget keys per language, slider options, user text
that cannot format anything, the notes about a link, and the page's settings in the URL."""

from __future__ import annotations

import streamlit as st


def widget_key(name: str) -> str:
    """A widget key per language: option widgets keep showing the labels they were created
    with, so a language switch gives every widget a new identity, filled from the session."""
    return f"{name}.{st.session_state.get('lang', 'en')}"


def grid_with(grid: tuple, value) -> list:
    """The options of a slider over ``grid`` that also offer ``value`` (a link may ask for any),
    in order; a grid that ends with 0 (meaning "all", e.g. full batch) keeps 0 last."""
    return sorted(set(grid) | {value}, key=lambda v: (v == 0 and grid[-1] == 0, v))


def plain(text: str) -> str:
    """User text for markdown (a note quoting the URL, a parser's message), escaped: a link
    cannot format (or link) anything, ``x**2`` is not bold."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$" else c for c in str(text))


def show_notes(sess: dict) -> None:
    """The session's notes (what a link asked for that the page could not use), shown once."""
    for note in sess.get("notes") or []:
        st.warning(plain(note))
    sess["notes"] = []


def write_url(query: dict[str, str]) -> None:
    """Show ``query`` (and a language other than English) in the address bar, when it does not
    already."""
    lang = st.session_state.get("lang")
    if lang and lang != "en":
        query = {**query, "lang": lang}
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
