"""Loss-surface slices of a network (Li, Xu, Taylor, Studer, Goldstein, NeurIPS 2018).

A landscape point is ``θ = center + a·d1 + b·d2``. This module chooses the directions
(filter-normalised random, PCA of a training trajectory, top Hessian eigenvectors), evaluates
the loss over a grid of (a, b) or along a line, and projects trajectories into the plane.

Speed: evaluating a grid point is a full pass over the data (2,601 passes for 51×51), so for
models made of Dense, Flatten and Dropout layers many points share one pass. The first Dense
layer's input X is the same for every point, and z is linear in θ, so
``X (W + a D1 + b D2) = XW + a·XD1 + b·XD2``: three products for the whole grid, not one per
point. Deeper layers stack P perturbed kernels ``W_p = W + a_p D1 + b_p D2`` along a batch axis
and use one batched matmul ``(P, n, fan_in) @ (P, fan_in, units)`` (or, for mid-sized layers,
one GEMM of the stacked activations against ``[W | D1 | D2]``, see ``_STACKED_GEMM``). P is
chunked to bound memory, and the work buffers are reused across chunks. Other layer types
fall back to one forward pass per point. Measured (benchmarks/bench_landscape.py, 2 cores):
51×51 on the default 2-8-8-1 net ~0.05 s (≈3× the naive loop, which is bound by the same
tanh evaluations); 25×25 on a 784-128-10 net with 1,000 samples ~1 s (≈9× the loop).

Values: the loss is the model's own (mean over X, dropout off) and by default includes the
model's L1/L2 penalty, exactly as ``model.evaluate`` and ``model.loss_and_grad`` report it
(``include_penalty=False`` gives the data loss alone). Grids are computed in the model's dtype
and agree with ``loss_and_grad`` at the same θ to rounding (≈1e-14 in float64).
``model.params`` is never changed (the fallback path restores it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import special

from engine import losses as losses_mod
from engine import metrics as metrics_mod
from engine.curvature import DenseStack, dense_stack, kernel_slices, top_eigenvalues
from engine.params import flat_vector

NORMALIZATIONS = ("filter", "layer", "none")
# Points per vectorised pass: as many as keep the work arrays near cache size (~4 MB in
# float64), but at least 32 so that BLAS calls stay few (a threaded call has a fixed
# synchronisation cost), unless that would exceed ~128 MB. Measured on 2 cores: the default
# net takes ~2.5× less CPU at 32-64 points per pass than at 128-256; the 784-128-10 net is
# ~3× faster at 32 than at 1-2.
_CACHE_ELEMS = 1 << 19
_MAX_ELEMS = 1 << 24
_MIN_CHUNK = 32


# -- results -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Surface:
    """A 2-D slice: ``loss[i, j] = L(center + a[j]·d1 + b[i]·d2)``.

    ``a`` (R,) runs along the columns and ``b`` (R,) along the rows, i.e. the layout of
    ``np.meshgrid(a, b)`` and of a plotly heatmap/surface ``z``. ``metric`` (R, R) holds the
    named metric (e.g. accuracy) at the same points, or None. Unpacks as ``a, b, loss``.
    """

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    metric: np.ndarray | None = None
    metric_name: str | None = None

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.a, self.b, self.loss))


@dataclass(frozen=True)
class Curve:
    """A 1-D slice: ``loss[i] = L((1 − alphas[i])·θa + alphas[i]·θb)``; unpacks as
    ``alphas, loss``."""

    alphas: np.ndarray
    loss: np.ndarray
    metric: np.ndarray | None = None
    metric_name: str | None = None

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.alphas, self.loss))


# -- argument checks ---------------------------------------------------------------------
def _trajectory(trajectory, label: str = "trajectory") -> np.ndarray:
    T = np.asarray(trajectory, dtype=np.float64)
    if T.ndim != 2 or T.shape[0] == 0 or T.shape[1] == 0:
        raise ValueError(f"{label} must be a non-empty array of snapshots, shape "
                         f"(T, n_params), got shape {T.shape}")
    if not np.all(np.isfinite(T)):
        raise ValueError(f"{label} contains NaN or infinite values")
    return T


def _positive_int(v, label: str, minimum: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum:
        raise ValueError(f"{label} must be an integer >= {minimum}, got {v!r}")
    return int(v)


def _require_model(model) -> None:
    if not getattr(model, "built", False) or model.loss is None:
        raise RuntimeError("the model must be built and compiled (model.compile(loss=...)) "
                           "before computing its loss landscape")
    if model.n_params == 0:
        raise ValueError("the model has no parameters, so it has no loss landscape")


# -- directions --------------------------------------------------------------------------
def normalize_direction(direction: np.ndarray, params: np.ndarray, param_spec,
                        normalization: str = "filter", ignore_biases: bool = True) -> np.ndarray:
    """Rescale a raw direction tensor by tensor to the scale of ``params`` (Li et al. §4).

    For tensors with ndim > 1 (kernels; last axis = output filter):
    "filter": every filter f gets ``δ_f ← δ_f·‖θ_f‖/(‖δ_f‖ + 1e-10)``;
    "layer": the whole tensor gets ``δ ← δ·‖θ‖/(‖δ‖ + 1e-10)``; "none": δ unchanged.
    1-D tensors (biases) are set to zero when ``ignore_biases`` (as in every published figure);
    otherwise "filter" and "layer" treat the vector as one filter and "none" keeps it.
    Returns a new flat vector.
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    d = np.array(direction, dtype=np.float64)
    theta = np.asarray(params, dtype=np.float64)
    if d.shape != theta.shape:
        raise ValueError(f"direction has shape {d.shape}, params {theta.shape}; they must match")
    for s in param_spec:
        if len(s.shape) <= 1 and ignore_biases:
            d[s.slice] = 0.0
            continue
        if normalization == "none":
            continue
        filters = s.shape[-1] if (len(s.shape) > 1 and normalization == "filter") else 1
        dt = d[s.slice].reshape(-1, filters)   # a view: columns are filters
        tt = theta[s.slice].reshape(-1, filters)
        dt *= np.linalg.norm(tt, axis=0) / (np.linalg.norm(dt, axis=0) + 1e-10)
    return d


