"""Keras-spelled string aliases: ``optim.get("rmsprop")`` and friends."""

from __future__ import annotations

from typing import Any

from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .base import Optimizer
from .nadam import NAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["ALIASES", "get"]

# name -> (class, hyper-parameters that differ from the class's PyTorch defaults).
# Values are Keras 3's defaults (keras/src/optimizers/*.py); the update rules stay
# PyTorch's except where a flag reproduces Keras (see get's docstring).
ALIASES: dict[str, tuple[type[Optimizer], dict[str, Any]]] = {
    "sgd": (SGD, {"lr": 0.01}),
    "rmsprop": (RMSprop, {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7, "eps_inside_sqrt": True}),
    "adam": (Adam, {"lr": 1e-3, "eps": 1e-7}),
    "adamw": (AdamW, {"lr": 1e-3, "weight_decay": 0.004, "eps": 1e-7}),
    "adagrad": (Adagrad, {"lr": 1e-3, "initial_accumulator_value": 0.1, "eps": 1e-7}),
    "adadelta": (Adadelta, {"lr": 1e-3, "rho": 0.95, "eps": 1e-7}),
    "nadam": (NAdam, {"lr": 1e-3, "eps": 1e-7, "momentum_decay": 1.0}),
}


def get(identifier: Optimizer | str) -> Optimizer:
    """An optimizer instance (returned as is) or a new one from a Keras name.

    Names are case-insensitive; each builds a fresh optimizer with Keras' defaults:

    - ``"sgd"``: SGD(lr=0.01, momentum=0, dampening=0, weight_decay=0, nesterov=False)
    - ``"rmsprop"``: RMSprop(lr=1e-3, alpha=0.9, eps=1e-7, eps_inside_sqrt=True,
      momentum=0, centered=False, weight_decay=0): Keras' ``g/√(v + eps)``
    - ``"adam"``: Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0,
      amsgrad=False); PyTorch's eps placement (Keras' "epsilon hat" differs slightly
      while 1−β2ᵗ is far from 1, i.e. during the first few thousand steps)
    - ``"adamw"``: AdamW(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.004,
      amsgrad=False), decoupled decay as in Keras
    - ``"adagrad"``: Adagrad(lr=1e-3, initial_accumulator_value=0.1, eps=1e-7,
      lr_decay=0, weight_decay=0); eps outside the root (Keras: inside; with the
      accumulator starting at 0.1 the difference is below 1e-6 relative)
    - ``"adadelta"``: Adadelta(lr=1e-3, rho=0.95, eps=1e-7, weight_decay=0); the same
      rule as Keras
    - ``"nadam"``: NAdam(lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0,
      momentum_decay=1.0): Keras' momentum schedule ``μ_t = β1(1 − ½·0.96^t)``
      (PyTorch's default ψ = 0.004 gives ``0.96^(0.004t)``, a much slower warm-up)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if not isinstance(identifier, str):
        raise TypeError(
            f"optimizer must be an Optimizer instance or a name, got {type(identifier).__name__}"
        )
    entry = ALIASES.get(identifier.strip().lower())
    if entry is None:
        raise ValueError(f"unknown optimizer {identifier!r}; expected one of {sorted(ALIASES)}")
    cls, kwargs = entry
    return cls(**kwargs)
