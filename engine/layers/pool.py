"""2-D max and average pooling on channels-last images (n, h, w, c).

Both loop over the ph·pw offsets inside a pooling window — each offset is one strided slice
of the whole batch — never over pixels. Geometry and "same" padding follow Keras/TensorFlow
(see :func:`engine.layers.conv.axis_geometry`).
"""

from __future__ import annotations

import numpy as np

from engine.layers.base import Layer
from engine.layers.conv import check_input, check_padding, padded, pair, window_geometry


class _Pool2D(Layer):
    """Shared geometry: pool_size, strides (default: pool_size) and padding."""

    def __init__(self, pool_size: int | tuple[int, int] = 2,
                 strides: int | tuple[int, int] | None = None, padding: str = "valid",
                 name: str | None = None):
        super().__init__(name)
        owner = type(self).__name__
        self.pool_size = pair(pool_size, "pool_size", owner)
        self.strides = self.pool_size if strides is None else pair(strides, "strides", owner)
        self.padding = check_padding(padding, owner)
        self._reset_buffers()

    def build(self, input_shape, rng):
        (ho, wo), pads = window_geometry(input_shape, self.pool_size, self.strides,
                                         self.padding, type(self).__name__, "pool_size")
        self.input_shape = tuple(int(s) for s in input_shape)
        self.pads = pads
        self.output_shape = (ho, wo, self.input_shape[2])
        self.built = True
        return self.output_shape

    def _reset_buffers(self) -> None:
        self._buf_pad: np.ndarray | None = None
        self._cache_shape: tuple[int, ...] | None = None

    def clear_cache(self) -> None:
        self._reset_buffers()

    def _offsets(self):
        """(k = p·pw + q, slices) per window offset (p, q); the slices index the padded input."""
        ph, pw = self.pool_size
        sh, sw = self.strides
        ho, wo, _ = self.output_shape
        for p in range(ph):
            for q in range(pw):
                yield p * pw + q, (slice(None), slice(p, p + sh * (ho - 1) + 1, sh),
                                   slice(q, q + sw * (wo - 1) + 1, sw), slice(None))

    def _padded(self, x: np.ndarray, fill: float) -> np.ndarray:
        return padded(self, x, fill)

    def _new_dxp(self, n: int, dtype) -> np.ndarray:
        h, w, c = self.input_shape
        top, bottom, left, right = self.pads
        return np.zeros((n, h + top + bottom, w + left + right, c), dtype)

    def _crop(self, dxp: np.ndarray) -> np.ndarray:
        h, w, _ = self.input_shape
        top, _, left, _ = self.pads
        return dxp[:, top:top + h, left:left + w, :]

    def _check_dy(self, dy: np.ndarray) -> None:
        if self._cache_shape is None or dy.shape != self._cache_shape:
            raise ValueError(f"{type(self).__name__} backward got dy of shape {dy.shape}; the "
                             f"last forward pass produced {self._cache_shape}")

    def get_config(self) -> dict:
        return {"name": self.name, "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding}


class MaxPool2D(_Pool2D):
    """y[n, i, j, c] = max over the window at (i·sh, j·sw) of x[n, ·, ·, c].

    The gradient flows only to the argmax of each window. Ties go to the first position in
    row-major window order (deterministic). "same" padding pads with −∞, so padding is
    never the maximum (every TF "same" window holds at least one real pixel).

    Forward is a running ``np.maximum`` over the window offsets; backward finds the argmax
    again by comparing each offset with the maximum (exact: y is one of the values), which is
    several times faster than tracking indices with masked writes in forward.
    """

    def _reset_buffers(self) -> None:
        super()._reset_buffers()
        self._cache_xp: np.ndarray | None = None  # the (padded) input
        self._cache_y: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x (n, h, w, c) -> (n, ho, wo, c)."""
        check_input(x, self.input_shape, "MaxPool2D")
        xp = self._padded(x, -np.inf)
        y = None
        for _, sl in self._offsets():
            y = xp[sl].copy() if y is None else np.maximum(y, xp[sl], out=y)
        self._cache_xp, self._cache_y, self._cache_shape = xp, y, y.shape
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """dy (n, ho, wo, c) -> dx (n, h, w, c): each dy goes to its window's argmax."""
        self._check_dy(dy)
        if not self.input_grad:
            return None
        xp, y = self._cache_xp, self._cache_y
        dxp = self._new_dxp(dy.shape[0], dy.dtype)
        taken = None  # windows whose argmax an earlier offset already claimed
        for _, sl in self._offsets():
            hit = xp[sl] == y
            if taken is None:
                taken = hit
            else:
                hit &= ~taken  # a tie goes to the first offset in row-major order
                taken |= hit
            dxp[sl] += dy * hit  # += : overlapping windows add up
        return self._crop(dxp)


class AvgPool2D(_Pool2D):
    """y[n, i, j, c] = mean of x[n, ·, ·, c] over the window's real pixels.

    With "same" padding the padded zeros are not counted (TensorFlow's average pool divides
    by the number of real pixels in each window). Backward spreads dy/count evenly.
    """

    def build(self, input_shape, rng):
        out = super().build(input_shape, rng)
        # Real pixels per window: pool a map of ones padded with zeros.
        ones = self._padded(np.ones((1, *self.input_shape[:2], 1)), 0.0)
        count = np.zeros((1, *out[:2], 1))
        for _, sl in self._offsets():
            count += ones[sl]
        self._buf_pad = None
        self.count = count[0]  # (ho, wo, 1)
        return out

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x (n, h, w, c) -> (n, ho, wo, c)."""
        check_input(x, self.input_shape, "AvgPool2D")
        xp = self._padded(x, 0.0)
        y = None
        for _, sl in self._offsets():
            y = xp[sl].copy() if y is None else np.add(y, xp[sl], out=y)
        y /= self.count.astype(y.dtype, copy=False)
        self._cache_shape = y.shape
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """dy (n, ho, wo, c) -> dx (n, h, w, c) = Σ over windows containing the pixel dy/count."""
        self._check_dy(dy)
        if not self.input_grad:
            return None
        g = dy / self.count.astype(dy.dtype, copy=False)
        dxp = self._new_dxp(dy.shape[0], dy.dtype)
        for _, sl in self._offsets():
            dxp[sl] += g
        return self._crop(dxp)


def _register() -> None:
    # See engine.layers.conv._register: skip while engine.layers is still importing us.
    import engine.layers as registry

    if hasattr(registry, "register"):
        for cls in (MaxPool2D, AvgPool2D):
            registry.register(cls)


_register()
