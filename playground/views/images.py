"""Images page: build a small CNN (or a dense network) layer by layer and watch it learn digits.

Widgets and layout only: the experiment is ``playground.images_config.ImagesConfig`` (its URL
form under ``i_*`` keys), engine objects and view data come from ``playground.images_build``,
figures from ``playground.charts_images`` (and the Network page's loss/accuracy curves).

The layer builder edits a *draft*: rows of layer specs. A draft that fits the data becomes the
running network (training restarts, with a notice); one that does not fit is explained in
words (``stack.message``) and the last network that fit keeps training.
"""

from __future__ import annotations

import math

import streamlit as st

import engine as eg
from playground import charts, stack
from playground import charts_images as CI
from playground import images_build as B
from playground.components import live_charts
from playground.config import OPTIMIZERS
from playground.i18n import Translator
from playground.images_config import (
    BATCH_GRID,
    DATASETS,
    DEFAULT_STACK,
    LR_GRID,
    PRESETS,
    QUERY_PREFIX,
    SAMPLE_RANGES,
    SEED_RANGE,
    SPEED_GRID,
    TRAIN_PCT_RANGE,
    ImagesConfig,
    from_query,
    to_query,
)
from playground.views.common import grid_with, show_notes, write_url
from playground.views.common import widget_key as _k
from playground.views.live import live_fragment
from playground.views.training import readout, train_frame, transport

FRAME_BUDGET = 0.05  # at most this much training per frame (one session cannot hog a core)
KEY = "img"
DOMAIN = stack.DOMAINS["image"]
INPUT_SHAPES = {"digits": (8, 8, 1), "mnist": (28, 28, 1)}
N_CLASSES = 10
NEW_LAYER = ("dense", {"units": 32, "activation": "relu"})
CHOICES = {"kernel": (1, 2, 3, 4, 5, 6, 7), "stride": (1, 2, 3), "pool": (2, 3, 4),
           "padding": stack.PADDINGS, "activation": stack.ACTIVATIONS}


# -- session ----------------------------------------------------------------------------------
def _rows_of(specs, sess: dict) -> list[dict]:
    rows = []
    for spec in specs:
        rows.append({"uid": sess["next_uid"], "kind": spec.kind, "settings": dict(spec.settings)})
        sess["next_uid"] += 1
    return rows


def _session(tr: Translator) -> dict:
    """This browser session's experiment, data, trainer and builder draft (never shared)."""
    sess = st.session_state.get(KEY)
    if sess is not None:
        return sess
    params = {k: v for k, v in st.query_params.to_dict().items() if k.startswith(QUERY_PREFIX)}
    cfg, notes = from_query(params, tr, datasets=B.available_datasets())
    try:
        data = B.load_data(cfg)
    except B.ImageDataError as err:
        notes.append(tr(err.key, **err.fmt))
        cfg = cfg.replace(dataset="digits", n_samples=SAMPLE_RANGES["digits"][2])
        data = B.load_data(cfg)
    try:
        trainer = B.build_trainer(cfg, data)
    except stack.StackError as err:
        notes.append(tr("img.note.stack_unfit", reason=stack.message(err, tr)))
        cfg = cfg.replace(stack=DEFAULT_STACK)
        trainer = B.build_trainer(cfg, data)
    except B.TooBigError as err:
        notes.append(tr("img.note.too_big", **err.fmt))
        cfg = cfg.replace(stack=DEFAULT_STACK)
        trainer = B.build_trainer(cfg, data)
    if cfg.image >= data.X_test.shape[0]:
        notes.append(tr("img.note.image_range", n=data.X_test.shape[0] - 1))
        cfg = cfg.replace(image=0)
    sess = {"cfg": cfg, "data": data, "trainer": trainer, "notes": notes, "notice": None,
            "error": None, "data_error": None, "playing": True, "sync": True, "next_uid": 0,
            "version": 0, "views": None}
    sess["rows"] = _rows_of(cfg.stack, sess)
    st.session_state[KEY] = sess
    return sess


