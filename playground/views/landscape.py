"""Loss landscape page: the loss of the Network page's network over a plane through its weights.

The plane is ``θc + a·d1 + b·d2`` around the weights θc at the moment of computing, with
directions d1, d2 chosen by the user: filter-normalised random (Li et al. 2018), the two
principal components of the training trajectory, or the two top Hessian eigenvectors. The page
draws the loss over the plane (contour and 3-D), the training trajectory projected onto it with
the current weights marked, the loss on the straight line from the initial to the current
weights, and the sharpness (top Hessian eigenvalue) over training against the 2/η line.

Computing is a *job* kept in session state: directions, then the grid in chunks of points (a
progress bar between chunks, ~0.15 s apart), then the 1-D line. Streamlit stops a running script
at its next element call when the user clicks something, so a click on Cancel ends the job
between two chunks; any other click leaves the finished points in the job and the next run
carries on from there.
Finished landscapes are cached per (weights, directions, resolution, span), so switching views,
languages or pages never recomputes. With "follow training" the page trains the network in a
fragment and only the (cheap) trajectory projection and markers move; the landscape stays put
until Recompute.

Widgets and layout only: numbers come from ``engine.landscape`` / ``engine.curvature``, figures
from ``playground.charts_landscape``.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

import engine as eg
from playground import charts_landscape as charts
from playground.components import live_charts
from playground.i18n import Translator
from playground.views import network
from playground.views.common import widget_key as _k
from playground.views.live import live_fragment

KEY = "landscape"
SHARPNESS = "sharpness"  # the trainer history series the tracker records into
DIRECTIONS = charts.DIRECTION_KINDS  # ("random", "pca", "hessian")
RESOLUTIONS = (21, 41, 51)
SPANS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
VIEWS = ("contour", "surface", "both")
SHARP_EVERY = (5, 10, 20, 50)
SHARP_SAMPLES = 500  # the fixed subset (first rows of the training set) sharpness is taken on
HESSIAN_SAMPLES = 1000  # rows used to find the Hessian directions
LINE_POINTS = 201
LINE_RANGE = (-0.5, 1.5)
PCA_MARGIN = 0.25  # PCA plane: the trajectory's bounding box plus this share on every side
MIN_PCA_SNAPSHOTS = 3
CACHE_SIZE = 12
CHUNK_SECONDS = 0.15  # target time per grid chunk (progress and Cancel between chunks)
MIN_CHUNK = 32  # points per chunk at least: fewer would waste the engine's vectorised pass
FRAME_INTERVAL = 0.2  # seconds between frames while following training
FRAME_BUDGET = 0.05  # training per frame, as on the Network page
DEFAULTS: dict[str, Any] = {"dirs": "random", "res": 41, "span": 1.0, "seed": 0,
                            "view": "both", "log": False, "follow": False, "sharp": False,
                            "every": 10}
# Tests set this to 1 to leave a job half done, exactly as a run stopped by a click does.
MAX_CHUNKS_PER_RUN: int | None = None


@dataclass
class Landscape:
    """One computed landscape (immutable once stored in the cache)."""

    key: tuple
    spec: tuple  # (kind, seed, resolution, span)
    center: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    surface: eg.landscape.Surface
    info: dict = field(default_factory=dict)  # "ratio" (PCA) or "eigenvalues" (Hessian)
    step: int = 0
    seconds: float = 0.0
    owner: tuple = ()  # (trainer id, architecture/penalty): whose loss function this is
    curve: Any = None  # engine.landscape.Curve from the initial weights to ``center``

    @property
    def kind(self) -> str:
        return self.spec[0]


# -- session ----------------------------------------------------------------------------------
def _state() -> dict:
    ls = st.session_state.get(KEY)
    if ls is None:
        ls = {"settings": dict(DEFAULTS), "cache": OrderedDict(), "lines": OrderedDict(),
              "shown": None, "job": None, "declined": None, "notice": None, "tracker": None}
        st.session_state[KEY] = ls
    return ls


def _spec(settings: dict) -> tuple:
    kind = settings["dirs"]
    return (kind, int(settings["seed"]) if kind == "random" else 0, int(settings["res"]),
            float(settings["span"]))


def _owner(sess: dict) -> tuple:
    """The loss function: this trainer (data, architecture) and its penalty."""
    model = sess["trainer"].model
    return (id(sess["trainer"]), repr((sess["exp"].architecture_key(), float(model.l1),
                                       float(model.l2), model.n_params)))


def _weights_key(sess: dict) -> str:
    """Identifies the loss function and the point on it."""
    h = hashlib.blake2b(digest_size=12)
    h.update(np.ascontiguousarray(sess["trainer"].model.params).tobytes())
    h.update(_owner(sess)[1].encode())
    return h.hexdigest()


def _fits(result: Landscape | None, sess: dict) -> bool:
    """Whether a landscape belongs to the session's current network (and loss)."""
    return result is not None and result.owner == _owner(sess) \
        and result.center.shape == sess["trainer"].model.params.shape


