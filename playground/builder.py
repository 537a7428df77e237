"""From an Experiment to engine objects, and from engine objects to what the views draw.

No streamlit here: pages call these and hand the results to ``playground.charts``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import engine as eg
from engine.datasets import features as feature_columns
from engine.datasets import make
from playground import state
from playground.config import MAX_SAMPLES, Experiment

GRID_RESOLUTION = 60
TILE_RESOLUTION = 16
# Upper bound on trainable numbers for one session's network (fairness between sessions).
MAX_PARAMS = 1_000_000


class ExperimentError(ValueError):
    """An experiment that cannot be built; ``key`` is an i18n message key."""

    def __init__(self, key: str, **fmt):
        super().__init__(key)
        self.key = key
        self.fmt = fmt


@dataclass
class Data:
    X_train: np.ndarray  # (n_train, k) features
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    raw_train: np.ndarray  # (n_train, 2) points in the input plane, for the scatter
    raw_test: np.ndarray
    domain: tuple[tuple[float, float], tuple[float, float]]
    task: str


def build_data(exp: Experiment) -> Data:
    if exp.n_samples > MAX_SAMPLES:  # links and widgets clamp; this guards every other path
        raise ExperimentError("problem.too_many_samples", n=exp.n_samples, cap=MAX_SAMPLES)
    ds = make(exp.dataset, exp.n_samples, exp.noise / 100.0, exp.data_seed)
    Xtr, ytr, Xte, yte = ds.split(exp.train_pct / 100.0, seed=exp.data_seed)
    lo = np.minimum(ds.X.min(axis=0), -1.0)
    hi = np.maximum(ds.X.max(axis=0), 1.0)
    pad = 0.05 * (hi - lo)
    domain = ((float(lo[0] - pad[0]), float(hi[0] + pad[0])),
              (float(lo[1] - pad[1]), float(hi[1] + pad[1])))
    return Data(feature_columns(Xtr, exp.features), ytr, feature_columns(Xte, exp.features), yte,
                Xtr, Xte, domain, ds.task)


def build_optimizer(exp: Experiment):
    hp = exp.hyperparameters()
    schedule = _schedule(exp)
    o = exp.optimizer
    kw = {"schedule": schedule}
    if o == "sgd":
        return eg.optim.SGD(lr=exp.lr, **kw)
    if o in ("momentum", "nesterov"):
        return eg.optim.SGD(lr=exp.lr, momentum=hp["momentum"], nesterov=o == "nesterov", **kw)
    if o == "adagrad":
        return eg.optim.Adagrad(lr=exp.lr, eps=hp["eps"], **kw)
    if o == "rmsprop":
        return eg.optim.RMSprop(lr=exp.lr, alpha=hp["alpha"], eps=hp["eps"],
                                momentum=hp["momentum"], **kw)
    if o in ("adam", "nadam"):
        cls = eg.optim.Adam if o == "adam" else eg.optim.NAdam
        return cls(lr=exp.lr, betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"], **kw)
    if o == "adamw":
        return eg.optim.AdamW(lr=exp.lr, betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                              weight_decay=hp["weight_decay"], **kw)
    if o == "adadelta":
        return eg.optim.Adadelta(lr=exp.lr, rho=hp["rho"], eps=hp["eps"], **kw)
    raise ExperimentError("problem.unknown_optimizer", name=o)


def _schedule(exp: Experiment):
    s = eg.optim.schedules
    return {"constant": None, "step": s.StepDecay(step_size=500, gamma=0.5),
            "exponential": s.Exponential(gamma=0.999), "cosine": s.Cosine(T_max=5000),
            "warmup": s.LinearWarmup(warmup_steps=200)}[exp.schedule]


def build_model(exp: Experiment) -> eg.Sequential:
    problems = exp.problems()
    if problems:
        raise ExperimentError(problems[0])
    L = eg.layers
    layers = []
    for spec in exp.layers:
        layers.append(L.Dense(spec.units, activation=spec.activation,
                              kernel_initializer=exp.initializer))
        if spec.dropout > 0:
            layers.append(L.Dropout(spec.dropout))
    layers.append(L.Dense(1, activation=exp.output_activation,
                          kernel_initializer=exp.initializer))
    n_params = param_count(exp)
    if n_params > MAX_PARAMS:  # checked before anything is allocated
        raise ExperimentError("problem.too_many_params", n=n_params, cap=MAX_PARAMS)
    model = eg.Sequential(layers, input_shape=(len(exp.features),), seed=exp.seed)
    metrics = ["accuracy"] if exp.task == "classification" else []
    model.compile(optimizer=build_optimizer(exp), loss=exp.loss, metrics=metrics,
                  l1=exp.l1, l2=exp.l2)
    return model


def param_count(exp: Experiment) -> int:
    """Trainable numbers of ``exp``'s network (Dense kernels and biases), without building it."""
    widths = [len(exp.features), *(spec.units for spec in exp.layers), 1]
    return sum((a + 1) * b for a, b in zip(widths, widths[1:]))


