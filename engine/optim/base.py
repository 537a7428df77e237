"""The optimizer base class: one flat parameter vector, updated in place.

Every optimizer works on a 1-D float array ``params`` and a matching ``grads``. Its
state (momentum buffer, Adam's moments, ...) is arrays shaped like ``params``, allocated
on the first step together with scratch buffers; later steps only run NumPy ufuncs with
``out=`` into them, so a step allocates nothing and float32 stays float32.

Per step, in order: global-norm clipping of the gradient (``clip_norm``), the coupled L2
term ``g + wd·θ`` (every optimizer but AdamW), then the optimizer's own rule with the
scheduled learning rate ``schedule(t, lr)``. The caller's ``grads`` is never written.
"""

from __future__ import annotations

import abc
import inspect
import math
import numbers
import operator
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Self

import numpy as np
from scipy.linalg import blas as _blas

from . import schedules as _schedules
from .clipping import _norm

__all__ = ["Optimizer", "from_state_dict", "registry"]

_REGISTRY: dict[str, type[Optimizer]] = {}
_EMPTY: Mapping[str, np.ndarray] = MappingProxyType({})
_STATE_DICT_KEYS = ("name", "hyper", "t", "state")
_BASE_ARGS = ("self", "lr", "schedule", "clip_norm")


# --- argument checks: each message names the argument, the value received, what is expected


def check_real(name: str, value: Any) -> float:
    """A finite float (ints and NumPy scalars accepted, bools refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return v


def check_positive(name: str, value: Any) -> float:
    """A finite float > 0."""
    v = check_real(name, value)
    if v <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


def check_non_negative(name: str, value: Any) -> float:
    """A finite float >= 0."""
    v = check_real(name, value)
    if v < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return v


def check_unit(name: str, value: Any, *, include_one: bool = False) -> float:
    """A float in [0, 1) (or [0, 1] with ``include_one``)."""
    v = check_real(name, value)
    if not (0.0 <= v < 1.0 or (include_one and v == 1.0)):
        interval = "[0, 1]" if include_one else "[0, 1)"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return v


def check_betas(value: Any) -> tuple[float, float]:
    """Two floats in [0, 1), e.g. ``(0.9, 0.999)``."""
    if isinstance(value, str | bytes) or not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {value!r}")
    return check_unit("betas[0]", value[0]), check_unit("betas[1]", value[1])


def check_flag(name: str, value: Any) -> bool:
    """A bool (a NumPy bool is accepted)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _describe(a: Any) -> str:
    if isinstance(a, np.ndarray):
        return f"an array of shape {a.shape} and dtype {a.dtype}"
    return f"{type(a).__name__} {a!r}"[:120]


