"""RMSprop: divide the gradient by a running RMS of recent gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Hyper, Optimizer, axpy_, check_flag, check_non_negative, check_unit, lerp_

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop`` (plus Keras' eps placement on request).

    ``g ← g + wd·θ``; ``v = α·v + (1−α)·g²``; centered: ``ḡ = α·ḡ + (1−α)·g`` and
    ``w = v − ḡ²``, else ``w = v``; ``avg = √w + eps`` (PyTorch) or ``√(w + eps)`` when
    ``eps_inside_sqrt`` (Keras); momentum μ > 0: ``b = μ·b + g/avg``, ``θ ← θ − lr·b``,
    else ``θ ← θ − lr·g/avg``. (Keras accumulates ``lr·g/avg`` in its momentum buffer:
    the same for a constant lr.)
    """

    alpha = Hyper()
    eps = Hyper()
    weight_decay = Hyper()
    momentum = Hyper()
    centered = Hyper()
    eps_inside_sqrt = Hyper()

    def __init__(
        self,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        eps_inside_sqrt: bool = False,
        *,
        schedule: Any = None,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, schedule=schedule, clip_norm=clip_norm)
        self._alpha = check_unit("alpha", alpha)
        self._eps = check_non_negative("eps", eps)
        self._weight_decay = self._l2 = check_non_negative("weight_decay", weight_decay)
        self._momentum = check_non_negative("momentum", momentum)
        self._centered = check_flag("centered", centered)
        self._eps_inside_sqrt = check_flag("eps_inside_sqrt", eps_inside_sqrt)

    def _state_names(self) -> tuple[str, ...]:
        names = ("square_avg",)
        if self._momentum:
            names += ("momentum_buffer",)
        if self._centered:
            names += ("grad_avg",)
        return names

    def _update(self, params: np.ndarray, g: np.ndarray, lr: float, step: int) -> None:
        st, G, T = self._buffers, self._G, self._T
        a, eps = self._alpha, self._eps
        v = st["square_avg"]
        v *= a
        np.square(g, out=T)
        axpy_(v, T, 1.0 - a, T)
        w = v
        if self._centered:
            gbar = st["grad_avg"]
            lerp_(gbar, g, 1.0 - a, T)
            np.multiply(gbar, gbar, out=T)
            np.subtract(v, T, out=T)
            w = T
        if self._eps_inside_sqrt:
            np.add(w, eps, out=T)
            np.sqrt(T, out=T)
        else:
            np.sqrt(w, out=T)
            T += eps
        if self._momentum:
            b = st["momentum_buffer"]
            b *= self._momentum
            np.divide(g, T, out=T)
            b += T
            axpy_(params, b, -lr, T)
        else:
            np.divide(g, T, out=G)
            axpy_(params, G, -lr, G)