def _remember(store: OrderedDict, key, value) -> None:
    store[key] = value
    store.move_to_end(key)
    while len(store) > CACHE_SIZE:
        store.popitem(last=False)


# -- controls ---------------------------------------------------------------------------------
def _controls(ls: dict, tr: Translator) -> bool:
    """Draw the settings; returns whether Recompute was pressed."""
    ss = st.session_state
    settings = ls["settings"]
    for name, value in settings.items():
        ss.setdefault(_k(f"ls_{name}"), value)
    c = st.columns([1.5, 1.1, 1.1, 0.6, 0.8], vertical_alignment="bottom")
    c[0].segmented_control(tr("ls.directions"), DIRECTIONS, key=_k("ls_dirs"), required=True,
                           format_func=lambda d: tr(f"ls.dirs.{d}"),
                           help=tr("ls.directions_help"))
    c[1].segmented_control(tr("ls.resolution"), RESOLUTIONS, key=_k("ls_res"), required=True,
                           format_func=str, help=tr("ls.resolution_help"))
    c[2].select_slider(tr("ls.span"), SPANS, key=_k("ls_span"), format_func=lambda v: f"{v:g}",
                       help=tr("ls.span_help"))
    c[3].number_input(tr("ls.seed"), 0, 9999, step=1, key=_k("ls_seed"),
                      disabled=ss[_k("ls_dirs")] != "random", help=tr("ls.seed_help"))
    recompute = c[4].button(tr("ls.recompute"), key="b_ls_recompute", type="primary",
                            use_container_width=True, help=tr("ls.recompute_help"))
    c = st.columns([1.4, 1.1, 1.3, 1.4, 1.1], vertical_alignment="bottom")
    c[0].segmented_control(tr("ls.view"), VIEWS, key=_k("ls_view"), required=True,
                           format_func=lambda v: tr(f"ls.view.{v}"))
    c[1].toggle(tr("ls.log"), key=_k("ls_log"), help=tr("ls.log_help"))
    c[2].toggle(tr("ls.follow"), key=_k("ls_follow"), help=tr("ls.follow_help"))
    c[3].toggle(tr("ls.sharpness"), key=_k("ls_sharp"), help=tr("ls.sharpness_help"))
    c[4].selectbox(tr("ls.every"), SHARP_EVERY, key=_k("ls_every"),
                   disabled=not ss[_k("ls_sharp")], help=tr("ls.every_help"),
                   format_func=lambda n: tr("ls.every_n", n=n))
    for name in settings:
        value = ss.get(_k(f"ls_{name}"))
        if value is not None:
            settings[name] = value
    return recompute


# -- computing ----------------------------------------------------------------------------------
def _plan(ls: dict, sess: dict, recompute: bool) -> None:
    """Decide what to show: a cached landscape, a job to (re)start, or nothing yet."""
    spec = _spec(ls["settings"])
    job = ls["job"]
    if job is not None and (job["spec"] != spec or job["owner"] != _owner(sess)
                            or (recompute and job["key"][0] != _weights_key(sess))):
        ls["job"] = job = None  # settings or network changed while computing: moot
    if job is not None:
        return
    shown = ls["cache"].get(ls["shown"])
    if _fits(shown, sess) and shown.spec == spec and not recompute:
        return  # keep the landscape fixed while the weights move (follow training)
    wkey = _weights_key(sess)
    key = (wkey, *spec)
    if key in ls["cache"] and _fits(ls["cache"][key], sess):
        ls["shown"] = key
        ls["cache"].move_to_end(key)
        return
    if recompute or spec != ls["declined"]:
        ls["declined"] = None
        ls["notice"] = None
        ls["job"] = _new_job(ls, sess, key, spec)