def _widget_values(sess: dict) -> dict:
    cfg: ImagesConfig = sess["cfg"]
    vals = {"iw_data": cfg.dataset, "iw_n": cfg.n_samples, "iw_train": cfg.train_pct,
            "iw_dseed": cfg.data_seed, "iw_seed": cfg.seed, "iw_opt": cfg.optimizer,
            "iw_lr": cfg.lr, "iw_bs": cfg.batch_size, "iw_speed": cfg.speed,
            "iw_img": cfg.image}
    for row in sess["rows"]:
        vals[f"iw_kind_{row['uid']}"] = row["kind"]
        for name, value in row["settings"].items():
            vals[f"iw_{row['uid']}_{row['kind']}_{name}"] = value
    return vals


def _sync_widgets(sess: dict, overwrite: bool) -> None:
    """Show the session in the widgets: all of them after a link or preset (``overwrite``),
    else only those Streamlit forgot (a new language, or widgets not drawn last run)."""
    ss = st.session_state
    for name, value in _widget_values(sess).items():
        key = _k(name)
        if overwrite or key not in ss:
            ss[key] = value


# -- controls ---------------------------------------------------------------------------------
def _data_controls(sess: dict, tr: Translator):
    ss = st.session_state
    offered = B.available_datasets()
    if ss.get(_k("iw_data")) not in offered:
        ss[_k("iw_data")] = "digits"

    def on_dataset():
        name = ss[_k("iw_data")]
        ss[_k("iw_n")] = SAMPLE_RANGES[name][2]
        if name != "digits":
            try:  # load now, so a broken file is reported here and digits stay
                B.load_data(sess["cfg"].replace(dataset=name, n_samples=SAMPLE_RANGES[name][2]))
            except B.ImageDataError as err:
                sess["data_error"] = tr(err.key, **err.fmt)
                ss[_k("iw_data")] = "digits"
                ss[_k("iw_n")] = SAMPLE_RANGES["digits"][2]

    st.selectbox(tr("img.dataset"), [d for d in DATASETS if d in offered], key=_k("iw_data"),
                 format_func=lambda d: tr(f"img.dataset.{d}"), on_change=on_dataset,
                 help=tr("img.data.mnist_help", env=B.MNIST_ENV))
    if "mnist" not in offered:
        st.caption(tr("img.data.mnist_hint", env=B.MNIST_ENV))
    messages = st.container(key="img-data-messages")  # filled once the data is settled
    name = ss[_k("iw_data")]
    lo, hi, _ = SAMPLE_RANGES[name]
    n = ss.get(_k("iw_n"), hi)
    if not lo <= n <= hi:
        ss[_k("iw_n")] = min(max(n, lo), hi)
    a, b = st.columns(2)
    a.number_input(tr("img.n_samples"), lo, hi, step=100 if name == "digits" else 1000,
                   key=_k("iw_n"), help=tr(f"img.n_samples_help.{name}"))
    b.number_input(tr("img.data_seed"), *SEED_RANGE, key=_k("iw_dseed"),
                   help=tr("img.data_seed_help"))
    if name == "digits":
        st.slider(tr("img.train_pct"), *TRAIN_PCT_RANGE, step=5, key=_k("iw_train"),
                  format="%d%%")
    else:
        mnist = sess["cfg"].dataset == "mnist"
        st.caption(tr("img.mnist_test", n=sess["data"].X_test.shape[0] if mnist else "…",
                      m=sess["trainer"].n_eval if mnist else "…"))
    return messages


def _setting_widget(col, name: str, key: str, tr: Translator) -> None:
    label = tr(f"img.setting.{name}")
    if name in ("padding", "activation"):
        prefix = "img.padding." if name == "padding" else "activation."
        col.selectbox(label, CHOICES[name], key=key, format_func=lambda v: tr(prefix + v),
                      help=tr("img.setting_help.padding") if name == "padding" else None)
    elif name in CHOICES:
        col.selectbox(label, CHOICES[name], key=key)
    elif name == "rate":
        col.number_input(label, 0.0, 0.9, step=0.1, key=key, format="%.1f")
    else:
        lo, hi = stack.RANGES[name]
        col.number_input(label, lo, hi, step=1, key=key)


