"""From a Sequences-page experiment to engine objects, and from them to what the views draw.

No streamlit here: the page (``playground.views.sequences``) calls these and hands the results
to ``playground.charts_sequences``. The layer stack is checked with ``playground.stack.shapes``
(errors are ``stack.StackError`` with an i18n key), the output Dense layer is appended from the
data set's task (units, activation and loss of ``engine.sequences.SequenceDataset``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import engine as eg
from engine.layers import LSTM, SelfAttention, SimpleRNN
from playground import stack
from playground.sequences_config import TRAIN_FRACTION, SeqConfig

MAX_PARAMS = 300_000  # trainable numbers of one session's network (fairness between sessions)
PROBE_SAMPLES = 16  # training rows used for the gradient-over-time probe (small GEMMs: cheap)
MAX_GATE_UNITS = 32  # LSTM units drawn in the gate heat maps (the first ones)
TOP_K = 8  # characters shown for next_char's prediction
RECORD_EVERY = 20  # full train/test evaluation every this many steps


@dataclass
class SeqData:
    """A generated sequence set, split into training and test rows."""

    ds: eg.sequences.SequenceDataset
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def name(self) -> str:
        return self.ds.name

    @property
    def task(self) -> str:
        return self.ds.task

    @property
    def vocab(self) -> str | None:
        return self.ds.vocab

    @property
    def integer_ids(self) -> bool:
        """True when X holds token ids (n, T): the stack must start with Embedding."""
        return self.ds.vocab is not None

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(s) for s in self.ds.X.shape[1:])

    @property
    def seq_len(self) -> int:
        return int(self.ds.X.shape[1])

    @property
    def output_units(self) -> int:
        return int(self.ds.output_units)


def make_data(cfg: SeqConfig) -> SeqData:
    ds = eg.sequences.make(cfg.dataset, cfg.n_samples, cfg.seq_len, cfg.data_seed, cfg.noise)
    Xtr, ytr, Xte, yte = ds.split(TRAIN_FRACTION, seed=cfg.data_seed)
    return SeqData(ds, Xtr, ytr, Xte, yte)


# -- the stack ---------------------------------------------------------------------------------
def output_spec(data: SeqData) -> stack.Spec:
    """The output layer the task asks for, as a Spec (its activation may be softmax, which the
    stack builder does not offer for hidden layers, so it is made directly)."""
    return stack.Spec("dense", (("units", data.output_units),
                                ("activation", data.ds.output_activation)))


def check(specs: tuple[stack.Spec, ...], data: SeqData) -> list[tuple[int, ...]]:
    """Per-sample output shapes of every layer and of the output layer (last); raises
    StackError (with the layer's position and both shapes) when the stack does not fit."""
    if not specs:
        raise stack.StackError("seq.error.empty")
    return stack.shapes((*specs, output_spec(data)), data.input_shape, "sequence",
                        integer_ids=data.integer_ids)


def param_count(spec: stack.Spec, in_shape: tuple[int, ...], vocab: int | None = None) -> int:
    """Trainable numbers of one layer given its per-sample input shape (the engine's layout)."""
    k = spec.kind
    f = int(in_shape[-1]) if in_shape else 0
    if k == "embedding":
        return int(vocab or 0) * spec["dim"]
    if k == "simplernn":
        u = spec["units"]
        return f * u + u * u + u
    if k == "lstm":
        u = spec["units"]
        return 4 * (f * u + u * u + u)
    if k == "attention":
        u = spec["units"]
        return 3 * f * u + u * u + 3 * u  # Wq, Wk, Wv, Wo; bq, bv, bo (no key bias)
    if k == "dense":
        u = spec["units"]
        return f * u + u
    if k == "batchnorm":
        return 2 * f
    return 0  # flatten, dropout


@dataclass(frozen=True)
class Row:
    """One line of the shape table: ``role`` is "input", "layer" or "output"."""

    role: str
    title: str
    settings: tuple[tuple[str, object], ...]
    shape: tuple[int, ...]
    params: int


def shape_rows(specs: tuple[stack.Spec, ...], data: SeqData) -> list[Row]:
    """The input, every layer and the output layer with output shapes and parameter counts.
    Raises StackError when the stack does not fit."""
    shapes = check(specs, data)
    vocab = len(data.vocab) if data.vocab else None
    rows = [Row("input", "", (), data.input_shape, 0)]
    prev = data.input_shape
    for spec, shape in zip((*specs, output_spec(data)), shapes, strict=True):
        rows.append(Row("layer", spec.title, spec.settings, shape,
                        param_count(spec, prev, vocab)))
        prev = shape
    last = rows[-1]
    rows[-1] = Row("output", last.title, last.settings, last.shape, last.params)
    return rows


def validate(specs: tuple[stack.Spec, ...], data: SeqData) -> list[Row]:
    """:func:`shape_rows`, also refusing more than MAX_PARAMS trainable numbers in all."""
    rows = shape_rows(specs, data)
    total = sum(r.params for r in rows)
    if total > MAX_PARAMS:
        raise stack.StackError("seq.error.too_many_params", n=f"{total:,}", cap=f"{MAX_PARAMS:,}")
    return rows


def build_model(specs: tuple[stack.Spec, ...], data: SeqData, seed: int = 0) -> eg.Sequential:
    """The Sequential for ``specs`` + the output layer; raises StackError when it cannot be
    built (shapes, or more than MAX_PARAMS trainable numbers)."""
    validate(specs, data)
    vocab = len(data.vocab) if data.vocab else None
    layers = stack.build_layers(specs, vocab=vocab, seed=seed)
    layers.append(eg.layers.Dense(data.output_units, activation=data.ds.output_activation))
    return eg.Sequential(layers, input_shape=data.input_shape, seed=seed)


def make_optimizer(name: str, lr: float, clip: float = 0.0):
    """An engine optimizer; ``clip`` > 0 turns on global-norm gradient clipping."""
    o = eg.optim
    kw = {"clip_norm": float(clip) if clip and clip > 0 else None}
    if name == "sgd":
        return o.SGD(lr=lr, **kw)
    if name == "momentum":
        return o.SGD(lr=lr, momentum=0.9, **kw)
    if name == "rmsprop":
        return o.RMSprop(lr=lr, **kw)
    if name == "adam":
        return o.Adam(lr=lr, **kw)
    if name == "adamw":
        return o.AdamW(lr=lr, **kw)
    if name == "nadam":
        return o.NAdam(lr=lr, **kw)
    raise ValueError(f"unknown optimizer {name!r}")


def build_trainer(cfg: SeqConfig, data: SeqData | None = None,
                  specs: tuple[stack.Spec, ...] | None = None) -> tuple[eg.Trainer, SeqData]:
    """A Trainer for ``cfg`` (its stack, or ``specs``), reusing ``data`` when given."""
    data = data or make_data(cfg)
    model = build_model(cfg.stack if specs is None else specs, data, cfg.seed)
    metrics = [] if data.task == "regression" else ["accuracy"]
    model.compile(optimizer=make_optimizer(cfg.optimizer, cfg.lr, cfg.clip), loss=data.ds.loss,
                  metrics=metrics)
    trainer = eg.Trainer(model, data.X_train, data.y_train, data.X_test, data.y_test,
                         batch_size=cfg.batch_size, seed=cfg.seed, record_every=RECORD_EVERY,
                         histogram_every=50, snapshot_every=50, capacity=1000,
                         snapshot_capacity=8)
    return trainer, data


def apply_live_settings(trainer: eg.Trainer, cfg: SeqConfig) -> None:
    """Settings that change without a reset: learning rate, clipping and batch size."""
    opt = trainer.model.optimizer
    opt.lr = float(cfg.lr)
    opt.clip_norm = float(cfg.clip) if cfg.clip > 0 else None
    trainer.set_batch_size(int(cfg.batch_size))


def swap_optimizer(trainer: eg.Trainer, cfg: SeqConfig) -> None:
    """Another kind of optimizer, same weights (its state starts fresh)."""
    trainer.model.optimizer = make_optimizer(cfg.optimizer, cfg.lr, cfg.clip)


# -- what the views draw ----------------------------------------------------------------------
def first_layer(model: eg.Sequential, kind: type | tuple[type, ...]):
    return next((layer for layer in model.layers if isinstance(layer, kind)), None)


def has_lstm(model: eg.Sequential) -> bool:
    return first_layer(model, LSTM) is not None


def has_attention(model: eg.Sequential) -> bool:
    return first_layer(model, SelfAttention) is not None


@dataclass
class Example:
    """One test sequence, what the network makes of it, and what it looks like inside.

    ``x``: (T,) values or token ids; ``target``: the true next value / class id;
    ``output``: the model's output (1,) for regression and binary (a probability), else the
    class probabilities; ``gates``: the first LSTM's input/forget/output gates and cell state,
    each (units, T); ``attention``: the first SelfAttention's weights (T, T), row = query.
    """

    index: int
    x: np.ndarray
    target: float
    output: np.ndarray
    gates: dict[str, np.ndarray] | None = None
    attention: np.ndarray | None = None

    def predicted_class(self) -> int:
        if self.output.size == 1:
            return int(self.output[0] >= 0.5)
        return int(np.argmax(self.output))


def example(model: eg.Sequential, data: SeqData, index: int) -> Example:
    """Run test example ``index`` (clamped into range) through the model."""
    n = data.X_test.shape[0]
    i = int(min(max(index, 0), n - 1))
    x = data.X_test[i:i + 1]
    out = model.predict(x)[0].reshape(-1)  # leaves this one sample in the layers' caches
    gates = None
    lstm = first_layer(model, LSTM)
    if lstm is not None and lstm.gates is not None:
        g = lstm.gates
        gates = {name: np.asarray(g[name][0, :, :MAX_GATE_UNITS].T, dtype=np.float32)
                 for name in ("input", "forget", "output", "cell")}
    attention = None
    att = first_layer(model, SelfAttention)
    if att is not None and att.attention_weights is not None:
        attention = np.asarray(att.attention_weights[0], dtype=np.float32)
    seq = np.asarray(x[0])
    seq = seq.reshape(-1) if seq.ndim == 1 else seq[:, 0]
    return Example(i, seq, float(data.y_test[i, 0]), out, gates, attention)


def predictions(model: eg.Sequential, data: SeqData, limit: int = 100) -> np.ndarray:
    """The model's output on the first ``limit`` test rows (n, units)."""
    return model.predict(data.X_test[:limit])


def input_gradients(trainer: eg.Trainer, n: int = PROBE_SAMPLES) -> np.ndarray | None:
    """‖∂L/∂x_t‖ per time step t (T,), the mean over ``n`` training rows, where x_t is the input
    of the first recurrent or attention layer: how far back in time the gradient reaches
    (backpropagation through time). None when the stack has no such layer.

    Uses the model's own forward and backward passes on the current weights; the gradient
    vector and the layer flag it needs are restored, so training is not affected.
    """
    model = trainer.model
    j = next((i for i, layer in enumerate(model.layers)
              if isinstance(layer, LSTM | SimpleRNN | SelfAttention)), None)
    if j is None:
        return None
    X, y = trainer.X[:n], trainer.y[:n]
    layer = model.layers[j]
    saved_flag = layer.input_grad
    saved = model.grads.copy()
    try:
        layer.input_grad = True
        with np.errstate(all="ignore"):  # a diverging run: inf or nan is the honest answer
            out = model._forward(X, False)
            _, d = model._data_loss_and_dout(out, y)
            for lay in reversed(model.layers[j:]):
                d = lay.backward(d)
                if d is None:
                    return None
            norms = np.sqrt(np.einsum("ntf,ntf->nt", d, d)).mean(axis=0)
        return norms.astype(np.float32)
    except (ValueError, TypeError, FloatingPointError):
        return None
    finally:
        layer.input_grad = saved_flag
        np.copyto(model.grads, saved)


def decode(ids: np.ndarray) -> str:
    return eg.sequences.decode(np.asarray(ids, dtype=np.int64))
