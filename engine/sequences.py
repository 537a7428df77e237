"""Generated sequence data sets for the recurrent and attention layers.

Every generator draws from ``np.random.default_rng(seed)``, so the same arguments give
identical arrays. ``noise`` is a number in ``[0, 0.5]`` whose meaning depends on the task
(stated per set). Sets:

    sine        regression. X (n, T, 1): samples sin(ω·k·dt + φ) + noise·N(0, 1) at
                k = 0..T−1 (dt = 0.25, ω ~ U(0.6, 1.4), φ ~ U(0, 2π)); y (n, 1): the clean
                next value sin(ω·T·dt + φ). Loss: mean_squared_error, linear output.
    parity      binary classification. X (n, T, 1) of 0.0/1.0 bits; y (n, 1) = 1.0 when the
                number of ones is odd. ``noise`` is the fraction of labels flipped.
                Loss: binary_crossentropy, sigmoid output.
    count_ones  multiclass. X (n, T, 1) of 0.0/1.0 bits; y (n, 1) = the number of ones, a
                class id in [0, T] (T + 1 classes). With probability ``noise`` a label is
                replaced by a uniformly drawn class. Loss: sparse_categorical_crossentropy.
    next_char   multiclass over characters. X (n, T) integer ids (for an Embedding layer) of
                T consecutive characters of :data:`TEXT`; y (n, 1) the id of the character
                that follows. Each input character is replaced by a random one with
                probability ``noise``. Ids index :data:`VOCAB`; see :func:`encode` and
                :func:`decode`. Loss: sparse_categorical_crossentropy.

Arrays are float64 except the ids of ``next_char`` (int64).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine._checks import is_int as _is_int
from engine._checks import is_real as _is_real

__all__ = ["MAX_SAMPLES", "MAX_SEQ_LEN", "TEXT", "VOCAB", "SequenceDataset", "decode",
           "encode", "make", "names"]

MAX_SAMPLES = 100_000
MAX_SEQ_LEN = 200
MAX_NOISE = 0.5
MAX_VALUES = 5_000_000  # n_samples · seq_len: keeps one request below ~40 MB per array

TEXT = (
    "twinkle, twinkle, little star, how i wonder what you are! "
    "up above the world so high, like a diamond in the sky. "
    "mary had a little lamb, its fleece was white as snow, "
    "and everywhere that mary went the lamb was sure to go. "
    "the quick brown fox jumps over the lazy dog. "
    "row, row, row your boat, gently down the stream; "
    "merrily, merrily, merrily, merrily, life is but a dream. "
)
"""The built-in text of ``next_char`` (nursery rhymes and a pangram, public domain)."""

VOCAB = "".join(sorted(set(TEXT)))
"""The characters of :data:`TEXT`, sorted; a character's id is its index here."""

_CHAR_ID = {ch: i for i, ch in enumerate(VOCAB)}


@dataclass(frozen=True, eq=False)
class SequenceDataset:
    """A generated sequence set and what a model for it needs.

    ``task`` is "regression", "binary" or "multiclass"; ``loss`` and ``output_activation``
    are the matching Keras names; ``n_classes`` is None for regression, 2 for binary, the
    number of classes otherwise; ``vocab`` is the characters behind the ids (or None).
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    task: str
    loss: str
    output_activation: str
    n_classes: int | None = None
    vocab: str | None = None

    def __post_init__(self) -> None:
        for arr in (self.X, self.y):
            arr.flags.writeable = False

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def output_units(self) -> int:
        """Units of the output layer: 1 for regression and binary, n_classes otherwise."""
        return self.n_classes if self.task == "multiclass" else 1

    def split(self, train_fraction: float = 0.8,
              seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Shuffle deterministically and split -> (X_train, y_train, X_test, y_test).

        ``round(train_fraction · n)`` rows go to training, at least one on each side.
        """
        if not _is_real(train_fraction) or not 0.0 < float(train_fraction) < 1.0:
            raise ValueError("train_fraction must be a number strictly between 0 and 1; "
                             f"received {train_fraction!r}")
        seed = _check_seed(seed)
        n = len(self)
        if n < 2:
            raise ValueError(f"split needs at least 2 samples; this data set has {n}")
        n_train = min(max(int(round(float(train_fraction) * n)), 1), n - 1)
        order = np.random.default_rng(seed).permutation(n)
        tr, te = order[:n_train], order[n_train:]
        return self.X[tr], self.y[tr], self.X[te], self.y[te]

    def __repr__(self) -> str:
        return (f"SequenceDataset(name={self.name!r}, task={self.task!r}, X shape "
                f"{self.X.shape}, y shape {self.y.shape})")


# ------------------------------------------------------------------------------ validation


def _check_int(value: object, what: str, low: int, high: int) -> int:
    if not _is_int(value) or not low <= int(value) <= high:  # type: ignore[arg-type]
        raise ValueError(f"{what} must be an integer in [{low}, {high}]; received {value!r}")
    return int(value)  # type: ignore[arg-type]


def _check_seed(seed: object) -> int:
    if not _is_int(seed) or int(seed) < 0:  # type: ignore[arg-type]
        raise ValueError(f"seed must be a non-negative integer; received {seed!r}")
    return int(seed)  # type: ignore[arg-type]


