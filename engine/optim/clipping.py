"""Gradient clipping by global norm.

If ``‖g‖₂ > max_norm`` then ``g ← g · max_norm / ‖g‖₂``, otherwise ``g`` is unchanged.
PyTorch's ``clip_grad_norm_`` uses ``max_norm / (‖g‖₂ + 1e-6)`` and always multiplies;
here the scale is exact, so a clipped gradient has norm ``max_norm`` to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["clip_by_global_norm", "global_norm"]


def _norm(g: np.ndarray) -> float:
    """‖g‖₂ of one array, without allocating in the common case.

    The optimizers call this every step, so it does not pay for ``np.errstate``: an
    overflowing float32 sum of squares (‖g‖ > 1.8e19) is handled but NumPy warns.
    """
    flat = g if g.ndim == 1 else g.reshape(-1)
    norm = math.sqrt(float(np.dot(flat, flat)))
    if math.isinf(norm) and np.all(np.isfinite(flat)):
        # The sum of squares overflowed (easy in float32): rescale first; rare path.
        amax = float(np.max(np.abs(flat)))
        scaled = flat.astype(np.float64) / amax
        norm = amax * math.sqrt(float(np.dot(scaled, scaled)))
    return norm


def global_norm(grads: np.ndarray | Sequence[np.ndarray]) -> float:
    """``sqrt(sum_i ‖g_i‖₂²)`` over one array or a sequence of arrays."""
    with np.errstate(over="ignore"):  # overflow of the sum of squares is handled
        if isinstance(grads, np.ndarray):
            return _norm(grads)
        return math.sqrt(math.fsum(_norm(g) ** 2 for g in grads))


def clip_by_global_norm(
    grads: np.ndarray | Sequence[np.ndarray],
    max_norm: float,
    out: np.ndarray | Sequence[np.ndarray] | None = None,
) -> float:
    """Clip ``grads`` (one array or a sequence) to global norm ``max_norm``.

    Writes the result into ``out`` (same structure as ``grads``), or into ``grads``
    itself when ``out`` is None. Returns the norm *before* clipping, like PyTorch.
    A non-finite norm (an inf or nan entry) leaves the values unscaled: no rescaling
    can make them meaningful, and the caller's divergence check should see them.
    """
    ok = isinstance(max_norm, int | float | np.floating) and not isinstance(max_norm, bool)
    if not (ok and 0 < max_norm < math.inf):
        raise ValueError(f"max_norm must be a finite number > 0, got {max_norm!r}")
    single = isinstance(grads, np.ndarray)
    src = [grads] if single else list(grads)
    dst = src if out is None else ([out] if single else list(out))
    if len(dst) != len(src) or any(d.shape != s.shape for d, s in zip(dst, src, strict=True)):
        raise ValueError("out must have the same structure and shapes as grads")
    norm = global_norm(src)
    scale = max_norm / norm if norm > max_norm and math.isfinite(norm) else None
    for s, d in zip(src, dst, strict=True):
        if scale is not None:
            np.multiply(s, scale, out=d)
        elif d is not s:
            np.copyto(d, s)
    return norm
