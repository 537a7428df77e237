"""The engine optimizer for a first-order optimizer id and its hyper-parameters."""

from __future__ import annotations

from collections.abc import Mapping

from engine import optim


def make_optimizer(name: str, lr: float, hp: Mapping[str, float]) -> optim.Optimizer:
    """``name`` ("sgd" or "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
    "adadelta", "nadam") with step size ``lr`` and the hyper-parameters it has in ``hp`` (keys
    as in ``playground.config.OPTIMIZER_HYPER``)."""
    if name in ("sgd", "gd"):
        return optim.SGD(lr=lr)
    if name in ("momentum", "nesterov"):
        return optim.SGD(lr=lr, momentum=hp["momentum"], nesterov=name == "nesterov")
    if name == "adagrad":
        return optim.Adagrad(lr=lr, eps=hp["eps"])
    if name == "rmsprop":
        return optim.RMSprop(lr=lr, alpha=hp["alpha"], eps=hp["eps"], momentum=hp["momentum"])
    if name in ("adam", "adamw", "nadam"):
        kw = {"betas": (hp["beta1"], hp["beta2"]), "eps": hp["eps"]}
        if name == "adamw":
            return optim.AdamW(lr=lr, weight_decay=hp["weight_decay"], **kw)
        return (optim.Adam if name == "adam" else optim.NAdam)(lr=lr, **kw)
    if name == "adadelta":
        return optim.Adadelta(lr=lr, rho=hp["rho"], eps=hp["eps"])
    raise ValueError(f"{name!r} is not a first-order optimizer")
