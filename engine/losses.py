"""Losses with mean reduction over the batch, Keras' formulas and spelling.

Every loss has ``value_and_grad(y_pred, y_true, out) -> (loss, dL/dy_pred)``. Losses that pair
with an output activation (binary cross-entropy with sigmoid, categorical cross-entropy with
softmax) also have ``from_logits(z, y, out)``: the loss and dL/dz straight from the
pre-activations, which is exact for logits of ±1000 (no log(0), no overflow) and one step
shorter than going through the activation.
"""

from __future__ import annotations

import abc

import numpy as np
from scipy import special

# Keras' backend epsilon: how far probabilities are kept from 0 and 1 on the unfused path.
EPSILON = 1e-7


class Loss(abc.ABC):
    name = "base"
    fused_activation: str | None = None  # the output activation whose logits from_logits takes

    def __call__(self, y_pred: np.ndarray, y_true: np.ndarray) -> float:
        return self.value_and_grad(y_pred, y_true, np.empty_like(y_pred))[0]

    @abc.abstractmethod
    def value_and_grad(self, y_pred, y_true, out):
        """(mean loss, dL/dy_pred written into ``out``)."""

    def from_logits(self, z, y_true, out):
        raise TypeError(f"{self.name} has no fused logits path")

    def value_from_logits(self, z: np.ndarray, y_true: np.ndarray) -> float:
        return self.from_logits(z, y_true, np.empty_like(z))[0]

    def check_targets(self, y_true: np.ndarray, output_shape: tuple[int, ...]) -> None:
        """Raise if targets of this shape cannot be scored against outputs of ``output_shape``."""
        if y_true.shape != output_shape:
            raise ValueError(
                f"{self.name}: targets have shape {y_true.shape} but the model outputs "
                f"{output_shape}; they must match exactly (no broadcasting)")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    """L = mean((ŷ − y)²) over all elements; dL/dŷ = 2(ŷ − y)/N."""

    name = "mean_squared_error"

    def value_and_grad(self, y_pred, y_true, out):
        np.subtract(y_pred, y_true, out=out)
        flat = out.reshape(-1)
        loss = float(flat @ flat) / out.size
        np.multiply(out, 2.0 / out.size, out=out)
        return loss, out


class BinaryCrossentropy(Loss):
    """L = −mean(y log p + (1 − y) log(1 − p)) over all elements.

    Fused with sigmoid (p = σ(z)): L = mean(softplus(z) − y z), dL/dz = (σ(z) − y)/N.
    Unfused, p is clipped to [ε, 1 − ε] as in Keras.
    """

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    def value_and_grad(self, y_pred, y_true, out):
        p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
        n = y_pred.size
        loss = -float(np.sum(y_true * np.log(p) + (1.0 - y_true) * np.log1p(-p))) / n
        grad = (p - y_true) / (p * (1.0 - p)) / n
        grad[(y_pred < EPSILON) | (y_pred > 1.0 - EPSILON)] = 0.0  # the clip is flat there
        np.copyto(out, grad)
        return loss, out

    def from_logits(self, z, y_true, out):
        # softplus(z) = z − log σ(z), with scipy's stable log_expit (exact for z = ±1000).
        n = z.size
        special.log_expit(z, out=out)
        np.subtract(z, out, out=out)
        ones = self._ones_buf
        if ones.shape != out.shape or ones.dtype != out.dtype:
            ones = self._ones_buf = np.ones_like(out)
        loss = (float(np.vdot(out, ones)) - float(np.vdot(y_true, z))) / n
        special.expit(z, out=out)
        np.subtract(out, y_true, out=out)
        np.multiply(out, 1.0 / n, out=out)
        return loss, out

    _ones_buf = np.ones(0)  # a ones vector for the sum as a dot product, grown on demand


class CategoricalCrossentropy(Loss):
    """L = −mean over samples of Σ_k y_k log p_k (targets one-hot or probabilities).

    Fused with softmax: log p = log_softmax(z); dL/dz = (softmax(z)·Σ_k y_k − y)/n, which is
    the familiar (p − y)/n for one-hot targets.
    """

    name = "categorical_crossentropy"
    fused_activation = "softmax"

    def value_and_grad(self, y_pred, y_true, out):
        n = y_pred.shape[0]
        p = np.clip(y_pred, EPSILON, 1.0)
        loss = -float(np.sum(y_true * np.log(p))) / n
        grad = -y_true / p / n
        grad[y_pred < EPSILON] = 0.0
        np.copyto(out, grad)
        return loss, out

    def from_logits(self, z, y_true, out):
        n = z.shape[0]
        logp = special.log_softmax(z, axis=-1)
        loss = -float(np.einsum("ij,ij->", y_true, logp)) / n
        np.exp(logp, out=out)
        mass = np.add.reduce(y_true, axis=-1, keepdims=True)
        np.multiply(out, mass, out=out)
        np.subtract(out, y_true, out=out)
        np.multiply(out, 1.0 / n, out=out)
        return loss, out


class SparseCategoricalCrossentropy(Loss):
    """Categorical cross-entropy with integer class ids ``(n,)`` or ``(n, 1)`` as targets."""

    name = "sparse_categorical_crossentropy"
    fused_activation = "softmax"

    def check_targets(self, y_true, output_shape):
        n, classes = output_shape[0], output_shape[-1]
        if len(output_shape) != 2 or y_true.reshape(-1).shape[0] != n or y_true.size != n:
            raise ValueError(
                f"{self.name}: targets have shape {y_true.shape}; expected integer class ids "
                f"of shape ({n},) or ({n}, 1) for outputs of shape {output_shape}")
        ids = y_true.reshape(-1)
        if np.any(ids != np.round(ids)) or ids.min() < 0 or ids.max() >= classes:
            raise ValueError(f"{self.name}: class ids must be integers in [0, {classes - 1}], "
                             f"got values from {ids.min()} to {ids.max()}")

    @staticmethod
    def _ids(y_true):
        return y_true.reshape(-1).astype(np.intp)

    def value_and_grad(self, y_pred, y_true, out):
        n = y_pred.shape[0]
        ids = self._ids(y_true)
        rows = np.arange(n)
        p = np.clip(y_pred[rows, ids], EPSILON, 1.0)
        loss = -float(np.sum(np.log(p))) / n
        out[...] = 0.0
        out[rows, ids] = np.where(y_pred[rows, ids] < EPSILON, 0.0, -1.0 / p / n)
        return loss, out

    def from_logits(self, z, y_true, out):
        n = z.shape[0]
        ids = self._ids(y_true)
        rows = np.arange(n)
        logp = special.log_softmax(z, axis=-1)
        loss = -float(np.sum(logp[rows, ids])) / n
        np.exp(logp, out=out)
        out[rows, ids] -= 1.0
        np.multiply(out, 1.0 / n, out=out)
        return loss, out


_REGISTRY: dict[str, type[Loss]] = {
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "cce": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(spec: str | Loss) -> Loss:
    """A loss by Keras name (``"mse"``, ``"binary_crossentropy"``, ...) or an instance."""
    if isinstance(spec, Loss):
        return spec
    if not isinstance(spec, str) or spec.lower() not in _REGISTRY:
        raise ValueError(f"unknown loss {spec!r}; expected one of {names()}")
    return _REGISTRY[spec.lower()]()
