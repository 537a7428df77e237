"""Toy data sets of TensorFlow Playground, feature transforms and data helpers.

The generators follow tensorflow/playground ``src/dataset.ts`` formula for formula
(radii, padding, label rules, noise semantics); only the random-number source differs
(``np.random.default_rng(seed)``, so the same seed gives identical arrays). As in the
Playground, ``noise`` is a fraction in ``[0, 0.5]`` (its slider shows 0-50 and divides
by 100), and the rows are shuffled once after generation.

Label convention
    TF Playground labels its classes +1 / -1. Here classification targets are a float
    column ``y`` of shape ``(n, 1)`` holding 1.0 (Playground's +1) and 0.0 (its -1), ready
    for a sigmoid output and binary cross-entropy. Regression targets keep the
    Playground's values, a float column ``(n, 1)`` roughly in ``[-1, 1]``.

Data sets (``X`` has shape ``(n, 2)``, columns ``x1, x2``)
    circle      label 1 inside radius 2.5 (points drawn at r in [0, 2.5]), label 0 on the
                ring r in [3.5, 5]. Noise perturbs the position *used to decide the label*
                by U(-5, 5) * noise per axis; the stored point stays clean (so noise flips
                labels near the boundary rather than moving points).
    xor         x1, x2 ~ U(-5, 5) pushed 0.3 away from the axes; label 1 where
                x1 * x2 >= 0. Noise, as for circle, is U(-5, 5) * noise on the label position.
    gauss       two Gaussian blobs, label 1 at (2, 2) and label 0 at (-2, -2); the variance
                grows linearly from 0.5 (noise 0) to 4 (noise 0.5).
    spiral      two arms, r = 5 i / m, t = 1.75 * 2 pi i / m (+ pi for the second arm),
                point (r sin t, r cos t); label 1 on the arm without the offset. Noise moves
                points by U(-1, 1) * noise per axis.
    two_moons   scikit-learn's ``make_moons``: upper moon (cos s, sin s), label 0; lower moon
                (1 - cos s, 0.5 - sin s), label 1; s in [0, pi]. Noise-free extent
                x1 in [-1, 2], x2 in [-0.5, 1]; noise adds N(0, noise^2) to each coordinate
                (scikit-learn's meaning, in these smaller units).
    reg_plane   x1, x2 ~ U(-6, 6); target (x1 + x2) / 10, computed at the position moved by
                U(-6, 6) * noise per axis (the stored point stays clean).
    reg_gauss   x1, x2 ~ U(-6, 6); target is the strongest of six signed bumps
                sign * max(0, 1 - d / 2) centred at (+-4 or 0, +-2.5); noise as reg_plane.

Every array returned by this module is float64 unless stated otherwise.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from engine._checks import check_fraction as _check_fraction
from engine._checks import check_int as _check_int
from engine._checks import check_seed as _check_seed
from engine._checks import is_int as _is_int
from engine._checks import is_real as _is_real
from engine._checks import show as _show

__all__ = [
    "FEATURES",
    "MAX_SAMPLES",
    "Dataset",
    "batches",
    "features",
    "from_one_hot",
    "kind",
    "make",
    "names",
    "one_hot",
    "standardize",
    "validate_xy",
]

MAX_SAMPLES = 100_000
"""Largest ``n_samples`` that :func:`make` accepts."""

MAX_NOISE = 0.5
TASKS = ("classification", "regression")

FEATURES: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
"""Input features of TF Playground, in its order: X1, X2, X1², X2², X1X2, sin(X1), sin(X2)."""

_FEATURE_FUNCS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b,
    "sin_x1": lambda a, b: np.sin(a),
    "sin_x2": lambda a, b: np.sin(b),
}


# --------------------------------------------------------------------------- validation


def _check_noise(noise: object) -> float:
    expected = f"a number in [0, {MAX_NOISE}] (a fraction, like the Playground's 0-50 %)"
    if not _is_real(noise):
        raise TypeError(f"noise must be {expected}; received {_show(noise)}")
    value = float(noise)  # type: ignore[arg-type]
    if not (0.0 <= value <= MAX_NOISE):  # also rejects NaN
        raise ValueError(f"noise must be {expected}; received {value!r}")
    return value


def _check_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"data set name must be a string, one of {list(_GENERATORS)}; "
                        f"received {_show(name)}")
    if name not in _GENERATORS:
        close = difflib.get_close_matches(name, list(_GENERATORS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown data set {name!r}{hint}; expected one of {list(_GENERATORS)}")
    return name


def _as_numeric(value: object, what: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{what} must hold real numbers; received {_show(value)} "
                         f"(dtype {arr.dtype})")
    return arr


def _check_finite(arr: np.ndarray, what: str) -> None:
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{what} contains {bad} non-finite value(s) (NaN or inf); "
                         "expected finite numbers only")


def validate_xy(X: object, y: object, *, x_ndim: int | None = 2) -> tuple[np.ndarray, np.ndarray]:
    """Check a feature array and its targets; return them as NumPy arrays (no copy, no cast).

    Expects ``X`` of shape ``(n, d)`` (or exactly ``x_ndim`` dimensions, e.g. 4 for images
    ``(n, h, w, c)``; ``x_ndim=None`` accepts any rank >= 2), ``y`` of shape ``(n, k)``, the
    same ``n >= 1`` rows, real dtypes and only finite values. Raises ``ValueError`` saying
    what was received and what was expected.
    """
    Xa = _as_numeric(X, "X")
    ya = _as_numeric(y, "y")
    if x_ndim is None:
        if Xa.ndim < 2:
            raise ValueError(f"X must have at least 2 dimensions (samples first); "
                             f"received shape {Xa.shape}")
    elif Xa.ndim != x_ndim:
        layout = "(n_samples, n_features)" if x_ndim == 2 else f"{x_ndim} dimensions, samples first"
        hint = ""
        if Xa.ndim == 1 and x_ndim == 2:
            hint = " (use X.reshape(-1, 1) for a single feature)"
        raise ValueError(f"X must be a {x_ndim}-D array of shape {layout}; "
                         f"received shape {Xa.shape}{hint}")
    if ya.ndim != 2:
        hint = " (use y.reshape(-1, 1) for a single target)" if ya.ndim == 1 else ""
        raise ValueError(f"y must be a 2-D array of shape (n_samples, n_outputs); "
                         f"received shape {ya.shape}{hint}")
    if Xa.shape[0] != ya.shape[0]:
        raise ValueError(f"X and y must have the same number of samples (rows); received X with "
                         f"{Xa.shape[0]} rows (shape {Xa.shape}) and y with {ya.shape[0]} rows "
                         f"(shape {ya.shape})")
    if Xa.shape[0] == 0:
        raise ValueError(f"X and y must hold at least one sample; received X of shape {Xa.shape}")
    _check_finite(Xa, "X")
    _check_finite(ya, "y")
    return Xa, ya


# --------------------------------------------------------------------------- generators
#
# Each generator takes (n, noise, rng) and returns X (n, 2) and a target vector (n,):
# classification labels already mapped from the Playground's +1/-1 to 1/0.


def _halves(n: int) -> tuple[int, int]:
    """Class sizes: the label-1 class gets the extra sample when n is odd."""
    return n - n // 2, n // 2


def _polar(r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    # The Playground's convention: x = r sin(angle), y = r cos(angle).
    return np.column_stack((r * np.sin(angle), r * np.cos(angle)))


def _circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    n_pos, n_neg = _halves(n)
    r = np.concatenate((rng.uniform(0.0, radius * 0.5, n_pos),      # inside: Playground +1
                        rng.uniform(radius * 0.7, radius, n_neg)))  # ring: Playground -1
    X = _polar(r, rng.uniform(0.0, 2.0 * np.pi, n))
    shift = rng.uniform(-radius, radius, (n, 2)) * noise
    label = np.hypot(*(X + shift).T) < radius * 0.5
    return X, label.astype(np.float64)


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    padding = 0.3
    X = rng.uniform(-5.0, 5.0, (n, 2))
    X += np.where(X > 0, padding, -padding)
    shift = rng.uniform(-5.0, 5.0, (n, 2)) * noise
    moved = X + shift
    label = moved[:, 0] * moved[:, 1] >= 0
    return X, label.astype(np.float64)


def _gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    variance = 0.5 + (4.0 - 0.5) * noise / MAX_NOISE  # d3 linear scale [0, .5] -> [0.5, 4]
    std = np.sqrt(variance)
    n_pos, n_neg = _halves(n)
    X = np.concatenate((rng.normal(2.0, std, (n_pos, 2)),     # Playground +1
                        rng.normal(-2.0, std, (n_neg, 2))))   # Playground -1
    label = np.concatenate((np.ones(n_pos), np.zeros(n_neg)))
    return X, label


def _spiral_arm(m: int, delta: float) -> np.ndarray:
    i = np.arange(m, dtype=np.float64)
    r = i / m * 5.0
    t = 1.75 * i / m * 2.0 * np.pi + delta
    return _polar(r, t)


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_pos, n_neg = _halves(n)
    X = np.concatenate((_spiral_arm(n_pos, 0.0),       # Playground +1
                        _spiral_arm(n_neg, np.pi)))    # Playground -1
    X += rng.uniform(-1.0, 1.0, (n, 2)) * noise
    label = np.concatenate((np.ones(n_pos), np.zeros(n_neg)))
    return X, label


def _two_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_out = n // 2  # scikit-learn: the upper (outer) moon, label 0, gets n // 2
    n_in = n - n_out
    s_out = np.linspace(0.0, np.pi, n_out)
    s_in = np.linspace(0.0, np.pi, n_in)
    X = np.concatenate((np.column_stack((np.cos(s_out), np.sin(s_out))),
                        np.column_stack((1.0 - np.cos(s_in), 0.5 - np.sin(s_in)))))
    X += rng.normal(0.0, 1.0, (n, 2)) * noise
    label = np.concatenate((np.zeros(n_out), np.ones(n_in)))
    return X, label


_GAUSSIANS = np.array([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                       [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])


def _reg_points(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 6.0
    X = rng.uniform(-radius, radius, (n, 2))
    moved = X + rng.uniform(-radius, radius, (n, 2)) * noise
    return X, moved


def _reg_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X, moved = _reg_points(n, noise, rng)
    return X, (moved[:, 0] + moved[:, 1]) / 10.0  # d3 linear scale [-10, 10] -> [-1, 1]


def _reg_gauss_target(P: np.ndarray) -> np.ndarray:
    """Playground's regressGaussian label at points ``P`` (n, 2) -> (n,)."""
    d = np.hypot(P[:, 0:1] - _GAUSSIANS[:, 0], P[:, 1:2] - _GAUSSIANS[:, 1])  # (n, 6)
    bumps = _GAUSSIANS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)  # clamped scale [0, 2] -> [1, 0]
    pick = np.argmax(np.abs(bumps), axis=1)
    return bumps[np.arange(len(P)), pick]


