"""Embedding: integer ids -> learned vectors, a table lookup."""

from __future__ import annotations

import numpy as np

from engine import initializers
from engine.layers.base import Layer


def embedding_uniform(out: np.ndarray, rng: np.random.Generator) -> None:
    """U(−0.05, 0.05), Keras' default for embeddings (small: ids start out nearly alike)."""
    out[...] = rng.uniform(-0.05, 0.05, size=out.shape)


_LOCAL_INITIALIZERS = {"embedding_uniform": embedding_uniform}


class Embedding(Layer):
    """y[n, t] = E[ids[n, t]] for integer ids (n, T) in [0, input_dim); E (input_dim, output_dim).

    Output (n, T, output_dim); any per-sample id shape works (output appends output_dim).
    Ids may arrive as floats (the model casts inputs to its dtype) but must hold whole numbers.
    Backward scatters: dE[k] = Σ over positions with id k of dy (``np.add.at``, so repeated
    ids add up). Ids have no gradient, so the layer returns None and must come before every
    layer with parameters (normally it is the first layer).
    """

    def __init__(self, input_dim: int, output_dim: int,
                 embeddings_initializer: str = "embedding_uniform", name: str | None = None):
        super().__init__(name)
        for label, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Embedding {label} must be a positive integer, got {value!r}")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        if isinstance(embeddings_initializer, str) and \
                embeddings_initializer.lower() in _LOCAL_INITIALIZERS:
            self.embeddings_initializer = _LOCAL_INITIALIZERS[embeddings_initializer.lower()]
        else:
            self.embeddings_initializer = initializers.get(embeddings_initializer)
        # Standalone use needs no input gradient either; a model sets this before build.
        self.input_grad = False
        self._reset_buffers()

    def build(self, input_shape, rng):
        if self.input_grad:
            raise ValueError("Embedding takes integer ids, which have no gradient, so it must "
                             "come before every layer with parameters (put it first)")
        self.input_shape = tuple(int(s) for s in input_shape)
        self.add_param("E", (self.input_dim, self.output_dim), self.embeddings_initializer)
        self.output_shape = (*self.input_shape, self.output_dim)
        self.built = True
        return self.output_shape

    def _reset_buffers(self) -> None:
        self._cache_ids: np.ndarray | None = None

    def clear_cache(self) -> None:
        self._reset_buffers()

    def ids(self, x) -> np.ndarray:
        """Validate x as ids in [0, input_dim) and return them as an intp array."""
        x = np.asarray(x)
        if x.dtype.kind == "f":
            if not np.all(np.isfinite(x)) or np.any(x != np.round(x)):
                bad = x[~np.isfinite(x) | (x != np.round(x))].ravel()[0].item()
                raise ValueError(f"Embedding takes integer ids; got the non-integer value "
                                 f"{bad!r}")
        elif x.dtype.kind not in "iub":
            raise TypeError(f"Embedding takes integer ids; got dtype {x.dtype}")
        if x.size and (x.min() < 0 or x.max() >= self.input_dim):
            bad = x[(x < 0) | (x >= self.input_dim)].ravel()[0].item()
            raise ValueError(f"Embedding ids must be in [0, {self.input_dim - 1}] "
                             f"(input_dim={self.input_dim}); got id {bad!r}")
        return x.astype(np.intp)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """ids (n, T) -> E[ids] (n, T, output_dim)."""
        if x.shape[1:] != self.input_shape:
            raise ValueError(f"Embedding was built for ids of shape (n, "
                             f"{', '.join(map(str, self.input_shape))}); got shape {x.shape}")
        ids = self.ids(x)
        self._cache_ids = ids
        return self.E[ids]  # fancy indexing: a new array, not a view of the parameters

    def backward(self, dy: np.ndarray) -> None:
        """Writes dE (scatter-add of dy over the ids); ids have no gradient: returns None."""
        ids = self._cache_ids
        if ids is None or dy.shape != (*ids.shape, self.output_dim):
            raise ValueError(f"Embedding backward got dy of shape {dy.shape}; the last forward "
                             f"pass produced "
                             f"{None if ids is None else (*ids.shape, self.output_dim)}")
        self.dE[...] = 0.0
        np.add.at(self.dE, ids.ravel(), dy.reshape(-1, self.output_dim))
        return None

    def get_config(self) -> dict:
        init = self.embeddings_initializer
        name = next((k for k, v in _LOCAL_INITIALIZERS.items() if v is init), None)
        return {"name": self.name, "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": name or initializers.name_of(init)}


def _register() -> None:
    # See engine.layers.conv._register: skip while engine.layers is still importing us.
    import engine.layers as registry

    if hasattr(registry, "register"):
        registry.register(Embedding)


_register()
