"""Fully connected layer: y = f(x W + b), W of shape (fan_in, units)."""

from __future__ import annotations

import numpy as np

from engine import activations, initializers
from engine.layers.base import Layer


class Dense(Layer):
    """y = f(x W + b) for x of shape (n, fan_in); W (fan_in, units), b (units,).

    W and b are adjacent in the flat parameter vector, so ``Wb`` — the same memory seen as
    (fan_in + 1, units) — is W with b as its last row. When the previous layer hands over its
    output with a trailing column of ones (``augment_output``), forward is one GEMM
    ``[x, 1] @ Wb`` and backward gets dW and db together from one GEMM ``[x, 1]ᵀ dz``:
    two numpy calls fewer per layer, which is most of the cost of a small network.

    Backward: dz = dy ⊙ f'(z); dW = xᵀ dz; db = Σ_n dz; dx = dz Wᵀ.
    """

    def __init__(self, units: int, activation: str | activations.Activation | None = None,
                 use_bias: bool = True, kernel_initializer: str = "glorot_uniform",
                 bias_initializer: str = "zeros", name: str | None = None):
        super().__init__(name)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"Dense units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.fused_output = False   # set by the model: return logits, take dL/dz in backward
        self.augment_output = False  # set by the model: write outputs next to a column of ones
        self._reset_buffers()

    def build(self, input_shape, rng):
        if len(input_shape) != 1:
            raise ValueError(
                f"Dense expects inputs of shape (n, features); got per-sample shape "
                f"{tuple(input_shape)} — add a Flatten layer first")
        self.input_shape = tuple(input_shape)
        fan_in = int(input_shape[0])
        self.add_param("W", (fan_in, self.units), self.kernel_initializer)
        if self.use_bias:
            self.add_param("b", (self.units,), self.bias_initializer)
        self.output_shape = (self.units,)
        self.built = True
        return self.output_shape

    def _on_bind(self) -> None:
        if self.use_bias:
            shape = (self.W.shape[0] + 1, self.units)
            self.Wb = self._segment.reshape(shape)
            self.dWb = self._dsegment.reshape(shape)

    def _view_attributes(self):
        return ("Wb", "dWb")

    def _reset_buffers(self) -> None:
        self._buffers: dict = {}
        self._x = None
        self._xa = None
        self._z = self._a = self._cur = None
        self.output_augmented = None

    def clear_cache(self) -> None:
        self._reset_buffers()

    def _get_buffers(self, n: int, dtype) -> tuple:
        bufs = self._cur
        if bufs is not None and bufs[0].shape[0] == n and bufs[0].dtype == dtype:
            return bufs  # the common case: same batch size as last time
        key = (n, dtype)
        bufs = self._buffers.get(key)
        if bufs is None:
            u = self.units
            z = np.empty((n, u), dtype)
            linear = self.fused_output or self.activation.name == "linear"
            if self.augment_output:
                aug = np.empty((n, u + 1), dtype)
                aug[:, u] = 1.0
                a = aug[:, :u]  # np.dot needs a contiguous out, so z stays separate
            else:
                aug = None
                a = z if linear else np.empty_like(z)
            dz = np.empty_like(z)
            dx = np.empty((n, self.input_shape[0]), dtype) if self.input_grad else None
            bufs = (z, a, aug, dz, dx)
            if len(self._buffers) > 8:  # a long tail of batch sizes: keep memory bounded
                self._buffers.clear()
            self._buffers[key] = bufs
        return bufs

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x (n, fan_in) -> f(x W + b) (n, units); logits instead when ``fused_output``."""
        bufs = self._get_buffers(x.shape[0], x.dtype)
        z, a = bufs[0], bufs[1]
        np.dot(x, self.W, out=z)
        if self.use_bias:
            np.add(z, self.b, out=z)
        if a is not z:
            self.activation.forward(z, a)
        self._x, self._xa, self._z, self._a, self._cur = x, None, z, a, bufs
        self.output_augmented = bufs[2]
        return a

    def forward_augmented(self, xa: np.ndarray, training: bool = False) -> np.ndarray:
        """Same as forward, for xa = [x, 1] of shape (n, fan_in + 1) (see class docstring)."""
        bufs = self._get_buffers(xa.shape[0], xa.dtype)
        z, a = bufs[0], bufs[1]
        np.dot(xa, self.Wb, out=z)
        if a is not z:
            self.activation.forward(z, a)
        self._x, self._xa, self._z, self._a, self._cur = None, xa, z, a, bufs
        self.output_augmented = bufs[2]
        return a

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """dy (n, units) -> dx (n, fan_in); writes dW and db into the model's grads."""
        bufs = self._cur
        if bufs is None or bufs[0].shape[0] != dy.shape[0]:
            raise ValueError(f"backward got dy of shape {dy.shape}; the last forward pass "
                             f"produced {bufs[0].shape}")
        if bufs[1] is bufs[0]:  # linear or fused output: f'(z) = 1
            dz = dy
        else:
            dz = self.activation.backward(self._z, self._a, dy, bufs[3])
        if self._xa is not None:
            np.dot(self._xa.T, dz, out=self.dWb)
        else:
            np.dot(self._x.T, dz, out=self.dW)
            if self.use_bias:
                np.add.reduce(dz, axis=0, out=self.db)
        dx = bufs[4]
        if dx is None:
            return None
        np.dot(dz, self.W.T, out=dx)
        return dx

    def get_config(self) -> dict:
        return {"name": self.name, "units": self.units, "activation": self.activation.name,
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer),
                "bias_initializer": initializers.name_of(self.bias_initializer)}