def _readonly(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view


_AXPY = {np.dtype(np.float32): _blas.saxpy, np.dtype(np.float64): _blas.daxpy}
# Above this size OpenBLAS runs axpy on several threads, and alternating threaded axpy with
# threaded GEMMs made a 407k-parameter training step 10× slower here (benchmarks/bench_engine).
_AXPY_MAX = 8192


def axpy_(y: np.ndarray, x: np.ndarray, alpha: float, scratch: np.ndarray) -> None:
    """``y ← y + α·x`` in place. Small vectors: one BLAS axpy call (a tiny net's step is
    dominated by call count); large ones: two ufunc passes through ``scratch``, which may be
    ``x`` itself when x is not needed afterwards."""
    fn = _AXPY.get(y.dtype)
    if (fn is not None and y.size <= _AXPY_MAX and x.dtype == y.dtype
            and y.flags.c_contiguous and x.flags.c_contiguous):
        out = fn(x, y, a=alpha)
        if out is not y:  # pragma: no cover - f2py only copies non-contiguous arrays
            np.copyto(y, out)
        return
    np.multiply(x, alpha, out=scratch)
    y += scratch


def lerp_(a: np.ndarray, b: np.ndarray, w: float, tmp: np.ndarray) -> None:
    """``a ← a + w·(b − a)`` in place, i.e. ``a ← (1−w)·a + w·b``.

    Uses PyTorch's two-branch form (``b − (b − a)(1 − w)`` for w ≥ ½) so that the
    rounding matches ``torch.lerp_``, which Adam's first moment uses.
    """
    np.subtract(b, a, out=tmp)
    if w < 0.5:
        tmp *= w
        a += tmp
    else:
        tmp *= 1.0 - w
        np.subtract(b, tmp, out=a)


class Hyper:
    """A hyper-parameter fixed at construction: a read-only attribute stored as ``_<name>``.

    Only ``lr`` (and ``schedule``, ``clip_norm``) may change between steps; the others
    decide which state exists, so changing them means building a new optimizer.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = "_" + name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        return self if obj is None else obj.__dict__[self.slot]

    def __set__(self, obj: Any, value: Any) -> None:
        cls = type(obj).__name__
        raise AttributeError(
            f"{cls}.{self.name} is fixed at construction (only lr, schedule and clip_norm "
            f"can change between steps); build a new one with "
            f"{cls}.from_config({{**opt.hyperparameters(), {self.name!r}: ...}})"
        )


class Optimizer(abc.ABC):
    """Base class. Subclasses define ``_state_names`` and ``_update``.

    Public attributes: ``lr`` (mutable base rate), ``t`` (steps taken), ``state``
    (read-only views), ``current_lr``, ``schedule``, ``clip_norm``.
    """

    name: ClassVar[str] = "Optimizer"
    _hyper: ClassVar[tuple[str, ...]] = ()  # constructor hyper-parameters besides lr
    _n_scratch: ClassVar[int] = 2  # scratch vectors: _G (processed gradient), _T (temp)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = cls.__name__
        params = inspect.signature(cls.__init__).parameters
        cls._hyper = tuple(p for p in params if p not in _BASE_ARGS)
        _REGISTRY[cls.name] = cls

    def __init__(self, lr: float, *, schedule: Any = None, clip_norm: float | None = None):
        self.lr = check_positive("lr", lr)
        self.schedule = schedule
        self.clip_norm = clip_norm
        self._l2 = 0.0  # coefficient of the coupled weight decay g + wd·θ; 0 skips it
        self.reset()

    # --- subclass interface

    def _state_names(self) -> tuple[str, ...]:
        """Names of the state arrays, which depend on the hyper-parameters."""
        return ()

    def _init_state(self, buffers: dict[str, np.ndarray]) -> None:
        """Fill freshly allocated (zeroed) state; default: zeros."""

    @abc.abstractmethod
    def _update(self, params: np.ndarray, g: np.ndarray, lr: float, step: int) -> None:
        """Apply one update in place; ``step`` is 1-based, ``g`` must not be written
        unless it is ``self._G``."""

    def _lr_at(self, t: int) -> float:
        """Learning rate for the 0-based step ``t`` (after the schedule)."""
        lr = self.lr
        try:
            ok = 0.0 < lr < math.inf  # lr is a plain attribute the app may set: check it
        except TypeError:
            ok = False
        if not ok:
            raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
        schedule = self._schedule
        return lr if schedule is None else schedule(t, lr)

    # --- properties

    @property
    def state(self) -> Mapping[str, np.ndarray]:
        """Read-only views of the state arrays (empty before the first step)."""
        return self._views

    @property
    def current_lr(self) -> float:
        """The rate the most recent step used; before any step, the one the next will use.

        After ``load_state_dict`` it is recomputed from the schedule at step ``t − 1``.
        """
        if self._last_lr is not None:
            return self._last_lr
        return self._lr_at(max(self.t - 1, 0))

    @property
    def schedule(self) -> _schedules.Schedule | None:
        return self._schedule

    @schedule.setter
    def schedule(self, value: Any) -> None:
        self._schedule = _schedules.get(value)

    @property
    def clip_norm(self) -> float | None:
        return self._clip_norm

    @clip_norm.setter
    def clip_norm(self, value: float | None) -> None:
        self._clip_norm = None if value is None else check_positive("clip_norm", value)

    # --- stepping

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """One update of ``params`` in place from ``grads`` (left untouched)."""
        T = self._T
        # Fast path: the same kind of arrays as last time; anything else is checked fully.
        if (
            T is None
            or type(params) is not np.ndarray
            or type(grads) is not np.ndarray
            or params.dtype is not T.dtype
            or grads.dtype is not T.dtype
            or params.shape != T.shape
            or grads.shape != T.shape
        ):
            self._prepare(params, grads)
        t = self.t
        lr = self._lr_at(t)
        g = grads
        if self._clip_norm is not None or self._l2:
            g = self._preprocess(params, grads)
        self._update(params, g, lr, t + 1)
        self.t = t + 1
        self._last_lr = lr

    def _preprocess(self, params: np.ndarray, grads: np.ndarray) -> np.ndarray:
        """Clip (into _G, never into grads), then add the coupled L2 term ``wd·θ``."""
        g = grads
        c = self._clip_norm
        if c is not None:
            norm = _norm(grads)
            if norm > c and math.isfinite(norm):
                np.multiply(grads, c / norm, out=self._G)
                g = self._G
        wd = self._l2
        if wd:
            np.multiply(params, wd, out=self._T)
            np.add(g, self._T, out=self._G)
            g = self._G
        return g

    def _prepare(self, params: Any, grads: Any) -> None:
        """Validate the arrays; allocate state on the first step."""
        for name, a in (("params", params), ("grads", grads)):
            if not isinstance(a, np.ndarray):
                raise TypeError(f"{name} must be a NumPy array, got {type(a).__name__}")
            if a.ndim != 1:
                raise ValueError(
                    f"{name} must be a 1-D array (the flat parameter vector), "
                    f"got shape {a.shape}"
                )
            if a.dtype.kind != "f":
                raise TypeError(
                    f"{name} must be a floating-point array (float32 or float64), "
                    f"got dtype {a.dtype}"
                )
        if params.shape != grads.shape:
            raise ValueError(
                f"params and grads must have the same shape, got params {params.shape} "
                f"and grads {grads.shape}"
            )
        if params.dtype != grads.dtype:
            raise TypeError(
                f"params and grads must have the same dtype, got params {params.dtype} "
                f"and grads {grads.dtype}"
            )
        if not params.flags.writeable:
            raise ValueError("params must be writeable (it is updated in place), got read-only")
        T = self._T
        if T is None:
            self._allocate(params.shape, params.dtype)
        elif T.shape != params.shape or T.dtype != params.dtype:
            raise ValueError(
                f"this optimizer's state was built for params of shape {T.shape} and dtype "
                f"{T.dtype}, got shape {params.shape} and dtype {params.dtype}; "
                "call reset() to use it on other parameters"
            )

    def _allocate(self, shape: tuple[int, ...], dtype: np.dtype) -> None:
        buffers = {n: np.zeros(shape, dtype) for n in self._state_names()}
        self._init_state(buffers)
        self._buffers = buffers
        self._scratch = tuple(np.empty(shape, dtype) for _ in range(self._n_scratch))
        self._G, self._T = self._scratch[0], self._scratch[1]
        self._views = MappingProxyType({n: _readonly(a) for n, a in buffers.items()})

    # --- state

    def reset(self) -> None:
        """Forget the state and the step count; keep the hyper-parameters."""
        self.t = 0
        self._last_lr: float | None = None
        self._buffers: dict[str, np.ndarray] = {}
        self._views = _EMPTY
        self._scratch: tuple[np.ndarray, ...] = ()
        self._G: np.ndarray | None = None
        self._T: np.ndarray | None = None

    def hyperparameters(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-serialisable dict (current ``lr``)."""
        hyper: dict[str, Any] = {"lr": float(self.lr)}
        for n in self._hyper:
            v = getattr(self, n)
            hyper[n] = list(v) if isinstance(v, tuple) else v
        hyper["schedule"] = None if self._schedule is None else self._schedule.get_config()
        hyper["clip_norm"] = self._clip_norm
        return hyper

    @classmethod
    def from_config(cls, hyper: Mapping[str, Any]) -> Self:
        """Build from ``hyperparameters()`` output (missing keys take the defaults)."""
        if not isinstance(hyper, Mapping):
            raise TypeError(f"hyper-parameters must be a dict, got {type(hyper).__name__}")
        allowed = ("lr", *cls._hyper, "schedule", "clip_norm")
        unknown = sorted(set(hyper) - set(allowed))
        if unknown:
            raise ValueError(
                f"unknown hyper-parameter(s) {unknown} for {cls.name}; expected {list(allowed)}"
            )
        return cls(**hyper)

    def state_dict(self) -> dict[str, Any]:
        """``{"name", "hyper", "t", "state": {name: copy}}``; arrays are copies."""
        return {
            "name": self.name,
            "hyper": self.hyperparameters(),
            "t": self.t,
            "state": {n: a.copy() for n, a in self._buffers.items()},
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore hyper-parameters, step count and state exactly (bit for bit).

        Everything is validated before anything changes, so a bad dict leaves the
        optimizer as it was. Compatible existing buffers are reused (the ``state``
        views stay live).
        """
        d = state_dict
        if not isinstance(d, Mapping):
            raise TypeError(f"state_dict must be a dict, got {type(d).__name__}")
        missing = [k for k in _STATE_DICT_KEYS if k not in d]
        if missing:
            raise ValueError(
                f"state_dict is missing {missing}; expected the keys {list(_STATE_DICT_KEYS)}"
            )
        if d["name"] != self.name:
            raise ValueError(f"state_dict is for optimizer {d['name']!r}, expected {self.name!r}")
        fresh = type(self).from_config(d["hyper"])
        t = d["t"]
        try:  # an int, a NumPy integer or a 0-d integer array (as read back from .npz)
            t = -1 if isinstance(t, bool) else operator.index(t)
        except TypeError:
            t = -1
        if t < 0:
            raise ValueError(f"state_dict['t'] must be an integer >= 0, got {d['t']!r}")
        state = d["state"]
        if not isinstance(state, Mapping):
            raise TypeError(f"state_dict['state'] must be a dict, got {type(state).__name__}")
        expected = fresh._state_names() if t > 0 else ()
        if sorted(state) != sorted(expected):
            raise ValueError(
                f"state_dict['state'] holds {sorted(state)}, expected {sorted(expected)} "
                f"for {self.name} with these hyper-parameters at t={t}"
            )
        shape, dtype = (None, None) if self._T is None else (self._T.shape, self._T.dtype)
        for n in expected:
            a = state[n]
            if not isinstance(a, np.ndarray) or a.ndim != 1 or a.dtype.kind != "f":
                raise ValueError(
                    f"state_dict['state'][{n!r}] must be a 1-D float array, got {_describe(a)}"
                )
            if shape is None:
                shape, dtype = a.shape, a.dtype
            if a.shape != shape or a.dtype != dtype:
                raise ValueError(
                    f"state_dict['state'][{n!r}] has shape {a.shape} and dtype {a.dtype}, "
                    f"expected shape {shape} and dtype {dtype} (call reset() first to load "
                    "state for other parameters)"
                )
        # Validated: now adopt the hyper-parameters and fill the state.
        old = (self._buffers, self._views, self._scratch)
        self.__dict__.update(fresh.__dict__)
        if expected:
            buffers, views, scratch = old
            if set(buffers) == set(expected) and scratch and scratch[0].shape == shape and (
                scratch[0].dtype == dtype
            ):
                self._buffers, self._views, self._scratch = buffers, views, scratch
                self._G, self._T = scratch[0], scratch[1]
            else:
                self._allocate(shape, dtype)
            for n in expected:
                np.copyto(self._buffers[n], state[n])
        self.t = t

    # --- Python protocol

    def __getstate__(self) -> dict[str, Any]:
        s = self.__dict__.copy()
        s["_views"] = None  # a mappingproxy cannot be pickled; rebuilt from the buffers
        return s

    def __setstate__(self, s: dict[str, Any]) -> None:
        self.__dict__.update(s)
        b = self._buffers
        self._views = MappingProxyType({n: _readonly(a) for n, a in b.items()}) if b else _EMPTY

    def __repr__(self) -> str:
        hyper = {"lr": self.lr, **{n: getattr(self, n) for n in self._hyper}}
        hyper.update(schedule=self._schedule, clip_norm=self._clip_norm)
        args = ", ".join(f"{k}={v!r}" for k, v in hyper.items() if v is not None)
        return f"{self.name}({args})"


def registry() -> dict[str, type[Optimizer]]:
    """Optimizer classes by name (``"SGD"``, ``"Adam"``, ...)."""
    return dict(_REGISTRY)


def from_state_dict(state_dict: Mapping[str, Any]) -> Optimizer:
    """Rebuild an optimizer, state included, from ``Optimizer.state_dict()`` output."""
    if not isinstance(state_dict, Mapping) or "name" not in state_dict:
        raise ValueError("state_dict must be a dict with a 'name' key, as made by state_dict()")
    name = state_dict["name"]
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {sorted(_REGISTRY)}")
    opt = cls.from_config(state_dict.get("hyper", {}))
    opt.load_state_dict(state_dict)
    return opt
