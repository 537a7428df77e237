"""Recurrent layers on sequences (n, timesteps, features): SimpleRNN and LSTM (Keras layout).

Both precompute the input projection x W + b for every step in one GEMM, loop over time for
the recurrence, and backpropagate through time (BPTT) with one more loop; the weight
gradients are then one GEMM each over all steps. Internally arrays are time-major (T, n, ·),
so every step reads and writes contiguous blocks; what the layers expose is (n, T, ·).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from engine import activations, initializers
from engine.layers.base import Layer


def orthogonal(out: np.ndarray, rng: np.random.Generator) -> None:
    """A random (semi-)orthogonal matrix, Keras' default recurrent initialiser.

    QR of a Gaussian matrix, with the signs of R's diagonal folded into Q so the result is
    uniformly distributed (Haar) rather than biased by the QR convention.
    """
    rows = int(np.prod(out.shape[:-1])) if out.ndim > 1 else 1
    cols = out.shape[-1]
    a = rng.normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    out[...] = q.reshape(out.shape)


_LOCAL_INITIALIZERS = {"orthogonal": orthogonal}


def _initializer(spec):
    if isinstance(spec, str) and spec.lower() in _LOCAL_INITIALIZERS:
        return _LOCAL_INITIALIZERS[spec.lower()]
    return initializers.get(spec)


def _initializer_name(fn) -> str:
    for key, local in _LOCAL_INITIALIZERS.items():
        if fn is local:
            return key
    return initializers.name_of(fn)


def _check_units(units, owner: str) -> int:
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
        raise ValueError(f"{owner} units must be a positive integer, got {units!r}")
    return int(units)


class _Recurrent(Layer):
    """Shared parts: shapes, the W/U/b parameters, the input projection and weight grads.

    Parameters (Keras names in brackets): W (features, g·units) [kernel],
    U (units, g·units) [recurrent_kernel], b (g·units,) [bias]; g = 1 for SimpleRNN, 4 for
    LSTM.
    """

    gates_per_unit = 1

    def __init__(self, units: int, return_sequences: bool, kernel_initializer,
                 recurrent_initializer, name: str | None):
        super().__init__(name)
        owner = type(self).__name__
        self.units = _check_units(units, owner)
        self.return_sequences = bool(return_sequences)
        self.kernel_initializer = _initializer(kernel_initializer)
        self.recurrent_initializer = _initializer(recurrent_initializer)
        self._reset_buffers()

    def _bias_initializer(self):
        return initializers.get("zeros")

    def build(self, input_shape, rng):
        shape = tuple(int(s) for s in input_shape)
        if len(shape) != 2:
            raise ValueError(f"{type(self).__name__} expects inputs of shape (n, timesteps, "
                             f"features); got per-sample shape {shape}")
        self.input_shape = shape
        g = self.gates_per_unit * self.units
        self.add_param("W", (shape[1], g), self.kernel_initializer)
        self.add_param("U", (self.units, g), self.recurrent_initializer)
        self.add_param("b", (g,), self._bias_initializer())
        self.output_shape = (shape[0], self.units) if self.return_sequences else (self.units,)
        self.built = True
        return self.output_shape

    def _reset_buffers(self) -> None:
        self._cache_x: np.ndarray | None = None  # (T, n, features)
        self._cache_z: np.ndarray | None = None  # pre-activations (T, n, g·units)
        self._cache_h: np.ndarray | None = None  # hidden states (T, n, units)

    def clear_cache(self) -> None:
        self._reset_buffers()

    @property
    def hidden_states(self) -> np.ndarray | None:
        """h_t of the last forward pass, shape (n, T, units) (a read-only view), or None."""
        return None if self._cache_h is None else _readonly(self._cache_h.transpose(1, 0, 2))

    def _project(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x (n, T, f) -> (x time-major (T, n, f), z = x W + b (T, n, g·units)), one GEMM."""
        if x.shape[1:] != self.input_shape:
            raise ValueError(f"{type(self).__name__} was built for inputs of shape (n, "
                             f"{', '.join(map(str, self.input_shape))}); got shape {x.shape}")
        xt = np.ascontiguousarray(x.transpose(1, 0, 2))
        T, n, f = xt.shape
        z = xt.reshape(T * n, f) @ self.W
        z += self.b
        return xt, z.reshape(T, n, -1)

    def _output(self, h: np.ndarray) -> np.ndarray:
        # Copies, so a caller writing into the output cannot corrupt what backward reads.
        return np.ascontiguousarray(h.transpose(1, 0, 2)) if self.return_sequences \
            else h[-1].copy()

    def _dh_from_dy(self, dy: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """(dL/dh_t time-major or None, dL/dh_T) from dy."""
        h = self._cache_h
        expected = (h.shape[1], h.shape[0], h.shape[2]) if self.return_sequences else h.shape[1:]
        if dy.shape != expected:
            raise ValueError(f"{type(self).__name__} backward got dy of shape {dy.shape}; the "
                             f"last forward pass produced {expected}")
        if self.return_sequences:
            return dy.transpose(1, 0, 2), None
        return None, dy

    def _weight_grads(self, dz: np.ndarray) -> np.ndarray | None:
        """From dL/dz (T, n, g·units): dW = Σ_t x_tᵀ dz_t, dU = Σ_t h_{t−1}ᵀ dz_t, db, and dx."""
        xt, h = self._cache_x, self._cache_h
        T, n, f = xt.shape
        dz2 = dz.reshape(T * n, -1)
        np.dot(xt.reshape(T * n, f).T, dz2, out=self.dW)
        if T > 1:  # h_0 = 0 contributes nothing
            np.dot(h[:-1].reshape(-1, self.units).T, dz[1:].reshape((T - 1) * n, -1),
                   out=self.dU)
        else:
            self.dU[...] = 0.0
        np.add.reduce(dz2, axis=0, out=self.db)
        if not self.input_grad:
            return None
        return (dz2 @ self.W.T).reshape(T, n, f).transpose(1, 0, 2)

    def _check_cache(self) -> None:
        if self._cache_h is None:
            raise ValueError(f"{type(self).__name__} backward called before forward")

    def get_config(self) -> dict:
        return {"name": self.name, "units": self.units,
                "return_sequences": self.return_sequences,
                "kernel_initializer": _initializer_name(self.kernel_initializer),
                "recurrent_initializer": _initializer_name(self.recurrent_initializer)}


class SimpleRNN(_Recurrent):
    """h_t = f(x_t W + h_{t−1} U + b), h_0 = 0, on x (n, T, features).

    Output h_T (n, units), or every h_t (n, T, units) with ``return_sequences``.
    BPTT: dz_t = (dh_t + dz_{t+1} Uᵀ) ⊙ f'(z_t), where dh_t is the gradient arriving from
    the output at step t. :attr:`hidden_states` keeps h_t after a forward pass.
    """

    def __init__(self, units: int, activation: str | activations.Activation | None = "tanh",
                 return_sequences: bool = False, kernel_initializer: str = "glorot_uniform",
                 recurrent_initializer: str = "orthogonal", name: str | None = None):
        super().__init__(units, return_sequences, kernel_initializer, recurrent_initializer,
                         name)
        self.activation = activations.get(activation)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x (n, T, features) -> h_T (n, units) or (n, T, units)."""
        xt, z = self._project(x)
        h = np.empty(z.shape, z.dtype)
        for t in range(z.shape[0]):
            if t:
                z[t] += h[t - 1] @ self.U
            self.activation.forward(z[t], h[t])
        self._cache_x, self._cache_z, self._cache_h = xt, z, h
        return self._output(h)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """dy -> dx (n, T, features); writes dW, dU, db."""
        self._check_cache()
        dh_seq, dh_last = self._dh_from_dy(dy)
        z, h = self._cache_z, self._cache_h
        dz = np.empty_like(z)
        carry = dh_last if dh_last is not None else np.zeros_like(h[0])  # dL/dh_t via h_{t+1}
        for t in range(z.shape[0] - 1, -1, -1):
            dh = carry if dh_seq is None else dh_seq[t] + carry
            self.activation.backward(z[t], h[t], dh, dz[t])
            carry = dz[t] @ self.U.T
        return self._weight_grads(dz)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": self.activation.name}


class LSTM(_Recurrent):
    """Long short-term memory on x (n, T, features), Keras gate order (i, f, c, o).

    z_t = x_t W + h_{t−1} U + b, split in four blocks of ``units``:
    i = σ(z_i), f = σ(z_f), g = tanh(z_c) (candidate), o = σ(z_o);
    c_t = f ⊙ c_{t−1} + i ⊙ g;  h_t = o ⊙ tanh(c_t);  h_0 = c_0 = 0.
    With ``unit_forget_bias`` the forget block of b starts at 1 (Keras' default), so the
    cell remembers by default early in training.

    BPTT per step, with dh = dL/dh_t and dc carried from step t+1:
    do = dh ⊙ tanh(c_t); dc += dh ⊙ o ⊙ (1 − tanh²c_t); di = dc ⊙ g; df = dc ⊙ c_{t−1};
    dg = dc ⊙ i; dc_{t−1} = dc ⊙ f; dz = [di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o)];
    dh_{t−1} = dz Uᵀ.

    After a forward pass :attr:`gates` holds i, f, g, o and c_t over time, and
    :attr:`hidden_states` holds h_t, each (n, T, units).
    """

    gates_per_unit = 4

    def __init__(self, units: int, return_sequences: bool = False,
                 kernel_initializer: str = "glorot_uniform",
                 recurrent_initializer: str = "orthogonal", unit_forget_bias: bool = True,
                 name: str | None = None):
        super().__init__(units, return_sequences, kernel_initializer, recurrent_initializer,
                         name)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_initializer(self):
        return _LSTMBias(self.units, self.unit_forget_bias)

    def _reset_buffers(self) -> None:
        super()._reset_buffers()
        self._cache_a: np.ndarray | None = None   # gate activations [i f g o] (T, n, 4u)
        self._cache_c: np.ndarray | None = None   # cell states (T, n, u)
        self._cache_tc: np.ndarray | None = None  # tanh(c_t) (T, n, u)

    @property
    def gates(self) -> dict[str, np.ndarray] | None:
        """{"input", "forget", "candidate", "output", "cell"} -> (n, T, units) read-only views
        of the last forward pass (i, f, g = tanh candidate, o, and the cell state c_t)."""
        if self._cache_a is None:
            return None
        u = self.units
        a = self._cache_a.transpose(1, 0, 2)
        return {"input": _readonly(a[..., :u]), "forget": _readonly(a[..., u:2 * u]),
                "candidate": _readonly(a[..., 2 * u:3 * u]),
                "output": _readonly(a[..., 3 * u:]),
                "cell": _readonly(self._cache_c.transpose(1, 0, 2))}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x (n, T, features) -> h_T (n, units) or (n, T, units)."""
        xt, z = self._project(x)
        T, n, _ = z.shape
        u = self.units
        a = np.empty_like(z)
        c = np.empty((T, n, u), z.dtype)
        tc = np.empty_like(c)
        h = np.empty_like(c)
        for t in range(T):
            if t:
                z[t] += h[t - 1] @ self.U
            special.expit(z[t, :, :2 * u], out=a[t, :, :2 * u])   # i, f
            np.tanh(z[t, :, 2 * u:3 * u], out=a[t, :, 2 * u:3 * u])  # g
            special.expit(z[t, :, 3 * u:], out=a[t, :, 3 * u:])   # o
            i, f, g, o = a[t, :, :u], a[t, :, u:2 * u], a[t, :, 2 * u:3 * u], a[t, :, 3 * u:]
            np.multiply(i, g, out=c[t])
            if t:
                c[t] += f * c[t - 1]
            np.tanh(c[t], out=tc[t])
            np.multiply(o, tc[t], out=h[t])
        self._cache_x, self._cache_z, self._cache_h = xt, z, h
        self._cache_a, self._cache_c, self._cache_tc = a, c, tc
        return self._output(h)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """dy -> dx (n, T, features); writes dW, dU, db."""
        self._check_cache()
        dh_seq, dh_last = self._dh_from_dy(dy)
        a, c, tc = self._cache_a, self._cache_c, self._cache_tc
        T, n, u = c.shape
        dz = np.empty_like(a)
        dh_carry = dh_last if dh_last is not None else np.zeros((n, u), a.dtype)
        dc_carry = np.zeros((n, u), a.dtype)
        for t in range(T - 1, -1, -1):
            dh = dh_carry if dh_seq is None else dh_seq[t] + dh_carry
            i, f, g, o = a[t, :, :u], a[t, :, u:2 * u], a[t, :, 2 * u:3 * u], a[t, :, 3 * u:]
            dc = dh * o * (1.0 - tc[t] * tc[t]) + dc_carry
            dzt = dz[t]
            np.multiply(dc * g, i * (1.0 - i), out=dzt[:, :u])
            if t:
                np.multiply(dc * c[t - 1], f * (1.0 - f), out=dzt[:, u:2 * u])
            else:
                dzt[:, u:2 * u] = 0.0  # c_0 = 0: the first forget gate has nothing to forget
            np.multiply(dc * i, 1.0 - g * g, out=dzt[:, 2 * u:3 * u])
            np.multiply(dh * tc[t], o * (1.0 - o), out=dzt[:, 3 * u:])
            dc_carry = dc * f
            dh_carry = dzt @ self.U.T
        return self._weight_grads(dz)

    def get_config(self) -> dict:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class _LSTMBias:
    """Zeros, with the forget block [u, 2u) at one when ``forget_one`` (a class, not a
    closure, so models holding it can be pickled and deep-copied)."""

    def __init__(self, units: int, forget_one: bool):
        self.units, self.forget_one = units, forget_one

    def __call__(self, out: np.ndarray, rng: np.random.Generator) -> None:
        out[...] = 0.0
        if self.forget_one:
            out[self.units:2 * self.units] = 1.0


def _readonly(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


def _register() -> None:
    # See engine.layers.conv._register: skip while engine.layers is still importing us.
    import engine.layers as registry

    if hasattr(registry, "register"):
        for cls in (SimpleRNN, LSTM):
            registry.register(cls)


_register()
