"""Layers that only change the shape of their input."""

from __future__ import annotations

import numpy as np

from engine.layers.base import Layer


class Flatten(Layer):
    """(n, d1, d2, ...) -> (n, d1·d2·...); a view in both directions."""

    def build(self, input_shape, rng):
        self.input_shape = tuple(input_shape)
        self.output_shape = (int(np.prod(input_shape, dtype=np.int64)),)
        self.built = True
        return self.output_shape

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy.reshape((dy.shape[0],) + self.input_shape)