def _reg_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X, moved = _reg_points(n, noise, rng)
    return X, _reg_gauss_target(moved)


_Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]

_GENERATORS: dict[str, tuple[str, _Generator]] = {
    "circle": ("classification", _circle),
    "xor": ("classification", _xor),
    "gauss": ("classification", _gauss),
    "spiral": ("classification", _spiral),
    "two_moons": ("classification", _two_moons),
    "reg_plane": ("regression", _reg_plane),
    "reg_gauss": ("regression", _reg_gauss),
}


# --------------------------------------------------------------------------- Dataset


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set: ``X`` (n, d) float64 and ``y`` (n, k) float64, both read-only copies.

    ``task`` is ``"classification"`` (``y`` holds only 0.0 and 1.0) or ``"regression"``.
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    task: str

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {list(TASKS)}; received {_show(self.task)}")
        X, y = validate_xy(self.X, self.y)
        X = np.array(X, dtype=np.float64)
        y = np.array(y, dtype=np.float64)
        if self.task == "classification" and not np.all((y == 0.0) | (y == 1.0)):
            raise ValueError("classification targets must be 0.0 or 1.0; received values "
                             f"{np.unique(y)[:5].tolist()}...")
        X.flags.writeable = False
        y.flags.writeable = False
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def __repr__(self) -> str:
        return (f"Dataset(name={self.name!r}, task={self.task!r}, X shape {self.X.shape}, "
                f"y shape {self.y.shape})")

    def split(self, train_fraction: float = 0.5,
              seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Shuffle deterministically and split -> ``(X_train, y_train, X_test, y_test)``.

        ``round(train_fraction * n)`` rows go to training, clipped so that each side keeps
        at least one sample. ``train_fraction`` must lie strictly between 0 and 1.
        """
        frac = _check_fraction(train_fraction)
        seed = _check_seed(seed)
        n = len(self)
        if n < 2:
            raise ValueError(f"split needs at least 2 samples; this data set has {n}")
        n_train = min(max(int(round(frac * n)), 1), n - 1)
        order = np.random.default_rng(seed).permutation(n)
        tr, te = order[:n_train], order[n_train:]
        return self.X[tr], self.y[tr], self.X[te], self.y[te]


# --------------------------------------------------------------------------- public API


def names(task: str | None = None) -> tuple[str, ...]:
    """Names accepted by :func:`make`, optionally only those of one ``task``."""
    if task is None:
        return tuple(_GENERATORS)
    if task not in TASKS:
        raise ValueError(f"task must be one of {list(TASKS)} or None; received {_show(task)}")
    return tuple(k for k, (t, _) in _GENERATORS.items() if t == task)


def kind(name: str) -> str:
    """``"classification"`` or ``"regression"`` for a data set name."""
    return _GENERATORS[_check_name(name)][0]


def make(name: str, n_samples: int = 500, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Generate a TF-Playground data set: ``X`` (n_samples, 2), ``y`` (n_samples, 1).

    ``noise`` is a fraction in ``[0, 0.5]``; ``2 <= n_samples <= MAX_SAMPLES``; ``seed`` is a
    non-negative integer and the same seed gives identical arrays. Rows are shuffled.
    """
    name = _check_name(name)
    n = _check_int(n_samples, "n_samples", 2, MAX_SAMPLES)
    noise = _check_noise(noise)
    rng = np.random.default_rng(_check_seed(seed))
    task, generate = _GENERATORS[name]
    X, target = generate(n, noise, rng)
    order = rng.permutation(n)
    return Dataset(X=X[order], y=target[order].reshape(n, 1), name=name, task=task)


def features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Derive TF-Playground input features from ``X`` (n, 2) -> (n, len(names)).

    ``names`` are taken from :data:`FEATURES` (``x1, x2, x1^2, x2^2, x1x2, sin_x1,
    sin_x2``), in the order given; repeats are allowed.
    """
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"names must be a sequence of feature names from {list(FEATURES)}; "
                        f"received {_show(names)}")
    if len(names) == 0:
        raise ValueError(f"names must select at least one feature from {list(FEATURES)}; "
                         "received an empty selection")
    unknown = [f for f in names if f not in _FEATURE_FUNCS]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; valid names are {list(FEATURES)}")
    Xa = _as_numeric(X, "X")
    if Xa.ndim != 2 or Xa.shape[1] != 2:
        raise ValueError(f"X must have shape (n_samples, 2) with columns x1, x2; "
                         f"received shape {Xa.shape}")
    Xa = Xa.astype(np.float64, copy=False)
    a, b = Xa[:, 0], Xa[:, 1]
    return np.column_stack([_FEATURE_FUNCS[f](a, b) for f in names]).astype(np.float64)


def one_hot(labels: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """Integer class labels (n,) or (n, 1) -> one-hot float64 (n, n_classes).

    ``n_classes`` defaults to ``max(labels) + 1``. Labels may be stored as floats (such as
    ``make(...).y``) but must be whole numbers in ``[0, n_classes)``.
    """
    arr = _as_numeric(labels, "labels")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"labels must have shape (n,) or (n, 1); received shape {arr.shape}")
    _check_finite(arr, "labels")
    if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        bad = arr[arr != np.round(arr)][:3].tolist()
        raise ValueError(f"labels must be whole numbers; received non-integer values {bad}")
    ints = arr.astype(np.int64)
    if ints.size and ints.min() < 0:
        raise ValueError(f"labels must be >= 0; received minimum {int(ints.min())}")
    if n_classes is None:
        if ints.size == 0:
            raise ValueError("n_classes is required when labels are empty; received 0 labels")
        n_classes = int(ints.max()) + 1
    else:
        n_classes = _check_int(n_classes, "n_classes", 1)
        if ints.size and ints.max() >= n_classes:
            raise ValueError(f"labels must lie in [0, {n_classes - 1}] for n_classes={n_classes}; "
                             f"received maximum {int(ints.max())}")
    out = np.zeros((ints.size, n_classes), dtype=np.float64)
    out[np.arange(ints.size), ints] = 1.0
    return out


def from_one_hot(Y: np.ndarray) -> np.ndarray:
    """One-hot rows or class scores (n, C) -> int64 class labels (n,) by arg-max.

    A single column (n, 1) is read as the probability of class 1 (a sigmoid output or a
    0/1 target column): the label is 1 where the value is >= 0.5.
    """
    arr = _as_numeric(Y, "Y")
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ValueError(f"Y must have shape (n, n_classes) with n_classes >= 1; "
                         f"received shape {arr.shape}")
    if arr.shape[1] == 1:
        return (arr[:, 0] >= 0.5).astype(np.int64)
    return np.argmax(arr, axis=1).astype(np.int64)


def standardize(X: np.ndarray, mean: np.ndarray | None = None,
                std: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale columns to mean 0 and standard deviation 1 -> ``(Xs, mean, std)``.

    ``X`` is (n, d) (any rank >= 1; statistics over the first axis), ``mean`` and ``std``
    have shape ``X.shape[1:]``. Without ``mean``/``std`` they are computed from ``X``
    (population std); a (near-)constant column gets std 1, so it becomes all zeros
    instead of NaN. Pass the returned ``mean, std`` to scale test data the same way.
    """
    Xa = _as_numeric(X, "X")
    if Xa.ndim < 1 or Xa.shape[0] == 0:
        raise ValueError(f"X must be an array with at least one sample; received shape {Xa.shape}")
    _check_finite(Xa, "X")
    Xa = Xa.astype(np.float64, copy=False)
    if (mean is None) != (std is None):
        raise ValueError("pass both mean and std (from an earlier standardize call) or neither; "
                         f"received mean={_show(mean)}, std={_show(std)}")
    if mean is None:
        m = Xa.mean(axis=0)
        s = Xa.std(axis=0)
        tiny = 1e-12 * np.maximum(1.0, np.abs(m))
        s = np.where(s <= tiny, 1.0, s)
    else:
        m = np.asarray(_as_numeric(mean, "mean"), dtype=np.float64)
        s = np.asarray(_as_numeric(std, "std"), dtype=np.float64)
        for what, v in (("mean", m), ("std", s)):
            if v.shape != Xa.shape[1:]:
                raise ValueError(f"{what} must have shape {Xa.shape[1:]} to match X of shape "
                                 f"{Xa.shape}; received shape {v.shape}")
            _check_finite(v, what)
        if np.any(s <= 0):
            raise ValueError(f"std must be positive; received {s.tolist()}")
    return (Xa - m) / s, m, s


def batches(n: int, batch_size: int, rng: np.random.Generator | None,
            shuffle: bool = True) -> Iterator[np.ndarray]:
    """Yield int64 index arrays covering ``range(n)`` once, ``batch_size`` at a time.

    ``batch_size`` is clipped to ``[1, n]``; the last batch may be smaller. With
    ``shuffle`` the order is a permutation drawn from ``rng`` (a ``numpy.random.Generator``,
    advanced on every call, so successive epochs differ); without it ``rng`` may be None.
    Arguments are checked when ``batches`` is called, not at the first ``next``.
    """
    n = _check_int(n, "n", 1)
    if not _is_int(batch_size):
        raise TypeError(f"batch_size must be an integer; received {_show(batch_size)}")
    size = min(max(int(batch_size), 1), n)
    if shuffle:
        if not isinstance(rng, np.random.Generator):
            raise TypeError("rng must be a numpy.random.Generator when shuffle=True "
                            f"(e.g. np.random.default_rng(0)); received {_show(rng)}")
        order = rng.permutation(n)
    else:
        order = np.arange(n)

    def _iterate() -> Iterator[np.ndarray]:
        for start in range(0, n, size):
            yield order[start:start + size]

    return _iterate()
