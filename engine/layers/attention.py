"""Single-head scaled dot-product self-attention on sequences (n, T, d)."""

from __future__ import annotations

import math

import numpy as np

from engine import initializers
from engine.layers.base import Layer


class SelfAttention(Layer):
    """y = softmax(Q Kᵀ/√d_k + M) V Wo + bo with Q = x Wq + bq, K = x Wk, V = x Wv + bv.

    x (n, T, d) -> y (n, T, d_out). Wq, Wk, Wv are (d, units), Wo (units, d_out) with
    d_out = ``output_units`` or ``units``; d_k = units. M is 0, or with ``causal`` −∞ above
    the diagonal, so position t only attends to positions ≤ t. The biases (``use_bias``) are
    bq, bv (units,) and bo (d_out,); there is no key bias, because adding one vector to every
    key adds q_t·bk to the whole score row t, which the softmax cancels — its gradient would
    be exactly zero. After a forward pass :attr:`attention_weights` holds
    A = softmax(...) of shape (n, T, T): row t is how much position t reads each position.

    Backward, with O = A V: dO = dy Woᵀ; dA = dO Vᵀ; dV = Aᵀ dO;
    dS = A ⊙ (dA − Σ_j dA ⊙ A) (the softmax Jacobian; masked entries have A = 0, so dS = 0);
    dQ = dS K/√d_k; dK = dSᵀ Q/√d_k; dx = dQ Wqᵀ + dK Wkᵀ + dV Wvᵀ.
    """

    def __init__(self, units: int, causal: bool = False, output_units: int | None = None,
                 use_bias: bool = True, kernel_initializer: str = "glorot_uniform",
                 name: str | None = None):
        super().__init__(name)
        for label, value in (("units", units), ("output_units", output_units)):
            if value is None and label == "output_units":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"SelfAttention {label} must be a positive integer, got "
                                 f"{value!r}")
        self.units = int(units)
        self.causal = bool(causal)
        self.output_units = None if output_units is None else int(output_units)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self._reset_buffers()

    def build(self, input_shape, rng):
        shape = tuple(int(s) for s in input_shape)
        if len(shape) != 2:
            raise ValueError(f"SelfAttention expects inputs of shape (n, timesteps, features); "
                             f"got per-sample shape {shape}")
        self.input_shape = shape
        d, u = shape[1], self.units
        d_out = self.output_units or u
        zeros = initializers.get("zeros")
        for p in ("q", "k", "v"):
            self.add_param("W" + p, (d, u), self.kernel_initializer)
            if self.use_bias and p != "k":  # no key bias: see the class docstring
                self.add_param("b" + p, (u,), zeros)
        self.add_param("Wo", (u, d_out), self.kernel_initializer)
        if self.use_bias:
            self.add_param("bo", (d_out,), zeros)
        self.output_shape = (shape[0], d_out)
        self.built = True
        return self.output_shape

    def _reset_buffers(self) -> None:
        self._cache_x2: np.ndarray | None = None  # x as (n·T, d)
        self._cache_qkv: tuple | None = None      # Q, K, V (n, T, units)
        self._cache_a: np.ndarray | None = None   # attention weights (n, T, T)
        self._cache_o: np.ndarray | None = None   # A V (n, T, units)

    def clear_cache(self) -> None:
        self._reset_buffers()

    @property
    def attention_weights(self) -> np.ndarray | None:
        """A of the last forward pass, (n, T, T), rows summing to 1 (read-only), or None."""
        if self._cache_a is None:
            return None
        v = self._cache_a.view()
        v.flags.writeable = False
        return v

    def _linear(self, x2: np.ndarray, p: str) -> np.ndarray:
        z = x2 @ getattr(self, "W" + p)
        if self.use_bias and p != "k":
            z += getattr(self, "b" + p)
        return z

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x (n, T, d) -> (n, T, d_out)."""
        if x.shape[1:] != self.input_shape:
            raise ValueError(f"SelfAttention was built for inputs of shape (n, "
                             f"{', '.join(map(str, self.input_shape))}); got shape {x.shape}")
        n, T, d = x.shape
        u = self.units
        x2 = x.reshape(n * T, d)
        q, k, v = (self._linear(x2, p).reshape(n, T, u) for p in ("q", "k", "v"))
        s = q @ k.transpose(0, 2, 1)
        s *= 1.0 / math.sqrt(u)
        if self.causal:
            s[:, np.triu(np.ones((T, T), dtype=bool), k=1)] = -np.inf
        # Stable softmax over the last axis; the diagonal is never masked, so each row's max
        # is finite and exp(−∞) = 0 gives masked positions exactly zero weight.
        s -= s.max(axis=-1, keepdims=True)
        a = np.exp(s, out=s)
        a /= a.sum(axis=-1, keepdims=True)
        o = a @ v
        y = self._linear(o.reshape(n * T, u), "o").reshape(n, T, -1)
        self._cache_x2, self._cache_qkv, self._cache_a, self._cache_o = x2, (q, k, v), a, o
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """dy (n, T, d_out) -> dx (n, T, d); writes the gradients of Wq..Wo and biases."""
        o = self._cache_o
        if o is None or dy.shape[:2] != o.shape[:2] or dy.shape[2] != self.Wo.shape[1]:
            raise ValueError(f"SelfAttention backward got dy of shape {dy.shape}; the last "
                             f"forward pass produced "
                             f"{None if o is None else (*o.shape[:2], self.Wo.shape[1])}")
        n, T, u = o.shape
        q, k, v = self._cache_qkv
        a, x2 = self._cache_a, self._cache_x2
        dy2 = dy.reshape(n * T, -1)
        np.dot(o.reshape(n * T, u).T, dy2, out=self.dWo)
        if self.use_bias:
            np.add.reduce(dy2, axis=0, out=self.dbo)
        do = (dy2 @ self.Wo.T).reshape(n, T, u)
        da = do @ v.transpose(0, 2, 1)
        dv = a.transpose(0, 2, 1) @ do
        ds = a * (da - np.einsum("ntj,ntj->nt", da, a)[..., None])
        ds *= 1.0 / math.sqrt(u)
        dq = ds @ k
        dk = ds.transpose(0, 2, 1) @ q
        dx2 = None
        for p, g in (("q", dq), ("k", dk), ("v", dv)):
            g2 = g.reshape(n * T, u)
            np.dot(x2.T, g2, out=getattr(self, "dW" + p))
            if self.use_bias and p != "k":
                np.add.reduce(g2, axis=0, out=getattr(self, "db" + p))
            if self.input_grad:
                part = g2 @ getattr(self, "W" + p).T
                dx2 = part if dx2 is None else np.add(dx2, part, out=dx2)
        return None if dx2 is None else dx2.reshape(n, T, -1)

    def get_config(self) -> dict:
        return {"name": self.name, "units": self.units, "causal": self.causal,
                "output_units": self.output_units, "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer)}


def _register() -> None:
    # See engine.layers.conv._register: skip while engine.layers is still importing us.
    import engine.layers as registry

    if hasattr(registry, "register"):
        registry.register(SelfAttention)


_register()
