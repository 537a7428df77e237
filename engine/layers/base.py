"""The layer contract: build declares parameters, forward caches, backward writes gradients."""

from __future__ import annotations

import abc

import numpy as np

from engine.params import Declaration


class Layer(abc.ABC):
    """Base class for layers.

    ``build(input_shape, rng) -> output_shape`` declares the layer's parameters with
    :meth:`add_param` (shapes exclude the batch axis). After the model allocates its flat
    vector it calls :meth:`bind`, which sets ``self.<name>`` and ``self.d<name>`` to views
    into ``model.params`` and ``model.grads``. ``forward(x, training)`` keeps what backward
    needs; ``backward(dy)`` writes parameter gradients into the ``d<name>`` views (overwriting,
    not accumulating) and returns dL/dx, or ``None`` when ``input_grad`` is False.
    """

    has_state_in_backward = True

    def __init__(self, name: str | None = None):
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"a layer name must be a non-empty string, got {name!r}")
        # Unnamed layers get "<type>_<k>" from the model at build, so names are reproducible.
        self.name = name
        self.auto_name = name is None
        self.built = False
        self.input_shape: tuple[int, ...] | None = None
        self.output_shape: tuple[int, ...] | None = None
        self.dtype = np.dtype(np.float64)
        self.input_grad = True  # the model turns this off for the first layer
        self._declarations: list[Declaration] = []
        self._param_names: list[str] = []

    # -- building -------------------------------------------------------------------------
    def add_param(self, name: str, shape: tuple[int, ...], initializer) -> None:
        self._declarations.append(Declaration(self.name, name, tuple(int(s) for s in shape),
                                              initializer))
        self._param_names.append(name)

    def build(self, input_shape: tuple[int, ...], rng: np.random.Generator) -> tuple[int, ...]:
        self.input_shape = tuple(input_shape)
        self.output_shape = tuple(input_shape)
        self.built = True
        return self.output_shape

    def reseed(self, rng: np.random.Generator) -> None:
        """Re-seed the layer's own randomness (dropout masks) from the model's stream."""

    def declarations(self) -> list[Declaration]:
        return list(self._declarations)

    def bind(self, params: np.ndarray, grads: np.ndarray, offsets: dict[str, slice]) -> None:
        """Attach views into the model's flat vectors (called at build, copy and unpickle).

        ``params``/``grads`` are this layer's contiguous segment of the flat vectors and
        ``offsets`` maps each parameter name to its slice within that segment.
        """
        self._segment, self._dsegment = params, grads
        for d in self._declarations:
            sl = offsets[d.name]
            setattr(self, d.name, params[sl].reshape(d.shape))
            setattr(self, "d" + d.name, grads[sl].reshape(d.shape))
        self._on_bind()

    def _on_bind(self) -> None:
        """Hook for layers that keep extra views of their parameters."""

    @property
    def param_names(self) -> list[str]:
        return list(self._param_names)

    # -- computing ------------------------------------------------------------------------
    @abc.abstractmethod
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """y for a batch x; keeps what backward needs."""

    @abc.abstractmethod
    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """dL/dx from dL/dy; writes every parameter gradient (overwriting)."""

    def clear_cache(self) -> None:
        """Drop the buffers kept between forward and backward."""

    # -- configs and copies ---------------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name}

    def __getstate__(self) -> dict:
        # Parameter views and work buffers are rebuilt by the model; pickling them would
        # detach them from the flat vector.
        state = {k: v for k, v in self.__dict__.items()
                 if not k.startswith("_cache") and not k.startswith("_buf")}
        for name in self._param_names:
            state.pop(name, None)
            state.pop("d" + name, None)
        for key in self._view_attributes() + ("_segment", "_dsegment"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._reset_buffers()

    def _view_attributes(self) -> tuple[str, ...]:
        return ()

    def _reset_buffers(self) -> None:
        """Recreate empty work-buffer caches (after unpickling)."""

    def __repr__(self) -> str:
        cfg = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({cfg})"