def _new_job(ls: dict, sess: dict, key: tuple, spec: tuple) -> dict | None:
    trainer: eg.Trainer = sess["trainer"]
    model = trainer.model
    kind, seed, res, span = spec
    job = {"key": key, "spec": spec, "center": model.params.astype(np.float64),
           "step": trainer.step_count, "d1": None, "d2": None, "info": {}, "a": None, "b": None,
           "loss": None, "done": 0, "seconds": 0.0, "line_key": _line_key(key[0], trainer),
           "owner": _owner(sess)}
    t0 = time.perf_counter()
    if kind == "random":
        job["d1"], job["d2"] = eg.landscape.random_directions(model, seed=seed)
    elif kind == "pca":
        traj = trainer.trajectory()
        if not np.array_equal(traj[-1], job["center"]):
            traj = np.vstack([traj, job["center"]])  # θ_final, the centre, is the last row
        if traj.shape[0] < MIN_PCA_SNAPSHOTS or not np.ptp(traj, axis=0).any():
            ls["notice"] = ("warning", "ls.pca_needs_training")
            return None
        d1, d2, ratio = eg.landscape.pca_directions(traj)
        job["d1"], job["d2"], job["info"] = d1, d2, {"ratio": ratio.tolist()}
    job["seconds"] += time.perf_counter() - t0
    if job["d1"] is not None:
        _axes(job, trainer)
    return job


def _axes(job: dict, trainer: eg.Trainer) -> None:
    """The grid's coordinates: ±span in the directions' units (random: filter-normalised,
    Hessian: ‖θ‖), or for PCA the trajectory's bounding box (plus a margin) times span."""
    kind, _, res, span = job["spec"]
    if kind == "pca":
        P = eg.landscape.project(trainer.trajectory(), job["center"], job["d1"], job["d2"])
        lo = np.minimum(P.min(axis=0), 0.0)
        hi = np.maximum(P.max(axis=0), 0.0)
        pad = PCA_MARGIN * (hi - lo)
        lo, hi = lo - pad, hi + pad
        width = hi - lo
        floor = 0.2 * max(float(width.max()), 1e-6)
        for i in (0, 1):  # a flat second component still gets a readable band
            if width[i] < floor:
                mid = 0.5 * (lo[i] + hi[i])
                lo[i], hi[i] = mid - floor / 2, mid + floor / 2
        ranges = [(span * lo[i], span * hi[i]) for i in (0, 1)]
    else:
        ranges = [(-span, span)] * 2
    job["a"] = np.linspace(*ranges[0], res)
    job["b"] = np.linspace(*ranges[1], res)
    job["loss"] = np.full((res, res), np.nan)


def _line_key(wkey: str, trainer: eg.Trainer) -> tuple:
    init = hashlib.blake2b(np.ascontiguousarray(trainer.initial_params).tobytes(),
                           digest_size=8).hexdigest()
    return (wkey, init)


def _cancel(ls: dict) -> None:
    """Cancel's on_click: runs before the next script run, which the click started."""
    job = ls.get("job")
    if job is not None:
        ls["declined"] = job["spec"]
        ls["job"] = None
        ls["notice"] = ("info", "ls.cancelled")