def _layer_builder(sess: dict, tr: Translator) -> None:
    ss = st.session_state
    rows = sess["rows"]
    st.caption(tr("img.layers_help"))

    def move(uid: int, by: int):
        i = next(j for j, r in enumerate(rows) if r["uid"] == uid)
        j = i + by
        if 0 <= j < len(rows):
            rows[i], rows[j] = rows[j], rows[i]

    def remove(uid: int):
        rows[:] = [r for r in rows if r["uid"] != uid]

    def add():
        if len(rows) < stack.MAX_LAYERS:
            kind, settings = NEW_LAYER
            rows.append({"uid": sess["next_uid"], "kind": kind, "settings": dict(settings)})
            sess["next_uid"] += 1

    def preset():
        name = ss.get(_k("iw_preset"))
        if name in PRESETS:
            rows[:] = _rows_of(stack.from_text(PRESETS[name], "image"), sess)

    with st.container(key="img-input-row"):
        st.markdown(tr("img.input_row", shape=stack.describe(INPUT_SHAPES[ss[_k("iw_data")]])))
    for pos, row in enumerate(rows):
        uid = row["uid"]
        with st.container(border=True, key=f"img-layer-{pos}"):
            head = st.columns([3.0, 0.5, 0.5, 0.5], vertical_alignment="bottom", gap="small")
            kind_key = _k(f"iw_kind_{uid}")
            if kind_key not in ss:
                ss[kind_key] = row["kind"]
            head[0].selectbox(tr("img.layer_kind", i=pos + 1), DOMAIN, key=kind_key,
                              format_func=lambda k: tr(f"img.kind.{k}"))
            head[1].button("", key=f"ib_up_{uid}", icon=":material/arrow_upward:",
                           help=tr("img.move_up"), on_click=move, args=(uid, -1),
                           disabled=pos == 0)
            head[2].button("", key=f"ib_down_{uid}", icon=":material/arrow_downward:",
                           help=tr("img.move_down"), on_click=move, args=(uid, 1),
                           disabled=pos == len(rows) - 1)
            head[3].button("", key=f"ib_del_{uid}", icon=":material/close:",
                           help=tr("img.remove"), on_click=remove, args=(uid,))
            kind = ss[kind_key]
            settings = stack.KINDS[kind]
            for start in range(0, len(settings), 3):  # at most three settings side by side
                part = settings[start:start + 3]
                cols = st.columns(3, gap="small")
                for col, (name, default) in zip(cols, part, strict=False):
                    key = _k(f"iw_{uid}_{kind}_{name}")
                    if key not in ss:
                        ss[key] = row["settings"].get(name, default) if row["kind"] == kind \
                            else default
                    _setting_widget(col, name, key, tr)
            if not settings:
                st.caption(tr(f"img.kind_help.{kind}"))
            row["kind"] = kind
            row["settings"] = {name: ss[_k(f"iw_{uid}_{kind}_{name}")]
                               for name, _ in settings}
    with st.container(border=True, key="img-output-row"):
        st.markdown(tr("img.output_row", n=N_CLASSES))
    st.button(tr("img.add_layer"), key="ib_add", icon=":material/add:", on_click=add,
              disabled=len(rows) >= stack.MAX_LAYERS, width="stretch")
    a, b = st.columns([2.6, 1], vertical_alignment="bottom", gap="small")
    a.selectbox(tr("img.preset"), list(PRESETS), key=_k("iw_preset"),
                format_func=lambda p: tr(f"img.preset.{p}"))
    b.button(tr("img.preset_load"), key="ib_preset", on_click=preset, width="stretch")


