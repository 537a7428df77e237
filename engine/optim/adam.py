"""Adam and AdamW: bias-corrected first and second moment estimates."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Hyper, Optimizer, axpy_, check_betas, check_flag, check_non_negative, lerp_

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (coupled L2: ``g ← g + wd·θ``).

    ``m = β1·m + (1−β1)·g``; ``v = β2·v + (1−β2)·g²``;
    ``θ ← θ − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + eps)``, i.e. ``lr·m̂/(√v̂ + eps)``.
    amsgrad: ``vmax = max(vmax, v)`` (uncorrected) replaces ``v`` in the denominator.
    Keras' Adam adds its epsilon to ``√v`` before the bias correction ("epsilon hat"),
    which equals this rule with ``eps·√(1−β2ᵗ)``.
    """

    betas = Hyper()
    eps = Hyper()
    weight_decay = Hyper()
    amsgrad = Hyper()
    _decoupled = False

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        schedule: Any = None,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, schedule=schedule, clip_norm=clip_norm)
        self._betas = check_betas(betas)
        self._eps = check_non_negative("eps", eps)
        self._weight_decay = check_non_negative("weight_decay", weight_decay)
        self._l2 = 0.0 if self._decoupled else self._weight_decay
        self._amsgrad = check_flag("amsgrad", amsgrad)

    def _state_names(self) -> tuple[str, ...]:
        names = ("exp_avg", "exp_avg_sq")
        return names + ("max_exp_avg_sq",) if self._amsgrad else names

    def _update(self, params: np.ndarray, g: np.ndarray, lr: float, step: int) -> None:
        st, G, T = self._buffers, self._G, self._T
        b1, b2 = self._betas
        if self._decoupled and self._weight_decay:
            params *= 1.0 - lr * self._weight_decay
        m, v = st["exp_avg"], st["exp_avg_sq"]
        lerp_(m, g, 1.0 - b1, T)
        v *= b2
        np.square(g, out=T)
        axpy_(v, T, 1.0 - b2, T)
        if self._amsgrad:
            vmax = st["max_exp_avg_sq"]
            np.maximum(vmax, v, out=vmax)
            v = vmax
        # The same scalar arithmetic as PyTorch, so the two agree to the last bits.
        step_size = lr / (1 - b1**step)
        bias_correction2_sqrt = (1 - b2**step) ** 0.5
        np.sqrt(v, out=T)
        T /= bias_correction2_sqrt
        T += self._eps
        np.divide(m, T, out=G)
        axpy_(params, G, -step_size, G)


class AdamW(Adam):
    """AdamW, as ``torch.optim.AdamW``: decoupled weight decay.

    ``θ ← θ·(1 − lr·wd)`` first, then the Adam step with the raw gradient.
    """

    _decoupled = True

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        schedule: Any = None,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(
            lr, betas, eps, weight_decay, amsgrad, schedule=schedule, clip_norm=clip_norm
        )