def _run_job(ls: dict, sess: dict, tr: Translator) -> None:
    """Compute (or continue) the pending job with a progress bar and a Cancel button."""
    job = ls["job"]
    trainer: eg.Trainer = sess["trainer"]
    model = trainer.model
    X, y = trainer.X, trainer.y
    res = job["spec"][2]
    total = res * res
    ph = st.empty()
    with ph.container(key="ls_job"):
        cols = st.columns([5, 1], vertical_alignment="center")
        text = tr("ls.progress.grid", done=f"{job['done']:,}", total=f"{total:,}") \
            if job["d1"] is not None else tr("ls.progress.hessian")
        bar = cols[0].progress(_fraction(job), text=text)
        cols[1].button(tr("ls.cancel"), key="b_ls_cancel", on_click=_cancel, args=(ls,),
                       use_container_width=True)
    if job["d1"] is None:  # Hessian directions: one Lanczos call, between two progress updates
        t0 = time.perf_counter()
        sub = slice(0, HESSIAN_SAMPLES)
        d1, d2, w = eg.landscape.hessian_directions(model, X[sub], y[sub], params=job["center"])
        scale = float(np.linalg.norm(job["center"])) or 1.0
        job["d1"], job["d2"] = d1 * scale, d2 * scale
        job["info"] = {"eigenvalues": w.tolist()}
        _axes(job, trainer)
        job["seconds"] += time.perf_counter() - t0
    D = np.stack([job["d1"], job["d2"]])
    a, b = job["a"], job["b"]
    flat = job["loss"].reshape(-1)  # row-major: point p is (a[p % res], b[p // res])
    size, chunks = min(MIN_CHUNK, total), 0
    while job["done"] < total:
        if MAX_CHUNKS_PER_RUN is not None and chunks >= MAX_CHUNKS_PER_RUN:
            return  # leave the job pending, as a run stopped by a click would
        p0, p1 = job["done"], min(total, job["done"] + size)
        p = np.arange(p0, p1)
        coords = np.column_stack([a[p % res], b[p // res]])
        t0 = time.perf_counter()
        loss, _ = eg.landscape.evaluate_points(model, X, y, job["center"], D, coords)
        dt = time.perf_counter() - t0
        flat[p0:p1] = loss
        job["done"] = p1
        job["seconds"] += dt
        chunks += 1
        size = max(MIN_CHUNK, int(CHUNK_SECONDS * (p1 - p0) / max(dt, 1e-6)))
        if p1 < total:  # an element call: where a click stops this run
            bar.progress(_fraction(job), text=tr("ls.progress.grid", done=f"{p1:,}",
                                                 total=f"{total:,}"))
    curve = ls["lines"].get(job["line_key"])
    if curve is None:
        bar.progress(_fraction(job), text=tr("ls.progress.line"))
        t0 = time.perf_counter()
        curve = eg.landscape.line(model, X, y, trainer.initial_params, job["center"],
                                  LINE_POINTS, *LINE_RANGE)
        job["seconds"] += time.perf_counter() - t0
        _remember(ls["lines"], job["line_key"], curve)
    result = Landscape(key=job["key"], spec=job["spec"], center=job["center"], d1=job["d1"],
                       d2=job["d2"], surface=eg.landscape.Surface(a, b, job["loss"]),
                       info=job["info"], step=job["step"], seconds=job["seconds"],
                       owner=job["owner"], curve=curve)
    _remember(ls["cache"], result.key, result)
    ls["shown"] = result.key
    ls["job"] = None
    ph.empty()


def _fraction(job: dict) -> float:
    res = job["spec"][2]
    return min(1.0, job["done"] / (res * res)) if job.get("loss") is not None else 0.0


# -- sharpness ----------------------------------------------------------------------------------
def _detach(trainer: eg.Trainer, name: str) -> None:
    """Stop a trainer callback (the engine has ``add_callback`` but no public removal yet)."""
    remove = getattr(trainer, "remove_callback", None)
    if callable(remove):
        try:
            remove(name)
        except (KeyError, ValueError):
            pass
        return
    callbacks = getattr(trainer, "_callbacks", None)
    if isinstance(callbacks, list):
        callbacks[:] = [cb for cb in callbacks if cb[0] != name]


def _sync_tracker(ls: dict, sess: dict) -> None:
    """Attach a SharpnessTracker to the session's trainer while the toggle is on."""
    trainer: eg.Trainer = sess["trainer"]
    settings = ls["settings"]
    cur = ls.get("tracker")
    if not settings["sharp"]:
        if cur is not None:
            _detach(cur["trainer"], SHARPNESS)
            ls["tracker"] = None
        return
    every = int(settings["every"])
    if cur is not None and cur["trainer"] is trainer and cur["every"] == every:
        return
    if cur is not None:
        _detach(cur["trainer"], SHARPNESS)
    _detach(trainer, SHARPNESS)
    n = min(SHARP_SAMPLES, trainer.X.shape[0])
    tracker = eg.curvature.SharpnessTracker(trainer.X[:n].copy(), trainer.y[:n].copy(),
                                            every=every)
    tracker.attach(trainer, SHARPNESS)
    series = trainer.history.extra[SHARPNESS]
    if series.last_step() != trainer.step_count:  # so the curve starts now, not N steps on
        series.add(trainer.step_count, tracker(trainer))
    ls["tracker"] = {"trainer": trainer, "every": every, "tracker": tracker}


def _threshold(optimizer, tr: Translator) -> tuple[float | None, str | None]:
    """The stability line and its legend name, or (None, None) for adaptive optimizers."""
    try:
        value = eg.curvature.stability_threshold(optimizer)
    except (TypeError, ValueError):
        return None, None
    if getattr(optimizer, "nesterov", False):
        key = "chart.ls.threshold_nesterov"
    elif getattr(optimizer, "momentum", 0.0):
        key = "chart.ls.threshold_momentum"
    else:
        key = "chart.ls.threshold"
    return value, tr(key, value=f"{value:.4g}")


# -- drawing -----------------------------------------------------------------------------------
def _live(ls: dict, sess: dict, tr: Translator) -> None:
    trainer: eg.Trainer = sess["trainer"]
    exp = sess["exp"]
    settings = ls["settings"]
    if settings["follow"] and not trainer.diverged and ls["job"] is None:
        trainer.run(FRAME_BUDGET, max_steps=exp.steps_per_frame)
    model = trainer.model
    result: Landscape | None = ls["cache"].get(ls["shown"])
    if not _fits(result, sess) or result.spec != _spec(settings):
        result = None
    log = bool(settings["log"])
    path_len, cur = 0, None
    if result is not None:
        path, steps = _project_path(ls, result, trainer)
        cur = eg.landscape.project(model.params, result.center, result.d1, result.d2)
        path_len = path.shape[0]
        labels = charts.axis_labels(result.kind, tr=tr, **_label_info(result))
        common = {"tr": tr, "labels": labels, "path": path, "steps": steps, "current": cur,
                  "log": log}
        figs = {}
        if settings["view"] in ("contour", "both"):
            figs["contour"] = charts.contour(result.surface, uirevision=f"ls-contour-"
                                             f"{'-'.join(map(str, result.key))}", **common)
        if settings["view"] in ("surface", "both"):
            figs["surface"] = charts.surface3d(result.surface, uirevision=f"ls-surface-"
                                               f"{result.kind}", **common)
        live_charts(figs, key="ls-plane", height=480, columns=len(figs))
        st.caption(_plane_caption(result, trainer, tr))
    extra = {}
    curve = result.curve if result is not None else None
    if curve is not None:
        extra["line"] = charts.interpolation(curve.alphas, curve.loss, tr=tr, log=log)
    if settings["sharp"] and SHARPNESS in trainer.history.extra:
        s = trainer.history.extra[SHARPNESS]
        thr, thr_label = _threshold(model.optimizer, tr)
        h = trainer.history
        extra["sharpness"] = charts.sharpness_chart(
            s.steps, s.values, tr=tr, threshold=thr, threshold_label=thr_label,
            loss_steps=h.train_loss.steps, loss_values=h.train_loss.values)
    if extra:
        live_charts(extra, key="ls-extra", height=340, columns=len(extra))
    if settings["sharp"]:
        _sharpness_notes(trainer, int(settings["every"]), tr)
    m = trainer.metrics()
    a, b = (float(cur[0]), float(cur[1])) if cur is not None else (math.nan, math.nan)
    with st.container(key="ls_readout"):
        st.markdown(
            f'<span class="pg-landscape" data-step="{m["step"]}" data-path="{path_len}" '
            f'data-kind="{result.kind if result else ""}" '
            f'data-shown="{int(result is not None)}" data-a="{a:.6g}" data-b="{b:.6g}" '
            f'data-sharpness="{len(trainer.history.extra.get(SHARPNESS, ()))}"></span>',
            unsafe_allow_html=True)


def _project_path(ls: dict, result: Landscape, trainer: eg.Trainer) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """The saved snapshots in the plane, (T, 2) and their steps (T,).

    Each snapshot is projected once per landscape and remembered by step, so a frame while
    following training projects only the new ones instead of stacking the whole (T, n_params)
    trajectory again. The memo is tied to the snapshot Series (a trainer reset makes a new one).
    """
    snaps = trainer.history.snapshots
    memo = ls.get("proj")
    if memo is None or memo["series"] is not snaps or memo["key"] != result.key:
        memo = ls["proj"] = {"series": snaps, "key": result.key, "coords": {}}
    coords: dict = memo["coords"]
    steps, values = snaps.steps, snaps.values
    new = [i for i, s in enumerate(steps) if s not in coords]
    if new:
        xy = eg.landscape.project(np.stack([values[i] for i in new]), result.center,
                                  result.d1, result.d2)
        for i, p in zip(new, xy, strict=True):
            coords[steps[i]] = p
        if len(coords) > 2 * len(steps):  # the Series thinned itself: forget dropped steps
            keep = set(steps)
            memo["coords"] = coords = {s: v for s, v in coords.items() if s in keep}
    path = np.array([coords[s] for s in steps]).reshape(-1, 2)
    return path, np.asarray(steps, dtype=np.int64)


def _label_info(result: Landscape) -> dict:
    if result.kind == "pca":
        return {"ratio": result.info.get("ratio")}
    if result.kind == "hessian":
        return {"eigenvalues": result.info.get("eigenvalues")}
    return {}


def _plane_caption(result: Landscape, trainer: eg.Trainer, tr: Translator) -> str:
    res = result.spec[2]
    parts = [tr("ls.computed", res=res, points=f"{res * res:,}", step=result.step,
                seconds=f"{result.seconds:.2f}")]
    if result.kind == "random":
        parts.append(tr("ls.note.random"))
    elif result.kind == "pca":
        r = result.info.get("ratio") or [0.0, 0.0]
        parts.append(tr("ls.note.pca", pct=f"{100.0 * (r[0] + r[1]):.1f}"))
    else:
        w = result.info.get("eigenvalues") or [math.nan, math.nan]
        parts.append(tr("ls.note.hessian", l1=f"{w[0]:.4g}", l2=f"{w[1]:.4g}"))
    if trainer.step_count != result.step:
        parts.append(tr("ls.note.moved", step=trainer.step_count))
    return " ".join(parts)


def _sharpness_notes(trainer: eg.Trainer, every: int, tr: Translator) -> None:
    opt = trainer.model.optimizer
    thr, _ = _threshold(opt, tr)
    n = min(SHARP_SAMPLES, trainer.X.shape[0])
    notes = [tr("ls.sharp.subset", n=n, every=every)]
    if thr is None:
        notes.append(tr("ls.sharp.adaptive", name=type(opt).__name__))
    elif trainer.batch_size < trainer.X.shape[0]:
        notes.append(tr("ls.sharp.minibatch", batch=trainer.batch_size))
    st.caption(" ".join(notes))


# -- page -------------------------------------------------------------------------------------
def render() -> None:
    tr = Translator(st.session_state.get("lang", "en"))
    sess = network._session(tr)
    ls = _state()
    st.title(tr("ls.title"))
    st.caption(tr("ls.intro"))
    recompute = _controls(ls, tr)
    trainer: eg.Trainer = sess["trainer"]
    if trainer.diverged:
        st.warning(tr("ls.diverged"))
    _sync_tracker(ls, sess)
    try:
        _plan(ls, sess, recompute)
        if ls["job"] is not None:
            _run_job(ls, sess, tr)
    except (ValueError, RuntimeError, np.linalg.LinAlgError) as err:  # engine says what
        if ls["job"] is not None:
            ls["declined"] = ls["job"]["spec"]
        ls["job"] = None
        ls["notice"] = ("error", "ls.failed", str(err))
    notice = ls.get("notice")
    if notice:
        kind, key, *reason = notice
        text = tr(key, reason=reason[0] if reason else "")
        {"info": st.info, "warning": st.warning, "error": st.error}[kind](text)
        shown = ls["cache"].get(ls["shown"])
        if _fits(shown, sess) and shown.spec == _spec(ls["settings"]):
            ls["notice"] = None
    if ls["job"] is not None:
        return  # half done (a test stopped it); the next run carries on
    follow = ls["settings"]["follow"] and not trainer.diverged
    live_fragment(_live, ls, sess, tr, playing=follow, base=FRAME_INTERVAL)
