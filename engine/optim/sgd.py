"""Stochastic gradient descent with (heavy-ball or Nesterov) momentum, PyTorch's rule."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Hyper, Optimizer, axpy_, check_flag, check_non_negative, check_real

__all__ = ["SGD"]


class SGD(Optimizer):
    """SGD, as ``torch.optim.SGD``.

    ``g ← g + wd·θ``; with momentum μ: first step ``b = g``, then
    ``b = μ·b + (1−τ)·g`` (τ = dampening); Nesterov uses ``g + μ·b``, otherwise ``b``;
    ``θ ← θ − lr·(that)``. For a constant lr this equals Keras' ``v = μv − lr·g; θ += v``.
    """

    momentum = Hyper()
    dampening = Hyper()
    weight_decay = Hyper()
    nesterov = Hyper()

    def __init__(
        self,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        schedule: Any = None,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, schedule=schedule, clip_norm=clip_norm)
        self._momentum = check_non_negative("momentum", momentum)
        self._dampening = check_real("dampening", dampening)
        self._weight_decay = self._l2 = check_non_negative("weight_decay", weight_decay)
        self._nesterov = check_flag("nesterov", nesterov)
        if self._nesterov and (self._momentum <= 0 or self._dampening != 0):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening = 0, "
                f"got momentum={momentum!r} and dampening={dampening!r}"
            )

    def _state_names(self) -> tuple[str, ...]:
        return ("momentum_buffer",) if self._momentum else ()

    def _update(self, params: np.ndarray, g: np.ndarray, lr: float, step: int) -> None:
        T = self._T
        mu = self._momentum
        if mu:
            b = self._buffers["momentum_buffer"]
            if step == 1:
                np.copyto(b, g)  # PyTorch starts the buffer at g, undamped
            else:
                b *= mu
                if self._dampening:
                    np.multiply(g, 1.0 - self._dampening, out=T)
                    b += T
                else:
                    b += g
            if self._nesterov:
                np.multiply(b, mu, out=T)
                T += g
                g = T
            else:
                g = b
        axpy_(params, g, -lr, T)