def _draft(sess: dict) -> tuple[tuple[stack.Spec, ...] | None, stack.StackError | None]:
    """The builder's rows as specs (None and the error if a setting is out of range)."""
    try:
        specs = tuple(stack.make(r["kind"], **{n: _clean(v) for n, v in r["settings"].items()})
                      for r in sess["rows"])
    except stack.StackError as err:
        return None, err
    return specs, None


def _clean(value):
    return round(value, 2) if isinstance(value, float) else value


def _training_controls(tr: Translator) -> None:
    ss = st.session_state
    a, b = st.columns(2)
    a.selectbox(tr("img.optimizer"), OPTIMIZERS, key=_k("iw_opt"),
                format_func=lambda v: tr(f"optimizer.{v}"))
    b.number_input(tr("img.seed"), *SEED_RANGE, key=_k("iw_seed"), help=tr("img.seed_help"))
    st.select_slider(tr("img.lr"), options=grid_with(LR_GRID, ss[_k("iw_lr")]), key=_k("iw_lr"),
                     format_func=lambda v: f"{v:g}")
    st.select_slider(tr("img.batch_size"), options=grid_with(BATCH_GRID, ss[_k("iw_bs")]),
                     key=_k("iw_bs"))


def _config_from_widgets(cfg: ImagesConfig, specs) -> ImagesConfig:
    ss = st.session_state

    def get(name, default):
        return ss.get(_k(name), default)

    dataset = get("iw_data", cfg.dataset)
    lo, hi, _ = SAMPLE_RANGES[dataset]
    return cfg.replace(
        dataset=dataset, n_samples=int(min(max(int(get("iw_n", cfg.n_samples)), lo), hi)),
        train_pct=int(get("iw_train", cfg.train_pct)), data_seed=int(get("iw_dseed",
                                                                          cfg.data_seed)),
        stack=specs if specs is not None else cfg.stack, seed=int(get("iw_seed", cfg.seed)),
        optimizer=get("iw_opt", cfg.optimizer), lr=float(get("iw_lr", cfg.lr)),
        batch_size=int(get("iw_bs", cfg.batch_size)), speed=int(get("iw_speed", cfg.speed)),
        image=int(get("iw_img", cfg.image)))


def _error_text(err: Exception, tr: Translator) -> str:
    """What the page says about a stack it cannot build (the running network is kept)."""
    if isinstance(err, stack.StackError):
        return tr("img.error.stack", reason=stack.message(err, tr))
    return tr(err.key, **err.fmt)


def _adopt(sess: dict, wanted: ImagesConfig, tr: Translator) -> None:
    """Make ``wanted`` current: new data, a new network, a new optimizer or live settings."""
    old: ImagesConfig = sess["cfg"]
    if wanted == old:
        return
    data = sess["data"]
    if wanted.data_key() != old.data_key():
        try:
            data = B.load_data(wanted)
        except B.ImageDataError as err:
            sess["data_error"] = tr(err.key, **err.fmt)
            wanted = wanted.replace(dataset=old.dataset, n_samples=old.n_samples,
                                    train_pct=old.train_pct, data_seed=old.data_seed)
            sess["sync"] = True
    rebuilt = False
    if wanted.architecture_key() != old.architecture_key():
        try:
            trainer = B.build_trainer(wanted, data)
        except (stack.StackError, B.TooBigError) as err:  # keep the network that runs
            sess["error"] = _error_text(err, tr)
            wanted = wanted.replace(stack=old.stack, seed=old.seed, dataset=old.dataset,
                                    n_samples=old.n_samples, train_pct=old.train_pct,
                                    data_seed=old.data_seed)
        else:
            sess["notice"] = tr("img.notice.data" if wanted.data_key() != old.data_key()
                                else "img.notice.rebuilt")
            sess["trainer"], sess["data"] = trainer, data
            sess["version"] += 1
            rebuilt = True
    if not rebuilt and wanted.optimizer != old.optimizer:
        B.swap_optimizer(sess["trainer"], wanted)
        sess["notice"] = tr("img.notice.optimizer")
        sess["version"] += 1
    B.apply_live_settings(sess["trainer"], wanted)
    if wanted.image >= sess["data"].X_test.shape[0]:
        wanted = wanted.replace(image=0)
    sess["cfg"] = wanted


