"""Sequences page: recurrent and attention networks on sequence data, trained live.

Build a layer stack (LSTM, SimpleRNN, self-attention, ...) row by row, see the shapes it
produces and its parameter count, and watch it learn one of four generated sequence tasks:
continuing a sine wave, the parity of a bit string, counting ones, predicting the next
character. Inside views show what the network does with one example: the LSTM's gates and cell
state over time, the attention weights, and how far back in time the gradient reaches.

Widgets and layout only: the experiment is ``playground.sequences_config.SeqConfig`` (in the URL
with ``s_`` keys), engine objects come from ``playground.sequences_build``, figures from
``playground.charts_sequences`` (and ``playground.charts`` for the curves). The live area
follows the Network page: a fragment that, while playing, trains for a bounded time per frame
and then redraws the live charts in place.
"""

from __future__ import annotations

import streamlit as st

import engine as eg
from playground import charts, stack
from playground import charts_sequences as CS
from playground import sequences_build as B
from playground import sequences_config as C
from playground.components import live_charts
from playground.i18n import Translator
from playground.views.common import grid_with, show_notes, write_url
from playground.views.common import widget_key as _k
from playground.views.live import live_fragment
from playground.views.training import readout, train_frame, transport

KEY = "seq"
FRAME_BUDGET = 0.05  # at most this much training per frame
DOMAIN = "sequence"
KINDS = stack.DOMAINS[DOMAIN]
FLAG_SETTINGS = {"return_sequences", "causal"}


# -- session ----------------------------------------------------------------------------------
def _session(tr: Translator) -> dict:
    """This browser session's experiment, trainer, data and UI state (never shared)."""
    sess = st.session_state.get(KEY)
    if sess is None:
        params = {k: v for k, v in st.query_params.to_dict().items()
                  if k.startswith(C.QUERY_PREFIX)}
        cfg, notes, link_stack = C.from_query(params, tr)
        sess = {"notes": notes, "playing": True, "notice": None, "error": None, "sync": True}
        try:
            data = B.make_data(cfg)
        except ValueError as err:  # a link asked for data the engine refuses
            notes.append(tr("seq.note.bad_data", reason=str(err)))
            cfg = C.defaults_for(cfg.dataset)
            data = B.make_data(cfg)
        if link_stack is not None:
            try:
                B.validate(link_stack, data)
                cfg = cfg.replace(stack=link_stack)
            except stack.StackError:
                pass  # shown below as the builder's error; the default stack trains meanwhile
        cfg = _clamp_example(cfg, data)
        sess["trainer"], sess["data"] = B.build_trainer(cfg, data)
        sess["cfg"] = cfg
        sess["draft"] = list(link_stack if link_stack is not None else cfg.stack)
        st.session_state[KEY] = sess
    return sess


def _clamp_example(cfg: C.SeqConfig, data: B.SeqData) -> C.SeqConfig:
    top = data.X_test.shape[0] - 1
    return cfg if 0 <= cfg.example <= top else cfg.replace(example=min(max(cfg.example, 0), top))


def _adopt(sess: dict, cfg: C.SeqConfig, tr: Translator, notice: str | None = None,
           data: B.SeqData | None = None) -> bool:
    """Make ``cfg`` current: rebuild (data or network changed), swap the optimizer, or just
    apply live settings. On failure the previous network keeps training and False is returned."""
    old: C.SeqConfig = sess["cfg"]
    if cfg == old:
        return True
    try:
        if cfg.model_key() != old.model_key():
            if data is None:
                data = sess["data"] if cfg.data_key() == old.data_key() else B.make_data(cfg)
            cfg = _clamp_example(cfg, data)
            sess["trainer"], sess["data"] = B.build_trainer(cfg, data)
            sess["notice"] = notice or tr("seq.notice.reset")
        elif cfg.optimizer != old.optimizer:
            B.swap_optimizer(sess["trainer"], cfg)
            sess["notice"] = notice or tr("seq.notice.optimizer")
        B.apply_live_settings(sess["trainer"], cfg)
    except stack.StackError as err:
        sess["error"] = stack.message(err, tr)
        return False
    except ValueError as err:  # the engine's own message names what was wrong
        sess["error"] = str(err)
        return False
    sess["cfg"] = cfg
    return True


