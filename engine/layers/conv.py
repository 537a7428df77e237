"""2-D convolution on channels-last images: im2col with a sliding-window view and one GEMM.

Shared helpers for window geometry (``pair``, ``window_geometry``) also serve the pooling layers.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from engine import activations, initializers
from engine.layers.base import Layer

PADDINGS = ("valid", "same")


def pair(value: int | tuple[int, int] | list[int], what: str, owner: str) -> tuple[int, int]:
    """An int or a pair of ints (e.g. ``3`` or ``(3, 2)``) as a tuple of two positive ints."""
    items = list(value) if isinstance(value, (tuple, list)) else [value, value]
    if len(items) != 2 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1
            for v in items):
        raise ValueError(f"{owner} {what} must be a positive integer or a pair of positive "
                         f"integers, got {value!r}")
    return int(items[0]), int(items[1])


def check_padding(padding: str, owner: str) -> str:
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ValueError(f"{owner} padding must be 'valid' or 'same', got {padding!r}")
    return padding.lower()


def axis_geometry(size: int, k: int, s: int, padding: str) -> tuple[int, int, int]:
    """(output size, pad before, pad after) along one axis, as Keras/TensorFlow compute them.

    valid: out = ⌊(size − k)/s⌋ + 1, no padding (``size >= k`` is the caller's check).
    same:  out = ⌈size/s⌉, pad_total = max((out − 1)·s + k − size, 0), and the odd pixel
    goes after (bottom/right), which is what makes TF's "same" differ from symmetric padding.
    """
    if padding == "valid":
        return (size - k) // s + 1, 0, 0
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2, total - total // 2


def window_geometry(input_shape: tuple[int, ...], kernel: tuple[int, int],
                    strides: tuple[int, int], padding: str, owner: str,
                    what: str = "kernel") -> tuple[tuple[int, int], tuple[int, int, int, int]]:
    """Check a per-sample (h, w, c) shape and return ((ho, wo), (top, bottom, left, right))."""
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3:
        raise ValueError(f"{owner} expects inputs of shape (n, h, w, c); got per-sample shape "
                         f"{shape}")
    h, w, _ = shape
    kh, kw = kernel
    if padding == "valid" and (kh > h or kw > w):
        raise ValueError(f"{owner} {what} {kh}×{kw} is larger than the input {h}×{w} with "
                         f"padding='valid'; use padding='same' or a smaller {what}")
    ho, top, bottom = axis_geometry(h, kh, strides[0], padding)
    wo, left, right = axis_geometry(w, kw, strides[1], padding)
    return (ho, wo), (top, bottom, left, right)


def check_input(x: np.ndarray, expected: tuple[int, ...], owner: str) -> None:
    """Raise when a forward input does not have the per-sample shape the layer was built for."""
    if x.shape[1:] != expected:
        raise ValueError(f"{owner} was built for inputs of shape (n, "
                         f"{', '.join(map(str, expected))}); got shape {x.shape}")


class Conv2D(Layer):
    """y = f(conv(x, W) + b) on x (n, h, w, c_in); W (kh, kw, c_in, c_out), b (c_out,).

    y[n, i, j, o] = f(Σ_{p,q,c} xp[n, i·sh + p, j·sw + q, c] · W[p, q, c, o] + b[o]), xp the
    zero-padded input (cross-correlation, as in Keras and PyTorch). The windows of xp (a
    ``sliding_window_view``) are copied once into a column matrix ``cols``
    (n·ho·wo, kh·kw·c_in) — im2col — so forward is one GEMM ``cols @ W.reshape(K, c_out)``,
    K = kh·kw·c_in.

    As in Dense, W and b are adjacent in the flat vector, so ``Wb`` — the same memory seen as
    (K + 1, c_out) — is W with b as its last row; ``cols`` carries a column of ones, and one
    GEMM gives z = x*W + b, and in backward one GEMM gives dW and db together.

    Backward, with dz = dy ⊙ f'(z) as a (n·ho·wo, c_out) matrix:
    [dW; db] = colsᵀ dz (one GEMM), and dx by col2im: dcols = dz Wᵀ, then each of the
    kh·kw kernel offsets adds its strided slice back into the padded gradient (a loop over
    kernel offsets, never over pixels; overlapping windows add up).
    """

    # Up to this many input channels the column matrix is stored transposed (K, n·ho·wo):
    # the im2col copy then runs along long rows of pixels instead of tiny (kh, kw, c)
    # blocks, 3-6× faster for c_in = 1; with more channels the (n·ho·wo, K) layout, whose
    # inner blocks are c_in contiguous values, copies faster. The GEMMs take either layout.
    TRANSPOSED_COLS_MAX_CHANNELS = 4

    def __init__(self, filters: int, kernel_size: int | tuple[int, int],
                 strides: int | tuple[int, int] = 1,
                 padding: str = "valid",
                 activation: str | activations.Activation | None = None,
                 use_bias: bool = True, kernel_initializer: str = "glorot_uniform",
                 name: str | None = None):
        super().__init__(name)
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) \
                or filters < 1:
            raise ValueError(f"Conv2D filters must be a positive integer, got {filters!r}")
        self.filters = int(filters)
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2D")
        self.strides = pair(strides, "strides", "Conv2D")
        self.padding = check_padding(padding, "Conv2D")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self._reset_buffers()

    def build(self, input_shape, rng):
        (ho, wo), pads = window_geometry(input_shape, self.kernel_size, self.strides,
                                         self.padding, "Conv2D")
        self.input_shape = tuple(int(s) for s in input_shape)
        self.pads = pads
        kh, kw = self.kernel_size
        self.add_param("W", (kh, kw, self.input_shape[2], self.filters),
                       self.kernel_initializer)
        if self.use_bias:
            self.add_param("b", (self.filters,), initializers.get("zeros"))
        self.output_shape = (ho, wo, self.filters)
        self.built = True
        return self.output_shape

    def _on_bind(self) -> None:
        # The GEMM operands: [W; b] (K + 1, c_out) with a bias, else W as (K, c_out).
        shape = (-1, self.filters)
        self.Wb = self._segment.reshape(shape) if self.use_bias else self.W.reshape(shape)
        self.dWb = self._dsegment.reshape(shape) if self.use_bias else self.dW.reshape(shape)

    def _view_attributes(self):
        return ("Wb", "dWb")

    def _reset_buffers(self) -> None:
        self._buf_pad: np.ndarray | None = None  # zero-bordered input, reused across calls
        self._buf_cols: tuple | None = None      # (cols, 6-D copy target, axis order)
        self._cache_z = self._cache_a = self._cache_cols = None
        self._cache_n = 0

    def clear_cache(self) -> None:
        self._reset_buffers()

    # -- helpers ------------------------------------------------------------------------------
    def _padded(self, x: np.ndarray) -> np.ndarray:
        return padded(self, x, 0.0)

    @property
    def _transposed_cols(self) -> bool:
        return self.input_shape[2] <= self.TRANSPOSED_COLS_MAX_CHANNELS

    def _cols_buffer(self, n: int, dtype) -> tuple:
        """(cols (M, K [+1]), its (K-part) as a 6-D copy target, window axis order)."""
        bufs = self._buf_cols
        if bufs is not None and bufs[0].shape[0] == n * self._rows_per_sample() \
                and bufs[0].dtype == dtype:
            return bufs
        kh, kw = self.kernel_size
        ho, wo, _ = self.output_shape
        c = self.input_shape[2]
        m, k = n * ho * wo, kh * kw * c
        extra = int(self.use_bias)
        if self._transposed_cols:
            base = np.empty((k + extra, m), dtype)
            base[k:] = 1.0
            cols = base.T  # an (M, K + 1) view in Fortran order
            target = base[:k].reshape(kh, kw, c, n, ho, wo)
            order = (4, 5, 3, 0, 1, 2)
        else:
            cols = np.empty((m, k + extra), dtype)
            cols[:, k:] = 1.0
            target = np.reshape(cols[:, :k], (n, ho, wo, kh, kw, c), copy=False)
            order = (0, 1, 2, 4, 5, 3)
        self._buf_cols = (cols, target, order)
        return self._buf_cols

    def _rows_per_sample(self) -> int:
        return self.output_shape[0] * self.output_shape[1]

    def _im2col(self, xp: np.ndarray) -> np.ndarray:
        """(n, hp, wp, c) -> cols (n·ho·wo, K [+1]): rows (n, i, j), columns (p, q, c) [, 1]."""
        kh, kw = self.kernel_size
        sh, sw = self.strides
        ho, wo, _ = self.output_shape
        cols, target, order = self._cols_buffer(xp.shape[0], xp.dtype)
        # (n, hp−kh+1, wp−kw+1, c, kh, kw) view, strided to the output grid: no copy yet.
        win = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw][:, :ho, :wo]
        np.copyto(target, win.transpose(order))  # the one copy of im2col
        return cols

    # -- computing ----------------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x (n, h, w, c_in) -> f(conv(x, W) + b) (n, ho, wo, filters)."""
        check_input(x, self.input_shape, "Conv2D")
        n = x.shape[0]
        cols = self._im2col(self._padded(x))
        z = (cols @ self.Wb).reshape(n, *self.output_shape)  # bias included via the 1s
        a = z if self.activation.name == "linear" else self.activation.forward(
            z, np.empty_like(z))
        self._cache_z, self._cache_a, self._cache_cols, self._cache_n = z, a, cols, n
        return a

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """dy (n, ho, wo, filters) -> dx (n, h, w, c_in); writes dW, db."""
        z, a, cols, n = self._cache_z, self._cache_a, self._cache_cols, self._cache_n
        if z is None or dy.shape != z.shape:
            raise ValueError(f"Conv2D backward got dy of shape {dy.shape}; the last forward "
                             f"pass produced {None if z is None else z.shape}")
        dz = dy if a is z else self.activation.backward(z, a, dy, np.empty_like(dy))
        dz2 = dz.reshape(-1, self.filters)
        np.dot(cols.T, dz2, out=self.dWb)  # dW and db in one GEMM
        if not self.input_grad:
            return None
        return self._col2im(dz2, n)

    def _col2im(self, dz2: np.ndarray, n: int) -> np.ndarray:
        """dx from dz: dcols = dz Wᵀ, each window's gradient added back where it was read."""
        kh, kw = self.kernel_size
        sh, sw = self.strides
        ho, wo, _ = self.output_shape
        h, w, c = self.input_shape
        top, bottom, left, right = self.pads
        W2 = self.W.reshape(-1, self.filters)
        if self._transposed_cols:  # (K, M): each offset's block is contiguous
            dcols = np.dot(W2, dz2.T).reshape(kh, kw, c, n, ho, wo).transpose(0, 1, 3, 4, 5, 2)
        else:
            dcols = np.dot(dz2, W2.T).reshape(n, ho, wo, kh, kw, c).transpose(3, 4, 0, 1, 2, 5)
        dxp = np.zeros((n, h + top + bottom, w + left + right, c), dz2.dtype)
        for p in range(kh):
            for q in range(kw):
                dxp[:, p:p + sh * (ho - 1) + 1:sh, q:q + sw * (wo - 1) + 1:sw, :] += dcols[p, q]
        return dxp[:, top:top + h, left:left + w, :]

    def get_config(self) -> dict:
        return {"name": self.name, "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "activation": self.activation.name,
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.name_of(self.kernel_initializer)}


def _register() -> None:
    # engine.layers may be importing this module before it defines register(); then it lists
    # the class itself, so skipping here is correct.
    import engine.layers as registry

    if hasattr(registry, "register"):
        registry.register(Conv2D)


_register()


def padded(layer, x: np.ndarray, fill: float) -> np.ndarray:
    """x (n, h, w, c) inside ``layer.pads`` of border ``fill``, in the layer's reused
    ``_buf_pad`` (the border is written once, when the buffer is made); x itself if no pad."""
    top, bottom, left, right = layer.pads
    if not (top or bottom or left or right):
        return x
    n, h, w, c = x.shape
    shape = (n, h + top + bottom, w + left + right, c)
    buf = layer._buf_pad
    if buf is None or buf.shape != shape or buf.dtype != x.dtype or \
            getattr(layer, "_buf_pad_fill", None) != fill:
        buf = layer._buf_pad = np.full(shape, fill, x.dtype)
        layer._buf_pad_fill = fill
    buf[:, top:top + h, left:left + w, :] = x
    return buf
