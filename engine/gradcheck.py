"""Central-difference gradient checking over the flat parameter vector (float64).

The analytic gradient from backpropagation is compared with

    g_i ≈ (L(θ + h e_i) − L(θ − h e_i)) / (2h)

for every coordinate i. The error reported for each parameter tensor is the relative error of
the whole tensor, ‖g_analytic − g_numeric‖ / (‖g_analytic‖ + ‖g_numeric‖) — the measure taught
in most courses (below 1e-7 is a correct gradient in float64; around 1e-2 means a bug) — and
``check`` returns the largest over all tensors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class GradCheckResult:
    """Analytic and numerical gradients side by side (flat vectors) with per-tensor errors."""

    analytic: np.ndarray
    numeric: np.ndarray
    errors: dict[str, float]  # "layer/param" -> relative error of that tensor

    @property
    def max_error(self) -> float:
        return max(self.errors.values()) if self.errors else 0.0


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-12) -> float:
    """‖a − b‖ / max(‖a‖ + ‖b‖, floor); the absolute difference when both are below 1e-12."""
    num = float(np.linalg.norm(a - b))
    den = float(np.linalg.norm(a) + np.linalg.norm(b))
    if den <= 1e-12 and floor <= 1e-12:
        return num
    return num / max(den, floor)


def _rng_states(model) -> list:
    return [(layer, layer.rng.bit_generator.state) for layer in model.layers
            if getattr(layer, "rng", None) is not None]


def _restore(states) -> None:
    for layer, state in states:
        layer.rng.bit_generator.state = state


def numeric_gradient(f, theta: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of a scalar function f(θ) at θ (θ is restored afterwards)."""
    g = np.empty_like(theta, dtype=np.float64)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + h
        fp = f(theta)
        theta[i] = old - h
        fm = f(theta)
        theta[i] = old
        g[i] = (fp - fm) / (2.0 * h)
    return g


def check_detailed(model, X, y, h: float = 1e-5, training: bool = False,
                   relative_floor: float = 0.0) -> GradCheckResult:
    """Backprop and central-difference gradients of ``model.loss_and_grad`` at model.params.

    The model must be float64 (float32 round-off swamps the differences). With
    ``training=True`` dropout is on and every evaluation replays the same random masks.
    ``relative_floor`` > 0 measures a tensor whose gradient is tiny next to the whole model's
    against ``relative_floor·‖g‖`` instead: central differences carry ~1e-11 absolute
    round-off, which makes the relative error of a near-zero gradient meaningless.
    """
    if model.dtype != np.float64:
        raise ValueError(f"gradient checking needs a float64 model, got {model.dtype}")
    theta = model.params.copy()
    states = _rng_states(model)
    _restore(states)
    _, analytic = model.loss_and_grad(theta, X, y, training=training)

    def f(t):
        _restore(states)
        return model.loss_and_grad(t, X, y, training=training)[0]

    numeric = numeric_gradient(f, theta.copy(), h)
    model.set_params(theta)
    floor = relative_floor * float(np.linalg.norm(numeric))
    errors = {f"{s.layer}/{s.name}": relative_error(analytic[s.slice], numeric[s.slice], floor)
              for s in model.param_spec}
    return GradCheckResult(analytic, numeric, errors)


def check(model, X, y, h: float = 1e-5, training: bool = False,
          relative_floor: float = 0.0) -> float:
    """The largest per-tensor relative error between backprop and central differences."""
    return check_detailed(model, X, y, h, training, relative_floor).max_error
