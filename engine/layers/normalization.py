"""Batch normalisation over the last (feature/channel) axis, Keras conventions."""

from __future__ import annotations

import math

import numpy as np

from engine import initializers
from engine.layers.base import Layer


class BatchNormalization(Layer):
    """y = γ ⊙ (x − μ)/√(σ² + ε) + β, statistics per feature of the last axis.

    Works after Dense (n, f) and Conv2D (n, h, w, c): μ, σ² are taken over every axis but the
    last. Training uses the batch statistics (σ² biased, as in Keras) and updates

        moving_mean ← momentum·moving_mean + (1 − momentum)·μ
        moving_variance ← momentum·moving_variance + (1 − momentum)·σ²

    Inference uses the moving statistics, so the layer is then a fixed affine map.

    γ (``gamma``, ones) and β (``beta``, zeros) are trainable and live in the flat parameter
    vector. ``moving_mean`` (zeros) and ``moving_variance`` (ones) are NOT trainable: they are
    plain arrays on the layer (copied with the model, reset when the model (re)initialises its
    weights), read and restored with :meth:`get_state` / :meth:`set_state` — a file format
    must store them next to ``params`` for a saved model to predict the same.

    Backward in training mode (m values per feature, x̂ the normalised input):
    dγ = Σ dy ⊙ x̂, dβ = Σ dy, dx = γ/(m·√(σ² + ε)) ⊙ (m·dy − Σ dy − x̂ ⊙ Σ dy ⊙ x̂).
    In inference mode dx = dy ⊙ γ/√(moving_variance + ε).
    """

    def __init__(self, momentum: float = 0.99, epsilon: float = 1e-3, name: str | None = None):
        super().__init__(name)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) \
                or not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNormalization momentum must be a number in [0, 1], "
                             f"got {momentum!r}")
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) \
                or not (math.isfinite(epsilon) and epsilon > 0.0):
            raise ValueError(f"BatchNormalization epsilon must be a number > 0, got {epsilon!r}")
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.moving_mean: np.ndarray | None = None
        self.moving_variance: np.ndarray | None = None
        self._reset_buffers()

    def build(self, input_shape, rng):
        shape = tuple(int(s) for s in input_shape)
        if len(shape) < 1:
            raise ValueError(f"BatchNormalization expects inputs of shape (n, ..., features); "
                             f"got per-sample shape {shape}")
        self.input_shape = self.output_shape = shape
        features = shape[-1]
        self.add_param("gamma", (features,), initializers.get("ones"))
        self.add_param("beta", (features,), initializers.get("zeros"))
        self._reset_moving(features)
        self.built = True
        return self.output_shape

    def _reset_moving(self, features: int) -> None:
        self.moving_mean = np.zeros(features, self.dtype)
        self.moving_variance = np.ones(features, self.dtype)

    def reseed(self, rng: np.random.Generator) -> None:
        # The model calls reseed when it (re)initialises its weights: the statistics of the
        # old weights are meaningless then. No numbers are drawn, so other layers' streams
        # are unchanged.
        if self.input_shape is not None:
            self._reset_moving(self.input_shape[-1])

    # -- state that is not a parameter --------------------------------------------------------
    def get_state(self) -> dict[str, np.ndarray]:
        """Copies of the non-trainable arrays: {"moving_mean": (f,), "moving_variance": (f,)}."""
        if self.moving_mean is None:
            raise RuntimeError("BatchNormalization is not built yet; it has no state")
        return {"moving_mean": self.moving_mean.copy(),
                "moving_variance": self.moving_variance.copy()}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`get_state` returned (checked: keys, shapes, finite, var ≥ 0)."""
        if self.moving_mean is None:
            raise RuntimeError("build the model before restoring BatchNormalization state")
        expected = {"moving_mean", "moving_variance"}
        if not isinstance(state, dict) or set(state) != expected:
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"BatchNormalization state must have keys {sorted(expected)}, "
                             f"got {got}")
        arrays = {}
        for key in sorted(expected):
            arr = np.asarray(state[key])
            if arr.shape != self.moving_mean.shape or arr.dtype.kind not in "fiu":
                raise ValueError(f"BatchNormalization {key} must be a numeric array of shape "
                                 f"{self.moving_mean.shape}, got shape {arr.shape} and dtype "
                                 f"{arr.dtype}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"BatchNormalization {key} contains NaN or infinite values")
            arrays[key] = arr
        if np.any(arrays["moving_variance"] < 0):
            raise ValueError("BatchNormalization moving_variance must be >= 0")
        np.copyto(self.moving_mean, arrays["moving_mean"], casting="unsafe")
        np.copyto(self.moving_variance, arrays["moving_variance"], casting="unsafe")

    # -- computing ----------------------------------------------------------------------------
    def _reset_buffers(self) -> None:
        self._cache_xhat: np.ndarray | None = None
        self._cache_inv_std: np.ndarray | None = None
        self._cache_training = False

    def clear_cache(self) -> None:
        self._reset_buffers()

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x (n, ..., f) -> γ ⊙ x̂ + β, same shape."""
        if x.shape[1:] != self.input_shape:
            raise ValueError(f"BatchNormalization was built for inputs of shape (n, "
                             f"{', '.join(map(str, self.input_shape))}); got shape {x.shape}")
        axes = tuple(range(x.ndim - 1))
        if training:
            mean = x.mean(axis=axes)
            xc = x - mean
            var = np.mean(xc * xc, axis=axes)
            m = self.momentum
            # In place, so views others hold of the statistics stay current.
            self.moving_mean *= m
            self.moving_mean += (1.0 - m) * mean
            self.moving_variance *= m
            self.moving_variance += (1.0 - m) * var
        else:
            xc = x - self.moving_mean
            var = self.moving_variance
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat = xc * inv_std
        self._cache_xhat, self._cache_inv_std = xhat, inv_std.astype(x.dtype, copy=False)
        self._cache_training = bool(training)
        return xhat * self.gamma + self.beta

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """dy (n, ..., f) -> dx; writes dgamma, dbeta."""
        xhat = self._cache_xhat
        if xhat is None or dy.shape != xhat.shape:
            raise ValueError(f"BatchNormalization backward got dy of shape {dy.shape}; the last "
                             f"forward pass produced {None if xhat is None else xhat.shape}")
        axes = tuple(range(dy.ndim - 1))
        np.sum(dy * xhat, axis=axes, out=self.dgamma)
        np.sum(dy, axis=axes, out=self.dbeta)
        if not self.input_grad:
            return None
        scale = self.gamma * self._cache_inv_std
        if not self._cache_training:
            return dy * scale
        m = dy.size // dy.shape[-1]
        # dx = γ/(m σ) (m dy − Σdy − x̂ Σ(dy x̂)); the two sums are dβ and dγ.
        return (scale / m) * (m * dy - self.dbeta - xhat * self.dgamma)

    def get_config(self) -> dict:
        return {"name": self.name, "momentum": self.momentum, "epsilon": self.epsilon}


def _register() -> None:
    # See engine.layers.conv._register: skip while engine.layers is still importing us.
    import engine.layers as registry

    if hasattr(registry, "register"):
        registry.register(BatchNormalization)


_register()
