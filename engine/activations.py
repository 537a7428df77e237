"""Activation functions with their derivatives, written for preallocated buffers.

Each activation has ``forward(z, out) -> a`` and ``backward(z, a, dy, out) -> dz``
(``dz = dy * f'(z)`` or, for softmax, the Jacobian-vector product). ``out`` is a
buffer the caller owns; passing it avoids a per-step allocation.
"""

from __future__ import annotations

import abc

import numpy as np
from scipy import special

SQRT_2PI = np.sqrt(2.0 * np.pi)


class Activation(abc.ABC):
    """Base class. ``needs_z`` says whether ``backward`` reads the pre-activation."""

    name = "base"
    needs_z = False

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.forward(z, np.empty_like(z))

    @abc.abstractmethod
    def forward(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        """a = f(z), written into ``out``."""

    @abc.abstractmethod
    def backward(self, z, a, dy, out):
        """dz = dy ⊙ f'(z) (or J·dy), written into ``out``."""

    def derivative(self, z: np.ndarray) -> np.ndarray:
        """Elementwise f'(z) (not defined for softmax, whose Jacobian is not diagonal)."""
        a = self(z)
        return self.backward(z, a, np.ones_like(z), np.empty_like(z))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Activation):
    name = "linear"

    def forward(self, z, out):
        if out is not z:
            np.copyto(out, z)
        return out

    def backward(self, z, a, dy, out):
        if out is not dy:
            np.copyto(out, dy)
        return out


class ReLU(Activation):
    """max(0, z); f'(z) = 1 for z > 0 else 0."""

    name = "relu"

    def forward(self, z, out):
        return np.maximum(z, 0.0, out=out)

    def backward(self, z, a, dy, out):
        # a > 0 exactly where z > 0, so the cached output is enough.
        return np.multiply(dy, a > 0.0, out=out)


class LeakyReLU(Activation):
    """max(z, αz) with α = 0.01 (PyTorch's default slope)."""

    name = "leaky_relu"
    needs_z = True

    def __init__(self, alpha: float = 0.01):
        if not 0.0 <= alpha < 1.0:
            raise ValueError(f"leaky_relu alpha must be in [0, 1), got {alpha!r}")
        self.alpha = float(alpha)

    def forward(self, z, out):
        np.multiply(z, self.alpha, out=out)
        return np.maximum(z, out, out=out)

    def backward(self, z, a, dy, out):
        slope = np.where(z > 0.0, 1.0, self.alpha).astype(dy.dtype, copy=False)
        return np.multiply(dy, slope, out=out)


class ELU(Activation):
    """z for z > 0, α(eᶻ − 1) otherwise; f' = 1 or a + α."""

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = float(alpha)

    def forward(self, z, out):
        neg = self.alpha * np.expm1(np.minimum(z, 0.0))
        return _where(z > 0.0, z, neg, out)

    def backward(self, z, a, dy, out):
        slope = np.where(a > 0.0, 1.0, a + self.alpha)
        return np.multiply(dy, slope, out=out)


class GELU(Activation):
    """Exact GELU: z Φ(z); f' = Φ(z) + z φ(z) (Φ, φ: standard normal cdf and pdf)."""

    name = "gelu"
    needs_z = True

    def forward(self, z, out):
        special.ndtr(z, out=out)
        return np.multiply(out, z, out=out)

    def backward(self, z, a, dy, out):
        pdf = np.exp(-0.5 * z * z) / SQRT_2PI
        d = special.ndtr(z) + z * pdf
        return np.multiply(dy, d, out=out)


class Tanh(Activation):
    """tanh z; f' = 1 − a²."""

    name = "tanh"

    def forward(self, z, out):
        return np.tanh(z, out=out)

    def backward(self, z, a, dy, out):
        # dy − dy·a² in three in-place ufunc calls, no temporaries.
        np.multiply(a, a, out=out)
        np.multiply(out, dy, out=out)
        return np.subtract(dy, out, out=out)


class Sigmoid(Activation):
    """σ(z) = 1/(1 + e⁻ᶻ) via scipy.special.expit (no overflow); f' = a(1 − a)."""

    name = "sigmoid"

    def forward(self, z, out):
        return special.expit(z, out=out)

    def backward(self, z, a, dy, out):
        np.subtract(1.0, a, out=out)
        np.multiply(out, a, out=out)
        return np.multiply(out, dy, out=out)


class Softplus(Activation):
    """log(1 + eᶻ) computed as logaddexp(0, z); f' = σ(z)."""

    name = "softplus"
    needs_z = True

    def forward(self, z, out):
        return np.logaddexp(0.0, z, out=out)

    def backward(self, z, a, dy, out):
        special.expit(z, out=out)
        return np.multiply(out, dy, out=out)


class Swish(Activation):
    """z σ(z) (SiLU); f' = s (1 + z (1 − s)) with s = σ(z)."""

    name = "swish"
    needs_z = True

    def forward(self, z, out):
        special.expit(z, out=out)
        return np.multiply(out, z, out=out)

    def backward(self, z, a, dy, out):
        s = special.expit(z)
        d = s * (1.0 + z * (1.0 - s))
        return np.multiply(dy, d, out=out)


class Softmax(Activation):
    """softmax over the last axis; backward is the Jacobian-vector product a ⊙ (dy − ⟨dy, a⟩)."""

    name = "softmax"

    def forward(self, z, out):
        np.copyto(out, special.softmax(z, axis=-1))
        return out

    def backward(self, z, a, dy, out):
        inner = np.einsum("...k,...k->...", dy, a)[..., None]
        np.subtract(dy, inner, out=out)
        return np.multiply(out, a, out=out)

    def derivative(self, z):
        raise ValueError("softmax has no elementwise derivative; use backward() for J·v")


def _where(cond, x, y, out):
    np.copyto(out, y)
    np.copyto(out, x, where=cond)
    return out


_REGISTRY: dict[str, type[Activation]] = {
    cls.name: cls
    for cls in (Linear, ReLU, LeakyReLU, ELU, GELU, Tanh, Sigmoid, Softplus, Swish, Softmax)
}
_ALIASES = {None: "linear", "none": "linear", "identity": "linear", "silu": "swish",
            "logistic": "sigmoid"}


def names() -> list[str]:
    """All activation names accepted by :func:`get`."""
    return sorted(_REGISTRY)


def get(spec: str | Activation | None) -> Activation:
    """An activation by name (``"relu"``, ``"tanh"``, ...), ``None`` (linear) or an instance."""
    if isinstance(spec, Activation):
        return spec
    key = _ALIASES.get(spec.lower() if isinstance(spec, str) else spec, spec)
    if isinstance(key, str):
        key = key.lower()
    if key not in _REGISTRY:
        raise ValueError(f"unknown activation {spec!r}; expected one of {names()}")
    return _REGISTRY[key]()