def random_directions(model, seed: int = 0, normalization: str = "filter",
                      ignore_biases: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Two random directions (n_params,) each, normalised against ``model.params``.

    δ ~ N(0, I) per parameter, d1 from the stream ``[seed, 0]`` and d2 from ``[seed, 1]``, then
    :func:`normalize_direction` (filter normalisation and zero biases by default).
    Random directions in high dimension are nearly orthogonal; they are not orthogonalised.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not getattr(model, "built", False) or model.n_params == 0:
        raise ValueError("the model must be built and have parameters to draw directions")
    n = model.n_params
    out = []
    for stream in (0, 1):
        raw = np.random.default_rng([int(seed), stream]).standard_normal(n)
        out.append(normalize_direction(raw, model.params, model.param_spec, normalization,
                                       ignore_biases))
    return out[0], out[1]


def pca_directions(trajectory, centered: bool = True) -> tuple[np.ndarray, np.ndarray,
                                                               np.ndarray]:
    """The two leading principal directions of ``θ_i − θ_final`` over saved snapshots.

    trajectory (T, n) -> (d1, d2, explained_variance_ratio (2,)), d1 ⟂ d2 of unit norm.
    θ_final is the last row. ``centered`` subtracts the column mean first, as the paper's
    code (sklearn's PCA) does; the ratio is σᵢ²/Σσ² of the SVD of that matrix, so it sums to
    ≤ 1. A trajectory confined to a plane through θ_final is recovered exactly. Each direction
    is signed so its largest-magnitude entry is positive. With fewer than 3 distinct
    snapshots the second direction is an arbitrary unit vector ⟂ d1 with ratio 0.
    """
    T = _trajectory(trajectory)
    if T.shape[1] < 2:
        raise ValueError(f"PCA directions need at least 2 parameters, got {T.shape[1]}")
    M = T - T[-1]
    if centered:
        M -= M.mean(axis=0)
    _, s, Vt = np.linalg.svd(M, full_matrices=False)
    total = float(np.sum(s * s))
    ratio = np.zeros(2)
    k = min(2, s.size)
    if total > 0:
        ratio[:k] = (s[:k] ** 2) / total
    dirs = [Vt[i] for i in range(k)]
    if total == 0:
        dirs = [np.eye(1, T.shape[1], 0)[0]]
    if len(dirs) < 2 or ratio[1] == 0.0:
        dirs = [dirs[0], _orthogonal_unit(dirs[0])]
    D = np.stack(dirs, axis=1)
    idx = np.argmax(np.abs(D), axis=0)
    D = D * np.where(D[idx, [0, 1]] < 0, -1.0, 1.0)
    return D[:, 0].copy(), D[:, 1].copy(), ratio


def _orthogonal_unit(d: np.ndarray) -> np.ndarray:
    """A unit vector ⟂ d (Gram-Schmidt on the coordinate axis least aligned with d)."""
    e = np.zeros_like(d)
    e[int(np.argmin(np.abs(d)))] = 1.0
    e -= (e @ d) / (d @ d) * d
    return e / np.linalg.norm(e)


def hessian_directions(model, X, y, params: np.ndarray | None = None,
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The top-2 Hessian eigenvectors (unit norm) and their eigenvalues (2,), largest first.

    Along d1 the loss curves most steeply upward; a grid over them shows the sharpest section.
    Computed at ``params`` (default: the model's) with :func:`engine.curvature.top_eigenvalues`.
    """
    _require_model(model)
    if model.n_params < 2:
        raise ValueError(f"two directions need at least 2 parameters, got {model.n_params}")
    w, V = top_eigenvalues(model, X, y, k=2, return_vectors=True, params=params)
    return V[:, 0].copy(), V[:, 1].copy(), w


# -- evaluation --------------------------------------------------------------------------
def evaluate_points(model, X, y, center, directions, coords, metric: str | None = None, *,
                    include_penalty: bool = True, chunk_size: int | None = None,
                    ) -> tuple[np.ndarray, np.ndarray | None]:
    """Loss (and a metric) at ``θ_p = center + Σ_j coords[p, j]·directions[j]``.

    center (n,), directions (m, n), coords (P, m) -> (loss (P,), metric (P,) or None).
    ``chunk_size`` is the number of points per vectorised forward pass (default: near cache
    size, at least 32 within ~128 MB). See the module docstring for how points share a pass.
    """
    _require_model(model)
    n = model.n_params
    c = flat_vector(center, n, "center")
    D = np.asarray(directions, dtype=np.float64)
    if D.ndim != 2 or D.shape[1] != n:
        raise ValueError(f"directions must have shape (m, {n}), got {D.shape}")
    if not np.all(np.isfinite(D)):
        raise ValueError("directions contain NaN or infinite values")
    C = np.asarray(coords, dtype=np.float64)
    if C.ndim != 2 or C.shape[1] != D.shape[0]:
        raise ValueError(f"coords must have shape (P, {D.shape[0]}), got {C.shape}")
    metric_fn = None
    if metric is not None:
        metric_fn = metrics_mod.get(metric)[1]
    if chunk_size is not None:
        chunk_size = _positive_int(chunk_size, "chunk_size", 1)
    Xp = model._prepare_x(X)
    yp = model._prepare_y(y, Xp.shape[0])
    if C.shape[0] == 0:
        return np.zeros(0), (np.zeros(0) if metric_fn else None)
    stack = dense_stack(model)
    if stack is None:
        loss, met = _loop(model, Xp, yp, c, D, C, metric_fn)
    else:
        loss, met = _vectorised(model, stack, Xp, yp, c, D, C, metric_fn, chunk_size)
    if include_penalty and (model.l1 or model.l2):
        loss = loss + _penalties(model, c, D, C)
    return loss, met


def _loop(model, X, y, c, D, C, metric_fn):
    """One forward pass per point (layers the vectorised path does not know)."""
    saved = model.params.copy()
    loss = np.empty(C.shape[0])
    met = np.empty(C.shape[0]) if metric_fn else None
    fused = bool(model._fused)
    try:
        for p in range(C.shape[0]):
            np.copyto(model.params, c + C[p] @ D, casting="same_kind")
            out = model._forward(X, False)
            loss[p] = (model.loss.value_from_logits(out, y) if fused else model.loss(out, y))
            if metric_fn:
                met[p] = metric_fn(model._output(out), y)
    finally:
        np.copyto(model.params, saved)
    return loss, met


def _vectorised(model, stack: DenseStack, X, y, c, D, C, metric_fn, chunk_size):
    dt = model.dtype
    ops = stack.ops
    x = X.reshape(X.shape[0], -1) if stack.flatten_input else X
    n = x.shape[0]
    # θ_p = Σ_j Ce[p, j]·basis_j with basis = (center, d1, ..., dm) and Ce = [1, C]: every
    # per-point combination below is one einsum (a single pass, no BLAS threading).
    basis = np.vstack([c[None, :], D]).astype(dt)
    Ce = np.hstack([np.ones((C.shape[0], 1)), C]).astype(dt)
    if chunk_size is None:
        per_point = n * max(op.units for op in ops) * (basis.shape[0] + 1)
        chunk_size = max(_CACHE_ELEMS // per_point, min(_MIN_CHUNK, _MAX_ELEMS // per_point), 1)
    P = C.shape[0]
    chunk_size = min(chunk_size, P)
    layers = [_ManyDense(op, basis, n, chunk_size, x if i == 0 else None)
              for i, op in enumerate(ops)]
    loss = np.empty(P)
    met = np.empty(P) if metric_fn else None
    for start in range(0, P, chunk_size):
        cc = Ce[start:start + chunk_size]
        h = None
        for layer in layers:
            h = layer(h, cc)
        sl = slice(start, start + cc.shape[0])
        loss[sl] = batched_loss(model.loss, h, y, fused=not ops[-1].apply)
        if metric_fn:
            probs = h if ops[-1].apply else _activate(ops[-1], h)
            met[sl] = [metric_fn(probs[i], y) for i in range(cc.shape[0])]
    return loss, met


# Per-point products n·fan_in·units in this range go through one stacked GEMM per chunk
# instead of one GEMM per point: OpenBLAS runs such products multithreaded, and hundreds of
# separate threaded calls cost more in synchronisation than the stacked form's (m+1)× FLOPs.
# Measured on 2 busy cores, 784-128-10 grid: 0.95 s stacked vs 1.95 s per point with default
# threading (with OPENBLAS_NUM_THREADS=1 per point wins, 0.29 vs 0.41 s). Tiny products run
# single-threaded and large ones are compute-bound, so both stay per point.
_STACKED_GEMM = (1 << 18, 1 << 24)


class _ManyDense:
    """One Dense layer at k points at once: h (k, n, K) -> f(h_p W_p + b_p) (k, n, u).

    W_p = Σ_j cc[p, j] W_j over the layer's slices of (center, d1, ..., dm). Work buffers are
    allocated once per call of ``evaluate_points`` and reused by every chunk: fresh multi-MB
    arrays per chunk cost page faults that, measured, made the default grid 2.5× slower.
    """

    def __init__(self, op, basis: np.ndarray, n: int, chunk: int, x: np.ndarray | None):
        self.op = op
        terms = basis.shape[0]
        K, u = op.fan_in, op.units
        W = basis[:, op.w].reshape(terms, K, u)
        b = None if op.b is None else basis[:, op.b]         # (m+1, u)
        dt = basis.dtype
        self.z = np.empty((chunk, n, u), dt)
        self.a = np.empty_like(self.z) if op.apply else self.z
        self.mode = "first" if x is not None else (
            "stacked" if _STACKED_GEMM[0] < n * K * u < _STACKED_GEMM[1] else "batched")
        self.b = b
        if self.mode == "first":
            # X W_p + b_p = Σ_j cc[p, j]·(X W_j + b_j): X W_j once for every point
            self.G = np.matmul(x, W)                          # (m+1, n, u)
            if b is not None:
                self.G += b[:, None, :]
        elif self.mode == "stacked":
            self.Wcat = W.transpose(1, 0, 2).reshape(K, terms * u)  # [W_0 | ... | W_m]
            self.G = np.empty((chunk * n, terms * u), dt)
        else:
            self.W = W
            self.Wp = np.empty((chunk, K, u), dt)

    def __call__(self, h: np.ndarray | None, cc: np.ndarray) -> np.ndarray:
        k = cc.shape[0]
        z = self.z[:k]
        if self.mode == "first":
            np.einsum("pj,jnu->pnu", cc, self.G, out=z)
        elif self.mode == "stacked":
            n, K = h.shape[1], h.shape[2]
            G = self.G[:k * n]
            np.matmul(h.reshape(k * n, K), self.Wcat, out=G)
            G = G.reshape(k, n, cc.shape[1], -1)
            if self.b is not None:
                G += self.b
            np.einsum("pj,pnju->pnu", cc, G, out=z)
        else:
            Wp = np.einsum("pj,jku->pku", cc, self.W, out=self.Wp[:k])
            np.matmul(h, Wp, out=z)
            if self.b is not None:
                z += (cc @ self.b)[:, None, :]
        if not self.op.apply:
            return z
        # into a separate buffer: GELU, ELU and Swish read z after writing their output
        a = self.a[:k]
        self.op.activation.forward(z.reshape(-1, z.shape[-1]), a.reshape(-1, z.shape[-1]))
        return a


def _activate(op, z: np.ndarray) -> np.ndarray:
    """The layer's activation over (k, n, units), as one (k·n, units) array, into a new one."""
    flat = z.reshape(-1, z.shape[-1])
    return op.activation.forward(flat, np.empty_like(flat)).reshape(z.shape)


def batched_loss(loss: losses_mod.Loss, out: np.ndarray, y: np.ndarray,
                 fused: bool) -> np.ndarray:
    """The loss of each of P outputs at once: out (P, n, k) (logits if ``fused``) -> (P,).

    Same formulas as engine.losses (mean reduction, Keras' clipping on unfused paths); an
    unknown loss is called once per point.
    """
    t = type(loss)
    P, n = out.shape[0], out.shape[1]
    size = out[0].size
    eps = losses_mod.EPSILON
    if t is losses_mod.MeanSquaredError:
        d = out - y
        return np.einsum("pij,pij->p", d, d) / size
    if t is losses_mod.BinaryCrossentropy:
        if fused:  # mean(softplus(z) − y z); softplus(z) = max(z, 0) + log1p(e^−|z|) is the
            # engine's z − log σ(z) to an ulp and ~6× faster than scipy's log_expit
            sp = np.exp(-np.abs(out))
            np.log1p(sp, out=sp)
            sp += np.maximum(out, 0.0)
            return (sp.reshape(P, -1).sum(axis=1) - np.einsum("ij,pij->p", y, out)) / size
        p = np.clip(out, eps, 1.0 - eps)
        terms = y * np.log(p) + (1.0 - y) * np.log1p(-p)
        return -terms.reshape(P, -1).sum(axis=1) / size
    if t in (losses_mod.CategoricalCrossentropy, losses_mod.SparseCategoricalCrossentropy):
        logp = special.log_softmax(out, axis=-1) if fused else np.log(np.clip(out, eps, 1.0))
        if t is losses_mod.SparseCategoricalCrossentropy:
            ids = y.reshape(-1).astype(np.intp)
            return -logp[:, np.arange(n), ids].sum(axis=1) / n
        return -np.einsum("ij,pij->p", y, logp) / n
    if fused:
        return np.array([loss.value_from_logits(np.ascontiguousarray(o), y) for o in out])
    return np.array([loss(np.ascontiguousarray(o), y) for o in out])


def _penalties(model, c, D, C) -> np.ndarray:
    """l1 Σ|W| + l2 Σ W² over kernels at every point, in chunks (P,)."""
    total = np.zeros(C.shape[0])
    for sl in kernel_slices(model):
        size = sl.stop - sl.start
        step = max(1, _MAX_ELEMS // size)
        for start in range(0, C.shape[0], step):
            w = c[sl] + C[start:start + step] @ D[:, sl]
            part = np.zeros(w.shape[0])
            if model.l2:
                part += model.l2 * np.einsum("pi,pi->p", w, w)
            if model.l1:
                part += model.l1 * np.abs(w).sum(axis=1)
            total[start:start + step] += part
    return total


def grid(model, X, y, center=None, d1=None, d2=None, span: float = 1.0, resolution: int = 51,
         metric: str | None = None, *, include_penalty: bool = True,
         chunk_size: int | None = None) -> Surface:
    """The loss over ``center + a·d1 + b·d2`` for a, b on ``linspace(−span, span, resolution)``.

    Returns a :class:`Surface` (unpacks as ``a, b, loss``): a, b (R,) 1-D coordinates and
    ``loss[i, j]`` (R, R) at (a[j], b[i]); ``metric="accuracy"`` (any name from
    ``engine.metrics``) also fills ``surface.metric``. ``center`` defaults to model.params;
    d1, d2 default to :func:`random_directions` (seed 0). The loss includes the model's L1/L2
    penalty unless ``include_penalty=False``. ``model.params`` is left unchanged.
    """
    _require_model(model)
    n = model.n_params
    center = model.params if center is None else center
    if d1 is None or d2 is None:
        r1, r2 = random_directions(model)
        d1 = r1 if d1 is None else d1
        d2 = r2 if d2 is None else d2
    c = flat_vector(center, n, "center")
    D = np.stack([flat_vector(d1, n, "d1"), flat_vector(d2, n, "d2")])
    if isinstance(span, bool) or not isinstance(span, (int, float, np.floating)) \
            or not np.isfinite(span) or span <= 0:
        raise ValueError(f"span must be a finite number > 0, got {span!r}")
    R = _positive_int(resolution, "resolution", 2)
    axis = np.linspace(-float(span), float(span), R)
    A, B = np.meshgrid(axis, axis)
    coords = np.column_stack([A.ravel(), B.ravel()])
    loss, met = evaluate_points(model, X, y, c, D, coords, metric,
                                include_penalty=include_penalty, chunk_size=chunk_size)
    return Surface(axis, axis.copy(), loss.reshape(R, R),
                   None if met is None else met.reshape(R, R),
                   None if metric is None else metrics_mod.get(metric)[0])


def line(model, X, y, theta_a, theta_b, points: int = 401, lo: float = -0.5, hi: float = 1.5,
         metric: str | None = None, *, include_penalty: bool = True) -> Curve:
    """The loss along ``(1 − α)·θa + α·θb`` for α on ``linspace(lo, hi, points)``.

    Returns a :class:`Curve` (unpacks as ``alphas, loss``), penalty included by default.
    """
    _require_model(model)
    n = model.n_params
    a = flat_vector(theta_a, n, "theta_a")
    b = flat_vector(theta_b, n, "theta_b")
    k = _positive_int(points, "points", 2)
    for label, v in (("lo", lo), ("hi", hi)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) \
                or not np.isfinite(v):
            raise ValueError(f"{label} must be a finite number, got {v!r}")
    if not lo < hi:
        raise ValueError(f"lo must be < hi, got lo={lo!r}, hi={hi!r}")
    alphas = np.linspace(float(lo), float(hi), k)
    loss, met = evaluate_points(model, X, y, a, (b - a)[None, :], alphas[:, None], metric,
                                include_penalty=include_penalty)
    return Curve(alphas, loss, met, None if metric is None else metrics_mod.get(metric)[0])


def project(trajectory, center, d1, d2) -> np.ndarray:
    """Coordinates (T, 2) of each snapshot in the plane ``center + a·d1 + b·d2``.

    Least squares ``min ‖[d1 d2]·(a, b) − (θ_i − center)‖``, which is the orthogonal
    projection when d1 ⟂ d2 and still right when they are not; a 1-D θ gives shape (2,).
    """
    T = np.asarray(trajectory, dtype=np.float64)
    single = T.ndim == 1
    T = _trajectory(T[None, :] if single else T)
    n = T.shape[1]
    c = flat_vector(center, n, "center")
    D = np.column_stack([flat_vector(d1, n, "d1"), flat_vector(d2, n, "d2")])
    coef, _, rank, _ = np.linalg.lstsq(D, (T - c).T, rcond=None)
    if rank < 2:
        raise ValueError("d1 and d2 are parallel (or zero), so they do not span a plane")
    out = coef.T
    return out[0] if single else out
