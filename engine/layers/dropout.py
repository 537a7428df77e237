"""Inverted dropout: at training time zero each unit with probability ``rate``, scale the rest."""

from __future__ import annotations

import numpy as np

from engine.layers.base import Layer


class Dropout(Layer):
    """y = x ⊙ m / (1 − rate), m ~ Bernoulli(1 − rate) per element, training only.

    At inference the layer is the identity, so no rescaling is needed there. The mask comes from
    the layer's own generator (seeded from the model's seed), so runs are reproducible.
    """

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None):
        super().__init__(name)
        if not (isinstance(rate, (int, float)) and 0.0 <= rate < 1.0):
            raise ValueError(f"Dropout rate must be a number in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.seed = seed
        self.rng: np.random.Generator | None = None
        self._mask = None

    def reseed(self, rng: np.random.Generator) -> None:
        drawn = int(rng.integers(2**63 - 1))  # drawn even when seeded, to keep streams aligned
        self.rng = np.random.default_rng(self.seed if self.seed is not None else drawn)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        keep = 1.0 - self.rate
        self._mask = (self.rng.random(x.shape) < keep).astype(x.dtype) / x.dtype.type(keep)
        return x * self._mask

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy if self._mask is None else dy * self._mask

    def clear_cache(self) -> None:
        self._mask = None

    def get_config(self) -> dict:
        return {"name": self.name, "rate": self.rate, "seed": self.seed}
