"""Weight initialisers: each fills a preallocated view in place from a seeded Generator.

Fans follow Keras: a dense kernel ``(fan_in, units)``; a conv kernel ``(kh, kw, c_in, c_out)``
has fan_in = kh·kw·c_in and fan_out = kh·kw·c_out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Initializer = Callable[[np.ndarray, np.random.Generator], None]


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a parameter tensor of the given shape."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _uniform(out: np.ndarray, rng: np.random.Generator, limit: float) -> None:
    out[...] = rng.uniform(-limit, limit, size=out.shape)


def _normal(out: np.ndarray, rng: np.random.Generator, std: float) -> None:
    out[...] = rng.normal(0.0, std, size=out.shape)


def glorot_uniform(out: np.ndarray, rng: np.random.Generator) -> None:
    """U(−l, l), l = √(6 / (fan_in + fan_out)) (Keras' default kernel initialiser)."""
    fi, fo = fans(out.shape)
    _uniform(out, rng, np.sqrt(6.0 / (fi + fo)))


def glorot_normal(out: np.ndarray, rng: np.random.Generator) -> None:
    """N(0, σ²), σ = √(2 / (fan_in + fan_out)) (PyTorch's xavier_normal_, untruncated)."""
    fi, fo = fans(out.shape)
    _normal(out, rng, np.sqrt(2.0 / (fi + fo)))


def he_uniform(out: np.ndarray, rng: np.random.Generator) -> None:
    """U(−l, l), l = √(6 / fan_in): keeps the variance of ReLU activations constant."""
    fi, _ = fans(out.shape)
    _uniform(out, rng, np.sqrt(6.0 / fi))


def he_normal(out: np.ndarray, rng: np.random.Generator) -> None:
    """N(0, σ²), σ = √(2 / fan_in)."""
    fi, _ = fans(out.shape)
    _normal(out, rng, np.sqrt(2.0 / fi))


def lecun_normal(out: np.ndarray, rng: np.random.Generator) -> None:
    """N(0, σ²), σ = √(1 / fan_in) (the SELU initialiser)."""
    fi, _ = fans(out.shape)
    _normal(out, rng, np.sqrt(1.0 / fi))


def playground_uniform(out: np.ndarray, rng: np.random.Generator) -> None:
    """U(−0.5, 0.5), what TensorFlow Playground uses for every weight."""
    _uniform(out, rng, 0.5)


def zeros(out: np.ndarray, rng: np.random.Generator) -> None:
    out[...] = 0.0


def ones(out: np.ndarray, rng: np.random.Generator) -> None:
    out[...] = 1.0


_REGISTRY: dict[str, Initializer] = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "xavier_uniform": glorot_uniform,
    "xavier_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "lecun_normal": lecun_normal,
    "playground_uniform": playground_uniform,
    "uniform": playground_uniform,
    "zeros": zeros,
    "ones": ones,
}


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(spec: str | Initializer) -> Initializer:
    """An initialiser by name (see :func:`names`) or a callable ``f(out, rng)``."""
    if callable(spec):
        return spec
    if not isinstance(spec, str) or spec.lower() not in _REGISTRY:
        raise ValueError(f"unknown initializer {spec!r}; expected one of {names()}")
    return _REGISTRY[spec.lower()]


def name_of(init: Initializer) -> str:
    """The registered name of an initialiser (for configs)."""
    for key, fn in _REGISTRY.items():
        if fn is init:
            return key
    raise ValueError(f"initializer {init!r} is not registered; configs need a named initializer")
