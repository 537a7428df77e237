"""Metrics reported by ``evaluate`` and the trainer (higher or lower is better as named)."""

from __future__ import annotations

import numpy as np


def accuracy(y_pred: np.ndarray, y_true: np.ndarray, *, logits: bool = False) -> float:
    """Share of correct predictions.

    One output column: binary, predicted class = p ≥ 0.5 (z ≥ 0 for logits), true class = y ≥ 0.5.
    Several columns: argmax, against one-hot rows or integer ids (``(n,)`` or ``(n, 1)``).
    """
    n = y_pred.shape[0]
    if n == 0:
        return float("nan")
    if y_pred.ndim == 2 and y_pred.shape[1] == 1:
        pred = y_pred[:, 0] >= (0.0 if logits else 0.5)
        return float(np.count_nonzero(pred == (y_true.reshape(-1) >= 0.5))) / n
    pred = np.argmax(y_pred.reshape(n, -1), axis=1)
    if y_true.size == n:
        true = y_true.reshape(-1).astype(np.intp)
    else:
        true = np.argmax(y_true.reshape(n, -1), axis=1)
    return float(np.count_nonzero(pred == true)) / n


def mean_absolute_error(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    return float(np.mean(np.abs(y_pred - y_true)))


def mean_squared_error(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    return float(np.mean((y_pred - y_true) ** 2))


_REGISTRY = {"accuracy": accuracy, "acc": accuracy, "mae": mean_absolute_error,
             "mean_absolute_error": mean_absolute_error, "mse": mean_squared_error,
             "mean_squared_error": mean_squared_error}
CANONICAL = {"acc": "accuracy", "mean_absolute_error": "mae", "mean_squared_error": "mse"}


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(name: str):
    """A metric function by Keras name; returns (canonical name, function)."""
    if not isinstance(name, str) or name.lower() not in _REGISTRY:
        raise ValueError(f"unknown metric {name!r}; expected one of {names()}")
    key = name.lower()
    return CANONICAL.get(key, key), _REGISTRY[key]