def _check_noise(noise: object) -> float:
    if not _is_real(noise) or not 0.0 <= float(noise) <= MAX_NOISE:  # also rejects NaN
        raise ValueError(f"noise must be a number in [0, {MAX_NOISE}]; received {noise!r}")
    return float(noise)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ generators

Generator = Callable[[int, int, float, np.random.Generator], SequenceDataset]


def _sine(n: int, T: int, noise: float, rng: np.random.Generator) -> SequenceDataset:
    omega = rng.uniform(0.6, 1.4, (n, 1))
    phase = rng.uniform(0.0, 2.0 * math.pi, (n, 1))
    wave = np.sin(omega * (0.25 * np.arange(T + 1)) + phase)  # (n, T + 1)
    X = wave[:, :T] + noise * rng.normal(size=(n, T))
    return SequenceDataset(X[..., None], wave[:, T:], "sine", "regression",
                           "mean_squared_error", "linear")


def _bits(n: int, T: int, rng: np.random.Generator) -> np.ndarray:
    return (rng.random((n, T)) < 0.5).astype(np.float64)


def _parity(n: int, T: int, noise: float, rng: np.random.Generator) -> SequenceDataset:
    bits = _bits(n, T, rng)
    y = bits.sum(axis=1) % 2
    flip = rng.random(n) < noise
    y[flip] = 1.0 - y[flip]
    return SequenceDataset(bits[..., None], y[:, None], "parity", "binary",
                           "binary_crossentropy", "sigmoid", n_classes=2)


def _count_ones(n: int, T: int, noise: float, rng: np.random.Generator) -> SequenceDataset:
    bits = _bits(n, T, rng)
    y = bits.sum(axis=1)
    swap = rng.random(n) < noise
    y[swap] = rng.integers(0, T + 1, int(swap.sum()))
    return SequenceDataset(bits[..., None], y[:, None], "count_ones", "multiclass",
                           "sparse_categorical_crossentropy", "softmax", n_classes=T + 1)


def _next_char(n: int, T: int, noise: float, rng: np.random.Generator) -> SequenceDataset:
    ids = encode(TEXT)
    if T > ids.size - 1:
        raise ValueError(f"next_char needs seq_len <= {ids.size - 1} (the built-in text has "
                         f"{ids.size} characters); received {T}")
    start = rng.integers(0, ids.size - T, n)
    windows = ids[start[:, None] + np.arange(T + 1)]  # (n, T + 1)
    X = windows[:, :T].copy()
    corrupt = rng.random(X.shape) < noise
    X[corrupt] = rng.integers(0, len(VOCAB), int(corrupt.sum()))
    return SequenceDataset(X, windows[:, T:].astype(np.float64), "next_char", "multiclass",
                           "sparse_categorical_crossentropy", "softmax",
                           n_classes=len(VOCAB), vocab=VOCAB)


_GENERATORS: dict[str, Generator] = {
    "sine": _sine,
    "parity": _parity,
    "count_ones": _count_ones,
    "next_char": _next_char,
}


# ------------------------------------------------------------------------------ public API


def names() -> tuple[str, ...]:
    """Names accepted by :func:`make`."""
    return tuple(_GENERATORS)


def encode(text: str) -> np.ndarray:
    """Characters of :data:`VOCAB` -> int64 ids (n,)."""
    if not isinstance(text, str):
        raise ValueError(f"encode takes a string; received {type(text).__name__}")
    unknown = sorted(set(text) - set(_CHAR_ID))
    if unknown:
        raise ValueError(f"characters {unknown} are not in the vocabulary {VOCAB!r}")
    return np.array([_CHAR_ID[ch] for ch in text], dtype=np.int64)


def decode(ids) -> str:
    """Ids (any shape, flattened) -> the string of their characters in :data:`VOCAB`."""
    arr = np.asarray(ids)
    if arr.dtype.kind not in "iuf" or (arr.size and (
            np.any(arr != np.round(arr)) or arr.min() < 0 or arr.max() >= len(VOCAB))):
        raise ValueError(f"decode takes integer ids in [0, {len(VOCAB) - 1}]; received "
                         f"{arr.ravel()[:8].tolist()}")
    return "".join(VOCAB[int(i)] for i in arr.ravel())


def make(name: str, n_samples: int = 500, seq_len: int = 10, seed: int = 0,
         noise: float = 0.0) -> SequenceDataset:
    """Generate a sequence set (see the module docstring for each one's X, y and noise).

    ``1 <= n_samples <= MAX_SAMPLES``, ``1 <= seq_len <= MAX_SEQ_LEN``, ``0 <= noise <= 0.5``,
    ``seed`` a non-negative integer. Raises ValueError naming the bad argument.
    """
    if not isinstance(name, str) or name not in _GENERATORS:
        close = difflib.get_close_matches(name, list(_GENERATORS), n=1) \
            if isinstance(name, str) else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown sequence data set {name!r}{hint}; expected one of "
                         f"{list(_GENERATORS)}")
    n = _check_int(n_samples, "n_samples", 1, MAX_SAMPLES)
    T = _check_int(seq_len, "seq_len", 1, MAX_SEQ_LEN)
    if n * T > MAX_VALUES:
        raise ValueError(f"n_samples · seq_len = {n * T:,} is too large; the limit is "
                         f"{MAX_VALUES:,}")
    noise = _check_noise(noise)
    rng = np.random.default_rng(_check_seed(seed))
    return _GENERATORS[name](n, T, noise, rng)