# -- tables -----------------------------------------------------------------------------------
def _shape_table(sess: dict, specs, tr: Translator) -> None:
    """Input, every layer and the output layer with their output shapes and parameters."""
    shape = INPUT_SHAPES[st.session_state.get(_k("iw_data"), sess["cfg"].dataset)]
    rows, err = B.shape_rows(specs, shape, N_CLASSES)
    table = {tr("img.col.pos"): [], tr("img.col.layer"): [], tr("img.col.shape"): [],
             tr("img.col.params"): []}
    for i, r in enumerate(rows):
        kind = r["kind"]
        title = tr("img.col.input") if kind == "input" else (
            tr("img.col.output") if kind == "output" else r["spec"].title)
        table[tr("img.col.pos")].append("" if kind == "input" else (
            tr("img.col.out") if kind == "output" else str(i)))
        table[tr("img.col.layer")].append(title)
        table[tr("img.col.shape")].append("✗" if r["shape"] is None and kind != "input"
                                          else stack.describe(r["shape"]))
        table[tr("img.col.params")].append("" if r["params"] is None else f"{r['params']:,}")
    st.table(table, hide_index=True)
    if err is None:
        total = sum(r["params"] or 0 for r in rows)
        st.caption(tr("img.total_params", n=f"{total:,}"))


# -- live views -------------------------------------------------------------------------------
def _views(sess: dict, tr: Translator) -> dict:
    """Figure dicts for the current weights (recomputed only when something changed)."""
    trainer: eg.Trainer = sess["trainer"]
    cfg: ImagesConfig = sess["cfg"]
    data: B.ImageData = sess["data"]
    stamp = (sess["version"], trainer.step_count, tr.lang, cfg.image)
    cached = sess.get("views")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    model = trainer.model
    probs = B.predict(model, data.X_test)
    pred = probs.argmax(axis=1)
    names = data.class_names
    sv = B.sample_view(probs, data)
    w = B.first_layer_weights(model)
    big = data.input_shape[0] > 16
    maps = B.feature_maps(model, data.X_test[cfg.image], max_maps=8 if big else 16)
    titles = B.layer_titles(model)
    conv_no = {i: n + 1 for n, i in enumerate(
        [j for j, t in enumerate(titles) if t == "Conv2D"])}
    for m in maps:
        m["title"] = tr("img.chart.maps.layer", n=conv_no[m["layer"]], pos=m["layer"] + 1)
    h = trainer.history
    figs = {
        "loss": charts.loss_curves(h, tr=tr),
        "accuracy": charts.accuracy_curves(h, tr=tr),
        "samples": CI.sample_grid(sv.images, sv.true, sv.pred, sv.confidence,
                                  class_names=names, index=sv.index, tr=tr),
        "confusion": CI.confusion_matrix(B.confusion(data.y_test, pred, data.n_classes),
                                         class_names=names, tr=tr),
        "filters": CI.filters(w["maps"], kind=w["kind"], total=w["total"], tr=tr,
                              cols=_filter_cols(w["maps"])),
        "maps": CI.feature_maps(data.X_test[cfg.image], maps, tr=tr, index=cfg.image,
                                label=names[int(data.y_test[cfg.image])],
                                cols=4 if all(m["maps"].shape[0] <= 8 for m in maps) else 8),
        "acc": float((pred == data.y_test).mean()) if pred.size else float("nan"),
    }
    sess["views"] = (stamp, figs)
    return figs


def _filter_cols(maps) -> int:
    """About twice as wide as tall: 8 filters in 4 columns, 16 in 6."""
    return 4 if maps is None else max(1, min(8, math.ceil(math.sqrt(2 * len(maps)))))