# -- widgets <-> experiment --------------------------------------------------------------------
def _row_values(i: int, spec: stack.Spec) -> dict:
    vals = {f"sw_{i}_kind": spec.kind}
    for name, value in spec.settings:
        vals[f"sw_{i}_{name}"] = bool(value) if name in FLAG_SETTINGS else value
    return vals


def _widget_values(cfg: C.SeqConfig, draft: list[stack.Spec]) -> dict:
    vals = {"sw_dataset": cfg.dataset, "sw_seq_len": cfg.seq_len, "sw_n": cfg.n_samples,
            "sw_noise": cfg.noise, "sw_dseed": cfg.data_seed, "sw_seed": cfg.seed,
            "sw_opt": cfg.optimizer, "sw_lr": cfg.lr, "sw_bs": cfg.batch_size,
            "sw_clip": cfg.clip, "sw_speed": cfg.speed, "sw_example": cfg.example}
    for i, spec in enumerate(draft):
        vals.update(_row_values(i, spec))
    return vals


def _sync_widgets(sess: dict, overwrite: bool) -> None:
    """Show the experiment in the widgets: all of them after a callback changed it
    (``overwrite``), else only those Streamlit forgot (widgets not drawn lose their state)."""
    ss = st.session_state
    for key, value in _widget_values(sess["cfg"], sess["draft"]).items():
        key = _k(key)
        if overwrite or key not in ss:
            ss[key] = value


def _draft_from_widgets(sess: dict) -> list[stack.Spec]:
    ss = st.session_state
    out = []
    for i, spec in enumerate(sess["draft"]):
        kind = ss.get(_k(f"sw_{i}_kind"), spec.kind)
        current = dict(spec.settings) if kind == spec.kind else {}
        settings = {}
        for name, default in stack.KINDS.get(kind, ()):
            v = ss.get(_k(f"sw_{i}_{name}"), current.get(name, default))
            settings[name] = int(bool(v)) if name in FLAG_SETTINGS else v
        try:
            out.append(stack.make(kind, **settings))
        except stack.StackError:
            out.append(spec)
    return out


def _config_from_widgets(cfg: C.SeqConfig) -> C.SeqConfig:
    ss = st.session_state

    def get(name, default):
        return ss.get(_k(name), default)

    return cfg.replace(
        seq_len=int(get("sw_seq_len", cfg.seq_len)), n_samples=int(get("sw_n", cfg.n_samples)),
        noise=float(get("sw_noise", cfg.noise)), data_seed=int(get("sw_dseed", cfg.data_seed)),
        seed=int(get("sw_seed", cfg.seed)), optimizer=str(get("sw_opt", cfg.optimizer)),
        lr=float(get("sw_lr", cfg.lr)), batch_size=int(get("sw_bs", cfg.batch_size)),
        clip=float(get("sw_clip", cfg.clip)), speed=int(get("sw_speed", cfg.speed)),
        example=int(get("sw_example", cfg.example)))


# -- callbacks (run before the page is drawn) -----------------------------------------------------
def _sess() -> dict:
    return st.session_state[KEY]


def _tr() -> Translator:
    return Translator(st.session_state.get("lang", "en"))


def _on_dataset() -> None:
    """Another data set: its own length and recommended stack (next_char needs an Embedding)."""
    sess, tr = _sess(), _tr()
    name = st.session_state[_k("sw_dataset")]
    base = C.defaults_for(name)
    cfg = sess["cfg"].replace(dataset=name, seq_len=base.seq_len, stack=base.stack, example=0)
    if _adopt(sess, cfg, tr, notice=tr("seq.notice.dataset", name=tr(f"seq.ds.{name}"))):
        sess["draft"] = list(cfg.stack)
        sess["error"] = None
    sess["sync"] = True


def _on_new_data() -> None:
    ss = st.session_state
    ss[_k("sw_dseed")] = int(ss.get(_k("sw_dseed"), 0)) + 1


def _on_kind(i: int) -> None:
    """Another kind of layer in row i: settings it shares with the old kind are kept."""
    sess = _sess()
    sess["draft"] = _draft_from_widgets(sess)
    sess["sync"] = True


def _on_move(i: int, j: int) -> None:
    sess = _sess()
    draft = _draft_from_widgets(sess)
    if 0 <= j < len(draft):
        draft[i], draft[j] = draft[j], draft[i]
    sess["draft"] = draft
    sess["sync"] = True


