"""Adagrad: per-coordinate steps shrinking with the accumulated squared gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Hyper, Optimizer, axpy_, check_non_negative

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``.

    ``g ← g + wd·θ``; ``clr = lr / (1 + (t−1)·lr_decay)``; ``S ← S + g²``
    (``S`` starts at ``initial_accumulator_value``); ``θ ← θ − clr·g / (√S + eps)``.
    ``current_lr`` reports ``clr``. (Keras puts eps inside the root: ``√(S + eps)``.)
    """

    lr_decay = Hyper()
    weight_decay = Hyper()
    initial_accumulator_value = Hyper()
    eps = Hyper()

    def __init__(
        self,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        schedule: Any = None,
        clip_norm: float | None = None,
    ) -> None:
        super().__init__(lr, schedule=schedule, clip_norm=clip_norm)
        self._lr_decay = check_non_negative("lr_decay", lr_decay)
        self._weight_decay = self._l2 = check_non_negative("weight_decay", weight_decay)
        self._initial_accumulator_value = check_non_negative(
            "initial_accumulator_value", initial_accumulator_value
        )
        self._eps = check_non_negative("eps", eps)

    def _state_names(self) -> tuple[str, ...]:
        return ("sum",)

    def _init_state(self, buffers: dict[str, np.ndarray]) -> None:
        buffers["sum"].fill(self._initial_accumulator_value)

    def _lr_at(self, t: int) -> float:
        lr = super()._lr_at(t)
        return lr / (1 + t * self._lr_decay) if self._lr_decay else lr

    def _update(self, params: np.ndarray, g: np.ndarray, lr: float, step: int) -> None:
        S, G, T = self._buffers["sum"], self._G, self._T
        np.multiply(g, g, out=T)
        S += T
        np.sqrt(S, out=T)
        T += self._eps
        np.divide(g, T, out=G)
        axpy_(params, G, -lr, G)