def _live(sess: dict, tr: Translator) -> None:
    cfg: ImagesConfig = sess["cfg"]
    train_frame(sess, FRAME_BUDGET, cfg.speed)
    trainer: eg.Trainer = sess["trainer"]
    m = trainer.metrics()
    figs = _views(sess, tr)
    readout(m, tr, key="img-readout", marker="pg-images", step=m["step"], epoch=m["epoch"],
            loss=m["train_loss"], acc=figs["acc"], train_acc=m["train_accuracy"],
            stack=cfg.stack_text(), dataset=cfg.dataset, lr=cfg.lr, bs=trainer.batch_size,
            ntrain=trainer.X.shape[0], playing=int(sess["playing"]),
            error=int(bool(sess.get("error"))))
    live_charts({"loss": figs["loss"], "accuracy": figs["accuracy"]}, key="img-curves",
                height=250, columns=2)
    live_charts({"samples": figs["samples"], "confusion": figs["confusion"]}, key="img-preds",
                height=380, columns=2)
    live_charts({"filters": figs["filters"], "maps": figs["maps"]}, key="img-inside",
                height=290, columns=2)


# -- page -------------------------------------------------------------------------------------
def render() -> None:
    tr = Translator(st.session_state.get("lang", "en"))
    sess = _session(tr)
    _sync_widgets(sess, overwrite=sess.pop("sync", False))

    st.title(tr("img.title"))
    st.caption(tr("img.intro"))
    show_notes(sess)

    transport(sess, tr, text="img", keys="ib_", speed_key=_k("iw_speed"),
              speed=sess["cfg"].speed, speed_grid=SPEED_GRID)
    left, right = st.columns([1.6, 2.4], gap="medium")
    with left:
        t_layers, t_data, t_training = st.tabs([tr("img.layers"), tr("img.data"),
                                                tr("img.training")])
        with t_layers:
            _layer_builder(sess, tr)
            table_box = st.container(key="img-shapes")
        with t_data:
            data_messages = _data_controls(sess, tr)
        with t_training:
            _training_controls(tr)

    specs, setting_err = _draft(sess)
    wanted = _config_from_widgets(sess["cfg"], specs)
    sess["error"] = None
    if setting_err is not None:
        sess["error"] = _error_text(setting_err, tr)
    else:
        try:
            B.check_stack(specs, INPUT_SHAPES[wanted.dataset], N_CLASSES)
        except stack.StackError as err:
            sess["error"] = _error_text(err, tr)
            wanted = wanted.replace(stack=sess["cfg"].stack)
    _adopt(sess, wanted, tr)
    write_url(to_query(sess["cfg"]))

    if sess.get("data_error"):
        data_messages.error(sess["data_error"], icon=":material/folder_off:")
        sess["data_error"] = None
    with table_box:
        _shape_table(sess, specs if specs is not None else sess["cfg"].stack, tr)

    with right:
        if sess.get("error"):  # here, not by the rows: the builder must not jump while clicked
            st.error(sess["error"], icon=":material/block:")
        if sess.get("notice"):
            st.info(sess["notice"], icon=":material/restart_alt:")
            sess["notice"] = None
        playing = sess["playing"] and not sess["trainer"].diverged
        live_fragment(_live, sess, tr, playing=playing)
        last = sess["data"].X_test.shape[0] - 1
        if st.session_state.get(_k("iw_img"), 0) > last:
            st.session_state[_k("iw_img")] = min(sess["cfg"].image, last)
        st.number_input(tr("img.image_index"), 0, last, key=_k("iw_img"),
                        help=tr("img.image_index_help"), width=320)
        with st.expander(tr("img.share")):
            st.caption(tr("img.share_help"))
            query = "&".join(f"{k}={v}" for k, v in to_query(sess["cfg"]).items())
            st.text("/images" + (f"?{query}" if query else ""))