def _on_remove(i: int) -> None:
    sess = _sess()
    draft = _draft_from_widgets(sess)
    del draft[i]
    sess["draft"] = draft
    sess["sync"] = True


def _on_add() -> None:
    sess = _sess()
    draft = _draft_from_widgets(sess)
    kind = st.session_state.get(_k("sw_add_kind"), "lstm")
    if len(draft) < stack.MAX_LAYERS:
        draft.append(stack.make(kind))
    sess["draft"] = draft
    sess["sync"] = True


def _on_preset() -> None:
    sess, tr = _sess(), _tr()
    name = st.session_state.get(_k("sw_preset"), "lstm")
    specs = stack.from_text(C.preset_text(name, sess["cfg"].dataset), DOMAIN)
    sess["draft"] = list(specs)
    sess["sync"] = True
    if _adopt(sess, sess["cfg"].replace(stack=specs), tr,
              notice=tr("seq.notice.preset", name=tr(f"seq.preset.{name}"))):
        sess["error"] = None
        sess["playing"] = True


# -- controls ---------------------------------------------------------------------------------
def _data_controls(sess: dict, tr: Translator) -> None:
    st.subheader(tr("seq.data"))
    st.selectbox(tr("seq.dataset"), C.DATASETS, key=_k("sw_dataset"), on_change=_on_dataset,
                 format_func=lambda d: tr(f"seq.ds.{d}"))
    st.caption(tr(f"seq.ds.{sess['cfg'].dataset}.help"))
    lo, hi = C.RANGES["seq_len"]
    st.slider(tr("seq.seq_len"), int(lo), int(hi), key=_k("sw_seq_len"),
              help=tr("seq.seq_len_help"))
    ss = st.session_state
    a, b = st.columns(2)
    a.select_slider(tr("seq.n_samples"), options=grid_with(C.SAMPLES_GRID, ss[_k("sw_n")]),
                    key=_k("sw_n"))
    b.select_slider(tr("seq.noise"), options=grid_with(C.NOISE_GRID, ss[_k("sw_noise")]),
                    key=_k("sw_noise"), format_func=lambda v: f"{v:g}",
                    help=tr(f"seq.noise_help.{sess['cfg'].dataset}"))
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    c1.number_input(tr("seq.data_seed"), *map(int, C.RANGES["data_seed"]), key=_k("sw_dseed"))
    c2.button(tr("seq.new_data"), key="sb_new_data", help=tr("seq.new_data_help"),
              on_click=_on_new_data, width="stretch")


def _setting_widget(col, i: int, name: str, tr: Translator) -> None:
    key = _k(f"sw_{i}_{name}")
    label = tr(f"seq.set.{name}")
    if name in FLAG_SETTINGS:
        col.checkbox(label, key=key, help=tr(f"seq.set.{name}_help"))
    elif name == "activation":
        col.selectbox(label, stack.ACTIVATIONS, key=key)
    elif name == "rate":
        lo, hi = stack.RANGES[name]
        col.number_input(label, float(lo), float(hi), step=0.05, key=key, format="%.2f")
    else:
        lo, hi = stack.RANGES[name]
        col.number_input(label, int(lo), int(hi), step=1, key=key)


