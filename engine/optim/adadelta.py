"""Adadelta: steps scaled by the ratio of running RMS of updates and of gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Hyper, Optimizer, check_non_negative, check_unit

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as ``torch.optim.Adadelta`` (and Keras, eps inside both roots).

    ``g ← g + wd·θ``; ``v = ρ·v + (1−ρ)·g²``; ``Δ = √(u + eps)/√(v + eps) · g``;
    ``u = ρ·u + (1−ρ)·Δ²``; ``θ ← θ − lr·Δ``.
    """

    rho = Hyper()
    eps = Hyper()
    weight_decay = Hyper()
    _n_scratch = 3  # Δ needs its own vector while g (possibly in _G) is still needed

    def __init__(
        self,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        schedule: Any = None,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, schedule=schedule, clip_norm=clip_norm)
        self._rho = check_unit("rho", rho, include_one=True)
        self._eps = check_non_negative("eps", eps)
        self._weight_decay = self._l2 = check_non_negative("weight_decay", weight_decay)

    def _state_names(self) -> tuple[str, ...]:
        return ("square_avg", "acc_delta")

    def _update(self, params: np.ndarray, g: np.ndarray, lr: float, step: int) -> None:
        st, T, D = self._buffers, self._T, self._scratch[2]
        rho, eps = self._rho, self._eps
        v, u = st["square_avg"], st["acc_delta"]
        v *= rho
        np.multiply(g, 1.0 - rho, out=T)
        T *= g
        v += T
        np.add(v, eps, out=T)
        np.sqrt(T, out=T)
        np.add(u, eps, out=D)
        np.sqrt(D, out=D)
        D /= T
        D *= g
        u *= rho
        np.multiply(D, 1.0 - rho, out=T)
        T *= D
        u += T
        if lr != 1.0:  # the default lr=1 would multiply by one: skip the pass
            D *= lr
        params -= D
