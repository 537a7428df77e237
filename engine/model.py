"""Sequential: a stack of layers over one flat parameter vector.

``model.params`` holds every trainable number; ``model.grads`` matches it; each layer's
tensors are views into both. ``loss_and_grad(params, X, y)`` is the whole model as a function
of one vector, which is what the optimizers, SciPy, the gradient checker and the loss landscape
all use.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine import losses as losses_mod
from engine import metrics as metrics_mod
from engine.layers.base import Layer
from engine.layers.dense import Dense
from engine.params import ParamSpec, layout, total_size, view

_DTYPES = {"float32": np.float32, "float64": np.float64}


@dataclass
class History:
    """What ``fit`` returns, as in Keras: ``history.history["loss"]`` is one value per epoch."""

    history: dict[str, list[float]] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)
    stopped_reason: str | None = None

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)


class Sequential:
    """A linear stack of layers.

    >>> model = Sequential([Dense(8, activation="tanh"), Dense(1, activation="sigmoid")],
    ...                    input_shape=(2,), seed=0)
    >>> model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])

    ``dtype`` is float64 by default (what the gradient checker needs); float32 halves memory
    traffic for big networks and is kept end to end (inputs are cast once per ``fit``).
    """

    def __init__(self, layers: Sequence[Layer], input_shape: Sequence[int] | None = None,
                 seed: int = 0, dtype: str | type | np.dtype = np.float64,
                 name: str = "sequential"):
        if isinstance(layers, Layer) or not isinstance(layers, Sequence):
            raise TypeError(f"Sequential takes a list of layers, got {type(layers).__name__}")
        if len(layers) == 0:
            raise ValueError("Sequential needs at least one layer, got an empty list")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"item {i} of the layer list is {type(layer).__name__}, "
                                f"expected an engine.layers.Layer")
        if len({id(layer) for layer in layers}) != len(layers):
            raise ValueError("the same layer object appears twice; create a new layer each time")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        dt = np.dtype(_DTYPES.get(dtype, dtype) if isinstance(dtype, str) else dtype)
        if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be float32 or float64, got {dt}")
        self.layers = list(layers)
        self.seed = int(seed)
        self.dtype = dt
        self.name = name
        self.built = False
        self.optimizer = None
        self.loss: losses_mod.Loss | None = None
        self.metrics: list[str] = []
        self.l1 = 0.0
        self.l2 = 0.0
        self.stop_training = False
        self.params = np.zeros(0, dt)
        self.grads = np.zeros(0, dt)
        self.param_spec: tuple[ParamSpec, ...] = ()
        self.input_shape: tuple[int, ...] | None = None
        self.output_shape: tuple[int, ...] | None = None
        self._fused = False
        self._buf_dout: np.ndarray | None = None
        if input_shape is not None:
            self.build(input_shape)

    # -- building ---------------------------------------------------------------------------
    def build(self, input_shape: Sequence[int]) -> None:
        """Build every layer, allocate the flat vectors and initialise them from ``seed``."""
        shape = tuple(int(s) for s in input_shape)
        if not shape or any(s < 1 for s in shape):
            raise ValueError(f"input_shape must be a non-empty tuple of positive sizes "
                             f"(per sample, without the batch axis), got {tuple(input_shape)}")
        rng = np.random.default_rng([self.seed, 0])
        counts: dict[str, int] = {}
        for layer in self.layers:
            if layer.auto_name:
                base = type(layer).__name__.lower()
                layer.name = f"{base}_{counts.get(base, 0)}"
                counts[base] = counts.get(base, 0) + 1
        seen = set()
        for layer in self.layers:
            if layer.name in seen:
                raise ValueError(f"two layers are named {layer.name!r}; layer names must be unique")
            seen.add(layer.name)
        self.input_shape = shape
        declarations = []
        has_params_before = False
        for i, layer in enumerate(self.layers):
            layer.dtype = self.dtype
            layer._declarations, layer._param_names = [], []
            layer.input_grad = has_params_before
            try:
                shape = tuple(layer.build(shape, rng))
            except ValueError as exc:
                raise ValueError(f"layer {i} ({layer.name}, {type(layer).__name__}) cannot take "
                                 f"inputs of shape {layer_input_desc(shape)}: {exc}") from None
            decls = layer.declarations()
            declarations.extend(decls)
            has_params_before = has_params_before or bool(decls)
        self.output_shape = shape
        self.param_spec = layout(declarations)
        n = total_size(self.param_spec)
        self.params = np.zeros(n, self.dtype)
        self.grads = np.zeros(n, self.dtype)
        self._declarations = declarations
        self._bind()
        self._initialize()
        self.built = True
        self._configure()

    def reinitialize(self, seed: int | None = None) -> None:
        """Draw fresh initial weights in place (same views) from ``seed`` (default: the model's)."""
        if not self.built:
            raise RuntimeError("the model is not built yet")
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
                raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
            self.seed = int(seed)
        self._initialize()
        for layer in self.layers:
            layer.clear_cache()

    def _initialize(self) -> None:
        """Fill params in place from the seed: one stream for layers' own randomness
        (dropout masks), one for the initial weights, so either is reproducible alone."""
        layer_rng = np.random.default_rng([self.seed, 0])
        for layer in self.layers:
            layer.reseed(layer_rng)
        init_rng = np.random.default_rng([self.seed, 1])
        for d, spec in zip(self._declarations, self.param_spec, strict=True):
            d.initializer(view(self.params, spec), init_rng)

    def _bind(self) -> None:
        """(Re)attach every layer's views to ``params`` and ``grads``."""
        by_layer: dict[str, list[ParamSpec]] = {}
        for spec in self.param_spec:
            by_layer.setdefault(spec.layer, []).append(spec)
        for layer in self.layers:
            specs = by_layer.get(layer.name, [])
            if not specs:
                continue
            seg = slice(specs[0].slice.start, specs[-1].slice.stop)
            offsets = {s.name: slice(s.slice.start - seg.start, s.slice.stop - seg.start)
                       for s in specs}
            layer.bind(self.params[seg], self.grads[seg], offsets)

    def _configure(self) -> None:
        """Decide the fast paths: fused output activation + loss, and bias-augmented inputs."""
        last = self.layers[-1]
        fused_act = self.loss.fused_activation if self.loss is not None else None
        self._fused = (isinstance(last, Dense) and fused_act is not None
                       and last.activation.name == fused_act)
        for layer in self.layers:
            if isinstance(layer, Dense):
                layer.fused_output = False
                layer.augment_output = False
            layer.clear_cache()
        if self._fused:
            last.fused_output = True
        for a, b in zip(self.layers[:-1], self.layers[1:], strict=True):
            if isinstance(a, Dense) and isinstance(b, Dense) and b.use_bias:
                a.augment_output = True
        first = self.layers[0]
        self._augment_input = isinstance(first, Dense) and first.use_bias
        self._plan = [(layer, isinstance(layer, Dense) and layer.use_bias,
                       isinstance(layer, Dense) and layer.augment_output)
                      for layer in self.layers]
        self._kernel_slices = [s.slice for s in self.param_spec if len(s.shape) > 1]

    @property
    def n_params(self) -> int:
        return int(self.params.size)

    # -- compiling --------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss="mean_squared_error",
                metrics: Sequence[str] | None = None, l1: float = 0.0, l2: float = 0.0) -> None:
        """Choose optimizer, loss, metrics and the L1/L2 penalty on kernels.

        ``optimizer`` is an engine optimizer or a Keras name (see ``engine.optim.get`` for the
        hyper-parameters each name uses). The penalty added to the loss is
        ``l1 Σ|W| + l2 Σ W²`` over every tensor with more than one dimension (Keras'
        ``l1_l2`` convention; biases are not penalised).
        """
        from engine import optim

        self.optimizer = optim.get(optimizer)
        self.loss = losses_mod.get(loss)
        names = []
        for m in metrics or []:
            names.append(metrics_mod.get(m)[0])
        self.metrics = names
        for label, value in (("l1", l1), ("l2", l2)):
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{label} must be a finite number >= 0, got {value!r}")
        self.l1, self.l2 = float(l1), float(l2)
        if self.built:
            self._check_loss_fits_output()
            self._configure()

    def _check_loss_fits_output(self) -> None:
        last = self.layers[-1]
        act = getattr(getattr(last, "activation", None), "name", None)
        out = self.output_shape
        name = self.loss.name
        if name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
            if len(out) != 1 or out[0] < 2:
                raise ValueError(f"{name} needs an output of at least 2 classes, but the model "
                                 f"outputs shape {out}; use binary_crossentropy for one output")
            if act != "softmax":
                raise ValueError(f"{name} expects a softmax output layer, but the last layer's "
                                 f"activation is {act!r}")
        if name == "binary_crossentropy" and act not in ("sigmoid", "softmax"):
            raise ValueError(f"binary_crossentropy expects probabilities from a sigmoid output "
                             f"layer, but the last layer's activation is {act!r}")

    def set_regularization(self, l1: float | None = None, l2: float | None = None) -> None:
        """Change the penalty while training (the app's sliders)."""
        for label, value in (("l1", l1), ("l2", l2)):
            if value is None:
                continue
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{label} must be a finite number >= 0, got {value!r}")
            setattr(self, label, float(value))

    # -- input checks -----------------------------------------------------------------------
    def _prepare_x(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype.kind not in "fiub":
            raise TypeError(f"inputs must be numeric, got dtype {X.dtype}")
        if not self.built:
            if X.ndim < 2:
                raise ValueError(f"inputs must have a batch axis: expected (n, features...), "
                                 f"got shape {X.shape}")
            self.build(X.shape[1:])
        if X.shape[1:] != self.input_shape:
            raise ValueError(f"inputs have shape {X.shape}; the model expects "
                             f"{layer_input_desc(self.input_shape)}")
        X = np.ascontiguousarray(X, dtype=self.dtype)
        if not np.all(np.isfinite(X)):
            raise ValueError("inputs contain NaN or infinite values")
        return X

    def _prepare_y(self, y, n: int) -> np.ndarray:
        if self.loss is None:
            raise RuntimeError("call compile(optimizer=..., loss=...) before training or "
                               "evaluating with targets")
        y = np.asarray(y)
        if y.dtype.kind not in "fiub":
            raise TypeError(f"targets must be numeric, got dtype {y.dtype}")
        if y.shape[0:1] != (n,):
            raise ValueError(f"got {y.shape[0] if y.ndim else 'scalar'} targets for {n} "
                             f"samples; expected one target row per sample")
        out_shape = (n, *self.output_shape)
        if y.ndim == 1 and self.output_shape == (1,):
            y = y.reshape(n, 1)  # explicit: (n,) labels for a single output column
        y = np.ascontiguousarray(y, dtype=self.dtype)
        if not np.all(np.isfinite(y)):
            raise ValueError("targets contain NaN or infinite values")
        self.loss.check_targets(y, out_shape)
        return y

    # -- computing --------------------------------------------------------------------------
    def forward(self, X, training: bool = False) -> np.ndarray:
        """The model's output for X (a copy; probabilities, not logits)."""
        X = self._prepare_x(X)
        return self._output(self._forward(X, training)).copy()

    def layer_outputs(self, X) -> list[np.ndarray]:
        """Every layer's output for X (copies, inference mode); the last is the prediction.

        What the network diagram draws: each neuron's output over the input plane.
        """
        x = self._prepare_x(X)
        outs = []
        for i, layer in enumerate(self.layers):
            x = layer.forward(x, False)
            last = i == len(self.layers) - 1
            outs.append(self._output(x).copy() if last else x.copy())
        return outs

    def _forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def _forward_augmented(self, xa: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Training forward pass given [x, 1] (see Dense); x is the plain view of xa."""
        for layer, takes_aug, gives_aug in self._plan:
            if takes_aug and xa is not None:
                x = layer.forward_augmented(xa, True)
            else:
                x = layer.forward(x, True)
            xa = layer.output_augmented if gives_aug else None
        return x

    def _output(self, out: np.ndarray) -> np.ndarray:
        """Apply the output activation that the fused path leaves out."""
        if self._fused:
            return self.layers[-1].activation(out)
        return out

    def _backward(self, dout: np.ndarray) -> None:
        d = dout
        for layer in reversed(self.layers):
            d = layer.backward(d)
            if d is None:
                break

    def _data_loss_and_dout(self, out: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        buf = self._buf_dout
        if buf is None or buf.shape != out.shape or buf.dtype != out.dtype:
            buf = self._buf_dout = np.empty_like(out)
        if self._fused:
            return self.loss.from_logits(out, y, buf)
        return self.loss.value_and_grad(out, y, buf)

    def _penalty(self, grads: bool) -> float:
        """L1/L2 penalty on kernels; adds its gradient into ``self.grads`` when asked."""
        if self.l1 == 0.0 and self.l2 == 0.0:
            return 0.0
        total = 0.0
        for sl in self._kernel_slices:
            w = self.params[sl]
            if self.l2:
                total += self.l2 * float(w @ w)
                if grads:
                    self.grads[sl] += (2.0 * self.l2) * w
            if self.l1:
                total += self.l1 * float(np.abs(w).sum())
                if grads:
                    self.grads[sl] += self.l1 * np.sign(w)
        return total

    def _loss_and_grad(self, X: np.ndarray, y: np.ndarray, training: bool,
                       Xa: np.ndarray | None = None) -> float:
        """Forward + backward on prepared arrays; leaves the gradient in ``self.grads``."""
        if Xa is not None:
            out = self._forward_augmented(Xa, X)
        else:
            out = self._forward(X, training)
        self._last_out = out
        loss, dout = self._data_loss_and_dout(out, y)
        self._backward(dout)
        if self.l1 or self.l2:
            loss += self._penalty(grads=True)
        return loss

    def loss_and_grad(self, params: np.ndarray, X, y,
                      training: bool = False) -> tuple[float, np.ndarray]:
        """(L(params), ∇L(params)) on (X, y), penalty included; the gradient is a fresh copy.

        ``params`` is copied into ``model.params`` (so the model ends at that point), which
        makes this the function to hand to ``scipy.optimize.minimize(jac=True)``.
        ``training=False`` switches dropout off so the function is deterministic.
        """
        self._require_compiled()
        self.set_params(params)
        X = self._prepare_x(X)
        y = self._prepare_y(y, X.shape[0])
        loss = self._loss_and_grad(X, y, training)
        return loss, self.grads.copy()

    def set_params(self, params: np.ndarray) -> None:
        """Copy a flat vector into ``model.params`` (the views stay valid)."""
        if params is self.params:
            return
        params = np.asarray(params)
        if params.shape != self.params.shape:
            raise ValueError(f"params has shape {params.shape}; this model has "
                             f"{self.params.size} parameters, expected shape {self.params.shape}")
        np.copyto(self.params, params, casting="same_kind")

    def train_step(self, X: np.ndarray, y: np.ndarray, Xa: np.ndarray | None = None) -> float:
        """One optimizer step on a prepared batch; returns the loss before the step.

        X, y must already have the model's dtype and shapes (``fit`` and ``Trainer`` prepare
        them once). ``Xa`` optionally holds [X, 1] for the first Dense layer's fast path.
        """
        loss = self._loss_and_grad(X, y, True, Xa)
        self.optimizer.step(self.params, self.grads)
        return loss

    def _require_compiled(self) -> None:
        if self.optimizer is None or self.loss is None:
            raise RuntimeError("the model is not compiled: call model.compile(optimizer=..., "
                               "loss=...) first")
        if not self.built:
            raise RuntimeError("the model is not built: give input_shape= or call fit first")

    # -- Keras-style high level -------------------------------------------------------------
    def fit(self, X, y, epochs: int = 1, batch_size: int | None = 32,
            validation_data: tuple | None = None, shuffle: bool = True,
            callbacks: Sequence | None = None,
            on_epoch_end: Callable[[int, dict], object] | None = None,
            verbose: int = 0) -> History:
        """Train for ``epochs`` passes over (X, y) in mini-batches; returns a History.

        Each epoch's ``loss`` is the mean of its batch losses (as Keras reports it); the
        ``val_`` entries are computed on ``validation_data`` at the end of the epoch.
        ``callbacks`` are callables ``f(epoch, logs)`` or objects with ``on_epoch_end``;
        returning True, or setting ``model.stop_training``, ends training. A non-finite loss
        stops training too, with ``history.stopped_reason`` saying so.
        """
        if self.optimizer is None or self.loss is None:
            raise RuntimeError("the model is not compiled: call model.compile(optimizer=..., "
                               "loss=...) first")
        X = self._prepare_x(X)
        self._check_loss_fits_output()
        y = self._prepare_y(y, X.shape[0])
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
        n = X.shape[0]
        bs = n if batch_size is None else batch_size
        if isinstance(bs, bool) or not isinstance(bs, (int, np.integer)) or bs < 1:
            raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
        bs = min(int(bs), n)
        val = None
        if validation_data is not None:
            if len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (X_val, y_val)")
            Xv = self._prepare_x(validation_data[0])
            val = (Xv, self._prepare_y(validation_data[1], Xv.shape[0]))
        hooks = list(callbacks or [])
        if on_epoch_end is not None:
            hooks.append(on_epoch_end)
        rng = np.random.default_rng([self.seed, 1])
        feed = BatchFeed(X, y, augment=self._augment_input)
        history = History()
        self.stop_training = False
        for epoch in range(int(epochs)):
            feed.shuffle(rng if shuffle else None)
            total, count, correct = 0.0, 0, 0.0
            track_acc = "accuracy" in self.metrics
            for start in range(0, n, bs):
                xb, yb, xab = feed.batch(start, start + bs)
                loss = self.train_step(xb, yb, xab)
                m = xb.shape[0]
                total += loss * m
                count += m
                if track_acc:
                    correct += m * metrics_mod.accuracy(self._last_out, yb, logits=self._fused)
                if not math.isfinite(loss):
                    break
            logs = {"loss": total / count}
            if track_acc:
                logs["accuracy"] = correct / count
            if not math.isfinite(logs["loss"]):
                history.append(epoch, logs)
                history.stopped_reason = (f"the loss became non-finite ({logs['loss']}) in epoch "
                                          f"{epoch}; lower the learning rate")
                break
            if val is not None:
                for k, v in self._evaluate_prepared(*val).items():
                    logs["val_" + k] = v
            history.append(epoch, logs)
            if verbose:
                print(f"epoch {epoch + 1}/{epochs} " +
                      " ".join(f"{k}={v:.4g}" for k, v in logs.items()))
            for hook in hooks:
                fn = hook.on_epoch_end if hasattr(hook, "on_epoch_end") else hook
                if fn(epoch, dict(logs)) is True:
                    self.stop_training = True
            if self.stop_training:
                history.stopped_reason = "stopped by a callback"
                break
        return history

    def evaluate(self, X, y, batch_size: int | None = 1024) -> dict[str, float]:
        """{"loss": ..., <metric>: ...} over the whole set, penalty included in the loss."""
        if self.loss is None:
            raise RuntimeError("call compile(...) before evaluate")
        X = self._prepare_x(X)
        y = self._prepare_y(y, X.shape[0])
        return self._evaluate_prepared(X, y, batch_size)

    def _evaluate_prepared(self, X: np.ndarray, y: np.ndarray,
                           batch_size: int | None = 1024) -> dict[str, float]:
        n = X.shape[0]
        bs = n if not batch_size else int(batch_size)
        loss_sum, preds = 0.0, []
        for start in range(0, n, bs):
            xb, yb = X[start:start + bs], y[start:start + bs]
            out = self._forward(xb, False)
            if self._fused:
                loss_sum += self.loss.value_from_logits(out, yb) * xb.shape[0]
            else:
                loss_sum += self.loss(out, yb) * xb.shape[0]
            if self.metrics:
                preds.append(self._output(out).copy())
        result = {"loss": loss_sum / n + self._penalty(grads=False)}
        if self.metrics:
            pred = np.concatenate(preds)
            for name in self.metrics:
                result[name] = metrics_mod.get(name)[1](pred, y)
        return result

    def predict(self, X, batch_size: int | None = 1024) -> np.ndarray:
        """Model outputs (probabilities for sigmoid/softmax outputs), shape (n, *output_shape)."""
        X = self._prepare_x(X)
        n = X.shape[0]
        bs = n if not batch_size else int(batch_size)
        return np.concatenate([self._output(self._forward(X[s:s + bs], False)).copy()
                               for s in range(0, n, bs)]) if n else \
            np.zeros((0, *self.output_shape), self.dtype)

    # -- inspection, copies, configs --------------------------------------------------------
    def layer_params(self, layer_name: str) -> dict[str, np.ndarray]:
        """{param name: view} for one layer."""
        return {s.name: view(self.params, s) for s in self.param_spec if s.layer == layer_name}

    def summary(self) -> str:
        """A Keras-like table of layers, output shapes and parameter counts."""
        rows = [f"{'layer':<22}{'type':<14}{'output shape':<18}{'params':>8}"]
        for layer in self.layers:
            count = sum(s.size for s in self.param_spec if s.layer == layer.name)
            rows.append(f"{layer.name:<22}{type(layer).__name__:<14}"
                        f"{str((None, *(layer.output_shape or ()))):<18}{count:>8}")
        rows.append(f"total parameters: {self.n_params}")
        return "\n".join(rows)

    def get_config(self) -> dict:
        """Architecture (JSON-serialisable); weights are not included."""
        return {"class": "Sequential", "name": self.name, "seed": self.seed,
                "dtype": self.dtype.name,
                "input_shape": list(self.input_shape) if self.input_shape else None,
                "layers": [{"class": type(layer).__name__, "config": layer.get_config()}
                           for layer in self.layers]}

    @classmethod
    def from_config(cls, config: dict) -> Sequential:
        from engine import layers as layers_mod

        if not isinstance(config, dict) or config.get("class") != "Sequential":
            raise ValueError("not a Sequential config: expected a dict with class 'Sequential'")
        built = [layers_mod.from_config(c) for c in config.get("layers", [])]
        return cls(built, input_shape=config.get("input_shape"), seed=config.get("seed", 0),
                   dtype=config.get("dtype", "float64"), name=config.get("name", "sequential"))

    def copy(self) -> Sequential:
        """An independent deep copy (its own flat vector, views rebound)."""
        return copy.deepcopy(self)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_plan", "_buf_dout", "_last_out")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._buf_dout = None
        if self.built:
            self._bind()
            self._configure()

    def __repr__(self) -> str:
        return (f"Sequential({len(self.layers)} layers, {self.n_params} params, "
                f"dtype={self.dtype.name})")


class BatchFeed:
    """Mini-batches of (X, y) for one epoch after another, without per-batch allocation.

    Each epoch gathers the shuffled rows once into preallocated buffers; batches are then
    contiguous row slices (views). With ``augment`` the X buffer carries a trailing column of
    ones, giving the first Dense layer its one-GEMM path.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, augment: bool):
        n = X.shape[0]
        self.X, self.y = X, y
        self.augment = augment and X.ndim == 2
        if self.augment:
            self._xa = np.empty((n, X.shape[1] + 1), X.dtype)
            self._xa[:, -1] = 1.0
            self._x = self._xa[:, :-1]
        else:
            self._xa = None
            self._x = np.empty_like(X)
        self._y = np.empty_like(y)
        self.shuffle(None)

    def shuffle(self, rng: np.random.Generator | None) -> None:
        if rng is None:
            np.copyto(self._x, self.X)
            np.copyto(self._y, self.y)
        else:
            perm = rng.permutation(self.X.shape[0])
            np.take(self.X, perm, axis=0, out=self._x) if self._xa is None else \
                np.copyto(self._x, self.X[perm])
            np.take(self.y, perm, axis=0, out=self._y)

    def batch(self, start: int, stop: int):
        xa = self._xa[start:stop] if self._xa is not None else None
        return self._x[start:stop], self._y[start:stop], xa


def layer_input_desc(shape: tuple[int, ...]) -> str:
    return "(n, " + ", ".join(str(s) for s in shape) + ")"