def _stack_controls(sess: dict, tr: Translator) -> None:
    st.subheader(tr("seq.layers"))
    st.caption(tr("seq.layers_help"))
    a, b = st.columns([2, 1], vertical_alignment="bottom")
    a.selectbox(tr("seq.preset"), tuple(C.PRESETS), key=_k("sw_preset"),
                format_func=lambda p: tr(f"seq.preset.{p}"))
    b.button(tr("seq.preset_load"), key="sb_preset", on_click=_on_preset,
             width="stretch")
    draft = sess["draft"]
    n = len(draft)
    for i, spec in enumerate(draft):
        with st.container(border=True, key=f"seq_row_{i}"):
            c = st.columns([2.9, 1, 1, 1], vertical_alignment="bottom", gap="small")
            c[0].selectbox(tr("seq.layer_n", i=i + 1), KINDS, key=_k(f"sw_{i}_kind"),
                           format_func=lambda k: tr(f"seq.kind.{k}"), on_change=_on_kind,
                           args=(i,))
            c[1].button(":material/arrow_upward:", key=f"sb_up_{i}", help=tr("seq.move_up"),
                        disabled=i == 0, on_click=_on_move, args=(i, i - 1), width="stretch")
            c[2].button(":material/arrow_downward:", key=f"sb_down_{i}",
                        help=tr("seq.move_down"), disabled=i == n - 1, on_click=_on_move,
                        args=(i, i + 1), width="stretch")
            c[3].button(":material/close:", key=f"sb_remove_{i}", help=tr("seq.remove"),
                        on_click=_on_remove, args=(i,), width="stretch")
            names = [name for name, _ in stack.KINDS[spec.kind] if name not in FLAG_SETTINGS]
            if names:
                cols = st.columns(len(names), vertical_alignment="bottom")
                for col, name in zip(cols, names, strict=True):
                    _setting_widget(col, i, name, tr)
            for name, _ in stack.KINDS[spec.kind]:
                if name in FLAG_SETTINGS:  # a whole line each: their labels are long
                    _setting_widget(st, i, name, tr)
    a, b = st.columns([2, 1], vertical_alignment="bottom")
    a.selectbox(tr("seq.add_kind"), KINDS, key=_k("sw_add_kind"),
                format_func=lambda k: tr(f"seq.kind.{k}"), index=KINDS.index("lstm"))
    b.button(tr("seq.add_layer"), key="sb_add", on_click=_on_add, icon=":material/add:",
             disabled=n >= stack.MAX_LAYERS, width="stretch")


def _output_and_table(sess: dict, rows: list[B.Row] | None, tr: Translator) -> None:
    data: B.SeqData = sess["data"]
    ds = data.ds
    with st.container(border=True, key="seq_output_layer"):
        st.markdown(tr("seq.output_layer", units=ds.output_units,
                       activation=tr(f"seq.act.{ds.output_activation}"),
                       loss=tr(f"seq.loss.{ds.loss}")))
    if rows is None:
        return
    import pandas as pd

    table = []
    for i, r in enumerate(rows):
        if r.role == "input":
            name = tr("seq.row.input_ids") if data.integer_ids else tr("seq.row.input")
        elif r.role == "output":
            name = tr("seq.row.output", layer=_short(r, tr))
        else:
            name = f"{i}. {_short(r, tr)}"
        table.append({tr("seq.col.layer"): name, tr("seq.col.shape"): stack.describe(r.shape),
                      tr("seq.col.params"): r.params})
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch", key="seq_shapes",
                 column_config={tr("seq.col.layer"): st.column_config.TextColumn(width="medium"),
                                tr("seq.col.shape"): st.column_config.TextColumn(width="small"),
                                tr("seq.col.params"): st.column_config.NumberColumn(
                                    width="small")})
    st.caption(tr("seq.total_params", n=f"{sum(r.params for r in rows):,}"))


def _short(row: B.Row, tr: Translator) -> str:
    """A layer in a few characters: "LSTM 32", "Dense 31, softmax"."""
    parts = []
    for name, value in row.settings:
        if name in FLAG_SETTINGS:
            continue  # the output shape shows them
        if name == "activation":
            parts.append(tr(f"seq.act.{value}") if value in ("linear", "sigmoid", "softmax")
                         else str(value))
        else:
            parts.append(f"{value:g}" if isinstance(value, float) else str(value))
    return row.title + (" " + ", ".join(parts) if parts else "")


def _training_controls(tr: Translator) -> None:
    ss = st.session_state
    st.subheader(tr("seq.training"))
    a, b = st.columns(2)
    a.selectbox(tr("seq.optimizer"), C.OPTIMIZERS, key=_k("sw_opt"),
                format_func=lambda o: tr(f"seq.opt.{o}"))
    b.number_input(tr("seq.seed"), *map(int, C.RANGES["seed"]), key=_k("sw_seed"),
                   help=tr("seq.seed_help"))
    st.select_slider(tr("seq.lr"), options=grid_with(C.LR_GRID, ss[_k("sw_lr")]),
                     key=_k("sw_lr"), format_func=lambda v: f"{v:g}")
    a, b = st.columns(2)
    a.select_slider(tr("seq.batch_size"), options=grid_with(C.BATCH_GRID, ss[_k("sw_bs")]),
                    key=_k("sw_bs"))
    b.select_slider(tr("seq.clip"), options=grid_with(C.CLIP_GRID, ss[_k("sw_clip")]),
                    key=_k("sw_clip"), help=tr("seq.clip_help"),
                    format_func=lambda v: tr("seq.clip_off") if v == 0 else f"{v:g}")


