"""Lessons page: short guided lessons in course order, one step at a time.

A lesson picker, Previous/Next with a step counter, the step's words (markdown, a formula), an
optional live panel (gradient check of a tiny net; the shapes through the Network page's
model), "Load this experiment" (adopts the step's preset for the Network page and goes there),
links to the page to look at, and the lesson's question.

Widgets and layout only: the lessons are ``playground.lessons``; experiments are the Network
page's session (``network._adopt``), so a loaded lesson is exactly what that page then shows.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import engine as eg
from engine import gradcheck
from playground import lessons, presets, state
from playground.i18n import Translator
from playground.views import landscape, network, paths
from playground.views.common import widget_key as _k

KEY = "lessons"  # session state: {"lesson": key, "steps": {lesson key: step index}}
GRADCHECK_ROWS = 6  # single parameters shown side by side
_PAGES = {"network": (network.render, ":material/hub:"),
          "landscape": (landscape.render, ":material/landscape:"),
          "paths": (paths.render, ":material/timeline:")}


def _page(target: str, tr: Translator) -> st.Page:
    """The app's page for ``target`` (same url_path as in app.py, so the same page hash)."""
    fn, icon = _PAGES[target]
    return st.Page(fn, title=tr(f"nav.{target}"), icon=icon, url_path=target)


def _state() -> dict:
    sess = st.session_state.get(KEY)
    if sess is None:
        sess = {"steps": {}}
        st.session_state[KEY] = sess
    return sess


# -- actions ----------------------------------------------------------------------------------
def load_preset(key: str, tr: Translator) -> bool:
    """Adopt preset ``key`` on the Network page's session, as its own preset button does."""
    sess = network._session(tr)
    title = tr(f"preset.{key}.title")
    if not network._adopt(sess, presets.get(key).experiment, tr,
                          notice=tr("net.notice.preset", title=title)):
        return False
    sess["notice"] = tr("net.notice.preset", title=title)
    sess["trainer"].reset(reinitialize=False)
    sess["playing"] = True
    sess["sync"] = True
    st.session_state[_k("w_preset")] = key
    return True


# -- panels -----------------------------------------------------------------------------------
def tiny_net() -> tuple[eg.Sequential, np.ndarray, np.ndarray]:
    """A 2-3-1 tanh/sigmoid net and 8 XOR-like points (fixed seeds: the same numbers each time)."""
    L = eg.layers
    model = eg.Sequential([L.Dense(3, activation="tanh"), L.Dense(1, activation="sigmoid")],
                          input_shape=(2,), seed=0)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.float64)
    return model, X, y


def gradcheck_tables(tr: Translator) -> tuple[list[dict], list[dict]]:
    """(a few single parameters: analytic vs numeric; every tensor: its relative error)."""
    model, X, y = tiny_net()
    res = gradcheck.check_detailed(model, X, y)
    singles = []
    for spec in model.param_spec:
        for flat in range(spec.slice.start, spec.slice.stop)[:2]:
            idx = np.unravel_index(flat - spec.slice.start, spec.shape)
            singles.append({
                tr("lesson.gc.param"): f"{spec.layer}/{spec.name}[{','.join(map(str, idx))}]",
                tr("lesson.gc.analytic"): f"{res.analytic[flat]:+.10f}",
                tr("lesson.gc.numeric"): f"{res.numeric[flat]:+.10f}",
                tr("lesson.gc.diff"): f"{abs(res.analytic[flat] - res.numeric[flat]):.1e}"})
    tensors = [{tr("lesson.gc.tensor"): name,
                tr("lesson.gc.shape"): "×".join(map(str, spec.shape)),
                tr("lesson.gc.error"): f"{res.errors[name]:.1e}"}
               for spec in model.param_spec
               for name in [f"{spec.layer}/{spec.name}"]]
    return singles[:GRADCHECK_ROWS], tensors


def _gradcheck_panel(tr: Translator) -> None:
    singles, tensors = gradcheck_tables(tr)
    st.markdown(tr("lesson.gc.intro"))
    a, b = st.columns([3, 2])
    a.dataframe(singles, hide_index=True)
    b.dataframe(tensors, hide_index=True)
    st.caption(tr("lesson.gc.caption"))


