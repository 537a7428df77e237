"""Argument checks and value display for error messages, shared by the engine's data modules.

Private: the messages are part of what the public functions promise, so every caller words its
errors through these.
"""

from __future__ import annotations

import numbers

import numpy as np


def show(value: object, limit: int = 60) -> str:
    """A short repr of ``value`` for error messages (arrays by shape and dtype)."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_int(value: object) -> bool:
    """An integer, but not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def is_real(value: object) -> bool:
    """A real number, but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def check_int(value: object, what: str, low: int, high: int | None = None) -> int:
    """Return ``value`` as int if it is an integer in ``[low, high]``; else raise."""
    expected = f"an integer in [{low}, {high}]" if high is not None else f"an integer >= {low}"
    if not is_int(value):
        raise TypeError(f"{what} must be {expected}; received {show(value)}")
    value = int(value)  # type: ignore[arg-type]
    if value < low or (high is not None and value > high):
        raise ValueError(f"{what} must be {expected}; received {value}")
    return value


def check_seed(seed: object, what: str = "seed") -> int:
    """Return ``seed`` as int if it is a non-negative integer; else raise."""
    if not is_int(seed):
        raise TypeError(f"{what} must be a non-negative integer; received {show(seed)}")
    if int(seed) < 0:  # type: ignore[arg-type]
        raise ValueError(f"{what} must be a non-negative integer; received {int(seed)}")  # type: ignore[arg-type]
    return int(seed)  # type: ignore[arg-type]


def check_fraction(value: object, what: str = "train_fraction") -> float:
    """Return ``value`` as float if it is a number strictly between 0 and 1; else raise."""
    expected = "a number strictly between 0 and 1"
    if not is_real(value):
        raise TypeError(f"{what} must be {expected}; received {show(value)}")
    frac = float(value)  # type: ignore[arg-type]
    if not 0.0 < frac < 1.0:  # also rejects NaN
        raise ValueError(f"{what} must be {expected}; received {frac!r}")
    return frac