# -- live views -------------------------------------------------------------------------------
def _labels(data: B.SeqData, ex: B.Example) -> list[str] | None:
    if not data.integer_ids:
        return None
    return [CS.char_label(data.vocab[int(i)]) for i in ex.x]


def _views(sess: dict, trainer: eg.Trainer, cfg: C.SeqConfig, data: B.SeqData) -> tuple:
    """The example, the gradient over time and (regression) the test predictions, computed once
    per training step and example (a paused page redraws without recomputing)."""
    key = (trainer.step_count, cfg.example)
    cached = sess.get("views")
    if cached is None or cached[0] is not trainer or cached[1] != key:
        model = trainer.model
        ex = B.example(model, data, cfg.example)
        grads = B.input_gradients(trainer)
        preds = B.predictions(model, data)[:, 0] if data.task == "regression" else None
        cached = sess["views"] = (trainer, key, ex, grads, preds)
    return cached[2:]


def _live(sess: dict, tr: Translator) -> None:
    cfg: C.SeqConfig = sess["cfg"]
    data: B.SeqData = sess["data"]
    train_frame(sess, FRAME_BUDGET, cfg.speed)
    trainer: eg.Trainer = sess["trainer"]
    m = trainer.metrics()
    model = trainer.model
    ex, grads, predictions = _views(sess, trainer, cfg, data)
    classification = data.task != "regression"
    metric = m["test_accuracy"] if classification else m["test_loss"]
    readout(m, tr, key="seq_readout", marker="pg-seq", step=m["step"], epoch=m["epoch"],
            loss=m["train_loss"], test_loss=m["test_loss"], metric=metric,
            dataset=cfg.dataset, stack=cfg.stack_text, error=int(bool(sess.get("error"))),
            lstm=int(ex.gates is not None), attention=int(ex.attention is not None),
            playing=int(bool(sess["playing"])))
    h = trainer.history
    curves = {"loss": charts.loss_curves(h, tr=tr)}
    if classification:
        curves["accuracy"] = charts.accuracy_curves(h, tr=tr)
    curves["grad_norms"] = charts.grad_norms(h, tr=tr)
    for fig in curves.values():
        CS.legend_below(fig)
    live_charts(curves, key="seq-curves", height=300, columns=len(curves))

    st.markdown(f"##### {tr('seq.example_title')}")
    rev = f"{cfg.dataset}-{cfg.seq_len}"
    targets = None if predictions is None else data.y_test[:predictions.size, 0]
    example_figs = {
        "input": CS.sequence_figure(ex.x, ex.target, ex.output, dataset=cfg.dataset,
                                    index=ex.index, tr=tr, vocab=data.vocab,
                                    uirevision=f"seq-input-{rev}"),
        "output": CS.output_figure(ex.output, ex.target, dataset=cfg.dataset, tr=tr,
                                   vocab=data.vocab, predictions=predictions, targets=targets,
                                   index=ex.index, top_k=B.TOP_K,
                                   uirevision=f"seq-output-{rev}"),
    }
    live_charts(example_figs, key="seq-example", height=330, columns=2)

    labels = _labels(data, ex)
    inside = {}
    if ex.gates is not None:
        inside["gates"] = CS.gates_figure(ex.gates, tr=tr, labels=labels,
                                          uirevision=f"seq-gates-{rev}")
    if ex.attention is not None:
        att = B.first_layer(model, eg.layers.SelfAttention)
        inside["attention"] = CS.attention_figure(ex.attention, tr=tr, labels=labels,
                                                  causal=bool(att.causal),
                                                  uirevision=f"seq-attention-{rev}")
    if grads is not None:
        inside["gradient"] = CS.input_gradient_figure(grads, tr=tr,
                                                      uirevision=f"seq-grad-{rev}")
    if inside:
        st.markdown(f"##### {tr('seq.inside_title')}")
        live_charts(inside, key="seq-inside", height=440, columns=min(2, len(inside)))


