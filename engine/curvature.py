"""Curvature of a network's loss: Hessian-vector products, the top of the spectrum, sharpness.

Hessian-vector products are exact: Pearlmutter's R-operator (Neural Computation, 1994) pushes
a tangent ``v`` through the forward pass of the Dense stack and differentiates the backward pass
along it (R{·} is the directional derivative d/dε at θ + εv):

    forward    R{z} = R{x} W + x V_W + V_b           R{a} = f'(z) ⊙ R{z}
    loss       R{∂L/∂out} = ∇²ℓ(out) R{out}
    backward   R{dz} = f''(z) ⊙ R{z} ⊙ da + f'(z) ⊙ R{da}
               (Hv)_W = R{x}ᵀ dz + xᵀ R{dz}   (Hv)_b = Σₙ R{dz}   R{dx} = R{dz} Wᵀ + dz V_Wᵀ

(softmax layers use their Jacobian instead of f'). A product costs about two gradient
evaluations, and many vectors go through at once along a leading axis, so the explicit Hessian
of a small network is a single batched pass. The L2 penalty adds ``2·l2·v`` on kernels; the L1
penalty is piecewise linear and adds nothing (almost everywhere).

Models with layers other than Dense, Flatten and Dropout, or with an activation or loss this
module does not know, fall back to central differences of the gradient,
``Hv ≈ ‖v‖ (g(θ + h u) − g(θ − h u)) / 2h`` with ``u = v/‖v‖`` and
``h = ε^(1/3)·max(1, ‖θ‖_rms)``: the truncation (∝ h²) and rounding (∝ ε/h) errors balance
there; ``tests/engine/test_curvature.py`` measures it at about 1e-10 relative on small nets.

Everything is evaluated in float64 with dropout off (``training=False``), whatever the model's
dtype, and never changes ``model.params`` or ``model.grads``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special
from scipy.sparse.linalg import LinearOperator, eigsh

from engine import activations as acts
from engine import losses as losses_mod
from engine.layers.dense import Dense
from engine.layers.dropout import Dropout
from engine.layers.reshape import Flatten
from engine.params import flat_vector

# Up to this many parameters top_eigenvalues(method="auto") diagonalises the explicit Hessian
# (exact, and cheaper than Lanczos' ~20-40 products there). Beyond it Lanczos wins: on the
# default 2-8-8-1 net (105 parameters, 500 points) ~3 ms Lanczos vs ~30 ms dense.
DENSE_BELOW = 32
# Work-array budget (elements) for batched R-passes, bounding memory of the explicit Hessian.
_BUDGET = 1 << 22


# -- the Dense stack: the layer structure both this module and landscape.py compute with -----
@dataclass(frozen=True)
class DenseOp:
    """One Dense layer as slices of the flat vector: z = x W + b, a = f(z)."""

    w: slice
    b: slice | None
    fan_in: int
    units: int
    activation: acts.Activation
    apply: bool  # False for a fused output layer: its logits go straight to the loss


@dataclass(frozen=True)
class DenseStack:
    """A model whose layers are all Dense, Flatten or Dropout (identity at inference)."""

    ops: tuple[DenseOp, ...]
    flatten_input: bool  # inputs are reshaped to (n, features) before the first Dense


def dense_stack(model) -> DenseStack | None:
    """The model as a DenseStack, or None if it has a layer of any other type."""
    specs = {(s.layer, s.name): s for s in model.param_spec}
    ops: list[DenseOp] = []
    flatten = False
    last = model.layers[-1]
    for layer in model.layers:
        kind = type(layer)
        if kind is Flatten:
            flatten = flatten or not ops
        elif kind is Dropout:
            continue
        elif kind is Dense:
            w = specs[(layer.name, "W")]
            b = specs.get((layer.name, "b")) if layer.use_bias else None
            fused = layer is last and bool(model._fused)
            ops.append(DenseOp(w.slice, None if b is None else b.slice, w.shape[0], w.shape[1],
                               layer.activation, not fused))
        else:
            return None
    return DenseStack(tuple(ops), flatten) if ops else None


def kernel_slices(model) -> list[slice]:
    """Slices of every tensor with more than one dimension (what L1/L2 penalise)."""
    return [s.slice for s in model.param_spec if len(s.shape) > 1]


# -- second derivatives of activations and losses -------------------------------------------
def _slopes(act: acts.Activation, z: np.ndarray, a: np.ndarray):
    """(f'(z), f''(z)) of an elementwise activation (arrays or 0-d), or None if unknown.

    f' is taken exactly as the engine's backward computes it, so that the Hessian is the
    derivative of the engine's own gradient (e.g. ReLU uses a > 0, ELU uses a + α).
    """
    t = type(act)
    if t is acts.Linear:
        return np.float64(1.0), np.float64(0.0)
    if t is acts.ReLU:
        return (a > 0.0).astype(np.float64), np.float64(0.0)
    if t is acts.LeakyReLU:
        return np.where(z > 0.0, 1.0, act.alpha), np.float64(0.0)
    if t is acts.ELU:
        neg = a + act.alpha  # α eᶻ for z ≤ 0 is both f' and f''
        return np.where(a > 0.0, 1.0, neg), np.where(a > 0.0, 0.0, neg)
    if t is acts.Tanh:
        d1 = 1.0 - a * a
        return d1, -2.0 * a * d1
    if t is acts.Sigmoid:
        d1 = a * (1.0 - a)
        return d1, d1 * (1.0 - 2.0 * a)
    if t is acts.Softplus:
        s = special.expit(z)
        return s, s * (1.0 - s)
    if t is acts.Swish:
        s = special.expit(z)
        return s * (1.0 + z * (1.0 - s)), s * (1.0 - s) * (2.0 + z * (1.0 - 2.0 * s))
    if t is acts.GELU:
        pdf = np.exp(-0.5 * z * z) / acts.SQRT_2PI
        return special.ndtr(z) + z * pdf, pdf * (2.0 - z * z)
    return None


def _known_activation(act: acts.Activation) -> bool:
    z = np.zeros(1)
    return type(act) is acts.Softmax or _slopes(act, z, z) is not None


def _softmax_jvp(p: np.ndarray, r: np.ndarray) -> np.ndarray:
    """J_softmax r = p ⊙ (r − ⟨p, r⟩) over the last axis (p broadcasts against r)."""
    return p * (r - np.sum(p * r, axis=-1, keepdims=True))


def loss_curvature(loss: losses_mod.Loss, out: np.ndarray, y: np.ndarray,
                   fused: bool) -> Callable[[np.ndarray], np.ndarray] | None:
    """r ↦ ∇²ℓ(out)·r for the engine's losses (mean reduction), or None for an unknown loss.

    ``out`` (n, k) holds logits when ``fused``; r may carry leading axes (m, n, k). Clipped
    regions of the unfused cross-entropies have zero curvature, as their gradient is zero there.
    """
    t = type(loss)
    eps = losses_mod.EPSILON
    size, n = out.size, out.shape[0]
    if t is losses_mod.MeanSquaredError:
        c = 2.0 / size
        return lambda r: c * r
    if t is losses_mod.BinaryCrossentropy:
        if fused:
            s = special.expit(out)
            w = s * (1.0 - s) / size
        else:
            p = np.clip(out, eps, 1.0 - eps)
            w = (y / (p * p) + (1.0 - y) / ((1.0 - p) * (1.0 - p))) / size
            w[(out < eps) | (out > 1.0 - eps)] = 0.0
        return lambda r: w * r
    if t in (losses_mod.CategoricalCrossentropy, losses_mod.SparseCategoricalCrossentropy):
        sparse = t is losses_mod.SparseCategoricalCrossentropy
        if fused:
            p = np.exp(special.log_softmax(out, axis=-1))
            mass = 1.0 if sparse else np.sum(y, axis=-1, keepdims=True)
            c = mass / n
            return lambda r: c * _softmax_jvp(p, r)
        if sparse:
            rows, ids = np.arange(n), y.reshape(-1).astype(np.intp)
            target = np.zeros_like(out)
            target[rows, ids] = 1.0
        else:
            target = y
        p = np.clip(out, eps, 1.0)
        w = target / (p * p) / n
        w[(out < eps) | (out > 1.0)] = 0.0
        return lambda r: w * r
    return None


# -- the operator ----------------------------------------------------------------------------
@dataclass
class _Cache:
    """Forward and backward quantities of one Dense layer at θ (independent of v)."""

    op: DenseOp
    x: np.ndarray      # (n, fan_in) input
    W: np.ndarray      # (fan_in, units)
    a: np.ndarray      # (n, units) output (logits for the fused output)
    d1: np.ndarray | None   # f'(z); None for softmax or an unapplied activation
    d2: np.ndarray | None   # f''(z); None when identically zero
    da: np.ndarray | None = None   # ∂L/∂a
    dz: np.ndarray | None = None   # ∂L/∂z


class HessianOperator(LinearOperator):
    """H = ∇²L(θ) of a compiled model on (X, y) as a scipy LinearOperator (n_params, n_params).

    ``exact`` is True when products use the R-operator, False when they fall back to central
    differences of the gradient (see the module docstring). ``loss`` and ``gradient`` hold L(θ)
    and ∇L(θ), penalty included. ``dense()`` returns the explicit (symmetrised) matrix.
    """

    def __init__(self, model, X, y, params: np.ndarray | None = None):
        if model.loss is None or not model.built:
            raise RuntimeError("the model must be built and compiled (model.compile(loss=...)) "
                               "before computing its Hessian")
        n_params = model.n_params
        if n_params == 0:
            raise ValueError("the model has no parameters, so its Hessian is empty")
        Xp = model._prepare_x(X)
        self.y = model._prepare_y(y, Xp.shape[0]).astype(np.float64)
        self.X = Xp.astype(np.float64)
        theta = model.params if params is None else flat_vector(params, n_params, "params")
        self.theta = np.array(theta, dtype=np.float64)
        self.model = model
        self._kernels = kernel_slices(model)
        self._l1, self._l2 = model.l1, model.l2
        super().__init__(np.float64, (n_params, n_params))
        stack = dense_stack(model)
        self.exact = stack is not None and all(_known_activation(o.activation)
                                               for o in stack.ops)
        if self.exact:
            self._stack = stack
            self.exact = self._forward_backward()
        if not self.exact:
            self._setup_fd()

    # -- exact path: one forward/backward at θ, cached -------------------------------------
    def _forward_backward(self) -> bool:
        th = self.theta
        x = self.X.reshape(self.X.shape[0], -1) if self._stack.flatten_input else self.X
        caches: list[_Cache] = []
        for op in self._stack.ops:
            W = th[op.w].reshape(op.fan_in, op.units)
            z = x @ W
            if op.b is not None:
                z += th[op.b]
            d1 = d2 = None
            if not op.apply:
                a = z
            else:
                a = op.activation(z)
                if type(op.activation) is not acts.Softmax:
                    d1, d2 = _slopes(op.activation, z, a)
                    d2 = None if (d2.ndim == 0 and d2 == 0.0) else d2
            caches.append(_Cache(op, x, W, a, d1, d2))
            x = a
        out = x
        model = self.model
        fused = not self._stack.ops[-1].apply
        curv = loss_curvature(model.loss, out, self.y, fused)
        if curv is None:
            return False
        buf = np.empty_like(out)
        if fused:
            loss, da = model.loss.from_logits(out, self.y, buf)
        else:
            loss, da = model.loss.value_and_grad(out, self.y, buf)
        self._loss_curv = curv
        grad = np.zeros_like(th)
        for c in reversed(caches):
            c.da = da
            if not c.op.apply:
                c.dz = da
            elif c.d1 is None:  # softmax: dz = a ⊙ (da − ⟨da, a⟩)
                c.dz = _softmax_jvp(c.a, da)
            else:
                c.dz = c.d1 * da
            grad[c.op.w] = (c.x.T @ c.dz).ravel()
            if c.op.b is not None:
                grad[c.op.b] = c.dz.sum(axis=0)
            da = c.dz @ c.W.T
        self._caches = caches
        self.loss = float(loss) + self._penalty_value()
        self.gradient = grad + self._penalty_grad()
        return True

    def _penalty_value(self) -> float:
        total = 0.0
        for sl in self._kernels:
            w = self.theta[sl]
            total += self._l2 * float(w @ w) + self._l1 * float(np.abs(w).sum())
        return total

    def _penalty_grad(self) -> np.ndarray:
        g = np.zeros_like(self.theta)
        for sl in self._kernels:
            g[sl] = 2.0 * self._l2 * self.theta[sl] + self._l1 * np.sign(self.theta[sl])
        return g

    def _rpass(self, V: np.ndarray) -> np.ndarray:
        """H V for V of shape (m, n_params) (rows are vectors) -> (m, n_params)."""
        m = V.shape[0]
        HV = np.zeros_like(V)
        Rx = None
        saved = []
        for c in self._caches:
            op = c.op
            VW = V[:, op.w].reshape(m, op.fan_in, op.units)
            Rz = np.matmul(c.x, VW)                          # x V_W: (m, n, units)
            if op.b is not None:
                Rz += V[:, op.b][:, None, :]
            if Rx is not None:
                Rz += np.matmul(Rx, c.W)
            if not op.apply:
                Ra = Rz
            elif c.d1 is None:
                Ra = _softmax_jvp(c.a, Rz)
            else:
                Ra = c.d1 * Rz
            saved.append((Rx, Rz, Ra, VW))
            Rx = Ra
        Rda = self._loss_curv(Rx)
        for i in range(len(self._caches) - 1, -1, -1):
            c = self._caches[i]
            op = c.op
            Rx_in, Rz, Ra, VW = saved[i]
            if not op.apply:
                Rdz = Rda
            elif c.d1 is None:  # R{a ⊙ (da − ⟨da,a⟩)}
                s = c.da - np.sum(c.da * c.a, axis=-1, keepdims=True)
                inner = (np.sum(Rda * c.a, axis=-1, keepdims=True)
                         + np.sum(c.da * Ra, axis=-1, keepdims=True))
                Rdz = Ra * s + c.a * (Rda - inner)
            else:
                Rdz = c.d1 * Rda
                if c.d2 is not None:
                    Rdz += c.d2 * c.da * Rz
            HW = np.matmul(c.x.T, Rdz)                       # xᵀ R{dz}: (m, fan_in, units)
            if Rx_in is not None:
                HW += np.matmul(Rx_in.transpose(0, 2, 1), c.dz)
            HV[:, op.w] = HW.reshape(m, -1)
            if op.b is not None:
                HV[:, op.b] = Rdz.sum(axis=1)
            if i > 0:
                Rda = np.matmul(Rdz, c.W.T) + np.matmul(c.dz, VW.transpose(0, 2, 1))
        if self._l2:
            for sl in self._kernels:
                HV[:, sl] += (2.0 * self._l2) * V[:, sl]
        return HV

    # -- fallback: central differences of the gradient --------------------------------------
    def _setup_fd(self) -> None:
        rms = float(np.sqrt(np.mean(self.theta ** 2)))
        self.fd_step = float(np.cbrt(np.finfo(np.float64).eps)) * max(1.0, rms)
        self.loss, self.gradient = self._grad_at(self.theta)

    def _grad_at(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        model = self.model
        saved_p, saved_g = model.params.copy(), model.grads.copy()
        try:
            loss, g = model.loss_and_grad(theta.astype(model.dtype), self.X, self.y)
        finally:
            np.copyto(model.params, saved_p)
            np.copyto(model.grads, saved_g)
        return loss, g.astype(np.float64)

    def _fd(self, V: np.ndarray) -> np.ndarray:
        out = np.zeros_like(V)
        h = self.fd_step
        for i, v in enumerate(V):
            norm = float(np.linalg.norm(v))
            if norm == 0.0:
                continue
            u = v / norm
            gp = self._grad_at(self.theta + h * u)[1]
            gm = self._grad_at(self.theta - h * u)[1]
            out[i] = (gp - gm) * (norm / (2.0 * h))
        return out

    # -- LinearOperator interface ------------------------------------------------------------
    def apply_rows(self, V: np.ndarray) -> np.ndarray:
        """H applied to each row of V (m, n_params) -> (m, n_params), in memory-bounded chunks."""
        V = np.ascontiguousarray(V, dtype=np.float64)
        if not self.exact:
            return self._fd(V)
        width = max([self.X.shape[0] * max(o.units, o.fan_in) for o in self._stack.ops])
        step = max(1, _BUDGET // max(width, 1))
        if V.shape[0] <= step:
            return self._rpass(V)
        return np.concatenate([self._rpass(V[i:i + step]) for i in range(0, V.shape[0], step)])

    def _matvec(self, v: np.ndarray) -> np.ndarray:
        return self.apply_rows(np.reshape(v, (1, -1)))[0]

    def _matmat(self, V: np.ndarray) -> np.ndarray:
        return self.apply_rows(np.asarray(V).T).T

    def _adjoint(self) -> HessianOperator:
        return self  # the Hessian is symmetric

    def dense(self) -> np.ndarray:
        """The explicit Hessian (n_params, n_params), symmetrised: (H + Hᵀ)/2."""
        H = self.apply_rows(np.eye(self.shape[0]))
        return 0.5 * (H + H.T)


# -- public functions ------------------------------------------------------------------------
def hessian_operator(model, X, y, params: np.ndarray | None = None) -> HessianOperator:
    """The Hessian of the training loss (penalty included) at ``params`` (default: the
    model's current parameters) as a LinearOperator; build once, multiply many times."""
    return HessianOperator(model, X, y, params)


def hvp(model, X, y, v: np.ndarray, params: np.ndarray | None = None) -> np.ndarray:
    """H v, the Hessian of L (penalty included) at ``params`` times v (n_params,) -> (n_params,)."""
    op = HessianOperator(model, X, y, params)
    return op.matvec(flat_vector(v, op.shape[0], "v").astype(np.float64))


def hessian(model, X, y, params: np.ndarray | None = None) -> np.ndarray:
    """The explicit Hessian (n_params, n_params), symmetrised; for small networks and tests."""
    return HessianOperator(model, X, y, params).dense()


def _orient(vectors: np.ndarray) -> np.ndarray:
    """Fix each column's arbitrary sign: its largest-magnitude entry becomes positive."""
    idx = np.argmax(np.abs(vectors), axis=0)
    signs = np.sign(vectors[idx, np.arange(vectors.shape[1])])
    signs[signs == 0] = 1.0
    return vectors * signs


def top_eigenvalues(model, X, y, k: int = 1, return_vectors: bool = False, *,
                    params: np.ndarray | None = None, method: str = "auto", tol: float = 0.0,
                    v0: np.ndarray | None = None, seed: int = 0, maxiter: int | None = None):
    """The k largest (algebraic) Hessian eigenvalues, largest first: shape (k,).

    ``method``: "lanczos" runs ``scipy.sparse.linalg.eigsh(op, k, which="LA")`` on
    Hessian-vector products (needs k < n_params); "dense" diagonalises the explicit Hessian
    with ``numpy.linalg.eigh``; "auto" picks dense when n_params ≤ max(k + 1, DENSE_BELOW).
    ``v0`` warm-starts Lanczos (e.g. the previous top eigenvector); otherwise a normal vector
    from ``seed``, so results are reproducible. With ``return_vectors`` also returns the
    unit eigenvectors as columns, shape (n_params, k), each signed so its largest-magnitude
    entry is positive.
    """
    op = HessianOperator(model, X, y, params)
    n = op.shape[0]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise ValueError(f"k must be an integer in [1, n_params={n}], got {k!r}")
    if method not in ("auto", "dense", "lanczos"):
        raise ValueError(f"method must be 'auto', 'dense' or 'lanczos', got {method!r}")
    if method == "auto":
        method = "dense" if n <= max(k + 1, DENSE_BELOW) else "lanczos"
    if method == "dense":
        w, V = np.linalg.eigh(op.dense())
        w, V = w[::-1][:k], V[:, ::-1][:, :k]
    else:
        if k >= n:
            raise ValueError(f"Lanczos (ARPACK) needs k < n_params; got k={k} for {n} "
                             f"parameters: use method='dense'")
        if v0 is None:
            v0 = np.random.default_rng(seed).standard_normal(n)
        else:
            v0 = flat_vector(v0, n, "v0").astype(np.float64)
        w, V = eigsh(op, k=k, which="LA", tol=tol, v0=v0, maxiter=maxiter)
        order = np.argsort(w)[::-1]
        w, V = w[order], V[:, order]
    w = np.asarray(w, dtype=np.float64)
    return (w, _orient(V)) if return_vectors else w


# -- edge of stability -----------------------------------------------------------------------
def sharpness_threshold(lr: float, momentum: float = 0.0, *, nesterov: bool = False,
                        dampening: float = 0.0, weight_decay: float = 0.0) -> float:
    """Largest sharpness λ_max at which (S)GD with this step is stable on a quadratic.

    GD: 2/η. Heavy-ball momentum β (PyTorch's SGD): (2 + 2β)/η (REFERENCE §2, §3). Nesterov:
    (2 + 2β)/(η(1 + 2β)) (from the characteristic polynomial of its iteration). Dampening τ
    scales the step to η(1 − τ); coupled weight decay wd adds wd to every Hessian eigenvalue,
    so the threshold on the loss's sharpness drops by wd.
    """
    for label, v in (("lr", lr), ("momentum", momentum), ("dampening", dampening),
                     ("weight_decay", weight_decay)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) \
                or not math.isfinite(v):
            raise ValueError(f"{label} must be a finite number, got {v!r}")
    if lr <= 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum must be in [0, 1) for a finite stability threshold "
                         f"(β ≥ 1 is unstable at every step size), got {momentum!r}")
    step = lr * (1.0 - dampening)
    if step <= 0:
        raise ValueError(f"dampening must be < 1 (the step is lr·(1 − dampening)), "
                         f"got {dampening!r}")
    beta = float(momentum)
    base = 2.0 + 2.0 * beta
    if nesterov:
        base /= 1.0 + 2.0 * beta
    return base / step - float(weight_decay)


def stability_threshold(optimizer) -> float:
    """:func:`sharpness_threshold` for an engine SGD optimizer at its current learning rate.

    Only SGD (plain, heavy-ball or Nesterov) has this threshold on the plain Hessian; adaptive
    methods (Adam, RMSprop, ...) precondition the gradient, so their threshold concerns the
    preconditioned Hessian and a TypeError says so.
    """
    from engine.optim import SGD

    if not isinstance(optimizer, SGD):
        raise TypeError(f"the 2/η edge-of-stability threshold is defined for SGD (with or "
                        f"without momentum), got {type(optimizer).__name__}; adaptive "
                        f"optimizers rescale the gradient per coordinate")
    lr = getattr(optimizer, "current_lr", optimizer.lr)
    return sharpness_threshold(lr, optimizer.momentum, nesterov=optimizer.nesterov,
                               dampening=optimizer.dampening,
                               weight_decay=optimizer.weight_decay)


class SharpnessTracker:
    """Sharpness (top Hessian eigenvalue) of a trainer's model on a fixed data subset.

    Callable on a Trainer (or a model) and returns a float, so it plugs into
    ``trainer.add_callback("sharpness", tracker.every, tracker)`` (or ``tracker.attach(t)``).
    Without X, y it uses the trainer's first ``max_samples`` training rows. Each call
    warm-starts Lanczos from the previous top eigenvector (sharpness changes slowly), and
    ``tol`` (relative) trades accuracy for speed.
    """

    def __init__(self, X=None, y=None, every: int = 20, *, max_samples: int = 1000,
                 method: str = "auto", tol: float = 1e-6):
        if (X is None) != (y is None):
            raise ValueError("give both X and y for the sharpness subset, or neither")
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        self.X, self.y = X, y
        self.every = int(every)
        self.max_samples = int(max_samples)
        self.method = method
        self.tol = float(tol)
        self.last_vector: np.ndarray | None = None

    def __call__(self, trainer) -> float:
        model = getattr(trainer, "model", trainer)
        X, y = self.X, self.y
        if X is None:
            if not hasattr(trainer, "X"):
                raise ValueError("this SharpnessTracker has no data subset: give X, y when "
                                 f"creating it, or call it with a Trainer (got "
                                 f"{type(trainer).__name__})")
            X, y = trainer.X[:self.max_samples], trainer.y[:self.max_samples]
        v0 = self.last_vector
        if v0 is not None and v0.shape != model.params.shape:
            v0 = None
        w, V = top_eigenvalues(model, X, y, k=1, return_vectors=True, method=self.method,
                               tol=self.tol, v0=v0)
        self.last_vector = V[:, 0]
        return float(w[0])

    def attach(self, trainer, name: str = "sharpness") -> None:
        """Register on a Trainer; values land in ``trainer.history.extra[name]``."""
        trainer.add_callback(name, self.every, self)

    @staticmethod
    def threshold(optimizer) -> float:
        """The 2/η (or (2+2β)/η) line to draw beside the sharpness curve."""
        return stability_threshold(optimizer)
