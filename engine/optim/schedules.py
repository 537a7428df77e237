"""Learning-rate schedules: pure functions of the step index.

A schedule is called as ``schedule(t, base_lr) -> lr`` where ``t`` is the 0-based index
of the step about to be taken (the first step uses ``t = 0``) and ``base_lr`` is the
optimizer's current ``lr`` attribute. Schedules hold no state, so an optimizer's
``state_dict`` needs only ``t`` to resume them, and changing ``opt.lr`` while training
rescales the whole schedule.

Each value equals the closed form of the PyTorch scheduler named in its docstring when
that scheduler is stepped once per optimizer step (PyTorch computes most of them
recursively, so the two agree to rounding, ~1e-16 relative).

Configs are plain JSON: ``{"name": "Cosine", "T_max": 100, "eta_min": 0.0}``.
"""

from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

__all__ = [
    "Constant",
    "Cosine",
    "Exponential",
    "LinearWarmup",
    "Schedule",
    "StepDecay",
    "from_config",
    "get",
    "names",
]

_REGISTRY: dict[str, type[Schedule]] = {}


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _finite(name: str, value: Any, *, positive: bool) -> float:
    bad = isinstance(value, bool) or not isinstance(value, numbers.Real)
    if not bad:
        v = float(value)
        bad = not math.isfinite(v) or (v <= 0 if positive else v < 0)
    if bad:
        need = "a finite number > 0" if positive else "a finite number >= 0"
        raise ValueError(f"{name} must be {need}, got {value!r}")
    return v


@dataclass(frozen=True)
class Schedule(abc.ABC):
    """Base class: ``__call__(t, base_lr) -> lr`` and a JSON config."""

    name: ClassVar[str] = "Schedule"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = cls.__name__
        _REGISTRY[cls.__name__] = cls

    @abc.abstractmethod
    def __call__(self, t: int, base_lr: float) -> float:
        """The learning rate for the 0-based step ``t``."""

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., **arguments}``; nested schedules are nested configs."""
        config: dict[str, Any] = {"name": self.name}
        for f in fields(self):
            value = getattr(self, f.name)
            config[f.name] = value.get_config() if isinstance(value, Schedule) else value
        return config


@dataclass(frozen=True)
class Constant(Schedule):
    """``lr_t = base_lr`` (PyTorch: no scheduler)."""

    def __call__(self, t: int, base_lr: float) -> float:
        return base_lr


@dataclass(frozen=True)
class StepDecay(Schedule):
    """``lr_t = base_lr * gamma ** (t // step_size)`` (PyTorch ``StepLR``)."""

    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "step_size", _positive_int("step_size", self.step_size))
        object.__setattr__(self, "gamma", _finite("gamma", self.gamma, positive=True))

    def __call__(self, t: int, base_lr: float) -> float:
        return base_lr * self.gamma ** (t // self.step_size)


@dataclass(frozen=True)
class Exponential(Schedule):
    """``lr_t = base_lr * gamma ** t`` (PyTorch ``ExponentialLR``)."""

    gamma: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "gamma", _finite("gamma", self.gamma, positive=True))

    def __call__(self, t: int, base_lr: float) -> float:
        return base_lr * self.gamma**t


@dataclass(frozen=True)
class Cosine(Schedule):
    """``lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2`` for t <= T_max.

    PyTorch ``CosineAnnealingLR`` for ``t <= T_max``. After ``T_max`` the rate stays at
    ``eta_min`` (PyTorch's formula would climb back up, which looks like a bug on a
    training curve; use an explicit restart schedule for that).
    """

    T_max: int
    eta_min: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "T_max", _positive_int("T_max", self.T_max))
        object.__setattr__(self, "eta_min", _finite("eta_min", self.eta_min, positive=False))

    def __call__(self, t: int, base_lr: float) -> float:
        if t >= self.T_max:
            return self.eta_min
        cos = 1.0 + math.cos(math.pi * t / self.T_max)
        return self.eta_min + (base_lr - self.eta_min) * cos / 2.0


@dataclass(frozen=True)
class LinearWarmup(Schedule):
    """Linear ramp over ``warmup_steps`` steps, then ``after`` (or the constant base_lr).

    ``lr_t = base_lr * (t + 1) / warmup_steps`` for ``t < warmup_steps`` (so the first
    step uses ``base_lr / warmup_steps`` and step ``warmup_steps - 1`` the full rate),
    then ``after(t - warmup_steps, base_lr)``: the following schedule starts from its own
    step 0. PyTorch: ``SequentialLR([LinearLR(start_factor=1/warmup_steps,
    total_iters=warmup_steps - 1), after], milestones=[warmup_steps])``.
    """

    warmup_steps: int
    after: Schedule | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "warmup_steps", _positive_int("warmup_steps", self.warmup_steps)
        )
        object.__setattr__(self, "after", get(self.after))

    def __call__(self, t: int, base_lr: float) -> float:
        if t < self.warmup_steps:
            return base_lr * (t + 1) / self.warmup_steps
        if self.after is None:
            return base_lr
        return self.after(t - self.warmup_steps, base_lr)


def names() -> list[str]:
    """The schedule names accepted by ``from_config``."""
    return sorted(n for n in _REGISTRY if n != "Schedule")


def from_config(config: Mapping[str, Any]) -> Schedule:
    """Rebuild a schedule from ``get_config()`` output."""
    if not isinstance(config, Mapping) or "name" not in config:
        raise ValueError(f"a schedule config must be a dict with a 'name' key, got {config!r}")
    name = config["name"]
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None or cls is Schedule:
        raise ValueError(f"unknown schedule {name!r}; expected one of {names()}")
    kwargs = {k: v for k, v in config.items() if k != "name"}
    allowed = {f.name for f in fields(cls)}
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise ValueError(
            f"unknown argument(s) {unknown} for schedule {name}; expected {sorted(allowed)}"
        )
    return cls(**kwargs)


def get(schedule: Schedule | Mapping[str, Any] | None) -> Schedule | None:
    """Accept a schedule, a config dict or None (no schedule)."""
    if schedule is None or isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, Mapping):
        return from_config(schedule)
    raise TypeError(
        "schedule must be None, an engine.optim.schedules.Schedule or its config dict, "
        f"got {type(schedule).__name__}"
    )