# -- page -------------------------------------------------------------------------------------
def render() -> None:
    tr = Translator(st.session_state.get("lang", "en"))
    sess = _session(tr)
    _sync_widgets(sess, overwrite=sess.pop("sync", False))

    # The live area redraws in place: Streamlit's fading of elements whose fragment run is in
    # flight would only make the readout and headings flicker.
    st.html('<style>.st-key-seq_live [data-testid="stElementContainer"]'
            '{opacity:1 !important;transition:none !important}</style>')
    st.title(tr("seq.title"))
    st.caption(tr("seq.intro"))
    show_notes(sess)

    transport(sess, tr, text="seq", keys="sb_", speed_key=_k("sw_speed"),
              speed=sess["cfg"].speed, speed_grid=C.SPEED_GRID)
    left, right = st.columns([1.35, 2.5], gap="medium")
    with left:
        _data_controls(sess, tr)
        _stack_controls(sess, tr)
        checked = st.container()  # filled below, once the edited stack has been checked
        _training_controls(tr)
    sess["draft"] = _draft_from_widgets(sess)
    wanted, rows, data = _plan(sess, _config_from_widgets(sess["cfg"]), tr)
    _adopt(sess, wanted, tr, data=data)
    write_url(C.to_query(sess["cfg"]))
    with checked:
        if sess.get("error"):
            with st.container(key="seq_stack_error"):
                st.error(tr("seq.invalid", reason=sess["error"]))
        _output_and_table(sess, rows, tr)

    with right:
        if sess.get("notice"):
            st.info(sess["notice"])
            sess["notice"] = None
        _example_picker(sess, tr)
        playing = sess["playing"] and not sess["trainer"].diverged
        with st.container(key="seq_live"):
            live_fragment(_live, sess, tr, playing=playing)
        _explain(sess, tr)
        _share(sess, tr)


def _plan(sess: dict, wanted: C.SeqConfig, tr: Translator
          ) -> tuple[C.SeqConfig, list[B.Row] | None, B.SeqData]:
    """What should train, given the widgets: ``wanted`` with the edited stack when it fits the
    wanted data. When it does not, ``sess["error"]`` says why and the network that trains is
    kept: its stack on the new data when it fits that, else its data too (nothing is lost).
    Returns (config, the shape table's rows or None, its data)."""
    old: C.SeqConfig = sess["cfg"]
    draft = tuple(sess["draft"])
    old_data = {"seq_len": old.seq_len, "n_samples": old.n_samples, "noise": old.noise,
                "data_seed": old.data_seed}
    try:
        data = sess["data"] if wanted.data_key() == old.data_key() else B.make_data(wanted)
    except ValueError as err:
        sess["error"] = str(err)
        return wanted.replace(stack=old.stack, **old_data), None, sess["data"]
    try:
        rows = B.validate(draft, data)
    except stack.StackError as err:
        sess["error"] = stack.message(err, tr)
        try:
            B.validate(old.stack, data)
            return wanted.replace(stack=old.stack), None, data
        except stack.StackError:
            return wanted.replace(stack=old.stack, **old_data), None, sess["data"]
    sess["error"] = None
    return _clamp_example(wanted.replace(stack=draft), data), rows, data


def _example_picker(sess: dict, tr: Translator) -> None:
    data: B.SeqData = sess["data"]
    top = data.X_test.shape[0] - 1
    ss = st.session_state
    if ss.get(_k("sw_example"), 0) > top:
        ss[_k("sw_example")] = top
    a, b = st.columns([1, 3], vertical_alignment="bottom")
    a.number_input(tr("seq.example"), 0, top, step=1, key=_k("sw_example"),
                   help=tr("seq.example_help", n=top + 1))
    b.caption(tr(f"seq.example_caption.{data.name}"))


def _explain(sess: dict, tr: Translator) -> None:
    with st.expander(tr("seq.explain")):
        st.markdown(tr("seq.explain.curves"))
        st.markdown(tr(f"seq.explain.example.{sess['data'].name}"))
        st.markdown(tr("seq.explain.gates"))
        st.markdown(tr("seq.explain.attention"))
        st.markdown(tr("seq.explain.gradient"))


def _share(sess: dict, tr: Translator) -> None:
    with st.expander(tr("seq.share")):
        st.caption(tr("seq.share_help"))
        st.text("sequences?" + C.query_string(sess["cfg"]))
