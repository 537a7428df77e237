"""Network page: build a network, train it, and watch it learn live.

Widgets and layout only: the experiment is ``playground.config.Experiment``, engine objects
come from ``playground.builder``, figures from ``playground.charts``.
"""

from __future__ import annotations

import csv
import io as _io

import streamlit as st

import engine as eg
from playground import builder, charts, presets, state
from playground.components import live_charts
from playground.config import (
    DATASETS,
    FEATURES,
    HIDDEN_ACTIVATIONS,
    INITIALIZERS,
    LOSSES,
    MAX_LAYERS,
    MAX_UNITS,
    OPTIMIZER_HYPER,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    SCHEDULES,
    Experiment,
    LayerSpec,
)
from playground.i18n import Translator
from playground.views.common import grid_with, show_notes, write_url
from playground.views.common import widget_key as _k
from playground.views.live import live_fragment
from playground.views.training import readout, train_frame, transport

FRAME_BUDGET = 0.05  # at most this much training per frame, so one session cannot hog a core
LR_GRID = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_GRID = (0.0, 1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_GRID = (1, 2, 5, 10, 20, 50, 100, 0)
SPEED_GRID = (1, 2, 5, 10, 25, 50, 100, 250)
SECONDARY_EVERY = 3  # while playing, the secondary views redraw on every 3rd frame
HIST_WINDOW = 150  # histogram columns sent to the browser per frame
KEY = "net"
OTHER_PAGES = ("p_", "i_", "s_")  # URL prefixes of the other pages' settings


# -- session ----------------------------------------------------------------------------------
def _session(tr: Translator) -> dict:
    """This browser session's experiment, trainer and UI state (never shared)."""
    sess = st.session_state.get(KEY)
    if sess is None:
        # other pages keep their settings under their own prefixes (paths, images, sequences)
        mine = {k: v for k, v in st.query_params.to_dict().items()
                if not k.startswith(OTHER_PAGES)}
        exp, notes = state.from_query(mine, lang=tr.lang)
        sess = {"exp": exp, "notes": notes, "playing": True, "notice": None, "error": None,
                "sync": True, "uploads": 0}
        try:
            sess["trainer"], sess["data"] = builder.build_trainer(exp)
        except builder.ExperimentError as err:
            sess["notes"].append(tr(err.key, **err.fmt))
            exp = Experiment()
            sess["exp"] = exp
            sess["trainer"], sess["data"] = builder.build_trainer(exp)
        st.session_state[KEY] = sess
    return sess


def _adopt(sess: dict, exp: Experiment, tr: Translator, notice: str | None = None) -> bool:
    """Make ``exp`` current: rebuild, swap the optimizer, or just apply live settings."""
    old: Experiment = sess["exp"]
    if exp == old:
        sess["error"] = None
        return True
    try:
        if exp.architecture_key() != old.architecture_key():
            data = sess["data"] if _same_data(exp, old) else None
            sess["trainer"], sess["data"] = builder.build_trainer(exp, data)
            sess["notice"] = notice or tr("net.notice.reset")
        elif exp.optimizer_key() != old.optimizer_key():
            builder.swap_optimizer(sess["trainer"], exp)
            sess["notice"] = notice or tr("net.notice.optimizer")
        builder.apply_live_settings(sess["trainer"], exp)
    except builder.ExperimentError as err:
        sess["error"] = tr(err.key, **err.fmt)
        return False
    except ValueError as err:  # the engine's own message names what was wrong
        sess["error"] = str(err)
        return False
    sess["exp"] = exp
    sess["error"] = None
    return True


def _same_data(a: Experiment, b: Experiment) -> bool:
    return (a.dataset, a.n_samples, a.noise, a.train_pct, a.data_seed, a.features) == \
        (b.dataset, b.n_samples, b.noise, b.train_pct, b.data_seed, b.features)


def _widget_values(exp: Experiment) -> dict[str, dict]:
    """The widget keys (session state) that show an experiment, by the tab that draws them
    ("view": drawn on every run)."""
    data = {"w_dataset": exp.dataset, "w_noise": exp.noise, "w_train_pct": exp.train_pct,
            "w_n_samples": exp.n_samples, "w_data_seed": exp.data_seed,
            "w_features": list(exp.features)}
    layers = {"w_n_layers": len(exp.layers), "w_output_activation": exp.output_activation,
              "w_loss": exp.loss, "w_initializer": exp.initializer, "w_seed": exp.seed}
    for i in range(MAX_LAYERS):
        spec = exp.layers[i] if i < len(exp.layers) else (exp.layers[-1] if exp.layers
                                                          else LayerSpec())
        layers[f"w_units_{i}"] = spec.units
        layers[f"w_act_{i}"] = spec.activation
        layers[f"w_drop_{i}"] = spec.dropout
    training = {"w_optimizer": exp.optimizer, "w_lr": exp.lr, "w_schedule": exp.schedule,
                "w_batch_size": exp.batch_size, "w_l1": exp.l1, "w_l2": exp.l2}
    for name, value in exp.hyperparameters().items():
        training[f"w_hp_{exp.optimizer}_{name}"] = value
    view = {"w_speed": exp.steps_per_frame, "w_show_test": exp.show_test,
            "w_discretize": exp.discretize}
    return {"data": data, "layers": layers, "training": training, "view": view}


def _sync_widgets(exp: Experiment, overwrite: bool, drawn: str | None) -> None:
    """Show ``exp`` in the widgets.

    A widget's session value is trusted only if the widget was drawn on the last run (tab
    ``drawn``, and the "view" widgets): a widget Streamlit stopped drawing loses its value and
    can come back with an older one, so all others are refilled from the experiment, which
    holds every setting. ``overwrite`` (a URL, preset or upload) refills all of them."""
    ss = st.session_state
    for group, values in _widget_values(exp).items():
        trusted = not overwrite and group in ("view", drawn)
        for key, value in values.items():
            key = _k(key)
            if not trusted or key not in ss:
                ss[key] = value


# -- controls ---------------------------------------------------------------------------------
def _data_controls(exp: Experiment, tr: Translator, hidden: set[str]) -> dict:
    if "data" in hidden:
        return {}
    st.selectbox(tr("net.dataset"), DATASETS, key=_k("w_dataset"),
                 format_func=lambda d: tr(f"dataset.{d}"))
    st.slider(tr("net.noise"), 0, 50, step=5, key=_k("w_noise"), format="%d%%")
    st.slider(tr("net.train_pct"), 10, 90, step=10, key=_k("w_train_pct"), format="%d%%")
    lo, hi = state.RANGES["n_samples"]
    st.number_input(tr("net.n_samples"), lo, hi, step=50, key=_k("w_n_samples"))
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    c1.number_input(tr("net.data_seed"), *state.RANGES["data_seed"], key=_k("w_data_seed"))
    if c2.button(tr("net.regenerate"), key="b_regen", help=tr("net.regenerate_help")):
        st.session_state[_k("w_data_seed")] = int(st.session_state[_k("w_data_seed")]) + 1
        st.rerun()
    if "features" not in hidden:
        st.pills(tr("net.features"), FEATURES, selection_mode="multi", key=_k("w_features"),
                 format_func=lambda f: tr(f"feature.{f}"))
    return {}


def _layer_controls(exp: Experiment, tr: Translator, hidden: set[str]) -> None:
    if "layers" in hidden:
        return
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    c1.number_input(tr("net.n_layers"), 0, MAX_LAYERS, key=_k("w_n_layers"))
    if c2.button("＋", key="b_add_layer", help=tr("net.add_layer"),
                 disabled=st.session_state[_k("w_n_layers")] >= MAX_LAYERS):
        st.session_state[_k("w_n_layers")] += 1
        st.rerun()
    if c3.button("－", key="b_remove_layer", help=tr("net.remove_layer"),
                 disabled=st.session_state[_k("w_n_layers")] <= 0):
        st.session_state[_k("w_n_layers")] -= 1
        st.rerun()
    for i in range(int(st.session_state[_k("w_n_layers")])):
        a, b, c = st.columns([1, 1.4, 1])
        a.number_input(tr("net.units", i=i + 1), 1, MAX_UNITS, key=_k(f"w_units_{i}"))
        b.selectbox(tr("net.activation"), HIDDEN_ACTIVATIONS, key=_k(f"w_act_{i}"),
                    format_func=lambda v: tr(f"activation.{v}"))
        c.number_input(tr("net.dropout"), 0.0, 0.9, step=0.1, key=_k(f"w_drop_{i}"), format="%.1f")
    a, b = st.columns(2)
    a.selectbox(tr("net.output_activation"), OUTPUT_ACTIVATIONS, key=_k("w_output_activation"),
                format_func=lambda v: tr(f"activation.{v}"))
    b.selectbox(tr("net.loss"), LOSSES, key=_k("w_loss"), format_func=lambda v: tr(f"loss.{v}"))
    a, b = st.columns(2)
    a.selectbox(tr("net.initializer"), INITIALIZERS, key=_k("w_initializer"),
                format_func=lambda v: tr(f"init.{v}"))
    b.number_input(tr("net.seed"), *state.RANGES["seed"], key=_k("w_seed"))


def _training_controls(exp: Experiment, tr: Translator, hidden: set[str]) -> None:
    ss = st.session_state
    if "optimizer" not in hidden:
        st.selectbox(tr("net.optimizer"), OPTIMIZERS, key=_k("w_optimizer"),
                     format_func=lambda v: tr(f"optimizer.{v}"))
        st.select_slider(tr("net.lr"), options=grid_with(LR_GRID, ss[_k("w_lr")]), key=_k("w_lr"),
                         format_func=lambda v: f"{v:g}")
        opt = ss[_k("w_optimizer")]
        hp = OPTIMIZER_HYPER[opt]
        if hp:
            cols = st.columns(len(hp))
            for col, (name, default) in zip(cols, hp.items(), strict=True):
                k = _k(f"w_hp_{opt}_{name}")
                if k not in ss:
                    ss[k] = exp.hyperparameters().get(name, default) \
                        if exp.optimizer == opt else default
                lo, hi = state.HYPER_RANGES[name]
                col.number_input(tr(f"hyper.{name}"), min_value=float(lo), max_value=float(hi),
                                 key=k, format="%.0e" if name == "eps" else "%.3f",
                                 step=1e-8 if name == "eps" else 0.01)
        a, b = st.columns(2)
        a.selectbox(tr("net.schedule"), SCHEDULES, key=_k("w_schedule"),
                    format_func=lambda v: tr(f"schedule.{v}"))
        b.select_slider(tr("net.batch_size"),
                        options=grid_with(BATCH_GRID, ss[_k("w_batch_size")]),
                        key=_k("w_batch_size"),
                        format_func=lambda v: tr("net.full_batch") if v == 0 else str(v))
    if "regularization" not in hidden:
        a, b = st.columns(2)
        a.select_slider(tr("net.l1"), options=grid_with(REG_GRID, ss[_k("w_l1")]), key=_k("w_l1"),
                        format_func=lambda v: f"{v:g}")
        b.select_slider(tr("net.l2"), options=grid_with(REG_GRID, ss[_k("w_l2")]), key=_k("w_l2"),
                        format_func=lambda v: f"{v:g}")


# tab -> the classroom groups it shows (a tab is left out when all of them are hidden)
CONTROL_TABS = {"data": ("data",), "layers": ("layers",),
                "training": ("optimizer", "regularization")}


def _controls(sess: dict, exp: Experiment, tr: Translator, hidden: set[str]) -> None:
    """The settings in tabs, of which only the open one is built (a tab click reruns the page).

    Every setting still lives in session state and the URL; a tab not drawn loses its widgets,
    which ``_sync_widgets`` refills from the experiment. Building one tab instead of all three
    (and the Files/Share panels only when opened) keeps the first screen light: 17 widgets
    instead of 43, the first chart ~0.2 s sooner in bench_ui."""
    names = [n for n, groups in CONTROL_TABS.items() if not set(groups) <= hidden]
    sess["drawn"] = None
    if not names:
        return
    labels = {n: tr(f"net.{n}") for n in names}
    key = _k("w_tab")
    if st.session_state.get(key) not in labels.values():
        # a new language (keys are per language) or a tab the link hides: the last tab again.
        # Not through `default=`: a changed default makes a new widget, which drops a click.
        current = sess.get("tab") if sess.get("tab") in names else names[0]
        st.session_state[key] = labels[current]
    tabs = st.tabs([labels[n] for n in names], key=key, on_change="rerun")
    build = {"data": _data_controls, "layers": _layer_controls, "training": _training_controls}
    for name, tab in zip(names, tabs, strict=True):
        if tab.open:
            sess["tab"] = sess["drawn"] = name
            with tab:
                build[name](exp, tr, hidden)


def _experiment_from_widgets(exp: Experiment) -> Experiment:
    ss = st.session_state

    def get(key, default):
        return ss.get(_k(key), default)

    n_layers = int(get("w_n_layers", len(exp.layers)))
    layers = tuple(LayerSpec(int(get(f"w_units_{i}", 8)), str(get(f"w_act_{i}", "tanh")),
                             round(float(get(f"w_drop_{i}", 0.0)), 2))
                   for i in range(n_layers))
    opt = get("w_optimizer", exp.optimizer)
    defaults = OPTIMIZER_HYPER[opt]
    hyper = tuple((name, float(get(f"w_hp_{opt}_{name}", default)))
                  for name, default in defaults.items()
                  if float(get(f"w_hp_{opt}_{name}", default)) != default)
    chosen = set(get("w_features", exp.features) or ())
    feats = tuple(f for f in FEATURES if f in chosen)  # canonical order, whatever the clicks
    return exp.replace(
        dataset=get("w_dataset", exp.dataset), noise=int(get("w_noise", exp.noise)),
        train_pct=int(get("w_train_pct", exp.train_pct)),
        n_samples=int(get("w_n_samples", exp.n_samples)),
        data_seed=int(get("w_data_seed", exp.data_seed)), features=feats, layers=layers,
        output_activation=get("w_output_activation", exp.output_activation),
        loss=get("w_loss", exp.loss), initializer=get("w_initializer", exp.initializer),
        seed=int(get("w_seed", exp.seed)), optimizer=opt, lr=float(get("w_lr", exp.lr)),
        hyper=hyper, schedule=get("w_schedule", exp.schedule),
        batch_size=int(get("w_batch_size", exp.batch_size)), l1=float(get("w_l1", exp.l1)),
        l2=float(get("w_l2", exp.l2)), steps_per_frame=int(get("w_speed", exp.steps_per_frame)),
        show_test=bool(get("w_show_test", exp.show_test)),
        discretize=bool(get("w_discretize", exp.discretize)))


# -- live views -------------------------------------------------------------------------------
def _live(sess: dict, tr: Translator) -> None:
    exp: Experiment = sess["exp"]
    train_frame(sess, FRAME_BUDGET, exp.steps_per_frame)
    trainer: eg.Trainer = sess["trainer"]
    m = trainer.metrics()
    readout(m, tr, key="readout", marker="pg-counter", step=m["step"], epoch=m["epoch"],
            loss=m["train_loss"], dataset=exp.dataset, lr=exp.lr,
            layers=",".join(str(s.units) for s in exp.layers))
    data = sess["data"]
    model = trainer.model
    # The browser is the bottleneck: while playing, the secondary views (network diagram,
    # accuracy, gradient norms) are rebuilt every SECONDARY_EVERY-th frame and resent
    # unchanged in between, which live_charts does not redraw; the decision boundary, the
    # loss and the histograms redraw on every frame.
    sess["frame"] = frame = sess.get("frame", 0) + 1
    cache = sess.setdefault("secondary", {})
    ident = (id(trainer), exp, tr.lang)  # a new network, setting or language: redraw all now
    fresh = (not sess["playing"] or frame % SECONDARY_EVERY == 0 or cache.get("ident") != ident
             or trainer.step_count < cache.get("step", 0))
    if fresh:
        cache.clear()
        cache.update(ident=ident, step=trainer.step_count)
    xs, ys, Z = builder.predict_plane(model, exp, data)
    if fresh or "diagram" not in cache:
        cache["diagram"] = charts.network_diagram(
            builder.layer_sizes(model, exp), builder.neuron_maps(model, exp, data),
            builder.kernels(model), input_names=[tr(f"feature.{f}") for f in exp.features],
            tr=tr)
    top = {
        "diagram": cache["diagram"],
        "boundary": charts.decision_boundary(
            xs, ys, Z, data.raw_train, data.y_train,
            data.raw_test if exp.show_test else None, data.y_test if exp.show_test else None,
            task=exp.task, discretize=exp.discretize, tr=tr),
    }
    live_charts(top, key="net-top", height=380, columns=2, first="boundary")
    h = trainer.history
    curves = {"loss": charts.loss_curves(h, tr=tr)}
    if exp.task == "classification":
        if fresh or "accuracy" not in cache:
            cache["accuracy"] = charts.accuracy_curves(h, tr=tr)
        curves["accuracy"] = cache["accuracy"]
    if fresh or "grad_norms" not in cache:
        cache["grad_norms"] = charts.grad_norms(h, tr=tr)
    curves["grad_norms"] = cache["grad_norms"]
    live_charts(curves, key="net-curves", height=260, columns=len(curves))
    hists = {
        "weights": charts.histograms_over_time(_tail(h.weight_hist), h.weight_bins,
                                               kind="weights", tr=tr),
        "gradients": charts.histograms_over_time(_tail(h.grad_hist), h.grad_bins,
                                                 kind="gradients", tr=tr),
    }
    live_charts(hists, key="net-hist", height=320, columns=2)


def _tail(series_by_layer: dict) -> dict:
    """The last HIST_WINDOW histogram columns of each layer (bounded payload per frame)."""
    out = {}
    for name, s in series_by_layer.items():
        if len(s) > HIST_WINDOW:
            trimmed = eg.train.Series(max(4, 2 * HIST_WINDOW))
            for step, value in zip(s.steps[-HIST_WINDOW:], s.values[-HIST_WINDOW:], strict=True):
                trimmed.add(step, value)
            out[name] = trimmed
        else:
            out[name] = s
    return out


# -- export / import --------------------------------------------------------------------------
def _panel(sess: dict, name: str, tr: Translator):
    """The expander ``net.<name>``, or None while it is closed: its body is built only when
    opened (opening it reruns the page). Its key is per language, so a language switch
    reopens it from ``sess["open"]``."""
    key = _k(f"x_{name}")
    opened = sess.setdefault("open", set())
    if key not in st.session_state:
        st.session_state[key] = name in opened
    box = st.expander(tr(f"net.{name}"), key=key, on_change="rerun")
    if box.open:
        opened.add(name)
        return box
    opened.discard(name)
    return None


def _files(sess: dict, tr: Translator) -> None:
    trainer: eg.Trainer = sess["trainer"]
    exp: Experiment = sess["exp"]
    box = _panel(sess, "files", tr)
    if box is None:  # built only when opened: it encodes the whole model
        return
    with box:
        data = eg.io.to_bytes(trainer.model, extra={"query": state.to_query(exp),
                                                    "step": trainer.step_count})
        st.download_button(tr("net.download_experiment"), data, file_name="experiment.npz",
                           mime="application/octet-stream", key="b_download")
        st.download_button(tr("net.download_history"), _history_csv(trainer),
                           file_name="loss_history.csv", mime="text/csv", key="b_csv")
        up = st.file_uploader(tr("net.upload"), type=["npz"], key=f"up_{sess['uploads']}",
                              help=tr("net.upload_help"))
        if up is not None:
            _load_upload(sess, up, tr)


def _load_upload(sess: dict, up, tr: Translator) -> None:
    try:
        exp, notes, trainer, data = builder.load_experiment(up.getvalue(), lang=tr.lang)
    except (eg.io.ExperimentFileError, builder.ExperimentError, ValueError) as err:
        msg = tr(err.key, **err.fmt) if isinstance(err, builder.ExperimentError) else str(err)
        st.error(tr("net.upload_failed", reason=msg))
        return
    sess.update(trainer=trainer, data=data, exp=exp, sync=True, playing=False,
                notice=tr("net.notice.loaded"), notes=notes)
    sess["uploads"] += 1  # a fresh uploader, so the same file is not loaded twice
    st.rerun()


def _history_csv(trainer: eg.Trainer) -> str:
    h = trainer.history
    buf = _io.StringIO()
    w = csv.writer(buf)
    header = ["step", "train_loss", "test_loss", "train_accuracy", "test_accuracy"]
    w.writerow(header)
    cols = {s: dict(zip(getattr(h, s).steps, getattr(h, s).values, strict=True))
            for s in header[1:]}
    for step in h.train_loss.steps:
        w.writerow([step] + [cols[s].get(step, "") for s in header[1:]])
    return buf.getvalue()


# -- page -------------------------------------------------------------------------------------
def render() -> None:
    tr = Translator(st.session_state.get("lang", "en"))
    sess = _session(tr)
    exp: Experiment = sess["exp"]
    entered = st.session_state.get("page_entered", False)  # set by app.py on a page switch
    _sync_widgets(exp, overwrite=sess.pop("sync", False),
                  drawn=None if entered else sess.get("drawn"))
    hidden = set(exp.hidden)

    st.title(tr("net.title"))
    show_notes(sess)
    if "presets" not in hidden:
        _preset_picker(sess, tr)

    transport(sess, tr, text="net", keys="b_", speed_key=_k("w_speed"),
              speed=sess["exp"].steps_per_frame, speed_grid=SPEED_GRID)
    # Widget values are in session_state before the widgets are drawn, so the experiment is
    # adopted first and the live views are sent before the controls: the first chart starts
    # drawing while the browser is still laying out the form.
    wanted = _experiment_from_widgets(exp)
    _adopt(sess, wanted, tr)
    if sess["exp"] != exp or not st.query_params:
        write_url(state.to_query(sess["exp"]))

    left, right = st.columns([1.15, 2.5], gap="medium")
    with right:
        if sess.get("error"):
            st.error(tr("net.invalid", reason=sess["error"]))
        if sess.get("notice"):
            st.info(sess["notice"])
            sess["notice"] = None
        playing = sess["playing"] and not sess["trainer"].diverged
        live_fragment(_live, sess, tr, playing=playing)
    with left:
        _controls(sess, exp, tr, hidden)
        a, b = st.columns(2)
        a.toggle(tr("net.show_test"), key=_k("w_show_test"))
        b.toggle(tr("net.discretize"), key=_k("w_discretize"))
    with right:
        _files(sess, tr)
        _share(sess, tr)


def _preset_picker(sess: dict, tr: Translator) -> None:
    keys = ["", *presets.keys()]
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    choice = c1.selectbox(tr("net.preset"), keys, key=_k("w_preset"),
                          format_func=lambda k: tr("net.preset_none") if not k
                          else tr(f"preset.{k}.title"))
    if c2.button(tr("net.preset_load"), key="b_preset", disabled=not choice):
        p = presets.get(choice)
        if _adopt(sess, p.experiment, tr, notice=tr("net.notice.preset",
                                                    title=tr(f"preset.{choice}.title"))):
            sess["trainer"].reset(reinitialize=False)
            sess["playing"] = True
            sess["sync"] = True
            st.rerun()
    if choice:
        st.caption(tr(f"preset.{choice}.text"))


def _share(sess: dict, tr: Translator) -> None:
    box = _panel(sess, "share", tr)
    if box is None:
        return
    with box:
        exp: Experiment = sess["exp"]
        hide = st.multiselect(tr("net.classroom"), state.CONTROL_GROUPS,
                              default=list(exp.hidden), key=_k("w_hidden"),
                              format_func=lambda g: tr(f"group.{g}"),
                              help=tr("net.classroom_help"))
        shared = exp.replace(hidden=tuple(hide))
        # plain text: st.code would load a 1.5 MB highlighter bundle with the page
        st.text("?" + state.query_string(shared))
