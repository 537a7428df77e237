"""The parameter buffer: one flat vector holding every trainable number, with named views.

A model owns exactly one contiguous 1-D ``params`` array and a matching ``grads`` array. Every
layer's tensors are reshaped views into them, so an optimizer, the gradient checker, SciPy and
the loss-landscape code all see the model as one vector.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class ParamSpec(NamedTuple):
    """Where one parameter tensor lives in the flat vector."""

    layer: str
    name: str
    slice: slice
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return self.slice.stop - self.slice.start


class Declaration(NamedTuple):
    layer: str
    name: str
    shape: tuple[int, ...]
    initializer: object  # callable(out_view, rng)


def layout(declarations: list[Declaration]) -> tuple[ParamSpec, ...]:
    """Consecutive slices for the declared tensors, in declaration order."""
    specs, start = [], 0
    for d in declarations:
        size = int(np.prod(d.shape, dtype=np.int64)) if d.shape else 1
        specs.append(ParamSpec(d.layer, d.name, slice(start, start + size), tuple(d.shape)))
        start += size
    return tuple(specs)


def view(flat: np.ndarray, spec: ParamSpec) -> np.ndarray:
    """A reshaped view (never a copy) of one tensor inside ``flat``."""
    v = flat[spec.slice].reshape(spec.shape)
    if not np.shares_memory(v, flat):  # pragma: no cover - reshape of a contiguous slice
        raise AssertionError("parameter view is not a view")
    return v


def total_size(specs: tuple[ParamSpec, ...]) -> int:
    return specs[-1].slice.stop if specs else 0


def weight_mask(specs: tuple[ParamSpec, ...], n: int) -> np.ndarray:
    """Boolean mask over the flat vector: True on tensors with more than one dimension.

    These are the kernels (what L1/L2 penalties and filter normalisation act on); biases and
    other 1-D tensors are False.
    """
    mask = np.zeros(n, dtype=bool)
    for s in specs:
        if len(s.shape) > 1:
            mask[s.slice] = True
    return mask


def flat_vector(v, n: int, label: str) -> np.ndarray:
    """``v`` checked as a finite flat vector of the model's size ``n``, as float64."""
    arr = np.asarray(v)
    if arr.shape != (n,):
        raise ValueError(f"{label} must be a flat vector of shape ({n},) (the model's "
                         f"n_params), got shape {arr.shape}")
    if arr.dtype.kind not in "fiu" or not np.all(np.isfinite(arr)):
        raise ValueError(f"{label} must hold finite real numbers")
    return arr.astype(np.float64, copy=False)
