"""NAdam: Adam with Nesterov momentum and a warming-up momentum schedule."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Hyper, Optimizer, check_betas, check_non_negative, lerp_

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam`` (coupled L2: ``g ← g + wd·θ``).

    ``μ_t = β1·(1 − ½·0.96^(t·ψ))`` with ψ = momentum_decay; ``m``, ``v`` as Adam;
    ``θ ← θ − lr·[μ_{t+1}·m/(1 − Π_{i≤t+1} μ_i) + (1 − μ_t)·g/(1 − Π_{i≤t} μ_i)]
    / (√(v/(1−β2ᵗ)) + eps)``. Keras' Nadam uses ``0.96^t``, i.e. ψ = 1.
    """

    betas = Hyper()
    eps = Hyper()
    weight_decay = Hyper()
    momentum_decay = Hyper()

    def __init__(
        self,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
        *,
        schedule: Any = None,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, schedule=schedule, clip_norm=clip_norm)
        self._betas = check_betas(betas)
        self._eps = check_non_negative("eps", eps)
        self._weight_decay = self._l2 = check_non_negative("weight_decay", weight_decay)
        self._momentum_decay = check_non_negative("momentum_decay", momentum_decay)
        self._mu_product, self._mu_product_t = 1.0, 0  # Π_{i≤t} μ_i, and its t

    def _mu(self, step: int) -> float:
        return self._betas[0] * (1.0 - 0.5 * 0.96 ** (step * self._momentum_decay))

    def _state_names(self) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def _update(self, params: np.ndarray, g: np.ndarray, lr: float, step: int) -> None:
        st, G, T = self._buffers, self._G, self._T
        b1, b2 = self._betas
        if self._mu_product_t != step - 1:
            # After reset/load_state_dict: the product is a function of t alone, and
            # recomputing it in the same order reproduces it bit for bit.
            product = 1.0
            for i in range(1, step):
                product *= self._mu(i)
            self._mu_product = product
        mu, mu_next = self._mu(step), self._mu(step + 1)
        self._mu_product *= mu
        self._mu_product_t = step
        mu_product_next = self._mu_product * mu_next
        m, v = st["exp_avg"], st["exp_avg_sq"]
        lerp_(m, g, 1.0 - b1, T)
        v *= b2
        np.multiply(g, 1.0 - b2, out=T)
        T *= g
        v += T
        np.divide(v, 1 - b2**step, out=T)
        np.sqrt(T, out=T)
        T += self._eps
        # Two separate updates, as PyTorch does them (same rounding).
        np.multiply(g, lr * (1.0 - mu) / (1.0 - self._mu_product), out=G)
        G /= T
        params -= G
        np.multiply(m, lr * mu_next / (1.0 - mu_product_next), out=G)
        G /= T
        params -= G