def build_trainer(exp: Experiment, data: Data | None = None) -> tuple[eg.Trainer, Data]:
    data = data or build_data(exp)
    model = build_model(exp)
    trainer = eg.Trainer(model, data.X_train, data.y_train, data.X_test, data.y_test,
                         batch_size=exp.batch_size or None, seed=exp.seed, record_every=5,
                         histogram_every=10, snapshot_every=5)
    return trainer, data


def load_experiment(blob: bytes, lang: str = "en"
                    ) -> tuple[Experiment, list[str], eg.Trainer, Data]:
    """An experiment file (``engine.io``: JSON settings + .npz weights) back to a trainer
    with its weights: the settings go through the URL parser (values it cannot use fall
    back to defaults, each with a note in ``lang``), the network is built, the saved weights
    loaded, and its history restarts from them. Returns ``(exp, notes, trainer, data)``.

    Raises ``engine.io.ExperimentFileError`` (not an experiment, corrupt, over a cap) or
    :class:`ExperimentError` (settings that build no network), both ``ValueError``s whose
    message says what was wrong."""
    loaded = eg.io.from_bytes(blob)
    query = loaded.extra.get("query", {}) if isinstance(loaded.extra, dict) else {}
    exp, notes = state.from_query(query if isinstance(query, dict) else {}, lang=lang)
    trainer, data = build_trainer(exp)
    eg.io.load_weights_into(trainer.model, blob)
    # history, histogram bins and the starting point from the loaded weights, not the random
    # ones the trainer was built with (else the readout shows the old loss)
    trainer.reset(reinitialize=False)
    return exp, notes, trainer, data


def apply_live_settings(trainer: eg.Trainer, exp: Experiment) -> None:
    """Settings that change without a reset: lr, L1/L2, batch size."""
    trainer.model.optimizer.lr = exp.lr
    trainer.model.set_regularization(l1=exp.l1, l2=exp.l2)
    trainer.set_batch_size(exp.batch_size or None)


def swap_optimizer(trainer: eg.Trainer, exp: Experiment) -> None:
    """A new optimizer (other kind or hyper-parameters) without touching the weights."""
    trainer.model.optimizer = build_optimizer(exp)


# -- what the views draw ---------------------------------------------------------------------
def plane_grid(data: Data, resolution: int = GRID_RESOLUTION):
    """xs (r,), ys (r,) and the (r*r, 2) points of the input plane, row-major in y."""
    (x0, x1), (y0, y1) = data.domain
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def predict_plane(model: eg.Sequential, exp: Experiment, data: Data,
                  resolution: int = GRID_RESOLUTION):
    """(xs, ys, Z) with Z (r, r) the model's output over the input plane."""
    xs, ys, pts = plane_grid(data, resolution)
    Z = model.predict(feature_columns(pts, exp.features))[:, 0]
    return xs, ys, Z.reshape(resolution, resolution)


def neuron_maps(model: eg.Sequential, exp: Experiment, data: Data,
                resolution: int = TILE_RESOLUTION) -> list[np.ndarray]:
    """Per diagram column (inputs, each Dense layer): (units, r, r) outputs over the plane."""
    _, _, pts = plane_grid(data, resolution)
    feats = feature_columns(pts, exp.features)
    maps = [feats.T.reshape(-1, resolution, resolution)]
    for layer, out in zip(model.layers, model.layer_outputs(feats), strict=True):
        if isinstance(layer, eg.layers.Dense):
            maps.append(out.T.reshape(-1, resolution, resolution))
    if exp.output_activation == "sigmoid":
        maps[-1] = 2.0 * maps[-1] - 1.0  # the diagram's colours are centred at 0, p at 0.5
    return maps


def kernels(model: eg.Sequential) -> list[np.ndarray]:
    """The Dense kernels between consecutive diagram columns."""
    return [layer.W for layer in model.layers if isinstance(layer, eg.layers.Dense)]


def layer_sizes(model: eg.Sequential, exp: Experiment) -> list[int]:
    return [len(exp.features)] + [layer.units for layer in model.layers
                                  if isinstance(layer, eg.layers.Dense)]