def shape_rows(model: eg.Sequential, tr: Translator) -> list[dict]:
    """One row per layer: input, W, b (and how b broadcasts over the batch n), output."""
    def shape(s) -> str:
        inner = ", ".join(str(v) for v in s)
        return f"({inner},)" if len(s) == 1 else f"({inner})"

    rows = []
    for layer in model.layers:
        params = {s.name: s.shape for s in model.param_spec if s.layer == layer.name}
        w, b = params.get("W"), params.get("b")
        rows.append({
            tr("lesson.sh.layer"): f"{layer.name} ({type(layer).__name__})",
            tr("lesson.sh.input"): shape(("n", *layer.input_shape)),
            tr("lesson.sh.W"): shape(w) if w else "—",
            tr("lesson.sh.b"): (f"{shape(b)} → {shape(('n', *b))}" if b else "—"),
            tr("lesson.sh.output"): shape(("n", *layer.output_shape))})
    return rows


def _shapes_panel(tr: Translator) -> None:
    sess = network._session(tr)
    model = sess["trainer"].model
    st.markdown(tr("lesson.sh.intro", n_params=model.n_params))
    st.dataframe(shape_rows(model, tr), hide_index=True)
    st.caption(tr("lesson.sh.caption", n=len(sess["data"].X_train)))


# -- page -------------------------------------------------------------------------------------
def render() -> None:
    tr = Translator(st.session_state.get("lang", "en"))
    sess = _state()
    st.title(tr("lesson.page.title"))
    st.caption(tr("lesson.page.intro"))

    keys = list(lessons.keys())
    pick = _k("w_lesson")
    if pick not in st.session_state:
        st.session_state[pick] = sess.get("lesson") or keys[0]
    key = st.selectbox(tr("lesson.pick"), keys, key=pick,
                       format_func=lambda k: f"{keys.index(k) + 1}. {tr(f'lesson.{k}.title')}")
    sess["lesson"] = key
    lesson = lessons.get(key)
    n = len(lesson.steps)
    i = min(max(int(sess["steps"].get(key, 0)), 0), n - 1)

    c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="center")
    if c1.button(tr("lesson.prev"), key="b_lesson_prev", disabled=i == 0,
                 width="stretch"):
        sess["steps"][key] = i - 1
        st.rerun()
    c2.progress((i + 1) / n, text=tr("lesson.counter", i=i + 1, n=n))
    if c3.button(tr("lesson.next"), key="b_lesson_next", disabled=i >= n - 1,
                 width="stretch"):
        sess["steps"][key] = i + 1
        st.rerun()

    step = lesson.steps[i]
    with st.container(border=True):
        st.subheader(f"{lesson.title(tr.lang)} · {tr('lesson.step', i=i + 1)}")
        st.markdown(lesson.step_text(i, tr.lang))
        if step.latex:
            st.latex(step.latex)
        if step.panel == "gradcheck":
            _gradcheck_panel(tr)
        elif step.panel == "shapes":
            _shapes_panel(tr)
        if step.preset:
            title = tr(f"preset.{step.preset}.title")
            st.caption(tr("lesson.preset_about", title=title,
                          text=tr(f"preset.{step.preset}.text")))
        cols = st.columns(2)
        if step.preset and cols[0].button(tr("lesson.load", title=title), key="b_lesson_load",
                                          type="primary", icon=":material/play_arrow:"):
            if load_preset(step.preset, tr):
                target = step.link if step.link in _PAGES else "network"
                # a page switch resets the query: give the Network page its shareable URL (and
                # every page the language) as the Network page itself writes them
                query = state.to_query(network._session(tr)["exp"]) if target == "network" \
                    else {}
                if tr.lang != "en":
                    query["lang"] = tr.lang
                st.switch_page(_page(target, tr), query_params=query or None)
            else:
                st.error(network._session(tr).get("error") or "")
        if step.link:
            cols[1].page_link(_page(step.link, tr),
                              label=tr("lesson.go", page=tr(f"nav.{step.link}")))

    st.info(f"**{tr('lesson.question')}** {lesson.question(tr.lang)}", icon=":material/quiz:")
